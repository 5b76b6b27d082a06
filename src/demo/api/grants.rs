//! The demo's Grants API (CDS-WG1-02 §8.4–§8.6) behind `cds_client_admin` bearer tokens:
//! listing with the §8.4 filters, retrieval, and the §8.6 modifications (closing, reducing the
//! scope or authorization details, asking the customer again for an added scope). It serves any
//! Grant in the store, whoever created it (the server for shared files, or customer consent).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use serde::Deserialize;
use serde_json::Value;

use crate::cds::grants::GrantModification;
use crate::cds::{AuthorizationServerMetadata, ClientObject, Grant, GrantStatus};

use crate::demo::DemoState;
use crate::demo::reply::{ApiError, json_with_status};

use super::auth::authorize;
use super::common::{Resource, bad, id_filter, not_found, parse_datetime, present};

/// Where the Grants API lives (`cds_grants_api` in the catalog).
pub const GRANTS_PATH: &str = "/api/grants";

#[derive(Debug, Deserialize)]
pub struct GrantsQuery {
    grant_ids: Option<String>,
    parents: Option<String>,
    statuses: Option<String>,
    client_ids: Option<String>,
    scopes: Option<String>,
    receipt_confirmations: Option<String>,
    after: Option<String>,
    before: Option<String>,
    page: Option<String>,
}

/// The §8.4 filters of one request, parsed.
struct Filters {
    grant_ids: Option<Vec<String>>,
    parents: Option<Vec<String>>,
    statuses: Option<Vec<GrantStatus>>,
    client_ids: Option<Vec<String>>,
    scopes: Option<Vec<String>>,
    receipt_confirmations: Option<Vec<String>>,
    after: Option<Timestamp>,
    before: Option<Timestamp>,
}

impl Filters {
    fn parse(q: &GrantsQuery) -> Result<Self, ApiError> {
        let statuses = match id_filter(&q.statuses) {
            None => None,
            Some(list) => {
                let mut out = Vec::new();
                for raw in list {
                    let status = GrantStatus::from(raw.as_str());
                    // A status §8.2 does not define can match nothing: say so instead.
                    if !status.is_known() {
                        return Err(bad(
                            "invalid_request",
                            format!("`statuses`: `{raw}` is not a Grant status (WG1-02 §8.2)"),
                        ));
                    }
                    out.push(status);
                }
                Some(out)
            }
        };
        Ok(Filters {
            grant_ids: id_filter(&q.grant_ids),
            parents: id_filter(&q.parents),
            statuses,
            client_ids: id_filter(&q.client_ids),
            scopes: id_filter(&q.scopes),
            receipt_confirmations: id_filter(&q.receipt_confirmations),
            after: parse_datetime("after", &q.after)?,
            before: parse_datetime("before", &q.before)?,
        })
    }

    /// The intersection of every present filter (§8.4).
    fn matches(&self, g: &Grant) -> bool {
        let any = |list: &Option<Vec<String>>, pred: &dyn Fn(&String) -> bool| {
            list.as_ref().is_none_or(|l| l.iter().any(pred))
        };
        any(&self.grant_ids, &|id| *id == g.grant_id)
            && any(&self.parents, &|p| g.parent.as_ref() == Some(p))
            && self
                .statuses
                .as_ref()
                .is_none_or(|l| l.contains(&g.status))
            && any(&self.client_ids, &|c| *c == g.client_id)
            // §8.4: a scope in the `scope` string or as a `type` in `authorization_details`.
            && any(&self.scopes, &|sc| {
                g.scope.split_ascii_whitespace().any(|t| t == sc)
                    || g.authorization_details
                        .iter()
                        .any(|d| d.get("type").and_then(Value::as_str) == Some(sc.as_str()))
            })
            && any(&self.receipt_confirmations, &|r| {
                g.receipt_confirmations.contains(r)
            })
            // "created after or on" / "before or on": both bounds inclusive.
            && self.after.is_none_or(|a| g.created >= a)
            && self.before.is_none_or(|b| g.created <= b)
    }
}

