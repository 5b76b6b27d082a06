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
