//! The Modifiers step: a typed form of every authorization details field (CDS-WG1-02 §3.8–3.10,
//! CDS-WG3-01 §7) of the selected scopes, validated live with the same code the demo server and
//! the headless commands use (`cds::authorization_details`), with a plain reading of each value
//! and a preview of the `authorization_details` JSON (RFC 9396) that will be requested.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use jiff::{Timestamp, ZonedDateTime as Zoned};
use serde_json::{Map, Value};

use super::{Screen, form_action};
use crate::app::keymap::{Action, Context};
use crate::app::widgets::form::{Field, Form, Input, Opt, Presence};
use crate::app::widgets::list::{PAGE, scroll};
use crate::app::{App, Effect, Notice, Step};
use crate::cds::authorization_details::{self, FieldProblem, server_zone};
use crate::cds::catalog::CatalogScope;
use crate::cds::{
    AuthorizationDetailsField, AuthorizationDetailsFieldFormat as F, AuthorizationServerMetadata,
};
use crate::text::sanitize;

/// Files read in the background, by the path as typed: the bytes, or why they could not be read.
pub type Files = HashMap<String, Result<Arc<Vec<u8>>, String>>;

/// One scope with modifiers: its id, the `type` its entry uses, and its (sanitized) name.
#[derive(Debug, Clone, PartialEq)]
pub struct ModScope {
    pub id: String,
    pub entry_type: String,
    pub name: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ModifiersState {
    pub form: Form,
    pub scopes: Vec<ModScope>,
    /// The `authorization_details` JSON, one sanitized line per row.
    pub preview: Vec<String>,
    /// Problems about a whole entry, not one field.
    pub general: Vec<String>,
    pub preview_scroll: u16,
    /// The server's time zone, for relative dates.
    pub zone: String,
    /// Selected scopes whose modifiers go with each token request (client_credentials), not
    /// with a customer's authorization: named, not asked here.
    pub per_request: Vec<String>,
}

fn nullable(f: &F) -> bool {
    matches!(
        f,
        F::StringOrNull
            | F::StringListOrNull
            | F::ChoiceOrNull
            | F::ChoiceListOrNull
            | F::JwkOrNull
    )
}

fn is_date(f: &F) -> bool {
    matches!(f, F::RelativeOrAbsoluteDate | F::RelativeOrAbsoluteDatetime)
}

fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(value_text).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}

fn hint(format: &F) -> &'static str {
    match format {
        F::Int => "a whole number",
        F::Decimal => "a decimal number such as 0.01",
        F::StringList | F::StringListOrNull => "values separated by commas",
        F::RelativeOrAbsoluteDate => {
            "an ISO 8601 duration (P2Y, P6M), a date (2025-01-31) or `infinite`"
        }
        F::RelativeOrAbsoluteDatetime => {
            "an ISO 8601 duration (P30D, PT12H), a date-time (2025-01-31T00:00:00Z) or `infinite`"
        }
        F::JwkOrNull => "the path of a JSON file holding one public JWK (RFC 7517)",
        F::Boolean => "Space switches",
        F::Choice | F::ChoiceOrNull => "←/→ choose",
        F::ChoiceListOrNull => "←/→ move, Space picks",
        _ => "text",
    }
}

/// The form field of one modifier of `cs`: its input from the format and default, its label
/// and help from the (sanitized) catalog.
fn field(cs: &CatalogScope, def: &AuthorizationDetailsField) -> Field {
    let shown = cs
        .authorization_details_fields
        .iter()
        .find(|m| m.id == def.id);
    let default = def.default.as_ref();
    let label = shown.map_or_else(|| sanitize(&def.name), |m| m.name.clone());
    let mut field = Field::new(&cs.id, &def.id, &label, input(def));
    field.required = def.is_required;
    field.nullable = nullable(&def.format);
    field.file = def.format == F::JwkOrNull;
    field.default_text = default.map(|d| sanitize(&value_text(d)));
    if let Some(m) = shown {
        field.help.push(m.description.clone());
        let mut rule = format!("{} · {}", def.id, hint(&def.format));
        if let Some(r) = &m.range {
            rule.push_str(&format!(" · range {r}"));
        }
        field.help.push(sanitize(&rule));
    }
    field
}

