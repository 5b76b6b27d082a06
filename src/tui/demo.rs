//! The remembered demo utility in the wizard (issue 10 point 6): the home screen's demo is the
//! remembered one (`demo_home`), and a stored profile that belongs to it gets it started (in
//! this process, until the wizard ends) before its Console or an authorization talks to it.
//! What was done is shown on the status line.

use std::sync::Arc;

use tokio::sync::Mutex;

use super::flows::{Shared, loaded};
use crate::app::Msg;
use crate::demo_home::{self, DemoHome, Found, Hosted, Role};

/// The demo this wizard serves, kept until it ends.
pub(super) type Slot = Arc<Mutex<Option<Hosted>>>;

/// The remembered demo for the home screen: served here, or the address of the process that
/// serves it; notes for the status line.
pub(super) async fn start(slot: &Slot) -> Result<(String, Vec<String>), String> {
    let home = DemoHome::default_home().map_err(|e| e.to_string())?;
    match demo_home::host_or_find(&home, Role::Serving).await {
        Ok(Found::Hosted(h)) => {
            let url = h.base_url.clone();
            let mut notes = h.notes();
            if h.remembers() {
                notes.push(format!(
                    "The demo utility remembers what you register in {} (sealed).",
                    h.state_file().display()
                ));
            }
            *slot.lock().await = Some(*h);
            Ok((url, notes))
        }
        Ok(Found::Elsewhere(info)) => Ok((
            info.base_url.clone(),
            vec![format!(
                "The demo utility is already running in another cds-wizard process (pid {}).",
                info.pid
            )],
        )),
        Err(e) => Err(format!("the demo utility did not start: {e}")),
    }
}

/// Before `profile` is used: when it belongs to the remembered demo and no process serves it,
/// the demo is started here (kept in `slot` until the wizard ends), and the user told so.
pub(super) async fn ensure(shared: &Shared, slot: &Slot, profile: &str) {
    let said = std::sync::Mutex::new(Vec::new());
    let say = |line: String| {
        if let Ok(mut v) = said.lock() {
            v.push(line);
        }
    };
    let result = {
        let Ok(mut ix) = loaded(&shared.index).await else {
            return;
        };
        demo_home::ensure_for_profile(&mut ix, profile, Role::Serving, &say).await
    };
    let mut lines = said.into_inner().unwrap_or_default();
    match result {
        Ok(Some(h)) => *slot.lock().await = Some(h),
        Ok(None) => {}
        Err(e) => lines.push(format!("The demo utility could not be started: {e}")),
    }
    if !lines.is_empty() {
        let _ = shared.tx.send(Msg::Info(lines.join(" "))).await;
    }
}

/// Stops the demo this wizard served (its state is saved).
pub(super) async fn stop(slot: &Slot) {
    if let Some(h) = slot.lock().await.take() {
        h.stop().await;
    }
}
