//! The console's forms (issue 11): send a Message or answer a `server_request` (CDS-WG1-02
//! §6.9), modify a Client object (§5.5), reduce a Grant (§8.6). Each is a small typed form over
//! the tab; typing goes to the field under the cursor, Enter moves on and sends from the last
//! field, Esc closes it. What the form would send is checked here first (the immutable fields
//! from the engine's own table); the engine checks again and the server has the last word,
//! shown in place.

use super::ConsoleAction;
use super::build::{build_modify, build_reduce, build_send, choice_id, value};
use crate::app::ReqId;
use crate::app::keymap::Action;
use crate::app::screens::authorize::ClientRow;
use crate::app::widgets::form::{Field, Form, Input, Opt, Presence};
use crate::cds::messages::MessageType;
use crate::cds::{ClientObject, ClientStatus, Grant, Message};
use crate::present::forms as words;

/// A Message as the console sends it (§6.9); the executor hands it to the engine.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Compose {
    pub kind: Option<MessageType>,
    pub subject: String,
    pub body: String,
    /// A production or grant request: the Client object it names.
    pub client_id: Option<String>,
    /// A grant request: one Grant request per scope.
    pub scopes: Vec<String>,
    /// A client_submission: the server_request it answers, and (field, text) per answer.
    pub in_reply_to: Option<String>,
    pub answers: Vec<(String, String)>,
}

/// A client a Message can name: its id, how it reads, and whether it is a sandbox one.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientChoice {
    pub id: String,
    pub label: String,
    pub sandbox: bool,
}

/// Which form is open, and what it is about.
#[derive(Debug, Clone, PartialEq)]
pub enum FormKind {
    Send { clients: Vec<ClientChoice> },
    Answer { message_id: String },
    Modify { client: Box<ClientObject> },
    Reduce { grant: Box<Grant> },
}

#[derive(Debug, Clone, PartialEq)]
pub struct ConsoleForm {
    pub kind: FormKind,
    pub form: Form,
    /// The heading over the fields.
    pub heading: String,
    /// Why it cannot be sent as filled in, or the engine's or server's answer.
    pub problem: Option<String>,
    /// While it is being sent.
    pub sending: Option<ReqId>,
}

/// The client message types a person writes (a client_submission is an answer, §6.9).
const SEND_TYPES: [MessageType; 4] = [
    MessageType::SupportRequest,
    MessageType::PrivateMessage,
    MessageType::ProductionRequest,
    MessageType::GrantRequest,
];
const G: &str = "form";

fn text(key: &str, label: &str, help: &str, value: &str) -> Field {
    let mut f = Field::new(G, key, label, Input::Text(value.to_owned()));
    f.help = vec![help.to_owned()];
    if !value.is_empty() {
        f.presence = Presence::Given;
    }
    f
}

fn choice(key: &str, label: &str, help: &str, options: Vec<Opt>, at: usize) -> Field {
    let mut f = Field::new(G, key, label, Input::Choice { options, at });
    f.help = vec![help.to_owned()];
    f.presence = Presence::Given;
    f
}

fn opt(id: &str, name: String) -> Opt {
    Opt {
        id: id.to_owned(),
        name,
    }
}

impl ConsoleForm {
    fn new(kind: FormKind, heading: String, fields: Vec<Field>) -> ConsoleForm {
        let mut form = ConsoleForm {
            kind,
            form: Form::new(fields),
            heading,
            problem: None,
            sending: None,
        };
        form.enter_field();
        form
    }

    /// A new Message (support request first). It can name the clients the Clients tab loaded
    /// and, after them, the others the profile knows (not yet paged to).
    pub fn send(loaded: &[ClientObject], known: &[ClientRow]) -> ConsoleForm {
        let mut clients: Vec<ClientChoice> = loaded
            .iter()
            .map(|c| ClientChoice {
                id: c.client_id.clone(),
                label: words::client_option(c),
                sandbox: c.cds_status_options.contains(&ClientStatus::Sandbox),
            })
            .collect();
        for r in known {
            if !clients.iter().any(|c| c.id == r.client_id) {
                clients.push(ClientChoice {
                    id: r.client_id.clone(),
                    label: words::known_client_option(&r.client_id, &r.status, &r.scope),
                    sandbox: r.status == ClientStatus::Sandbox.as_str(),
                });
            }
        }
        let kind = FormKind::Send { clients };
        let fields = send_fields(&kind, &MessageType::SupportRequest);
        ConsoleForm::new(kind, words::SEND_HEADING.to_owned(), fields)
    }

