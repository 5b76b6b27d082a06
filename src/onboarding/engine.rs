//! The onboarding engine's working set: the HTTP client, the keyring and the profile index that
//! every flow (registration CDS-WG1-02 §4–§7, authorization RFC 6749 §4.1, tokens) runs with.

use crate::http::HttpClient;
use crate::profiles::Index;
use crate::vault::SecretStore;

/// What the engine works with: the HTTP client, the keyring, and the profile index.
pub struct Engine<'a> {
    pub http: &'a HttpClient,
    pub vault: &'a dyn SecretStore,
    pub index: &'a mut Index,
}

/// Lets the names of a stored profile resolve where they resolved when the user registered it:
/// its issuer, its server metadata and the endpoints registration recorded (each checked against
/// the inward rule then, relative to the URL the user gave). See [`HttpClient::trust`].
pub fn trust_profile(http: &HttpClient, p: &crate::profiles::Profile) {
    let e = &p.endpoints;
    let stored = [
        &e.token,
        &e.registration,
        &e.clients,
        &e.credentials,
        &e.messages,
        &e.grants,
        &e.par,
        &e.authorization,
        &e.revocation,
        &p.server_metadata_url,
    ];
    for url in stored.into_iter().flatten() {
        http.trust(url);
    }
    if let Ok(issuer) = url::Url::parse(&p.issuer) {
        http.trust(&issuer);
    }
}
