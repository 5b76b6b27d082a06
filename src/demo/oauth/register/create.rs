//! Creating every object of an accepted registration: the Client objects (CDS-WG1-02 §4.2,
//! §5.1), their Credentials (§7.1), the shared files (§3.3.3) and the Messages of
//! post-registration requirements (§3.6).

use jiff::Timestamp;
use serde_json::{Map, Value};

use crate::cds::auth_methods;
use crate::cds::auth_server_metadata::CLIENT_ADMIN_SCOPE;
use crate::cds::messages::{MessageRelatedType, MessageStatus, MessageType};
use crate::cds::{
    AuthorizationServerMetadata, ClientObject, ClientStatus, RegistrationField,
    RegistrationFieldFormat, RegistrationFieldType, ScopeDescription, ScopeType,
};

use crate::demo::DemoState;
use crate::demo::store::files::share_on_registration;
use crate::demo::store::objects::{
    ClientSpec, MessageSpec, build_client, build_credential, build_message, takes_secret,
};
use crate::demo::store::{Store, random_hex, random_secret};

use super::Accepted;

const AUTH_CLIENT_SECRET_BASIC: &str = auth_methods::CLIENT_SECRET_BASIC;

/// The auth method the demo configures for a scope: `client_secret_basic` where the scope
/// supports it (scopes that allow both get the confidential client), else the first listed —
/// `none` for a native-app scope that lists only `none`, which makes a public client with no
/// Credential (§4.2, read as in [`auth_methods::uses_client_secret`]) — else null.
fn chosen_auth_method(scope: &ScopeDescription) -> Option<String> {
    let methods = &scope.token_endpoint_auth_methods_supported;
    if methods.iter().any(|m| m == AUTH_CLIENT_SECRET_BASIC) {
        Some(AUTH_CLIENT_SECRET_BASIC.to_owned())
    } else {
        methods.first().cloned()
    }
}

/// Types of registration requirements that are completed after registration (§3.6).
fn is_post_registration(t: &RegistrationFieldType) -> bool {
    !matches!(
        t,
        RegistrationFieldType::RegistrationField | RegistrationFieldType::Other(_)
    )
}

/// Creates every object of one accepted registration. Returns the admin Client object, its
/// secret, and the sandbox code-flow client ids to promote when an internal review is due.
pub(super) fn create(
    s: &DemoState,
    catalog: &AuthorizationServerMetadata,
    req: &Accepted<'_>,
    store: &mut Store,
) -> (ClientObject, String, Option<Vec<String>>) {
    let base = s.base_url.as_str();
    let now = s.registry.now();
    let registration = random_hex(8);
    let new_client = |spec: ClientSpec| {
        build_client(
            base,
            now,
            req.client_name.as_deref(),
            req.contacts.as_slice(),
            spec,
        )
    };
    // §4.2: the Client Admin object, always production and never disableable (§5.1).
    let admin = new_client(ClientSpec {
        scope: vec![CLIENT_ADMIN_SCOPE.to_owned()],
        response_types: Vec::new(),
        grant_types: vec!["client_credentials".to_owned()],
        auth_method: Some(AUTH_CLIENT_SECRET_BASIC.to_owned()),
        authorization_details_types: Vec::new(),
        status: ClientStatus::Production,
        status_options: vec![ClientStatus::Production],
        extra: Map::new(),
    });
    let mut clients = vec![admin.clone()];
    for g in grant_admin_scopes(catalog, &req.scopes) {
        clients.push(new_client(grant_admin_spec(g)));
    }
    let mut sandbox_code_clients = Vec::new();
    let mut review_due = false;
    for group in scope_groups(&req.scopes) {
        let (spec, needs_review) = group_spec(catalog, req, group);
        let client = new_client(spec);
        if !client.response_types.is_empty() {
            sandbox_code_clients.push(client.clone());
            review_due |= needs_review;
        }
        clients.push(client);
    }
    let admin_secret = store_clients(base, now, &registration, &clients, &admin, store);
    // §3.3.3: the files and Grant the server shares with a Server-Provided Files client.
    share_on_registration(base, now, catalog, &registration, &clients, store);
    requirement_messages(
        base,
        now,
        catalog,
        req,
        &registration,
        &sandbox_code_clients,
        store,
    );
    let review = (review_due && !sandbox_code_clients.is_empty()).then(|| {
        sandbox_code_clients
            .iter()
            .map(|c| c.client_id.clone())
            .collect()
    });
    (admin, admin_secret, review)
}

