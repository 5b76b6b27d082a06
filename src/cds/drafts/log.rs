//! The translation log of one document (`Translation`s with RFC 6901 pointers into the
//! original) and the pointer and fill helpers every draft translation uses.

use serde_json::Value;

use super::{Draft, Normalized, Object, Translation};

/// Collects the translations of one document.
pub(super) struct Log {
    pub(super) draft: Draft,
    pub(super) items: Vec<Translation>,
}

impl Log {
    pub(super) fn new(draft: Draft) -> Self {
        Log {
            draft,
            items: Vec::new(),
        }
    }

    pub(super) fn finish(self, value: Value) -> Normalized {
        Normalized {
            draft: self.draft,
            value,
            translations: self.items,
        }
    }

    pub(super) fn note(&mut self, pointer: String, message: String) {
        self.items.push(Translation { pointer, message });
    }

    pub(super) fn renamed(&mut self, pointer: String, old: &str, new: &str) {
        let message = format!("`{old}` ({}) read as `{new}`", self.draft.label());
        self.note(pointer, message);
    }

    pub(super) fn filled(&mut self, pointer: &str, field: &str, value: &Value, why: &str) {
        let message = format!(
            "`{field}` absent ({}); filled with {value}: {why}",
            self.draft.label()
        );
        self.note(pointer.to_owned(), message);
    }
}

/// `base` extended by one RFC 6901 reference token (`~` and `/` escaped).
pub(super) fn child(base: &str, token: &str) -> String {
    format!("{base}/{}", token.replace('~', "~0").replace('/', "~1"))
}

pub(super) fn index(base: &str, i: usize) -> String {
    format!("{base}/{i}")
}

/// Inserts `field` = `value` into `out` unless present, recording the fill against `pointer`.
pub(super) fn fill(
    out: &mut Object,
    field: &str,
    value: Value,
    pointer: &str,
    why: &str,
    log: &mut Log,
) {
    if out.contains_key(field) {
        return;
    }
    log.filled(pointer, field, &value, why);
    out.insert(field.to_owned(), value);
}
