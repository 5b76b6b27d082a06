//! The wizard at scale (issue 5): with the demo's catalog scaled to 10,000 scopes and 100,000
//! coverage entries, keypress-to-frame stays under 16 ms and the first frame appears within
//! 100 ms of start. Run: `cargo bench --bench tui`. Exits non-zero when a budget is missed.
//!
//! - Keypress-to-frame: `app::update(Msg::Key)` plus `terminal.draw(ui::draw)` on a ratatui
//!   TestBackend at 120x40 and 80x24, after a real HTTP discovery of the scaled demo.
//! - DiscoveryDone → frame: building the screens' state from the discovery, then one frame.
//! - First frame: the release binary `cds-wizard tui <scaled demo>` in a pseudo-terminal, from
//!   spawning it until its step indicator is on screen (read back by a VT100 parser).

use std::io::{Read, Write};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cds_wizard::app::screens::discover::Discovered;
use cds_wizard::app::{self, App, Effect, Msg};
use cds_wizard::demo::scale::Scale;
use cds_wizard::demo::{DemoOptions, DemoServer};
use cds_wizard::http::{HttpClient, HttpPolicy};
use cds_wizard::onboarding::discovery::{Discovery, DiscoveryLimits, discover};
use cds_wizard::ui::{self, Theme};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const SCALE: Scale = Scale {
    scopes: 10_000,
    coverage: 100_000,
};
const KEY_BUDGET: Duration = Duration::from_millis(16);
const FIRST_FRAME_BUDGET: Duration = Duration::from_millis(100);
const SIZES: [(u16, u16); 2] = [(120, 40), (80, 24)];
const FIRST_FRAME_RUNS: usize = 10;
/// What the step indicator shows on the first frame (`ui::strings::step_name`).
const FIRST_FRAME_TEXT: &str = "Discovery";
/// The utility card's title, shown once discovery is done.
const READY_TEXT: &str = "Demo Gas & Electric";