/// How a modifier is entered: a switch, a choice, picks from a list, or typed text; set to
/// its default.
fn input(def: &AuthorizationDetailsField) -> Input {
    let default = def.default.as_ref();
    let options: Vec<Opt> = def
        .choices
        .iter()
        .flatten()
        .map(|c| Opt {
            id: c.id.clone(),
            name: sanitize(&c.name),
        })
        .collect();
    match &def.format {
        F::Boolean => Input::Toggle(default.and_then(Value::as_bool).unwrap_or(false)),
        F::Choice | F::ChoiceOrNull => {
            let at = default
                .and_then(Value::as_str)
                .and_then(|d| options.iter().position(|o| o.id == d))
                .unwrap_or(0);
            Input::Choice { options, at }
        }
        F::ChoiceListOrNull => {
            let picked: Vec<&str> = default
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let chosen = options
                .iter()
                .map(|o| picked.contains(&o.id.as_str()))
                .collect();
            Input::Multi {
                options,
                chosen,
                at: 0,
            }
        }
        _ => Input::Text(String::new()),
    }
}

impl ModifiersState {
    /// The form for `selected` scopes, keeping what was entered in `old`.
    pub fn build(
        meta: &AuthorizationServerMetadata,
        catalog: &[CatalogScope],
        selected: &BTreeSet<String>,
        old: &ModifiersState,
    ) -> Self {
        let mut fields = Vec::new();
        let mut scopes = Vec::new();
        let mut per_request = Vec::new();
        // Catalog order, so the form follows the Scopes screen.
        for cs in catalog.iter().filter(|c| selected.contains(&c.id)) {
            let Some(sd) = meta.cds_scope_descriptions.get(&cs.id) else {
                continue;
            };
            let Some(entry_type) = sd.authorization_details_types_supported.first() else {
                continue;
            };
            let defs: Vec<_> = sd
                .authorization_details_fields_supported
                .iter()
                .filter(|f| f.for_types.iter().any(|t| t == entry_type))
                .collect();
            if defs.is_empty() {
                continue;
            }
            if !sd.needs_user_authorization() {
                per_request.push(cs.id.clone());
                continue;
            }
            scopes.push(ModScope {
                id: cs.id.clone(),
                entry_type: entry_type.clone(),
                name: cs.name.clone(),
            });
            fields.extend(defs.into_iter().map(|def| field(cs, def)));
        }
        let mut form = Form::new(fields);
        form.keep_from(&old.form);
        ModifiersState {
            form,
            scopes,
            preview: Vec::new(),
            general: Vec::new(),
            preview_scroll: old.preview_scroll,
            per_request,
            zone: meta
                .cds_timezone
                .as_deref()
                .map(sanitize)
                .unwrap_or_else(|| "UTC".to_owned()),
        }
    }

    /// The chosen fields per entry `type`, for the registration plan; fields that do not convert
    /// are left out (they are reported on the form).
    pub fn details(
        &self,
        meta: &AuthorizationServerMetadata,
        files: &Files,
    ) -> BTreeMap<String, Map<String, Value>> {
        let mut out = BTreeMap::new();
        for s in &self.scopes {
            let mut entry = Map::new();
            for f in self.form.fields.iter().filter(|f| f.group == s.id) {
                if let Some(Ok(v)) = convert(meta, s, f, files) {
                    entry.insert(f.key.clone(), v);
                }
            }
            out.insert(s.entry_type.clone(), entry);
        }
        out
    }

