//! The Console in the real event loop with the real executor, against the demo utility over
//! HTTP (issue 11): a profile registered through the engine, opened as `cds-wizard PROFILE`
//! does, its credential rotated by keystrokes, the keyring checked.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use cds_wizard::app::screens::console::{ConsoleTab, Loaded};
use cds_wizard::ui::Theme;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// A profile registered with the demo answers through the engine, into `home` and `vault`.
async fn register(
    base: &str,
    home: &Path,
    vault: &cds_wizard::vault::memory::MemoryStore,
    name: &str,
) -> cds_wizard::profiles::Index {
    use cds_wizard::onboarding::discovery::{self, DiscoveryLimits};
    use cds_wizard::onboarding::register::{self, Engine};
    use cds_wizard::onboarding::{answers, plan};
    let http = cds_wizard::http::HttpClient::new(Default::default()).unwrap();
    let d = discovery::discover(&http, base, &DiscoveryLimits::default(), None)
        .await
        .unwrap();
    let meta = d.oauth_metadata().unwrap();
    let answers =
        answers::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/answers-demo.toml"))
            .unwrap();
    let plan = plan::plan(
        meta,
        &answers.selection(),
        &|p| plan::read_capped(p, plan::MAX_FILE_BYTES),
        jiff::Timestamp::now(),
    )
    .unwrap_or_else(|p| panic!("{p:?}"));
    let mut index = cds_wizard::profiles::Index::load(home).unwrap();
    let mut engine = Engine {
        http: &http,
        vault,
        index: &mut index,
    };
    register::register(
        &mut engine,
        meta,
        Some(&d.metadata_url),
        &plan,
        name,
        &|_| {},
    )
    .await
    .unwrap();
    index
}

/// Every client secret of the profile, by account, as the keyring holds them.
fn secrets(
    index: &cds_wizard::profiles::Index,
    name: &str,
    vault: &dyn cds_wizard::vault::SecretStore,
) -> Vec<(String, String)> {
    use cds_wizard::vault::SecretKind;
    let p = index.profile(name).unwrap();
    p.stored_accounts()
        .into_iter()
        .filter(|(_, kind, _)| *kind == SecretKind::ClientSecret)
        .map(|(_, _, account)| {
            let s = vault.get(&account).unwrap().expect("stored");
            (account, s.expose().to_owned())
        })
        .collect()
}

