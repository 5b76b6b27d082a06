//! The authorization request (RFC 6749 §4.1.1 with PKCE, RFC 7636 §4.3, and RAR, RFC 9396 §2),
//! sent by PAR (RFC 9126) or in the URL, and the check of the authorization response at the
//! redirect URI: `state` (RFC 6749 §10.12), `iss` (RFC 9207 §2.4), error responses
//! (RFC 6749 §4.1.2.1).

use oauth2::CsrfToken;
use serde_json::Value;
use url::Url;

use super::token::{details_param, error_from, send_form};
use super::{ClientAuth, OAuthError, Pkce, clean, constant_time_eq, same_issuer};
use crate::cds::AuthorizationServerMetadata;
use crate::http::{self, HttpClient};
use crate::secret::Secret;

/// Parameters this module sets itself; `extra` may not override them.
const RESERVED: &[&str] = &[
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "code_challenge",
    "code_challenge_method",
    "authorization_details",
    "request_uri",
    "request",
];

/// One authorization request, kept until its response is checked and its code exchanged.
#[derive(Debug, Clone)]
pub struct AuthorizationRequest {
    pub client_id: String,
    /// `None` lets the server use the client's registered default (RFC 6749 §3.1.2.3; CDS:
    /// the Client object's `cds_default_redirect_uri`, WG3-01 §9.1.1). When set, the token
    /// request repeats it (§4.1.3).
    pub redirect_uri: Option<String>,
    pub scope: Option<String>,
    /// RFC 9396 §2: an array of objects, each with a `type`.
    pub authorization_details: Option<Value>,
    /// Fresh and unguessable per request (RFC 6749 §10.12, RFC 9700 §2.1).
    pub state: String,
    /// S256 only (RFC 9700 §2.1.1).
    pub pkce: Pkce,
    /// Further parameters, e.g. `cds_grant_id` (WG1-02 grant authorization requests) or
    /// `prompt`.
    pub extra: Vec<(String, String)>,
}

impl AuthorizationRequest {
    /// A request with a random `state` and a fresh PKCE pair (both from the `oauth2` crate).
    pub fn new(client_id: impl Into<String>, redirect_uri: Option<String>) -> Self {
        AuthorizationRequest {
            client_id: client_id.into(),
            redirect_uri,
            scope: None,
            authorization_details: None,
            state: CsrfToken::new_random().secret().clone(),
            pkce: Pkce::new(),
            extra: Vec::new(),
        }
    }

    /// The PKCE verifier for [`super::token::exchange_code`].
    pub fn code_verifier(&self) -> &Secret {
        self.pkce.verifier()
    }

