//! Choices to request: from a [`Selection`] (scopes, client metadata, registration-field values,
//! authorization-details values per scope) to the exact RFC 7591 registration request that
//! CDS-WG1-02 §4.1 asks for, with every problem found reported together before anything is sent.
//!
//! - `scope` is `cds_client_admin` first, then the selected scopes in catalog order (§4.1); a
//!   scope outside `cds_scope_descriptions` is refused (§4.1).
//! - The registration fields are those the selected scopes require or allow (§3.4
//!   `registration_requirements` / `registration_optional`), sent under their `field_name`
//!   (§4.1), checked against their `format`, `max_length` and `max_size` (§3.5, §3.7; CDS-WG3-01
//!   §5.1 adds `purposes`) by the rules the demo's registration endpoint applies too
//!   ([`crate::cds::registration_fields`]). A field with a `default` is optional even when
//!   required (§3.5).
//! - Post-registration requirements (§3.6: payments, reviews, verifications, forms) take no value;
//!   they become the plan's checklist.
//! - Authorization-details values are checked with the rules the server applies
//!   ([`crate::cds::authorization_details`]) and kept for the authorize step.
//! - `redirect_uris` are never sent: servers ignore them (§4.1).
//!
//! Pure apart from the injected file reader ([`read_capped`] in the commands), so every rule is
//! unit-tested.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use base64::Engine;
use jiff::Timestamp;
use serde::Serialize;
use serde_json::{Map, Value};
use url::Url;

use crate::cds::auth_server_metadata::CLIENT_ADMIN_SCOPE;
use crate::cds::authorization_details;
use crate::cds::formats::Decimal;
use crate::cds::registration_fields::{self, PurposeRule};
use crate::cds::{
    AuthorizationServerMetadata, RegistrationField, RegistrationFieldFormat as Fmt,
    RegistrationFieldType,
};

/// RFC 7591 §2 client metadata the user may set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientMetadata {
    pub client_name: Option<String>,
    pub contacts: Vec<String>,
    pub client_uri: Option<String>,
    pub logo_uri: Option<String>,
    pub tos_uri: Option<String>,
    pub policy_uri: Option<String>,
}

/// The value given for one registration field.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldInput {
    /// A JSON value as written (for `image`/`pdf` formats, a Base64 string).
    Value(Value),
    /// A file to read (for `image`/`pdf` formats), sent as Base64.
    File(PathBuf),
    /// An explicit `null` (only for `*_or_null` formats).
    Null,
}

/// What the user chose.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Selection {
    pub scopes: Vec<String>,
    pub client: ClientMetadata,
    /// Keyed by registration field id (the key of `cds_registration_fields`), not `field_name`.
    pub fields: BTreeMap<String, FieldInput>,
    /// Keyed by authorization details `type`, which is a scope id (WG1-02 §3.4 note).
    pub authorization_details: BTreeMap<String, Map<String, Value>>,
}

/// What a problem is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Subject {
    /// The server's metadata itself (no registration endpoint...).
    Server,
    Scope {
        scope: String,
    },
    /// An RFC 7591 client metadata field (`client_name`, `contacts`, `client_uri`...).
    ClientMetadata {
        name: String,
    },
    RegistrationField {
        id: String,
        field_name: Option<String>,
    },
    AuthorizationDetails {
        scope: String,
        field: String,
    },
}

/// One broken rule, naming its field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    #[serde(flatten)]
    pub subject: Subject,
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.subject {
            Subject::Server => write!(f, "server: {}", self.message),
            Subject::Scope { scope } => write!(f, "scope `{scope}`: {}", self.message),
            Subject::ClientMetadata { name } => write!(f, "`{name}`: {}", self.message),
            Subject::RegistrationField {
                id,
                field_name: Some(n),
            } => write!(f, "registration field `{id}` (`{n}`): {}", self.message),
            Subject::RegistrationField {
                id,
                field_name: None,
            } => write!(f, "registration field `{id}`: {}", self.message),
            Subject::AuthorizationDetails { scope, field } if field.is_empty() => {
                write!(f, "authorization details of `{scope}`: {}", self.message)
            }
            Subject::AuthorizationDetails { scope, field } => write!(
                f,
                "authorization details of `{scope}`, field `{field}`: {}",
                self.message
            ),
        }
    }
}