    /// Recomputes every field's problem and reading, and the preview.
    pub fn revalidate(
        &mut self,
        meta: &AuthorizationServerMetadata,
        files: &Files,
        now: Timestamp,
    ) {
        let scope_ids: Vec<&str> = self.scopes.iter().map(|s| s.id.as_str()).collect();
        let (entries, conversion) = self.entries(meta, files);
        let result = authorization_details::validate(
            meta,
            &scope_ids,
            None,
            &Value::Array(entries.clone()),
            now,
        );
        self.general.clear();
        for f in &mut self.form.fields {
            f.problem = conversion.get(&(f.group.clone(), f.key.clone())).cloned();
            f.reading = None;
        }
        let shown = match result {
            Ok(complete) => complete,
            Err(problems) => {
                self.place(problems);
                entries
            }
        };
        self.read(meta, &shown, &now.to_zoned_datetime(server_zone(meta)));
        let json = serde_json::to_string_pretty(&Value::Array(shown)).unwrap_or_default();
        self.preview = json.lines().map(sanitize).collect();
    }

    /// One entry per scope with what converts, and why each field that does not convert
    /// cannot (by scope and field id).
    fn entries(
        &self,
        meta: &AuthorizationServerMetadata,
        files: &Files,
    ) -> (Vec<Value>, HashMap<(String, String), String>) {
        let mut entries = Vec::new();
        let mut conversion = HashMap::new();
        for s in &self.scopes {
            let mut entry = Map::new();
            entry.insert("type".into(), Value::String(s.entry_type.clone()));
            for f in self.form.fields.iter().filter(|f| f.group == s.id) {
                match convert(meta, s, f, files) {
                    Some(Ok(v)) => {
                        entry.insert(f.key.clone(), v);
                    }
                    Some(Err(e)) => {
                        conversion.insert((f.group.clone(), f.key.clone()), e);
                    }
                    None => {}
                }
            }
            entries.push(Value::Object(entry));
        }
        (entries, conversion)
    }

    /// Each problem on its field (the first one a field has), or among the general ones.
    fn place(&mut self, problems: Vec<FieldProblem>) {
        for p in problems {
            let scope = self.scopes.get(p.index).map(|s| s.id.clone());
            let field = self
                .form
                .fields
                .iter_mut()
                .find(|f| Some(&f.group) == scope.as_ref() && f.key == p.field);
            match field {
                Some(f) if f.problem.is_none() => f.problem = Some(sanitize(&p.message)),
                Some(_) => {}
                None => self.general.push(sanitize(&p.to_string())),
            }
        }
    }

    /// Readings of what will be asked for, defaults included, in the server's zone.
    fn read(&mut self, meta: &AuthorizationServerMetadata, shown: &[Value], zoned: &Zoned) {
        for (s, entry) in self.scopes.iter().zip(shown) {
            let Some(sd) = meta.cds_scope_descriptions.get(&s.id) else {
                continue;
            };
            for f in self.form.fields.iter_mut().filter(|f| f.group == s.id) {
                if f.problem.is_some() {
                    continue;
                }
                let (Some(def), Some(v)) = (
                    sd.authorization_details_fields_supported
                        .iter()
                        .find(|d| d.id == f.key),
                    entry.get(&f.key),
                ) else {
                    continue;
                };
                let mut text = authorization_details::reading(def, v, zoned);
                if is_date(&def.format) && !v.is_null() {
                    text.push_str(&format!(", {}", self.zone));
                }
                f.reading = Some(sanitize(&text));
            }
        }
    }

    pub fn problems(&self) -> usize {
        self.form.problems() + self.general.len()
    }
}

/// A field's JSON value: `None` when it is left out, `Err` when the text does not convert.
fn convert(
    meta: &AuthorizationServerMetadata,
    s: &ModScope,
    f: &Field,
    files: &Files,
) -> Option<Result<Value, String>> {
    match f.presence {
        Presence::Omitted => return None,
        Presence::Null => return Some(Ok(Value::Null)),
        Presence::Given => {}
    }
    let def = meta
        .cds_scope_descriptions
        .get(&s.id)?
        .authorization_details_fields_supported
        .iter()
        .find(|d| d.id == f.key)?;
    Some(match &f.input {
        Input::Toggle(b) => Ok(Value::Bool(*b)),
        Input::Choice { options, at } => options
            .get(*at)
            .map(|o| Value::String(o.id.clone()))
            .ok_or_else(|| "the server lists no choices for this field".to_owned()),
        Input::Multi {
            options, chosen, ..
        } => Ok(Value::Array(
            options
                .iter()
                .zip(chosen)
                .filter(|(_, c)| **c)
                .map(|(o, _)| Value::String(o.id.clone()))
                .collect(),
        )),
        Input::Text(t) => text_value(&def.format, t, files),
    })
}

