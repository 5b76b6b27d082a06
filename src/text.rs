//! Terminal safety: text that came from a server is stripped of control characters (ANSI
//! escapes, bidirectional overrides, NULs) before it is printed or drawn.

/// Removes control characters (C0, DEL, C1), bidi controls and other invisible format
/// characters; tabs and newlines become spaces. Escape sequences lose their ESC, so they show as
/// harmless text instead of acting on the terminal.
pub fn sanitize(s: &str) -> String {
    // Most server text is printable ASCII: one copy, no per-character work (a discovery can
    // hold 100,000 coverage entries, issue 5).
    if s.bytes().all(|b| (b' '..=b'~').contains(&b)) {
        return s.to_owned();
    }
    s.chars()
        .filter_map(|c| match c {
            '\t' | '\n' | '\r' => Some(' '),
            c if is_unsafe(c) => None,
            c => Some(c),
        })
        .collect()
}

/// [`sanitize`] for text held as a boxed or shared string: the same allocation when there is
/// nothing to remove (most server text), so a view of 100,000 coverage entries keeps their text
/// without copying it (issue 15).
pub fn sanitized<S: AsRef<str> + From<String>>(s: S) -> S {
    if s.as_ref().bytes().all(|b| (b' '..=b'~').contains(&b)) {
        return s;
    }
    S::from(sanitize(s.as_ref()))
}

/// [`sanitize`], then cut to `max` characters with an ellipsis.
pub fn sanitize_line(s: &str, max: usize) -> String {
    let clean = sanitize(s);
    if clean.chars().count() <= max {
        return clean;
    }
    let mut out: String = clean.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Makes serialized JSON safe to print: every unsafe character left in it (serde_json escapes
/// only C0 controls) becomes a `\uXXXX` escape (a surrogate pair outside the BMP, RFC 8259 §7).
/// Lossless — a JSON reader sees the same strings — because such characters can only occur
/// inside JSON strings.
pub fn escape_json_for_terminal(json: &str) -> String {
    let mut out = Vec::with_capacity(json.len());
    // Writing into a Vec cannot fail, and only whole characters or ASCII escapes are written.
    let _ = write_escaped(&mut out, json);
    String::from_utf8(out).unwrap_or_default()
}

/// `text` with every unsafe character but the C0 controls (which serde_json escapes itself)
/// written as `\uXXXX` escapes: the rule of [`escape_json_for_terminal`] and
/// [`TerminalSafeJson`].
fn write_escaped<W: ?Sized + std::io::Write>(writer: &mut W, text: &str) -> std::io::Result<()> {
    // What is left to escape is DEL or beyond ASCII: most text is neither, and goes as it is.
    if text.is_ascii() && !text.as_bytes().contains(&0x7f) {
        return writer.write_all(text.as_bytes());
    }
    let mut rest = text;
    while let Some((at, c)) = rest.char_indices().find(|&(_, c)| is_unsafe(c) && c >= ' ') {
        writer.write_all(&rest.as_bytes()[..at])?;
        let mut units = [0u16; 2];
        for unit in c.encode_utf16(&mut units) {
            write!(writer, "\\u{unit:04x}")?;
        }
        rest = &rest[at + c.len_utf8()..];
    }
    writer.write_all(rest.as_bytes())
}

/// A JSON formatter that writes `inner`'s layout with [`escape_json_for_terminal`]'s rule
/// applied to every string as it is written, so a document of any size can be streamed to a
/// terminal without being built as one text first (issue 15).
pub struct TerminalSafeJson<F>(pub F);

impl TerminalSafeJson<serde_json::ser::PrettyFormatter<'static>> {
    /// `serde_json::to_string_pretty`'s layout.
    pub fn pretty() -> Self {
        TerminalSafeJson(serde_json::ser::PrettyFormatter::new())
    }
}

impl<F: serde_json::ser::Formatter> serde_json::ser::Formatter for TerminalSafeJson<F> {
    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        // Fragments are the runs between the escapes serde_json writes itself (quotes,
        // backslashes, C0 controls), so only the other unsafe characters are left to escape.
        write_escaped(writer, fragment)
    }

    fn begin_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn end_object_key<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_object_key(w)
    }
    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_object_value(w)
    }
}

/// `value` as pretty JSON with every terminal-unsafe character escaped, streamed to `out`.
pub fn write_json_for_terminal<T: serde::Serialize + ?Sized>(
    out: &mut impl std::io::Write,
    value: &T,
) -> std::io::Result<()> {
    let mut ser = serde_json::Serializer::with_formatter(&mut *out, TerminalSafeJson::pretty());
    value.serialize(&mut ser).map_err(std::io::Error::from)
}

fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{200B}'..='\u{200F}'   // zero-width, LRM/RLM
            | '\u{202A}'..='\u{202E}' // bidi embeddings and overrides
            | '\u{2060}'..='\u{2064}' // word joiner, invisible operators
            | '\u{2066}'..='\u{2069}' // bidi isolates
            | '\u{00AD}'              // soft hyphen
            | '\u{061C}'              // Arabic letter mark (bidi)
            | '\u{115F}' | '\u{1160}' // Hangul fillers
            | '\u{180E}'              // Mongolian vowel separator
            | '\u{2028}' | '\u{2029}' // line and paragraph separators
            | '\u{FEFF}'
            | '\u{FFF9}'..='\u{FFFB}'
            | '\u{034F}'              // combining grapheme joiner
            | '\u{2800}'              // Braille blank
            | '\u{3164}' | '\u{FFA0}' // Hangul fillers (full and half width)
            | '\u{FE00}'..='\u{FE0F}' // variation selectors
            | '\u{E0000}'..='\u{E007F}' // tag characters (invisible "ASCII smuggling")
            | '\u{E0100}'..='\u{E01EF}') // variation selectors supplement
}

/// `url` as a QR code in Unicode half blocks, one string per terminal row (quiet zone
/// included); `None` when the text is too long for a QR code.
pub fn qr_lines(url: &str) -> Option<Vec<String>> {
    let code = qrcode::QrCode::new(url.as_bytes()).ok()?;
    let art = code
        .render::<qrcode::render::unicode::Dense1x2>()
        .quiet_zone(true)
        .build();
    Some(art.lines().map(str::to_owned).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_escapes_and_bidi() {
        assert_eq!(sanitize("\u{1b}[31mred\u{1b}[0m"), "[31mred[0m");
        assert_eq!(sanitize("a\u{202E}b\u{2066}c"), "abc");
        assert_eq!(sanitize("a\u{2028}b\u{061C}c\u{AD}d"), "abcd");
        assert_eq!(sanitize("x\u{9b}y\u{7}z\0"), "xyz");
        assert_eq!(sanitize("line\nbreak\ttab"), "line break tab");
        assert_eq!(sanitize("Gas & Électricité ⚡"), "Gas & Électricité ⚡");
    }

    #[test]
    fn strips_invisible_fillers_tags_and_variation_selectors() {
        // "hi" followed by the tag-character spelling of "ignore" (ASCII smuggling).
        let tagged: String = "hi"
            .chars()
            .chain(
                "ignore"
                    .chars()
                    .map(|c| char::from_u32(0xE0000 + c as u32).unwrap()),
            )
            .collect();
        assert_eq!(sanitize(&tagged), "hi");
        assert_eq!(sanitize("a\u{3164}b\u{FFA0}c\u{034F}d\u{2800}e"), "abcde");
        assert_eq!(sanitize("x\u{FE0F}y\u{E0100}z\u{E0001}"), "xyz");
    }

    #[test]
    fn json_output_escapes_characters_outside_the_bmp_as_surrogate_pairs() {
        let v = serde_json::json!({"id": "a\u{E0041}b\u{FE0F}"});
        let text = escape_json_for_terminal(&serde_json::to_string(&v).unwrap());
        assert!(text.contains("\\udb40\\udc41"), "{text}");
        assert!(text.is_ascii(), "{text}");
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, v);
    }

    #[test]
    fn json_output_keeps_its_meaning_without_unsafe_characters() {
        let v = serde_json::json!({"name": "a\u{9b}b\u{202E}c\u{1b}[2J"});
        let text = escape_json_for_terminal(&serde_json::to_string(&v).unwrap());
        assert!(
            !text.chars().any(|c| c.is_control() || c == '\u{202E}'),
            "{text}"
        );
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, v);
    }

    #[test]
    fn streamed_json_is_the_escaped_pretty_text_byte_for_byte() {
        let v = serde_json::json!({
            "plain": "Demo Gas & Electric ⚡ \"quoted\" back\\slash",
            "k\u{202E}ey": ["a\u{9b}b\u{202E}c\u{1b}[2J", "x\u{E0041}y\u{FE0F}", "tab\tnew\nline\u{7f}"],
            "nested": {"n": 1.10, "empty": [], "none": {}, "null": null, "t": true},
        });
        let mut streamed = Vec::new();
        write_json_for_terminal(&mut streamed, &v).unwrap();
        let text = escape_json_for_terminal(&serde_json::to_string_pretty(&v).unwrap());
        assert_eq!(String::from_utf8(streamed).unwrap(), text);
        assert!(
            text.contains("\\u202e")
                && text.contains("\\udb40\\udc41")
                && text.contains("line\\u007f"),
            "{text}"
        );
    }

    #[test]
    fn truncates() {
        assert_eq!(sanitize_line("abcdef", 4), "abc…");
        assert_eq!(sanitize_line("abc", 4), "abc");
    }
}

/// A count with the noun that agrees with it: `count(1, "thing", "things")` is `1 thing`.
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod count_tests {
    #[test]
    fn nouns_agree_with_their_counts() {
        assert_eq!(super::count(0, "thing", "things"), "0 things");
        assert_eq!(super::count(1, "thing", "things"), "1 thing");
        assert_eq!(super::count(2, "client", "clients"), "2 clients");
    }
}
