//! The Console's forms (issue 11): send a Message and answer a server_request (CDS-WG1-02
//! §6.9), create a credential (§7.5), modify a client (§5.5, a 202 under review), reduce a
//! grant (§8.6, a 202 pending), and request_update threads (§6.2) — each driven by keys
//! through the update logic, what it asks the engine checked, and every state drawn at 80x24
//! and 120x40.

use cds_wizard::app::screens::console::forms::Compose;
use cds_wizard::app::screens::console::listing::Acting;
use cds_wizard::app::screens::console::{ConsoleAction, ConsoleOutcome, ConsoleTab, Loaded};
use cds_wizard::app::widgets::confirm::Question;
use cds_wizard::app::{self, App, Effect, Msg, Overlay};
use cds_wizard::cds::messages::{ClientUpdateRequest, MessageStatus, MessageType};
use cds_wizard::cds::{Grant, GrantStatus, Message};
use cds_wizard::onboarding::manage::clients::ClientChange;
use cds_wizard::onboarding::manage::grants::GrantChange;
use crossterm::event::KeyCode;
use serde_json::{Value, json};
use url::Url;

use super::tui_console::{clients, grants, loaded, messages, page, press, screen, snap, to_tab};

fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        press(app, KeyCode::Char(c));
    }
}

/// The one console action the effects start, and its request id.
fn acted(effects: &[Effect]) -> (u64, ConsoleAction) {
    match effects {
        [Effect::ConsoleAct { req, action, .. }] => (*req, action.clone()),
        other => panic!("{other:?}"),
    }
}

fn answer(app: &mut App, req: u64, result: Result<ConsoleOutcome, String>) -> Vec<Effect> {
    app::update(app, Msg::ConsoleActed { req, result })
}

/// A server_request asking for two fields, answered in the Messages tab.
fn server_request() -> Message {
    let mut m = messages().remove(0);
    m.message_id = "5e7e7ea5e7e7ea11".into();
    m.uri = Url::parse("https://example.com/cds-api/v1/messages/5e7e7ea5e7e7ea11").unwrap();
    m.message_type = MessageType::ServerRequest;
    m.status = MessageStatus::Open;
    m.read = false;
    m.name = "Tell us where the data goes".into();
    m.description = "Before production access, the utility needs two answers.".into();
    let ask = |field: &str, what: &str| ClientUpdateRequest {
        field: field.into(),
        name: None,
        description: Some(what.into()),
        uri: None,
        previous_value: None,
        new_value: None,
        extra: Default::default(),
    };
    m.updates_requested = Some(vec![
        ask("data_retention", "How long the app keeps customer data."),
        ask(
            "privacy_policy_uri",
            "Where customers read the privacy policy.",
        ),
    ]);
    m
}

/// A support request, and the demo utility's request_update that completes it (§6.2).
fn support_thread() -> Vec<Message> {
    let mut req = messages().remove(1);
    req.message_id = "5a5a5a5a5a5a5a5a".into();
    req.uri = Url::parse("https://example.com/cds-api/v1/messages/5a5a5a5a5a5a5a5a").unwrap();
    req.message_type = MessageType::SupportRequest;
    req.status = MessageStatus::Pending;
    req.name = "Interval data missing for May".into();
    let mut update = messages().remove(0);
    update.message_id = "0d0d0d0d0d0d0d0d".into();
    update.uri = Url::parse("https://example.com/cds-api/v1/messages/0d0d0d0d0d0d0d0d").unwrap();
    update.message_type = MessageType::RequestUpdate;
    update.status = MessageStatus::Complete;
    update.previous_uri = Some(req.uri.clone());
    update.created = req.created + jiff::SignedDuration::from_secs(60);
    update.modified = update.created;
    update.name = "Support request answered".into();
    update.description = "The missing days were loaded again.".into();
    vec![update, req]
}

/// The Messages tab loaded again with `items` (after the examples).
fn messages_with(app: &mut App, items: Vec<Message>) {
    to_tab(app, ConsoleTab::Messages);
    let effects = press(app, KeyCode::F(5));
    let [Effect::ConsoleLoad { req, .. }] = effects.as_slice() else {
        panic!("{effects:?}");
    };
    let mut all = items;
    all.extend(messages());
    let loaded = Loaded::Messages {
        items: all,
        outstanding: Some((1, false)),
    };
    page(app, *req, ConsoleTab::Messages, loaded, None);
}

