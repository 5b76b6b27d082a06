//! Every strict-JSON example the specs give (tests/fixtures/spec-examples) reads into its type.

use std::path::PathBuf;

use cds_wizard::cds::clients::{ClientModification, RegistrationRequest};
use cds_wizard::cds::credentials::CredentialModification;
use cds_wizard::cds::grants::GrantModification;
use cds_wizard::cds::messages::{MessageCreate, MessageModification};
use cds_wizard::cds::tokens::TokenResponse;
use cds_wizard::cds::*;
use serde::de::DeserializeOwned;

fn examples_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/spec-examples")
}

fn parse<T: DeserializeOwned>(name: &str) -> T {
    let path = examples_dir().join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let de = &mut serde_json::Deserializer::from_str(&text);
    serde_path_to_error::deserialize(de).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The example file each type is checked against; every `.json` example must be listed.
#[test]
fn every_strict_json_example_parses_into_its_type() {
    let mut checked: Vec<&str> = Vec::new();
    macro_rules! check {
        ($t:ty, $name:literal) => {{
            let _: $t = parse($name);
            checked.push($name);
        }};
    }
    check!(
        ServerMetadata,
        "01-retrieving-cds-server-metadata-response.json"
    );
    check!(
        ServerMetadata,
        "overview-wg1-01-01-metadata-example-response.json"
    );
    check!(
        RegistrationRequest,
        "03-submitting-a-client-registration-request-request.json"
    );
    check!(
        RegistrationRequest,
        "overview-wg1-02-02-submit-a-oauth-dynamic-client-registration-request.json"
    );
    check!(
        TokenResponse,
        "04-obtaining-a-client-admin-access-token-response.json"
    );
    check!(ClientModification, "07-modifying-a-client-request.json");
    check!(ClientObject, "07-modifying-a-client-response.json");
    check!(MessageCreate, "09-creating-a-message-request.json");
    check!(Message, "09-creating-a-message-response.json");
    check!(Message, "10-retrieving-an-individual-message-response.json");
    check!(MessageModification, "11-modifying-a-message-request.json");
    check!(Message, "11-modifying-a-message-response.json");
    check!(
        CredentialList,
        "12-retrieving-a-credentials-list-response.json"
    );
    check!(Credential, "13-creating-a-credential-response.json");
    check!(
        Credential,
        "14-retrieving-an-individual-credential-response.json"
    );
    check!(
        CredentialModification,
        "15-modifying-a-credential-request.json"
    );
    check!(Credential, "15-modifying-a-credential-response.json");
    check!(GrantList, "16-grants-list-response.json");
    check!(Grant, "17-retrieving-an-individual-grant-response.json");
    check!(GrantModification, "18-modifying-a-grant-request.json");
    check!(Grant, "18-modifying-a-grant-response.json");
    check!(
        TokenResponse,
        "19-obtaining-server-provided-file-access-via-the-grant-admin-response.json"
    );
    check!(
        ServerProvidedFileList,
        "20-retrieving-a-server-provided-files-list-response.json"
    );
    check!(
        ServerProvidedFile,
        "21-retrieving-an-individual-server-provided-file-response.json"
    );

    let mut on_disk: Vec<String> = std::fs::read_dir(examples_dir())
        .expect("spec examples folder")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".json"))
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = checked.iter().map(|s| s.to_string()).collect();
    listed.sort();
    assert_eq!(on_disk, listed, "a strict-JSON example is not checked here");
}

#[test]
fn example_values_keep_their_meaning() {
    let m: ServerMetadata = parse("01-retrieving-cds-server-metadata-response.json");
    assert!(m.has_capability(&ServerCapability::Oauth));
    assert!(m.oauth_metadata.is_some());
    let g: Grant = parse("17-retrieving-an-individual-grant-response.json");
    assert!(!g.scope.is_empty());
    let c: Credential = parse("13-creating-a-credential-response.json");
    assert!(c.client_secret.is_some(), "the secret is read");
    assert!(
        !serde_json::to_string(&c)
            .unwrap()
            .contains(c.client_secret.as_deref().unwrap()),
        "and never written back"
    );
    assert!(
        !format!("{c:?}").contains(c.client_secret.as_deref().unwrap()),
        "nor shown by Debug"
    );
    let t: TokenResponse =
        parse("19-obtaining-server-provided-file-access-via-the-grant-admin-response.json");
    assert_eq!(t.authorization_details.as_ref().map(Vec::len), Some(1));
    assert!(!format!("{t:?}").contains(&t.access_token));
}

/// The non-strict examples (trailing commas) still parse once the commas go, so the models
/// also match the examples the spec writes loosely.
#[test]
fn loose_examples_parse_after_removing_trailing_commas() {
    let strip = |name: &str| -> String {
        let text = std::fs::read_to_string(examples_dir().join(name)).expect("example");
        let re_like = |s: &str| {
            let mut out = String::with_capacity(s.len());
            let chars: Vec<char> = s.chars().collect();
            for (i, c) in chars.iter().enumerate() {
                if *c == ',' {
                    let next = chars[i + 1..].iter().find(|c| !c.is_whitespace());
                    if matches!(next, Some('}') | Some(']')) {
                        continue;
                    }
                }
                out.push(*c);
            }
            out
        };
        re_like(&text)
    };
    let list: ClientList =
        serde_json::from_str(&strip("05-retrieving-a-client-list-response.txt")).expect("12.5");
    assert!(!list.clients.is_empty());
    let _: ClientObject =
        serde_json::from_str(&strip("06-retrieving-an-individual-client-response.txt"))
            .expect("12.6");
    let _: ClientObject = serde_json::from_str(&strip(
        "03-submitting-a-client-registration-request-response.txt",
    ))
    .expect("12.3");
    let _: MessageListing =
        serde_json::from_str(&strip("08-retrieving-a-message-list-response.txt")).expect("12.8");
}
