//! One module per wizard step: its state and how keys change it.

pub mod authorize;
pub mod discover;
pub mod done;
pub mod home;
pub mod modifiers;
pub mod registration;
pub mod scopes;
pub mod submit;