#[test]
fn a_support_request_is_sent_from_the_form_and_the_server_error_stays_in_it() {
    let mut app = loaded();
    to_tab(&mut app, ConsoleTab::Messages);
    assert!(press(&mut app, KeyCode::Char('s')).is_empty());
    snap("console_form_send", &app);
    assert!(
        press(&mut app, KeyCode::Enter).is_empty(),
        "Enter: next field"
    );
    type_text(&mut app, "Meter data missing");
    press(&mut app, KeyCode::Enter);
    assert!(press(&mut app, KeyCode::Enter).is_empty(), "no body yet");
    assert!(screen(&app, 120, 40).contains("Give a subject and a body."));
    type_text(
        &mut app,
        "Interval data for May is empty; q and j are typed, not keys.",
    );
    snap("console_form_send_filled", &app);
    let (req, action) = acted(&press(&mut app, KeyCode::Enter));
    assert_eq!(
        action,
        ConsoleAction::Send(Box::new(Compose {
            kind: Some(MessageType::SupportRequest),
            subject: "Meter data missing".into(),
            body: "Interval data for May is empty; q and j are typed, not keys.".into(),
            ..Compose::default()
        }))
    );
    snap("console_form_sending", &app);
    assert!(press(&mut app, KeyCode::Esc).is_empty());
    assert!(app.console.form.is_some(), "a form being sent stays");
    answer(
        &mut app,
        req,
        Err("400 invalid_request: `description` is too long (WG1-02 §6.9)".into()),
    );
    let form = app
        .console
        .form
        .as_ref()
        .expect("the error keeps the form open");
    assert!(form.problem.as_deref().unwrap().contains("too long"));
    snap("console_form_send_failed", &app);
    let (req, _) = acted(&press(&mut app, KeyCode::Enter));
    let mut sent = messages().remove(1);
    sent.message_type = MessageType::SupportRequest;
    sent.status = MessageStatus::Pending;
    sent.message_id = "5e0d5e0d5e0d5e0d".into();
    sent.uri = Url::parse("https://example.com/cds-api/v1/messages/5e0d5e0d5e0d5e0d").unwrap();
    let effects = answer(
        &mut app,
        req,
        Ok(ConsoleOutcome::Sent(Box::new(sent.clone()))),
    );
    assert!(app.console.form.is_none(), "sent: the form closes");
    let [
        Effect::ConsoleLoad {
            tab: ConsoleTab::Messages,
            req: first,
            ..
        },
    ] = effects.as_slice()
    else {
        panic!("the list loads again: {effects:?}");
    };
    // The sent Message is among the read ones, on a later page: paged to, and selected.
    let read_part = cds_wizard::app::screens::console::listing::Cursor { part: 1, url: None };
    let loaded = Loaded::Messages {
        items: messages(),
        outstanding: Some((1, false)),
    };
    let effects = page(
        &mut app,
        *first,
        ConsoleTab::Messages,
        loaded,
        Some(read_part),
    );
    let [Effect::ConsoleLoad { req: second, .. }] = effects.as_slice() else {
        panic!("the next page, to find it: {effects:?}");
    };
    let loaded = Loaded::Messages {
        items: vec![sent],
        outstanding: None,
    };
    assert!(page(&mut app, *second, ConsoleTab::Messages, loaded, None).is_empty());
    assert_eq!(
        app.console.messages.current().unwrap().message_id,
        "5e0d5e0d5e0d5e0d",
        "the cursor rests on the sent message"
    );
    assert!(
        matches!(&app.console.messages.acting, Some(Acting::Done(l)) if l[0].starts_with("Sent support_request"))
    );
}

