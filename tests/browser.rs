//! A real browser on the demo's authorization pages (issue 10 item 7): headless Chromium, driven
//! through chromedriver (WebDriver), opens the address the wizard shows, signs in with a test
//! account, approves, and is redirected to the wizard's loopback listener; the wizard completes
//! with the Grant. Once with `authorize --no-browser` (screenshots of the sign-in and consent
//! pages saved under the target directory; then a second request in the same browser goes
//! straight to consent and is denied), once with the interactive wizard in a pseudo-terminal and
//! a browser with JavaScript turned off (the pages are plain HTML forms).
//!
//! Needs Debian's `chromium` and `chromium-driver` (`.ci/run` installs them); without them the
//! tests fail and say so.

mod common;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use serde_json::json;
use tokio::io::{AsyncBufReadExt, BufReader};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// chromedriver on a free loopback port, in its own process group (it starts Chromium), killed
/// with every browser it started when dropped.
struct Driver {
    child: Child,
    url: String,
    dir: tempfile::TempDir,
    sessions: usize,
}

impl Driver {
    fn start() -> Driver {
        use std::os::unix::process::CommandExt;
        for (path, package) in [(CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")] {
            assert!(
                Path::new(path).exists(),
                "{path} is missing: the browser tests need Debian's `chromium` and \
                 `chromium-driver` packages (apt-get install chromium chromium-driver; .ci/run \
                 installs them); `{package}` provides it"
            );
        }
        let dir = tempfile::tempdir().unwrap();
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let log = std::fs::File::create(dir.path().join("chromedriver.log")).unwrap();
        let mut child = std::process::Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {CHROMEDRIVER}: {e}"));
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Some(status) = child.try_wait().unwrap() {
                let log = std::fs::read_to_string(dir.path().join("chromedriver.log"));
                panic!("chromedriver exited ({status}): {log:?}");
            }
            assert!(Instant::now() < deadline, "chromedriver did not listen");
            std::thread::sleep(Duration::from_millis(50));
        }
        Driver {
            child,
            url: format!("http://127.0.0.1:{port}"),
            dir,
            sessions: 0,
        }
    }

    /// A new headless Chromium with a fresh profile; `javascript: false` turns scripts off
    /// through the profile's content settings.
    async fn session(&mut self, javascript: bool) -> Client {
        self.sessions += 1;
        let profile = self.dir.path().join(format!("profile-{}", self.sessions));
        let mut options = json!({
            "binary": CHROMIUM,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                "--window-size=1000,1500",
                format!("--user-data-dir={}", profile.display()),
            ],
        });
        if !javascript {
            options["prefs"] = json!({"profile.managed_default_content_settings.javascript": 2});
        }
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), json!("chrome"));
        caps.insert("goog:chromeOptions".into(), options);
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        ClientBuilder::new(connector)
            .capabilities(caps)
            .connect(&self.url)
            .await
            .unwrap_or_else(|e| {
                let log = std::fs::read_to_string(self.dir.path().join("chromedriver.log"));
                panic!("no browser session: {e}\nchromedriver log: {log:?}")
            })
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // The whole group: chromedriver and the browsers it started.
        if let Ok(pid) = i32::try_from(self.child.id()) {
            // SAFETY: kill(2) with the negative id of a process group this test created.
            unsafe { libc::kill(-pid, libc::SIGKILL) };
        }
        let _ = self.child.wait();
    }
}

/// Where the screenshots go: the target directory's scratch space, printed by the test.
fn shots_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Saves a screenshot of the browser's window as `name` and checks it is a PNG.
async fn screenshot(b: &Client, name: &str) -> PathBuf {
    let png = b.screenshot().await.expect("screenshot");
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG: {name}");
    let path = shots_dir().join(name);
    std::fs::write(&path, png).unwrap();
    println!("screenshot: {}", path.display());
    path
}

