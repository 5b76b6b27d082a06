//! The answers file of `cds-wizard register --answers FILE`: every choice of a registration
//! written down once, so a registration can be reviewed, repeated and scripted. TOML, or JSON
//! (chosen by the extension; a file with another extension is tried as both).
//!
//! ```toml
//! profile = "dge-demo"
//! scopes = ["dge_usage_electric"]
//!
//! [client]
//! client_name = "Watt Watcher"
//! contacts = ["dev@wattwatcher.example"]
//!
//! [fields]                                 # registration field ids, not field_names
//! company_name = "Watt Watcher Inc."
//! authorization_form_icon = { file = "icon.png" }   # relative to this file's folder
//! company_dba = { null = true }            # TOML has no null; JSON files write null
//!
//! [authorization_details.dge_usage_electric]
//! segment_start = "P12M"
//! ```
//!
//! Decimals: JSON answers keep every digit. TOML floats are binary (f64) and keep up to 15
//! significant digits exactly; a value needing more goes in a JSON answers file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::plan::{ClientMetadata, FieldInput, Selection};

/// Answers files are small; anything bigger is a mistake (a PDF passed instead, say).
pub const MAX_ANSWERS_BYTES: u64 = 1024 * 1024;

/// An answers file that cannot be used, naming the file and, when known, the line and key.
#[derive(Debug, thiserror::Error)]
pub enum AnswersError {
    #[error("cannot read answers file {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("answers file {} is larger than {MAX_ANSWERS_BYTES} bytes", path.display())]
    TooLarge { path: PathBuf },
    #[error("{}", parse_line(path, *line, *column, key.as_deref(), message))]
    Parse {
        path: PathBuf,
        line: Option<usize>,
        column: Option<usize>,
        /// The dotted key path, `client.contacts[0]`.
        key: Option<String>,
        message: String,
    },
}

fn parse_line(
    path: &Path,
    line: Option<usize>,
    column: Option<usize>,
    key: Option<&str>,
    message: &str,
) -> String {
    let mut s = path.display().to_string();
    if let Some(l) = line {
        s.push_str(&format!(":{l}"));
        if let Some(c) = column {
            s.push_str(&format!(":{c}"));
        }
    }
    if let Some(k) = key {
        s.push_str(&format!(": key `{k}`"));
    }
    format!("{s}: {message}")
}

/// RFC 7591 §2 client metadata as written in `[client]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientAnswers {
    pub client_name: Option<String>,
    #[serde(default)]
    pub contacts: Vec<String>,
    pub client_uri: Option<String>,
    pub logo_uri: Option<String>,
    pub tos_uri: Option<String>,
    pub policy_uri: Option<String>,
}

/// Which Client object `authorize` uses by default.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClientChoice {
    Sandbox,
    Production,
}

/// `[authorize]`: defaults for `cds-wizard authorize`, each overridden by its command-line flag.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthorizeDefaults {
    /// Sandbox or production Client object (sandbox when absent).
    pub client: Option<ClientChoice>,
    /// A specific `client_id`, when the profile has several of one kind.
    pub client_id: Option<String>,
    /// The scopes to request (all registered customer-consent scopes when absent).
    #[serde(default)]
    pub scope: Vec<String>,
    pub no_browser: Option<bool>,
    pub timeout_secs: Option<u64>,
    pub use_default_redirect: Option<bool>,
}

/// The file's shape, generic over the value type of its free-form parts (`toml::Value` for TOML,
/// so TOML dates and floats arrive intact and are converted after; `serde_json::Value` for JSON).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(bound = "V: Deserialize<'de>")]
struct Raw<V> {
    profile: Option<String>,
    #[serde(default)]
    scopes: Vec<String>,
    #[serde(default)]
    client: ClientAnswers,
    #[serde(default = "IndexMap::new")]
    fields: IndexMap<String, V>,
    #[serde(default = "IndexMap::new")]
    authorization_details: IndexMap<String, IndexMap<String, V>>,
    authorize: Option<AuthorizeDefaults>,
}

/// A loaded answers file.
#[derive(Debug, Clone, PartialEq)]
pub struct Answers {
    /// Where it was read from; relative file paths are resolved against its folder.
    pub path: PathBuf,
    pub profile: Option<String>,
    pub scopes: Vec<String>,
    pub client: ClientAnswers,
    /// Registration field values by field id, as written (files not yet resolved).
    pub fields: IndexMap<String, Value>,
    pub authorization_details: IndexMap<String, Map<String, Value>>,
    pub authorize: Option<AuthorizeDefaults>,
}

/// Reads and parses an answers file.
pub fn load(path: &Path) -> Result<Answers, AnswersError> {
    let read_err = |source| AnswersError::Read {
        path: path.to_owned(),
        source,
    };
    let size = std::fs::metadata(path).map_err(read_err)?.len();
    if size > MAX_ANSWERS_BYTES {
        return Err(AnswersError::TooLarge {
            path: path.to_owned(),
        });
    }
    let text = std::fs::read_to_string(path).map_err(read_err)?;
    parse(path, &text)
}