#[test]
fn esc_closes_the_form_and_a_grant_request_names_client_and_scopes() {
    let mut app = loaded();
    to_tab(&mut app, ConsoleTab::Messages);
    press(&mut app, KeyCode::Char('s'));
    press(&mut app, KeyCode::Esc);
    assert!(app.console.form.is_none());
    assert_eq!(app.overlay, None, "Esc in a form does not ask to quit");
    press(&mut app, KeyCode::Char('s'));
    for _ in 0..3 {
        press(&mut app, KeyCode::Right);
    }
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Right);
    press(&mut app, KeyCode::Down);
    type_text(&mut app, "dge_usage_electric dge_billing");
    snap("console_form_grant_request", &app);
    for _ in 0..2 {
        press(&mut app, KeyCode::Enter);
    }
    let (_, action) = acted(&press(&mut app, KeyCode::Enter));
    let ConsoleAction::Send(c) = action else {
        panic!("{action:?}")
    };
    assert_eq!(c.kind, Some(MessageType::GrantRequest));
    assert_eq!(
        c.client_id.as_deref(),
        Some(clients()[1].client_id.as_str())
    );
    assert_eq!(c.scopes, ["dge_usage_electric", "dge_billing"]);
}

#[test]
fn a_server_request_is_answered_with_a_client_submission() {
    let mut app = loaded();
    messages_with(&mut app, vec![server_request()]);
    assert_eq!(
        app.console.messages.current().unwrap().message_id,
        "5e7e7ea5e7e7ea11"
    );
    press(&mut app, KeyCode::Char('r'));
    snap("console_form_answer", &app);
    type_text(&mut app, "P90D");
    press(&mut app, KeyCode::Enter);
    type_text(&mut app, "https://app.example/privacy");
    let (_, action) = acted(&press(&mut app, KeyCode::Enter));
    assert_eq!(
        action,
        ConsoleAction::Send(Box::new(Compose {
            kind: Some(MessageType::ClientSubmission),
            in_reply_to: Some("5e7e7ea5e7e7ea11".into()),
            answers: vec![
                ("data_retention".into(), "P90D".into()),
                (
                    "privacy_policy_uri".into(),
                    "https://app.example/privacy".into()
                ),
            ],
            ..Compose::default()
        }))
    );
    // Another message cannot be answered: the footer says why.
    let mut app = loaded();
    to_tab(&mut app, ConsoleTab::Messages);
    press(&mut app, KeyCode::Char('r'));
    assert!(app.console.form.is_none());
    assert!(screen(&app, 120, 40).contains("Only a server_request can be answered"));
}

#[test]
fn a_request_update_shows_in_its_thread_and_its_status_wins() {
    let mut app = loaded();
    messages_with(&mut app, support_thread());
    let l = &app.console.messages;
    let order: Vec<&str> = l
        .shown()
        .iter()
        .map(|i| l.items()[*i].message_id.as_str())
        .collect();
    assert_eq!(
        &order[..2],
        ["5a5a5a5a5a5a5a5a", "0d0d0d0d0d0d0d0d"],
        "the request first, its update under it, though the update was listed first"
    );
    let shown = screen(&app, 120, 40);
    assert!(shown.contains("support_request      complete"), "{shown}");
    assert!(shown.contains("↳ 0d0d0d0d0d0d0d0d"), "{shown}");
    snap("console_messages_thread", &app);
    // A filter that matches the request keeps its thread whole.
    press(&mut app, KeyCode::Char('/'));
    type_text(&mut app, "interval data missing");
    press(&mut app, KeyCode::Enter);
    let l = &app.console.messages;
    let shown: Vec<&str> = l
        .shown()
        .iter()
        .map(|i| l.items()[*i].message_id.as_str())
        .collect();
    assert_eq!(shown, ["5a5a5a5a5a5a5a5a", "0d0d0d0d0d0d0d0d"]);
}

#[test]
fn a_new_credential_asks_first() {
    let mut app = loaded();
    to_tab(&mut app, ConsoleTab::Credentials);
    let client_id = app
        .console
        .credentials
        .current()
        .unwrap()
        .credential
        .client_id
        .clone();
    assert!(press(&mut app, KeyCode::Char('n')).is_empty());
    assert_eq!(app.overlay, Some(Overlay::Confirm(Question::Console)));
    snap("console_confirm_new_credential", &app);
    let (_, action) = acted(&press(&mut app, KeyCode::Char('y')));
    assert_eq!(action, ConsoleAction::CreateCredential { client_id });
}

