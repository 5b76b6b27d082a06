//! Redaction of everything a transcript holds (issue 12 item 2): credentials by the name they
//! travel under (`Authorization`, `Cookie`, `client_secret`, `access_token`, ...) in headers,
//! query strings, URL fragments, form bodies and JSON at any depth, and every secret value this
//! process has held (`crate::secret::known`) wherever it appears — raw, percent- or
//! form-encoded, JSON-escaped, or Base64 (also inside a longer Base64 value such as an HTTP
//! Basic credential). Each is replaced by `[redacted:<kind>]`, keeping the structure around it.
//! Pure: no I/O.

use std::borrow::Cow;
use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, MatchKind};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use regex::Regex;

/// Names whose values are secret wherever they appear (form fields, query and fragment
/// parameters, JSON members), with the kind the replacement names.
const SECRET_NAMES: &[&str] = &[
    "client_secret",
    "access_token",
    "refresh_token",
    "code",
    "code_verifier",
    "password",
    "id_token",
    "registration_access_token",
    "client_assertion",
    "assertion",
    "subject_token",
    "actor_token",
    // RFC 7009 §2.1 revocation and RFC 7662 introspection send the token as `token`.
    "token",
];

/// JSON members named like this are documents' own words (`"code": "US-CA"`), not the OAuth
/// code: in JSON they are left alone (an authorization code value is still caught by value).
const NOT_SECRET_IN_JSON: &[&str] = &["code", "token"];

/// Headers whose whole value is a credential.
const SECRET_HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
    "x-api-key",
    "dpop",
];

/// The replacement text for a value of `kind`.
pub fn marker(kind: &str) -> String {
    format!("[redacted:{kind}]")
}

fn secret_name(name: &str) -> Option<&'static str> {
    SECRET_NAMES
        .iter()
        .find(|n| n.eq_ignore_ascii_case(name))
        .copied()
}

/// Replaces the known secret values (and their encodings) in text. Build one per batch of
/// work with [`Redactor::new`] (or [`Redactor::current`] for this process's secrets).
pub struct Redactor {
    known: Option<AhoCorasick>,
}

impl Redactor {
    /// A redactor for these secret values (shorter than `secret::known::MIN_LEN` are ignored).
    pub fn new(values: &[String]) -> Self {
        let mut needles: Vec<String> = Vec::new();
        for v in values
            .iter()
            .filter(|v| v.len() >= crate::secret::known::MIN_LEN)
        {
            needles.extend(encodings(v));
        }
        needles.retain(|n| n.len() >= crate::secret::known::MIN_LEN);
        needles.sort();
        needles.dedup();
        let known = (!needles.is_empty())
            .then(|| {
                AhoCorasick::builder()
                    .match_kind(MatchKind::LeftmostLongest)
                    .build(&needles)
                    .ok()
            })
            .flatten();
        Redactor { known }
    }

    /// A redactor for every secret value this process has held so far.
    pub fn current() -> Self {
        Self::new(&crate::secret::known::values())
    }

