//! The Console of a stored profile (issue 11): its update logic driven by messages (paging as
//! the cursor reaches the end, a confirmation before anything destructive, stale results
//! dropped), every tab drawn at 80x24 and 120x40 from the specs' own example objects. The real
//! loop against the demo utility is in `tui_console_loop`.

use std::path::Path;
use std::time::Instant;

use cds_wizard::app::screens::authorize::{ClientRow, ProfileView};
use cds_wizard::app::screens::console::listing::{Acting, Cursor, More};
use cds_wizard::app::screens::console::{ConsoleAction, ConsoleOutcome, ConsoleTab, Loaded};
use cds_wizard::app::widgets::confirm::Question;
use cds_wizard::app::{self, App, Effect, Msg, Overlay, Remote, Step, Target};
use cds_wizard::cds::{ClientObject, CredentialList, GrantList, Message, ServerProvidedFileList};
use cds_wizard::onboarding::manage::credentials::CredentialState;
use cds_wizard::onboarding::manage::files::SharedFile;
use cds_wizard::ui::{self, Theme};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde::de::DeserializeOwned;
use url::Url;

pub(crate) const PROFILE: &str = "demo-gas-electric";

fn example<T: DeserializeOwned>(name: &str) -> T {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/spec-examples")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

pub(crate) fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

pub(crate) fn press(app: &mut App, code: KeyCode) -> Vec<Effect> {
    app::update(app, key(code))
}

pub(crate) fn profile_view() -> ProfileView {
    ProfileView {
        name: PROFILE.into(),
        issuer: "http://127.0.0.1:9/".into(),
        keyring: "keyutils".into(),
        service: "cds-wizard".into(),
        clients: vec![ClientRow {
            client_id: "aaf026921707f5d5".into(),
            scope: "cds_client_admin".into(),
            status: "active".into(),
            code_flow: false,
            accounts: vec![format!("{PROFILE}/aaf026921707f5d5/client_secret")],
            public: false,
        }],
        unfinished: None,
    }
}

// ---- the specs' example objects (CDS-WG1-02 §5–§9) ----

pub(crate) fn clients() -> Vec<ClientObject> {
    let one: ClientObject = example("07-modifying-a-client-response.json");
    let mut two = one.clone();
    two.client_id = "22bb40b5b823fa8c".into();
    two.scope = "dge_usage_electric".into();
    vec![one, two]
}

fn credentials() -> Vec<CredentialState> {
    let list: CredentialList = example("12-retrieving-a-credentials-list-response.json");
    list.credentials
        .into_iter()
        .enumerate()
        .map(|(i, credential)| CredentialState {
            credential,
            in_keyring: i == 0,
            expired: false,
        })
        .collect()
}

pub(crate) fn messages() -> Vec<Message> {
    [
        "10-retrieving-an-individual-message-response.json",
        "09-creating-a-message-response.json",
        "11-modifying-a-message-response.json",
    ]
    .iter()
    .enumerate()
    .map(|(i, n)| {
        let mut m: Message = example(n);
        if i == 2 {
            // The modification example answers for the first message: another one here.
            m.message_id = "5a1c0ffee0ddba11".into();
            m.uri = Url::parse("https://example.com/cds-api/v1/messages/5a1c0ffee0ddba11").unwrap();
        }
        m
    })
    .collect()
}

pub(crate) fn grants() -> Vec<cds_wizard::cds::Grant> {
    let list: GrantList = example("16-grants-list-response.json");
    list.grants
}

fn files() -> Vec<SharedFile> {
    let list: ServerProvidedFileList =
        example("20-retrieving-a-server-provided-files-list-response.json");
    list.files
        .into_iter()
        .map(|file| SharedFile {
            file,
            grant_id: "c644a5da13f379db".into(),
        })
        .collect()
}

/// The home screen with one stored profile, opened: the Console and the request of each tab.
pub(crate) fn opened() -> (App, Vec<(ConsoleTab, u64)>) {
    let (mut app, _) = App::home(Instant::now());
    app.wall = "2026-11-27T20:00:00Z".parse().unwrap();
    app::update(&mut app, Msg::ProfilesLoaded(Ok(vec![profile_view()])));
    app::update(&mut app, Msg::Click(Target::Row(2)));
    let effects = press(&mut app, KeyCode::Enter);
    assert_eq!(app.step, Step::Console);
    let reqs = effects
        .iter()
        .map(|e| match e {
            Effect::ConsoleLoad {
                req,
                profile,
                tab,
                cursor,
            } => {
                assert_eq!(profile, PROFILE);
                assert_eq!(*cursor, Cursor::first());
                (*tab, *req)
            }
            other => panic!("{other:?}"),
        })
        .collect::<Vec<_>>();
    assert_eq!(reqs.len(), 5, "every tab starts loading: {effects:?}");
    (app, reqs)
}

pub(crate) fn page(
    app: &mut App,
    req: u64,
    tab: ConsoleTab,
    loaded: Loaded,
    next: Option<Cursor>,
) -> Vec<Effect> {
    app::update(
        app,
        Msg::ConsolePage {
            req,
            tab,
            zone: None,
            result: Ok((loaded, next)),
        },
    )
}

fn next_page() -> Cursor {
    Cursor {
        part: 0,
        url: Some(Url::parse("http://127.0.0.1:9/cds-api/v1/credentials?page=2").unwrap()),
    }
}

/// Every tab loaded from the examples; the credentials have another page on the server.
pub(crate) fn loaded() -> App {
    let (mut app, reqs) = opened();
    for (tab, req) in reqs {
        let (l, next) = match tab {
            ConsoleTab::Clients => (Loaded::Clients(clients()), None),
            ConsoleTab::Credentials => (Loaded::Credentials(credentials()), Some(next_page())),
            ConsoleTab::Messages => (
                Loaded::Messages {
                    items: messages(),
                    outstanding: Some((1, false)),
                },
                None,
            ),
            ConsoleTab::Grants => (Loaded::Grants(grants()), None),
            ConsoleTab::Files => (Loaded::Files(files()), None),
        };
        assert!(page(&mut app, req, tab, l, next).is_empty());
    }
    app
}

pub(crate) fn screen(app: &App, w: u16, h: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal
        .draw(|f| {
            ui::draw(f, app, &Theme::plain());
        })
        .unwrap();
    terminal.backend().to_string()
}

pub(crate) fn snap(name: &str, app: &App) {
    for (w, h) in [(80, 24), (120, 40)] {
        let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
        terminal
            .draw(|f| {
                ui::draw(f, app, &Theme::plain());
            })
            .unwrap();
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), terminal.backend());
    }
}

