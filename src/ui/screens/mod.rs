//! One drawing module per wizard step.

pub mod authorize;
pub mod catalog;
pub mod console;
pub mod discover;
pub mod done;
pub mod home;
pub mod inspector;
pub mod modifiers;
pub mod registration;
pub mod review;
pub mod scopes;
pub mod submit;
