//! The CDS-WG1-02 §5–§9 management API answers: client, credential, message, grant and
//! server-provided-file lists and objects.
#![no_main]

use cds_wizard::cds::{
    ClientList, Credential, CredentialList, Grant, GrantList, Message, MessageListing,
    ServerProvidedFile, ServerProvidedFileList,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = serde_json::from_slice::<ClientList>(data);
    let _ = serde_json::from_slice::<CredentialList>(data);
    let _ = serde_json::from_slice::<Credential>(data);
    let _ = serde_json::from_slice::<MessageListing>(data);
    let _ = serde_json::from_slice::<Message>(data);
    let _ = serde_json::from_slice::<GrantList>(data);
    let _ = serde_json::from_slice::<Grant>(data);
    let _ = serde_json::from_slice::<ServerProvidedFileList>(data);
    let _ = serde_json::from_slice::<ServerProvidedFile>(data);
});