pub(crate) fn to_tab(app: &mut App, tab: ConsoleTab) {
    for _ in 0..5 {
        if app.console.tab() == tab {
            return;
        }
        press(app, KeyCode::Right);
    }
    panic!("no tab {tab:?}");
}

// ---- update logic ----

#[test]
fn the_next_page_loads_when_the_cursor_reaches_the_end() {
    let mut app = loaded();
    to_tab(&mut app, ConsoleTab::Credentials);
    let n = app.console.credentials.items().len();
    assert!(n >= 2, "{n}");
    // Moving within the loaded items asks for nothing.
    let mut asked = Vec::new();
    for _ in 0..n - 1 {
        asked = press(&mut app, KeyCode::Down);
        if app.console.credentials.cursor + 1 < n {
            assert!(asked.is_empty(), "{asked:?}");
        }
    }
    // On the last one: the next page, once.
    let [
        Effect::ConsoleLoad {
            req, tab, cursor, ..
        },
    ] = asked.as_slice()
    else {
        panic!("{asked:?}")
    };
    assert_eq!((*tab, cursor), (ConsoleTab::Credentials, &next_page()));
    let req = *req;
    assert!(press(&mut app, KeyCode::Down).is_empty(), "asked once");
    assert!(screen(&app, 120, 40).contains("loading the next page"));
    // A page with another id is stale: dropped.
    page(
        &mut app,
        req + 100,
        ConsoleTab::Credentials,
        Loaded::Credentials(credentials()),
        None,
    );
    assert_eq!(app.console.credentials.items().len(), n);
    // The awaited one is appended, and the listing knows it is complete.
    let mut more = credentials();
    more.truncate(1);
    more[0].credential.credential_id = "ffff000011112222".into();
    page(
        &mut app,
        req,
        ConsoleTab::Credentials,
        Loaded::Credentials(more),
        None,
    );
    assert_eq!(app.console.credentials.items().len(), n + 1);
    let Remote::Ready(l) = &app.console.credentials.list else {
        panic!()
    };
    assert_eq!(l.more, More::End);
    assert!(press(&mut app, KeyCode::Down).is_empty());
    assert_eq!(
        app.console
            .credentials
            .current()
            .unwrap()
            .credential
            .credential_id,
        "ffff000011112222"
    );
}

