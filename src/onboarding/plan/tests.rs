//! Unit tests of the registration plan (CDS-WG1-02 §3.4–§3.10, §4.1; CDS-WG3-01 §5.1, §7).

use std::collections::HashMap;

use serde_json::json;

use super::*;
use base64::Engine;

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
const PDF: &[u8] = b"%PDF-1.4\n%%EOF\n";

fn reg(id: &str, extra: Value) -> (String, Value) {
    let mut f = json!({
        "id": id, "type": "registration_field", "description": format!("about {id}"),
        "documentation": format!("https://x.example/docs#{id}"),
    });
    if let (Some(o), Value::Object(e)) = (f.as_object_mut(), extra) {
        o.extend(e);
    }
    (id.to_owned(), f)
}

fn scope(id: &str, req: &[&str], opt: &[&str], fields: Value) -> (String, Value) {
    (
        id.to_owned(),
        json!({
            "id": id, "type": "cds_usage", "name": id, "description": "d",
            "documentation": "https://x.example/s",
            "registration_requirements": req, "registration_optional": opt,
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic"],
            "code_challenge_methods_supported": ["S256"], "coverages_supported": [],
            "grant_admin_scope": null,
            "authorization_details_types_supported": [id],
            "authorization_details_fields_supported": fields,
        }),
    )
}

fn ad_field(id: &str, t: &str, format: &str, extra: Value) -> Value {
    let mut f = json!({
        "id": id, "name": id, "description": "d", "documentation": "https://x.example/f",
        "for_types": [t], "format": format, "is_required": false,
    });
    if let (Some(o), Value::Object(e)) = (f.as_object_mut(), extra) {
        o.extend(e);
    }
    f
}

fn choices(ids: &[&str]) -> Value {
    Value::Array(
        ids.iter()
            .map(|i| json!({"id": i, "name": i, "description": i, "documentation": "https://x.example/c"}))
            .collect(),
    )
}