/// The customer's part as a person does it: open `url`, sign in as alice by typing into the
/// form, press the buttons. Returns the address the browser ends at (the app's listener).
/// Screenshots of both pages are saved as `sign-in{tag}.png` and `consent{tag}.png`.
async fn sign_in_and_approve(b: &Client, url: &str, tag: &str) -> url::Url {
    let wait = || b.wait().at_most(Duration::from_secs(20));
    b.goto(url).await.expect("open the authorization address");
    let username = wait()
        .for_element(Locator::Css("input[name=username]"))
        .await
        .expect("the sign-in page");
    assert_eq!(
        b.title().await.unwrap(),
        "Sign in to Demo Gas & Electric — Demo Gas & Electric"
    );
    // The test accounts are listed on the page, one click away.
    b.find(Locator::XPath("//summary[.='Show the test accounts']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let first = b.find(Locator::Css("details li")).await.unwrap();
    assert!(first.is_displayed().await.unwrap());
    let text = first.text().await.unwrap();
    assert!(text.starts_with("alice / demo-alice"), "{text}");
    username.send_keys("alice").await.unwrap();
    screenshot(b, &format!("sign-in{tag}.png")).await;
    b.find(Locator::Css("input[name=password]"))
        .await
        .unwrap()
        .send_keys("demo-alice")
        .await
        .unwrap();
    b.find(Locator::XPath("//button[normalize-space()='Sign in']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let heading = wait()
        .for_element(Locator::XPath(
            "//h1[normalize-space()='Review the data request']",
        ))
        .await
        .unwrap_or_else(|e| panic!("the consent page after signing in: {e}"));
    assert!(heading.is_displayed().await.unwrap());
    let page = b
        .find(Locator::Css("body"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Signed in as Alice"), "{page}");
    // Plain HTML forms: nothing on the page depends on a script.
    let html = b.source().await.unwrap();
    assert!(!html.to_ascii_lowercase().contains("<script"), "{html}");
    screenshot(b, &format!("consent{tag}.png")).await;
    // The settings beyond the main ones open in place (a <details> element, no script).
    let more = b.find(Locator::Css("details li")).await.unwrap();
    assert!(!more.is_displayed().await.unwrap(), "closed at first");
    b.find(Locator::Css("details summary"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert!(more.is_displayed().await.unwrap(), "opened by a click");
    b.find(Locator::XPath("//button[@value='approve']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait()
        .for_element(Locator::XPath(
            "//h1[normalize-space()='Authorization received']",
        ))
        .await
        .unwrap_or_else(|e| panic!("the wizard's listener page after approving: {e}"));
    b.current_url().await.unwrap()
}

/// The redirect the browser followed: the wizard's loopback listener, with a code, the state
/// and the issuer (RFC 9207).
fn assert_loopback_callback(landed: &url::Url) {
    assert_eq!(landed.scheme(), "http", "{landed}");
    assert_eq!(landed.host_str(), Some("127.0.0.1"), "{landed}");
    assert_eq!(landed.path(), "/callback", "{landed}");
    let keys: Vec<String> = landed.query_pairs().map(|(k, _)| k.into_owned()).collect();
    for k in ["code", "state", "iss"] {
        assert!(keys.iter().any(|x| x == k), "{k} in {landed}");
    }
}

fn unique(tag: &str) -> String {
    let n = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{tag}-{}-{}", std::process::id(), n % 1_000_000_000)
}

/// Removes what a profile stored in the kernel keyring.
fn forget_secrets(home: &Path, profile: &str) {
    let index = cds_wizard::profiles::Index::load(home).unwrap();
    let store = cds_wizard::vault::keyring::build("keyutils").unwrap();
    if let Some(p) = index.profile(profile) {
        for (_, _, account) in p.stored_accounts() {
            let _ = cds_wizard::vault::SecretStore::delete(&store, &account);
        }
    }
}

/// `cds-wizard authorize PROFILE --no-browser` started: the child and the address it prints.
async fn start_authorize(home: &Path, profile: &str) -> (tokio::process::Child, Lines, String) {
    let mut child = cli(home)
        .args(["authorize", profile, "--no-browser", "--timeout", "90"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
        .await
        .expect("the address in time")
        .unwrap()
        .unwrap_or_default();
    let url = first
        .strip_prefix("AUTHORIZE_URL ")
        .unwrap_or_else(|| panic!("first line is AUTHORIZE_URL <url>, got {first:?}"))
        .to_owned();
    (child, lines, url)
}

type Lines = tokio::io::Lines<BufReader<tokio::process::ChildStdout>>;

/// Waits for a started `authorize`: its exit code, the rest of its stdout, its stderr.
async fn finish(child: tokio::process::Child, mut lines: Lines) -> (i32, String, String) {
    let mut rest = String::new();
    while let Ok(Some(l)) = lines.next_line().await {
        rest.push_str(&l);
        rest.push('\n');
    }
    let out = tokio::time::timeout(Duration::from_secs(30), child.wait_with_output())
        .await
        .expect("authorize ends")
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (out.status.code().unwrap_or(-1), rest, stderr)
}

fn cli(home: &Path) -> tokio::process::Command {
    let mut c = tokio::process::Command::new(env!("CARGO_BIN_EXE_cds-wizard"));
    c.env("CDS_WIZARD_HOME", home)
        .env("CDS_WIZARD_KEYRING", "keyutils")
        .kill_on_drop(true);
    c
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chromium_signs_in_and_approves_the_address_authorize_shows() {
    let mut driver = Driver::start();
    let base = common::demo_url();
    let home = tempfile::tempdir().unwrap();
    let profile = unique("browser");
    let answers = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/answers-demo.toml");
    let reg = cli(home.path())
        .args([
            "register",
            base,
            "--answers",
            answers,
            "--profile",
            &profile,
        ])
        .output()
        .await
        .unwrap();
    let stderr = String::from_utf8_lossy(&reg.stderr);
    assert!(reg.status.success(), "{stderr}");

    let (child, lines, url) = start_authorize(home.path(), &profile).await;
    let b = driver.session(true).await;
    let landed = sign_in_and_approve(&b, &url, "").await;
    assert_loopback_callback(&landed);
    let (code, stdout, stderr) = finish(child, lines).await;
    assert_eq!(code, 0, "{stderr}\n{stdout}");
    assert!(stdout.contains("Authorized client"), "{stdout}");
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("Grant ") && l.contains("status active")),
        "{stdout}"
    );

    // Again in the same browser: the customer's session is remembered (WG3-01 §9.1.2), so the
    // address opens the consent page at once; this time the customer denies.
    let (child, lines, url) = start_authorize(home.path(), &profile).await;
    b.goto(&url).await.unwrap();
    b.wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::XPath(
            "//h1[normalize-space()='Review the data request']",
        ))
        .await
        .expect("the consent page without signing in again");
    let fields = b.find_all(Locator::Css("input[name=password]")).await;
    assert!(fields.unwrap().is_empty(), "no sign-in form");
    b.find(Locator::XPath("//button[@value='deny']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let page = b
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::XPath(
            "//h1[normalize-space()='Authorization not completed']/..",
        ))
        .await
        .expect("the wizard's listener page after denying");
    let text = page.text().await.unwrap();
    assert!(text.contains("access_denied"), "{text}");
    b.close().await.unwrap();
    let (code, stdout, stderr) = finish(child, lines).await;
    assert_eq!(code, 2, "{stdout}\n{stderr}");
    assert!(stderr.contains("access_denied"), "{stderr}");
    forget_secrets(home.path(), &profile);

    // The pages it went through allow no script at all (and no framing).
    let page = common::fixtures::http()
        .get(format!("{base}/oauth/authorize"))
        .send()
        .await
        .unwrap();
    let csp = page.headers()["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );
}

/// The wizard in a pseudo-terminal, its screen read back by a VT100 parser.
struct Wizard {
    screen: Arc<Mutex<vt100::Parser>>,
    keys: Box<dyn Write + Send>,
    child: Box<dyn portable_pty::Child + Send + Sync>,
    _master: Box<dyn portable_pty::MasterPty + Send>,
}

impl Wizard {
    fn start(rows: u16, cols: u16, args: &[&str], env: &[(&str, &std::ffi::OsStr)]) -> Wizard {
        let size = PtySize {
            rows,
            cols,
            pixel_width: 0,
            pixel_height: 0,
        };
        let pair = native_pty_system().openpty(size).unwrap();
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_cds-wizard"));
        cmd.args(args);
        cmd.env("TERM", "xterm-256color");
        cmd.env("NO_COLOR", "1");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = pair.slave.spawn_command(cmd).unwrap();
        drop(pair.slave);
        let screen = Arc::new(Mutex::new(vt100::Parser::new(rows, cols, 0)));
        let mut reader = pair.master.try_clone_reader().unwrap();
        let feed = screen.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                feed.lock().unwrap().process(&buf[..n]);
            }
        });
        let keys = pair.master.take_writer().unwrap();
        Wizard {
            screen,
            keys,
            child,
            _master: pair.master,
        }
    }

    fn wait_for(&self, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let text = self.screen.lock().unwrap().screen().contents();
            if text.contains(needle) {
                return text;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {needle:?}; screen:\n{text}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn press(&mut self, bytes: &[u8]) {
        self.keys.write_all(bytes).unwrap();
        self.keys.flush().unwrap();
        // Each key read on its own (an ESC followed at once by a letter is Alt+letter).
        std::thread::sleep(Duration::from_millis(40));
    }

    fn type_line(&mut self, text: &str) {
        self.press(b"\r");
        for c in text.as_bytes() {
            self.press(&[*c]);
        }
        self.press(b"\r");
    }

    fn wait_exit(&mut self) -> portable_pty::ExitStatus {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                return s;
            }
            assert!(Instant::now() < deadline, "the wizard did not exit");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// The row after `heading`, without the box border: the address the wizard shows (the terminal
/// is wide enough for it to fit on one row).
fn row_after(screen: &str, heading: &str) -> String {
    let mut rows = screen.lines().skip_while(|l| !l.contains(heading));
    rows.next();
    rows.next()
        .unwrap_or_default()
        .trim_matches(|c: char| c == '│' || c.is_whitespace())
        .to_owned()
}

/// `cds-wizard demo` walked by keystrokes to its authorization step (one usage scope, the
/// registration fields typed in); returns the address it shows.
fn wizard_to_the_address(w: &mut Wizard) -> String {
    let icon = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/answers-demo-icon.png");
    w.wait_for("Demo Gas & Electric");
    w.press(b"\t");
    w.wait_for("cds_client_admin");
    for k in ["/", "u", "s", "a", "g", "e", "\r", " ", "\t"] {
        w.press(k.as_bytes());
    }
    w.wait_for("Usage history start");
    w.press(b"\t");
    w.wait_for("Profile name");
    w.press(b"j");
    w.type_line("Watt Watcher");
    w.press(b"j");
    w.type_line("dev@wattwatcher.example");
    for _ in 0..5 {
        w.press(b"j");
    }
    w.type_line("Watt Watcher Inc.");
    w.press(b"j");
    w.type_line("https://wattwatcher.example");
    w.press(b"j");
    w.type_line("dev@wattwatcher.example");
    w.press(b"j");
    w.press(b" "); // accept the data terms
    w.press(b"j");
    w.type_line(icon);
    w.wait_for("Registration · ✓ valid");
    w.press(b"\t");
    w.wait_for("POST http://127.0.0.1:");
    w.press(b"\r");
    w.wait_for("Registered. Clients:");
    w.press(b"\r");
    w.wait_for("Choose the client");
    w.press(b"\r");
    let waiting = w.wait_for("Waiting for the callback on http://127.0.0.1:");
    let url = row_after(&waiting, "Send the customer to this address:");
    assert!(url.starts_with("http://127.0.0.1:"), "{url}\n{waiting}");
    url
}

#[test]
fn the_wizard_completes_with_a_browser_that_runs_no_javascript() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut driver = Driver::start();
    let b = rt.block_on(driver.session(false));
    // JavaScript is really off in this browser: a page's script does not run.
    rt.block_on(async {
        b.goto("data:text/html,<title>no script</title><script>document.title='ran'</script>")
            .await
            .unwrap();
        assert_eq!(b.title().await.unwrap(), "no script", "JavaScript is off");
    });

    let home = tempfile::tempdir().unwrap();
    let mut w = Wizard::start(
        30,
        220,
        &["demo"],
        &[
            ("CDS_WIZARD_HOME", home.path().as_os_str()),
            ("CDS_WIZARD_KEYRING", "keyutils".as_ref()),
        ],
    );
    let url = wizard_to_the_address(&mut w);
    let landed = rt.block_on(sign_in_and_approve(&b, &url, "-no-javascript"));
    assert_loopback_callback(&landed);
    let outcome = w.wait_for("Authorized client");
    assert!(outcome.contains("Grant"), "{outcome}");
    rt.block_on(b.close()).unwrap();
    w.press(b"\t");
    w.wait_for("Stored in the keyring");
    w.press(b"\r");
    w.wait_for("Quit the wizard?");
    w.press(b"y");
    assert!(w.wait_exit().success());
    forget_secrets(home.path(), "demo-gas-electric");
}
