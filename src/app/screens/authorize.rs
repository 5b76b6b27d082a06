//! The Authorize step: choose a code-flow client of the profile, then the engine's flow
//! (`onboarding::authorize`): the loopback listener is bound before the URL is shown; the URL,
//! its QR code, a countdown, and a pasted redirect when the callback cannot reach this machine;
//! finally the Grant and what the customer granted compared with what was asked.

use std::time::Instant;

use crate::onboarding::authorize::Outcome;
use crate::text::sanitize;

/// How long the wizard waits for the customer (the listener accepts one request until then).
pub const WAIT_SECS: u64 = 300;

/// A stored profile as the wizard shows it (names only, never secrets).
#[derive(Debug, Clone, PartialEq)]
pub struct ProfileView {
    pub name: String,
    pub issuer: String,
    /// The keyring backend (`secret-service`, `keyutils`...) and the service name entries use.
    pub keyring: String,
    pub service: String,
    pub clients: Vec<ClientRow>,
    /// Registration steps still to do (`--resume`), in words; empty when complete.
    pub unfinished: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ClientRow {
    pub client_id: String,
    pub scope: String,
    pub status: String,
    /// Has the `code` response type: a customer can authorize it.
    pub code_flow: bool,
    /// Keyring account names of its stored secrets.
    pub accounts: Vec<String>,
}

/// An authorization waiting for the customer.
#[derive(Debug, Clone, PartialEq)]
pub struct Waiting {
    pub req: u64,
    pub client_id: String,
    pub url: String,
    /// The loopback redirect, when the listener is used; else why the address is pasted.
    pub loopback: Option<String>,
    pub paste_reason: Option<String>,
    pub pushed: bool,
    pub deadline: Instant,
    pub qr: Option<Vec<String>>,
    /// `ssh -L` hint, when the wizard runs over SSH.
    pub ssh_hint: Option<String>,
    /// The pasted address being typed (`p`), and why the last one was refused.
    pub paste: Option<String>,
    pub paste_error: Option<String>,
}

/// The result of a completed authorization, sanitized for display.
#[derive(Debug, Clone, PartialEq)]
pub struct OutcomeView {
    pub client_id: String,
    pub requested_scope: String,
    pub granted_scope: String,
    pub grant: Option<String>,
    /// Differences between what was asked and granted, narrowing ones flagged.
    pub differences: Vec<(bool, String)>,
    pub granted_details: Vec<String>,
    pub expires_at: Option<String>,
    pub refresh_token: bool,
    pub stored: Vec<String>,
}

impl OutcomeView {
    pub fn from_outcome(o: &Outcome) -> Self {
        let details =
            serde_json::to_string_pretty(&o.granted_authorization_details).unwrap_or_default();
        OutcomeView {
            client_id: sanitize(&o.client_id),
            requested_scope: sanitize(o.requested_scope.as_deref().unwrap_or_default()),
            granted_scope: sanitize(o.granted_scope.as_deref().unwrap_or_default()),
            grant: o.grant.as_ref().map(|g| {
                sanitize(&format!(
                    "{} · status {} · scope {}",
                    g.grant_id, g.status, g.scope
                ))
            }),
            differences: o
                .differences
                .iter()
                .map(|d| (d.is_narrowing(), sanitize(&d.describe())))
                .collect(),
            granted_details: if o.granted_authorization_details.is_empty() {
                Vec::new()
            } else {
                details.lines().map(sanitize).collect()
            },
            expires_at: o.access_token_expires_at.map(|t| t.to_string()),
            refresh_token: o.refresh_token,
            stored: o.stored.iter().map(|s| sanitize(s)).collect(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub enum Phase {
    #[default]
    Choose,
    Preparing {
        req: u64,
    },
    Waiting(Box<Waiting>),
    Completing {
        req: u64,
    },
    Failed {
        message: String,
    },
    Done(Box<OutcomeView>),
}

#[derive(Debug, Clone, Default)]
pub struct AuthorizeState {
    pub profile: Option<ProfileView>,
    /// Index into the code-flow clients.
    pub cursor: usize,
    pub phase: Phase,
}

impl AuthorizeState {
    pub fn code_clients(&self) -> Vec<&ClientRow> {
        self.profile
            .iter()
            .flat_map(|p| p.clients.iter())
            .filter(|c| c.code_flow)
            .collect()
    }

    pub fn chosen(&self) -> Option<&ClientRow> {
        self.code_clients().get(self.cursor).copied()
    }

    pub fn move_by(&mut self, delta: isize) {
        let n = self.code_clients().len();
        if n == 0 || self.phase != Phase::Choose {
            return;
        }
        self.cursor = (self.cursor as isize + delta).clamp(0, n as isize - 1) as usize;
    }

    /// The request the running flow carries, if any.
    pub fn running(&self) -> Option<u64> {
        match &self.phase {
            Phase::Preparing { req } | Phase::Completing { req } => Some(*req),
            Phase::Waiting(w) => Some(w.req),
            _ => None,
        }
    }

    pub fn waiting_mut(&mut self) -> Option<&mut Waiting> {
        match &mut self.phase {
            Phase::Waiting(w) => Some(w),
            _ => None,
        }
    }
}
