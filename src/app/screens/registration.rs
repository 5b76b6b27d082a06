//! The Registration step: the profile name, RFC 7591 client metadata, and the union of the
//! required and optional registration fields of the selected scopes (CDS-WG1-02 §3.5–3.7) with
//! format-aware inputs; a checklist of what happens after registration, with amounts; and the
//! registration plan itself, built by `onboarding::plan` after every change, which the Review
//! step shows and the Submit step sends.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use serde_json::{Map, Value};

use super::{Screen, form_action};
use crate::app::keymap::{Action, Context};
use crate::app::screens::modifiers::Files;
use crate::app::widgets::form::{Field, Form, Input, Presence};
use crate::app::widgets::list::{PAGE, scroll};
use crate::app::{App, Effect, Notice, Step};
use crate::cds::auth_server_metadata::CLIENT_ADMIN_SCOPE;
use crate::cds::{
    AuthorizationServerMetadata, RegistrationField, RegistrationFieldFormat as Fmt,
    RegistrationFieldType,
};
use crate::onboarding::plan::{
    self, ClientMetadata, FieldInput, Problem as PlanProblem, RegistrationPlan, Selection, Subject,
};
use crate::present;
use crate::text::sanitize;

pub const GROUP_PROFILE: &str = "profile";
pub const GROUP_CLIENT: &str = "client";
pub const GROUP_FIELDS: &str = "fields";
pub const PROFILE_KEY: &str = "name";

/// One line of "what happens after registration" (§3.6 types other than `registration_field`).
#[derive(Debug, Clone, PartialEq)]
pub struct ChecklistRow {
    pub kind: String,
    pub description: String,
    /// "USD 25.00" for payments.
    pub amount: Option<String>,
    pub scopes: Vec<String>,
    /// Empty when the field has no documentation link (May 2023 registration extras).
    pub documentation: String,
}

#[derive(Debug, Clone, Default)]
pub struct RegistrationState {
    pub form: Form,
    pub checklist: Vec<ChecklistRow>,
    /// Problems not tied to one field of this form (a modifier, the server).
    pub general: Vec<String>,
    /// The request to send, once every problem is solved.
    pub plan: Option<RegistrationPlan>,
    pub detail_scroll: u16,
}

const CLIENT_FIELDS: &[(&str, &str, &str)] = &[
    (
        "client_name",
        "App name",
        "shown to customers on the consent page (RFC 7591 client_name)",
    ),
    (
        "contacts",
        "Contacts",
        "email addresses for the utility's notices, separated by commas",
    ),
    ("client_uri", "App website", "https URL (client_uri)"),
    ("logo_uri", "Logo URL", "https URL of your logo (logo_uri)"),
    ("tos_uri", "Terms of service URL", "https URL (tos_uri)"),
    ("policy_uri", "Privacy policy URL", "https URL (policy_uri)"),
];

/// A profile name from the utility's name: lowercase letters, digits and dashes, not taken.
pub fn suggest_profile(utility: &str, taken: &[String]) -> String {
    let mut base: String = utility
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    while base.contains("--") {
        base = base.replace("--", "-");
    }
    let base = base.trim_matches('-');
    let base = if base.is_empty() {
        "utility".to_owned()
    } else {
        base.chars().take(40).collect()
    };
    if !taken.contains(&base) {
        return base;
    }
    (2..)
        .map(|n| format!("{base}-{n}"))
        .find(|n| !taken.contains(n))
        .unwrap_or(base)
}

fn format_hint(f: &Fmt) -> &'static str {
    match f {
        Fmt::Url | Fmt::UrlOrNull => "https URL",
        Fmt::Email | Fmt::EmailOrNull => "email address",
        Fmt::Boolean | Fmt::BooleanOrNull => "Space switches",
        Fmt::Image | Fmt::ImageOrNull => "path of a PNG or JPEG file",
        Fmt::Pdf | Fmt::PdfOrNull => "path of a PDF file",
        Fmt::Purposes | Fmt::PurposesOrNull => {
            "JSON list of {\"name\",\"content\",\"related_uri\",\"related_name\"}"
        }
        _ => "text",
    }
}