/// Grants as a management API resource.
const GRANTS: Resource<Grant> = Resource {
    records: |st| &st.grants,
    id: |g| &g.grant_id,
    modified: |g| g.modified,
    render: |g| serde_json::to_value(g).unwrap_or_default(),
    what: "Grant",
    path: GRANTS_PATH,
    key: "grants",
};

/// `GET /api/grants` (§8.4): newest `modified` first.
pub async fn list_grants(
    State(s): State<Arc<DemoState>>,
    headers: HeaderMap,
    Query(q): Query<GrantsQuery>,
) -> Response {
    let filter = || Filters::parse(&q).map(|f| move |g: &Grant| f.matches(g));
    let params = present(&[
        ("grant_ids", &q.grant_ids),
        ("parents", &q.parents),
        ("statuses", &q.statuses),
        ("client_ids", &q.client_ids),
        ("scopes", &q.scopes),
        ("receipt_confirmations", &q.receipt_confirmations),
        ("after", &q.after),
        ("before", &q.before),
    ]);
    GRANTS.list(&s, &headers, q.page.as_deref(), filter, &params)
}

/// `GET /api/grants/{grant_id}` (§8.5).
pub async fn get_grant(
    State(s): State<Arc<DemoState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    GRANTS.get(&s, &headers, &id)
}

/// `PATCH /api/grants/{grant_id}` (§8.6). Answers 200 with the updated Grant; the demo never
/// reviews changes asynchronously, so it never answers 202.
pub async fn patch_grant(
    State(s): State<Arc<DemoState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let registration = match authorize(&s, &headers) {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    let modification = match parse_modification(&headers, &body) {
        Ok(m) => m,
        Err(e) => return e.into_response(),
    };
    let catalog = match s.registry.catalog(&s.documents) {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    let now = s.registry.now();
    let mut store = s.registry.lock();
    let Some(index) = GRANTS.position(&store, &registration, &id) else {
        return not_found(GRANTS.what);
    };
    let client = store
        .client(&store.grants[index].item.client_id)
        .map(|r| r.item.clone());
    let mut grant = store.grants[index].item.clone();
    if let Err(e) = apply(&mut grant, &modification, catalog, client.as_ref()) {
        return e.into_response();
    }
    let mut status = StatusCode::OK;
    if grant != store.grants[index].item {
        grant.modified = now;
        if grant.status == GrantStatus::Closed {
            store.revoke_grant_tokens(&grant.grant_id);
        }
        // The demo's `grant_review` option: a reduction is reviewed asynchronously (§8.6: 202,
        // `pending`, and the enabled scope already what remains).
        let reviewed = s.options.grant_review
            && matches!(grant.status, GrantStatus::Active | GrantStatus::Partial);
        if reviewed {
            grant.status = GrantStatus::Pending;
            grant.eta = now
                .checked_add(
                    jiff::SignedDuration::try_from(s.registry.options.review_delay)
                        .unwrap_or_default(),
                )
                .ok();
            status = StatusCode::ACCEPTED;
        }
        store.grants[index].item = grant.clone();
        if reviewed {
            drop(store);
            crate::demo::answers::schedule_grant_review(s.clone(), grant.grant_id.clone());
        }
    }
    json_with_status(status, &grant)
}

/// The PATCH body as §8.6 fields. Unknown fields are ignored (§8.6); a modifiable field that is
/// present must hold a valid value, `null` included.
fn parse_modification(headers: &HeaderMap, body: &[u8]) -> Result<GrantModification, ApiError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/json");
    let mime = content_type.split(';').next().unwrap_or("").trim();
    if !mime.eq_ignore_ascii_case("application/json") {
        return Err(bad(
            "invalid_request",
            "the request body must be application/json (WG1-02 §8.6)",
        ));
    }
    let doc: Value = serde_json::from_slice(body)
        .map_err(|e| bad("invalid_request", format!("the body is not JSON: {e}")))?;
    let Some(obj) = doc.as_object() else {
        return Err(bad(
            "invalid_request",
            "the body must be a JSON object of Grant fields",
        ));
    };
    for key in ["status", "scope", "authorization_details"] {
        if obj.get(key).is_some_and(Value::is_null) {
            return Err(bad("invalid_request", format!("`{key}` must not be null")));
        }
    }
    serde_json::from_value(doc).map_err(|e| {
        bad(
            "invalid_request",
            format!("invalid Grant modification: {e}"),
        )
    })
}

/// Tokens of a space-separated scope string, each once, in order.
fn tokens(scope: &str) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for t in scope.split_ascii_whitespace() {
        if !out.contains(&t) {
            out.push(t);
        }
    }
    out
}

