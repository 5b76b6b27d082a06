//! The console engine's Credentials API (CDS-WG1-02 §7) against the demo over HTTP, with the
//! real keyring: listing marks the secret the keyring holds, expiring it is refused, rotation
//! of the admin and of a code-flow client, and a rotation interrupted at each step (server
//! faults armed just before the step, keyring failures injected) — after each, the keyring
//! still holds a secret the token endpoint accepts, and the error says which.

use cds_wizard::demo::faults::FaultRule;
use cds_wizard::onboarding::engine::Engine;
use cds_wizard::onboarding::manage::credentials::{self, CredentialFilter};
use cds_wizard::onboarding::manage::{ManageError, Session};
use cds_wizard::vault::SecretStore;
use reqwest::StatusCode;

use crate::manage_support::{FailingVault, Fixture, demo_answers, options};

fn step_of(e: &ManageError) -> &'static str {
    match e {
        ManageError::Rotation { step, .. } => step,
        other => panic!("expected a rotation error, got {other}"),
    }
}

/// Active Credentials of `client`.
async fn active(s: &mut Session<'_>, client: &str) -> Vec<String> {
    let filter = CredentialFilter {
        client_ids: vec![client.to_owned()],
        ..Default::default()
    };
    credentials::list(s, &filter)
        .await
        .unwrap()
        .into_iter()
        .filter(|c| !c.expired)
        .map(|c| c.credential.credential_id)
        .collect()
}

#[tokio::test]
async fn list_expire_guard_and_rotation() {
    let mut f = Fixture::new("mk", options(), Some(demo_answers())).await;
    let admin = f.admin();
    let code = f.code_client();
    let f_ids = f.client_ids();
    let mut s = f.session();
    let all = credentials::list(&mut s, &CredentialFilter::default())
        .await
        .unwrap();
    // The profile's four clients, each with its secret in the keyring (the internal review
    // may add a production client the profile has not listed yet).
    let ids = f_ids.clone();
    let mine: Vec<_> = all
        .iter()
        .filter(|c| ids.contains(&c.credential.client_id))
        .collect();
    assert_eq!(mine.len(), 4);
    assert!(mine.iter().all(|c| c.in_keyring && !c.expired));
    // Paging by hand: 2 a page.
    let p1 = credentials::list_page(&mut s, &CredentialFilter::default(), None)
        .await
        .unwrap();
    assert_eq!(p1.items.len(), 2);
    assert!(p1.next.is_some());

    let current = all.iter().find(|c| c.credential.client_id == code).unwrap();
    let e = credentials::expire(&mut s, &current.credential.credential_id, None, false)
        .await
        .unwrap_err();
    assert!(matches!(e, ManageError::Refused(_)), "{e}");

    // The admin: its new token keeps the session working after the old secret is expired.
    let r = credentials::rotate(&mut s, &admin).await.unwrap();
    assert_eq!(r.proven_by, "token");
    assert_eq!(r.expired.len(), 1);
    assert_eq!(
        active(&mut s, &admin).await,
        vec![r.credential.credential_id.clone()]
    );
    // The code-flow client: proven by authenticating.
    let r2 = credentials::rotate(&mut s, &code).await.unwrap();
    assert_eq!(r2.proven_by, "authenticated");
    assert_eq!(
        active(&mut s, &code).await,
        vec![r2.credential.credential_id.clone()]
    );
    // Create keeps the old one.
    let r3 = credentials::create(&mut s, &code).await.unwrap();
    assert_eq!(active(&mut s, &code).await.len(), 2);
    assert!(r3.expired.is_empty());
    drop(s);
    assert!(f.keyring_secret_works(&admin).await);
    assert!(f.keyring_secret_works(&code).await);
    assert!(
        f.vault
            .get(&format!("{}.rotating", f.account(&code)))
            .unwrap()
            .is_none()
    );
    f.stop().await;
}