fn main() -> ExitCode {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let server = rt
        .block_on(DemoServer::start(
            0,
            DemoOptions {
                scale: SCALE,
                ..Default::default()
            },
        ))
        .expect("demo server");
    println!(
        "TUI at scale: demo with {} generated scopes and {} generated coverage entries",
        SCALE.scopes, SCALE.coverage
    );

    let discovery = rt.block_on(discover_scaled(&server.base_url));
    let mut misses = Vec::new();

    println!("\nDiscoveryDone → frame (building the screens from 100,000 rows, then one draw)");
    let (w, h) = SIZES[0];
    let mut built_off_loop: Vec<Duration> = Vec::new();
    let mut done: Vec<Duration> = (0..5)
        .map(|_| {
            let (mut app, req) = started(&server.base_url);
            let mut term = terminal(w, h);
            // Built in the discovery task, off the event loop; timed apart (the copy of the
            // discovery it consumes is made before).
            let copy = discovery.clone();
            let t = Instant::now();
            let built = Discovered::new(copy);
            built_off_loop.push(t.elapsed());
            let result = Ok(Box::new(built));
            let t = Instant::now();
            app::update(&mut app, Msg::DiscoveryDone { req, result });
            draw(&mut term, &app);
            t.elapsed()
        })
        .collect();
    done.sort();
    built_off_loop.sort();
    println!(
        "  view built in the discovery task (off the loop): median {}, max {} (5 runs)",
        ms(built_off_loop[built_off_loop.len() / 2]),
        ms(built_off_loop[built_off_loop.len() - 1])
    );
    println!(
        "  {w}x{h}: DiscoveryDone handled + frame (on the loop): median {}, max {} (5 runs)",
        ms(done[done.len() / 2]),
        ms(done[done.len() - 1])
    );

    println!(
        "\nkeypress-to-frame: app::update(Key) + draw on TestBackend; budget p99 ≤ {}",
        ms(KEY_BUDGET)
    );
    for (w, h) in SIZES {
        println!("  {w}x{h}");
        println!(
            "    {:<34} {:>6} {:>9} {:>9} {:>9}",
            "key", "n", "median", "p99", "max"
        );
        for (name, times) in keypresses(&server.base_url, &discovery, w, h) {
            let s = Stats::of(times);
            println!(
                "    {name:<34} {:>6} {:>9} {:>9} {:>9}",
                s.n,
                ms(s.median),
                ms(s.p99),
                ms(s.max)
            );
            if s.p99 > KEY_BUDGET {
                misses.push(format!(
                    "{name} at {w}x{h}: p99 {} > {}",
                    ms(s.p99),
                    ms(KEY_BUDGET)
                ));
            }
        }
    }

    println!(
        "\nfirst frame: release binary `cds-wizard tui <scaled demo>` in a 120x40 pty, \
         {FIRST_FRAME_RUNS} runs; budget median ≤ {}",
        ms(FIRST_FRAME_BUDGET)
    );
    let url = server.base_url.clone();
    // On this thread: the runtime's workers serve the demo meanwhile.
    match first_frames(&url) {
        Ok(runs) => {
            let first = Stats::of(runs.iter().map(|r| r.0).collect());
            let ready = Stats::of(runs.iter().map(|r| r.1).collect());
            println!(
                "  to the first frame:            median {}, min {}, max {}",
                ms(first.median),
                ms(first.min),
                ms(first.max)
            );
            println!(
                "  to the utility card (discovery of the scaled demo done): median {}, max {}",
                ms(ready.median),
                ms(ready.max)
            );
            if first.median > FIRST_FRAME_BUDGET {
                misses.push(format!(
                    "first frame: median {} > {}",
                    ms(first.median),
                    ms(FIRST_FRAME_BUDGET)
                ));
            }
        }
        Err(e) => misses.push(format!("first frame: {e}")),
    }

    rt.block_on(server.stop());
    if misses.is_empty() {
        println!("\nall within budget");
        ExitCode::SUCCESS
    } else {
        eprintln!("\nover budget:");
        for m in &misses {
            eprintln!("  {m}");
        }
        ExitCode::FAILURE
    }
}

/// Discovers the scaled demo over real HTTP, as the wizard does, and checks it is all there.
async fn discover_scaled(base_url: &str) -> Discovery {
    let client = HttpClient::new(HttpPolicy::default()).expect("http client");
    let t = Instant::now();
    let d = discover(&client, base_url, &DiscoveryLimits::default(), None)
        .await
        .expect("discovery of the scaled demo");
    let elapsed = t.elapsed();
    let coverage = d.coverage.as_ref().map_or(0, |c| c.entries.len());
    let scopes = d
        .oauth
        .as_ref()
        .and_then(|o| o.parsed.as_ref())
        .map_or(0, |m| m.cds_scope_descriptions.len());
    println!(
        "  discovery over HTTP: {} ({} coverage entries in {} pages, {scopes} scopes; \
         {} errors, {} warnings)",
        ms(elapsed),
        coverage,
        d.coverage.as_ref().map_or(0, |c| c.pages),
        d.errors(),
        d.warnings()
    );
    assert!(
        coverage >= SCALE.coverage && scopes >= SCALE.scopes,
        "discovery stopped short of the scaled demo: {coverage} coverage entries, {scopes} scopes"
    );
    d
}

fn terminal(w: u16, h: u16) -> Terminal<TestBackend> {
    Terminal::new(TestBackend::new(w, h)).expect("test terminal")
}

fn draw(term: &mut Terminal<TestBackend>, app: &App) {
    let theme = Theme {
        color: true,
        links: false,
    };
    term.draw(|f| {
        ui::draw(f, app, &theme);
    })
    .expect("draw");
}

/// A wizard whose discovery has started; returns it and the request id.
fn started(url: &str) -> (App, u64) {
    let (app, effects) = App::new(url, Instant::now());
    match effects.as_slice() {
        [Effect::Discover { req, .. }, Effect::LoadProfiles] => {
            let req = *req;
            (app, req)
        }
        other => panic!("expected Discover and LoadProfiles, got {other:?}"),
    }
}

