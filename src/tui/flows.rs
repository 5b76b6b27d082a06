//! The engine flows the executor runs as tasks: registration (CDS-WG1-02 §4–§7, fresh or
//! resumed) and one customer authorization (RFC 6749 §4.1 with PKCE, RFC 9126), reporting
//! progress as messages; the keyring and profile index they share, opened on first use.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Mutex, OnceCell, mpsc};

use crate::app::screens::authorize::{ClientRow, OutcomeView, ProfileView};
use crate::app::screens::submit::Failure;
use crate::app::{Msg, ReqId};
use crate::cds::AuthorizationServerMetadata;
use crate::http::HttpClient;
use crate::onboarding::authorize::{self, AuthorizeOptions, Redirect};
use crate::onboarding::callback::{self, wait_for_callback};
use crate::onboarding::engine::Engine;
use crate::onboarding::plan::RegistrationPlan;
use crate::onboarding::register::{self, RegisterOutcome};
use crate::profiles::{Index, Profile, RegistrationStep};
use crate::vault::{SecretStore, keyring};

/// What an engine task works with: the HTTP client, the keyring (opened on first use), the
/// profile index (loaded on first use), and where to send its messages.
#[derive(Clone)]
pub(super) struct Shared {
    pub(super) http: HttpClient,
    pub(super) vault: Arc<OnceCell<Arc<dyn SecretStore>>>,
    pub(super) index: Arc<Mutex<Option<Index>>>,
    pub(super) tx: mpsc::Sender<Msg>,
}

/// A new registration's inputs (a resumed one has none: the profile holds them).
pub(super) struct Fresh {
    pub(super) meta: Arc<AuthorizationServerMetadata>,
    pub(super) metadata_url: Option<url::Url>,
    pub(super) plan: Box<RegistrationPlan>,
}

/// The keyring, opened once (the probe can block on D-Bus, so off the async threads).
pub(super) async fn open_vault(
    cell: &OnceCell<Arc<dyn SecretStore>>,
) -> Result<Arc<dyn SecretStore>, String> {
    cell.get_or_try_init(|| async {
        tokio::task::spawn_blocking(keyring::open)
            .await
            .map_err(|e| e.to_string())?
            .map(|k| Arc::new(k) as Arc<dyn SecretStore>)
            .map_err(|e| format!("no keyring is reachable, so nothing can be stored: {e}"))
    })
    .await
    .cloned()
}

/// The profile index, loaded on first use and locked while the guard lives.
pub(super) async fn loaded(
    slot: &Mutex<Option<Index>>,
) -> Result<tokio::sync::MappedMutexGuard<'_, Index>, String> {
    let mut guard = slot.lock().await;
    if guard.is_none() {
        *guard = Some(Index::load_default().map_err(|e| e.to_string())?);
    }
    tokio::sync::MutexGuard::try_map(guard, Option::as_mut)
        .map_err(|_| "the profile index is not loaded".to_owned())
}

/// A stored profile as the screens show it: names, never secrets.
pub fn profile_view(p: &Profile) -> ProfileView {
    use crate::text::sanitize;
    ProfileView {
        name: sanitize(&p.name),
        issuer: sanitize(&p.issuer),
        keyring: sanitize(&p.keyring_store),
        service: crate::vault::SERVICE.to_owned(),
        clients: p
            .clients
            .iter()
            .map(|c| ClientRow {
                client_id: sanitize(&c.client_id),
                scope: sanitize(&c.scope),
                status: sanitize(&c.status),
                code_flow: c.response_types.iter().any(|r| r == "code"),
                accounts: c
                    .secrets
                    .iter()
                    .map(|k| sanitize(&p.account(&c.client_id, *k)))
                    .collect(),
                public: c.is_public(),
            })
            .collect(),
        unfinished: p.next_step().map(|s| {
            format!(
                "The registration stopped before `{s}`: press r to finish it here (or run `cds-wizard register --resume {}`).",
                sanitize(&p.name)
            )
        }),
    }
}

