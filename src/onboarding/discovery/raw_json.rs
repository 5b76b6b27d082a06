//! A JSON document kept as its compact text rather than as a `serde_json::Value` (issue 15):
//! an 8 MB authorization server metadata document takes about 70 MB as a `Value` (every node is
//! 72 bytes with `preserve_order`) and 8 MB as text. It serializes as the value it holds, byte
//! for byte, by reading the text and writing what it reads ("transcoding", the design of the
//! serde-transcode crate), with serde_json's exact numbers kept.

use std::cell::Cell;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{self, Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::Value;

/// How serde_json (with `arbitrary_precision`) hands a number to a visitor: a one-entry map
/// under this key, whose value is the number's text.
const NUMBER_TOKEN: &str = "$serde_json::private::Number";

/// A JSON value held as its compact text.
#[derive(Clone, Default, PartialEq)]
pub struct RawJson(Box<str>);

impl RawJson {
    /// `value` as compact text (what `serde_json::to_vec` writes).
    pub fn from_value(value: &Value) -> Self {
        RawJson(value.to_string().into_boxed_str())
    }

    /// The compact text.
    pub fn text(&self) -> &str {
        &self.0
    }

    /// The value, read back from the text (built on each call: for occasional use).
    pub fn value(&self) -> Value {
        serde_json::from_str(&self.0).unwrap_or(Value::Null)
    }
}

impl fmt::Debug for RawJson {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RawJson({} bytes)", self.0.len())
    }
}

impl Serialize for RawJson {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut de = serde_json::Deserializer::from_str(&self.0);
        Transcoder(Cell::new(Some(&mut de))).serialize(s)
    }
}

/// Serializes whatever its deserializer reads.
struct Transcoder<D>(Cell<Option<D>>);

impl<'de, D: Deserializer<'de>> Serialize for Transcoder<D> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let d = self
            .0
            .take()
            .ok_or_else(|| ser::Error::custom("a JSON value was read twice"))?;
        d.deserialize_any(Emit(s)).map_err(ser::Error::custom)
    }
}

/// Writes each thing read into the serializer.
struct Emit<S>(S);

/// A serializer's error as a deserializer's (the one channel back up the stack).
fn up<E: de::Error>(e: impl fmt::Display) -> E {
    E::custom(e)
}

impl<'de, S: Serializer> Visitor<'de> for Emit<S> {
    type Value = S::Ok;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<S::Ok, E> {
        self.0.serialize_bool(v).map_err(up)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<S::Ok, E> {
        self.0.serialize_i64(v).map_err(up)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<S::Ok, E> {
        self.0.serialize_u64(v).map_err(up)
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<S::Ok, E> {
        self.0.serialize_f64(v).map_err(up)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<S::Ok, E> {
        self.0.serialize_str(v).map_err(up)
    }
    fn visit_unit<E: de::Error>(self) -> Result<S::Ok, E> {
        self.0.serialize_unit().map_err(up)
    }
    fn visit_none<E: de::Error>(self) -> Result<S::Ok, E> {
        self.0.serialize_none().map_err(up)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<S::Ok, A::Error> {
        let mut out = self.0.serialize_seq(seq.size_hint()).map_err(up)?;
        while seq.next_element_seed(Element(&mut out))?.is_some() {}
        out.end().map_err(up)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<S::Ok, A::Error> {
        let Some(first) = map.next_key::<String>()? else {
            return self.0.serialize_map(Some(0)).map_err(up)?.end().map_err(up);
        };
        if first == NUMBER_TOKEN {
            let digits: String = map.next_value()?;
            let n: serde_json::Number = digits.parse().map_err(up)?;
            return n.serialize(self.0).map_err(up);
        }
        let mut out = self.0.serialize_map(None).map_err(up)?;
        out.serialize_key(&first).map_err(up)?;
        map.next_value_seed(Entry(&mut out))?;
        while map.next_key_seed(Key(&mut out))?.is_some() {
            map.next_value_seed(Entry(&mut out))?;
        }
        out.end().map_err(up)
    }
}

/// One element of an array, written as it is read.
struct Element<'a, S>(&'a mut S);

impl<'de, S: SerializeSeq> DeserializeSeed<'de> for Element<'_, S> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        self.0
            .serialize_element(&Transcoder(Cell::new(Some(d))))
            .map_err(up)
    }
}

/// One key of an object after the first.
struct Key<'a, S>(&'a mut S);

impl<'de, S: SerializeMap> DeserializeSeed<'de> for Key<'_, S> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        self.0
            .serialize_key(&Transcoder(Cell::new(Some(d))))
            .map_err(up)
    }
}

/// One value of an object.
struct Entry<'a, S>(&'a mut S);

impl<'de, S: SerializeMap> DeserializeSeed<'de> for Entry<'_, S> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        self.0
            .serialize_value(&Transcoder(Cell::new(Some(d))))
            .map_err(up)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = r#"{
        "issuer": "https://u.example/", "n": 1.10, "big": 123456789012345678901234567890,
        "neg": -0.0e5, "t": true, "f": false, "z": null, "empty": {}, "none": [],
        "nested": {"a": [1, {"b": "c\"\\\u0001\u202e"}, [], {}], "order": {"z": 1, "a": 2}},
        "esc\u00e9": "⚡ \ud83d\ude00", "number_like": {"$not_a_number": "1"}
    }"#;

    #[test]
    fn serializes_as_the_value_it_holds_byte_for_byte() {
        let v: Value = serde_json::from_str(DOC).unwrap();
        let raw = RawJson::from_value(&v);
        assert_eq!(raw.value(), v);
        assert_eq!(
            serde_json::to_string_pretty(&raw).unwrap(),
            serde_json::to_string_pretty(&v).unwrap()
        );
        assert_eq!(serde_json::to_string(&raw).unwrap(), raw.text());
        let mut streamed = Vec::new();
        crate::text::write_json_for_terminal(&mut streamed, &raw).unwrap();
        let mut expected = Vec::new();
        crate::text::write_json_for_terminal(&mut expected, &v).unwrap();
        assert_eq!(String::from_utf8(streamed), String::from_utf8(expected));
    }

    #[test]
    fn scalars_and_empty_roots() {
        for text in ["1.5", "\"s\"", "null", "[]", "{}", "[[], {}]", "-7"] {
            let v: Value = serde_json::from_str(text).unwrap();
            let raw = RawJson::from_value(&v);
            assert_eq!(
                serde_json::to_string_pretty(&raw).unwrap(),
                serde_json::to_string_pretty(&v).unwrap(),
                "{text}"
            );
        }
    }
}
