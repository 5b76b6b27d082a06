//! The console's status lines: what an action is doing and what it did, in the words of
//! `present::manage` (shared with the headless commands) where it has them.

use super::{ConsoleAction, ConsoleOutcome};
use crate::present::manage as words;
use crate::text::sanitize;

/// The status line while `action` runs.
pub fn running(action: &ConsoleAction) -> String {
    match action {
        ConsoleAction::Rotate { client_id, .. } => format!(
            "Rotating the secret of client {}: new credential, keyring, proof, then the old one expires…",
            sanitize(client_id)
        ),
        ConsoleAction::Expire { credential_id } => {
            format!("Expiring credential {}…", sanitize(credential_id))
        }
        ConsoleAction::MarkRead { message_id, read } => format!(
            "Marking message {} {}…",
            sanitize(message_id),
            if *read { "read" } else { "unread" }
        ),
        ConsoleAction::CloseGrant { grant_id } => {
            format!("Closing Grant {}…", sanitize(grant_id))
        }
        ConsoleAction::Download { file_id, name } => {
            format!("Downloading {} to ./{}…", sanitize(file_id), sanitize(name))
        }
        ConsoleAction::ShowClient { client_id } => {
            format!("Reading client {}…", sanitize(client_id))
        }
        ConsoleAction::Send(c) => match (&c.kind, &c.in_reply_to) {
            (_, Some(id)) => format!("Sending the answer to {}…", sanitize(id)),
            (Some(k), None) => format!("Sending the {}…", sanitize(k.as_str())),
            (None, None) => "Sending…".to_owned(),
        },
        ConsoleAction::CreateCredential { client_id } => format!(
            "Creating a credential for client {}: new secret, keyring, proof…",
            sanitize(client_id)
        ),
        ConsoleAction::ModifyClient { client_id, .. } => {
            format!("Modifying client {}…", sanitize(client_id))
        }
        ConsoleAction::ReduceGrant { grant_id, .. } => {
            format!("Reducing Grant {}…", sanitize(grant_id))
        }
    }
}

/// What an action did, one line or a few.
pub fn outcome(o: &ConsoleOutcome, tz: Option<&str>) -> Vec<String> {
    match o {
        ConsoleOutcome::Rotated(r) => words::rotation(r, true),
        ConsoleOutcome::Expired(k) => vec![format!(
            "Credential {} expired ({}).",
            sanitize(&k.credential_id),
            words::expiry(k.client_secret_expires_at, tz)
        )],
        ConsoleOutcome::Marked(m) => vec![format!(
            "Message {} is now {}.",
            sanitize(&m.message_id),
            if m.read { "read" } else { "unread" }
        )],
        ConsoleOutcome::Grant(g) => words::grant_change(g),
        ConsoleOutcome::Downloaded(d) => vec![words::downloaded(d)],
        ConsoleOutcome::Client(c) => vec![format!(
            "Client {} read again from the server ({}).",
            sanitize(&c.client_id),
            sanitize(c.cds_status.as_str())
        )],
        ConsoleOutcome::Sent(m) => vec![words::sent(m)],
        ConsoleOutcome::Created(r) => words::rotation(r, false),
        ConsoleOutcome::Modified(c) => words::client_change(c, tz),
    }
}