/// Parses answers text; `path` picks the format and names the file in errors.
pub fn parse(path: &Path, text: &str) -> Result<Answers, AnswersError> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("toml") => parse_toml(path, text),
        Some("json") => parse_json(path, text),
        // Unknown extension: JSON if it parses as JSON, else TOML's error (the documented form).
        _ => parse_json(path, text).or_else(|_| parse_toml(path, text)),
    }
}

fn parse_toml(path: &Path, text: &str) -> Result<Answers, AnswersError> {
    let raw: Raw<toml::Value> = deserialize_toml(path, text)?;
    let conv = |v: toml::Value| toml_to_json(v);
    Ok(Answers {
        path: path.to_owned(),
        profile: raw.profile,
        scopes: raw.scopes,
        client: raw.client,
        fields: raw.fields.into_iter().map(|(k, v)| (k, conv(v))).collect(),
        authorization_details: raw
            .authorization_details
            .into_iter()
            .map(|(k, m)| (k, m.into_iter().map(|(f, v)| (f, conv(v))).collect()))
            .collect(),
        authorize: raw.authorize,
    })
}

fn parse_json(path: &Path, text: &str) -> Result<Answers, AnswersError> {
    let mut de = serde_json::Deserializer::from_str(text);
    let raw: Raw<Value> = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let key = key_of(e.path());
        let inner = e.into_inner();
        AnswersError::Parse {
            path: path.to_owned(),
            line: Some(inner.line()),
            column: Some(inner.column()),
            key,
            message: inner.to_string(),
        }
    })?;
    de.end().map_err(|e| AnswersError::Parse {
        path: path.to_owned(),
        line: Some(e.line()),
        column: Some(e.column()),
        key: None,
        message: e.to_string(),
    })?;
    Ok(Answers {
        path: path.to_owned(),
        profile: raw.profile,
        scopes: raw.scopes,
        client: raw.client,
        fields: raw.fields,
        authorization_details: raw
            .authorization_details
            .into_iter()
            .map(|(k, m)| (k, m.into_iter().collect()))
            .collect(),
        authorize: raw.authorize,
    })
}

fn deserialize_toml<T: DeserializeOwned>(path: &Path, text: &str) -> Result<T, AnswersError> {
    let parse_error = |e: toml::de::Error, key: Option<String>| {
        let (line, column) = match e.span() {
            Some(span) => {
                let before = &text[..span.start.min(text.len())];
                let line = before.matches('\n').count() + 1;
                let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
                (Some(line), Some(column))
            }
            None => (None, None),
        };
        AnswersError::Parse {
            path: path.to_owned(),
            line,
            column,
            key,
            message: e.message().trim().to_owned(),
        }
    };
    let de = toml::Deserializer::parse(text).map_err(|e| parse_error(e, None))?;
    serde_path_to_error::deserialize(de).map_err(|e| {
        let key = key_of(e.path());
        parse_error(e.into_inner(), key)
    })
}

fn key_of(p: &serde_path_to_error::Path) -> Option<String> {
    let s = p.to_string();
    (s != ".").then_some(s)
}

