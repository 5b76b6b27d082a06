//! The wizard's Catalog view (issue 13 point 5) over a real crawl: an in-process demo fleet on
//! loopback crawled twice (the second time at the next epoch, so some catalogs changed) into a
//! temporary SQLite database, then the view driven by keys and drawn at 80x24 and 120x40 (insta
//! snapshots), the real event loop and executor reading the database, and a 1,000-utility fleet
//! filtered and drawn within a frame's budget.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use cds_wizard::app::screens::catalog::fleet::FleetView;
use cds_wizard::app::screens::catalog::{CatalogTab, StoredUtility};
use cds_wizard::app::{self, App, Effect, Msg, Step};
use cds_wizard::catalog::browse::{self, FleetUtility};
use cds_wizard::catalog::crawl::{self, CrawlOptions};
use cds_wizard::catalog::store::Catalog;
use cds_wizard::demo::fleet::{Behaviour, FleetOptions, FleetServer, behaviour, planted_between};
use cds_wizard::http::{HttpClient, HttpPolicy};
use cds_wizard::tui::{Executor, Start, run_loop};
use cds_wizard::ui::{self, Theme};
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const SIZE: usize = 8;
const SEED: u64 = 5;

/// A fleet of [`SIZE`] crawled at epoch 1 (`q1`) then epoch 2 (`q2`) into `dir/catalog.sqlite`.
async fn crawled(dir: &Path) -> PathBuf {
    let server = FleetServer::start(
        0,
        FleetOptions {
            size: SIZE,
            seed: SEED,
            epoch: 1,
            latency: Duration::ZERO,
            slow: Duration::ZERO,
        },
    )
    .await
    .expect("fleet");
    let path = dir.join("catalog.sqlite");
    let mut catalog = Catalog::open(&path).expect("database");
    let http = HttpClient::new(HttpPolicy::default()).expect("client");
    for (epoch, label) in [(1, "q1"), (2, "q2")] {
        server.fleet.set_epoch(epoch);
        let options = CrawlOptions {
            concurrency: 8,
            per_host: 8,
            label: Some(label.into()),
            ..CrawlOptions::default()
        };
        let urls = crawl::parse_url_list(&server.fleet.list());
        crawl::crawl(
            &mut catalog,
            &http,
            urls,
            &options,
            Arc::new(|_| {}),
            std::future::pending(),
        )
        .await
        .expect("crawl");
    }
    server.stop().await;
    path
}

/// What the executor reads for `LoadCatalog`, read the same way (`catalog::browse`).
fn fleet_of(path: &Path) -> (Box<FleetView>, Vec<FleetUtility>) {
    let c = Catalog::open(path).unwrap();
    let rows = browse::fleet(c.conn()).unwrap();
    let view = Box::new(FleetView::new(&path.display().to_string(), &rows));
    (view, rows)
}

fn stored_of(path: &Path, id: i64) -> Arc<StoredUtility> {
    let c = Catalog::open(path).unwrap();
    let snapshot = c.load(id).unwrap();
    let kept = browse::stored_catalog(c.conn(), id, &snapshot).unwrap();
    let complete = kept.is_some();
    let scopes = kept.unwrap_or_else(|| browse::catalog_scopes(&snapshot));
    let crawl = browse::crawl_name(c.conn(), id).unwrap();
    Arc::new(StoredUtility {
        snapshot,
        scopes,
        complete,
        crawl,
    })
}

/// Runs `effects` as the executor would, against the database at `path`.
fn run(app: &mut App, path: &Path, effects: Vec<Effect>) {
    for e in effects {
        match e {
            Effect::LoadCatalog { req } => {
                let (view, _) = fleet_of(path);
                app::update(
                    app,
                    Msg::CatalogLoaded {
                        req,
                        result: Ok(view),
                    },
                );
            }
            Effect::LoadCatalogUtility { req, id } => {
                let result = Ok(stored_of(path, id));
                app::update(app, Msg::CatalogUtility { req, id, result });
            }
            _ => {}
        }
    }
}

