//! The customer's session on the authorization pages (CDS-WG3-01 §9.1.2): the session
//! cookie, and the checks once the customer is known (test accounts authorize sandbox Client
//! objects only; CDS-WG1-02 §8.3 `cds_grant_id_invalid_user`).

// The error is the finished response the caller returns as is.
#![allow(clippy::result_large_err)]

use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;

use crate::cds::{ClientObject, ClientStatus};

use crate::demo::DemoState;
use crate::demo::store::Store;
use crate::demo::store::oauth::AuthzRequest;

use super::SESSION_COOKIE;
use super::responses::{error_page, error_redirect};

/// The session cookie a request carries.
pub(crate) fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == SESSION_COOKIE)
        .map(|(_, v)| v.to_owned())
}

/// Checks once the customer is known: test accounts authorize sandbox clients only, and a
/// `cds_grant_id` must suit this customer (WG1-02 §8.3 `cds_grant_id_invalid_user`).
pub(crate) fn after_login_checks(
    s: &DemoState,
    store: &Store,
    client: &ClientObject,
    request: &AuthzRequest,
    username: &str,
) -> Result<(), Response> {
    if client.cds_status != ClientStatus::Sandbox {
        return Err(error_page(
            StatusCode::FORBIDDEN,
            "access_denied",
            &format!(
                "{} is a {} Client object. Demo Gas & Electric has only fictional test \
                 customers, and test customers can authorize sandbox Client objects only; use \
                 the application's sandbox Client object to try the authorization flow.",
                client.display_name(),
                client.cds_status
            ),
        ));
    }
    if let Some(id) = &request.cds_grant_id
        && let Some(owner) = store.oauth.grant_customers.get(id)
        && owner != username
    {
        return Err(error_redirect(
            s,
            StatusCode::SEE_OTHER,
            &request.redirect_uri,
            request.state.as_deref(),
            "cds_grant_id_invalid_user",
            "the Grant named by cds_grant_id belongs to another customer (WG1-02 §8.3)",
        ));
    }
    Ok(())
}
