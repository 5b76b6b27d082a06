//! A typed form, shared by the Modifiers and Registration steps: rows of fields grouped under
//! headings, each with an input that fits its format (text, toggle, choice, multi-choice), an
//! explicit presence (left out so the server's default applies, `null`, or given), and the
//! problem and plain reading computed by the step after every change.

use crate::app::keymap::Action;
use crate::app::widgets::list::{moved, movement};

/// What a field holds, as the user edits it.
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    /// Free text (numbers, dates, URLs, lists as comma-separated text, file paths, JSON).
    Text(String),
    Toggle(bool),
    /// One of `options` (`at` is the chosen one).
    Choice {
        options: Vec<Opt>,
        at: usize,
    },
    /// Any of `options`; `at` is the option the cursor is on.
    Multi {
        options: Vec<Opt>,
        chosen: Vec<bool>,
        at: usize,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Opt {
    pub id: String,
    pub name: String,
}

/// Whether a field is sent, and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    /// Left out: the server's default applies (or the field is missing when required).
    Omitted,
    /// An explicit `null` (only for nullable formats).
    Null,
    Given,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// The group it belongs to (a scope id, or a section of the registration form).
    pub group: String,
    /// The key it is sent under (a field id or a client metadata name).
    pub key: String,
    /// Sanitized name shown to the user.
    pub label: String,
    /// Sanitized description and rules, one line each.
    pub help: Vec<String>,
    pub required: bool,
    pub nullable: bool,
    /// The text fields hold a path to a file read in the background.
    pub file: bool,
    pub input: Input,
    pub presence: Presence,
    /// What the server assumes when the field is left out, in words.
    pub default_text: Option<String>,
    /// Set by the step after each change.
    pub problem: Option<String>,
    pub reading: Option<String>,
}

impl Field {
    pub fn new(group: &str, key: &str, label: &str, input: Input) -> Self {
        Field {
            group: group.to_owned(),
            key: key.to_owned(),
            label: label.to_owned(),
            help: Vec::new(),
            required: false,
            nullable: false,
            file: false,
            input,
            presence: Presence::Omitted,
            default_text: None,
            problem: None,
            reading: None,
        }
    }

    /// The value as the user sees it in one line.
    pub fn display(&self) -> String {
        match self.presence {
            Presence::Null => return "null".to_owned(),
            Presence::Omitted => {
                return match &self.default_text {
                    Some(d) => format!("(default: {d})"),
                    None => "(not set)".to_owned(),
                };
            }
            Presence::Given => {}
        }
        match &self.input {
            Input::Text(t) => t.clone(),
            Input::Toggle(b) => if *b { "[x] yes" } else { "[ ] no" }.to_owned(),
            Input::Choice { options, at } => options
                .get(*at)
                .map_or_else(String::new, |o| format!("‹ {} ›", o.name)),
            Input::Multi {
                options, chosen, ..
            } => options
                .iter()
                .zip(chosen)
                .filter(|(_, c)| **c)
                .map(|(o, _)| o.name.clone())
                .collect::<Vec<_>>()
                .join(", "),
        }
    }
}

/// What a form action did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormReply {
    /// Not a form action: the screen handles it.
    NotMine,
    /// The cursor moved or the line being typed changed: nothing to revalidate yet.
    Unchanged,
    /// A value changed: the screen revalidates.
    Changed,
    /// A value changed and names a file to read.
    Read(String),
    /// `n` on a field whose format does not allow null.
    NotNullable,
}

/// Identifies a field across rebuilds (back and forward keep what was entered).
pub type FieldKey = (String, String);

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Form {
    pub fields: Vec<Field>,
    pub cursor: usize,
    /// While a text field is being edited: its text and presence before (Esc restores them).
    pub editing: Option<(String, Presence)>,
}

impl Form {
    pub fn new(fields: Vec<Field>) -> Self {
        Form {
            fields,
            cursor: 0,
            editing: None,
        }
    }

    pub fn current(&self) -> Option<&Field> {
        self.fields.get(self.cursor)
    }

    fn current_mut(&mut self) -> Option<&mut Field> {
        self.fields.get_mut(self.cursor)
    }

    pub fn key_of(f: &Field) -> FieldKey {
        (f.group.clone(), f.key.clone())
    }

    /// Copies what the user entered in `old` into fields of the same group and key.
    pub fn keep_from(&mut self, old: &Form) {
        for f in &mut self.fields {
            if let Some(o) = old
                .fields
                .iter()
                .find(|o| o.group == f.group && o.key == f.key)
                && std::mem::discriminant(&o.input) == std::mem::discriminant(&f.input)
            {
                f.input = o.input.clone();
                f.presence = o.presence;
            }
        }
        if let Some(cur) = old.current() {
            self.cursor = self
                .fields
                .iter()
                .position(|f| f.group == cur.group && f.key == cur.key)
                .unwrap_or(0);
        }
    }

