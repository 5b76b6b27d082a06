//! The public test accounts page that `cds_test_accounts` names (CDS-WG1-02 §3.2), and the
//! same accounts in short on the sign-in page.

use axum::response::{IntoResponse, Response};

use crate::demo::accounts::TEST_ACCOUNTS;

use super::{escape, page};

/// `GET /docs/test-accounts`: the page `cds_test_accounts` names.
pub async fn test_accounts_page() -> Response {
    let mut rows = String::new();
    for a in TEST_ACCOUNTS {
        let services: Vec<String> = a
            .services
            .iter()
            .map(|s| {
                format!(
                    "{} — {} at {} (<code>{}</code>)",
                    escape(s.contract_number),
                    escape(s.service_type),
                    escape(s.address),
                    escape(s.coverage)
                )
            })
            .collect();
        rows.push_str(&format!(
            "<tr><td><code>{}</code></td><td><code>{}</code></td><td>{}<br><small>{}</small></td>\
             <td>{}</td></tr>",
            escape(a.username),
            escape(a.password),
            escape(a.name),
            escape(a.description),
            services.join("<br>")
        ));
    }
    page(
        "Test accounts",
        &format!(
            "<p>Demo Gas &amp; Electric has no real customers. Sign in on the authorization page \
             with one of these fictional customers to try the authorization code flow. Test \
             accounts can authorize <strong>sandbox</strong> Client objects only.</p>\
             <table><thead><tr><th>Username</th><th>Password</th><th>Customer</th>\
             <th>Service contracts</th></tr></thead><tbody>{rows}</tbody></table>"
        ),
    )
    .into_response()
}

/// The test accounts on the sign-in page itself, one click away (a `<details>` element): the
/// full page opens in a new tab, since leaving the sign-in page would spend its one-time
/// pushed request.
pub fn sign_in_hint() -> String {
    let items: String = TEST_ACCOUNTS
        .iter()
        .map(|a| {
            format!(
                "<li><code>{}</code> / <code>{}</code> — {}, {}</li>",
                escape(a.username),
                escape(a.password),
                escape(a.name),
                escape(a.description)
            )
        })
        .collect();
    format!("<details><summary>Show the test accounts</summary><ul>{items}</ul></details>")
}