/// TOML to JSON: dates and times become their RFC 3339 text (what relative-or-absolute fields
/// take), floats JSON numbers.
fn toml_to_json(v: toml::Value) -> Value {
    match v {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(a) => Value::Array(a.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(t) => {
            Value::Object(t.into_iter().map(|(k, v)| (k, toml_to_json(v))).collect())
        }
    }
}

impl Answers {
    /// The folder relative file paths are resolved against.
    pub fn base_dir(&self) -> PathBuf {
        self.path
            .parent()
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
    }

    /// The selection these answers make. `{ file = "PATH" }` is a file (relative to the answers
    /// file's folder), `{ null = true }` or JSON `null` an explicit null, anything else a value.
    pub fn selection(&self) -> Selection {
        let base = self.base_dir();
        let fields: BTreeMap<String, FieldInput> = self
            .fields
            .iter()
            .map(|(k, v)| (k.clone(), field_input(v, &base)))
            .collect();
        let c = &self.client;
        Selection {
            scopes: self.scopes.clone(),
            client: ClientMetadata {
                client_name: c.client_name.clone(),
                contacts: c.contacts.clone(),
                client_uri: c.client_uri.clone(),
                logo_uri: c.logo_uri.clone(),
                tos_uri: c.tos_uri.clone(),
                policy_uri: c.policy_uri.clone(),
            },
            fields,
            authorization_details: self
                .authorization_details
                .iter()
                .map(|(k, m)| (k.clone(), m.clone()))
                .collect(),
        }
    }
}

fn field_input(v: &Value, base: &Path) -> FieldInput {
    if let Value::Object(o) = v
        && o.len() == 1
    {
        if let Some(Value::String(p)) = o.get("file") {
            return FieldInput::File(base.join(p));
        }
        if o.get("null") == Some(&Value::Bool(true)) {
            return FieldInput::Null;
        }
    }
    if v.is_null() {
        FieldInput::Null
    } else {
        FieldInput::Value(v.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const TOML: &str = r#"
profile = "p"
scopes = ["a", "b"]

[client]
client_name = "App"
contacts = ["dev@app.example"]

[fields]
name = "Co"
icon = { file = "img/icon.png" }
abs = { file = "/abs/doc.pdf" }
dba = { null = true }
flag = true
[[fields.purposes]]
name = "N"
content = "C"

[authorization_details.a]
start = "P12M"
when = 2025-01-02T03:04:05Z
day = 2025-01-02
rate = 0.25
n = 3

[authorize]
client = "production"
scope = ["a"]
"#;

    #[test]
    fn toml_answers_make_a_selection() {
        let a = parse(Path::new("/answers/x.toml"), TOML).unwrap();
        assert_eq!(a.profile.as_deref(), Some("p"));
        let sel = a.selection();
        assert_eq!(sel.scopes, ["a", "b"]);
        assert_eq!(sel.client.client_name.as_deref(), Some("App"));
        assert_eq!(sel.fields["name"], FieldInput::Value(json!("Co")));
        assert_eq!(
            sel.fields["icon"],
            FieldInput::File(PathBuf::from("/answers/img/icon.png"))
        );
        assert_eq!(
            sel.fields["abs"],
            FieldInput::File(PathBuf::from("/abs/doc.pdf"))
        );
        assert_eq!(sel.fields["dba"], FieldInput::Null);
        assert_eq!(sel.fields["flag"], FieldInput::Value(json!(true)));
        assert_eq!(
            sel.fields["purposes"],
            FieldInput::Value(json!([{"name": "N", "content": "C"}]))
        );
        let d = &sel.authorization_details["a"];
        assert_eq!(d["start"], "P12M");
        assert_eq!(d["when"], "2025-01-02T03:04:05Z");
        assert_eq!(d["day"], "2025-01-02");
        assert_eq!(d["rate"].to_string(), "0.25");
        assert_eq!(d["n"], 3);
        let auth = a.authorize.unwrap();
        assert_eq!(auth.client, Some(ClientChoice::Production));
        assert_eq!(auth.scope, ["a"]);
    }

    #[test]
    fn json_answers_keep_exact_decimals_and_null() {
        let text = r#"{"scopes": ["a"], "fields": {"dba": null, "icon": {"file": "i.png"}},
            "authorization_details": {"a": {"rate": 0.10000000000000000001}}}"#;
        for name in ["x.json", "x.answers"] {
            let a = parse(&Path::new("/d").join(name), text).unwrap();
            let sel = a.selection();
            assert_eq!(sel.fields["dba"], FieldInput::Null);
            assert_eq!(
                sel.fields["icon"],
                FieldInput::File(PathBuf::from("/d/i.png"))
            );
            assert_eq!(
                sel.authorization_details["a"]["rate"].to_string(),
                "0.10000000000000000001"
            );
        }
        // An unknown extension falls back to TOML.
        let a = parse(Path::new("/d/answers.txt"), "scopes = [\"a\"]").unwrap();
        assert_eq!(a.scopes, ["a"]);
    }

    #[test]
    fn errors_name_file_line_and_key() {
        let text = "scopes = [\"a\"]\n\n[client]\ncontacts = \"dev@app.example\"\n";
        let e = parse(Path::new("/d/a.toml"), text).unwrap_err().to_string();
        assert!(e.starts_with("/d/a.toml:4:"), "{e}");
        assert!(e.contains("key `client.contacts`"), "{e}");
        // A typo in a key is caught, not ignored.
        let e = parse(Path::new("/d/a.toml"), "scopes = []\n[clinet]\nx = 1\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("/d/a.toml:2") && e.contains("clinet"), "{e}");
        // Syntax errors have a line too.
        let e = parse(
            Path::new("/d/a.toml"),
            "scopes = [\n\"a\"\nprofile = \"x\"\n",
        )
        .unwrap_err()
        .to_string();
        assert!(e.starts_with("/d/a.toml:3:"), "{e}");
        let e = parse(Path::new("/d/a.json"), "{\n\"scopes\": [1]\n}")
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("/d/a.json:2:") && e.contains("key `scopes[0]`"),
            "{e}"
        );
        let e = parse(
            Path::new("/d/a.toml"),
            "[authorize]\nclient = \"staging\"\n",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("key `authorize.client`"), "{e}");
    }

    #[test]
    fn load_reads_and_names_missing_files() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.toml");
        std::fs::write(
            &p,
            "scopes = [\"a\"]\n[fields]\nlogo = { file = \"l.png\" }\n",
        )
        .unwrap();
        let a = load(&p).unwrap();
        assert_eq!(
            a.selection().fields["logo"],
            FieldInput::File(dir.path().join("l.png"))
        );
        let e = load(&dir.path().join("nope.toml")).unwrap_err().to_string();
        assert!(e.contains("nope.toml"), "{e}");
    }
}