    pub fn move_by(&mut self, delta: isize) {
        if self.fields.is_empty() || self.editing.is_some() {
            return;
        }
        self.cursor = moved(self.cursor, delta, self.fields.len());
    }

    pub fn move_to(&mut self, index: usize) {
        if index < self.fields.len() && self.editing.is_none() {
            self.cursor = index;
        }
    }

    /// Enter: starts editing a text field; toggles and choices change in place. Returns true
    /// when text editing started.
    pub fn activate(&mut self) -> bool {
        let Some(f) = self.current_mut() else {
            return false;
        };
        match &mut f.input {
            Input::Text(t) => {
                let before = (t.clone(), f.presence);
                if f.presence != Presence::Given {
                    t.clear();
                }
                self.editing = Some(before);
                true
            }
            _ => {
                self.toggle();
                false
            }
        }
    }

    /// Space: flips a toggle, advances a choice, or flips the option under the cursor.
    pub fn toggle(&mut self) {
        let Some(f) = self.current_mut() else {
            return;
        };
        let was_given = f.presence == Presence::Given;
        match &mut f.input {
            Input::Text(_) => return,
            // A toggle shows its default while left out, so Space always flips what is shown.
            Input::Toggle(b) => *b = !*b,
            // A choice shows the default: the first press picks it, later ones move on.
            Input::Choice { options, at } => {
                if was_given && !options.is_empty() {
                    *at = (*at + 1) % options.len();
                }
            }
            Input::Multi { chosen, at, .. } => {
                if let Some(c) = chosen.get_mut(*at) {
                    *c = !*c;
                }
            }
        }
        f.presence = Presence::Given;
    }

    /// ←/→: moves within a choice or multi-choice. Returns false when the field has no options.
    pub fn side(&mut self, delta: isize) -> bool {
        let Some(f) = self.current_mut() else {
            return false;
        };
        match &mut f.input {
            Input::Choice { options, at } if !options.is_empty() => {
                let n = options.len() as isize;
                if f.presence == Presence::Given {
                    *at = ((*at as isize + delta).rem_euclid(n)) as usize;
                }
                f.presence = Presence::Given;
                true
            }
            Input::Multi { options, at, .. } if !options.is_empty() => {
                let n = options.len() as isize;
                *at = ((*at as isize + delta).rem_euclid(n)) as usize;
                true
            }
            Input::Toggle(b) => {
                *b = delta > 0;
                f.presence = Presence::Given;
                true
            }
            _ => false,
        }
    }

    /// `n`: an explicit null where the format allows it. Returns false when it does not.
    pub fn set_null(&mut self) -> bool {
        match self.current_mut() {
            Some(f) if f.nullable => {
                f.presence = Presence::Null;
                true
            }
            _ => false,
        }
    }

    /// Delete: back to "left out" (the server's default).
    pub fn clear(&mut self) {
        if let Some(f) = self.current_mut() {
            f.presence = Presence::Omitted;
            if let Input::Text(t) = &mut f.input {
                t.clear();
            }
            if let Input::Multi { chosen, .. } = &mut f.input {
                chosen.iter_mut().for_each(|c| *c = false);
            }
        }
    }

    /// The text being edited, marked as given (it is about to change).
    fn edited_text(&mut self) -> Option<&mut String> {
        self.editing.as_ref()?;
        match self.current_mut()? {
            Field {
                input: Input::Text(t),
                presence,
                ..
            } => {
                *presence = Presence::Given;
                Some(t)
            }
            _ => None,
        }
    }

    pub fn type_str(&mut self, s: &str) {
        if let Some(t) = self.edited_text() {
            t.push_str(s);
        }
    }

    pub fn backspace(&mut self) {
        if let Some(t) = self.edited_text() {
            t.pop();
        }
    }

    /// Ctrl-U while editing: empties the line.
    pub fn clear_text(&mut self) {
        if let Some(t) = self.edited_text() {
            t.clear();
        }
    }

    /// Enter while editing: keeps the text (empty text means "left out"). Returns the field's
    /// key when it is a file path, so the step can have the file read.
    pub fn commit(&mut self) -> Option<(FieldKey, String)> {
        self.editing.take()?;
        let f = self.current_mut()?;
        let Input::Text(t) = &mut f.input else {
            return None;
        };
        let trimmed = t.trim().to_owned();
        *t = trimmed.clone();
        f.presence = if trimmed.is_empty() {
            Presence::Omitted
        } else {
            Presence::Given
        };
        (f.file && !trimmed.is_empty()).then(|| (Form::key_of(f), trimmed))
    }