fn key(code: KeyCode) -> Msg {
    let mods = if code == KeyCode::BackTab {
        KeyModifiers::SHIFT
    } else {
        KeyModifiers::NONE
    };
    Msg::Key(KeyEvent::new(code, mods))
}

/// One step of a scenario: a key, and whether its keypress-to-frame time is recorded (under
/// that name) or the key only sets up the next measured one.
enum Step {
    Measure(&'static str, KeyCode),
    Setup(KeyCode),
}

/// On a fresh wizard: the `setup` keys, then `rounds` times the `steps`.
struct Scenario {
    setup: Vec<KeyCode>,
    rounds: usize,
    steps: Vec<Step>,
}

fn scenario(setup: Vec<KeyCode>, rounds: usize, steps: Vec<Step>) -> Scenario {
    Scenario {
        setup,
        rounds,
        steps,
    }
}

/// Drives the ready wizard through each scenario and returns the times per measured key.
fn keypresses(url: &str, d: &Discovery, w: u16, h: u16) -> Vec<(&'static str, Vec<Duration>)> {
    use KeyCode::*;
    use Step::{Measure as M, Setup as S};
    let typing = "plan 7"
        .chars()
        .map(|c| M("search: type a character", Char(c)));
    let search: Vec<Step> = std::iter::once(M("/ start search", Char('/')))
        .chain(typing)
        .chain((0..6).map(|_| M("search: Backspace", Backspace)))
        .chain([S(Esc)])
        .collect();
    let scenarios = [
        scenario(
            vec![Right],
            3_000,
            vec![M("↓ coverage (100,000 rows)", Down)],
        ),
        scenario(
            vec![Right],
            600,
            vec![M("PgDn coverage", PageDown), M("PgUp coverage", PageUp)],
        ),
        scenario(
            vec![Right],
            500,
            vec![M("End coverage", End), M("Home coverage", Home)],
        ),
        scenario(
            Vec::new(),
            500,
            vec![
                M("Tab to scopes", Tab),
                M("Shift-Tab back to discovery", BackTab),
            ],
        ),
        scenario(
            vec![Tab],
            3_000,
            vec![M("↓ scope list (10,000 scopes)", Down)],
        ),
        scenario(
            vec![Tab],
            300,
            vec![M("End scope list", End), M("Home scope list", Home)],
        ),
        scenario(vec![Tab], 150, search),
        scenario(
            vec![Tab, Down, Down, Down, Down],
            1_500,
            vec![M("Space toggle", Char(' ')), S(Down)],
        ),
    ];
    let mut out: Vec<(&'static str, Vec<Duration>)> = Vec::new();
    for Scenario {
        setup,
        rounds,
        steps,
    } in scenarios
    {
        let (mut app, req) = started(url);
        let result = Ok(Box::new(Discovered::new(d.clone())));
        app::update(&mut app, Msg::DiscoveryDone { req, result });
        app::update(&mut app, Msg::Resize(w, h));
        let mut term = terminal(w, h);
        for code in setup {
            app::update(&mut app, key(code));
        }
        draw(&mut term, &app);
        for _ in 0..rounds {
            for step in &steps {
                match step {
                    S(code) => {
                        app::update(&mut app, key(*code));
                        draw(&mut term, &app);
                    }
                    M(name, code) => {
                        let t = Instant::now();
                        let effects = app::update(&mut app, key(*code));
                        draw(&mut term, &app);
                        let elapsed = t.elapsed();
                        assert!(effects.is_empty(), "{name}: unexpected effects {effects:?}");
                        match out.iter_mut().find(|(n, _)| n == name) {
                            Some((_, v)) => v.push(elapsed),
                            None => out.push((name, vec![elapsed])),
                        }
                    }
                }
            }
        }
    }
    out
}

struct Stats {
    n: usize,
    min: Duration,
    median: Duration,
    p99: Duration,
    max: Duration,
}

impl Stats {
    fn of(mut v: Vec<Duration>) -> Stats {
        assert!(!v.is_empty());
        v.sort();
        let at = |q: f64| v[((v.len() - 1) as f64 * q).round() as usize];
        Stats {
            n: v.len(),
            min: v[0],
            median: at(0.5),
            p99: at(0.99),
            max: v[v.len() - 1],
        }
    }
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1000.0)
}

/// Runs the release binary in a pty `FIRST_FRAME_RUNS` times; per run, the time from spawn to
/// the first frame and to the utility card.
fn first_frames(url: &str) -> Result<Vec<(Duration, Duration)>, String> {
    // One unmeasured run first: the binary's pages come into the page cache.
    first_frame(url)?;
    (0..FIRST_FRAME_RUNS).map(|_| first_frame(url)).collect()
}

fn first_frame(url: &str) -> Result<(Duration, Duration), String> {
    let (rows, cols) = (40, 120);
    let pair = native_pty_system()
        .openpty(PtySize {
            rows,
            cols,
            pixel_width: 0,
            pixel_height: 0,
        })
        .map_err(|e| format!("openpty: {e}"))?;
    let home = tempfile::tempdir().map_err(|e| e.to_string())?;
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_cds-wizard"));
    cmd.args(["tui", url]);
    cmd.env("TERM", "xterm-256color");
    cmd.env("CDS_WIZARD_HOME", home.path());
    let parser = Arc::new(Mutex::new(vt100::Parser::new(rows, cols, 0)));
    let mut reader = pair
        .master
        .try_clone_reader()
        .map_err(|e| format!("pty reader: {e}"))?;
    let mut keys = pair
        .master
        .take_writer()
        .map_err(|e| format!("pty writer: {e}"))?;
    // Times are taken by the reader as the bytes arrive, not by a polling loop.
    let first_at: Arc<Mutex<Option<Instant>>> = Arc::default();
    let ready_at: Arc<Mutex<Option<Instant>>> = Arc::default();
    let (feed, first, ready) = (parser.clone(), first_at.clone(), ready_at.clone());
    let t0 = Instant::now();
    let mut child = pair
        .slave
        .spawn_command(cmd)
        .map_err(|e| format!("spawn: {e}"))?;
    drop(pair.slave);
    let pump = std::thread::spawn(move || {
        let mut buf = [0u8; 16384];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            let mut p = feed.lock().unwrap_or_else(|e| e.into_inner());
            p.process(&buf[..n]);
            let text = p.screen().contents();
            let now = Instant::now();
            for (slot, needle) in [(&first, FIRST_FRAME_TEXT), (&ready, READY_TEXT)] {
                let mut slot = slot.lock().unwrap_or_else(|e| e.into_inner());
                if slot.is_none() && text.contains(needle) {
                    *slot = Some(now);
                }
            }
        }
    });
    let deadline = t0 + Duration::from_secs(60);
    let result = loop {
        let ready = *ready_at.lock().unwrap_or_else(|e| e.into_inner());
        let first = *first_at.lock().unwrap_or_else(|e| e.into_inner());
        if let (Some(f), Some(r)) = (first, ready) {
            break Ok((f - t0, r - t0));
        }
        if Instant::now() > deadline {
            let screen = parser
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .screen()
                .contents();
            break Err(format!(
                "timed out waiting for the wizard; screen:\n{screen}"
            ));
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    // Ctrl-C quits at once and restores the terminal.
    let _ = keys.write_all(&[3]).and_then(|_| keys.flush());
    let quit_by = Instant::now() + Duration::from_secs(10);
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if Instant::now() < quit_by => std::thread::sleep(Duration::from_millis(10)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                break;
            }
        }
    }
    drop(keys);
    drop(pair.master);
    let _ = pump.join();
    result
}
