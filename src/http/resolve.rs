//! The name resolver behind every request: a host name that resolves to this machine or its
//! private networks (a remote document's `evil.example` answering `127.0.0.1`, DNS rebinding) is
//! not connected to, unless the user named that host themselves (issue 9, RFC 9700 §4.5).
//! Literal addresses never reach a resolver; [`super::check_not_inward`] judges those.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// Hosts the user gave (a start URL, a profile's issuer): their names may resolve anywhere.
#[derive(Debug, Clone, Default)]
pub(super) struct Trusted(Arc<Mutex<HashSet<String>>>);

impl Trusted {
    pub(super) fn add(&self, host: &str) {
        if let Ok(mut set) = self.0.lock() {
            set.insert(normalize(host));
        }
    }

    fn contains(&self, host: &str) -> bool {
        self.0.lock().is_ok_and(|set| set.contains(host))
    }
}

fn normalize(host: &str) -> String {
    host.trim_end_matches('.').to_ascii_lowercase()
}

/// A name that resolved inward and was not trusted.
#[derive(Debug, thiserror::Error)]
#[error(
    "{host} resolves to {addr}, an address on this machine or its private network; not \
     connected (only a host you give yourself may resolve there)"
)]
pub struct InwardName {
    pub host: String,
    pub addr: std::net::IpAddr,
}

/// `Err` when an untrusted name resolved to an inward address.
fn check(host: &str, trusted: bool, addrs: &[SocketAddr]) -> Result<(), InwardName> {
    match addrs.iter().find(|a| crate::cds::is_inward_ip(a.ip())) {
        Some(bad) if !trusted => Err(InwardName {
            host: host.to_owned(),
            addr: bad.ip(),
        }),
        _ => Ok(()),
    }
}

/// The system resolver (getaddrinfo through tokio), with the inward check.
#[derive(Debug, Clone)]
pub(super) struct Guarded {
    pub(super) trusted: Trusted,
}

impl Resolve for Guarded {
    fn resolve(&self, name: Name) -> Resolving {
        let host = normalize(name.as_str());
        let trusted =
            host == "localhost" || host.ends_with(".localhost") || self.trusted.contains(&host);
        Box::pin(async move {
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            check(&host, trusted, &addrs)?;
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addrs(list: &[&str]) -> Vec<SocketAddr> {
        list.iter().map(|a| a.parse().unwrap()).collect()
    }

    #[test]
    fn an_untrusted_name_resolving_inward_is_refused() {
        for inward in [
            "127.0.0.1:0",
            "10.1.2.3:0",
            "172.16.0.1:0",
            "192.168.1.1:0",
            "169.254.169.254:0",
            "0.0.0.0:0",
            "100.64.0.1:0",
            "[::1]:0",
            "[::]:0",
            "[::ffff:127.0.0.1]:0",
            "[fd00::1]:0",
            "[fe80::1]:0",
        ] {
            let e = check("evil.example", false, &addrs(&["93.184.216.34:0", inward]))
                .expect_err(inward);
            assert!(e.to_string().contains("evil.example resolves to"), "{e}");
            assert!(check("evil.example", true, &addrs(&[inward])).is_ok());
        }
        assert!(
            check(
                "utility.example",
                false,
                &addrs(&["93.184.216.34:0", "[2606:4700::1]:0"])
            )
            .is_ok()
        );
    }

    #[tokio::test]
    async fn localhost_names_and_trusted_hosts_resolve() {
        use std::str::FromStr;
        let guarded = Guarded {
            trusted: Trusted::default(),
        };
        assert!(
            guarded
                .resolve(Name::from_str("localhost").unwrap())
                .await
                .is_ok()
        );
        guarded.trusted.add("Utility.Example.");
        assert!(guarded.trusted.contains("utility.example"));
    }
}
