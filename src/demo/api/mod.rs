//! The CDS-WG1-02 management APIs the demo serves, one module per resource: Clients (§5),
//! Messages (§6), Credentials (§7), Grants (§8) and Server-Provided Files (§9), with the
//! caller authentication and listing shapes they share.

pub mod auth;
pub mod clients;
pub mod common;
pub mod credentials;
pub mod files;
pub mod grants;
pub mod messages;
