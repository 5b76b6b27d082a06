//! `profiles.toml`, the profile index a user may edit by hand: parse, validate, write back.
#![no_main]

use std::path::PathBuf;

use cds_wizard::profiles::Index;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(index) = Index::parse(PathBuf::from("profiles.toml"), text) {
        // What was read writes back and reads again the same.
        let again = index.to_toml().expect("a read index serializes");
        let back = Index::parse(PathBuf::from("profiles.toml"), &again).expect("and reads back");
        assert_eq!(back.profiles(), index.profiles());
    }
});
