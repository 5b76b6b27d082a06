//! One module per wizard step: its state and how keys change it.

pub mod discover;
pub mod scopes;
