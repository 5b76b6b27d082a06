//! The Console's engine calls, run as executor tasks: one page of a tab (CDS-WG1-02 §5.3,
//! §6.8, §7.3, §8.4, §9.2) or one action (§7 rotate and expire, §6.11 read, §8 close, §9.4
//! download, §5.4 read a client), each over a management session of the profile, with the
//! keyring the profile was registered with.

use std::sync::Arc;

use super::flows::{Shared, loaded, open_vault};
use crate::app::screens::console::forms::Compose;
use crate::app::screens::console::listing::Cursor;
use crate::app::screens::console::{ConsoleAction, ConsoleOutcome, ConsoleTab, Loaded};
use crate::cds::messages::ClientGrantRequest;
use crate::onboarding::engine::Engine;
use crate::onboarding::manage::clients::{self, ClientFilter};
use crate::onboarding::manage::credentials::{self, CredentialFilter};
use crate::onboarding::manage::files::{self, SharedFile};
use crate::onboarding::manage::grants::{self, GrantFilter};
use crate::onboarding::manage::messages::{self, MessageFilter, MessageList, Outgoing};
use crate::onboarding::manage::{ManageError, Page, Session};
use crate::vault::{SecretStore, keyring};

/// A page, and the cursor of the one after it (within the part, else the next part's first).
type Paged = Result<(Loaded, Option<Cursor>), String>;

fn text(e: ManageError) -> String {
    e.to_string()
}

/// The keyring the profile names (the wizard's own when it is that one).
async fn vault_for(shared: &Shared, profile: &str) -> Result<Arc<dyn SecretStore>, String> {
    let vault = open_vault(&shared.vault).await?;
    let store = {
        let ix = loaded(&shared.index).await?;
        ix.profile(profile).map(|p| p.keyring_store.clone())
    };
    match store {
        Some(name) if !name.is_empty() && name != vault.name() => {
            tokio::task::spawn_blocking(move || keyring::build(&name))
                .await
                .map_err(|e| e.to_string())?
                .map(|k| Arc::new(k) as Arc<dyn SecretStore>)
                .map_err(|e| e.to_string())
        }
        _ => Ok(vault),
    }
}

/// `page`'s next link as a cursor in `part`, else the first page of part `part + 1` when
/// there is one among `parts`.
fn after<T>(page: &Page<T>, part: usize, parts: usize) -> Option<Cursor> {
    match &page.next {
        Some(u) => Some(Cursor {
            part,
            url: Some(u.clone()),
        }),
        None if part + 1 < parts => Some(Cursor {
            part: part + 1,
            url: None,
        }),
        None => None,
    }
}

/// One page of `tab`, and the profile's time zone.
pub(super) async fn load(
    shared: &Shared,
    profile: &str,
    tab: ConsoleTab,
    cursor: Cursor,
) -> (Option<String>, Paged) {
    let vault = match vault_for(shared, profile).await {
        Ok(v) => v,
        Err(e) => return (None, Err(e)),
    };
    let mut ix = match loaded(&shared.index).await {
        Ok(ix) => ix,
        Err(e) => return (None, Err(e)),
    };
    let engine = Engine {
        http: &shared.http,
        vault: &*vault,
        index: &mut ix,
    };
    let mut s = match Session::open(engine, profile) {
        Ok(s) => s,
        Err(e) => return (None, Err(text(e))),
    };
    let zone = s.profile().timezone.clone();
    (zone, page(&mut s, tab, cursor).await.map_err(text))
}

