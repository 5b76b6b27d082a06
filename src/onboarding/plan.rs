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

mod details;
mod fields;

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use serde::Serialize;
use serde_json::{Map, Value};
use url::Url;

use crate::cds::auth_server_metadata::CLIENT_ADMIN_SCOPE;
use crate::cds::formats::Decimal;
use crate::cds::registration_fields;
use crate::cds::{AuthorizationServerMetadata, RegistrationFieldType};

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
    /// None for a May 2023 registration extra (that draft gave no documentation link).
    pub documentation: Option<Url>,
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

    let selected = selected_scopes(meta, sel, &mut problems);
    let mut scope = vec![CLIENT_ADMIN_SCOPE];
    scope.extend(&selected);

    let mut request = Map::new();
    // In the words of the server's draft: `client_admin` for the CDSC 2025 draft (§3.3.1).
    let scope = crate::cds::drafts::wire_scope(meta.draft, &scope.join(" "));
    request.insert("scope".to_owned(), Value::String(scope));
    client_metadata(&sel.client, &mut request, &mut problems);
    let fields = fields::plan_fields(meta, &selected, sel, read_file, &mut request, &mut problems);
    let authorization_details = details::check_details(meta, &selected, sel, now, &mut problems);

    match endpoint {
        Some(endpoint) if problems.is_empty() => Ok(RegistrationPlan {
            endpoint,
            request: Value::Object(request),
            checklist: fields.checklist,
            authorization_details,
            files: fields.files,
        }),
        _ => Err(problems),
    }
}

/// Scopes (§4.1): the selected ones in catalog order, each once, without `cds_client_admin`
/// (which the plan puts first); a scope the catalog does not describe is refused.
fn selected_scopes<'a>(
    meta: &'a AuthorizationServerMetadata,
    sel: &Selection,
    problems: &mut Vec<Problem>,
) -> Vec<&'a str> {
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
    meta.cds_scope_descriptions
        .keys()
        .map(String::as_str)
        .filter(|id| *id != CLIENT_ADMIN_SCOPE && sel.scopes.iter().any(|s| s == id))
        .collect()
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

#[cfg(test)]
mod tests;
