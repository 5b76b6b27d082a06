//! Unit tests of the `authorization_details` rules (CDS-WG1-02 §3.8–§3.10, CDS-WG3-01 §7).

use super::*;
use serde_json::json;

fn field(id: &str, format: &str, extra: Value) -> Value {
    let mut f = json!({
        "id": id, "name": format!("Name of {id}"), "description": "d",
        "documentation": "https://x.example/d", "for_types": ["s1"],
        "format": format, "is_required": false,
    });
    if let (Some(o), Value::Object(e)) = (f.as_object_mut(), extra) {
        o.extend(e);
    }
    f
}

fn catalog(fields: Vec<Value>) -> AuthorizationServerMetadata {
    serde_json::from_value(json!({
        "issuer": "https://x.example",
        "cds_timezone": "America/Los_Angeles",
        "cds_scope_descriptions": {"s1": {
            "id": "s1", "type": "cds_usage", "name": "Scope one", "description": "d",
            "documentation": "https://x.example/s1",
            "registration_requirements": [], "registration_optional": [],
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic"],
            "code_challenge_methods_supported": ["S256"], "coverages_supported": [],
            "grant_admin_scope": null,
            "authorization_details_types_supported": ["s1"],
            "authorization_details_fields_supported": fields,
        }}
    }))
    .unwrap()
}

fn sample() -> AuthorizationServerMetadata {
    catalog(vec![
        field(
            "n",
            "int",
            json!({"default": 5, "maximum": 10, "minimum": 1}),
        ),
        field(
            "dec",
            "decimal",
            json!({"default": 0.5, "maximum": 1.0, "minimum": 0.001}),
        ),
        field(
            "s",
            "string_or_null",
            json!({"default": null, "maximum": 3, "minimum": 1}),
        ),
        field(
            "l",
            "string_list",
            json!({"default": ["a"], "maximum": 4, "minimum": 1}),
        ),
        field("b", "boolean", json!({"default": true})),
        field(
            "c",
            "choice",
            json!({"default": "x", "choices": [
            {"id": "x", "name": "Ex", "description": "the x", "documentation": "https://x.example/x"},
            {"id": "y", "name": "Why", "description": "the y", "documentation": "https://x.example/y"}]}),
        ),
        field(
            "cl",
            "choice_list_or_null",
            json!({"default": null, "choices": [
            {"id": "x", "name": "Ex", "description": "the x", "documentation": "https://x.example/x"}]}),
        ),
        field(
            "segment_start",
            "relative_or_absolute_datetime",
            json!({"default": "P12M", "maximum": "P24M", "minimum": "PT0S"}),
        ),
        field(
            "sync_until",
            "relative_or_absolute_datetime",
            json!({"default": "P1Y", "maximum": "P3Y", "minimum": "PT0S"}),
        ),
        field(
            "statement_date_start",
            "relative_or_absolute_date",
            json!({"default": "P1Y", "maximum": "P3Y", "minimum": "P0D"}),
        ),
        field(
            "end",
            "relative_or_absolute_date",
            json!({"default": "infinite", "maximum": "infinite", "minimum": "P0D"}),
        ),
        field("jwk", "jwk_or_null", json!({"default": null})),
        field(
            "must",
            "string",
            json!({"is_required": true, "maximum": 10, "minimum": 1}),
        ),
    ])
}

fn now() -> Timestamp {
    "2026-03-15T12:00:00Z".parse().unwrap()
}

fn run(entry: Value) -> Result<Vec<Value>, Vec<FieldProblem>> {
    let cat = sample();
    let types = vec!["s1".to_owned()];
    let ctx = Context::new(&cat, vec!["s1"], Some(&types), now());
    validate_entries(&[entry], &ctx)
}