    /// Esc while editing: restores the text and presence from before (an explicit `null`
    /// stays `null`).
    pub fn cancel_edit(&mut self) {
        let Some((text, presence)) = self.editing.take() else {
            return;
        };
        if let Some(f) = self.current_mut()
            && let Input::Text(t) = &mut f.input
        {
            *t = text;
            f.presence = presence;
        }
    }

    /// A form action from the key table: what it did, so the screen can revalidate.
    pub fn update(&mut self, action: Action) -> FormReply {
        if let Some(delta) = movement(action) {
            self.move_by(delta);
            return FormReply::Unchanged;
        }
        match action {
            Action::Toggle => self.toggle(),
            Action::Activate => {
                self.activate();
            }
            Action::Left => {
                self.side(-1);
            }
            Action::Right => {
                self.side(1);
            }
            Action::ClearField => self.clear(),
            Action::SetNull if !self.set_null() => return FormReply::NotNullable,
            Action::SetNull => {}
            Action::CommitEdit => {
                return match self.commit() {
                    Some((_, path)) => FormReply::Read(path),
                    None => FormReply::Changed,
                };
            }
            Action::CancelEdit => self.cancel_edit(),
            Action::DeleteChar => self.backspace(),
            Action::ClearLine => self.clear_text(),
            _ => return FormReply::NotMine,
        }
        match action {
            Action::CancelEdit | Action::DeleteChar | Action::ClearLine => FormReply::Unchanged,
            _ => FormReply::Changed,
        }
    }

    /// Sets a field's text from outside (an answers default, a profile name suggestion).
    pub fn set_text(&mut self, group: &str, key: &str, text: &str) {
        if let Some(f) = self
            .fields
            .iter_mut()
            .find(|f| f.group == group && f.key == key)
            && let Input::Text(t) = &mut f.input
        {
            *t = text.to_owned();
            f.presence = Presence::Given;
        }
    }

    pub fn problems(&self) -> usize {
        self.fields.iter().filter(|f| f.problem.is_some()).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> Form {
        let mut text = Field::new("g", "t", "Text", Input::Text(String::new()));
        text.nullable = true;
        let choice = Field::new(
            "g",
            "c",
            "Choice",
            Input::Choice {
                options: vec![
                    Opt {
                        id: "a".into(),
                        name: "A".into(),
                    },
                    Opt {
                        id: "b".into(),
                        name: "B".into(),
                    },
                ],
                at: 0,
            },
        );
        Form::new(vec![
            text,
            choice,
            Field::new("g", "b", "Bool", Input::Toggle(true)),
        ])
    }

    #[test]
    fn editing_text_commits_or_restores() {
        let mut f = form();
        assert!(f.activate());
        f.type_str("P2Y");
        f.commit();
        assert_eq!(f.fields[0].presence, Presence::Given);
        assert_eq!(f.fields[0].display(), "P2Y");
        f.activate();
        f.backspace();
        f.cancel_edit();
        assert_eq!(f.fields[0].display(), "P2Y");
        f.activate();
        (0..3).for_each(|_| f.backspace());
        f.commit();
        assert_eq!(
            f.fields[0].presence,
            Presence::Omitted,
            "empty text is left out"
        );
        assert!(f.set_null());
        assert_eq!(f.fields[0].display(), "null");
        f.activate();
        f.type_str("a");
        f.cancel_edit();
        assert_eq!(f.fields[0].display(), "null", "Esc keeps an explicit null");
    }

    #[test]
    fn choices_pick_the_shown_value_first_and_toggles_flip() {
        let mut f = form();
        f.move_by(1);
        f.toggle();
        assert_eq!(f.fields[1].display(), "‹ A ›");
        f.side(1);
        assert_eq!(f.fields[1].display(), "‹ B ›");
        f.move_by(1);
        f.toggle();
        assert_eq!(f.fields[2].display(), "[ ] no", "flips the shown default");
        f.toggle();
        assert_eq!(f.fields[2].display(), "[x] yes");
        assert!(!f.set_null(), "not nullable");
    }

    #[test]
    fn keep_from_carries_inputs_across_rebuilds() {
        let mut old = form();
        old.activate();
        old.type_str("x");
        old.commit();
        old.move_by(2);
        let mut new = form();
        new.keep_from(&old);
        assert_eq!(new.fields[0].display(), "x");
        assert_eq!(new.cursor, 2);
    }
}
