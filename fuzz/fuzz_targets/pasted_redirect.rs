//! The address a user pastes when the browser ended on the server's receipt page.
#![no_main]

use cds_wizard::oauth::authorization::parse_pasted_redirect;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Err(e) = parse_pasted_redirect(&text) {
        let _ = cds_wizard::text::sanitize(&e.to_string());
    }
});