fn joined(problems: Vec<FieldProblem>) -> String {
    problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

fn err(entry: Value) -> String {
    joined(run(entry).unwrap_err())
}

#[test]
fn valid_entry_gets_defaults() {
    let out = run(json!({"type": "s1", "must": "ok", "n": 7})).unwrap();
    assert_eq!(out[0]["n"], 7);
    assert_eq!(out[0]["segment_start"], "P12M");
    assert_eq!(out[0]["c"], "x");
    assert_eq!(out[0]["s"], Value::Null);
}

#[test]
fn type_and_field_rules() {
    assert!(err(json!({"type": "s2", "must": "a"})).contains("authorization_details_types"));
    assert!(
        err(json!({"type": "s1", "must": "a", "bogus": 1}))
            .contains("field `bogus` is not defined")
    );
    assert!(err(json!({"type": "s1"})).contains("field `must` is required but missing"));
    assert!(err(json!({"must": "a"})).contains("`type`"));
    let cat = sample();
    let types = vec!["s1".to_owned()];
    let ctx = Context::new(&cat, vec!["s1"], Some(&types), now());
    let twice = [
        json!({"type": "s1", "must": "a"}),
        json!({"type": "s1", "must": "b"}),
    ];
    assert!(joined(validate_entries(&twice, &ctx).unwrap_err()).contains("more than once"));
    // A type the client lists but none of its scopes supports.
    let ctx = Context::new(&cat, vec![], Some(&types), now());
    assert!(
        joined(validate_entries(&[json!({"type": "s1", "must": "a"})], &ctx).unwrap_err())
            .contains("not supported")
    );
}

#[test]
fn numbers_strings_choices() {
    assert!(err(json!({"type": "s1", "must": "a", "n": 11})).contains("above the maximum 10"));
    assert!(err(json!({"type": "s1", "must": "a", "n": 0})).contains("below the minimum 1"));
    assert!(err(json!({"type": "s1", "must": "a", "n": 2.5})).contains("integer"));
    let v: Value =
        serde_json::from_str(r#"{"type":"s1","must":"a","dec":1.0000000000000000001}"#).unwrap();
    assert!(
        err(v).contains("above the maximum 1.0"),
        "exact decimal compare"
    );
    assert!(run(json!({"type": "s1", "must": "a", "dec": 0.001})).is_ok());
    assert!(
        err(json!({"type": "s1", "must": "a", "s": "abcd"}))
            .contains("length 4, above the maximum 3")
    );
    assert!(run(json!({"type": "s1", "must": "a", "s": null})).is_ok());
    assert!(
        err(json!({"type": "s1", "must": "a", "l": ["abc", "de"]})).contains("combined length 5")
    );
    assert!(err(json!({"type": "s1", "must": "a", "l": null})).contains("must not be null"));
    assert!(err(json!({"type": "s1", "must": "a", "b": "yes"})).contains("true or false"));
    assert!(
        err(json!({"type": "s1", "must": "a", "c": "z"}))
            .contains("not one of the choices `x`, `y`")
    );
    assert!(
        err(json!({"type": "s1", "must": "a", "cl": ["x", "q"]}))
            .contains("not one of the choices")
    );
    assert!(run(json!({"type": "s1", "must": "a", "cl": ["x"]})).is_ok());
    assert!(run(json!({"type": "s1", "must": "a", "jwk": {"kty": "EC", "use": "enc"}})).is_ok());
    assert!(
        err(json!({"type": "s1", "must": "a", "jwk": {"kty": "EC", "use": "sig"}})).contains("enc")
    );
}

#[test]
fn historical_and_forward_dates() {
    // Historical: P24M back is the furthest allowed; P25M is beyond the maximum.
    assert!(run(json!({"type": "s1", "must": "a", "segment_start": "P24M"})).is_ok());
    let e = err(json!({"type": "s1", "must": "a", "segment_start": "P25M"}));
    assert!(e.contains("further back") && e.contains("P24M"), "{e}");
    // Absolute dates compare too: 3 years ago is further back than 24 months.
    assert!(
        err(json!({"type": "s1", "must": "a", "segment_start": "2023-01-01T00:00:00Z"}))
            .contains("further back")
    );
    assert!(
        run(json!({"type": "s1", "must": "a", "segment_start": "2025-06-01T00:00:00Z"})).is_ok()
    );
    // A start in the future is later than the minimum (now).
    assert!(
        err(json!({"type": "s1", "must": "a", "segment_start": "2026-06-01T00:00:00Z"}))
            .contains("later")
    );
    // "infinite" history only when the maximum is infinite.
    assert!(
        err(json!({"type": "s1", "must": "a", "segment_start": "infinite"}))
            .contains("further back")
    );
    // Forward: sync_until up to 3 years ahead.
    assert!(run(json!({"type": "s1", "must": "a", "sync_until": "P3Y"})).is_ok());
    assert!(
        err(json!({"type": "s1", "must": "a", "sync_until": "P3YT1H"})).contains("maximum `P3Y`")
    );
    assert!(err(json!({"type": "s1", "must": "a", "sync_until": "infinite"})).contains("later"));
    assert!(run(json!({"type": "s1", "must": "a", "end": "infinite"})).is_ok());
    // Dates: statement_date_start counts back, days only.
    assert!(run(json!({"type": "s1", "must": "a", "statement_date_start": "P3Y"})).is_ok());
    assert!(
        err(json!({"type": "s1", "must": "a", "statement_date_start": "P3Y1D"}))
            .contains("further back")
    );
    assert!(
        err(json!({"type": "s1", "must": "a", "statement_date_start": "P1DT1H"})).contains("hours")
    );
    assert!(err(json!({"type": "s1", "must": "a", "end": "2026-03-14"})).contains("earlier"));
}

#[test]
fn defaults_resolution_and_readings() {
    let cat = sample();
    let types = vec!["s1".to_owned()];
    let ctx = Context::new(&cat, vec!["s1"], Some(&types), now());
    let d = add_scope_defaults(Vec::new(), &["s1".to_owned()], &cat);
    assert_eq!(d.len(), 1);
    assert_eq!(d[0]["type"], "s1");
    assert!(d[0].get("must").is_none());
    let mut v = validate_entries(
        &[json!({"type": "s1", "must": "a", "segment_start": "P24M"})],
        &ctx,
    )
    .unwrap();
    let readings = describe(&v[0], &ctx);
    let find = |name: &str| {
        readings
            .iter()
            .find(|r| r.field == name)
            .unwrap()
            .value
            .clone()
    };
    assert!(find("Name of segment_start").starts_with("from 24 months back until now (2024-03-15"));
    assert!(find("Name of sync_until").starts_with("1 year from now"));
    assert_eq!(find("Name of c"), "Ex (the x)");
    assert_eq!(find("Name of b"), "yes");
    resolve_relative(&mut v, &ctx);
    assert_eq!(v[0]["segment_start"], "2024-03-15T12:00:00Z");
    assert_eq!(v[0]["sync_until"], "2027-03-15T12:00:00Z");
    assert_eq!(v[0]["statement_date_start"], "2025-03-15");
    assert_eq!(v[0]["end"], "infinite");
    assert_eq!(v[0]["n"], 5);
}

#[test]
fn every_problem_is_reported_with_its_pointer() {
    let cat = sample();
    let details = json!([
        {"type": "s1", "n": 11, "c": "z", "segment_start": "P25M", "bogus": 1},
        "not an object",
        {"no": "type"},
    ]);
    let problems = validate(&cat, &["s1"], None, &details, now()).unwrap_err();
    let pointers: Vec<&str> = problems.iter().map(|p| p.pointer.as_str()).collect();
    for want in [
        "/0/n",
        "/0/c",
        "/0/segment_start",
        "/0/bogus",
        "/0/must",
        "/1",
        "/2/type",
    ] {
        assert!(pointers.contains(&want), "{want} missing from {pointers:?}");
    }
    assert_eq!(problems.len(), 7, "{problems:?}");
    let must = problems.iter().find(|p| p.field == "must").unwrap();
    assert_eq!(must.entry_type.as_deref(), Some("s1"));
    assert!(must.message.contains("required"));
}

#[test]
fn a_selection_without_client_object_allows_its_scopes_types() {
    let cat = sample();
    let ok = validate(
        &cat,
        &["s1"],
        None,
        &json!([{"type": "s1", "must": "x"}]),
        now(),
    );
    assert_eq!(ok.unwrap()[0]["n"], 5, "defaults filled");
    // A type of a scope that is not selected.
    let e = validate(
        &cat,
        &[],
        None,
        &json!([{"type": "s1", "must": "x"}]),
        now(),
    );
    assert!(e.unwrap_err()[0].message.contains("selection"));
    // Not an array at all.
    let e = validate(&cat, &["s1"], None, &json!({"type": "s1"}), now()).unwrap_err();
    assert!(e[0].message.contains("array"));
}

#[test]
fn relative_bounds_follow_the_server_time_zone() {
    // 2026-03-15T05:00Z is still March 14 in Los Angeles: "P0D" minimum for a forward
    // date is then 2026-03-14, so that date is allowed although UTC says the 15th.
    let cat = sample();
    let early: Timestamp = "2026-03-15T05:00:00Z".parse().unwrap();
    let ctx = Context::new(&cat, vec!["s1"], None, early);
    assert!(
        validate_entries(
            &[json!({"type": "s1", "must": "a", "end": "2026-03-14"})],
            &ctx
        )
        .is_ok()
    );
    assert!(run(json!({"type": "s1", "must": "a", "end": "2026-03-14"})).is_err());
}
