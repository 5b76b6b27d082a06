//! `forget --force` (the way out the matrix's revocation row does not take): when the utility
//! keeps failing to revoke, `forget` removes nothing and says so; `--force` removes the profile
//! and its keyring entries anyway.

use axum::http::StatusCode;
use cds_wizard::demo::faults::FaultRule;
use cds_wizard::demo::{DemoOptions, DemoServer};
use cds_wizard::vault::SecretStore;
use cds_wizard::vault::keyring::build;

use super::{checks, drive};

#[tokio::test]
async fn forget_force_removes_the_profile_when_revocation_keeps_failing() {
    let server = DemoServer::start(0, DemoOptions::default())
        .await
        .expect("demo server");
    let home = tempfile::tempdir().expect("home");
    let profile = format!("fmforce-{}", std::process::id());
    let vault = build("keyutils").expect("keyutils");
    let r = drive::register(home.path(), &server.base_url, &profile, "30").await;
    assert_eq!(r.code, 0, "{}", r.both());
    let a = drive::authorize(home.path(), &profile, "30", "30", || {}).await;
    assert_eq!(a.code, 0, "{}", a.both());
    let held = checks::held(home.path(), &profile, &vault).expect("held");
    assert!(
        held.len() >= 6,
        "four client secrets and two tokens: {held:?}"
    );

    server.state().faults.set(vec![
        FaultRule::new("/oauth/revoke").status(StatusCode::BAD_GATEWAY),
    ]);
    let f = drive::run(home.path(), &["forget", &profile]).await;
    assert_eq!(f.code, 2, "{}", f.both());
    assert!(
        f.stderr.contains("nothing was removed") && f.stderr.contains("--force"),
        "{}",
        f.stderr
    );
    assert_eq!(
        checks::held(home.path(), &profile, &vault),
        Ok(held.clone())
    );

    let f = drive::run(home.path(), &["forget", &profile, "--force"]).await;
    assert_eq!(f.code, 0, "{}", f.both());
    assert!(f.stdout.contains("not revoked"), "{}", f.stdout);
    for (account, _) in &held {
        assert_eq!(
            vault.get(account).ok().flatten().map(|_| ()),
            None,
            "{account}"
        );
    }
    let p = drive::run(home.path(), &["profiles", "--json"]).await;
    assert!(!p.stdout.contains(&profile), "{}", p.stdout);
    server.stop().await;
}
