//! The CDS specifications as types (CDS-WG1-01, CDS-WG1-02, CDS-WG3-01 scope vocabulary), the
//! translation of older drafts, and the conformance report. Pure: no I/O.

pub(crate) mod open_enum;

pub mod auth_methods;
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
pub mod shared;
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

/// An address on this machine or on a network behind it (server-side request forgery, RFC 9700
/// §4.5 / OWASP SSRF): loopback, unspecified (`0.0.0.0`, `::`), private (RFC 1918, RFC 4193 unique local), shared (RFC 6598),
/// link-local (RFC 3927, RFC 4291; cloud metadata services live there) and broadcast, and IPv4
/// mapped into IPv6 (`::ffff:127.0.0.1`) judged as the IPv4 address it is.
pub fn is_inward_ip(ip: core::net::IpAddr) -> bool {
    use core::net::IpAddr;
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || (a == 100 && (64..128).contains(&b))
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_inward_ip(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
        }
    }
}

/// Whether `url` names this machine or a network behind it: an inward address (see
/// [`is_inward_ip`]), `localhost` or a `*.localhost` name (RFC 6761 §6.3).
pub fn is_inward(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => {
            let d = d.trim_end_matches('.').to_ascii_lowercase();
            d == "localhost" || d.ends_with(".localhost")
        }
        Some(url::Host::Ipv4(ip)) => is_inward_ip(ip.into()),
        Some(url::Host::Ipv6(ip)) => is_inward_ip(ip.into()),
        None => false,
    }
}

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