#[tokio::test]
async fn rotation_interrupted_at_each_step_keeps_a_working_secret() {
    let mut f = Fixture::new("mr", options(), Some(demo_answers())).await;
    let code = f.code_client();
    let main = f.account(&code);
    let staging = format!("{main}.rotating");
    let original = f.vault.get(&main).unwrap().unwrap();
    // Warm the admin token, so the armed faults hit the rotation's own requests.
    {
        let mut s = f.session();
        s.admin_token().await.unwrap();
    }
    let faults = &f.server.state().faults;

    // 1. create fails: nothing changes.
    faults.arm(
        FaultRule::new("/api/credentials")
            .status(StatusCode::INTERNAL_SERVER_ERROR)
            .count(1),
    );
    let e = credentials::rotate(&mut f.session(), &code)
        .await
        .unwrap_err();
    assert_eq!(step_of(&e), "create", "{e}");
    assert!(e.to_string().contains("old (current) secret"), "{e}");
    assert_eq!(f.vault.get(&main).unwrap(), Some(original.clone()));

    // 2. the keyring refuses the new secret: the new credential is expired again.
    {
        let fv = FailingVault {
            inner: &f.vault,
            fail: |a| a.ends_with(".rotating"),
        };
        let engine = Engine {
            http: &f.http,
            vault: &fv,
            index: &mut f.index,
        };
        let mut s = Session::open(engine, &f.profile).unwrap();
        let e = credentials::rotate(&mut s, &code).await.unwrap_err();
        assert_eq!(step_of(&e), "store", "{e}");
        assert!(e.to_string().contains("expired again"), "{e}");
        assert_eq!(
            active(&mut s, &code).await.len(),
            1,
            "only the old one active"
        );
    }
    assert_eq!(f.vault.get(&main).unwrap(), Some(original.clone()));

    // 3. the proof fails: the old secret stays current, the new credential is expired.
    let faults = &f.server.state().faults;
    faults.arm(
        FaultRule::new("/oauth/token")
            .status(StatusCode::SERVICE_UNAVAILABLE)
            .count(1),
    );
    let e = credentials::rotate(&mut f.session(), &code)
        .await
        .unwrap_err();
    assert_eq!(step_of(&e), "prove", "{e}");
    assert_eq!(f.vault.get(&main).unwrap(), Some(original.clone()));
    assert!(f.vault.get(&staging).unwrap().is_none());
    assert_eq!(active(&mut f.session(), &code).await.len(), 1);

    // 4. promoting fails: the old secret stays, the new (proven) one waits in staging.
    {
        let fv = FailingVault {
            inner: &f.vault,
            fail: |a| a.ends_with("/client_secret"),
        };
        let engine = Engine {
            http: &f.http,
            vault: &fv,
            index: &mut f.index,
        };
        let mut s = Session::open(engine, &f.profile).unwrap();
        let e = credentials::rotate(&mut s, &code).await.unwrap_err();
        assert_eq!(step_of(&e), "promote", "{e}");
        assert!(e.to_string().contains(&staging), "{e}");
    }
    assert_eq!(f.vault.get(&main).unwrap(), Some(original.clone()));
    let kept = f.vault.get(&staging).unwrap().expect("the new secret kept");
    assert!(f.secret_works(&code, &kept).await);
    f.vault.delete(&staging).unwrap();

    // 5. expiring the old one fails: the keyring holds the new, working secret.
    let faults = &f.server.state().faults;
    faults.arm(
        FaultRule::new("/api/credentials/*")
            .status(StatusCode::INTERNAL_SERVER_ERROR)
            .count(1),
    );
    let e = credentials::rotate(&mut f.session(), &code)
        .await
        .unwrap_err();
    assert_eq!(step_of(&e), "expire", "{e}");
    assert!(e.to_string().contains("NEW secret"), "{e}");
    let now = f.vault.get(&main).unwrap().unwrap();
    assert_ne!(now, original);
    assert!(f.secret_works(&code, &now).await);
    assert!(
        f.secret_works(&code, &original).await,
        "the old one not expired yet"
    );

    // After every interruption: a working secret in the keyring, nothing left in staging.
    assert!(f.keyring_secret_works(&code).await);
    assert!(f.vault.get(&staging).unwrap().is_none());
    // And a clean rotation still works, expiring what the failures left.
    let r = credentials::rotate(&mut f.session(), &code).await.unwrap();
    assert!(f.keyring_secret_works(&code).await);
    assert!(!f.secret_works(&code, &original).await || !r.still_active.is_empty());
    f.stop().await;
}
