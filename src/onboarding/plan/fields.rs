//! The registration fields of a selection (CDS-WG1-02 §3.4–§3.7, CDS-WG3-01 §5.1): values
//! checked and sent under their `field_name` (§4.1), files as Base64, and post-registration
//! requirements (§3.6) as the checklist.

use std::io;
use std::path::{Path, PathBuf};

use base64::Engine;
use serde_json::{Map, Value};

use crate::cds::registration_fields::{self, PurposeRule};
use crate::cds::{
    AuthorizationServerMetadata, RegistrationField, RegistrationFieldFormat as Fmt,
    RegistrationFieldType,
};

use super::{AttachedFile, FieldInput, PostRegistrationStep, Problem, Selection, Subject};

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

/// What the registration fields add to the plan besides the request's values.
#[derive(Default)]
pub(super) struct PlannedFields {
    pub(super) files: Vec<AttachedFile>,
    pub(super) checklist: Vec<PostRegistrationStep>,
}

/// The registration fields of the selected scopes (§3.4–§3.7): values checked and inserted in
/// `request`, files remembered, post-registration steps listed; values given for fields the
/// scopes do not ask for are problems too.
pub(super) fn plan_fields(
    meta: &AuthorizationServerMetadata,
    selected: &[&str],
    sel: &Selection,
    read_file: &dyn Fn(&Path) -> io::Result<Vec<u8>>,
    request: &mut Map<String, Value>,
    problems: &mut Vec<Problem>,
) -> PlannedFields {
    let (required, optional) = meta.registration_fields_for(selected);
    let fields = Fields {
        meta,
        selected,
        sel,
        read_file,
    };
    let mut planned = PlannedFields::default();
    for (field, is_required) in required
        .iter()
        .map(|f| (*f, true))
        .chain(optional.iter().map(|f| (*f, false)))
    {
        fields.plan_field(field, is_required, request, &mut planned, problems);
    }
    unasked_fields(meta, sel, &required, &optional, problems);
    planned
}

/// What one field is planned against.
struct Fields<'a> {
    meta: &'a AuthorizationServerMetadata,
    selected: &'a [&'a str],
    sel: &'a Selection,
    read_file: &'a dyn Fn(&Path) -> io::Result<Vec<u8>>,
}

fn field_problem(field: &RegistrationField, message: String) -> Problem {
    Problem {
        subject: Subject::RegistrationField {
            id: field.id.clone(),
            field_name: field.field_name.clone(),
        },
        message,
    }
}

impl Fields<'_> {
    /// The selected scopes that require or allow the field `id`.
    fn asked_by(&self, id: &str) -> Vec<String> {
        self.selected
            .iter()
            .filter_map(|s| self.meta.cds_scope_descriptions.get(*s))
            .filter(|s| {
                s.registration_requirements.iter().any(|r| r == id)
                    || s.registration_optional.iter().any(|r| r == id)
            })
            .map(|s| s.id.clone())
            .collect()
    }

    /// One field: a checklist step, or a checked value sent under its `field_name`.
    fn plan_field(
        &self,
        field: &RegistrationField,
        is_required: bool,
        request: &mut Map<String, Value>,
        planned: &mut PlannedFields,
        problems: &mut Vec<Problem>,
    ) {
        let problem = |message: String| field_problem(field, message);
        let input = self.sel.fields.get(&field.id);
        if field.field_type != RegistrationFieldType::RegistrationField {
            if input.is_some() {
                problems.push(problem(format!(
                    "is a `{}` step done after registration; it takes no value",
                    field.field_type
                )));
            }
            planned.checklist.push(self.checklist_step(field));
            return;
        }
        let Some(name) = field.field_name.as_deref() else {
            if input.is_some() || (is_required && field.default.is_none()) {
                problems.push(problem(
                    "the server's catalog gives this field no `field_name` (WG1-02 §3.6 \
                     requires one), so it cannot be sent"
                        .to_owned(),
                ));
            }
            return;
        };
        // §3.5: names MUST start with `cds_`; one that does not could overwrite `scope`.
        if !name.starts_with("cds_") || RESERVED.contains(&name) {
            problems.push(problem(format!(
                "the server's field_name `{name}` does not start with `cds_` (WG1-02 §3.5), so \
                 it is not sent"
            )));
            return;
        }
        let Some(input) = input else {
            if is_required && field.default.is_none() {
                problems.push(problem(format!(
                    "is required by {} and has no default; give a value",
                    scopes_text(&self.asked_by(&field.id))
                )));
            }
            return;
        };
        match check_field(field, input, self.read_file) {
            Ok((value, file)) => {
                if let Some(mut f) = file {
                    f.field_name = name.to_owned();
                    planned.files.push(f);
                }
                request.insert(name.to_owned(), value);
            }
            Err(messages) => problems.extend(messages.into_iter().map(problem)),
        }
    }

    /// A post-registration requirement (§3.6) as a step of the checklist.
    fn checklist_step(&self, field: &RegistrationField) -> PostRegistrationStep {
        PostRegistrationStep {
            field_id: field.id.clone(),
            kind: field.field_type.clone(),
            description: field.description.clone(),
            documentation: field.documentation.clone(),
            amount: field.amount,
            currency: field.currency.clone(),
            scopes: self.asked_by(&field.id),
        }
    }
}

/// Values given for fields the selected scopes do not ask for, or that the server does not
/// have.
fn unasked_fields(
    meta: &AuthorizationServerMetadata,
    sel: &Selection,
    required: &[&RegistrationField],
    optional: &[&RegistrationField],
    problems: &mut Vec<Problem>,
) {
    for id in sel.fields.keys() {
        if required.iter().chain(optional).any(|f| &f.id == id) {
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

/// Checks one registration field's input against its format with the shared rules
/// ([`registration_fields`]: §3.7, CDS-WG3-01 §5.1 and §8.3); the value to send (and the file
/// it came from), or every rule broken.
fn check_field(
    field: &RegistrationField,
    input: &FieldInput,
    read_file: &dyn Fn(&Path) -> io::Result<Vec<u8>>,
) -> Result<(Value, Option<AttachedFile>), Vec<String>> {
    let format = field.format.clone().unwrap_or(Fmt::Other(Box::default()));
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
