//! What the console's tabs list (CDS-WG1-02 §5 Client objects, §7 Credentials, §6 Messages,
//! §8 Grants, §9 shared files): each item's key, its row and details in the words of
//! `present::manage` (the ones the headless commands print), and what the `/` filter reads.

use crate::cds::{ClientObject, Grant, Message};
use crate::onboarding::manage::credentials::CredentialState;
use crate::onboarding::manage::files::SharedFile;
use crate::present::manage as words;

/// An object a console tab lists.
pub trait Item {
    /// Its id (the same object sent back after a change replaces it).
    fn key(&self) -> &str;
    /// One list row, in the columns of [`Item::head`].
    fn row(&self, tz: Option<&str>) -> String;
    /// Everything about it, for the detail pane.
    fn detail(&self, tz: Option<&str>) -> Vec<String>;
    /// The column heads of the list.
    fn head() -> &'static str;
    /// What the filter looks in, lowercased (every detail line: ids, status, scope, names).
    fn search(&self) -> String {
        self.detail(None).join("\n").to_lowercase()
    }
}

impl Item for ClientObject {
    fn key(&self) -> &str {
        &self.client_id
    }
    fn row(&self, _tz: Option<&str>) -> String {
        words::client_row(self)
    }
    fn detail(&self, tz: Option<&str>) -> Vec<String> {
        words::client_detail(self, tz)
    }
    fn head() -> &'static str {
        words::CLIENT_HEAD
    }
}

impl Item for CredentialState {
    fn key(&self) -> &str {
        &self.credential.credential_id
    }
    fn row(&self, tz: Option<&str>) -> String {
        words::credential_row(self, tz)
    }
    fn detail(&self, tz: Option<&str>) -> Vec<String> {
        words::credential_detail(self, tz)
    }
    fn head() -> &'static str {
        words::CREDENTIAL_HEAD
    }
}

impl Item for Message {
    fn key(&self) -> &str {
        &self.message_id
    }
    fn row(&self, _tz: Option<&str>) -> String {
        words::message_row(self)
    }
    fn detail(&self, tz: Option<&str>) -> Vec<String> {
        words::message_detail(self, tz)
    }
    fn head() -> &'static str {
        words::MESSAGE_HEAD
    }
}

impl Item for Grant {
    fn key(&self) -> &str {
        &self.grant_id
    }
    fn row(&self, _tz: Option<&str>) -> String {
        words::grant_row(self)
    }
    fn detail(&self, tz: Option<&str>) -> Vec<String> {
        words::grant_detail(self, tz)
    }
    fn head() -> &'static str {
        words::GRANT_HEAD
    }
}

impl Item for SharedFile {
    fn key(&self) -> &str {
        &self.file.file_id
    }
    fn row(&self, _tz: Option<&str>) -> String {
        words::file_row(self)
    }
    fn detail(&self, tz: Option<&str>) -> Vec<String> {
        words::file_detail(self, tz)
    }
    fn head() -> &'static str {
        words::FILE_HEAD
    }
}

/// A name to save a shared file under in the current directory: the last part of the name the
/// server gave, without separators or control characters (server text is hostile), else the
/// file's id.
pub fn save_name(name: &str, file_id: &str) -> String {
    let clean = |s: &str| -> String {
        let last = s.rsplit(['/', '\\']).next().unwrap_or("");
        let t = crate::text::sanitize(last);
        let t = t.trim().trim_start_matches('.').to_owned();
        t.chars().take(120).collect()
    };
    let n = clean(name);
    if n.is_empty() || n == ".." {
        let id = clean(file_id);
        if id.is_empty() {
            "download".to_owned()
        } else {
            id
        }
    } else {
        n
    }
}

#[cfg(test)]
mod tests {
    use super::save_name;

    #[test]
    fn a_server_file_name_cannot_leave_the_directory() {
        assert_eq!(save_name("bill.pdf", "f1"), "bill.pdf");
        assert_eq!(save_name("../../etc/passwd", "f1"), "passwd");
        assert_eq!(save_name("..", "f1"), "f1");
        assert_eq!(save_name("a\\b\u{1b}[31m.csv", "f1"), "b[31m.csv");
        assert_eq!(save_name(".bashrc", "f1"), "bashrc");
        assert_eq!(save_name("", "../x"), "x");
        assert_eq!(save_name("/", ""), "download");
    }
}