/// The fields every registration has: the profile name, then the RFC 7591 client metadata.
fn fixed_fields(profile_suggestion: &str) -> Vec<Field> {
    let mut profile = Field::new(
        GROUP_PROFILE,
        PROFILE_KEY,
        "Profile name",
        Input::Text(profile_suggestion.to_owned()),
    );
    profile.presence = Presence::Given;
    profile.required = true;
    profile.help = vec![
        "the name this registration is stored under on this machine".to_owned(),
        "letters, digits, `-` and `_`; used by `cds-wizard token <profile>`".to_owned(),
    ];
    let mut fields = vec![profile];
    for (key, label, help) in CLIENT_FIELDS {
        let mut f = Field::new(GROUP_CLIENT, key, label, Input::Text(String::new()));
        f.help.push((*help).to_owned());
        fields.push(f);
    }
    fields
}

/// Something to do after registration (a payment, a review, a form), with its amount in the
/// words of `present::scope::cost`: `25.00 USD`.
fn checklist_row(def: &RegistrationField, scopes: Vec<String>) -> ChecklistRow {
    ChecklistRow {
        kind: sanitize(def.field_type.as_str()),
        description: sanitize(&def.description),
        amount: def.amount.as_ref().map(|a| match &def.currency {
            Some(c) => present::scope::cost(a, c),
            None => a.to_string(),
        }),
        scopes,
        documentation: def
            .documentation
            .as_ref()
            .map(|u| sanitize(u.as_str()))
            .unwrap_or_default(),
    }
}

/// A registration field (§3.6) as a form field: a switch for booleans, text otherwise, with
/// its format, limits and the scopes that ask for it in the help.
fn registration_field(def: &RegistrationField, is_required: bool, asked_by: &[String]) -> Field {
    let format = def.format.clone().unwrap_or(Fmt::String);
    let input = if matches!(format, Fmt::Boolean | Fmt::BooleanOrNull) {
        Input::Toggle(
            def.default
                .as_ref()
                .and_then(Value::as_bool)
                .unwrap_or(false),
        )
    } else {
        Input::Text(String::new())
    };
    let label = def
        .field_name
        .as_deref()
        .map_or_else(|| sanitize(&def.id), sanitize);
    let mut f = Field::new(GROUP_FIELDS, &def.id, &label, input);
    f.required = is_required && def.default.is_none();
    f.nullable = format.nullable();
    f.file = format.is_file();
    f.default_text = def.default.as_ref().map(|d| sanitize(&d.to_string()));
    f.help.push(sanitize(&def.description));
    let mut rule = format!(
        "{} · {} · asked by {}",
        def.id,
        format_hint(&format),
        asked_by.join(", ")
    );
    if let Some(m) = def.max_length {
        rule.push_str(&format!(" · at most {m} characters"));
    }
    if let Some(m) = def.max_size {
        rule.push_str(&format!(" · at most {m} bytes"));
    }
    f.help.push(sanitize(&rule));
    f
}

impl RegistrationState {
    /// The form for the `selected` scopes, keeping what was entered in `old`.
    pub fn build(
        meta: &AuthorizationServerMetadata,
        selected: &BTreeSet<String>,
        profile_suggestion: &str,
        old: &RegistrationState,
    ) -> Self {
        let mut fields = fixed_fields(profile_suggestion);
        let ids: Vec<&str> = meta
            .cds_scope_descriptions
            .keys()
            .map(String::as_str)
            .filter(|id| *id != CLIENT_ADMIN_SCOPE && selected.contains(*id))
            .collect();
        let (required, optional) = meta.registration_fields_for(&ids);
        let mut checklist = Vec::new();
        for (def, is_required) in required
            .iter()
            .map(|f| (*f, true))
            .chain(optional.iter().map(|f| (*f, false)))
        {
            let asked_by: Vec<String> = ids
                .iter()
                .filter_map(|s| meta.cds_scope_descriptions.get(*s))
                .filter(|s| {
                    s.registration_requirements.contains(&def.id)
                        || s.registration_optional.contains(&def.id)
                })
                .map(|s| sanitize(&s.id))
                .collect();
            if def.field_type == RegistrationFieldType::RegistrationField {
                fields.push(registration_field(def, is_required, &asked_by));
            } else {
                checklist.push(checklist_row(def, asked_by));
            }
        }
        let mut form = Form::new(fields);
        form.keep_from(&old.form);
        RegistrationState {
            form,
            checklist,
            general: Vec::new(),
            plan: None,
            detail_scroll: old.detail_scroll,
        }
    }