#[test]
fn destructive_actions_ask_first() {
    let mut app = loaded();
    to_tab(&mut app, ConsoleTab::Credentials);
    // Rotate: asked, declined, nothing sent.
    assert!(press(&mut app, KeyCode::Char('r')).is_empty());
    assert_eq!(app.overlay, Some(Overlay::Confirm(Question::Console)));
    let asked = screen(&app, 80, 24);
    assert!(
        asked.contains("Rotate the secret of client aaf026921707f5d5"),
        "{asked}"
    );
    assert!(press(&mut app, KeyCode::Char('n')).is_empty());
    assert_eq!(app.overlay, None);
    // Rotate again, confirmed: the engine is asked.
    press(&mut app, KeyCode::Char('r'));
    let effects = press(&mut app, KeyCode::Char('y'));
    let [
        Effect::ConsoleAct {
            req,
            profile,
            action,
        },
    ] = effects.as_slice()
    else {
        panic!("{effects:?}")
    };
    assert_eq!(profile, PROFILE);
    assert_eq!(
        action,
        &ConsoleAction::Rotate {
            client_id: "aaf026921707f5d5".into(),
            credential_id: "3d0ac1c8513ba94d".into()
        }
    );
    assert!(matches!(
        app.console.credentials.acting,
        Some(Acting::Running { .. })
    ));
    // A server error is shown in place.
    let req = *req;
    app::update(
        &mut app,
        Msg::ConsoleActed {
            req,
            result: Err("WG1-02 §7.5: 500 Internal Server Error\u{1b}[31m".into()),
        },
    );
    let Some(Acting::Failed(e)) = &app.console.credentials.acting else {
        panic!("{:?}", app.console.credentials.acting)
    };
    assert!(!e.message.contains('\u{1b}'), "sanitized");
    assert!(screen(&app, 80, 24).contains("500 Internal Server Error"));
}

#[test]
fn expire_and_close_ask_too_marking_and_downloading_do_not() {
    let mut app = loaded();
    to_tab(&mut app, ConsoleTab::Credentials);
    assert!(press(&mut app, KeyCode::Char('x')).is_empty());
    assert_eq!(app.overlay, Some(Overlay::Confirm(Question::Console)));
    assert!(press(&mut app, KeyCode::Esc).is_empty());
    assert_eq!(app.overlay, None);
    to_tab(&mut app, ConsoleTab::Grants);
    assert!(press(&mut app, KeyCode::Char('c')).is_empty());
    let effects = press(&mut app, KeyCode::Enter);
    assert!(
        matches!(effects.as_slice(), [Effect::ConsoleAct { action: ConsoleAction::CloseGrant { grant_id }, .. }] if grant_id == "d62bdc99ff26e0b4"),
        "{effects:?}"
    );
    to_tab(&mut app, ConsoleTab::Messages);
    let effects = press(&mut app, KeyCode::Char('m'));
    assert!(
        matches!(
            effects.as_slice(),
            [Effect::ConsoleAct {
                action: ConsoleAction::MarkRead { read: true, .. },
                ..
            }]
        ),
        "{effects:?}"
    );
    assert_eq!(app.overlay, None);
    to_tab(&mut app, ConsoleTab::Files);
    let effects = press(&mut app, KeyCode::Char('d'));
    assert!(
        matches!(effects.as_slice(), [Effect::ConsoleAct { action: ConsoleAction::Download { name, .. }, .. }] if name == "DR_API_docs_v1.0.pdf"),
        "{effects:?}"
    );
    // The download's refusal (the file exists) is shown, the console carries on.
    let Effect::ConsoleAct { req, .. } = &effects[0] else {
        unreachable!()
    };
    app::update(
        &mut app,
        Msg::ConsoleActed {
            req: *req,
            result: Err("./DR_API_docs_v1.0.pdf: exists already; nothing written".into()),
        },
    );
    assert!(screen(&app, 120, 40).contains("exists already"));
}

