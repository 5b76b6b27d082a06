//! What the console's tabs list (CDS-WG1-02 §5 Client objects, §7 Credentials, §6 Messages,
//! §8 Grants, §9 shared files): each item's key, its row and details in the words of
//! `present::manage` (the ones the headless commands print), and what the `/` filter reads.

use std::collections::HashMap;

use crate::cds::messages::MessageStatus;
use crate::cds::{ClientObject, Grant, Message};
use crate::onboarding::manage::credentials::CredentialState;
use crate::onboarding::manage::files::SharedFile;
use crate::onboarding::manage::messages::threads;
use crate::present::manage as words;
use crate::present::threads as threads_words;

/// Where the list shows an item among the others (Messages: in its thread, §6.2).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Place {
    /// Shown under the item it answers.
    pub reply: bool,
    /// The thread's status when a later `request_update` says otherwise than the request.
    pub status: Option<MessageStatus>,
    /// The items that answer this one, oldest first.
    pub replies: Vec<usize>,
}

/// The order a tab shows its loaded items in, and each item's place (by item index).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Arranged {
    pub order: Vec<usize>,
    pub places: Vec<Place>,
}

impl Arranged {
    /// Every item on its own, as loaded.
    pub fn flat(n: usize) -> Arranged {
        Arranged {
            order: (0..n).collect(),
            places: vec![Place::default(); n],
        }
    }
}

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
    /// The order and places of the loaded items.
    fn arrange(items: &[Self]) -> Arranged
    where
        Self: Sized,
    {
        Arranged::flat(items.len())
    }
    /// The row at its place.
    fn row_at(&self, _place: &Place, tz: Option<&str>) -> String {
        self.row(tz)
    }
    /// The details at its place (`items`: every item loaded, which `place` indexes).
    fn detail_at(&self, _place: &Place, _items: &[Self], tz: Option<&str>) -> Vec<String>
    where
        Self: Sized,
    {
        self.detail(tz)
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
    /// Threads (§6.2): each request followed by what answers it, in the order the first of
    /// each thread was loaded; the request shows the status its latest `request_update` gives.
    fn arrange(items: &[Message]) -> Arranged {
        let index: HashMap<&str, usize> = items
            .iter()
            .enumerate()
            .map(|(i, m)| (m.message_id.as_str(), i))
            .collect();
        let at = |m: &Message| index.get(m.message_id.as_str()).copied();
        let mut places = vec![Place::default(); items.len()];
        let mut groups: Vec<(usize, usize, Vec<usize>)> = Vec::new();
        for t in threads(items) {
            let Some(root) = at(&t.root) else { continue };
            let replies: Vec<usize> = t.replies.iter().filter_map(at).collect();
            for r in &replies {
                places[*r].reply = true;
            }
            places[root].replies = replies.clone();
            if t.status != t.root.status {
                places[root].status = Some(t.status.clone());
            }
            let first = replies.iter().copied().chain([root]).min().unwrap_or(root);
            groups.push((first, root, replies));
        }
        groups.sort_by_key(|g| g.0);
        let mut order: Vec<usize> = Vec::with_capacity(items.len());
        for (_, root, replies) in groups {
            order.push(root);
            order.extend(replies);
        }
        // Each item once, whatever the server's ids (a duplicate id is listed on its own).
        let mut seen = vec![false; items.len()];
        order.retain(|i| !std::mem::replace(&mut seen[*i], true));
        order.extend((0..items.len()).filter(|i| !seen[*i]));
        Arranged { order, places }
    }
    fn row_at(&self, place: &Place, _tz: Option<&str>) -> String {
        threads_words::row(self, place.reply, place.status.as_ref())
    }
    fn detail_at(&self, place: &Place, items: &[Message], tz: Option<&str>) -> Vec<String> {
        let replies: Vec<&Message> = place.replies.iter().filter_map(|i| items.get(*i)).collect();
        threads_words::detail(self, place.status.as_ref(), &replies, tz)
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