/// Something to do after registration before production access (WG1-02 §3.6).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PostRegistrationStep {
    pub field_id: String,
    pub kind: RegistrationFieldType,
    pub description: String,
    pub documentation: Url,
    /// Exact, never a float (WG1-02 §3.5 `amount` is a decimal).
    #[serde(with = "rust_decimal::serde::arbitrary_precision_option")]
    pub amount: Option<Decimal>,
    pub currency: Option<String>,
    /// The selected scopes that ask for it.
    pub scopes: Vec<String>,
}

/// A file sent Base64-encoded, remembered so displays can show its name instead of the blob.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachedFile {
    pub field_name: String,
    /// `None` when the value was given as Base64 text.
    pub path: Option<PathBuf>,
    pub bytes: usize,
}

/// A registration ready to send.
#[derive(Debug, Clone, PartialEq)]
pub struct RegistrationPlan {
    pub endpoint: Url,
    /// The exact JSON body of the RFC 7591 request.
    pub request: Value,
    pub checklist: Vec<PostRegistrationStep>,
    /// Checked entries (defaults filled in) per authorization details type, for the authorize
    /// step.
    pub authorization_details: BTreeMap<String, Vec<Value>>,
    pub files: Vec<AttachedFile>,
}

impl RegistrationPlan {
    /// The request with every file's Base64 replaced by `"<base64 of FILE, N bytes>"`, for
    /// display. (A registration request holds no secrets; big blobs are just unreadable.)
    pub fn redacted_request(&self) -> Value {
        let mut v = self.request.clone();
        if let Some(obj) = v.as_object_mut() {
            for f in &self.files {
                let what = f
                    .path
                    .as_ref()
                    .map_or_else(|| "inline value".to_owned(), |p| p.display().to_string());
                obj.insert(
                    f.field_name.clone(),
                    Value::String(format!("<base64 of {what}, {} bytes>", f.bytes)),
                );
            }
        }
        v
    }

    /// The request body as sent.
    pub fn body(&self) -> Vec<u8> {
        serde_json::to_vec(&self.request).unwrap_or_default()
    }
}

/// The most a registration file is read into memory by [`read_capped`]; the largest `max_size`
/// in practice is a few MiB.
pub const MAX_FILE_BYTES: u64 = 32 * 1024 * 1024;

/// The file reader the commands pass to [`plan`]: `std::fs::read` that stops past `cap` bytes,
/// so a wrong path (a disk image, `/dev/zero`) cannot exhaust memory.
pub fn read_capped(path: &Path, cap: u64) -> io::Result<Vec<u8>> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(cap.saturating_add(1))
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > cap {
        return Err(io::Error::other(format!("larger than {cap} bytes")));
    }
    Ok(bytes)
}

/// RFC 7591 / §4.1 keys the plan writes itself; a catalog `field_name` must not overwrite them.
const RESERVED: &[&str] = &[
    "scope",
    "client_name",
    "contacts",
    "client_uri",
    "logo_uri",
    "tos_uri",
    "policy_uri",
    "redirect_uris",
];