#[test]
fn stale_results_are_dropped() {
    let (mut app, reqs) = opened();
    let creds = reqs
        .iter()
        .find(|(t, _)| *t == ConsoleTab::Credentials)
        .unwrap()
        .1;
    to_tab(&mut app, ConsoleTab::Credentials);
    // F5 loads the tab again: the first request's answer is stale.
    let effects = app::update(&mut app, Msg::Key(KeyEvent::from(KeyCode::F(5))));
    let [Effect::ConsoleLoad { req: again, .. }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    page(
        &mut app,
        creds,
        ConsoleTab::Credentials,
        Loaded::Credentials(credentials()),
        None,
    );
    assert!(matches!(
        app.console.credentials.list,
        Remote::Loading { .. }
    ));
    // A page answering another tab's request, or an unknown one, changes nothing.
    page(
        &mut app,
        *again,
        ConsoleTab::Grants,
        Loaded::Grants(grants()),
        None,
    );
    assert!(matches!(app.console.grants.list, Remote::Loading { .. }));
    page(
        &mut app,
        *again,
        ConsoleTab::Credentials,
        Loaded::Credentials(credentials()),
        None,
    );
    assert_eq!(app.console.credentials.items().len(), credentials().len());
    // An action's result nobody waits for is dropped.
    app::update(
        &mut app,
        Msg::ConsoleActed {
            req: 9999,
            result: Ok(ConsoleOutcome::Marked(Box::new(messages().remove(0)))),
        },
    );
    assert_eq!(app.console.messages.acting, None);
    // Leaving the Console drops what still arrives for it.
    press(&mut app, KeyCode::BackTab);
    assert_eq!(app.step, Step::Home);
    let grants_req = reqs
        .iter()
        .find(|(t, _)| *t == ConsoleTab::Grants)
        .unwrap()
        .1;
    page(
        &mut app,
        grants_req,
        ConsoleTab::Grants,
        Loaded::Grants(grants()),
        None,
    );
    assert!(matches!(app.console.grants.list, Remote::Loading { .. }));
}

#[test]
fn messages_count_unread_and_a_mark_changes_the_row() {
    let mut app = loaded();
    let unread = messages().iter().filter(|m| !m.read).count();
    assert!(unread > 0);
    let shown = screen(&app, 120, 40);
    assert!(
        shown.contains(&format!("Messages {unread} unread · 1 open")),
        "{shown}"
    );
    to_tab(&mut app, ConsoleTab::Messages);
    let first = app.console.messages.current().unwrap().clone();
    let effects = press(&mut app, KeyCode::Char('m'));
    let [Effect::ConsoleAct { req, .. }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    let mut read = first.clone();
    read.read = !first.read;
    app::update(
        &mut app,
        Msg::ConsoleActed {
            req: *req,
            result: Ok(ConsoleOutcome::Marked(Box::new(read))),
        },
    );
    assert_eq!(app.console.messages.current().unwrap().read, !first.read);
    let now =
        messages().iter().filter(|m| !m.read).count() as isize + if first.read { 1 } else { -1 };
    assert!(screen(&app, 120, 40).contains(&format!("Messages {now} unread")));
}

#[test]
fn the_filter_narrows_the_list_and_esc_clears_it() {
    let mut app = loaded();
    to_tab(&mut app, ConsoleTab::Grants);
    let all = app.console.grants.shown().len();
    press(&mut app, KeyCode::Char('/'));
    assert!(app.typing());
    for c in "c644".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    assert_eq!(app.console.grants.shown().len(), 1);
    assert_eq!(
        app.console.grants.current().unwrap().grant_id,
        "c644a5da13f379db"
    );
    snap("console_filter", &app);
    press(&mut app, KeyCode::Esc);
    assert!(!app.typing());
    assert_eq!(app.console.grants.shown().len(), all);
}

// ---- snapshots of every tab ----

#[test]
fn snapshot_every_console_tab() {
    let mut app = loaded();
    for (tab, name) in [
        (ConsoleTab::Clients, "console_clients"),
        (ConsoleTab::Credentials, "console_credentials"),
        (ConsoleTab::Messages, "console_messages"),
        (ConsoleTab::Grants, "console_grants"),
        (ConsoleTab::Files, "console_files"),
    ] {
        to_tab(&mut app, tab);
        snap(name, &app);
    }
}

#[test]
fn snapshot_loading_failed_and_confirm() {
    let (mut app, reqs) = opened();
    snap("console_loading", &app);
    let req = reqs
        .iter()
        .find(|(t, _)| *t == ConsoleTab::Clients)
        .unwrap()
        .1;
    app::update(
        &mut app,
        Msg::ConsolePage {
            req,
            tab: ConsoleTab::Clients,
            zone: None,
            result: Err(
                "WG1-02 §5: http://127.0.0.1:9/cds-api/v1/clients: connection refused".into(),
            ),
        },
    );
    snap("console_failed", &app);
    let mut app = loaded();
    to_tab(&mut app, ConsoleTab::Credentials);
    press(&mut app, KeyCode::Char('x'));
    snap("console_confirm", &app);
}

#[test]
fn a_message_that_moved_lists_while_paging_is_listed_once() {
    let (mut app, reqs) = opened();
    let req = reqs
        .iter()
        .find(|(t, _)| *t == ConsoleTab::Messages)
        .unwrap()
        .1;
    let unread: Vec<Message> = messages().into_iter().take(2).collect();
    let read_list = Cursor { part: 1, url: None };
    let l = Loaded::Messages {
        items: unread.clone(),
        outstanding: None,
    };
    page(
        &mut app,
        req,
        ConsoleTab::Messages,
        l,
        Some(read_list.clone()),
    );
    to_tab(&mut app, ConsoleTab::Messages);
    let effects = press(&mut app, KeyCode::End);
    let [Effect::ConsoleLoad { req, cursor, .. }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert_eq!(cursor, &read_list, "the read list after the unread one");
    // The first message was marked read meanwhile: the read list has it too.
    let mut moved = unread[0].clone();
    moved.read = true;
    let l = Loaded::Messages {
        items: vec![moved, messages().remove(2)],
        outstanding: None,
    };
    page(&mut app, *req, ConsoleTab::Messages, l, None);
    let ids: Vec<&str> = app
        .console
        .messages
        .items()
        .iter()
        .map(|m| m.message_id.as_str())
        .collect();
    assert_eq!(ids.len(), 3, "{ids:?}");
}

#[test]
fn shift_tab_from_the_authorization_returns_to_the_console() {
    let mut app = loaded();
    press(&mut app, KeyCode::Char('a'));
    assert_eq!(app.step, Step::Authorize);
    let effects = press(&mut app, KeyCode::BackTab);
    assert_eq!(app.step, Step::Console);
    assert!(
        matches!(
            effects.as_slice(),
            [Effect::ConsoleLoad {
                tab: ConsoleTab::Grants,
                ..
            }]
        ),
        "the grants load again: {effects:?}"
    );
    let shown = screen(&app, 80, 24);
    assert!(shown.contains("Messages 1 unread"), "{shown}");
}

#[test]
fn recording_switches_on_from_the_console_too() {
    let mut app = loaded();
    let effects = app::update(
        &mut app,
        Msg::Key(KeyEvent::new(KeyCode::Char('r'), KeyModifiers::CONTROL)),
    );
    assert!(
        matches!(effects.as_slice(), [Effect::StartRecording { .. }]),
        "Ctrl-R records on every screen: {effects:?}"
    );
}

#[test]
fn the_console_keys_come_from_the_one_table_without_clashes() {
    use cds_wizard::app::keymap::{self, BINDINGS, Context};
    let tabs = [
        Context::ConsoleClients,
        Context::ConsoleCredentials,
        Context::ConsoleMessages,
        Context::ConsoleGrants,
        Context::ConsoleFiles,
    ];
    for cx in tabs.iter().chain([&Context::Console]) {
        let hints = keymap::hints(*cx);
        assert!(!hints.is_empty(), "{cx:?}");
        for h in hints {
            assert!(!h.keys.is_empty() && !h.help.is_empty(), "{h:?}");
        }
    }
    // The console's shared keys are read first: no tab may bind one of them to something else.
    for b in BINDINGS.iter().filter(|b| tabs.contains(&b.context)) {
        for spec in b.keys {
            let key = KeyEvent::new(spec.code, spec.mods);
            let shared = BINDINGS
                .iter()
                .filter(|s| s.context == Context::Console)
                .any(|s| keymap::lookup(Context::Console, &key) == Some(s.action));
            assert!(
                !shared,
                "{:?} of {:?} is also a console key",
                b.label, b.context
            );
        }
    }
    // The footer of each tab names its own action first.
    let mut app = loaded();
    for (tab, first) in [
        (ConsoleTab::Clients, "Enter show"),
        (ConsoleTab::Credentials, "r rotate · x expire"),
        (ConsoleTab::Messages, "m read/unread"),
        (ConsoleTab::Grants, "c close"),
        (ConsoleTab::Files, "d download"),
    ] {
        to_tab(&mut app, tab);
        let shown = screen(&app, 80, 24);
        let footer = shown.lines().last().unwrap_or_default();
        assert!(footer.starts_with(&format!("\"{first}")), "{footer}");
    }
}