    /// Free text: known values, then `name=value` pairs, `"name": "value"` members, and Basic
    /// and Bearer credentials found inside it.
    pub fn text<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let known = self.known_values(text);
        match inline(&known) {
            Cow::Borrowed(_) => known,
            Cow::Owned(s) => Cow::Owned(s),
        }
    }

    /// Bytes that are not text (images, PDFs): known values replaced, byte for byte.
    pub fn bytes<'a>(&self, bytes: &'a [u8]) -> Cow<'a, [u8]> {
        match &self.known {
            Some(ac) if ac.is_match(bytes) => {
                let marker = marker("secret");
                let reps = vec![marker.as_bytes(); ac.patterns_len()];
                Cow::Owned(ac.replace_all_bytes(bytes, &reps))
            }
            _ => Cow::Borrowed(bytes),
        }
    }

    fn known_values<'a>(&self, text: &'a str) -> Cow<'a, str> {
        match &self.known {
            Some(ac) if ac.is_match(text) => {
                let marker = marker("secret");
                let reps = vec![marker.as_str(); ac.patterns_len()];
                Cow::Owned(ac.replace_all(text, &reps))
            }
            _ => Cow::Borrowed(text),
        }
    }

    /// A URL: secret query and fragment parameters by name, then known values.
    pub fn url(&self, url: &str) -> String {
        let (rest, fragment) = match url.split_once('#') {
            Some((r, f)) => (r, Some(f)),
            None => (url, None),
        };
        let (base, query) = match rest.split_once('?') {
            Some((b, q)) => (b, Some(q)),
            None => (rest, None),
        };
        let mut out = base.to_owned();
        if let Some(q) = query {
            out.push('?');
            out.push_str(&pairs(q));
        }
        if let Some(f) = fragment {
            out.push('#');
            out.push_str(&pairs(f));
        }
        self.text(&out).into_owned()
    }

    /// One header value: credentials headers keep only their scheme (`Bearer`, `Basic`) or
    /// cookie names; every other header goes through [`Redactor::text`].
    pub fn header(&self, name: &str, value: &str) -> String {
        let lower = name.to_ascii_lowercase();
        if !SECRET_HEADERS.contains(&lower.as_str()) {
            return self.text(value).into_owned();
        }
        match lower.as_str() {
            "authorization" | "proxy-authorization" => match value.split_once(' ') {
                Some((scheme, _)) if scheme.eq_ignore_ascii_case("bearer") => {
                    format!("{scheme} {}", marker("access_token"))
                }
                Some((scheme, _)) if scheme.eq_ignore_ascii_case("basic") => {
                    format!("{scheme} {}", marker("client_credentials"))
                }
                Some((scheme, _)) => format!("{scheme} {}", marker("authorization")),
                None => marker("authorization"),
            },
            "cookie" => value
                .split(';')
                .map(|c| match c.split_once('=') {
                    Some((n, _)) => format!("{n}={}", marker("cookie")),
                    None => marker("cookie"),
                })
                .collect::<Vec<_>>()
                .join(";"),
            "set-cookie" => {
                let (first, attrs) = value.split_once(';').unwrap_or((value, ""));
                let name = first.split_once('=').map_or("", |(n, _)| n);
                let attrs = if attrs.is_empty() {
                    String::new()
                } else {
                    format!(";{attrs}")
                };
                format!("{name}={}{attrs}", marker("cookie"))
            }
            _ => marker(&lower),
        }
    }

    /// A body as text: a form body by field name, a JSON body by member name at any depth
    /// (also when it does not parse), then [`Redactor::text`].
    pub fn body<'a>(&self, content_type: Option<&str>, body: &'a str) -> Cow<'a, str> {
        let ct = content_type.unwrap_or("").to_ascii_lowercase();
        let structured: Cow<'a, str> = if ct.contains("x-www-form-urlencoded") {
            Cow::Owned(pairs(body))
        } else if ct.contains("json") || body.trim_start().starts_with(['{', '[']) {
            json_members(body)
        } else {
            Cow::Borrowed(body)
        };
        match structured {
            Cow::Borrowed(b) => self.text(b),
            Cow::Owned(s) => Cow::Owned(self.text(&s).into_owned()),
        }
    }
}

/// The forms a secret can take in transcribed text.
fn encodings(v: &str) -> Vec<String> {
    let mut out = vec![v.to_owned()];
    let json = serde_json::to_string(v).unwrap_or_default();
    out.push(json[1..json.len().saturating_sub(1)].to_owned());
    out.push(url::form_urlencoded::byte_serialize(v.as_bytes()).collect());
    out.push(percent_all(v));
    for engine in [&STANDARD, &STANDARD_NO_PAD, &URL_SAFE, &URL_SAFE_NO_PAD] {
        out.push(engine.encode(v));
    }
    // Inside a longer Base64 value (`base64(id ":" secret)`): the characters that depend only
    // on the secret, for each of the three alignments it can have.
    for engine in [&STANDARD_NO_PAD, &URL_SAFE_NO_PAD] {
        for k in 0..3usize {
            let mut buf = vec![0u8; k];
            buf.extend_from_slice(v.as_bytes());
            let enc = engine.encode(&buf);
            let first = (8 * k).div_ceil(6);
            let end = (8 * k + 8 * v.len()) / 6;
            if end > first && end <= enc.len() {
                out.push(enc[first..end].to_owned());
            }
        }
    }
    out
}

