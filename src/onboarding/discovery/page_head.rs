//! What the coverage walk needs of a page before the page is read (CDS-WG1-01 §4.1): its `next`
//! link and how many entries it lists, found in one pass over the text that builds nothing
//! else, so the next request is sent while the page is still being read (issue 15).

use std::fmt;

use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

/// A coverage page's `next` (as served, any JSON type) and the length of its
/// `coverage_entries` array; both absent for a page that is not an object. Duplicate keys
/// count as `serde_json::Value` reads them: the last one wins.
#[derive(Debug, Default, PartialEq)]
pub(super) struct PageHead {
    pub next: Option<Value>,
    pub entries: usize,
}

#[derive(serde::Deserialize)]
#[serde(field_identifier, rename_all = "snake_case")]
enum Key {
    Next,
    CoverageEntries,
    #[serde(other)]
    Other,
}

impl<'de> Deserialize<'de> for PageHead {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(HeadVisitor)
    }
}

struct HeadVisitor;

impl<'de> Visitor<'de> for HeadVisitor {
    type Value = PageHead;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<PageHead, A::Error> {
        let mut head = PageHead::default();
        while let Some(key) = map.next_key::<Key>()? {
            match key {
                Key::Next => head.next = Some(map.next_value()?),
                Key::CoverageEntries => head.entries = map.next_value::<Count>()?.0,
                Key::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(head)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<PageHead, A::Error> {
        IgnoredAny.visit_seq(seq).map(|_| PageHead::default())
    }

    fn visit_bool<E>(self, _: bool) -> Result<PageHead, E> {
        Ok(PageHead::default())
    }
    fn visit_i64<E>(self, _: i64) -> Result<PageHead, E> {
        Ok(PageHead::default())
    }
    fn visit_u64<E>(self, _: u64) -> Result<PageHead, E> {
        Ok(PageHead::default())
    }
    fn visit_f64<E>(self, _: f64) -> Result<PageHead, E> {
        Ok(PageHead::default())
    }
    fn visit_str<E>(self, _: &str) -> Result<PageHead, E> {
        Ok(PageHead::default())
    }
    fn visit_unit<E>(self) -> Result<PageHead, E> {
        Ok(PageHead::default())
    }
}

/// The length of an array; 0 for any other value.
struct Count(usize);

impl<'de> Deserialize<'de> for Count {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(CountVisitor)
    }
}

struct CountVisitor;

impl<'de> Visitor<'de> for CountVisitor {
    type Value = Count;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Count, A::Error> {
        let mut n = 0;
        while seq.next_element::<IgnoredAny>()?.is_some() {
            n += 1;
        }
        Ok(Count(n))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Count, A::Error> {
        IgnoredAny.visit_map(map).map(|_| Count(0))
    }
    fn visit_bool<E>(self, _: bool) -> Result<Count, E> {
        Ok(Count(0))
    }
    fn visit_i64<E>(self, _: i64) -> Result<Count, E> {
        Ok(Count(0))
    }
    fn visit_u64<E>(self, _: u64) -> Result<Count, E> {
        Ok(Count(0))
    }
    fn visit_f64<E>(self, _: f64) -> Result<Count, E> {
        Ok(Count(0))
    }
    fn visit_str<E>(self, _: &str) -> Result<Count, E> {
        Ok(Count(0))
    }
    fn visit_unit<E>(self) -> Result<Count, E> {
        Ok(Count(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The head of `text`, and what a full `Value` read of it says.
    fn both(text: &str) -> (PageHead, PageHead) {
        let head: PageHead = serde_json::from_str(text).unwrap();
        let v: Value = serde_json::from_str(text).unwrap();
        let full = PageHead {
            next: v.get("next").cloned(),
            entries: v
                .get("coverage_entries")
                .and_then(Value::as_array)
                .map_or(0, Vec::len),
        };
        (head, full)
    }

    #[test]
    fn reads_what_a_full_read_reads() {
        for text in [
            r#"{"coverage_entries": [{"id": "a"}, 2, [3]], "next": "https://u.example/p2"}"#,
            r#"{"next": null, "previous": "x", "coverage_entries": []}"#,
            r#"{"next": 12345678901234567890123, "coverage_entries": {"a": 1}}"#,
            r#"{"ne\u0078t": "escaped-key", "coverage_entries": [1], "coverage_entries": [1, 2]}"#,
            r#"{"next": "a", "next": "b"}"#,
            r#"[{"next": "not at the root"}]"#,
            r#""a string""#,
            "1.5",
            "null",
            "true",
        ] {
            let (head, full) = both(text);
            assert_eq!(head, full, "{text}");
        }
    }

    #[test]
    fn refuses_what_a_full_read_refuses() {
        for text in [r#"{"next": "a""#, r#"{"coverage_entries": [1,]}"#, "{} x"] {
            assert!(serde_json::from_str::<PageHead>(text).is_err(), "{text}");
            assert!(serde_json::from_str::<Value>(text).is_err(), "{text}");
        }
    }
}