/// Builds the registration request for `sel`, or returns every problem found.
pub fn plan(
    meta: &AuthorizationServerMetadata,
    sel: &Selection,
    read_file: &dyn Fn(&Path) -> io::Result<Vec<u8>>,
    now: Timestamp,
) -> Result<RegistrationPlan, Vec<Problem>> {
    let mut problems = Vec::new();
    let endpoint = meta.registration_endpoint.clone();
    if endpoint.is_none() {
        problems.push(Problem {
            subject: Subject::Server,
            message: "the server's metadata has no registration_endpoint (RFC 8414 §2), so \
                      it does not take registrations"
                .to_owned(),
        });
    }

    // Scopes (§4.1): cds_client_admin first, the rest in catalog order, each once.
    for s in &sel.scopes {
        if !meta.cds_scope_descriptions.contains_key(s) {
            problems.push(Problem {
                subject: Subject::Scope { scope: s.clone() },
                message: "is not in the server's cds_scope_descriptions, and WG1-02 §4.1 lets \
                          a client register only described scopes"
                    .to_owned(),
            });
        }
    }
    let selected: Vec<&str> = meta
        .cds_scope_descriptions
        .keys()
        .map(String::as_str)
        .filter(|id| *id != CLIENT_ADMIN_SCOPE && sel.scopes.iter().any(|s| s == id))
        .collect();
    let mut scope = vec![CLIENT_ADMIN_SCOPE];
    scope.extend(&selected);

    let mut request = Map::new();
    request.insert("scope".to_owned(), Value::String(scope.join(" ")));
    client_metadata(&sel.client, &mut request, &mut problems);

    // Registration fields (§3.4–§3.7).
    let (required, optional) = meta.registration_fields_for(&selected);
    let asked_by = |id: &str| -> Vec<String> {
        selected
            .iter()
            .filter_map(|s| meta.cds_scope_descriptions.get(*s))
            .filter(|s| {
                s.registration_requirements.iter().any(|r| r == id)
                    || s.registration_optional.iter().any(|r| r == id)
            })
            .map(|s| s.id.clone())
            .collect()
    };
    let mut files = Vec::new();
    let mut checklist = Vec::new();
    for (field, is_required) in required
        .iter()
        .map(|f| (*f, true))
        .chain(optional.iter().map(|f| (*f, false)))
    {
        let subject = Subject::RegistrationField {
            id: field.id.clone(),
            field_name: field.field_name.clone(),
        };
        let mut problem = |message: String| {
            problems.push(Problem {
                subject: subject.clone(),
                message,
            });
        };
        let input = sel.fields.get(&field.id);
        if field.field_type != RegistrationFieldType::RegistrationField {
            if input.is_some() {
                problem(format!(
                    "is a `{}` step done after registration; it takes no value",
                    field.field_type
                ));
            }
            checklist.push(PostRegistrationStep {
                field_id: field.id.clone(),
                kind: field.field_type.clone(),
                description: field.description.clone(),
                documentation: field.documentation.clone(),
                amount: field.amount,
                currency: field.currency.clone(),
                scopes: asked_by(&field.id),
            });
            continue;
        }
        let Some(name) = field.field_name.as_deref() else {
            if input.is_some() || (is_required && field.default.is_none()) {
                problem(
                    "the server's catalog gives this field no `field_name` (WG1-02 §3.6 \
                     requires one), so it cannot be sent"
                        .to_owned(),
                );
            }
            continue;
        };
        // §3.5: names MUST start with `cds_`; one that does not could overwrite `scope`.
        if !name.starts_with("cds_") || RESERVED.contains(&name) {
            problem(format!(
                "the server's field_name `{name}` does not start with `cds_` (WG1-02 §3.5), so \
                 it is not sent"
            ));
            continue;
        }
        let Some(input) = input else {
            if is_required && field.default.is_none() {
                problem(format!(
                    "is required by {} and has no default; give a value",
                    scopes_text(&asked_by(&field.id))
                ));
            }
            continue;
        };
        match check_field(field, input, read_file) {
            Ok((value, file)) => {
                if let Some(mut f) = file {
                    f.field_name = name.to_owned();
                    files.push(f);
                }
                request.insert(name.to_owned(), value);
            }
            Err(messages) => messages.into_iter().for_each(&mut problem),
        }
    }
    for id in sel.fields.keys() {
        if required.iter().chain(&optional).any(|f| &f.id == id) {
            continue;
        }
        let field_name = meta
            .cds_registration_fields
            .get(id)
            .and_then(|f| f.field_name.clone());
        let message = if meta.cds_registration_fields.contains_key(id) {
            "is not asked for by the selected scopes (WG1-02 §3.4 registration_requirements \
             and registration_optional)"
        } else {
            "is not a registration field of this server (cds_registration_fields)"
        };
        problems.push(Problem {
            subject: Subject::RegistrationField {
                id: id.clone(),
                field_name,
            },
            message: message.to_owned(),
        });
    }

    let authorization_details = check_details(meta, &selected, sel, now, &mut problems);

    match endpoint {
        Some(endpoint) if problems.is_empty() => Ok(RegistrationPlan {
            endpoint,
            request: Value::Object(request),
            checklist,
            authorization_details,
            files,
        }),
        _ => Err(problems),
    }
}