/// Applies a validated §8.6 modification to `grant` (all or nothing: on error `grant` may be
/// half-changed, and the caller drops it).
///
/// Scope additions: §8.6 wants a new customer authorization (`needs_authorization`) where one
/// is required. The demo does that when every added scope is one the customer can authorize
/// (an `authorization_code` scope registered on the Grant's Client object), so the consent flow
/// can finish it with `cds_grant_id` (§8.3). Any other addition, e.g. to a server-created
/// Server-Provided Files Grant, has no customer to ask and is refused with 400.
///
/// `authorization_details` additions are refused with 400: their fields can only be validated
/// against the scope's authorization details fields in an authorization request, which this
/// endpoint is not; only reductions (a subset of the current entries) are accepted.
fn apply(
    grant: &mut Grant,
    m: &GrantModification,
    catalog: &AuthorizationServerMetadata,
    client: Option<&ClientObject>,
) -> Result<(), ApiError> {
    let closing = match &m.status {
        None => false,
        Some(GrantStatus::Closed) => true,
        Some(other) => {
            return Err(bad(
                "invalid_request",
                format!(
                    "`status` may only be set to `closed` by a client (WG1-02 §8.6), not `{other}`"
                ),
            ));
        }
    };
    let already_closed = grant.status == GrantStatus::Closed;
    let needs_authorization = match &m.scope {
        Some(scope) => apply_scope(grant, scope, catalog, client, already_closed)?,
        None => false,
    };
    if let Some(details) = &m.authorization_details {
        apply_details(grant, details)?;
    }
    if closing {
        // §8.1: a Grant whose access is removed has an empty enabled scope and details (the
        // §12.18 example keeps them, but §8.2 says nothing of a closed Grant is accessible).
        grant.status = GrantStatus::Closed;
        grant.enabled_scope = String::new();
        grant.enabled_authorization_details = Vec::new();
    } else if already_closed {
        if m.scope.is_some() || m.authorization_details.is_some() {
            return Err(bad(
                "invalid_request",
                "the Grant is closed; its scope can no longer change",
            ));
        }
    } else if needs_authorization {
        grant.status = GrantStatus::NeedsAuthorization;
    } else if matches!(
        grant.status,
        GrantStatus::NeedsAuthorization | GrantStatus::Partial
    ) && fully_enabled(grant)
    {
        // A reduction down to what is already enabled leaves nothing to authorize.
        grant.status = GrantStatus::Active;
    }
    Ok(())
}