async fn page(
    s: &mut Session<'_>,
    tab: ConsoleTab,
    cursor: Cursor,
) -> Result<(Loaded, Option<Cursor>), ManageError> {
    let (part, url) = (cursor.part, cursor.url.as_ref());
    Ok(match tab {
        ConsoleTab::Clients => {
            let p = clients::list_page(s, &ClientFilter::default(), url).await?;
            let next = after(&p, part, 1);
            (Loaded::Clients(p.items), next)
        }
        ConsoleTab::Credentials => {
            let p = credentials::list_page(s, &CredentialFilter::default(), url).await?;
            let next = after(&p, part, 1);
            (Loaded::Credentials(p.items), next)
        }
        ConsoleTab::Messages => {
            // The unread list first, then the read one (§6.8).
            let list = [MessageList::Unread, MessageList::Read][part.min(1)];
            let filter = MessageFilter::default();
            let p = messages::list_page(s, list, &filter, url).await?;
            let outstanding = if part == 0 && url.is_none() {
                let o = messages::list_page(s, MessageList::Outstanding, &filter, None).await?;
                Some((o.items.len(), o.has_more()))
            } else {
                None
            };
            let next = after(&p, part, 2);
            let items = p.items;
            (Loaded::Messages { items, outstanding }, next)
        }
        ConsoleTab::Grants => {
            let p = grants::list_page(s, &GrantFilter::default(), url).await?;
            let next = after(&p, part, 1);
            (Loaded::Grants(p.items), next)
        }
        ConsoleTab::Files => {
            // One part per Grant that shares files (§3.3.3), each with its Grant Admin token.
            let shares = files::file_grants(s).await?;
            let Some(fg) = shares.get(part) else {
                return Ok((Loaded::Files(Vec::new()), None));
            };
            let p = files::list_page(s, fg, &[], url).await?;
            let next = after(&p, part, shares.len());
            let grant_id = fg.grant.grant_id.clone();
            let items = p
                .items
                .into_iter()
                .map(|file| SharedFile {
                    file,
                    grant_id: grant_id.clone(),
                })
                .collect();
            (Loaded::Files(items), next)
        }
    })
}

/// The console's Message as the engine sends it (one Grant request per scope, as the
/// headless `messages send --scope` does).
fn outgoing(c: Compose) -> Outgoing {
    Outgoing {
        kind: c.kind,
        subject: c.subject,
        body: c.body,
        in_reply_to: c.in_reply_to,
        client_id: c.client_id,
        grants: c
            .scopes
            .into_iter()
            .map(|scope| ClientGrantRequest {
                scope,
                authorization_details: Vec::new(),
                extra: Default::default(),
            })
            .collect(),
        answers: c.answers,
        ..Outgoing::default()
    }
}

/// One console action.
pub(super) async fn act(
    shared: &Shared,
    profile: &str,
    action: ConsoleAction,
) -> Result<ConsoleOutcome, String> {
    let vault = vault_for(shared, profile).await?;
    let mut ix = loaded(&shared.index).await?;
    let engine = Engine {
        http: &shared.http,
        vault: &*vault,
        index: &mut ix,
    };
    let mut s = Session::open(engine, profile).map_err(text)?;
    let s = &mut s;
    let done = match action {
        ConsoleAction::Rotate { client_id, .. } => ConsoleOutcome::Rotated(Box::new(
            credentials::rotate(s, &client_id).await.map_err(text)?,
        )),
        ConsoleAction::Expire { credential_id } => ConsoleOutcome::Expired(Box::new(
            credentials::expire(s, &credential_id, None, false)
                .await
                .map_err(text)?,
        )),
        ConsoleAction::MarkRead { message_id, read } => ConsoleOutcome::Marked(Box::new(
            messages::mark_read(s, &message_id, read)
                .await
                .map_err(text)?,
        )),
        ConsoleAction::CloseGrant { grant_id } => {
            ConsoleOutcome::Grant(Box::new(grants::close(s, &grant_id).await.map_err(text)?))
        }
        ConsoleAction::Download { file_id, name } => {
            // Into the current directory, under the file's own name; never over a file.
            let dir = std::env::current_dir().map_err(|e| format!("the current directory: {e}"))?;
            let path = dir.join(&name);
            ConsoleOutcome::Downloaded(files::download(s, &file_id, &path).await.map_err(text)?)
        }
        ConsoleAction::ShowClient { client_id } => {
            ConsoleOutcome::Client(Box::new(clients::get(s, &client_id).await.map_err(text)?))
        }
        ConsoleAction::Send(c) => {
            let out = outgoing(*c);
            ConsoleOutcome::Sent(Box::new(messages::send(s, &out).await.map_err(text)?))
        }
        ConsoleAction::CreateCredential { client_id } => ConsoleOutcome::Created(Box::new(
            credentials::create(s, &client_id).await.map_err(text)?,
        )),
        ConsoleAction::ModifyClient {
            client_id,
            mut changes,
            other,
        } => {
            if let Some(o) = other {
                changes.push(clients::parse_assignment(&o).map_err(text)?);
            }
            let change = clients::modify(s, &client_id, &changes)
                .await
                .map_err(text)?;
            ConsoleOutcome::Modified(Box::new(change))
        }
        ConsoleAction::ReduceGrant {
            grant_id,
            scope,
            authorization_details,
        } => {
            let change = grants::reduce(s, &grant_id, scope.as_deref(), authorization_details)
                .await
                .map_err(text)?;
            ConsoleOutcome::Grant(Box::new(change))
        }
    };
    Ok(done)
}