    /// The request parameters in a stable order.
    fn params(&self, with_client_id: bool) -> Result<Vec<(&'static str, String)>, OAuthError> {
        let mut p: Vec<(&'static str, String)> = vec![("response_type", "code".to_owned())];
        if with_client_id {
            p.push(("client_id", self.client_id.clone()));
        }
        if let Some(r) = &self.redirect_uri {
            p.push(("redirect_uri", r.clone()));
        }
        if let Some(s) = &self.scope {
            p.push(("scope", s.clone()));
        }
        if let Some(d) = &self.authorization_details {
            p.push(("authorization_details", details_param(d)?));
        }
        p.push(("state", self.state.clone()));
        p.push(("code_challenge", self.pkce.challenge().to_owned()));
        p.push(("code_challenge_method", self.pkce.method().to_owned()));
        Ok(p)
    }

    fn extras(&self) -> Result<Vec<(&str, &str)>, OAuthError> {
        self.extra
            .iter()
            .map(|(k, v)| {
                if RESERVED.contains(&k.as_str()) {
                    Err(OAuthError::Invalid(format!(
                        "`{k}` is set by the authorization request itself, not as an extra \
                         parameter"
                    )))
                } else {
                    Ok((k.as_str(), v.as_str()))
                }
            })
            .collect()
    }

    /// The authorization URL with every parameter in the query (RFC 6749 §4.1.1), for servers
    /// that advertise no PAR endpoint. The endpoint's own query is kept (§3.1).
    pub fn url(&self, authorization_endpoint: &Url) -> Result<Url, OAuthError> {
        http::check_url(authorization_endpoint)?;
        let extras = self.extras()?;
        let mut url = authorization_endpoint.clone();
        {
            let mut q = url.query_pairs_mut();
            for (k, v) in self.params(true)? {
                q.append_pair(k, &v);
            }
            for (k, v) in extras {
                q.append_pair(k, v);
            }
        }
        Ok(url)
    }

    /// Pushes the request (RFC 9126 §2.1: the client authenticates as at the token endpoint and
    /// sends the authorization request parameters, `client_id` included) and returns the URL
    /// to open: the authorization endpoint with only `client_id` and `request_uri` (§4).
    pub async fn push(
        &self,
        http: &HttpClient,
        par_endpoint: &Url,
        authorization_endpoint: &Url,
        auth: &ClientAuth,
    ) -> Result<Url, OAuthError> {
        http::check_url(authorization_endpoint)?;
        if auth.client_id() != self.client_id {
            return Err(OAuthError::Invalid(format!(
                "the request is for client `{}` but authenticates as `{}`",
                self.client_id,
                auth.client_id()
            )));
        }
        let mut form: Vec<(&str, String)> = self.params(false)?;
        for (k, v) in self.extras()? {
            form.push((k, v.to_owned()));
        }
        let r = send_form(&http.for_step("PAR"), par_endpoint, auth, form, true).await?;
        // RFC 9126 §2.2: 201 Created; any 2xx is read as success.
        if !(200..300).contains(&r.status) {
            return Err(error_from(par_endpoint, &r));
        }
        let v = http::parse_json_body(par_endpoint, r.content_type.as_deref(), &r.body)?;
        let request_uri = v
            .get("request_uri")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| OAuthError::BadResponse {
                url: par_endpoint.clone(),
                what: "the PAR response has no request_uri (RFC 9126 §2.2)".to_owned(),
            })?;
        // A request_uri goes into the address the customer opens (and that is printed): it
        // must be printable ASCII like every other OAuth identifier.
        crate::cds::identifiers::check("request_uri", request_uri).map_err(|what| {
            OAuthError::BadResponse {
                url: par_endpoint.clone(),
                what: format!("the PAR response's {what} (RFC 9126 §2.2)"),
            }
        })?;
        let mut url = authorization_endpoint.clone();
        url.query_pairs_mut()
            .append_pair("client_id", &self.client_id)
            .append_pair("request_uri", request_uri);
        Ok(url)
    }
}

/// The query parameters of an authorization response (RFC 6749 §4.1.2, §4.1.2.1; RFC 9207 §2).
/// `Debug` does not show the code.
#[derive(Debug, Clone, Default)]
pub struct CallbackParams {
    pub code: Option<Secret>,
    pub state: Option<String>,
    pub iss: Option<String>,
    pub error: Option<String>,
    pub error_description: Option<String>,
    pub error_uri: Option<String>,
    /// A response parameter sent more than once (RFC 6749 §3.1 forbids it).
    pub duplicate: Option<String>,
}

impl CallbackParams {
    /// Reads a query string (without the `?`), form-urldecoding each value (RFC 9207 §2.4).
    pub fn from_query(query: &str) -> Self {
        let mut p = CallbackParams::default();
        for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
            let slot_taken = match k.as_ref() {
                "code" => p.code.replace(Secret::new(v.as_ref())).is_some(),
                "state" => p.state.replace(v.into_owned()).is_some(),
                "iss" => p.iss.replace(v.into_owned()).is_some(),
                "error" => p.error.replace(v.into_owned()).is_some(),
                "error_description" => p.error_description.replace(v.into_owned()).is_some(),
                "error_uri" => p.error_uri.replace(v.into_owned()).is_some(),
                _ => false,
            };
            if slot_taken && p.duplicate.is_none() {
                p.duplicate = Some(clean(&k));
            }
        }
        p
    }

    /// Whether this is an error response.
    pub fn is_error(&self) -> bool {
        self.error.is_some()
    }
}