/// Every byte except unreserved characters percent-encoded (another encoder's choice).
fn percent_all(v: &str) -> String {
    v.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// `a=1&code=xyz` → `a=1&code=[redacted:code]`; everything else kept as written.
pub fn pairs(text: &str) -> String {
    text.split('&')
        .map(|pair| match pair.split_once('=') {
            Some((k, _)) => {
                let name: String = url::form_urlencoded::parse(k.as_bytes())
                    .next()
                    .map(|(n, _)| n.into_owned())
                    .unwrap_or_default();
                match secret_name(&name) {
                    Some(kind) => format!("{k}={}", marker(kind)),
                    None => pair.to_owned(),
                }
            }
            None => pair.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// Secret-named members of JSON text at any depth, found by scanning (so invalid or truncated
/// JSON is redacted as far as it goes, and valid JSON keeps its exact bytes elsewhere).
pub fn json_members(text: &str) -> Cow<'_, str> {
    struct Frame {
        object: bool,
        expect_key: bool,
        secret: Option<&'static str>,
    }
    let bytes = text.as_bytes();
    let mut stack: Vec<Frame> = Vec::new();
    let mut cuts: Vec<(usize, usize, &'static str)> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                let end = string_end(bytes, i + 1);
                let inner = &text[i + 1..end.min(bytes.len())];
                if let Some(top) = stack.last_mut() {
                    if top.object && top.expect_key {
                        top.expect_key = false;
                        top.secret = secret_name(inner).filter(|n| !NOT_SECRET_IN_JSON.contains(n));
                    } else if let Some(kind) = top.secret {
                        cuts.push((i + 1, end.min(bytes.len()), kind));
                    }
                }
                i = end + 1;
                continue;
            }
            b'{' | b'[' => {
                let inherited = stack.last().and_then(|t| t.secret);
                let object = bytes[i] == b'{';
                stack.push(Frame {
                    object,
                    expect_key: object,
                    secret: if object { None } else { inherited },
                });
            }
            b'}' | b']' => {
                stack.pop();
            }
            b',' => {
                if let Some(top) = stack.last_mut()
                    && top.object
                {
                    top.expect_key = true;
                    top.secret = None;
                }
            }
            _ => {}
        }
        i += 1;
    }
    if cuts.is_empty() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (start, end, kind) in cuts {
        out.push_str(&text[at..start]);
        out.push_str(&marker(kind));
        at = end;
    }
    out.push_str(&text[at..]);
    Cow::Owned(out)
}

/// The index of the closing quote of a JSON string starting at `from` (or the end).
fn string_end(bytes: &[u8], from: usize) -> usize {
    let mut j = from;
    while j < bytes.len() {
        match bytes[j] {
            b'\\' => j += 2,
            b'"' => return j,
            _ => j += 1,
        }
    }
    bytes.len()
}

/// Credentials inside other text: `name=value` (in a URL or form quoted somewhere),
/// `"name": "value"` (also JSON escaped inside a JSON string), `Basic xxx`, `Bearer xxx`.
fn inline(text: &str) -> Cow<'_, str> {
    static PATTERNS: LazyLock<Vec<(Regex, &'static str)>> = LazyLock::new(|| {
        let names = "client_secret|access_token|refresh_token|code_verifier|password|id_token\
                     |registration_access_token|client_assertion|subject_token|actor_token";
        [
            (
                format!(r#"(?i)(\b(?:{names})=)[^&\s"'#<>\\]+"#),
                "${1}[redacted:inline]",
            ),
            (
                r#"([?&#](?:code|token)=)[^&\s"'#<>\\]+"#.to_owned(),
                "${1}[redacted:inline]",
            ),
            (
                format!(r#"((?:\\?")(?:{names})\\?"\s*:\s*\\?")[^"\\]+"#),
                "${1}[redacted:inline]",
            ),
        ]
        .into_iter()
        .filter_map(|(re, rep)| Regex::new(&re).ok().map(|r| (r, rep)))
        .collect()
    });
    let mut current = Cow::Borrowed(text);
    for (re, rep) in PATTERNS.iter() {
        if re.is_match(&current) {
            // Already-redacted markers match `[^...]+` too; skip values that are markers.
            let replaced = re.replace_all(&current, |c: &regex::Captures<'_>| {
                let whole = c.get(0).map_or("", |m| m.as_str());
                let prefix = c.get(1).map_or("", |m| m.as_str());
                if whole[prefix.len()..].starts_with("[redacted:") {
                    whole.to_owned()
                } else {
                    rep.replace("${1}", prefix)
                }
            });
            current = Cow::Owned(replaced.into_owned());
        }
    }
    match credential_words(&current) {
        Cow::Borrowed(_) => current,
        Cow::Owned(s) => Cow::Owned(s),
    }
}

/// `Basic <base64 of id:secret>` and `Bearer <token>` inside other text. Only what looks like
/// a credential is replaced (a Basic value that decodes to `id:secret`, a Bearer token with
/// digits), so prose such as "Bearer authentication" in a document stays as it is.
fn credential_words(text: &str) -> Cow<'_, str> {
    static RE: LazyLock<Option<Regex>> =
        LazyLock::new(|| Regex::new(r"(?i)(\b(basic|bearer)\s+)([A-Za-z0-9._~+/=-]{8,})").ok());
    let Some(re) = RE.as_ref() else {
        return Cow::Borrowed(text);
    };
    let credential = |scheme: &str, value: &str| {
        if scheme.eq_ignore_ascii_case("basic") {
            [&STANDARD, &STANDARD_NO_PAD]
                .iter()
                .any(|e| e.decode(value).is_ok_and(|d| d.contains(&b':')))
        } else {
            value.len() >= 16 && value.bytes().any(|b| b.is_ascii_digit())
        }
    };
    // Prose ("Bearer authentication") is common in documents: copy only for a real credential.
    if !re.captures_iter(text).any(|c| credential(&c[2], &c[3])) {
        return Cow::Borrowed(text);
    }
    re.replace_all(text, |c: &regex::Captures<'_>| {
        let prefix = &c[1];
        if credential(&c[2], &c[3]) {
            format!("{prefix}{}", marker("inline"))
        } else {
            c[0].to_owned()
        }
    })
}