fn press(app: &mut App, path: &Path, code: KeyCode) {
    let effects = app::update(app, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
    run(app, path, effects);
}

/// The view with the database read, the clock two minutes after the first crawl.
fn opened(path: &Path) -> App {
    let (mut app, effects) = App::catalog(Instant::now());
    run(&mut app, path, effects);
    let (_, rows) = fleet_of(path);
    let first: jiff::Timestamp = rows
        .iter()
        .filter_map(|r| r.crawled_at.parse().ok())
        .min()
        .unwrap();
    app::update(
        &mut app,
        Msg::Tick {
            now: Instant::now(),
            // Every row then reads "10 min ago" however long the crawls took.
            wall: first + jiff::SignedDuration::from_secs(630),
        },
    );
    app
}

/// What changes from run to run (the fleet's port, the temporary folder, the crawl's time)
/// replaced by placeholders of the same width, so columns stay where they were.
fn stable(screen: &str) -> String {
    let same_width = |re: &str, with: &str, s: &str| {
        regex::Regex::new(re)
            .unwrap()
            .replace_all(s, |c: &regex::Captures| {
                let n = c[0].chars().count();
                with.chars().cycle().take(n).collect::<String>()
            })
            .into_owned()
    };
    let s = same_width(r"127\.0\.0\.1:\d{5}", "127.0.0.1:PORT_", screen);
    let s = same_width(r"/tmp/\.tmp\w+", "/tmp/TEMPDIR____", &s);
    same_width(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", "YYYY-MM-DD hh:mm:ss", &s)
}

fn snap(name: &str, app: &App) {
    for (w, h) in [(80, 24), (120, 40)] {
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), stable(&screen(app, w, h)));
    }
}

fn screen(app: &App, w: u16, h: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal
        .draw(|f| {
            ui::draw(f, app, &Theme::plain());
        })
        .unwrap();
    terminal.backend().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_catalog_views_of_a_crawled_fleet() {
    let dir = tempfile::tempdir().unwrap();
    let path = crawled(dir.path()).await;
    let (_, rows) = fleet_of(&path);
    assert_eq!(rows.len(), SIZE, "one row per utility, not per crawl");
    let failing = (0..SIZE)
        .filter(|i| behaviour(*i) == Behaviour::Failing)
        .count();
    assert_eq!(rows.iter().filter(|r| !r.ok).count(), failing);
    assert!(
        rows.iter().filter(|r| r.ok).all(|r| r.previous.is_some()),
        "crawled twice: each stored utility has a previous snapshot"
    );
    let mut app = opened(&path);
    snap("catalog_utilities", &app);
    // `s` twice: by coverage, the largest first.
    press(&mut app, &path, KeyCode::Char('s'));
    press(&mut app, &path, KeyCode::Char('s'));
    let coverage: Vec<i64> = {
        let f = app.catalog.view().unwrap();
        let shown = &app.catalog.shown.rows;
        shown.iter().map(|&i| f.rows[i].coverage).collect()
    };
    let mut expected = coverage.clone();
    expected.sort_by_key(|c| std::cmp::Reverse(*c));
    assert_eq!(coverage, expected);
    assert!(screen(&app, 80, 24).contains("Coverage▾"));
    for _ in 0..3 {
        press(&mut app, &path, KeyCode::Char('s'));
    }

    press(&mut app, &path, KeyCode::Right);
    assert_eq!(app.catalog.tab, CatalogTab::Matrix);
    snap("catalog_matrix", &app);
    press(&mut app, &path, KeyCode::Char('/'));
    for c in "rate_plan".chars() {
        press(&mut app, &path, KeyCode::Char(c));
    }
    press(&mut app, &path, KeyCode::Enter);
    let offering = rows
        .iter()
        .filter(|r| r.scope_types.contains_key("cds_rate_plan"))
        .count();
    assert_eq!(app.catalog.shown.rows.len(), offering);
    assert_eq!(app.catalog.shown.types.len(), 1);
    snap("catalog_matrix_filtered", &app);
    press(&mut app, &path, KeyCode::Esc);
    // Esc outside the filter line asks to quit; the filter stays until cleared in it.
    press(&mut app, &path, KeyCode::Char('n'));
    press(&mut app, &path, KeyCode::Char('/'));
    press(&mut app, &path, KeyCode::Esc);
    assert!(app.catalog.filter.is_empty());

    press(&mut app, &path, KeyCode::Right);
    assert_eq!(app.catalog.tab, CatalogTab::Scopes);
    assert!(
        app.catalog
            .stored(app.catalog.browsing.unwrap())
            .unwrap()
            .complete
    );
    for _ in 0..4 {
        press(&mut app, &path, KeyCode::Down);
    }
    snap("catalog_scopes", &app);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_utilities_and_two_crawls_side_by_side() {
    let dir = tempfile::tempdir().unwrap();
    let path = crawled(dir.path()).await;
    let mut app = opened(&path);
    press(&mut app, &path, KeyCode::Char(' '));
    press(&mut app, &path, KeyCode::Down);
    press(&mut app, &path, KeyCode::Char(' '));
    press(&mut app, &path, KeyCode::Char('c'));
    assert_eq!(app.catalog.tab, CatalogTab::Compare);
    let cmp = app.catalog.compare.as_ref().expect("both read");
    let (a, b) = (stored_of(&path, cmp.a), stored_of(&path, cmp.b));
    let expected = cds_wizard::catalog::diff(&a.snapshot, &b.snapshot);
    assert_eq!(
        cmp.changes,
        expected.len(),
        "the differences of catalog diff"
    );
    snap("catalog_compare", &app);

    press(&mut app, &path, KeyCode::Char('d'));
    assert!(app.catalog.compare.as_ref().unwrap().only_differences);
    snap("catalog_compare_differences", &app);
    press(&mut app, &path, KeyCode::Char('d'));

    // Over time: the utility with a planted change, against its previous crawl.
    let (_, rows) = fleet_of(&path);
    let i = (0..SIZE)
        .find(|i| !planted_between(SEED, *i, 1, 2).is_empty())
        .expect("the seed plants a change in the fleet");
    let planted = planted_between(SEED, i, 1, 2);
    let slug = format!("/u/u{i:04}/");
    let at = rows
        .iter()
        .position(|r| r.input_url.contains(&slug))
        .unwrap();
    press(&mut app, &path, KeyCode::Left);
    press(&mut app, &path, KeyCode::Left);
    press(&mut app, &path, KeyCode::Left);
    assert_eq!(app.catalog.tab, CatalogTab::Utilities);
    press(&mut app, &path, KeyCode::Home);
    for _ in 0..at {
        press(&mut app, &path, KeyCode::Down);
    }
    press(&mut app, &path, KeyCode::Char('t'));
    let cmp = app.catalog.compare.as_ref().expect("both crawls read");
    assert_eq!(cmp.changes, planted.len(), "exactly the planted change");
    assert!(cmp.a_title.ends_with("(q1)"), "{}", cmp.a_title);
    assert!(cmp.b_title.ends_with("(q2)"), "{}", cmp.b_title);
    // The differences are listed last: End scrolls to them.
    press(&mut app, &path, KeyCode::End);
    let text = screen(&app, 120, 40);
    assert!(text.contains(&planted[0].subject), "{text}");
    snap("catalog_over_time", &app);

    // Enter on a utility starts onboarding it, live.
    press(&mut app, &path, KeyCode::Left);
    press(&mut app, &path, KeyCode::Left);
    press(&mut app, &path, KeyCode::Left);
    let effects = app::update(
        &mut app,
        Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
    );
    assert_eq!(app.step, Step::Discover);
    assert!(
        matches!(&effects[..], [Effect::Discover { url, .. }] if *url == rows[at].input_url),
        "{effects:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_event_loop_reads_the_database_off_the_loop() {
    let dir = tempfile::tempdir().unwrap();
    let path = crawled(dir.path()).await;
    let (tx, rx) = futures::channel::mpsc::unbounded();
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    let mut executor = Executor::new(HttpClient::new(HttpPolicy::default()).unwrap())
        .with_catalog_db(path.clone());
    let key = |c: KeyCode| Ok(Event::Key(KeyEvent::new(c, KeyModifiers::NONE)));
    let feeder = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(800)).await;
        for k in [KeyCode::Char(' '), KeyCode::Down, KeyCode::Char(' ')] {
            tx.unbounded_send(key(k)).unwrap();
        }
        tx.unbounded_send(key(KeyCode::Char('c'))).unwrap();
        tokio::time::sleep(Duration::from_millis(800)).await;
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        tx.unbounded_send(Ok(Event::Key(ctrl_c))).unwrap();
    });
    tokio::time::timeout(
        Duration::from_secs(20),
        run_loop(
            &mut terminal,
            rx,
            Start::Catalog(Some(path.clone())),
            &mut executor,
            Theme::plain(),
        ),
    )
    .await
    .expect("the loop ends on Ctrl-C")
    .unwrap();
    feeder.await.unwrap();
    let text = terminal.backend().to_string();
    assert!(text.contains("Compare (2 marked)"), "{text}");
    assert!(text.contains("differences ·"), "{text}");
    assert!(text.contains("catalog.sqlite"), "{text}");
}