/// §4.2: one Client object per Grant Admin scope, requested or implied by `grant_admin_scope`.
fn grant_admin_scopes<'a>(
    catalog: &'a AuthorizationServerMetadata,
    scopes: &[&'a ScopeDescription],
) -> Vec<&'a ScopeDescription> {
    let mut grant_admin: Vec<&ScopeDescription> = Vec::new();
    for scope in scopes {
        let implied = scope
            .grant_admin_scope
            .as_deref()
            .and_then(|id| catalog.cds_scope_descriptions.get(id));
        let own = (scope.scope_type == ScopeType::GrantAdmin).then_some(*scope);
        for g in [own, implied].into_iter().flatten() {
            if !grant_admin.iter().any(|x| x.id == g.id) {
                grant_admin.push(g);
            }
        }
    }
    grant_admin
}

fn grant_admin_spec(g: &ScopeDescription) -> ClientSpec {
    ClientSpec {
        scope: vec![g.id.clone()],
        response_types: g.response_types_supported.clone(),
        grant_types: g.grant_types_supported.clone(),
        auth_method: chosen_auth_method(g),
        authorization_details_types: g.authorization_details_types_supported.clone(),
        status: ClientStatus::Production,
        // §5.1 requires `disabled` for every non-admin object (the §12.5 example omits
        // it; the normative text wins).
        status_options: vec![ClientStatus::Production, ClientStatus::Disabled],
        extra: Map::new(),
    }
}

/// §4.2 MAY: the scopes other than Grant Admin ones, grouped by (response_types, grant_types,
/// auth method), in request order.
fn scope_groups<'a>(scopes: &[&'a ScopeDescription]) -> Vec<Vec<&'a ScopeDescription>> {
    type Key = (Vec<String>, Vec<String>, Option<String>);
    let mut groups: Vec<(Key, Vec<&ScopeDescription>)> = Vec::new();
    for scope in scopes
        .iter()
        .filter(|sc| sc.scope_type != ScopeType::GrantAdmin)
    {
        let key = (
            scope.response_types_supported.clone(),
            scope.grant_types_supported.clone(),
            chosen_auth_method(scope),
        );
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, members)) => members.push(scope),
            None => groups.push((key, vec![scope])),
        }
    }
    groups.into_iter().map(|(_, members)| members).collect()
}

/// The Client object of one scope group, and whether a code-flow one waits for an internal
/// review.
fn group_spec(
    catalog: &AuthorizationServerMetadata,
    req: &Accepted<'_>,
    members: Vec<&ScopeDescription>,
) -> (ClientSpec, bool) {
    let first = members[0];
    let code_flow = !first.response_types_supported.is_empty();
    let requires = |sc: &ScopeDescription, pred: &dyn Fn(&RegistrationFieldType) -> bool| {
        sc.registration_requirements.iter().any(|id| {
            catalog
                .cds_registration_fields
                .get(id)
                .is_some_and(|f| pred(&f.field_type))
        })
    };
    let post_requirements = members.iter().any(|sc| requires(sc, &is_post_registration));
    // §4.2: code-flow objects start in the sandbox; so do objects whose scopes still have
    // post-registration requirements (a careful utility's choice: production waits for them).
    let (status, status_options) = if code_flow || post_requirements {
        (
            ClientStatus::Sandbox,
            vec![ClientStatus::Sandbox, ClientStatus::Disabled],
        )
    } else {
        (
            ClientStatus::Production,
            vec![ClientStatus::Production, ClientStatus::Disabled],
        )
    };
    let mut adt = Vec::new();
    for sc in &members {
        for t in &sc.authorization_details_types_supported {
            if !adt.contains(t) {
                adt.push(t.clone());
            }
        }
    }
    let review_due = members
        .iter()
        .any(|sc| requires(sc, &|t| *t == RegistrationFieldType::InternalReview));
    let spec = ClientSpec {
        scope: members.iter().map(|sc| sc.id.clone()).collect(),
        response_types: first.response_types_supported.clone(),
        grant_types: first.grant_types_supported.clone(),
        auth_method: chosen_auth_method(first),
        authorization_details_types: adt,
        status,
        status_options,
        extra: field_values_of(catalog, req, &members),
    };
    (spec, review_due)
}

/// §5.1 MAY: the registration field values of the object's scopes. Files stay on the server
/// (listing pages would otherwise carry every uploaded image and PDF).
fn field_values_of(
    catalog: &AuthorizationServerMetadata,
    req: &Accepted<'_>,
    members: &[&ScopeDescription],
) -> Map<String, Value> {
    let mut extra = Map::new();
    for sc in members {
        for id in sc
            .registration_requirements
            .iter()
            .chain(&sc.registration_optional)
        {
            if let Some(f) = catalog.cds_registration_fields.get(id)
                && let Some(field_name) = &f.field_name
                && !f
                    .format
                    .as_ref()
                    .is_some_and(RegistrationFieldFormat::is_file)
                && let Some(v) = req.values.get(field_name)
            {
                extra.insert(field_name.clone(), v.clone());
            }
        }
    }
    extra
}

