//! The onboarding engine: every flow the TUI and the headless commands run, written once
//! (discovery, CDS-WG1-01; registration, authorization and management, CDS-WG1-02).

// Errors carry the URL and the server's words; they are returned once per network round trip,
// so their size does not matter (as in oauth/).
#![allow(clippy::result_large_err)]

pub mod answers;
pub mod api;
pub mod authorize;
pub mod callback;
pub mod compare;
pub mod discovery;
pub mod engine;
pub mod issuer_binding;
pub mod manage;
pub mod outcome;
pub mod plan;
pub mod register;
pub mod tokens;
pub mod transcript;
