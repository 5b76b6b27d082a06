//! The CDS specifications as types (CDS-WG1-01, CDS-WG1-02, CDS-WG3-01 scope vocabulary), the
//! translation of older drafts, and the conformance report. Pure: no I/O.

pub(crate) mod open_enum;

pub mod auth_server_metadata;
pub mod authorization_details;
pub mod catalog;
pub mod clients;
pub mod conformance;
pub mod credentials;
pub mod drafts;
pub mod formats;
pub mod grants;
pub mod identifiers;
pub mod messages;
pub mod registration_fields;
pub mod server_metadata;
pub mod server_provided_files;
pub mod tokens;

pub use auth_server_metadata::{
    AuthorizationDetailsField, AuthorizationDetailsFieldChoice, AuthorizationDetailsFieldFormat,
    AuthorizationServerMetadata, Bound, RegistrationField, RegistrationFieldFormat,
    RegistrationFieldType, ScopeDescription, ScopeType,
};
pub use clients::{ClientList, ClientObject, ClientStatus};
pub use credentials::{Credential, CredentialList};
pub use grants::{Grant, GrantList, GrantStatus};
pub use messages::{Message, MessageListing};
pub use server_metadata::{CoverageEntry, CoverageListing, ServerCapability, ServerMetadata};
pub use server_provided_files::{ServerProvidedFile, ServerProvidedFileList};

/// Whether a URL's host is a loopback address (`127.0.0.0/8`, `::1`, `localhost`): the only
/// hosts plain `http` is acceptable for (RFC 8252 §8.3, RFC 9700 §2).
pub fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}
