//! Driving the built binary for the fault matrix: one run of a command in a private home with
//! the kernel keyring, `authorize` with the customer played over HTTP (tolerant: a faulted
//! authorization page makes the customer give up, as a person would), and the set-ups
//! (register, authorize, expire the access tokens) a step needs before its fault.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};

/// Seconds each server response may take in a faulted run (the latency fault waits longer).
pub const TIMEOUT: &str = "2";

/// One run of the binary.
#[derive(Debug, Default)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn both(&self) -> String {
        format!("stdout:\n{}\nstderr:\n{}", self.stdout, self.stderr)
    }
}

fn cli(home: &Path) -> tokio::process::Command {
    let mut c = tokio::process::Command::new(env!("CARGO_BIN_EXE_cds-wizard"));
    c.env("CDS_WIZARD_HOME", home)
        .env("CDS_WIZARD_KEYRING", "keyutils")
        .env_remove("RUST_BACKTRACE")
        .env_remove("CDS_WIZARD_LOG")
        .kill_on_drop(true);
    c
}

pub async fn run(home: &Path, args: &[&str]) -> Run {
    let out = tokio::time::timeout(
        Duration::from_secs(120),
        cli(home).args(args).stdin(Stdio::null()).output(),
    )
    .await
    .unwrap_or_else(|_| panic!("{args:?} ends within 120 s"))
    .expect("run cds-wizard");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

pub fn answers() -> String {
    format!("{}/assets/answers-demo.toml", env!("CARGO_MANIFEST_DIR"))
}

/// `register BASE --answers … --profile PROFILE`.
pub async fn register(home: &Path, base: &str, profile: &str, timeout: &str) -> Run {
    let a = answers();
    run(
        home,
        &[
            "register",
            base,
            "--answers",
            &a,
            "--profile",
            profile,
            "--timeout",
            timeout,
        ],
    )
    .await
}

/// `authorize PROFILE --no-browser`; `before_customer` runs once the URL is shown (to arm a
/// fault for the steps after the redirect). The customer approves, and gives up on any page that fails.
pub async fn authorize(
    home: &Path,
    profile: &str,
    wait_secs: &str,
    request_timeout: &str,
    before_customer: impl FnOnce(),
) -> Run {
    let mut cmd = cli(home);
    cmd.args([
        "authorize",
        profile,
        "--no-browser",
        "--timeout",
        wait_secs,
        "--request-timeout",
        request_timeout,
    ])
    .stdin(Stdio::null())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn authorize");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let mut stdout = String::new();
    let first = tokio::time::timeout(Duration::from_secs(60), lines.next_line())
        .await
        .expect("authorize shows its URL or ends")
        .ok()
        .flatten();
    if let Some(first) = first {
        stdout.push_str(&first);
        stdout.push('\n');
        if let Some(url) = first.strip_prefix("AUTHORIZE_URL ") {
            before_customer();
            let _ = play(url).await;
        }
        while let Ok(Some(l)) = lines.next_line().await {
            stdout.push_str(&l);
            stdout.push('\n');
        }
    }
    let out = tokio::time::timeout(Duration::from_secs(120), child.wait_with_output())
        .await
        .expect("authorize ends")
        .expect("authorize output");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn hidden(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker)? + marker.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_owned())
}

/// The customer at the demo's pages: sign in as alice, approve, and follow the redirect to the
/// app's listener. `None` as soon as a page does not load or does not read as expected.
async fn play(authorize_url: &str) -> Option<()> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let c = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(3))
        .build()
        .ok()?;
    let url = url::Url::parse(authorize_url).ok()?;
    let origin = url.origin().ascii_serialization();
    let login = c.get(url).send().await.ok()?.text().await.ok()?;
    let r = c
        .post(format!("{origin}/oauth/authorize/login"))
        .form(&[
            ("pending", hidden(&login, "pending")?),
            ("csrf", hidden(&login, "csrf")?),
            ("username", "alice".to_owned()),
            ("password", "demo-alice".to_owned()),
        ])
        .send()
        .await
        .ok()?;
    let cookie = r
        .headers()
        .get("set-cookie")?
        .to_str()
        .ok()?
        .split(';')
        .next()?
        .to_owned();
    let consent = r.text().await.ok()?;
    let r = c
        .post(format!("{origin}/oauth/authorize/consent"))
        .header("cookie", cookie)
        .form(&[
            ("pending", hidden(&consent, "pending")?),
            ("csrf", hidden(&consent, "csrf")?),
            ("decision", "approve".to_owned()),
        ])
        .send()
        .await
        .ok()?;
    let location = r.headers().get("location")?.to_str().ok()?.to_owned();
    c.get(&location).send().await.ok()?;
    Some(())
}

/// Marks the stored access tokens of every profile in `home` as expired (so `token`
/// refreshes).
pub fn expire_access_tokens(home: &Path) {
    let path = home.join("profiles.toml");
    let text = std::fs::read_to_string(&path).expect("profiles.toml");
    let expired: Vec<String> = text
        .lines()
        .map(|l| {
            if l.starts_with("access_token_expires_at") {
                "access_token_expires_at = \"2000-01-01T00:00:00Z\"".to_owned()
            } else {
                l.to_owned()
            }
        })
        .collect();
    std::fs::write(&path, expired.join("\n")).expect("write profiles.toml");
}