    pub fn profile_name(&self) -> String {
        self.form
            .fields
            .iter()
            .find(|f| f.group == GROUP_PROFILE)
            .map(|f| match &f.input {
                Input::Text(t) if f.presence == Presence::Given => t.trim().to_owned(),
                _ => String::new(),
            })
            .unwrap_or_default()
    }

    fn text(&self, group: &str, key: &str) -> Option<String> {
        self.form
            .fields
            .iter()
            .find(|f| f.group == group && f.key == key && f.presence == Presence::Given)
            .and_then(|f| match &f.input {
                Input::Text(t) if !t.trim().is_empty() => Some(t.trim().to_owned()),
                _ => None,
            })
    }

    /// What the user chose, as the engine takes it; `Err` lists fields whose text is not valid
    /// JSON where JSON is expected.
    fn selection(
        &self,
        selected: &BTreeSet<String>,
        details: BTreeMap<String, Map<String, Value>>,
    ) -> (Selection, Vec<(String, String)>) {
        let mut bad = Vec::new();
        let client = ClientMetadata {
            client_name: self.text(GROUP_CLIENT, "client_name"),
            contacts: self
                .text(GROUP_CLIENT, "contacts")
                .map(|t| {
                    t.split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default(),
            client_uri: self.text(GROUP_CLIENT, "client_uri"),
            logo_uri: self.text(GROUP_CLIENT, "logo_uri"),
            tos_uri: self.text(GROUP_CLIENT, "tos_uri"),
            policy_uri: self.text(GROUP_CLIENT, "policy_uri"),
        };
        let mut fields = BTreeMap::new();
        for f in self.form.fields.iter().filter(|f| f.group == GROUP_FIELDS) {
            let input = match (f.presence, &f.input) {
                (Presence::Omitted, _) => continue,
                (Presence::Null, _) => FieldInput::Null,
                (Presence::Given, Input::Toggle(b)) => FieldInput::Value(Value::Bool(*b)),
                (Presence::Given, Input::Text(t)) if f.file => FieldInput::File(PathBuf::from(t)),
                (Presence::Given, Input::Text(t)) if t.trim_start().starts_with(['[', '{']) => {
                    match serde_json::from_str::<Value>(t) {
                        Ok(v) => FieldInput::Value(v),
                        Err(e) => {
                            bad.push((f.key.clone(), format!("is not valid JSON: {e}")));
                            continue;
                        }
                    }
                }
                (Presence::Given, Input::Text(t)) => FieldInput::Value(Value::String(t.clone())),
                (Presence::Given, _) => continue,
            };
            fields.insert(f.key.clone(), input);
        }
        let selection = Selection {
            scopes: selected.iter().cloned().collect(),
            client,
            fields,
            authorization_details: details,
        };
        (selection, bad)
    }

    /// Rebuilds the plan and puts every problem on its field.
    pub fn revalidate(
        &mut self,
        meta: &AuthorizationServerMetadata,
        selected: &BTreeSet<String>,
        details: BTreeMap<String, Map<String, Value>>,
        files: &Files,
        taken: &[String],
        now: Timestamp,
    ) {
        let (selection, bad) = self.selection(selected, details);
        let read = |p: &Path| -> std::io::Result<Vec<u8>> {
            match files.get(p.to_string_lossy().as_ref()) {
                Some(Ok(bytes)) => Ok(bytes.to_vec()),
                Some(Err(e)) => Err(std::io::Error::other(e.clone())),
                None => Err(std::io::Error::other("still being read")),
            }
        };
        let result = plan::plan(meta, &selection, &read, now);
        for f in &mut self.form.fields {
            f.problem = None;
        }
        self.general.clear();
        for (key, m) in bad {
            put(
                &mut self.form,
                GROUP_FIELDS,
                &key,
                sanitize(&m),
                &mut self.general,
            );
        }
        if let Some(m) = self.profile_problem(taken) {
            put(
                &mut self.form,
                GROUP_PROFILE,
                PROFILE_KEY,
                sanitize(&m),
                &mut self.general,
            );
        }
        match result {
            Ok(p) => self.plan = Some(p),
            Err(problems) => {
                self.plan = None;
                self.place(problems);
            }
        }
        if self.form.problems() > 0 || !self.general.is_empty() {
            self.plan = None;
        }
    }

    /// Why the profile name cannot be used: none given, taken, or not a valid name.
    fn profile_problem(&self, taken: &[String]) -> Option<String> {
        let name = self.profile_name();
        if name.is_empty() {
            Some("give a profile name".to_owned())
        } else if taken.contains(&name) {
            Some(format!(
                "a profile named `{name}` already exists on this machine"
            ))
        } else {
            crate::profiles::model::validate_profile_name(&name)
                .err()
                .map(|e| e.to_string())
        }
    }

    /// The plan's problems, each on its field (client metadata, registration field) or among
    /// the general ones.
    fn place(&mut self, problems: Vec<PlanProblem>) {
        for p in problems {
            let message = sanitize(&p.message);
            match &p.subject {
                Subject::ClientMetadata { name } => {
                    let key = name.split('[').next().unwrap_or(name);
                    put(
                        &mut self.form,
                        GROUP_CLIENT,
                        key,
                        message,
                        &mut self.general,
                    );
                }
                Subject::RegistrationField { id, .. } => {
                    put(&mut self.form, GROUP_FIELDS, id, message, &mut self.general)
                }
                _ => self.general.push(sanitize(&p.to_string())),
            }
        }
    }

    pub fn problems(&self) -> usize {
        self.form.problems() + self.general.len()
    }
}

/// Puts `message` on the field `group`/`key` (its first problem wins), or in `general`.
fn put(form: &mut Form, group: &str, key: &str, message: String, general: &mut Vec<String>) {
    match form
        .fields
        .iter_mut()
        .find(|f| f.group == group && f.key == key)
    {
        Some(f) if f.problem.is_none() => f.problem = Some(message),
        Some(_) => {}
        None => general.push(message),
    }
}

/// The Registration screen's input.
pub struct Registration;

impl Screen for Registration {
    fn context(&self, app: &App) -> Context {
        if self.typing(app) {
            Context::Edit
        } else {
            Context::Form
        }
    }

    fn typing(&self, app: &App) -> bool {
        app.registration.form.editing.is_some()
    }

    fn update(&self, app: &mut App, action: Action) -> Vec<Effect> {
        if let Some(effects) = form_action(app, action, |a| &mut a.registration.form, revalidate) {
            return effects;
        }
        match action {
            Action::DetailUp => scroll(&mut app.registration.detail_scroll, -PAGE),
            Action::DetailDown => scroll(&mut app.registration.detail_scroll, PAGE),
            Action::Next => {
                if app.registration.plan.is_some() {
                    app.review.scroll = 0;
                    app.step = Step::Review;
                } else {
                    app.notice = Some(Notice::FixFirst(app.registration.problems().max(1)));
                }
            }
            Action::Back => app.go_to(Step::Modifiers),
            _ => {}
        }
        Vec::new()
    }

    fn type_text(&self, app: &mut App, text: &str) {
        app.registration.form.type_str(text);
    }

    fn click_row(&self, app: &mut App, n: usize) {
        app.registration.form.move_to(n);
    }
}

/// Validates the form and rebuilds the plan (the files, the stored profiles, the clock or a
/// value changed).
pub(crate) fn revalidate(app: &mut App) {
    if let Some(meta) = &app.meta {
        let details = app.modifiers.details(meta, &app.files);
        app.registration.revalidate(
            meta,
            &app.scopes.selected,
            details,
            &app.files,
            &app.taken_profiles,
            app.wall,
        );
    }
}

/// Enters the step: the form is built for the selected scopes, keeping what was entered.
pub(crate) fn enter(app: &mut App) {
    let Some(meta) = app.meta.clone() else {
        app.notice = Some(Notice::NoOAuth);
        return;
    };
    let suggestion = suggest_profile(&app.utility_name, &app.taken_profiles);
    app.registration =
        RegistrationState::build(&meta, &app.scopes.selected, &suggestion, &app.registration);
    revalidate(app);
    app.step = Step::Registration;
}

#[cfg(test)]
mod tests {
    use super::suggest_profile;

    #[test]
    fn profile_names_are_slugs_and_unique() {
        assert_eq!(
            suggest_profile("Demo Gas & Electric", &[]),
            "demo-gas-electric"
        );
        assert_eq!(
            suggest_profile("Demo Gas & Electric", &["demo-gas-electric".into()]),
            "demo-gas-electric-2"
        );
        assert_eq!(suggest_profile("\u{1b}[31m", &[]), "31m");
        assert_eq!(suggest_profile("", &[]), "utility");
    }
}
