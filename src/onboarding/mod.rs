//! The onboarding engine: every flow the TUI and the headless commands run, written once.

pub mod answers;
pub mod api;
pub mod compare;
pub mod discovery;
pub mod plan;
