//! "Hostile strings" documents: display texts carrying terminal escapes, bidi overrides and
//! very long text, in the places a client shows (names, descriptions), for the client's
//! sanitising to be exercised.

use serde_json::Value;

use crate::demo::documents::Documents;

/// The keys whose string values are display text in the demo's documents (WG1-01 §3–4:
/// `name`, `description`, coverage `entity_name`; WG1-02 §3: scope, field and choice `name`
/// and `description`). Identifiers are never touched, so the documents keep validating.
const HOSTILE_KEYS: [&str; 3] = ["name", "description", "entity_name"];

/// Length of the long text added to some descriptions.
pub const HOSTILE_LONG_TEXT: usize = 10_000;

/// Every escape the hostile mode plants: an OSC window-title change, clear screen, SGR colour,
/// a C1 CSI, bidi override and isolate, zero-width characters.
pub const HOSTILE_SEQUENCES: [&str; 10] = [
    "\u{1b}]0;",
    "\u{7}",
    "\u{1b}[2J",
    "\u{1b}[31m",
    "\u{9b}",
    "\u{202e}",
    "\u{2066}",
    "\u{200b}",
    "\u{200d}",
    "\u{feff}",
];

/// Rewrites the display strings of every document so they carry terminal escapes, C1
/// controls, bidi overrides, zero-width characters and (every eighth description) 10,000
/// characters of text. The original text stays inside, so a sanitizing client still shows
/// something recognisable; the documents stay valid JSON with the same structure.
pub fn make_hostile(d: &mut Documents) {
    let mut n = 0usize;
    for v in [
        &mut d.server_metadata,
        &mut d.related_north,
        &mut d.related_gas,
        &mut d.oauth_metadata,
    ]
    .into_iter()
    .chain(d.coverage_entries.iter_mut())
    {
        hostile_value(v, &mut n);
    }
}

fn hostile_value(v: &mut Value, n: &mut usize) {
    match v {
        Value::Object(o) => {
            for (k, x) in o.iter_mut() {
                match x {
                    Value::String(s) if HOSTILE_KEYS.contains(&k.as_str()) => {
                        *s = hostile_text(s, k == "description" && n.is_multiple_of(8));
                        *n += 1;
                    }
                    _ => hostile_value(x, n),
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|x| hostile_value(x, n)),
        _ => {}
    }
}

/// A JSON body with every string value (not the keys) made hostile; a body that is not JSON
/// comes back unchanged.
pub fn hostile_json(body: &[u8]) -> Vec<u8> {
    let Ok(mut v) = serde_json::from_slice::<Value>(body) else {
        return body.to_vec();
    };
    fn walk(v: &mut Value) {
        match v {
            Value::String(s) => *s = hostile_text(s, false),
            Value::Array(a) => a.iter_mut().for_each(walk),
            Value::Object(o) => o.values_mut().for_each(walk),
            _ => {}
        }
    }
    walk(&mut v);
    serde_json::to_vec(&v).unwrap_or_else(|_| body.to_vec())
}

fn hostile_text(original: &str, long: bool) -> String {
    let mut s = format!(
        "\u{1b}]0;hostile title\u{7}\u{1b}[2J\u{1b}[31m{original}\u{1b}[0m \
         \u{9b}1m\u{202e}desrever\u{202c} \u{2066}isolated\u{2069} \
         z\u{200b}e\u{200d}r\u{feff}o"
    );
    if long {
        s.push(' ');
        let filler = "very long text ";
        s.extend(filler.chars().cycle().take(HOSTILE_LONG_TEXT));
    }
    s
}