#[test]
fn a_client_is_modified_and_a_202_reads_under_review() {
    let mut app = loaded();
    let c = clients().remove(0);
    press(&mut app, KeyCode::Char('e'));
    snap("console_form_modify", &app);
    app::update(
        &mut app,
        Msg::Key(crossterm::event::KeyEvent::new(
            KeyCode::Char('u'),
            crossterm::event::KeyModifiers::CONTROL,
        )),
    );
    type_text(&mut app, "Watt Watcher");
    for _ in 0..3 {
        press(&mut app, KeyCode::Enter);
    }
    type_text(&mut app, "cds_created=2020-01-01T00:00:00Z");
    assert!(press(&mut app, KeyCode::Enter).is_empty(), "refused first");
    snap("console_form_modify_immutable", &app);
    for _ in 0.."cds_created=2020-01-01T00:00:00Z".len() {
        press(&mut app, KeyCode::Backspace);
    }
    type_text(&mut app, "logo_uri=null");
    let (req, action) = acted(&press(&mut app, KeyCode::Enter));
    assert_eq!(
        action,
        ConsoleAction::ModifyClient {
            client_id: c.client_id.clone(),
            changes: vec![("client_name".into(), Value::String("Watt Watcher".into()))],
            other: Some("logo_uri=null".into()),
        }
    );
    let mut now = c.clone();
    now.client_name = Some("Watt Watcher".into());
    let mut review = messages().remove(0);
    review.message_type = MessageType::FieldChanges;
    review.status = MessageStatus::Pending;
    review.name = "Client object changes under review".into();
    review.updates_requested = Some(vec![ClientUpdateRequest {
        field: "client_name".into(),
        name: None,
        description: None,
        uri: None,
        previous_value: Some(json!(c.client_name)),
        new_value: Some(json!("Watt Watcher")),
        extra: Default::default(),
    }]);
    let change = ClientChange::UnderReview {
        client: Box::new(now),
        review: Some(Box::new(review)),
    };
    answer(
        &mut app,
        req,
        Ok(ConsoleOutcome::Modified(Box::new(change))),
    );
    assert!(app.console.form.is_none());
    assert_eq!(
        app.console
            .clients
            .current()
            .unwrap()
            .client_name
            .as_deref(),
        Some("Watt Watcher")
    );
    snap("console_modified_under_review", &app);
}

fn wide_grant() -> Grant {
    let mut g = grants().remove(1);
    g.grant_id = "a1b2c3d4e5f60718".into();
    g.uri = Url::parse("https://example.com/cds-api/v1/grants/a1b2c3d4e5f60718").unwrap();
    g.scope = "dge_usage_electric dge_billing".into();
    g.enabled_scope = g.scope.clone();
    g.authorization_details = vec![
        json!({"type": "dge_usage_electric", "meter": "M-1"}),
        json!({"type": "dge_billing", "account": "A-7"}),
    ];
    g.enabled_authorization_details = g.authorization_details.clone();
    g
}

#[test]
fn a_grant_is_reduced_after_a_confirmation_and_a_202_reads_pending() {
    let mut app = loaded();
    to_tab(&mut app, ConsoleTab::Grants);
    let effects = press(&mut app, KeyCode::F(5));
    let [Effect::ConsoleLoad { req, .. }] = effects.as_slice() else {
        panic!("{effects:?}");
    };
    let mut list = grants();
    list.insert(0, wide_grant());
    page(
        &mut app,
        *req,
        ConsoleTab::Grants,
        Loaded::Grants(list),
        None,
    );
    press(&mut app, KeyCode::Char('e'));
    snap("console_form_reduce", &app);
    for _ in 0.." dge_billing".len() {
        press(&mut app, KeyCode::Backspace);
    }
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Right);
    press(&mut app, KeyCode::Char(' '));
    assert!(press(&mut app, KeyCode::Enter).is_empty(), "asks first");
    assert_eq!(app.overlay, Some(Overlay::Confirm(Question::Console)));
    snap("console_confirm_reduce", &app);
    let (req, action) = acted(&press(&mut app, KeyCode::Char('y')));
    let g = wide_grant();
    assert_eq!(
        action,
        ConsoleAction::ReduceGrant {
            grant_id: g.grant_id.clone(),
            scope: Some("dge_usage_electric".into()),
            authorization_details: Some(vec![g.authorization_details[0].clone()]),
        }
    );
    let mut now = g.clone();
    now.status = GrantStatus::Pending;
    now.scope = "dge_usage_electric".into();
    now.authorization_details.truncate(1);
    let change = GrantChange::Pending {
        grant: Box::new(now),
    };
    answer(&mut app, req, Ok(ConsoleOutcome::Grant(Box::new(change))));
    assert!(app.console.form.is_none());
    snap("console_reduced_pending", &app);
}