#[tokio::test]
async fn a_missing_database_is_reported_not_created() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("none.sqlite");
    let (tx, rx) = futures::channel::mpsc::unbounded();
    let mut terminal = Terminal::new(TestBackend::new(100, 20)).unwrap();
    let mut executor = Executor::new(HttpClient::new(HttpPolicy::default()).unwrap())
        .with_catalog_db(path.clone());
    let feeder = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        tx.unbounded_send(Ok(Event::Key(ctrl_c))).unwrap();
    });
    run_loop(
        &mut terminal,
        rx,
        Start::Catalog(Some(path.clone())),
        &mut executor,
        Theme::plain(),
    )
    .await
    .unwrap();
    feeder.await.unwrap();
    let text = terminal.backend().to_string();
    assert!(text.contains("No research catalog at"), "{text}");
    assert!(!path.exists(), "browsing never creates a database");
}

/// A synthetic fleet of `n` utilities, each offering some of twelve scope types.
fn big_fleet(n: usize) -> FleetView {
    let types: Vec<String> = (0..12).map(|t| format!("cds_type_{t:02}")).collect();
    let rows: Vec<FleetUtility> = (0..n)
        .map(|i| FleetUtility {
            id: i as i64 + 1,
            ok: i % 50 != 7,
            input_url: format!("https://u{i}.example/.well-known/cds-server-metadata.json"),
            name: Some(format!("Utility {i:04} Power & Light")),
            draft: Some("cds-2026".into()),
            scopes: 8,
            coverage_entries: i as i64,
            crawled_at: "2026-12-01T15:00:00Z".into(),
            last_attempt: "2026-12-01T15:00:00Z".into(),
            scope_types: types
                .iter()
                .enumerate()
                .filter(|(t, _)| (i + t) % 3 != 0)
                .map(|(_, s)| (s.clone(), 1))
                .collect(),
            ..FleetUtility::default()
        })
        .collect();
    FleetView::new("big.sqlite", &rows)
}