/// A new `scope`: a reduction applies, an addition needs the customer (see [`apply`]).
/// Returns whether the Grant now needs authorization.
fn apply_scope(
    grant: &mut Grant,
    scope: &str,
    catalog: &AuthorizationServerMetadata,
    client: Option<&ClientObject>,
    already_closed: bool,
) -> Result<bool, ApiError> {
    let new = tokens(scope);
    if new.is_empty() {
        return Err(bad(
            "invalid_scope",
            "`scope` must keep at least one scope; close the Grant with `status: closed` \
             to end all access",
        ));
    }
    let current = tokens(&grant.scope);
    let added: Vec<&str> = new
        .iter()
        .copied()
        .filter(|t| !current.contains(t))
        .collect();
    if !added.is_empty() {
        let authorizable = !already_closed
            && added.iter().all(|t| {
                client.is_some_and(|c| c.scopes().any(|cs| cs == *t))
                    && catalog
                        .cds_scope_descriptions
                        .get(*t)
                        .is_some_and(|d| d.needs_user_authorization())
            });
        if !authorizable {
            return Err(bad(
                "invalid_scope",
                format!(
                    "`scope` adds {}, which no customer can authorize for this Grant; only \
                     a reduction of the current scope is possible (WG1-02 §8.6)",
                    added.join(" ")
                ),
            ));
        }
    }
    // §8.6: `enabled_scope` keeps what is still both granted and requested.
    let enabled: Vec<&str> = tokens(&grant.enabled_scope)
        .into_iter()
        .filter(|t| new.contains(t))
        .collect();
    grant.enabled_scope = enabled.join(" ");
    grant.scope = new.join(" ");
    Ok(!added.is_empty())
}

/// New `authorization_details`: only a reduction (a subset of the current entries).
fn apply_details(grant: &mut Grant, details: &[Value]) -> Result<(), ApiError> {
    for (i, d) in details.iter().enumerate() {
        if d.get("type").and_then(Value::as_str).is_none() {
            return Err(bad(
                "invalid_authorization_details",
                format!("entry {i} must be an object with a string `type` (RFC 9396 §2)"),
            ));
        }
        if !grant.authorization_details.contains(d) {
            return Err(bad(
                "invalid_authorization_details",
                format!(
                    "entry {i} is not one of the Grant's current authorization_details; only \
                     a reduction (a subset of the current entries) is possible here"
                ),
            ));
        }
    }
    grant
        .enabled_authorization_details
        .retain(|e| details.contains(e));
    grant.authorization_details = details.to_vec();
    Ok(())
}

