//! Transcript redaction (issue 12 items 2 and 7): every kind of secret — by the name it travels
//! under and by its value — in every place a transcript holds text (headers, query strings,
//! URL fragments, form bodies, JSON at any depth, free text, binary bodies) and in every
//! encoding (raw, Base64 standard and URL-safe, padded or not, inside a Basic credential at
//! each alignment, percent- and form-encoded, JSON-escaped). The leak guard of
//! `common::secrets` checks each output; the structure around each secret must stay.

use crate::common::secrets::assert_no_secret_in_text;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use cds_wizard::onboarding::transcript::redact::{self, Redactor};
use serde_json::{Value, json};

/// Secrets with the characters encoders treat differently (`+ / = ~ space " \ %`).
const CLIENT_SECRET: &str = "cs-9f8e7d6c5b4a";
const ODD_SECRET: &str = "a+b/c=d~e f\"g\\h%i&j";
const REFRESH: &str = "rt_Zx81mQ0pL7vN2";

fn redactor() -> Redactor {
    Redactor::new(&[
        CLIENT_SECRET.to_owned(),
        ODD_SECRET.to_owned(),
        REFRESH.to_owned(),
    ])
}

fn all() -> [&'static str; 3] {
    [CLIENT_SECRET, ODD_SECRET, REFRESH]
}

#[test]
fn credential_headers_keep_their_scheme_only() {
    let r = redactor();
    let basic = STANDARD.encode(format!("client-1:{CLIENT_SECRET}"));
    assert_eq!(
        r.header("Authorization", &format!("Basic {basic}")),
        "Basic [redacted:client_credentials]"
    );
    assert_eq!(
        r.header("authorization", "Bearer eyJhbGciOi.unknown-token-123"),
        "Bearer [redacted:access_token]"
    );
    assert_eq!(
        r.header("Cookie", "sid=abc123def456; theme=dark"),
        "sid=[redacted:cookie]; theme=[redacted:cookie]"
    );
    assert_eq!(
        r.header("Set-Cookie", "sid=abc123def456; Path=/; HttpOnly"),
        "sid=[redacted:cookie]; Path=/; HttpOnly"
    );
    // Any other header: a known value inside it, in any encoding, is still found.
    for value in [
        format!("x {CLIENT_SECRET} y"),
        format!("Basic {}", STANDARD.encode(format!("id:{REFRESH}"))),
        URL_SAFE_NO_PAD.encode(ODD_SECRET),
    ] {
        let out = r.header("X-Debug", &value);
        assert!(out.contains("[redacted:"), "{out}");
        assert_no_secret_in_text("a header", &out, &all());
    }
    assert_eq!(
        r.header("Content-Type", "application/json"),
        "application/json"
    );
}

#[test]
fn query_strings_and_fragments_by_name() {
    let r = Redactor::new(&[]);
    let url = "http://127.0.0.1:5/callback?code=SplxlOBeZQQYbYS6WxSbIA&state=st-1&iss=https%3A%2F%2Fa#access_token=at-123456789&token_type=Bearer&id_token=eyJ.x.y";
    let out = r.url(url);
    assert_eq!(
        out,
        "http://127.0.0.1:5/callback?code=[redacted:code]&state=st-1&iss=https%3A%2F%2Fa#access_token=[redacted:access_token]&token_type=Bearer&id_token=[redacted:id_token]"
    );
    // Percent-encoded names are still names.
    assert_eq!(
        r.url("https://u.example/t?client%5Fsecret=xyz12345&a=1"),
        "https://u.example/t?client%5Fsecret=[redacted:client_secret]&a=1"
    );
}