fn catalog() -> AuthorizationServerMetadata {
    let fields: Map<String, Value> = [
        reg("name", json!({"field_name": "cds_company_name", "format": "string", "max_length": 5})),
        reg("site", json!({"field_name": "cds_site", "format": "url", "max_length": 100})),
        reg("mail", json!({"field_name": "cds_mail", "format": "email", "max_length": 320})),
        reg("terms", json!({"field_name": "cds_terms", "format": "boolean"})),
        reg("icon", json!({"field_name": "cds_icon", "format": "image", "max_size": 100})),
        reg("dba", json!({"field_name": "cds_dba", "format": "string_or_null", "default": null})),
        reg("logo", json!({"field_name": "cds_logo", "format": "image_or_null", "default": null})),
        reg("doc", json!({"field_name": "cds_doc", "format": "pdf_or_null", "default": null, "max_size": 1000})),
        reg("purposes", json!({"field_name": "cds_purposes", "format": "purposes_or_null", "default": null})),
        reg("defaulted", json!({"field_name": "cds_defaulted", "format": "string", "default": "x"})),
        reg("review", json!({"type": "internal_review"})),
        // Parsed from text: `json!` would pass 250.10 through an f64 and lose the trailing zero.
        reg(
            "fee",
            serde_json::from_str(r#"{"type": "payment_required", "amount": 250.10, "currency": "USD"}"#)
                .unwrap(),
        ),
        reg("other_only", json!({"field_name": "cds_other", "format": "string"})),
    ]
    .into_iter()
    .collect();
    let usage_fields = json!([
        ad_field(
            "segment_start",
            "s_usage",
            "relative_or_absolute_datetime",
            json!({"default": "P12M", "maximum": "P24M", "minimum": "PT0S"})
        ),
        ad_field(
            "dec",
            "s_usage",
            "decimal",
            json!({"default": 0.5, "maximum": 1.0, "minimum": 0.001})
        ),
        ad_field(
            "c",
            "s_usage",
            "choice",
            json!({"default": "x", "choices": choices(&["x", "y"])})
        ),
    ]);
    let feed_fields = json!([ad_field(
        "fmt",
        "s_feed",
        "choice",
        json!({"is_required": true, "choices": choices(&["csv", "geojson"])})
    )]);
    let scopes: Map<String, Value> = [
        scope("cds_client_admin", &[], &[], json!([])),
        scope(
            "s_usage",
            &[
                "name",
                "site",
                "mail",
                "terms",
                "icon",
                "review",
                "fee",
                "defaulted",
            ],
            &["dba", "logo", "doc", "purposes"],
            usage_fields,
        ),
        scope("s_feed", &["name", "mail"], &[], feed_fields),
        scope("s_other", &["other_only"], &[], json!([])),
    ]
    .into_iter()
    .collect();
    serde_json::from_value(json!({
        "issuer": "https://x.example",
        "registration_endpoint": "https://x.example/oauth/register",
        "cds_timezone": "America/Los_Angeles",
        "cds_scope_descriptions": scopes,
        "cds_registration_fields": fields,
    }))
    .unwrap()
}

fn now() -> Timestamp {
    "2026-03-15T12:00:00Z".parse().unwrap()
}

fn files() -> HashMap<PathBuf, Vec<u8>> {
    [
        ("/a/icon.png", PNG.to_vec()),
        ("/a/big.png", [PNG, &[0u8; 100]].concat()),
        ("/a/renamed.pdf", PNG.to_vec()),
        ("/a/doc.pdf", PDF.to_vec()),
        ("/a/jpeg.jpg", b"\xff\xd8\xff\xe0rest".to_vec()),
    ]
    .into_iter()
    .map(|(p, b)| (PathBuf::from(p), b))
    .collect()
}

fn run(sel: &Selection) -> Result<RegistrationPlan, Vec<Problem>> {
    let fs = files();
    let read = move |p: &Path| {
        fs.get(p)
            .cloned()
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no such file"))
    };
    plan(&catalog(), sel, &read, now())
}

fn file(p: &str) -> FieldInput {
    FieldInput::File(PathBuf::from(p))
}

fn val(v: Value) -> FieldInput {
    FieldInput::Value(v)
}

/// A complete, valid selection for s_usage.
fn usage() -> Selection {
    Selection {
        scopes: vec!["s_usage".to_owned()],
        client: ClientMetadata {
            client_name: Some("Watt Watcher".to_owned()),
            contacts: vec!["dev@watt.example".to_owned()],
            client_uri: Some("https://watt.example".to_owned()),
            ..Default::default()
        },
        fields: [
            ("name", val(json!("Watt"))),
            ("site", val(json!("https://watt.example"))),
            ("mail", val(json!("dev@watt.example"))),
            ("terms", val(json!(true))),
            ("icon", file("/a/icon.png")),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect(),
        authorization_details: BTreeMap::new(),
    }
}

fn with(mut sel: Selection, id: &str, input: FieldInput) -> Selection {
    sel.fields.insert(id.to_owned(), input);
    sel
}

fn problems(sel: &Selection) -> Vec<Problem> {
    run(sel).unwrap_err()
}

/// The one problem of a selection, as text.
fn only(sel: &Selection) -> String {
    let p = problems(sel);
    assert_eq!(p.len(), 1, "{p:#?}");
    p[0].to_string()
}

fn details(sel: &mut Selection, t: &str, v: Value) {
    let Value::Object(m) = v else { panic!() };
    sel.authorization_details.insert(t.to_owned(), m);
}

#[test]
fn the_request_is_exact() {
    let p = run(&usage()).unwrap();
    assert_eq!(p.endpoint.as_str(), "https://x.example/oauth/register");
    let b64 = base64::engine::general_purpose::STANDARD.encode(PNG);
    assert_eq!(
        p.request,
        json!({
            "scope": "cds_client_admin s_usage",
            "client_name": "Watt Watcher",
            "contacts": ["dev@watt.example"],
            "client_uri": "https://watt.example",
            "cds_company_name": "Watt",
            "cds_site": "https://watt.example",
            "cds_mail": "dev@watt.example",
            "cds_terms": true,
            "cds_icon": b64,
        })
    );
    // Field order on the wire: RFC 7591 metadata, then fields in requirement order.
    let keys: Vec<&String> = p.request.as_object().unwrap().keys().collect();
    assert_eq!(keys[0], "scope");
    assert_eq!(keys.last().unwrap().as_str(), "cds_icon");
    assert!(p.request.get("redirect_uris").is_none());
    let redacted = p.redacted_request();
    assert_eq!(
        redacted["cds_icon"],
        format!("<base64 of /a/icon.png, {} bytes>", PNG.len())
    );
    assert_eq!(redacted["cds_company_name"], "Watt");
    // The checklist: post-registration steps with exact amounts.
    let kinds: Vec<&str> = p.checklist.iter().map(|s| s.field_id.as_str()).collect();
    assert_eq!(kinds, ["review", "fee"]);
    let fee = &p.checklist[1];
    assert_eq!(fee.amount, Some("250.10".parse::<Decimal>().unwrap()));
    assert_eq!(fee.amount.unwrap().to_string(), "250.10");
    assert_eq!(fee.currency.as_deref(), Some("USD"));
    assert_eq!(fee.kind, RegistrationFieldType::PaymentRequired);
    assert_eq!(fee.scopes, ["s_usage"]);
    assert_eq!(
        fee.documentation.as_ref().unwrap().as_str(),
        "https://x.example/docs#fee"
    );
    assert!(p.authorization_details.is_empty());
}

#[test]
fn scope_is_client_admin_first_then_catalog_order_once() {
    let mut sel = usage();
    sel.scopes = ["s_feed", "s_usage", "s_usage", "cds_client_admin"]
        .map(String::from)
        .to_vec();
    details(&mut sel, "s_feed", json!({"fmt": "csv"}));
    let p = run(&sel).unwrap();
    assert_eq!(p.request["scope"], "cds_client_admin s_usage s_feed");
    // No scope at all still registers a CDS client (§4.1).
    let p = run(&Selection::default()).unwrap();
    assert_eq!(p.request, json!({"scope": "cds_client_admin"}));
}

#[test]
fn unknown_scope() {
    let mut sel = usage();
    sel.scopes.push("s_nope".to_owned());
    let e = only(&sel);
    assert!(
        e.contains("scope `s_nope`") && e.contains("cds_scope_descriptions"),
        "{e}"
    );
}

#[test]
fn every_problem_is_reported_together() {
    let mut sel = usage();
    sel.scopes.push("s_nope".to_owned());
    sel.client.contacts.push("nope".to_owned());
    sel.fields.remove("terms");
    sel.fields.insert("name".to_owned(), val(json!("too long")));
    sel.fields
        .insert("icon".to_owned(), file("/a/renamed.pdf").clone());
    sel.fields.insert("doc".to_owned(), file("/a/renamed.pdf"));
    sel.fields.insert("other_only".to_owned(), val(json!("x")));
    details(
        &mut sel,
        "s_usage",
        json!({"segment_start": "P25M", "c": "z"}),
    );
    let p = problems(&sel);
    let text: Vec<String> = p.iter().map(ToString::to_string).collect();
    let has = |needle: &str| {
        assert!(
            text.iter().any(|t| t.contains(needle)),
            "{needle} not in {text:#?}"
        );
    };
    has("scope `s_nope`");
    has("`contacts[1]`");
    has("registration field `terms` (`cds_terms`): is required by scope `s_usage`");
    has("registration field `name` (`cds_company_name`): is 8 characters long");
    has("registration field `doc` (`cds_doc`): /a/renamed.pdf is not a PDF");
    has("registration field `other_only` (`cds_other`): is not asked for");
    has("authorization details of `s_usage`, field `segment_start`");
    has("authorization details of `s_usage`, field `c`");
    assert_eq!(p.len(), 8, "{text:#?}");
    // Each names its field id and field_name.
    assert!(p.iter().any(|p| p.subject
        == Subject::RegistrationField {
            id: "terms".to_owned(),
            field_name: Some("cds_terms".to_owned())
        }));
}

#[test]
fn files_are_typed_by_content_and_sized_before_base64() {
    // A PNG renamed .pdf is no PDF.
    let e = only(&with(usage(), "doc", file("/a/renamed.pdf")));
    assert!(
        e.contains("is not a PDF document (checked by its content)"),
        "{e}"
    );
    // A real PDF passes; a JPEG is an image.
    let p = run(&with(
        with(usage(), "doc", file("/a/doc.pdf")),
        "logo",
        file("/a/jpeg.jpg"),
    ))
    .unwrap();
    assert_eq!(
        p.request["cds_doc"],
        base64::engine::general_purpose::STANDARD.encode(PDF)
    );
    assert_eq!(p.files.len(), 3);
    // A PDF is no image.
    let e = only(&with(usage(), "icon", file("/a/doc.pdf")));
    assert!(e.contains("not a PNG or JPEG"), "{e}");
    // max_size counts raw bytes: 100 allowed, the big one has more.
    let e = only(&with(usage(), "icon", file("/a/big.png")));
    assert!(
        e.contains(&format!(
            "is {} bytes, more than max_size 100",
            PNG.len() + 100
        )),
        "{e}"
    );
    // Inline Base64 gets the same checks.
    let b64 = base64::engine::general_purpose::STANDARD.encode(PDF);
    let e = only(&with(usage(), "icon", val(json!(b64))));
    assert!(e.contains("not a PNG or JPEG"), "{e}");
    // A missing file names its path.
    let e = only(&with(usage(), "icon", file("/a/gone.png")));
    assert!(e.contains("cannot read /a/gone.png"), "{e}");
    // A file for a text field.
    let e = only(&with(usage(), "name", file("/a/icon.png")));
    assert!(e.contains("takes a value, not a file"), "{e}");
}

#[test]
fn max_length_counts_characters_not_bytes() {
    // Five characters, ten bytes: allowed by max_length 5.
    let p = run(&with(usage(), "name", val(json!("ééééé")))).unwrap();
    assert_eq!(p.request["cds_company_name"], "ééééé");
    let e = only(&with(usage(), "name", val(json!("éééééé"))));
    assert!(
        e.contains("is 6 characters long, more than max_length 5"),
        "{e}"
    );
}

#[test]
fn null_only_for_or_null_formats() {
    let e = only(&with(usage(), "name", FieldInput::Null));
    assert!(
        e.contains("must not be null") && e.contains("`string`"),
        "{e}"
    );
    let e = only(&with(usage(), "terms", val(Value::Null)));
    assert!(e.contains("must not be null"), "{e}");
    let p = run(&with(
        with(usage(), "dba", FieldInput::Null),
        "logo",
        FieldInput::Null,
    ))
    .unwrap();
    assert_eq!(p.request["cds_dba"], Value::Null);
    assert_eq!(p.request["cds_logo"], Value::Null);
}

#[test]
fn defaults_make_fields_optional_and_optional_fields_may_be_given() {
    // `defaulted` is in registration_requirements but has a default: not needed (§3.5).
    let p = run(&usage()).unwrap();
    assert!(p.request.get("cds_defaulted").is_none());
    let p = run(&with(
        with(usage(), "defaulted", val(json!("y"))),
        "dba",
        val(json!("W")),
    ))
    .unwrap();
    assert_eq!(p.request["cds_defaulted"], "y");
    assert_eq!(p.request["cds_dba"], "W");
}

#[test]
fn unasked_and_unknown_fields() {
    let e = only(&with(usage(), "other_only", val(json!("x"))));
    assert!(
        e.contains("`other_only` (`cds_other`): is not asked for by the selected scopes"),
        "{e}"
    );
    let e = only(&with(usage(), "bogus", val(json!("x"))));
    assert!(
        e.contains("`bogus`: is not a registration field of this server"),
        "{e}"
    );
    // Asked for once s_other is selected.
    let mut sel = with(usage(), "other_only", val(json!("x")));
    sel.scopes.push("s_other".to_owned());
    assert_eq!(run(&sel).unwrap().request["cds_other"], "x");
}

#[test]
fn post_registration_steps_take_no_value() {
    let e = only(&with(usage(), "fee", val(json!(250))));
    assert!(
        e.contains("`fee`: is a `payment_required` step done after registration"),
        "{e}"
    );
}

#[test]
fn urls_emails_booleans() {
    for bad in [
        "ftp://watt.example",
        "/relative",
        "watt.example",
        "https://",
    ] {
        let e = only(&with(usage(), "site", val(json!(bad))));
        assert!(e.contains("absolute http or https URL"), "{bad}: {e}");
    }
    for bad in [
        "nope",
        "Dev <dev@watt.example>",
        "dev@localhost",
        "dev@[127.0.0.1]",
        "a b@c.example",
    ] {
        let e = only(&with(usage(), "mail", val(json!(bad))));
        assert!(e.contains("not an email address"), "{bad}: {e}");
    }
    assert!(
        run(&with(
            usage(),
            "mail",
            val(json!("first.last+tag@sub.watt.example"))
        ))
        .is_ok()
    );
    let e = only(&with(usage(), "terms", val(json!("yes"))));
    assert!(e.contains("true or false"), "{e}");
    let e = only(&with(usage(), "name", val(json!(5))));
    assert!(e.contains("must be a string"), "{e}");
    let mut sel = usage();
    sel.client.logo_uri = Some("logo.png".to_owned());
    sel.client.client_name = Some("  ".to_owned());
    let p = problems(&sel);
    assert_eq!(p.len(), 2, "{p:#?}");
    assert!(p.iter().any(|p| p.to_string().starts_with("`logo_uri`")));
}

#[test]
fn purposes_shape() {
    let good = json!([{"name": "Savings", "content": "We find savings.\nNothing else."}]);
    let p = run(&with(usage(), "purposes", val(good))).unwrap();
    assert_eq!(
        p.request["cds_purposes"],
        json!([{"name": "Savings", "content": "We find savings.\nNothing else.",
                "id": "", "scopes_supported": [], "related_uri": null}])
    );
    let linked = json!([{"id": "", "scopes_supported": [], "name": "N", "content": "C",
        "related_uri": "https://watt.example/tos", "related_name": "Our terms"}]);
    assert!(run(&with(usage(), "purposes", val(linked))).is_ok());
    let bad = json!([
        {"name": "", "content": "  "},
        {"id": "p1", "scopes_supported": ["s_usage"], "name": "N", "content": "C",
         "related_uri": "https://watt.example/tos"},
        "text"
    ]);
    let p = problems(&with(usage(), "purposes", val(bad)));
    let text = p
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n");
    for needle in [
        "[0] needs a non-empty `name`",
        "[0] needs a `content`",
        "[1]: `id` must be",
        "[1]: `scopes_supported` must be []",
        "[1] has a `related_uri`",
        "[2] is not an object",
    ] {
        assert!(text.contains(needle), "{needle} not in {text}");
    }
    let e = only(&with(usage(), "purposes", val(json!([]))));
    assert!(e.contains("at least one"), "{e}");
}

#[test]
fn authorization_details_are_checked_and_kept() {
    let mut sel = usage();
    details(
        &mut sel,
        "s_usage",
        json!({"segment_start": "P24M", "dec": 0.25}),
    );
    let p = run(&sel).unwrap();
    let kept = &p.authorization_details["s_usage"];
    assert_eq!(kept[0]["type"], "s_usage");
    assert_eq!(kept[0]["segment_start"], "P24M");
    assert_eq!(kept[0]["c"], "x", "defaults filled in");
    // A relative date beyond the maximum.
    let mut sel = usage();
    details(&mut sel, "s_usage", json!({"segment_start": "P25M"}));
    let e = only(&sel);
    assert!(
        e.contains("field `segment_start`: reaches further back"),
        "{e}"
    );
    // A choice not in choices.
    let mut sel = usage();
    details(&mut sel, "s_usage", json!({"c": "z"}));
    assert!(only(&sel).contains("not one of the choices `x`, `y`"));
    // Decimal bounds are exact: one part in 10^19 above 1.0 is refused.
    let mut sel = usage();
    let v: Value = serde_json::from_str(r#"{"dec": 1.0000000000000000001}"#).unwrap();
    details(&mut sel, "s_usage", v);
    assert!(only(&sel).contains("above the maximum 1.0"));
    let mut sel = usage();
    details(&mut sel, "s_usage", json!({"dec": 1.0}));
    assert!(run(&sel).is_ok());
    // A type of a scope that is not selected; an unknown field.
    let mut sel = usage();
    details(&mut sel, "s_feed", json!({"fmt": "csv"}));
    details(&mut sel, "s_usage", json!({"colour": "blue"}));
    let p = problems(&sel);
    assert_eq!(p.len(), 2, "{p:#?}");
}

#[test]
fn a_required_modifier_must_be_given() {
    let mut sel = usage();
    sel.scopes.push("s_feed".to_owned());
    let e = only(&sel);
    assert!(
        e.contains("authorization details of `s_feed`, field `fmt`: is required"),
        "{e}"
    );
    details(&mut sel, "s_feed", json!({"fmt": "geojson"}));
    let p = run(&sel).unwrap();
    assert_eq!(p.authorization_details["s_feed"][0]["fmt"], "geojson");
}

#[test]
fn no_registration_endpoint() {
    let mut meta = catalog();
    meta.registration_endpoint = None;
    let e = plan(&meta, &Selection::default(), &|_| Ok(Vec::new()), now()).unwrap_err();
    assert!(e[0].to_string().contains("registration_endpoint"));
}

#[test]
fn read_capped_stops_past_the_cap() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("f.bin");
    std::fs::write(&p, [7u8; 10]).unwrap();
    assert_eq!(read_capped(&p, 10).unwrap().len(), 10);
    let e = read_capped(&p, 9).unwrap_err();
    assert!(e.to_string().contains("larger than 9 bytes"));
    assert!(read_capped(&dir.path().join("nope"), 9).is_err());
}
