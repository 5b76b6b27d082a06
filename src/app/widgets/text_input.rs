//! A line of text being typed (the home URL, the scope search, a pasted address): typed and
//! pasted text goes in, the line-editing keys of the key table change it.

use crate::app::keymap::Action;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextInput(String);

impl TextInput {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Typed or pasted text, at the end of the line.
    pub fn insert(&mut self, text: &str) {
        self.0.push_str(text);
    }

    /// The line-editing actions (Backspace, Ctrl-U); false for any other.
    pub fn update(&mut self, action: Action) -> bool {
        match action {
            Action::DeleteChar => {
                self.0.pop();
            }
            Action::ClearLine => self.0.clear(),
            _ => return false,
        }
        true
    }

    /// The line, leaving it empty.
    pub fn take(&mut self) -> String {
        std::mem::take(&mut self.0)
    }
}

impl PartialEq<&str> for TextInput {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl std::fmt::Display for TextInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
