//! `register --answers FILE`: TOML and JSON answers files, as a user writes them.
#![no_main]

use std::path::Path;

use cds_wizard::onboarding::answers::parse;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for name in ["answers.toml", "answers.json", "answers"] {
        if let Ok(a) = parse(Path::new(name), text) {
            let _ = a.selection();
        }
    }
});
