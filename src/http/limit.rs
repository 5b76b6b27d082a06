//! A bound on the requests one client (and its clones) has in flight at each host (`host:port`):
//! a crawl is a guest on every utility's server (issue 13 item 1, `catalog crawl --per-host`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use url::Url;

/// At most `per_host` requests at a time to each host, shared by every clone.
#[derive(Debug, Clone)]
pub(super) struct HostLimit {
    per_host: usize,
    hosts: Arc<Mutex<HashMap<String, Arc<Semaphore>>>>,
}

impl HostLimit {
    pub(super) fn new(per_host: usize) -> Self {
        HostLimit {
            per_host: per_host.max(1),
            hosts: Arc::default(),
        }
    }

    /// Waits for a free place at `url`'s host; the request may go while the permit lives.
    pub(super) async fn acquire(&self, url: &Url) -> Option<OwnedSemaphorePermit> {
        let gate = self
            .hosts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(host_key(url))
            .or_insert_with(|| Arc::new(Semaphore::new(self.per_host)))
            .clone();
        gate.acquire_owned().await.ok()
    }
}

/// `host:port`, the port made explicit (`https://u.example/` → `u.example:443`).
pub fn host_key(url: &Url) -> String {
    format!(
        "{}:{}",
        url.host_str().unwrap_or(""),
        url.port_or_known_default().unwrap_or(0)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_keyed_with_their_port() {
        let key = |u: &str| host_key(&Url::parse(u).unwrap());
        assert_eq!(key("http://127.0.0.1:8080/u/1"), "127.0.0.1:8080");
        assert_eq!(key("https://u.example/x"), "u.example:443");
        assert_eq!(key("http://u.example/x"), "u.example:80");
    }

    #[tokio::test]
    async fn a_host_gets_at_most_its_share_and_others_are_not_held_up() {
        let limit = HostLimit::new(2);
        let a = Url::parse("http://a.example/1").unwrap();
        let b = Url::parse("http://b.example/1").unwrap();
        let first = limit.acquire(&a).await;
        let second = limit.clone().acquire(&a).await;
        assert!(first.is_some() && second.is_some());
        let third = tokio::time::timeout(std::time::Duration::from_millis(50), limit.acquire(&a));
        assert!(third.await.is_err(), "a third request to a waits");
        assert!(limit.acquire(&b).await.is_some(), "b has its own places");
        drop(first);
        assert!(limit.acquire(&a).await.is_some(), "a place freed at a");
    }
}
