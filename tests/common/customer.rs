//! The test plays the customer at the demo's login and consent pages over plain HTTP (the
//! README's "Playing the customer"): GET the authorization URL, POST the login form, POST the
//! consent form, and follow the final redirect to wherever it points (the app's listener).

fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no hidden field {name} in:\n{html}"))
        + marker.len();
    let end = html[start..].find('"').expect("closing quote") + start;
    html[start..end].to_owned()
}

/// Signs in as `user` (password `demo-<user>`), answers `decision` (`approve`/`deny`), and
/// delivers the redirect. Returns the redirect target (without following it further).
pub async fn play(authorize_url: &str, user: &str, decision: &str) -> String {
    let c = super::fixtures::http();
    let url = url::Url::parse(authorize_url).expect("authorization URL");
    let origin = url.origin().ascii_serialization();
    let login = c
        .get(url)
        .send()
        .await
        .expect("authorize")
        .text()
        .await
        .expect("login page");
    let r = c
        .post(format!("{origin}/oauth/authorize/login"))
        .form(&[
            ("pending", hidden(&login, "pending")),
            ("csrf", hidden(&login, "csrf")),
            ("username", user.to_owned()),
            ("password", format!("demo-{user}")),
        ])
        .send()
        .await
        .expect("login");
    let cookie = r
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .expect("session cookie")
        .to_owned();
    let consent = r.text().await.expect("consent page");
    let r = c
        .post(format!("{origin}/oauth/authorize/consent"))
        .header("cookie", cookie)
        .form(&[
            ("pending", hidden(&consent, "pending")),
            ("csrf", hidden(&consent, "csrf")),
            ("decision", decision.to_owned()),
        ])
        .send()
        .await
        .expect("consent");
    let location = r
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .expect("a redirect after consent")
        .to_owned();
    // The browser follows it: to the app's loopback listener, or the server's receipt page.
    let _ = c.get(&location).send().await;
    location
}

/// What an `authorize` run printed after its address line, and how it ended.
pub struct Authorized {
    pub code: i32,
    /// Standard output after the `AUTHORIZE_URL` line.
    pub stdout: String,
    pub stderr: String,
}

/// Spawns `cmd` (an `authorize … --no-browser` run of the binary), reads its first line,
/// `AUTHORIZE_URL <url>`, plays alice answering `decision` there (`none`: nobody answers), and
/// waits for the run to end.
pub async fn authorize_run(mut cmd: tokio::process::Command, decision: &str) -> Authorized {
    use std::process::Stdio;
    use std::time::Duration;
    use tokio::io::{AsyncBufReadExt, BufReader};

    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn authorize");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let first = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
        .await
        .expect("the URL line in time")
        .unwrap()
        .unwrap_or_default();
    let url = first
        .strip_prefix("AUTHORIZE_URL ")
        .unwrap_or_else(|| panic!("first line is AUTHORIZE_URL <url>, got {first:?}"))
        .to_owned();
    if decision != "none" {
        play(&url, "alice", decision).await;
    }
    let mut rest = String::new();
    while let Ok(Some(l)) = lines.next_line().await {
        rest.push_str(&l);
        rest.push('\n');
    }
    let out = tokio::time::timeout(Duration::from_secs(30), child.wait_with_output())
        .await
        .expect("authorize ends")
        .unwrap();
    Authorized {
        code: out.status.code().unwrap_or(-1),
        stdout: rest,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}