fn scopes_text(scopes: &[String]) -> String {
    match scopes {
        [] => "the selected scopes".to_owned(),
        [one] => format!("scope `{one}`"),
        many => format!(
            "scopes {}",
            many.iter()
                .map(|s| format!("`{s}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// RFC 7591 §2 metadata: a non-empty name, contacts as email addresses, absolute http(s) URIs.
fn client_metadata(c: &ClientMetadata, request: &mut Map<String, Value>, out: &mut Vec<Problem>) {
    let mut problem = |name: &str, message: String| {
        out.push(Problem {
            subject: Subject::ClientMetadata {
                name: name.to_owned(),
            },
            message,
        });
    };
    if let Some(n) = &c.client_name {
        if n.trim().is_empty() {
            problem("client_name", "must not be empty".to_owned());
        } else {
            request.insert("client_name".to_owned(), Value::String(n.clone()));
        }
    }
    if !c.contacts.is_empty() {
        for (i, e) in c.contacts.iter().enumerate() {
            if !registration_fields::is_email(e) {
                problem(
                    &format!("contacts[{i}]"),
                    format!("`{e}` is not an email address such as dev@example.com"),
                );
            }
        }
        request.insert(
            "contacts".to_owned(),
            Value::Array(c.contacts.iter().cloned().map(Value::String).collect()),
        );
    }
    for (name, v) in [
        ("client_uri", &c.client_uri),
        ("logo_uri", &c.logo_uri),
        ("tos_uri", &c.tos_uri),
        ("policy_uri", &c.policy_uri),
    ] {
        if let Some(u) = v {
            if let Err(m) = registration_fields::check_url(u) {
                problem(name, m);
            }
            request.insert(name.to_owned(), Value::String(u.clone()));
        }
    }
}

/// Checks one registration field's input against its format with the shared rules
/// ([`registration_fields`]: §3.7, CDS-WG3-01 §5.1 and §8.3); the value to send (and the file
/// it came from), or every rule broken.
fn check_field(
    field: &RegistrationField,
    input: &FieldInput,
    read_file: &dyn Fn(&Path) -> io::Result<Vec<u8>>,
) -> Result<(Value, Option<AttachedFile>), Vec<String>> {
    let format = field.format.clone().unwrap_or(Fmt::Other(String::new()));
    let fail = |m: String| Err(vec![m]);
    let value = match input {
        FieldInput::Null => {
            return match registration_fields::null_problem(&format) {
                Some(m) => fail(m),
                None => Ok((Value::Null, None)),
            };
        }
        FieldInput::Value(Value::Null) => return check_field(field, &FieldInput::Null, read_file),
        FieldInput::File(path) => {
            if !format.is_file() {
                return fail(format!(
                    "format `{format}` takes a value, not a file ({})",
                    path.display()
                ));
            }
            let bytes = match read_file(path) {
                Ok(b) => b,
                Err(e) => return fail(format!("cannot read {}: {e}", path.display())),
            };
            return check_file(field, &format, &bytes, Some(path));
        }
        FieldInput::Value(v) => v,
    };
    if format.is_file()
        && let Some(s) = value.as_str()
    {
        // Inline Base64 text: decoded so the same content checks apply.
        return match registration_fields::decode_base64(s) {
            Ok(bytes) => check_file(field, &format, &bytes, None),
            Err(e) => fail(format!(
                "must be a file (`{{ file = \"...\" }}`) or Base64 text: {e}"
            )),
        };
    }
    // Unknown formats take the value as written.
    registration_fields::check_value(field, value, PurposeRule::Complete).map(|v| (v, None))
}

/// Type by content (magic bytes, whatever the file is called), `max_size` on the raw bytes
/// (§3.5: before Base64), then Base64 (RFC 4648 §4, padded).
fn check_file(
    field: &RegistrationField,
    format: &Fmt,
    bytes: &[u8],
    path: Option<&PathBuf>,
) -> Result<(Value, Option<AttachedFile>), Vec<String>> {
    let what = path.map_or_else(|| "the value".to_owned(), |p| p.display().to_string());
    let errors = registration_fields::file_problems(field, format, bytes, &what);
    if !errors.is_empty() {
        return Err(errors);
    }
    let encoded = base64::engine::general_purpose::STANDARD.encode(bytes);
    Ok((
        Value::String(encoded),
        Some(AttachedFile {
            field_name: String::new(),
            path: path.cloned(),
            bytes: bytes.len(),
        }),
    ))
}

/// Authorization-details values per type, checked as the server will check them; selected
/// scopes whose own type has a required field and no values given are reported too.
fn check_details(
    meta: &AuthorizationServerMetadata,
    selected: &[&str],
    sel: &Selection,
    now: Timestamp,
    problems: &mut Vec<Problem>,
) -> BTreeMap<String, Vec<Value>> {
    let mut out = BTreeMap::new();
    let mut entries: Vec<(String, Value)> = Vec::new();
    for (t, fields) in &sel.authorization_details {
        let mut entry = Map::new();
        entry.insert("type".to_owned(), Value::String(t.clone()));
        for (k, v) in fields {
            if k == "type" {
                if v.as_str() != Some(t) {
                    problems.push(Problem {
                        subject: Subject::AuthorizationDetails {
                            scope: t.clone(),
                            field: "type".to_owned(),
                        },
                        message: format!("is {v}, but these values are listed under `{t}`"),
                    });
                }
                continue;
            }
            entry.insert(k.clone(), v.clone());
        }
        entries.push((t.clone(), Value::Object(entry)));
    }
    // A plain scope stands for its defaults (WG3-01 §7), which cannot cover a required field.
    // Only for scopes customers authorize: a client_credentials scope (Grant Admin,
    // Server-Provided Files) takes its authorization details with each token request.
    for id in selected {
        let given = sel.authorization_details.contains_key(*id);
        let needs = meta.cds_scope_descriptions.get(*id).is_some_and(|s| {
            s.needs_user_authorization()
                && s.authorization_details_fields_supported
                    .iter()
                    .any(|f| f.is_required && f.for_types.iter().any(|t| t == id))
        });
        if needs && !given {
            let mut entry = Map::new();
            entry.insert("type".to_owned(), Value::String((*id).to_owned()));
            entries.push(((*id).to_owned(), Value::Object(entry)));
        }
    }
    for (t, entry) in entries {
        let given = sel.authorization_details.contains_key(&t);
        match authorization_details::validate(meta, selected, None, &Value::Array(vec![entry]), now)
        {
            Ok(v) if given => {
                out.insert(t, v);
            }
            Ok(_) => {}
            Err(ps) => problems.extend(ps.into_iter().map(|p| Problem {
                subject: Subject::AuthorizationDetails {
                    scope: t.clone(),
                    field: if p.field == "type" {
                        String::new()
                    } else {
                        p.field
                    },
                },
                message: if given {
                    p.message
                } else {
                    format!("{} (no values were given for this scope)", p.message)
                },
            })),
        }
    }
    out
}

#[cfg(test)]
mod tests;