#[tokio::test]
async fn the_console_rotates_a_secret_by_keystrokes() {
    use cds_wizard::demo::{DemoOptions, DemoServer};
    use cds_wizard::tui::{Executor, Start, run_loop};
    use cds_wizard::vault::SecretStore;
    use crossterm::event::Event;
    use futures::channel::mpsc;

    let server = DemoServer::start(0, DemoOptions::default()).await.unwrap();
    let home = tempfile::tempdir().unwrap();
    let vault = Arc::new(cds_wizard::vault::memory::MemoryStore::default());
    let name = "console-rotate";
    let index = register(&server.base_url, home.path(), &vault, name).await;
    let before = secrets(&index, name, &*vault);
    assert!(!before.is_empty());

    let (tx, rx) = mpsc::unbounded();
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    let http = cds_wizard::http::HttpClient::new(Default::default()).unwrap();
    let mut executor = Executor::new(http)
        .with_vault(vault.clone() as Arc<dyn SecretStore>)
        .with_index(index);
    let watched = vault.clone();
    let accounts = before.clone();
    let feeder = tokio::spawn(async move {
        let send = |code: KeyCode, mods: KeyModifiers| {
            tx.unbounded_send(Ok(Event::Key(KeyEvent::new(code, mods))))
                .unwrap();
        };
        // The first pages of every tab arrive from loopback in well under this.
        tokio::time::sleep(Duration::from_secs(3)).await;
        send(KeyCode::Right, KeyModifiers::NONE); // Credentials
        send(KeyCode::Char('r'), KeyModifiers::NONE);
        send(KeyCode::Char('y'), KeyModifiers::NONE);
        // Until a secret in the keyring changed (or 20 s), then a little for the reload.
        for _ in 0..200 {
            tokio::time::sleep(Duration::from_millis(100)).await;
            let changed = accounts.iter().any(|(a, s)| {
                watched.get(a).ok().flatten().map(|x| x.expose().to_owned()) != Some(s.clone())
            });
            if changed {
                break;
            }
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
        send(KeyCode::Char('c'), KeyModifiers::CONTROL);
    });
    tokio::time::timeout(
        Duration::from_secs(40),
        run_loop(
            &mut terminal,
            rx,
            Start::Console(name.to_owned()),
            &mut executor,
            Theme::plain(),
        ),
    )
    .await
    .expect("the loop ends on Ctrl-C")
    .unwrap();
    feeder.await.unwrap();
    let screen = terminal.backend().to_string();
    server.stop().await;
    // Exactly one client's secret changed in the keyring.
    let index = cds_wizard::profiles::Index::load(home.path()).unwrap();
    let after = secrets(&index, name, &*vault);
    let changed: Vec<_> = before
        .iter()
        .zip(&after)
        .filter(|(b, a)| b.1 != a.1)
        .collect();
    assert_eq!(changed.len(), 1, "{screen}");
    assert!(screen.contains("New credential"), "{screen}");
    assert!(screen.contains("Expired the old credential"), "{screen}");
    assert!(screen.contains("in the keyring (current)"), "{screen}");
}

/// No escape, C1 control, bidi override, bell or NUL on the screen at either size.
fn assert_clean(app: &cds_wizard::app::App) {
    for (w, h) in [(80, 24), (120, 40)] {
        let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
        terminal
            .draw(|f| {
                cds_wizard::ui::draw(f, app, &Theme::plain());
            })
            .unwrap();
        let screen = terminal.backend().to_string();
        for bad in ['\u{1b}', '\u{9b}', '\u{202e}', '\u{7}', '\0'] {
            assert!(
                !screen.contains(bad),
                "{bad:?} reached the screen:\n{screen}"
            );
        }
    }
}

/// The first page of every tab of a profile registered at the hostile demo, fetched by the
/// engine as the executor does.
async fn hostile_pages() -> Vec<(ConsoleTab, Loaded)> {
    use cds_wizard::demo::{DemoOptions, DemoServer};
    use cds_wizard::onboarding::engine::Engine;
    use cds_wizard::onboarding::manage::{Session, clients, credentials, grants, messages};

    let server = DemoServer::start(
        0,
        DemoOptions {
            hostile_strings: true,
            ..DemoOptions::default()
        },
    )
    .await
    .unwrap();
    let home = tempfile::tempdir().unwrap();
    let vault = cds_wizard::vault::memory::MemoryStore::default();
    let mut index = register(&server.base_url, home.path(), &vault, HOSTILE).await;
    let http = cds_wizard::http::HttpClient::new(Default::default()).unwrap();
    let engine = Engine {
        http: &http,
        vault: &vault,
        index: &mut index,
    };
    let mut s = Session::open(engine, HOSTILE).unwrap();
    let c = clients::list_page(&mut s, &Default::default(), None)
        .await
        .unwrap();
    let k = credentials::list_page(&mut s, &Default::default(), None)
        .await
        .unwrap();
    let list = messages::MessageList::Unread;
    let m = messages::list_page(&mut s, list, &Default::default(), None)
        .await
        .unwrap();
    let g = grants::list_page(&mut s, &Default::default(), None)
        .await
        .unwrap();
    server.stop().await;
    assert!(
        c.items.iter().any(|c| c.display_name().contains('\u{1b}'))
            || m.items
                .iter()
                .any(|m| m.name.contains('\u{1b}') || m.description.contains('\u{1b}')),
        "the hostile demo really serves escapes"
    );
    vec![
        (ConsoleTab::Clients, Loaded::Clients(c.items)),
        (ConsoleTab::Credentials, Loaded::Credentials(k.items)),
        (
            ConsoleTab::Messages,
            Loaded::Messages {
                items: m.items,
                outstanding: None,
            },
        ),
        (ConsoleTab::Grants, Loaded::Grants(g.items)),
        (ConsoleTab::Files, Loaded::Files(Vec::new())),
    ]
}

const HOSTILE: &str = "console-hostile";

#[tokio::test]
async fn hostile_server_text_never_reaches_the_console_raw() {
    use cds_wizard::app::screens::console::listing::Cursor;
    use cds_wizard::app::{self, App, Effect, Msg};

    let mut pages = hostile_pages().await;
    let (mut app, effects) = App::console(HOSTILE, std::time::Instant::now());
    for e in effects {
        let Effect::ConsoleLoad { req, tab, .. } = e else {
            continue;
        };
        let at = pages.iter().position(|(t, _)| *t == tab).unwrap();
        let (_, loaded) = pages.remove(at);
        let next = Some(Cursor::first());
        let result = Ok((loaded, next));
        let zone = Some("America/Los_Angeles".to_owned());
        app::update(
            &mut app,
            Msg::ConsolePage {
                req,
                tab,
                zone,
                result,
            },
        );
    }
    let press = |app: &mut App, k: KeyCode| {
        app::update(app, Msg::Key(KeyEvent::new(k, KeyModifiers::NONE)));
    };
    // Every tab, every row's details, and the confirmation dialogs.
    for _ in 0..5 {
        for _ in 0..6 {
            assert_clean(&app);
            press(&mut app, KeyCode::Down);
        }
        for k in ['r', 'x', 'c'] {
            press(&mut app, KeyCode::Char(k));
            assert_clean(&app);
            if app.overlay.is_some() {
                press(&mut app, KeyCode::Esc);
            }
        }
        assert!(app.overlay.is_none());
        let tab = app.console.tab();
        press(&mut app, KeyCode::Right);
        assert_ne!(app.console.tab(), tab, "on to the next tab");
    }
}