#[test]
fn a_thousand_utilities_filter_and_draw_within_a_frame() {
    let (mut app, effects) = App::catalog(Instant::now());
    let Some(Effect::LoadCatalog { req }) = effects.first().cloned() else {
        panic!("{effects:?}")
    };
    app::update(
        &mut app,
        Msg::CatalogLoaded {
            req,
            result: Ok(Box::new(big_fleet(1000))),
        },
    );
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    let keys = [KeyCode::Right, KeyCode::Char('/')]
        .into_iter()
        .chain("type_05".chars().map(KeyCode::Char))
        .chain([KeyCode::Backspace; 7])
        .chain("0999".chars().map(KeyCode::Char))
        .chain([KeyCode::Enter, KeyCode::Esc, KeyCode::Char('n')])
        .chain([KeyCode::End, KeyCode::PageUp, KeyCode::Home, KeyCode::Left]);
    let mut worst = Duration::ZERO;
    for k in keys {
        let t = Instant::now();
        app::update(&mut app, Msg::Key(KeyEvent::new(k, KeyModifiers::NONE)));
        terminal
            .draw(|f| {
                ui::draw(f, &app, &Theme::plain());
            })
            .unwrap();
        worst = worst.max(t.elapsed());
    }
    assert_eq!(app.catalog.shown.rows.len(), 1, "the filter 0999 is kept");
    // A frame is 16 ms; an unoptimized build on a shared machine gets ten times that.
    assert!(
        worst < Duration::from_millis(160),
        "slowest key + frame {worst:?}"
    );
}

/// Every cell of a frame: no control character (escapes, bidi overrides) reaches the screen.
fn assert_clean(app: &App) {
    for (w, h) in [(80, 24), (120, 40)] {
        let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
        terminal
            .draw(|f| {
                ui::draw(f, app, &Theme::plain());
            })
            .unwrap();
        for cell in terminal.backend().buffer().content() {
            let bad = cell.symbol().chars().find(|c| {
                c.is_control() || ('\u{202a}'..='\u{202e}').contains(c) || *c == '\u{2066}'
            });
            assert!(bad.is_none(), "{:?} drawn at {w}x{h}", bad);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_text_in_the_database_never_reaches_the_screen_raw() {
    let dir = tempfile::tempdir().unwrap();
    let path = crawled(dir.path()).await;
    {
        // What a hostile utility could have served, as the crawl would have stored it.
        let c = Catalog::open(&path).unwrap();
        let evil = "Evil\u{1b}[2J\u{1b}]52;c;AAAA\u{7}\u{202e}Power\r\n\t";
        for sql in [
            "UPDATE utilities SET name = ?1, time_zone = ?1, draft = ?1",
            "UPDATE utilities SET error = ?1 WHERE status = 'failed'",
            "UPDATE crawls SET label = ?1",
            "UPDATE scopes SET name = ?1, description = ?1, type = ?1 || type",
            "UPDATE registration_fields SET description = ?1, currency = ?1",
            "UPDATE coverage_entries SET name = ?1",
        ] {
            c.conn().execute(sql, [evil]).unwrap();
        }
    }
    let mut app = opened(&path);
    let mut keys = vec![KeyCode::Char(' '), KeyCode::Down, KeyCode::Char(' ')];
    keys.extend([KeyCode::Right, KeyCode::Right]);
    keys.extend([KeyCode::Down; 6]);
    keys.extend([KeyCode::Right, KeyCode::Char('c'), KeyCode::End]);
    keys.extend([
        KeyCode::Left,
        KeyCode::Left,
        KeyCode::Left,
        KeyCode::Char('t'),
    ]);
    keys.extend([KeyCode::Left, KeyCode::Left, KeyCode::Left, KeyCode::End]);
    for k in keys {
        assert_clean(&app);
        press(&mut app, &path, k);
    }
    assert_clean(&app);
    assert!(
        app.catalog.compare.is_some(),
        "the comparison was drawn too"
    );
}
