//! One drawing module per wizard step.

pub mod discover;
pub mod scopes;