    /// A client_submission answering `m` (a server_request): one field per field it asks for.
    pub fn answer(m: &Message) -> Result<ConsoleForm, &'static str> {
        if m.message_type != MessageType::ServerRequest {
            return Err(words::NOT_AN_ANSWERABLE);
        }
        let fields: Vec<Field> = m
            .updates_requested
            .iter()
            .flatten()
            .map(|u| {
                let what = u.description.as_deref().or(u.name.as_deref());
                let label = crate::text::sanitize_line(&u.field, 30);
                text(&u.field, &label, &words::asked_help(&u.field, what), "")
            })
            .collect();
        if fields.is_empty() {
            return Err(words::NOTHING_ASKED);
        }
        let kind = FormKind::Answer {
            message_id: m.message_id.clone(),
        };
        Ok(ConsoleForm::new(kind, words::answering(&m.name), fields))
    }

    /// The mutable fields people change most, filled in, and one line for any other field.
    pub fn modify(c: &ClientObject) -> ConsoleForm {
        let s = crate::text::sanitize;
        let fields = vec![
            text(
                "client_name",
                words::NAME,
                words::NAME_HELP,
                &s(c.client_name.as_deref().unwrap_or("")),
            ),
            text(
                "contacts",
                words::CONTACTS,
                words::CONTACTS_HELP,
                &s(&c.contacts.join(", ")),
            ),
            text(
                "redirect_uris",
                words::REDIRECTS,
                words::REDIRECTS_HELP,
                &s(&c.redirect_uris.join(" ")),
            ),
            text("other", words::OTHER, words::OTHER_HELP, ""),
        ];
        let heading = words::modifying(&c.client_id, c.client_name.as_deref());
        let kind = FormKind::Modify {
            client: Box::new(c.clone()),
        };
        ConsoleForm::new(kind, heading, fields)
    }

    /// The scope to keep, and each authorization details entry to keep or drop.
    pub fn reduce(g: &Grant) -> Result<ConsoleForm, &'static str> {
        if g.status.is_inaccessible() {
            return Err(words::NO_GRANT_TO_REDUCE);
        }
        let mut fields = vec![text(
            "scope",
            words::SCOPE_KEEP,
            words::SCOPE_KEEP_HELP,
            &crate::text::sanitize(&g.scope),
        )];
        if !g.authorization_details.is_empty() {
            let options: Vec<Opt> = g
                .authorization_details
                .iter()
                .enumerate()
                .map(|(i, d)| opt(&i.to_string(), words::detail_option(d)))
                .collect();
            let n = options.len();
            let mut f = Field::new(
                G,
                "details",
                words::DETAILS_KEEP,
                Input::Multi {
                    options,
                    chosen: vec![true; n],
                    at: 0,
                },
            );
            f.help = vec![words::DETAILS_KEEP_HELP.to_owned()];
            f.presence = Presence::Given;
            fields.push(f);
        }
        let kind = FormKind::Reduce {
            grant: Box::new(g.clone()),
        };
        Ok(ConsoleForm::new(kind, words::reducing(&g.grant_id), fields))
    }

    pub fn title(&self) -> &'static str {
        match self.kind {
            FormKind::Send { .. } => words::SEND_TITLE,
            FormKind::Answer { .. } => words::ANSWER_TITLE,
            FormKind::Modify { .. } => words::MODIFY_TITLE,
            FormKind::Reduce { .. } => words::REDUCE_TITLE,
        }
    }

    /// Whether the cursor is on a text field (typed keys go there).
    pub fn on_text(&self) -> bool {
        matches!(self.form.current().map(|f| &f.input), Some(Input::Text(_)))
    }

    /// A text field under the cursor is edited at once.
    fn enter_field(&mut self) {
        if self.on_text() {
            self.form.activate();
        }
    }

    fn leave_field(&mut self) {
        self.form.commit();
    }

    pub fn type_text(&mut self, t: &str) {
        if self.sending.is_none() {
            self.form.type_str(t);
            self.problem = None;
        }
    }

    /// A key of the form's context. `Some(action)` when the form is complete and asks to be
    /// sent; the rest changes the form in place.
    pub fn update(&mut self, action: Action) -> Option<ConsoleAction> {
        if self.sending.is_some() {
            return None;
        }
        match action {
            Action::Up | Action::Down => {
                self.leave_field();
                self.form.move_by(if action == Action::Up { -1 } else { 1 });
                self.enter_field();
            }
            Action::FormNext => {
                if self.form.cursor + 1 < self.form.fields.len() {
                    self.leave_field();
                    self.form.move_by(1);
                    self.enter_field();
                } else {
                    self.leave_field();
                    let built = self.build();
                    self.enter_field();
                    match built {
                        Ok(a) => return Some(a),
                        Err(why) => {
                            self.problem = Some(why);
                            return None;
                        }
                    }
                }
            }
            Action::Left | Action::Right => {
                self.form.side(if action == Action::Left { -1 } else { 1 });
                if self.form.current().is_some_and(|f| f.key == "type") {
                    self.retype();
                }
            }
            Action::Toggle => self.form.toggle(),
            Action::DeleteChar => self.form.backspace(),
            Action::ClearLine => self.form.clear_text(),
            _ => {}
        }
        self.problem = None;
        None
    }

    /// The Send form's fields follow its type (kept what was typed).
    fn retype(&mut self) {
        let FormKind::Send { .. } = &self.kind else {
            return;
        };
        let kind = choice_id(&self.form, "type")
            .map(|t| MessageType::from(t.as_str()))
            .unwrap_or(MessageType::SupportRequest);
        let mut new = Form::new(send_fields(&self.kind, &kind));
        new.keep_from(&self.form);
        self.form = new;
    }

    /// The action this form sends, or why it cannot yet.
    fn build(&self) -> Result<ConsoleAction, String> {
        match &self.kind {
            FormKind::Send { .. } => build_send(&self.form),
            FormKind::Answer { message_id } => {
                let answers: Vec<(String, String)> = self
                    .form
                    .fields
                    .iter()
                    .map(|f| (f.key.clone(), value(&self.form, &f.key)))
                    .filter(|(_, t)| !t.is_empty())
                    .collect();
                if answers.is_empty() {
                    return Err(words::NEEDS_ANSWER.to_owned());
                }
                Ok(ConsoleAction::Send(Box::new(Compose {
                    kind: Some(MessageType::ClientSubmission),
                    in_reply_to: Some(message_id.clone()),
                    answers,
                    ..Compose::default()
                })))
            }
            FormKind::Modify { client } => build_modify(&self.form, client),
            FormKind::Reduce { grant } => build_reduce(&self.form, grant),
        }
    }
}

