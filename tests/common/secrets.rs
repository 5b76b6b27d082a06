//! The secret-leak guard (issue 4 item 6): no secret may appear in any file the program wrote
//! or in its logs. `assert_no_secret_in` walks a directory (a test's `CDS_WIZARD_HOME`, a log
//! directory) and fails naming the file and the form in which a secret was found: as is,
//! JSON-escaped, percent- or form-encoded, or Base64 (standard or URL-safe, padded or not, and
//! also when the secret sits inside a larger encoded value such as an HTTP Basic credential).
//! The failure message names the secret by its position in the list, never by its value.

use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};

/// Shorter fragments than this are not searched for (a Base64 fragment of a short secret
/// would match by chance); every secret a test checks must be at least this long.
const MIN_NEEDLE: usize = 8;

/// Fails, naming the file, when any `secrets` string (or an encoded form) appears in any file
/// under `dir`, at any depth, hidden files included. A missing `dir` has no files. No file is
/// exempt: the demo utility's remembered state (`<dir>/demo/state.json`), which holds the
/// secrets and tokens the demo issued, is sealed with a key in the keyring, so it is searched
/// like any other (and must also be private: 0600 in a 0700 directory).
pub fn assert_no_secret_in(dir: &Path, secrets: &[&str]) {
    let needles = needles(secrets);
    let demo_state = dir.join("demo").join("state.json");
    for file in files_under(dir) {
        if file == demo_state {
            assert_private(&file);
        }
        let Ok(bytes) = std::fs::read(&file) else {
            panic!("cannot read {} to check it for secrets", file.display());
        };
        if let Some(found) = find(&bytes, &needles) {
            panic!("a secret appears in {} ({found})", file.display());
        }
    }
}

/// Fails unless `file` is 0600 and its directory 0700 (Unix).
fn assert_private(file: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(file), 0o600, "{} is private", file.display());
        let dir = file.parent().unwrap();
        assert_eq!(mode(dir), 0o700, "{} is private", dir.display());
    }
    #[cfg(not(unix))]
    let _ = file;
}

/// The same check on text that is not a file (captured stdout/stderr of a command, a log).
pub fn assert_no_secret_in_text(what: &str, text: &str, secrets: &[&str]) {
    if let Some(found) = find(text.as_bytes(), &needles(secrets)) {
        panic!("a secret appears in {what} ({found})");
    }
}

/// Every regular file under `dir` (symlinks are not followed).
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let Ok(t) = e.file_type() else { continue };
            if t.is_dir() {
                todo.push(e.path());
            } else if t.is_file() {
                out.push(e.path());
            }
        }
    }
    out.sort();
    out
}

/// (secret index, form name, bytes to look for).
type Needle = (usize, &'static str, Vec<u8>);

fn needles(secrets: &[&str]) -> Vec<Needle> {
    let mut out = Vec::new();
    for (i, s) in secrets.iter().enumerate() {
        assert!(
            s.len() >= MIN_NEEDLE,
            "secret #{i} is too short to search for reliably (use at least {MIN_NEEDLE} bytes)"
        );
        out.push((i, "as is", s.as_bytes().to_vec()));
        out.push((i, "JSON-escaped", json_escaped(s).into_bytes()));
        for (form, engine) in [
            ("base64", &STANDARD_NO_PAD),
            ("base64url", &URL_SAFE_NO_PAD),
        ] {
            for frag in base64_fragments(s.as_bytes(), engine) {
                out.push((i, form, frag.into_bytes()));
            }
        }
    }
    out.retain(|(_, _, n)| n.len() >= MIN_NEEDLE);
    out
}

/// Searches the text as it is, then percent-decoded, then form-decoded (`+` is a space):
/// decoding the haystack catches every encoder's choices (`%7E` or `~`, `%20` or `+`, upper or
/// lower hex) where encoding the needle would have to guess them.
fn find(hay: &[u8], needles: &[Needle]) -> Option<String> {
    let views = [
        ("", hay.to_vec()),
        (", percent-encoded", percent_decode(hay, false)),
        (", form-encoded", percent_decode(hay, true)),
    ];
    for (how, view) in &views {
        if let Some((i, form, _)) = needles
            .iter()
            .find(|(_, _, n)| view.windows(n.len()).any(|w| w == n.as_slice()))
        {
            return Some(format!("secret #{i}, {form}{how}"));
        }
    }
    None
}

fn json_escaped(s: &str) -> String {
    let quoted = serde_json::to_string(s).unwrap_or_default();
    quoted[1..quoted.len() - 1].to_owned()
}

/// Decodes `%XX` sequences (malformed ones stay as they are), and `+` as a space when asked.
fn percent_decode(s: &[u8], plus_is_space: bool) -> Vec<u8> {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        match s[i] {
            b'%' if i + 2 < s.len() => {
                if let (Some(h), Some(l)) = (hex(s[i + 1]), hex(s[i + 2])) {
                    out.push(h * 16 + l);
                    i += 3;
                    continue;
                }
                out.push(b'%');
            }
            b'+' if plus_is_space => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    out
}

/// The Base64 characters that depend only on the secret, for each of the three alignments it
/// can have inside a longer encoded value (`base64("client_id:" + secret)`): the characters
/// covering bits of the neighbours are cut off. Alignment 0 also yields the whole encoding.
fn base64_fragments(secret: &[u8], engine: &impl Engine) -> Vec<String> {
    let mut out = vec![engine.encode(secret)];
    let n = secret.len();
    for k in 0..3usize {
        let mut buf = vec![0u8; k];
        buf.extend_from_slice(secret);
        let enc = engine.encode(&buf);
        // Character i covers bits [6i, 6i+6); the secret occupies bits [8k, 8k+8n).
        let first = (8 * k).div_ceil(6);
        let end = (8 * k + 8 * n) / 6;
        if end > first && end <= enc.len() {
            out.push(enc[first..end].to_owned());
        }
    }
    out
}