/// Registers (or resumes, when `fresh` is `None`) through the engine, reporting progress.
pub(super) async fn register(
    shared: &Shared,
    req: ReqId,
    profile: &str,
    fresh: Option<&Fresh>,
) -> Result<(Box<RegisterOutcome>, ProfileView), Failure> {
    let fail = |message: String| Failure {
        message,
        resumable: false,
    };
    // The keyring first: a keyring that fails after registration would strand the secret.
    let vault = open_vault(&shared.vault).await.map_err(fail)?;
    let mut ix = loaded(&shared.index).await.map_err(fail)?;
    let progress_tx = shared.tx.clone();
    let progress = move |event| {
        let _ = progress_tx.try_send(Msg::RegisterProgress { req, event });
    };
    let mut engine = Engine {
        http: &shared.http,
        vault: &*vault,
        index: &mut ix,
    };
    let result = match fresh {
        Some(f) => {
            let url = f.metadata_url.as_ref();
            register::register(&mut engine, &f.meta, url, &f.plan, profile, &progress).await
        }
        None => register::resume(&mut engine, profile, &progress).await,
    };
    if result.is_ok() {
        // Registered with the remembered demo: marked, so it is found wherever it listens later
        // (best effort: an unmarked profile is still recognised by the demo's old addresses).
        let _ = crate::demo_home::adopt(&mut ix, profile);
    }
    let stored = ix.profile(profile);
    match result {
        Ok(outcome) => {
            let view = stored
                .map(profile_view)
                .ok_or_else(|| fail(format!("profile {profile} vanished")))?;
            Ok((Box::new(outcome), view))
        }
        Err(e) => Err(Failure {
            message: format!("{e:#}"),
            resumable: stored.is_some_and(|p| p.is_complete(RegistrationStep::AdminSecretStored)),
        }),
    }
}

/// One customer authorization: prepare (listener bound first), announce, wait for the callback
/// or a pasted address, complete.
pub(super) async fn authorize_flow(
    shared: &Shared,
    req: ReqId,
    profile: &str,
    client_id: &str,
    wait: Duration,
    mut pasted: mpsc::Receiver<String>,
) -> Result<(Box<OutcomeView>, ProfileView), String> {
    let (http, tx) = (&shared.http, &shared.tx);
    let vault = open_vault(&shared.vault).await?;
    let opts = AuthorizeOptions {
        client_id: Some(client_id.to_owned()),
        ..AuthorizeOptions::default()
    };
    let mut prepared = {
        let mut ix = loaded(&shared.index).await?;
        let mut engine = Engine {
            http,
            vault: &*vault,
            index: &mut ix,
        };
        authorize::prepare(&mut engine, profile, &opts)
            .await
            .map_err(|e| format!("{e:#}"))?
    };
    let ssh_hint = callback::ssh_hint(&prepared);
    let (loopback, paste_reason) = match &prepared.redirect {
        Redirect::Loopback(l) => (Some(l.redirect_uri()), None),
        Redirect::Pasted { why, .. } => (None, Some(why.clone())),
    };
    let _ = tx
        .send(Msg::AuthorizeReady {
            req,
            url: prepared.url.to_string(),
            loopback,
            paste_reason,
            pushed: prepared.pushed,
            ssh_hint,
        })
        .await;
    let pasted = futures::stream::poll_fn(|cx| pasted.poll_recv(cx).map(|t| t.map(Ok)));
    let rejected = |e: &authorize::AuthorizeError| {
        let (tx, message) = (tx.clone(), format!("{e:#}"));
        async move {
            let _ = tx.send(Msg::PasteRejected { req, message }).await;
        }
    };
    let callback = wait_for_callback(&mut prepared, wait, pasted, Some(wait), rejected)
        .await
        .map_err(|e| format!("{e:#}"))?;
    let _ = tx.send(Msg::AuthorizeCompleting { req }).await;
    let mut ix = loaded(&shared.index).await?;
    let outcome = authorize::complete(http, &*vault, Some(&mut *ix), prepared, &callback)
        .await
        .map_err(|e| format!("{e:#}"))?;
    let view = ix
        .profile(profile)
        .map(profile_view)
        .ok_or_else(|| format!("profile {profile} vanished"))?;
    Ok((Box::new(OutcomeView::from_outcome(&outcome)), view))
}