/// The Send form for a type: what that type needs, in the order people fill it in.
fn send_fields(kind: &FormKind, t: &MessageType) -> Vec<Field> {
    let FormKind::Send { clients } = kind else {
        return Vec::new();
    };
    let types: Vec<Opt> = SEND_TYPES
        .iter()
        .map(|t| opt(t.as_str(), t.as_str().to_owned()))
        .collect();
    let at = SEND_TYPES.iter().position(|x| x == t).unwrap_or(0);
    let mut fields = vec![choice("type", words::TYPE, words::TYPE_HELP, types, at)];
    let production = *t == MessageType::ProductionRequest;
    if production || *t == MessageType::GrantRequest {
        let options: Vec<Opt> = clients
            .iter()
            .filter(|c| !production || c.sandbox)
            .map(|c| opt(&c.id, c.label.clone()))
            .collect();
        let help = if production {
            words::CLIENT_HELP_PRODUCTION
        } else {
            words::CLIENT_HELP_GRANT
        };
        fields.push(choice("client", words::CLIENT, help, options, 0));
    }
    if *t == MessageType::GrantRequest {
        fields.push(text("scopes", words::SCOPES, words::SCOPES_HELP, ""));
    }
    let mut subject = text("subject", words::SUBJECT, words::SUBJECT_HELP, "");
    if production || *t == MessageType::GrantRequest {
        subject.help.push(words::SUBJECT_OPTIONAL.to_owned());
    }
    fields.push(subject);
    fields.push(text("body", words::BODY, words::BODY_HELP, ""));
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client() -> ClientObject {
        serde_json::from_value(serde_json::json!({
            "client_id": "c1", "client_id_issued_at": 0, "scope": "a b",
            "redirect_uris": ["https://x.example/cb"], "grant_types": [], "response_types": [],
            "client_name": "Old", "contacts": ["a@x.example"],
            "authorization_details_types": [],
            "cds_created": "2026-01-01T00:00:00Z", "cds_modified": "2026-01-01T00:00:00Z",
            "cds_client_uri": "https://u.example/clients/c1", "cds_status": "sandbox",
            "cds_status_options": ["sandbox"],
            "cds_server_metadata": "https://u.example/.well-known/x",
        }))
        .unwrap()
    }

    fn typed(f: &mut ConsoleForm, s: &str) {
        f.update(Action::ClearLine);
        f.type_text(s);
    }

    #[test]
    fn a_modification_sends_only_what_changed_and_refuses_immutable_fields() {
        let mut f = ConsoleForm::modify(&client());
        assert_eq!(f.update(Action::FormNext), None);
        assert_eq!(f.update(Action::FormNext), None);
        assert_eq!(f.update(Action::FormNext), None);
        assert_eq!(f.update(Action::FormNext), None, "nothing changed");
        assert_eq!(f.problem.as_deref(), Some(words::NOTHING_CHANGED));
        typed(&mut f, "client_id=x");
        f.update(Action::FormNext);
        assert!(f.problem.as_deref().unwrap().contains("client_id"));
        f.update(Action::ClearLine);
        f.update(Action::Up);
        f.update(Action::Up);
        f.update(Action::Up);
        typed(&mut f, "New");
        for _ in 0..3 {
            f.update(Action::Down);
        }
        let a = f.update(Action::FormNext).unwrap();
        assert_eq!(
            a,
            ConsoleAction::ModifyClient {
                client_id: "c1".into(),
                changes: vec![("client_name".into(), serde_json::json!("New"))],
                other: None,
            }
        );
    }

    #[test]
    fn the_send_form_names_clients_the_tab_has_not_loaded_yet() {
        let row = |id: &str, status: &str| ClientRow {
            client_id: id.into(),
            scope: "s".into(),
            status: status.into(),
            code_flow: true,
            accounts: Vec::new(),
            public: false,
        };
        let known = [
            row("c1", "sandbox"),
            row("c2", "sandbox"),
            row("c3", "production"),
        ];
        let mut f = ConsoleForm::send(&[client()], &known);
        f.update(Action::Right);
        f.update(Action::Right);
        let Some(Field {
            input: Input::Choice { options, .. },
            ..
        }) = f.form.fields.iter().find(|x| x.key == "client")
        else {
            panic!("{:?}", f.form.fields);
        };
        let ids: Vec<&str> = options.iter().map(|o| o.id.as_str()).collect();
        assert_eq!(
            ids,
            ["c1", "c2"],
            "loaded first, then the sandbox ones known"
        );
    }

    #[test]
    fn the_send_form_follows_its_type() {
        let mut f = ConsoleForm::send(&[client()], &[]);
        let keys = |f: &ConsoleForm| -> Vec<String> {
            f.form.fields.iter().map(|x| x.key.clone()).collect()
        };
        assert_eq!(keys(&f), ["type", "subject", "body"]);
        f.update(Action::Right);
        f.update(Action::Right);
        f.update(Action::Right);
        assert_eq!(keys(&f), ["type", "client", "scopes", "subject", "body"]);
        f.update(Action::Down);
        f.update(Action::Down);
        f.type_text("a");
        for _ in 0..2 {
            f.update(Action::FormNext);
        }
        let Some(ConsoleAction::Send(c)) = f.update(Action::FormNext) else {
            panic!("{:?}", f.problem);
        };
        assert_eq!(c.kind, Some(MessageType::GrantRequest));
        assert_eq!(c.client_id.as_deref(), Some("c1"));
        assert_eq!(c.scopes, ["a"]);
    }
}
