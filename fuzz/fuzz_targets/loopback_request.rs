//! The loopback listener's request parser (RFC 8252 §7.3): the request line of whatever a local
//! process sends, and the callback query it carries (RFC 6749 §4.1.2, RFC 9207).
#![no_main]

use cds_wizard::oauth::CallbackParams;
use cds_wizard::oauth::loopback::request_line;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let head = String::from_utf8_lossy(data);
    if let Some((_method, target)) = request_line(&head) {
        let query = target.split_once('?').map_or("", |(_, q)| q);
        let p = CallbackParams::from_query(query);
        let _ = format!("{p:?}");
    }
});