#[test]
fn the_keyring_secret_shows_only_when_asked_and_until_the_next_key() {
    let mut app = loaded();
    to_tab(&mut app, ConsoleTab::Credentials);
    assert!(!screen(&app, 120, 40).contains("Secret in"));
    let effects = press(&mut app, KeyCode::Char('v'));
    let [Effect::Reveal { account }] = effects.as_slice() else {
        panic!("{effects:?}");
    };
    assert_eq!(
        account,
        &format!(
            "{}/aaf026921707f5d5/client_secret",
            super::tui_console::PROFILE
        )
    );
    let secret = cds_wizard::secret::Secret::new("s3cr3t-from-the-keyring");
    app::update(
        &mut app,
        Msg::Revealed {
            account: account.clone(),
            result: Ok(secret),
        },
    );
    assert!(screen(&app, 80, 24).contains("s3cr3t-from-the-keyring"));
    press(&mut app, KeyCode::Down);
    assert!(
        !screen(&app, 80, 24).contains("s3cr3t"),
        "masked on the next key"
    );
    // A credential the keyring does not hold has nothing to reveal.
    assert!(press(&mut app, KeyCode::Char('v')).is_empty());
    assert!(screen(&app, 120, 40).contains("The keyring holds no secret of this credential"));
}

/// Pages that arrive while the console's Authorize screen is open still land in their lists
/// (they used to be dropped, leaving the tabs loading for good).
#[test]
fn pages_arriving_during_an_authorization_are_kept() {
    let (mut app, reqs) = super::tui_console::opened();
    app::update(
        &mut app,
        Msg::ProfilesLoaded(Ok(vec![super::tui_console::profile_view()])),
    );
    press(&mut app, KeyCode::Char('a'));
    assert_eq!(app.step, cds_wizard::app::Step::Authorize);
    let (_, req) = reqs
        .iter()
        .find(|(t, _)| *t == ConsoleTab::Messages)
        .copied()
        .unwrap();
    let loaded = Loaded::Messages {
        items: messages(),
        outstanding: Some((1, false)),
    };
    page(&mut app, req, ConsoleTab::Messages, loaded, None);
    press(&mut app, KeyCode::BackTab);
    assert_eq!(app.step, cds_wizard::app::Step::Console);
    assert_eq!(app.console.messages.items().len(), 3);
}

/// A filter reads every page: keeping it asks for the next page whatever the cursor's place,
/// and each page that arrives while it is set asks for the one after.
#[test]
fn a_filter_pages_through_the_whole_list() {
    let mut app = loaded();
    to_tab(&mut app, ConsoleTab::Credentials);
    press(&mut app, KeyCode::Char('/'));
    type_text(&mut app, "aaf0");
    let effects = press(&mut app, KeyCode::Enter);
    let [Effect::ConsoleLoad { req, cursor, .. }] = effects.as_slice() else {
        panic!("the next page: {effects:?}");
    };
    assert!(cursor.url.is_some(), "{cursor:?}");
    let again = cds_wizard::app::screens::console::listing::Cursor {
        part: 0,
        url: Some(Url::parse("http://127.0.0.1:9/cds-api/v1/credentials?page=3").unwrap()),
    };
    let effects = page(
        &mut app,
        *req,
        ConsoleTab::Credentials,
        Loaded::Credentials(Vec::new()),
        Some(again.clone()),
    );
    assert!(
        matches!(effects.as_slice(), [Effect::ConsoleLoad { cursor, .. }] if *cursor == again),
        "{effects:?}"
    );
}
