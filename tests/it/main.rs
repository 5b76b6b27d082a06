//! The integration tests, gathered into one program so the crate and its dependencies are linked
//! once rather than once per file (two cores in CI). Each module is one subject; they share one
//! demo server per kind through `common` (started on first use, alive for the whole run).

#[path = "../common/mod.rs"]
mod common;

mod catalog;
mod catalog_fleet;
mod cli;
mod conformance;
mod demo_faults;
mod demo_grants;
mod demo_mutations;
mod demo_oauth;
mod demo_registration;
mod demo_remembers;
mod demo_sealed;
mod demo_support;
mod discovery;
mod drafts;
mod eddie_schema;
mod fault_matrix;
mod hardening;
mod inward;
mod json_output;
mod layers;
mod legacy_register;
mod manage_cli;
mod manage_clients;
mod manage_credentials;
mod manage_grants;
mod manage_messages;
mod manage_support;
mod no_secrets_in_files;
mod oauth_client;
mod onboarding;
mod plan;
mod profiles;
mod public_client;
mod public_client_demo;
mod spec_examples;
mod transcript_har;
mod transcript_onboarding;
mod transcript_redact;
mod transcript_replay;
mod transcript_report;
mod tui;
mod tui_catalog;
mod tui_console;
mod tui_console_forms;
mod tui_console_loop;
mod tui_inspector;
mod tui_loop;
mod vault;