/// A redirect URL the user pasted (when no loopback redirect could be used): the whole URL
/// from the browser's address bar, or just its query string.
pub fn parse_pasted_redirect(text: &str) -> Result<CallbackParams, OAuthError> {
    let text = text.trim();
    let query = match Url::parse(text) {
        Ok(u) => u.query().unwrap_or_default().to_owned(),
        Err(_) if text.contains('=') && !text.contains(char::is_whitespace) => {
            text.trim_start_matches('?').to_owned()
        }
        Err(_) => {
            return Err(OAuthError::BadCallback(
                "paste the whole address the browser shows after the authorization (it \
                 contains code=… and state=…)"
                    .to_owned(),
            ));
        }
    };
    let p = CallbackParams::from_query(&query);
    if p.code.is_none() && p.error.is_none() {
        return Err(OAuthError::BadCallback(
            "the pasted address has neither `code` nor `error` in its query".to_owned(),
        ));
    }
    Ok(p)
}

/// What an authorization response must satisfy to be accepted.
#[derive(Debug, Clone)]
pub struct CallbackCheck {
    state: String,
    issuer: Option<Url>,
    iss_required: bool,
}

impl CallbackCheck {
    /// `issuer`: where the request was sent (RFC 9207 §2.4), when known; `iss_required`: the
    /// metadata's `authorization_response_iss_parameter_supported`.
    pub fn new(expected_state: &str, issuer: Option<&Url>, iss_required: bool) -> Self {
        CallbackCheck {
            state: expected_state.to_owned(),
            issuer: issuer.cloned(),
            iss_required,
        }
    }

    /// The check for a request sent to the server described by `metadata`.
    pub fn for_request(
        request: &AuthorizationRequest,
        metadata: &AuthorizationServerMetadata,
    ) -> Self {
        CallbackCheck::new(
            &request.state,
            Some(&metadata.issuer),
            metadata.authorization_response_iss_parameter_supported == Some(true),
        )
    }

