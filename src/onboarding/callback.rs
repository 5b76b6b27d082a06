//! Waiting for the customer's answer to an authorization request (RFC 6749 §4.1.2): the
//! loopback listener (RFC 8252 §7.3) and pasted addresses raced against one deadline. Written
//! once for `cds-wizard authorize` (addresses read from stdin) and the wizard (its paste line).

use std::time::Duration;

use futures::{Stream, StreamExt};

use crate::oauth::CallbackParams;
use crate::onboarding::authorize::{self, AuthorizeError, Prepared, Redirect};

/// Why no callback arrived.
#[derive(Debug, thiserror::Error)]
pub enum WaitError {
    /// The deadline passed with neither a callback nor an accepted address.
    #[error("no answer from the customer within {} s; nothing was stored", .0.as_secs())]
    TimedOut(Duration),
    /// The listener failed (or gave up at its own timeout).
    #[error(transparent)]
    Listener(AuthorizeError),
    /// The last pasted address was refused and no other can arrive.
    #[error(transparent)]
    Rejected(AuthorizeError),
    /// The pasted addresses could not be read.
    #[error(transparent)]
    Input(#[from] std::io::Error),
}

/// The hint shown over SSH for a loopback redirect: the callback port must be forwarded.
pub fn ssh_hint(prepared: &Prepared) -> Option<String> {
    match &prepared.redirect {
        Redirect::Loopback(l) if std::env::var_os("SSH_CONNECTION").is_some() => Some(format!(
            "Over SSH: forward the callback first, e.g. `ssh -L {port}:127.0.0.1:{port} <this host>`",
            port = l.port()
        )),
        _ => None,
    }
}

/// Waits for the callback: the loopback listener (when the redirect is ours, bounded by
/// `listen`), or an address from `pasted`, whichever comes first, until `deadline` (none: no
/// deadline of its own). A refused address is handed to `rejected` and the wait goes on; when
/// `pasted` ends with no listener, the last refusal is the answer.
pub async fn wait_for_callback<S, F>(
    prepared: &mut Prepared,
    listen: Duration,
    mut pasted: S,
    deadline: Option<Duration>,
    mut rejected: impl FnMut(&AuthorizeError) -> F,
) -> Result<CallbackParams, WaitError>
where
    S: Stream<Item = std::io::Result<String>> + Unpin,
    F: Future<Output = ()>,
{
    let listening = matches!(prepared.redirect, Redirect::Loopback(_));
    let callback = authorize::wait(prepared, listen);
    tokio::pin!(callback);
    let timer = tokio::time::sleep(deadline.unwrap_or(Duration::MAX / 4));
    tokio::pin!(timer);
    let mut open = true;
    let mut last_refusal = None;
    loop {
        tokio::select! {
            r = &mut callback, if listening => return r.map_err(WaitError::Listener),
            next = pasted.next(), if open => match next {
                Some(line) => match authorize::pasted(&line?) {
                    Ok(cb) => return Ok(cb),
                    Err(e) => {
                        rejected(&e).await;
                        last_refusal = Some(e);
                    }
                },
                None => {
                    open = false;
                    match last_refusal.take() {
                        _ if listening => {}
                        Some(e) => return Err(WaitError::Rejected(e)),
                        None if deadline.is_some() => {}
                        // Nothing else can answer: the engine says why there is no listener.
                        None => return (&mut callback).await.map_err(WaitError::Listener),
                    }
                }
            },
            _ = &mut timer, if deadline.is_some() => {
                return Err(WaitError::TimedOut(deadline.unwrap_or_default()));
            }
        }
    }
}