#[test]
fn form_bodies_by_name_and_value() {
    let r = redactor();
    let odd_form: String = url::form_urlencoded::byte_serialize(ODD_SECRET.as_bytes()).collect();
    let body = format!(
        "grant_type=authorization_code&code=abcdefgh12345&code_verifier=v3r1f13r-v3r1f13r\
         &redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcb&client_secret={odd_form}&password=hunter2hunter2\
         &refresh_token={REFRESH}&token={REFRESH}&client_assertion=eyJ.a.b&scope=a+b"
    );
    let out = r.body(Some("application/x-www-form-urlencoded"), &body);
    assert_no_secret_in_text("a form", &out, &all());
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(out.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    assert_eq!(get("grant_type"), Some("authorization_code"));
    assert_eq!(get("redirect_uri"), Some("http://127.0.0.1:9/cb"));
    assert_eq!(get("scope"), Some("a b"));
    for (k, kind) in [
        ("code", "code"),
        ("code_verifier", "code_verifier"),
        ("client_secret", "client_secret"),
        ("password", "password"),
        ("refresh_token", "refresh_token"),
        ("token", "token"),
        ("client_assertion", "client_assertion"),
    ] {
        assert_eq!(get(k), Some(redact::marker(kind).as_str()), "{k}: {out}");
    }
}

#[test]
fn json_at_any_depth_keeps_its_structure() {
    let r = Redactor::new(&[]);
    let doc = json!({
        "access_token": "at-1-very-secret",
        "token_type": "Bearer",
        "expires_in": 3600,
        "nested": {"deeper": [{"refresh_token": "rt-2-very-secret", "keep": "yes"}]},
        "credentials": [{"client_secret": "cs-3-very-secret", "client_id": "c1"}],
        "id_token": "eyJ.payload.sig",
        "registration_access_token": "rat-4-very-secret",
        "password": ["pw-5-very-secret", "pw-6-very-secret"],
        // A document's own `code` (a country code) is not the OAuth code.
        "code": "US-CA"
    });
    let text = serde_json::to_string_pretty(&doc).unwrap();
    let out = r.body(Some("application/json"), &text);
    let v: Value = serde_json::from_str(&out).expect("still JSON");
    assert_eq!(v["access_token"], "[redacted:access_token]");
    assert_eq!(v["token_type"], "Bearer");
    assert_eq!(v["expires_in"], 3600);
    assert_eq!(
        v["nested"]["deeper"][0]["refresh_token"],
        "[redacted:refresh_token]"
    );
    assert_eq!(v["nested"]["deeper"][0]["keep"], "yes");
    assert_eq!(
        v["credentials"][0]["client_secret"],
        "[redacted:client_secret]"
    );
    assert_eq!(v["credentials"][0]["client_id"], "c1");
    assert_eq!(v["id_token"], "[redacted:id_token]");
    assert_eq!(
        v["registration_access_token"],
        "[redacted:registration_access_token]"
    );
    assert_eq!(
        v["password"],
        json!(["[redacted:password]", "[redacted:password]"])
    );
    assert_eq!(v["code"], "US-CA");
    for s in [
        "at-1-very",
        "rt-2-very",
        "cs-3-very",
        "rat-4-very",
        "pw-5-very",
        "pw-6-very",
    ] {
        assert!(!out.contains(s), "{s} in {out}");
    }
    // Formatting outside the secrets is kept byte for byte.
    assert_eq!(out.lines().count(), text.lines().count());
}

#[test]
fn broken_json_is_redacted_as_far_as_it_goes() {
    let r = Redactor::new(&[]);
    let cut = r#"{"token_type":"Bearer","refresh_token":"rt-cut-12345678","access_token":"at-cut"#;
    let out = r.body(Some("application/json"), cut);
    assert!(
        !out.contains("rt-cut-12345678") && !out.contains("at-cut"),
        "{out}"
    );
    assert!(
        out.starts_with(r#"{"token_type":"Bearer","refresh_token":"[redacted:refresh_token]""#)
    );
    let garbage = "{\"client_secret\":\"cs-garbage-1234\"} <<<garbage";
    let out = r.body(Some("application/json"), garbage);
    assert!(!out.contains("cs-garbage-1234"), "{out}");
}

#[test]
fn secrets_inside_other_strings() {
    let r = Redactor::new(&[]);
    // A redirect URI or error text quoting a query, JSON quoted inside a JSON string, Basic
    // and Bearer credentials in prose.
    let doc = json!({
        "error_description": "bad request to /t?grant_type=x&refresh_token=rt-in-text-1234 rejected",
        "echo": "{\"access_token\":\"at-in-json-string-1\"}",
        "log": format!("sent Basic {} and Bearer abcdef0123456789xyz", STANDARD.encode("c:s3cr3t-value")),
        "prose": "Use Bearer authentication with Basic credentials"
    });
    let text = doc.to_string();
    let out = r.body(Some("application/json"), &text);
    for s in [
        "rt-in-text-1234",
        "at-in-json-string-1",
        "abcdef0123456789xyz",
    ] {
        assert!(!out.contains(s), "{s} in {out}");
    }
    assert!(!out.contains(&STANDARD.encode("c:s3cr3t-value")), "{out}");
    let v: Value = serde_json::from_str(&out).expect("still JSON");
    assert_eq!(
        v["prose"],
        "Use Bearer authentication with Basic credentials"
    );
}

#[test]
fn known_values_in_every_encoding() {
    let r = redactor();
    for secret in all() {
        let mut forms: Vec<String> = vec![
            secret.to_owned(),
            serde_json::to_string(secret).unwrap(),
            url::form_urlencoded::byte_serialize(secret.as_bytes()).collect(),
            STANDARD.encode(secret),
            URL_SAFE_NO_PAD.encode(secret),
        ];
        // Inside a Basic credential, at each of the three Base64 alignments.
        for id in ["a", "ab", "abc"] {
            forms.push(format!(
                "Basic {}",
                STANDARD.encode(format!("{id}:{secret}"))
            ));
            forms.push(STANDARD.encode(format!("{id}:{secret}")));
        }
        for form in forms {
            let text = format!("before {form} after");
            let out = r.text(&text);
            assert!(
                out.starts_with("before ") && out.ends_with(" after"),
                "{out}"
            );
            assert_no_secret_in_text(&format!("text with {form:?}"), &out, &[secret]);
            let out = r.url(&format!("https://u.example/p/{form}?x={form}#y={form}"));
            assert_no_secret_in_text("a URL", &out, &[secret]);
        }
    }
}

#[test]
fn binary_bodies_lose_known_values() {
    let r = redactor();
    let mut png = vec![0x89, b'P', b'N', b'G', 0, 0xff];
    png.extend_from_slice(CLIENT_SECRET.as_bytes());
    png.push(0xfe);
    let out = r.bytes(&png);
    assert!(
        !out.windows(CLIENT_SECRET.len())
            .any(|w| w == CLIENT_SECRET.as_bytes())
    );
    assert!(out.starts_with(&[0x89, b'P']));
}

#[test]
fn secrets_the_process_holds_are_known() {
    let value = "process-held-secret-42";
    let _s = cds_wizard::secret::Secret::new(value);
    let text = format!("x={}", STANDARD.encode(value));
    let out = Redactor::current().text(&text);
    assert_no_secret_in_text("current redactor", &out, &[value]);
}
