//! What a filled-in console form sends (CDS-WG1-02 §6.9 a Message, §5.5 a client's changed
//! fields, §8.6 a grant's reduction), or why it cannot be sent yet — checked with the engine's
//! own rules (the §5.5 immutable fields, the §8.6 scope reduction) before anything goes out.

use serde_json::Value;

use super::ConsoleAction;
use super::forms::Compose;
use crate::app::widgets::form::{Form, Input, Presence};
use crate::cds::messages::MessageType;
use crate::cds::{ClientObject, Grant};
use crate::onboarding::manage::clients::IMMUTABLE_FIELDS;
use crate::onboarding::manage::grants::check_scope_reduction;
use crate::present::forms as words;

/// The text of field `key` (empty when left out).
pub(super) fn value(form: &Form, key: &str) -> String {
    form.fields
        .iter()
        .find(|f| f.key == key)
        .and_then(|f| match (&f.input, f.presence) {
            (Input::Text(t), Presence::Given) => Some(t.trim().to_owned()),
            _ => None,
        })
        .unwrap_or_default()
}

/// The id of the option chosen in field `key`.
pub(super) fn choice_id(form: &Form, key: &str) -> Option<String> {
    form.fields
        .iter()
        .find(|f| f.key == key)
        .and_then(|f| match &f.input {
            Input::Choice { options, at } => options.get(*at).map(|o| o.id.clone()),
            _ => None,
        })
}

pub(super) fn build_send(form: &Form) -> Result<ConsoleAction, String> {
    let kind = MessageType::from(choice_id(form, "type").unwrap_or_default().as_str());
    let (subject, body) = (value(form, "subject"), value(form, "body"));
    let mut c = Compose {
        kind: Some(kind.clone()),
        subject,
        body,
        ..Compose::default()
    };
    match kind {
        MessageType::ProductionRequest | MessageType::GrantRequest => {
            c.client_id = choice_id(form, "client");
            if c.client_id.is_none() {
                return Err(if kind == MessageType::ProductionRequest {
                    words::NO_SANDBOX
                } else {
                    words::NO_CLIENT
                }
                .to_owned());
            }
            if kind == MessageType::GrantRequest {
                c.scopes = value(form, "scopes")
                    .split_ascii_whitespace()
                    .map(str::to_owned)
                    .collect();
                if c.scopes.is_empty() {
                    return Err(words::NEEDS_SCOPE.to_owned());
                }
            }
        }
        _ if c.subject.is_empty() || c.body.is_empty() => {
            return Err(words::NEEDS_SUBJECT_AND_BODY.to_owned());
        }
        _ => {}
    }
    Ok(ConsoleAction::Send(Box::new(c)))
}

fn list(text: &str, seps: &[char]) -> Vec<String> {
    text.split(seps)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

fn strings(v: &[String]) -> Value {
    Value::Array(v.iter().cloned().map(Value::String).collect())
}

pub(super) fn build_modify(form: &Form, c: &ClientObject) -> Result<ConsoleAction, String> {
    let s = crate::text::sanitize;
    let mut changes: Vec<(String, Value)> = Vec::new();
    let name = value(form, "client_name");
    if name != s(c.client_name.as_deref().unwrap_or("")) {
        let v = if name.is_empty() {
            Value::Null
        } else {
            Value::String(name)
        };
        changes.push(("client_name".to_owned(), v));
    }
    let contacts = list(&value(form, "contacts"), &[',']);
    if contacts.join(", ") != s(&c.contacts.join(", ")) {
        changes.push(("contacts".to_owned(), strings(&contacts)));
    }
    let redirects = list(&value(form, "redirect_uris"), &[' ', ',']);
    if redirects.join(" ") != s(&c.redirect_uris.join(" ")) {
        changes.push(("redirect_uris".to_owned(), strings(&redirects)));
    }
    let other = value(form, "other");
    let other = if other.is_empty() {
        None
    } else {
        let Some((field, _)) = other.split_once('=') else {
            return Err(words::NOT_ASSIGNMENT.to_owned());
        };
        let field = field.trim();
        if let Some((f, why)) = IMMUTABLE_FIELDS.iter().find(|(f, _)| *f == field) {
            return Err(words::immutable(f, why));
        }
        Some(other)
    };
    if changes.is_empty() && other.is_none() {
        return Err(words::NOTHING_CHANGED.to_owned());
    }
    Ok(ConsoleAction::ModifyClient {
        client_id: c.client_id.clone(),
        changes,
        other,
    })
}

pub(super) fn build_reduce(form: &Form, g: &Grant) -> Result<ConsoleAction, String> {
    let scope = value(form, "scope");
    let current: Vec<&str> = g.scope.split_ascii_whitespace().collect();
    let new: Vec<&str> = scope.split_ascii_whitespace().collect();
    let scope = (new != current).then(|| new.join(" "));
    if let Some(sc) = &scope {
        check_scope_reduction(g, sc).map_err(|e| e.to_string())?;
    }
    let kept: Option<Vec<Value>> = form
        .fields
        .iter()
        .find(|f| f.key == "details")
        .and_then(|f| match &f.input {
            Input::Multi { chosen, .. } => Some(chosen.clone()),
            _ => None,
        })
        .filter(|chosen| chosen.iter().any(|c| !c))
        .map(|chosen| {
            g.authorization_details
                .iter()
                .zip(chosen)
                .filter(|(_, c)| *c)
                .map(|(d, _)| d.clone())
                .collect()
        });
    if kept.as_ref().is_some_and(Vec::is_empty) {
        return Err(words::NO_DETAIL_LEFT.to_owned());
    }
    if scope.is_none() && kept.is_none() {
        return Err(words::NOTHING_REDUCED.to_owned());
    }
    Ok(ConsoleAction::ReduceGrant {
        grant_id: g.grant_id.clone(),
        scope,
        authorization_details: kept,
    })
}