    /// Accepts the response and returns its code, or says why not. `state` is checked first, so
    /// a forged redirect is never reported as the customer's decision; `iss` next, also on
    /// error responses (RFC 9207 §2.4: an error must not be trusted to come from the intended
    /// server either).
    pub fn check(&self, p: &CallbackParams) -> Result<Secret, OAuthError> {
        if let Some(name) = &p.duplicate {
            return Err(OAuthError::BadCallback(format!(
                "`{name}` appears more than once (RFC 6749 §3.1)"
            )));
        }
        let state_ok = p
            .state
            .as_deref()
            .is_some_and(|s| constant_time_eq(s.as_bytes(), self.state.as_bytes()));
        if !state_ok {
            return Err(OAuthError::StateMismatch);
        }
        match (&p.iss, &self.issuer) {
            (Some(got), Some(expected)) if !same_issuer(expected, got) => {
                return Err(OAuthError::IssMismatch {
                    expected: expected.to_string(),
                    got: clean(got),
                });
            }
            (None, Some(expected)) if self.iss_required => {
                return Err(OAuthError::MissingIss {
                    issuer: expected.to_string(),
                });
            }
            _ => {}
        }
        if let Some(error) = &p.error {
            return Err(OAuthError::Denied {
                error: clean(error),
                description: p.error_description.as_deref().map(clean),
            });
        }
        match &p.code {
            Some(code) if !code.expose().is_empty() => Ok(code.clone()),
            _ => Err(OAuthError::BadCallback(
                "neither `code` nor `error` (RFC 6749 §4.1.2)".to_owned(),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issuer() -> Url {
        Url::parse("https://as.example").unwrap()
    }

    #[test]
    fn callback_query_is_decoded_and_duplicates_noticed() {
        let p = CallbackParams::from_query(
            "code=abc%2Bdef&state=s1&iss=https%3A%2F%2Fas.example&other=1",
        );
        assert_eq!(p.code.as_ref().unwrap().expose(), "abc+def");
        assert_eq!(p.state.as_deref(), Some("s1"));
        assert_eq!(p.iss.as_deref(), Some("https://as.example"));
        assert!(p.duplicate.is_none());
        assert!(!format!("{p:?}").contains("abc"));
        let p = CallbackParams::from_query("code=a&state=s1&state=s2");
        assert_eq!(p.duplicate.as_deref(), Some("state"));
        let check = CallbackCheck::new("s1", Some(&issuer()), false);
        assert!(matches!(check.check(&p), Err(OAuthError::BadCallback(_))));
    }

    #[test]
    fn check_order_and_rules() {
        let i = issuer();
        let strict = CallbackCheck::new("s1", Some(&i), true);
        let lax = CallbackCheck::new("s1", Some(&i), false);
        let q = CallbackParams::from_query;
        assert_eq!(
            strict
                .check(&q("code=c&state=s1&iss=https%3A%2F%2Fas.example"))
                .unwrap()
                .expose(),
            "c"
        );
        // Trailing-slash spelling of the same issuer.
        assert!(
            strict
                .check(&q("code=c&state=s1&iss=https%3A%2F%2Fas.example%2F"))
                .is_ok()
        );
        assert!(matches!(
            strict.check(&q("code=c&state=s2&iss=https%3A%2F%2Fas.example")),
            Err(OAuthError::StateMismatch)
        ));
        assert!(matches!(
            strict.check(&q("code=c&iss=https%3A%2F%2Fas.example")),
            Err(OAuthError::StateMismatch)
        ));
        assert!(matches!(
            strict.check(&q("code=c&state=s1")),
            Err(OAuthError::MissingIss { .. })
        ));
        assert!(lax.check(&q("code=c&state=s1")).is_ok());
        assert!(matches!(
            lax.check(&q("code=c&state=s1&iss=https%3A%2F%2Fevil.example")),
            Err(OAuthError::IssMismatch { .. })
        ));
        // A forged error (wrong state) is not reported as the customer's decision.
        assert!(matches!(
            lax.check(&q("error=access_denied&state=zz")),
            Err(OAuthError::StateMismatch)
        ));
        match lax.check(&q(
            "error=access_denied&error_description=No%20thanks&state=s1",
        )) {
            Err(OAuthError::Denied { error, description }) => {
                assert_eq!(error, "access_denied");
                assert_eq!(description.as_deref(), Some("No thanks"));
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            lax.check(&q("state=s1")),
            Err(OAuthError::BadCallback(_))
        ));
        assert!(matches!(
            lax.check(&q("code=&state=s1")),
            Err(OAuthError::BadCallback(_))
        ));
    }

    #[test]
    fn pasted_redirects() {
        let p = parse_pasted_redirect(
            "  https://u.example/oauth/receipt?code=c1&state=s1&iss=https%3A%2F%2Fas.example\n",
        )
        .unwrap();
        assert_eq!(p.code.unwrap().expose(), "c1");
        assert_eq!(p.state.as_deref(), Some("s1"));
        let p = parse_pasted_redirect("?code=c2&state=s2").unwrap();
        assert_eq!(p.code.unwrap().expose(), "c2");
        let p =
            parse_pasted_redirect("http://127.0.0.1:5000/cb?error=access_denied&state=s").unwrap();
        assert!(p.is_error());
        assert!(parse_pasted_redirect("just-a-code").is_err());
        assert!(parse_pasted_redirect("https://u.example/oauth/receipt").is_err());
        assert!(parse_pasted_redirect("").is_err());
    }

    #[test]
    fn request_urls() {
        let mut r = AuthorizationRequest::new("c1", Some("http://127.0.0.1:9/cb".into()));
        r.scope = Some("a b".into());
        r.authorization_details = Some(serde_json::json!([{"type": "a"}]));
        r.extra.push(("prompt".into(), "consent".into()));
        let u = r
            .url(&Url::parse("https://as.example/authorize?tenant=t").unwrap())
            .unwrap();
        let q: std::collections::HashMap<String, String> = u.query_pairs().into_owned().collect();
        assert_eq!(q["tenant"], "t");
        assert_eq!(q["response_type"], "code");
        assert_eq!(q["client_id"], "c1");
        assert_eq!(q["scope"], "a b");
        assert_eq!(q["code_challenge_method"], "S256");
        assert_eq!(q["code_challenge"], r.pkce.challenge());
        assert_eq!(q["state"], r.state);
        assert_eq!(q["prompt"], "consent");
        assert_eq!(q["authorization_details"], r#"[{"type":"a"}]"#);
        assert!(!u.as_str().contains(r.code_verifier().expose()));
        // Fresh state per request.
        assert_ne!(AuthorizationRequest::new("c1", None).state, r.state);
        r.extra.push(("state".into(), "x".into()));
        assert!(r.url(&Url::parse("https://as.example/a").unwrap()).is_err());
        // Plain http to a remote authorization endpoint is refused.
        r.extra.clear();
        assert!(r.url(&Url::parse("http://as.example/a").unwrap()).is_err());
    }
}