/// Whether everything the Grant lists is enabled.
fn fully_enabled(g: &Grant) -> bool {
    let scope = tokens(&g.scope);
    let enabled = tokens(&g.enabled_scope);
    !scope.is_empty()
        && scope.iter().all(|t| enabled.contains(t))
        && g.authorization_details
            .iter()
            .all(|d| g.enabled_authorization_details.contains(d))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn catalog() -> AuthorizationServerMetadata {
        let text = include_str!("../../../assets/demo/oauth-metadata.json")
            .replace("{{BASE_URL}}", "http://127.0.0.1:1");
        serde_json::from_str(&text).unwrap()
    }

    fn grant(scope: &str, enabled: &str, details: Value) -> Grant {
        serde_json::from_value(json!({
            "grant_id": "g", "uri": "http://127.0.0.1:1/api/grants/g", "replacing": [],
            "replaced_by": [], "parent": null, "children": [],
            "created": "2024-01-01T00:00:00Z", "modified": "2024-01-01T00:00:00Z",
            "not_before": null, "not_after": null, "eta": null, "expires": null,
            "status": "active", "client_id": "c", "scope": scope,
            "authorization_details": details, "receipt_confirmations": [],
            "enabled_scope": enabled, "enabled_authorization_details": details,
        }))
        .unwrap()
    }

    fn client(scope: &str) -> ClientObject {
        serde_json::from_value(json!({
            "client_id": "c", "client_id_issued_at": 0, "scope": scope, "redirect_uris": [],
            "token_endpoint_auth_method": "client_secret_basic",
            "grant_types": ["authorization_code"], "response_types": ["code"],
            "authorization_details_types": [], "cds_created": "2024-01-01T00:00:00Z",
            "cds_modified": "2024-01-01T00:00:00Z", "cds_client_uri": "http://127.0.0.1:1/c",
            "cds_status": "sandbox", "cds_status_options": ["sandbox", "disabled"],
            "cds_server_metadata": "http://127.0.0.1:1/m",
        }))
        .unwrap()
    }

    fn modification(v: Value) -> GrantModification {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn scope_reduction_addition_and_withdrawal() {
        let cat = catalog();
        let c = client("dge_usage_electric dge_bill_statements dge_rate_plan");
        let mut g = grant(
            "dge_usage_electric dge_rate_plan",
            "dge_usage_electric dge_rate_plan",
            json!([]),
        );
        apply(
            &mut g,
            &modification(json!({"scope": "dge_rate_plan"})),
            &cat,
            Some(&c),
        )
        .unwrap();
        assert_eq!(
            (g.scope.as_str(), g.enabled_scope.as_str()),
            ("dge_rate_plan", "dge_rate_plan")
        );
        assert_eq!(g.status, GrantStatus::Active);

        // An authorizable addition asks the customer again; what stays enabled is unchanged.
        let add = modification(json!({"scope": "dge_rate_plan dge_bill_statements"}));
        apply(&mut g, &add, &cat, Some(&c)).unwrap();
        assert_eq!(g.status, GrantStatus::NeedsAuthorization);
        assert_eq!(g.enabled_scope, "dge_rate_plan");
        // Withdrawing the addition leaves nothing to authorize.
        apply(
            &mut g,
            &modification(json!({"scope": "dge_rate_plan"})),
            &cat,
            Some(&c),
        )
        .unwrap();
        assert_eq!(g.status, GrantStatus::Active);

        // Not registered on the client, or not a customer scope: refused.
        let e = apply(
            &mut g.clone(),
            &modification(json!({"scope": "dge_rate_plan dge_usage_gas"})),
            &cat,
            Some(&c),
        )
        .unwrap_err();
        assert_eq!(e.error, "invalid_scope");
        let e = apply(
            &mut g.clone(),
            &modification(json!({"scope": ""})),
            &cat,
            Some(&c),
        )
        .unwrap_err();
        assert_eq!(e.error, "invalid_scope");
    }

    #[test]
    fn status_and_details() {
        let cat = catalog();
        let files = json!([{"type": "s", "file_id": "a"}, {"type": "s", "file_id": "b"}]);
        let mut g = grant(
            "cds_server_provided_files_1",
            "cds_server_provided_files_1",
            files,
        );
        for bad_status in ["active", "revoked", "bogus"] {
            let e = apply(
                &mut g.clone(),
                &modification(json!({"status": bad_status})),
                &cat,
                None,
            )
            .unwrap_err();
            assert_eq!(e.status, StatusCode::BAD_REQUEST);
        }
        let keep_b =
            modification(json!({"authorization_details": [{"type": "s", "file_id": "b"}]}));
        apply(&mut g, &keep_b, &cat, None).unwrap();
        assert_eq!(
            g.enabled_authorization_details,
            vec![json!({"type": "s", "file_id": "b"})]
        );
        let add_c = modification(json!({"authorization_details": [{"type": "s", "file_id": "c"}]}));
        assert_eq!(
            apply(&mut g.clone(), &add_c, &cat, None).unwrap_err().error,
            "invalid_authorization_details"
        );
        apply(
            &mut g,
            &modification(json!({"status": "closed", "unknown": 1})),
            &cat,
            None,
        )
        .unwrap();
        assert_eq!(g.status, GrantStatus::Closed);
        assert_eq!(
            (
                g.enabled_scope.as_str(),
                g.enabled_authorization_details.len()
            ),
            ("", 0)
        );
        // Closed stays closed: closing again is a no-op, other changes are refused.
        apply(
            &mut g,
            &modification(json!({"status": "closed"})),
            &cat,
            None,
        )
        .unwrap();
        let e = apply(
            &mut g,
            &modification(json!({"scope": "cds_server_provided_files_1"})),
            &cat,
            None,
        )
        .unwrap_err();
        assert_eq!(e.error, "invalid_request");
    }
}
