//! The Done step: what is stored and where (keyring service and account names, never the
//! secrets unless the user asks to reveal one), and the commands to use it next time.

use crate::secret::Secret;

#[derive(Debug, Default)]
pub struct DoneState {
    pub cursor: usize,
    /// The account revealed on request, with its secret (masked again on the next key).
    pub revealed: Option<(String, Secret)>,
    pub reveal_error: Option<String>,
}
