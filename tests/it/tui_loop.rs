//! The event loop itself, without a terminal: a TestBackend for the screen, a channel for the
//! input stream, and the real executor running discovery against the demo server over HTTP.

use std::time::Duration;

use cds_wizard::demo::{DemoOptions, DemoServer};
use cds_wizard::http::{HttpClient, HttpPolicy};
use cds_wizard::tui::{Executor, Start, run_loop};
use cds_wizard::ui::Theme;
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use futures::channel::mpsc;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn key(code: KeyCode) -> std::io::Result<Event> {
    Ok(Event::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

#[tokio::test]
async fn the_loop_discovers_in_the_background_and_follows_fed_keys() {
    let server = DemoServer::start(0, DemoOptions::default()).await.unwrap();
    let (tx, rx) = mpsc::unbounded();
    let mut terminal = Terminal::new(TestBackend::new(100, 30)).unwrap();
    let mut executor = Executor::new(HttpClient::new(HttpPolicy::default()).unwrap());
    let feeder = tokio::spawn(async move {
        // Discovery of the loopback demo takes milliseconds; this leaves plenty of room.
        tokio::time::sleep(Duration::from_secs(2)).await;
        for k in [
            key(KeyCode::Tab),
            key(KeyCode::Char('/')),
            key(KeyCode::Char('g')),
            key(KeyCode::Char('a')),
            key(KeyCode::Char('s')),
            key(KeyCode::Enter),
            key(KeyCode::Char(' ')),
            Ok(Event::Key(KeyEvent::new(
                KeyCode::Char('c'),
                KeyModifiers::CONTROL,
            ))),
        ] {
            tx.unbounded_send(k).unwrap();
        }
    });
    tokio::time::timeout(
        Duration::from_secs(20),
        run_loop(
            &mut terminal,
            rx,
            Start::Url(server.base_url.clone()),
            &mut executor,
            Theme::plain(),
        ),
    )
    .await
    .expect("the loop ends on Ctrl-C")
    .unwrap();
    feeder.await.unwrap();
    server.stop().await;
    let screen = terminal.backend().to_string();
    assert!(screen.contains("/gas"), "{screen}");
    assert!(screen.contains("[x] dge_usage_gas"), "{screen}");
    assert!(!screen.contains("dge_usage_electric"), "{screen}");
}

#[tokio::test]
async fn hostile_server_text_never_reaches_the_screen_raw() {
    use cds_wizard::app::{self, App, Msg};
    use cds_wizard::onboarding::discovery::{self, DiscoveryLimits};
    use std::time::Instant;

    let server = DemoServer::start(
        0,
        DemoOptions {
            hostile_strings: true,
            ..DemoOptions::default()
        },
    )
    .await
    .unwrap();
    let http = HttpClient::new(HttpPolicy::default()).unwrap();
    let d = discovery::discover(&http, &server.base_url, &DiscoveryLimits::default(), None)
        .await
        .unwrap();
    let base_url = server.base_url.clone();
    server.stop().await;
    assert!(
        d.server.raw["name"].as_str().unwrap().contains('\u{1b}'),
        "the hostile demo really serves escapes"
    );
    let (mut app, effects) = App::new(base_url, Instant::now());
    let Some(app::Effect::Discover { req, .. }) = effects.first() else {
        panic!("{effects:?}")
    };
    let req = *req;
    app::update(
        &mut app,
        Msg::DiscoveryDone {
            req,
            result: Ok(Box::new(
                cds_wizard::app::screens::discover::Discovered::new(d.clone()),
            )),
        },
    );
    // Every tab of Discovery, then every scope's details.
    let mut keys = vec![KeyCode::Right, KeyCode::Right, KeyCode::Right, KeyCode::Tab];
    keys.extend([KeyCode::Down; 10]);
    let press = |app: &mut App, k: KeyCode| {
        app::update(app, Msg::Key(KeyEvent::new(k, KeyModifiers::NONE)));
    };
    for _ in 0..2 {
        for k in &keys {
            assert_clean(&app);
            press(&mut app, *k);
        }
        press(&mut app, KeyCode::BackTab);
    }
    // The forms: every field of the Modifiers and Registration steps, details included.
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Char('/'));
    for c in "dge_usage_electric".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char(' '));
    press(&mut app, KeyCode::Tab);
    assert_eq!(app.step, app::Step::Modifiers);
    for step in [app::Step::Modifiers, app::Step::Registration] {
        assert_eq!(app.step, step);
        for _ in 0..30 {
            assert_clean(&app);
            press(&mut app, KeyCode::Down);
        }
        press(&mut app, KeyCode::Tab);
    }
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
