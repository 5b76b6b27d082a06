//! A remote document can't aim requests inward (issue 9 point 2; RFC 9700 §4.5). A "remote"
//! utility — `https://utility.test`, a name that is not this machine's, with a certificate from
//! a private CA, served over TLS — points every link and endpoint it can at a second local
//! listener (the trap): loopback addresses in every spelling, `localhost` names, a redirect, a
//! related document, a coverage `next` page. Discovery refuses them all, the OAuth document is
//! unusable for registration, and the trap never sees a connection.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::response::Redirect;
use axum::routing::get;
use cds_wizard::http::{HttpClient, HttpPolicy};
use cds_wizard::onboarding::discovery::{DiscoveryLimits, discover};
use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

const HOST: &str = "utility.test";
const OAUTH_2026: &str = include_str!("../fixtures/drafts/cds2026-oauth-metadata.json");

/// A TLS listener for `axum::serve`: the handshake happens in `accept`.
struct TlsListener {
    tcp: TcpListener,
    tls: TlsAcceptor,
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let Ok((stream, addr)) = self.tcp.accept().await else {
                continue;
            };
            if let Ok(tls) = self.tls.accept(stream).await {
                return (tls, addr);
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.tcp.local_addr()
    }
}

/// A private CA (its PEM) and a TLS acceptor holding a certificate it issued for `HOST`.
fn tls() -> (String, TlsAcceptor) {
    use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca_params, ca_key);
    let leaf_key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(vec![HOST.to_owned()])
        .unwrap()
        .signed_by(&leaf_key, &issuer)
        .unwrap();
    let key = rustls::pki_types::PrivateKeyDer::try_from(leaf_key.serialize_der()).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(vec![leaf.der().clone()], key)
    .unwrap();
    (ca.pem(), TlsAcceptor::from(Arc::new(config)))
}

/// The trap: a listener that counts every connection made to it.
async fn trap() -> (u16, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let hits = Arc::new(AtomicUsize::new(0));
    let counted = hits.clone();
    tokio::spawn(async move {
        while let Ok((_stream, _)) = listener.accept().await {
            counted.fetch_add(1, Ordering::SeqCst);
        }
    });
    (port, hits)
}

/// The remote utility's documents, every link and endpoint aimed at the trap.
fn remote_router(base: &str, trap: u16) -> Router {
    let inward = [
        format!("http://127.0.0.1:{trap}"),
        format!("http://[::ffff:127.0.0.1]:{trap}"),
        format!("http://localhost:{trap}"),
        format!("http://0.0.0.0:{trap}"),
        format!("https://admin.localhost:{trap}"),
    ];
    let metadata = json!({
        "cds_metadata_version": "v1",
        "cds_metadata_url": format!("{base}/.well-known/cds-server-metadata.json"),
        "created": "2026-01-01T00:00:00Z",
        "updated": "2026-06-01T00:00:00Z",
        "name": "Remote Utility",
        "description": "A utility on another host that points inward",
        "website": format!("{base}/"),
        "documentation": format!("{base}/docs"),
        "support": format!("{base}/support"),
        "capabilities": ["coverage", "oauth"],
        "coverage": format!("{base}/coverage"),
        "related_metadata": [format!("{}/related.json", inward[0]), format!("{base}/moved")],
        "oauth_metadata": format!("{base}/oauth"),
    });
    let mut oauth: Value = serde_json::from_str(OAUTH_2026).unwrap();
    let text = oauth.to_string().replace("https://utility.example", base);
    oauth = serde_json::from_str(&text).unwrap();
    oauth["issuer"] = json!(base);
    let endpoints = [
        "token_endpoint",
        "registration_endpoint",
        "pushed_authorization_request_endpoint",
        "revocation_endpoint",
        "cds_clients_api",
        "cds_credentials_api",
    ];
    for (i, key) in endpoints.iter().enumerate() {
        oauth[*key] = json!(format!("{}/{key}", inward[i % inward.len()]));
    }
    let coverage = json!({
        "coverage_entries": [],
        "next": format!("{}/coverage?page=2", inward[1]),
        "previous": null,
    });
    let moved_to = format!("{}/moved-here", inward[2]);
    Router::new()
        .route(
            "/.well-known/cds-server-metadata.json",
            get(move || async move { axum::Json(metadata) }),
        )
        .route("/oauth", get(move || async move { axum::Json(oauth) }))
        .route(
            "/coverage",
            get(move || async move { axum::Json(coverage) }),
        )
        .route(
            "/moved",
            get(move || async move { Redirect::temporary(&moved_to) }),
        )
}