/// Stores the Client objects and, §4.2 / §7.1, a Credential for each client that
/// authenticates with a secret; returns the admin's secret, the one in the registration
/// response.
fn store_clients(
    base: &str,
    now: Timestamp,
    registration: &str,
    clients: &[ClientObject],
    admin: &ClientObject,
    store: &mut Store,
) -> String {
    let admin_secret = random_secret();
    for client in clients {
        store.add_client(registration, client.clone());
        if takes_secret(client) {
            let secret = if client.client_id == admin.client_id {
                admin_secret.clone()
            } else {
                random_secret()
            };
            store.add_credential(registration, build_credential(base, now, client, secret));
        }
    }
    admin_secret
}

/// §3.6: Messages created synchronously for post-registration requirements, each field once.
fn requirement_messages(
    base: &str,
    now: Timestamp,
    catalog: &AuthorizationServerMetadata,
    req: &Accepted<'_>,
    registration: &str,
    sandbox_code_clients: &[ClientObject],
    store: &mut Store,
) {
    let mut seen: Vec<&str> = Vec::new();
    for scope in &req.scopes {
        for id in &scope.registration_requirements {
            let Some(field) = catalog.cds_registration_fields.get(id) else {
                continue;
            };
            if !is_post_registration(&field.field_type) || seen.contains(&id.as_str()) {
                continue;
            }
            seen.push(id);
            let review_target = sandbox_code_clients
                .iter()
                .find(|c| c.scopes().any(|sc| sc == scope.id))
                .map(|c| c.cds_client_uri.to_string());
            if let Some(spec) = requirement_message(base, field, review_target) {
                store.add_message(registration, build_message(base, now, spec));
            }
        }
    }
}

/// The Message a post-registration requirement calls for (§3.6).
fn requirement_message(
    base: &str,
    field: &RegistrationField,
    review_target: Option<String>,
) -> Option<MessageSpec> {
    use RegistrationFieldType as T;
    let online = |title: &str| MessageSpec {
        message_type: MessageType::OnlineFormRequest,
        status: MessageStatus::Open,
        name: format!("{title}: {}", field.id),
        description: field.description.clone(),
        related: Some((
            // Keyed by the Message, so completing the form completes this request.
            format!("{base}/forms/online/{{message_id}}"),
            MessageRelatedType::OnlineForm,
        )),
        previous_uri: None,
        amount: None,
        currency: None,
    };
    Some(match &field.field_type {
        T::PaymentRequired => MessageSpec {
            message_type: MessageType::PaymentRequest,
            status: MessageStatus::Open,
            name: format!("Payment required: {}", field.id),
            description: field.description.clone(),
            // Not single-use (§3.6): the form page is keyed by the message, any number of visits.
            related: Some((
                format!("{base}/forms/payment/{{message_id}}"),
                MessageRelatedType::PaymentForm,
            )),
            previous_uri: None,
            amount: field.amount,
            currency: field.currency.clone(),
        },
        T::EmailVerification => online("Verify your contact email"),
        T::SsoVerification => online("Link your organization account"),
        T::OnlineForm => online("Complete an online form"),
        T::PdfForm => MessageSpec {
            message_type: MessageType::PdfFormRequest,
            status: MessageStatus::Open,
            name: format!("Complete and return a PDF form: {}", field.id),
            description: format!(
                "{} Download the form from the link, sign it, and return it at \
                 {base}/forms/return/{{message_id}}",
                field.description
            ),
            related: Some((
                format!("{base}/forms/pdf/{}.pdf", field.id),
                MessageRelatedType::PdfForm,
            )),
            previous_uri: None,
            amount: None,
            currency: None,
        },
        // Modeled on the §12.8 example: a Server-created production_request, pending while the
        // review runs, linking the sandbox Client object under review.
        T::InternalReview => MessageSpec {
            message_type: MessageType::ProductionRequest,
            status: MessageStatus::Pending,
            name: "Production access review".to_owned(),
            description: format!(
                "We have started an internal review of your registration for production access. {}",
                field.description
            ),
            related: review_target.map(|u| (u, MessageRelatedType::Client)),
            previous_uri: None,
            amount: None,
            currency: None,
        },
        _ => return None,
    })
}
