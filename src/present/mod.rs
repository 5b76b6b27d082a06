//! The presentation layer: engine results (the CDS-WG1-02 §3.4 scope catalog, profiles,
//! registration outcomes and §6 messages, discovery) turned into the words and rows people
//! read, shared by the CLI commands and the wizard. Pure: no I/O, only text; every value that
//! came from a server is sanitized here, where it becomes text.

pub mod catalog;
pub mod discovery;
pub mod forms;
pub mod manage;
pub mod profile;
pub mod register;
pub mod scope;
pub mod threads;
pub mod time;
pub mod transcript;

/// `s` when `n` is not 1 (`1 scope`, `2 scopes`).
pub fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