#[tokio::test]
async fn a_remote_utility_cannot_aim_any_request_inward() {
    let (trap_port, hits) = trap().await;
    let (ca_pem, acceptor) = tls();
    let tcp = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = tcp.local_addr().unwrap();
    let base = format!("https://{HOST}:{}", addr.port());
    let app = remote_router(&base, trap_port);
    tokio::spawn(async move {
        let _ = axum::serve(TlsListener { tcp, tls: acceptor }, app).await;
    });
    let client = HttpClient::new(HttpPolicy {
        only_roots_pem: vec![ca_pem.into_bytes()],
        resolve: vec![(HOST.to_owned(), addr)],
        ..HttpPolicy::default()
    })
    .unwrap();

    let d = discover(&client, &base, &DiscoveryLimits::default(), None)
        .await
        .expect("the remote utility itself is reachable over TLS");
    let codes: Vec<(&str, &str)> = d
        .findings
        .iter()
        .map(|f| (f.code.as_str(), f.message.as_str()))
        .collect();
    let inward: Vec<&&str> = codes
        .iter()
        .filter(|(c, _)| *c == "oauth.endpoint_inward")
        .map(|(_, m)| m)
        .collect();
    assert_eq!(inward.len(), 6, "{codes:#?}");
    // The OAuth document is not used: no catalog, nothing to register with.
    let e = d.oauth_metadata().unwrap_err().to_string();
    assert!(e.contains("not used"), "{e}");
    assert!(d.catalog().is_err());
    // The related link, the redirect and the coverage `next` were refused as well.
    let refused: Vec<&str> = codes
        .iter()
        .filter(|(_, m)| m.contains("on this machine or its private network"))
        .map(|(c, _)| *c)
        .collect();
    assert_eq!(refused.len(), 8, "{codes:#?}");
    for (place, needle) in [
        ("related", "/related.json"),
        ("redirect", "/moved-here"),
        ("coverage next", "/coverage?page=2"),
    ] {
        assert!(
            codes.iter().any(|(_, m)| m.contains(needle)),
            "{place} not refused: {codes:#?}"
        );
    }
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    assert_eq!(hits.load(Ordering::SeqCst), 0, "the trap was reached");
}

/// A listing's `next` on another origin (here: another port) would carry the admin token
/// there: refused before any request, and the other listener sees nothing.
#[tokio::test]
async fn paging_links_stay_on_the_origin_of_the_api() {
    let (trap_port, hits) = trap().await;
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let next = format!("http://127.0.0.1:{trap_port}/clients?page=2");
    let app = Router::new().route(
        "/clients",
        get(move || async move { axum::Json(json!({"clients": [], "next": next})) }),
    );
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let client = HttpClient::new(HttpPolicy::default()).unwrap();
    let url = url::Url::parse(&format!("{base}/clients")).unwrap();
    let token = cds_wizard::secret::Secret::new("admin-token-for-this-api-only");
    let e = cds_wizard::onboarding::api::clients(&client, &url, &token)
        .await
        .unwrap_err();
    assert!(
        matches!(e, cds_wizard::onboarding::api::ApiError::Foreign { .. }),
        "{e}"
    );
    assert!(e.to_string().contains("the token is not sent there"), "{e}");
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    assert_eq!(
        hits.load(Ordering::SeqCst),
        0,
        "the token went to another origin"
    );
}
