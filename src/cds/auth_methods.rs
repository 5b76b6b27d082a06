//! How a client authenticates at the token endpoint (RFC 7591 §2 `token_endpoint_auth_method`)
//! and what CDS-WG1-02 makes of it: public clients (`none`, RFC 6749 §2.1, RFC 8252 §8.4), which
//! methods hold a client secret and so a Credential (§4.2, §7.1–§7.2), and which scopes a public
//! client may use (§3.4). One reading, applied by the demo server and the client alike.

/// A public client: it authenticates with nothing but its `client_id` (RFC 7591 §2).
pub const NONE: &str = "none";
/// HTTP Basic with the client id and secret (RFC 6749 §2.3.1).
pub const CLIENT_SECRET_BASIC: &str = "client_secret_basic";
/// The client id and secret in the form body (RFC 6749 §2.3.1).
pub const CLIENT_SECRET_POST: &str = "client_secret_post";
/// A JWT signed with the client secret (RFC 7523, OpenID Connect Core §9).
pub const CLIENT_SECRET_JWT: &str = "client_secret_jwt";

/// Whether a client registered with `method` is a public client: it sends its `client_id` in
/// the request body (RFC 6749 §3.2.1, RFC 9126 §2) and never a secret, so PKCE (RFC 7636)
/// carries the proof that binds the code to the app.
pub fn is_public(method: Option<&str>) -> bool {
    method == Some(NONE)
}

/// Whether a client registered with `method` authenticates with a `client_secret`, and so has
/// Credential objects (WG1-02 §7).
///
/// §4.2 asks for a Credential for every Client object whose method is not `null`. The only
/// Credential type is `client_secret` (§7.2), whose `client_secret` value §7.1 requires, and a
/// `none` client has no secret (RFC 7591 §2): so a public client has no Credential, as a
/// `null` one has none, and nothing may create one for it (§7.5 answers 400).
pub fn uses_client_secret(method: Option<&str>) -> bool {
    matches!(
        method,
        Some(CLIENT_SECRET_BASIC | CLIENT_SECRET_POST | CLIENT_SECRET_JWT)
    )
}

/// Whether a scope whose `token_endpoint_auth_methods_supported` is `methods` may be used by a
/// public client, one without a client secret (WG1-02 §3.4: `none` in the list).
pub fn allows_public_clients(methods: &[String]) -> bool {
    methods.iter().any(|m| m == NONE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn none_is_public_and_holds_no_secret() {
        assert!(is_public(Some("none")));
        assert!(!uses_client_secret(Some("none")));
        for m in [
            "client_secret_basic",
            "client_secret_post",
            "client_secret_jwt",
        ] {
            assert!(uses_client_secret(Some(m)) && !is_public(Some(m)), "{m}");
        }
        // `null`: the client does not use the token endpoint at all (§5.1).
        assert!(!is_public(None) && !uses_client_secret(None));
        assert!(!uses_client_secret(Some("private_key_jwt")));
    }

    #[test]
    fn a_scope_allows_public_clients_when_it_lists_none() {
        let v = |l: &[&str]| l.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(allows_public_clients(&v(&["none"])));
        assert!(allows_public_clients(&v(&["client_secret_basic", "none"])));
        assert!(!allows_public_clients(&v(&["client_secret_basic"])));
        assert!(!allows_public_clients(&[]));
    }
}
