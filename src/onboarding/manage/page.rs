//! One page of a management API listing (CDS-WG1-02 §5.3, §6.8, §7.3, §8.4, §9.2): its items
//! and the `next`/`previous` links, so the wizard can page lazily as the user scrolls.

use serde::Serialize;
use url::Url;

/// Items of one page and where the neighbouring pages are (`None`: no such page).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<Url>,
    pub previous: Option<Url>,
}

impl<T> Page<T> {
    pub fn empty() -> Self {
        Page {
            items: Vec::new(),
            next: None,
            previous: None,
        }
    }

    /// Whether another page follows.
    pub fn has_more(&self) -> bool {
        self.next.is_some()
    }
}