fn text_value(format: &F, t: &str, files: &Files) -> Result<Value, String> {
    match format {
        F::Int => t
            .parse::<i64>()
            .map(Value::from)
            .map_err(|_| format!("`{t}` is not a whole number")),
        F::Decimal => match t.parse::<rust_decimal::Decimal>() {
            // Through the text, so the exact digits are kept (arbitrary precision numbers).
            Ok(_) => serde_json::from_str::<Value>(t)
                .map_err(|_| format!("`{t}` is not a decimal number such as 0.01")),
            Err(_) => Err(format!("`{t}` is not a decimal number such as 0.01")),
        },
        F::StringList | F::StringListOrNull => Ok(Value::Array(
            t.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| Value::String(s.to_owned()))
                .collect(),
        )),
        F::JwkOrNull => match files.get(t) {
            None => Err(format!("reading {t}…")),
            Some(Err(e)) => Err(e.clone()),
            Some(Ok(bytes)) => match serde_json::from_slice::<Value>(bytes) {
                Ok(v) if v.get("d").is_some() => Err(format!(
                    "{t} holds a private key (member `d`); give the public key only (RFC 7517 §4)"
                )),
                Ok(v @ Value::Object(_)) if v.get("kty").is_some_and(Value::is_string) => Ok(v),
                Ok(_) => Err(format!(
                    "{t} is JSON but not a JWK: a JSON object with `kty` (RFC 7517 §4)"
                )),
                Err(e) => Err(format!("{t} is not JSON: {e}")),
            },
        },
        _ => Ok(Value::String(t.to_owned())),
    }
}

/// The Modifiers screen's input.
pub struct Modifiers;

impl Screen for Modifiers {
    fn context(&self, app: &App) -> Context {
        if self.typing(app) {
            Context::Edit
        } else {
            Context::Form
        }
    }

    fn typing(&self, app: &App) -> bool {
        app.modifiers.form.editing.is_some()
    }

    fn update(&self, app: &mut App, action: Action) -> Vec<Effect> {
        if let Some(effects) = form_action(app, action, |a| &mut a.modifiers.form, revalidate) {
            return effects;
        }
        match action {
            Action::DetailUp => scroll(&mut app.modifiers.preview_scroll, -PAGE),
            Action::DetailDown => scroll(&mut app.modifiers.preview_scroll, PAGE),
            Action::Next => {
                let n = app.modifiers.problems();
                if n > 0 {
                    app.notice = Some(Notice::FixFirst(n));
                } else {
                    super::registration::enter(app);
                }
            }
            Action::Back => app.go_to(Step::Scopes),
            _ => {}
        }
        Vec::new()
    }

    fn type_text(&self, app: &mut App, text: &str) {
        app.modifiers.form.type_str(text);
    }

    fn click_row(&self, app: &mut App, n: usize) {
        app.modifiers.form.move_to(n);
    }
}

/// Validates the form again (the files or the clock changed, or a value).
pub(crate) fn revalidate(app: &mut App) {
    if let Some(meta) = &app.meta {
        app.modifiers.revalidate(meta, &app.files, app.wall);
    }
}

/// Enters the step: the form is built for the selected scopes, keeping what was entered.
pub(crate) fn enter(app: &mut App) {
    if let Some(meta) = app.meta.clone() {
        app.modifiers = ModifiersState::build(
            &meta,
            &app.scopes.catalog,
            &app.scopes.selected,
            &app.modifiers,
        );
        revalidate(app);
        app.step = Step::Modifiers;
    } else {
        app.notice = Some(Notice::NoOAuth);
    }
}
