//! What a token, registration or PAR endpoint answers: RFC 6749 §5.1/§5.2 token and error
//! responses, the RFC 7591 registration response (a Client Object of any draft, CDS-WG1-02
//! §4.2), with the identifier checks of RFC 6749 Appendix A.
#![no_main]

use cds_wizard::cds::ClientObject;
use cds_wizard::cds::drafts::normalize_client;
use cds_wizard::cds::tokens::{OAuthErrorResponse, TokenResponse};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = serde_json::from_slice::<TokenResponse>(data);
    let _ = serde_json::from_slice::<OAuthErrorResponse>(data);
    let Ok(doc) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    let normalized = normalize_client(doc);
    if let Ok(c) = serde_json::from_value::<ClientObject>(normalized.value) {
        // An accepted client_id is printable ASCII (it names keyring accounts).
        assert!(c.client_id.bytes().all(|b| (b' '..=b'~').contains(&b)));
    }
});
