//! The operations console in words (CDS-WG1-02 §5–§9): rows and details of Client objects,
//! Credentials, Messages and their threads, Grants and shared files, the outcomes of changes,
//! and the one-screen status. Shared by the headless commands and the wizard's console tabs.
//! Every server string is sanitized here.

use jiff::Timestamp;

use crate::cds::messages::MessageStatus;
use crate::cds::{ClientObject, Grant, Message};
use crate::onboarding::manage::clients::ClientChange;
use crate::onboarding::manage::credentials::{CredentialState, Rotation};
use crate::onboarding::manage::files::{Downloaded, SharedFile};
use crate::onboarding::manage::grants::GrantChange;
use crate::onboarding::manage::messages::Thread;
use crate::onboarding::manage::status::{Attention, StatusSummary};
use crate::text::{sanitize, sanitize_line};

use super::plural;
use super::time::in_zone;

/// A time in the utility's zone.
fn at(t: Timestamp, tz: Option<&str>) -> String {
    in_zone(t, tz)
}

/// `client_secret_expires_at` in words (0 or absent: never, RFC 7591 §3.2.1).
pub fn expiry(expires_at: Option<i64>, tz: Option<&str>) -> String {
    match expires_at
        .filter(|t| *t != 0)
        .and_then(|t| Timestamp::from_second(t).ok())
    {
        Some(t) => at(t, tz),
        None => "never".to_owned(),
    }
}

// ---- Clients (§5) ----

/// Column heads of the clients list.
pub const CLIENT_HEAD: &str = "CLIENT ID         STATUS      NAME                      SCOPE";

/// One Client object as a list row.
pub fn client_row(c: &ClientObject) -> String {
    format!(
        "{:<17} {:<11} {:<25} {}",
        sanitize_line(&c.client_id, 17),
        sanitize_line(c.cds_status.as_str(), 11),
        sanitize_line(c.display_name(), 25),
        sanitize_line(&c.scope, 80)
    )
}

/// A Client object in full: identity, status, what it may do, and where it is managed.
pub fn client_detail(c: &ClientObject, tz: Option<&str>) -> Vec<String> {
    let list = |v: &[String]| {
        if v.is_empty() {
            "—".to_owned()
        } else {
            sanitize(&v.join(", "))
        }
    };
    let options: Vec<String> = c
        .cds_status_options
        .iter()
        .map(|s| s.as_str().to_owned())
        .collect();
    let mut out = vec![
        format!("Client {}", sanitize(&c.client_id)),
        format!("  name           {}", sanitize(c.display_name())),
        format!(
            "  status         {} (may become: {})",
            sanitize(c.cds_status.as_str()),
            list(&options)
        ),
        format!("  scope          {}", sanitize(&c.scope)),
        format!("  grant types    {}", list(&c.grant_types)),
        format!("  response types {}", list(&c.response_types)),
        format!(
            "  auth method    {}",
            super::profile::auth_method(c.token_endpoint_auth_method.as_deref())
        ),
        format!("  redirect URIs  {}", list(&c.redirect_uris)),
        format!("  contacts       {}", list(&c.contacts)),
        format!("  created        {}", at(c.cds_created, tz)),
        format!("  modified       {}", at(c.cds_modified, tz)),
        format!("  managed at     {}", sanitize(c.cds_client_uri.as_str())),
    ];
    for (k, v) in &c.extra {
        out.push(format!(
            "  {:<14} {}",
            sanitize_line(k, 14),
            sanitize_line(&v.to_string(), 100)
        ));
    }
    out
}

/// What a Client modification did (§5.5).
pub fn client_change(change: &ClientChange, tz: Option<&str>) -> Vec<String> {
    match change {
        ClientChange::Applied { client } => vec![format!(
            "Client {} updated (applied at once).",
            sanitize(&client.client_id)
        )],
        ClientChange::UnderReview { client, review } => {
            let mut out = vec![format!(
                "Client {}: the change is under review by the utility (202 Accepted); fields \
                 not yet approved keep their old values.",
                sanitize(&client.client_id)
            )];
            match review {
                Some(m) => {
                    out.push(format!(
                        "  Tracked by message {} [{}] {}",
                        sanitize(&m.message_id),
                        sanitize(m.status.as_str()),
                        sanitize_line(&m.name, 80)
                    ));
                    for u in m.updates_requested.iter().flatten() {
                        out.push(format!(
                            "    {}: {} → {}",
                            sanitize_line(&u.field, 40),
                            sanitize_line(&json_or_dash(u.previous_value.as_ref()), 60),
                            sanitize_line(&json_or_dash(u.new_value.as_ref()), 60)
                        ));
                    }
                    out.push(format!("  Sent {}", at(m.created, tz)));
                }
                None => out.push("  (no field_changes message was found yet)".to_owned()),
            }
            out
        }
    }
}

fn json_or_dash(v: Option<&serde_json::Value>) -> String {
    match v {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(v) => v.to_string(),
        None => "—".to_owned(),
    }
}

// ---- Credentials (§7) ----

pub const CREDENTIAL_HEAD: &str =
    "CREDENTIAL ID     CLIENT ID         EXPIRES                   NOTE";

/// One Credential as a list row (never its secret).
pub fn credential_row(c: &CredentialState, tz: Option<&str>) -> String {
    let note = match (c.expired, c.in_keyring) {
        (true, true) => "EXPIRED — the keyring holds this one: rotate",
        (true, false) => "expired",
        (false, true) => "in the keyring (current)",
        (false, false) => "",
    };
    format!(
        "{:<17} {:<17} {:<25} {note}",
        sanitize_line(&c.credential.credential_id, 17),
        sanitize_line(&c.credential.client_id, 17),
        expiry(c.credential.client_secret_expires_at, tz)
    )
}

/// A Credential in full (never its secret).
pub fn credential_detail(c: &CredentialState, tz: Option<&str>) -> Vec<String> {
    let k = &c.credential;
    vec![
        format!("Credential {}", sanitize(&k.credential_id)),
        format!("  client     {}", sanitize(&k.client_id)),
        format!("  type       {}", sanitize(k.credential_type.as_str())),
        format!("  created    {}", at(k.created, tz)),
        format!("  modified   {}", at(k.modified, tz)),
        format!(
            "  expires    {}{}",
            expiry(k.client_secret_expires_at, tz),
            if c.expired { " (expired)" } else { "" }
        ),
        format!(
            "  keyring    {}",
            if c.in_keyring {
                "this secret is the one the profile uses"
            } else {
                "not the profile's secret"
            }
        ),
    ]
}

/// What a creation or rotation did.
pub fn rotation(r: &Rotation, rotated: bool) -> Vec<String> {
    let mut out = vec![format!(
        "New credential {} for client {}: its secret is in the keyring ({}), proven at the \
         token endpoint ({}).",
        sanitize(&r.credential.credential_id),
        sanitize(&r.client_id),
        sanitize(&r.account),
        r.proven_by
    )];
    if rotated {
        if r.expired.is_empty() {
            out.push("No old credential needed expiring.".to_owned());
        } else {
            out.push(format!(
                "Expired the old credential{}: {}",
                plural(r.expired.len()),
                sanitize(&r.expired.join(", "))
            ));
        }
    }
    if !r.still_active.is_empty() {
        out.push(format!(
            "Still active (not the profile's): {}",
            sanitize(&r.still_active.join(", "))
        ));
    }
    if let Some(w) = &r.warning {
        out.push(format!("Note: {}", sanitize(w)));
    }
    out
}

// ---- Messages (§6) ----

pub const MESSAGE_HEAD: &str = "MESSAGE ID        TYPE                 STATUS    NAME";

fn amount(m: &Message) -> String {
    match (&m.amount, &m.currency) {
        (Some(a), Some(c)) => format!(" — {}", super::scope::cost(a, c)),
        _ => String::new(),
    }
}

/// One Message as a list row: `id type status name — 250.00 USD` (unread marked `*`).
pub fn message_row(m: &Message) -> String {
    format!(
        "{:<17} {:<20} {:<9} {}{}{}",
        sanitize_line(&m.message_id, 17),
        sanitize_line(m.message_type.as_str(), 20),
        sanitize_line(m.status.as_str(), 9),
        if m.read { "" } else { "* " },
        sanitize_line(&m.name, 70),
        amount(m)
    )
}

/// A Message in full.
pub fn message_detail(m: &Message, tz: Option<&str>) -> Vec<String> {
    let mut out = vec![
        format!("Message {}", sanitize(&m.message_id)),
        format!("  type      {}", sanitize(m.message_type.as_str())),
        format!("  status    {}", sanitize(m.status.as_str())),
        format!(
            "  from      {}",
            m.creator.as_deref().map_or_else(
                || "the utility".to_owned(),
                |c| format!("client {}", sanitize(c))
            )
        ),
        format!("  created   {}", at(m.created, tz)),
        format!("  read      {}", if m.read { "yes" } else { "no" }),
        format!("  subject   {}{}", sanitize(&m.name), amount(m)),
    ];
    if !m.description.is_empty() {
        out.push(format!("  body      {}", sanitize(&m.description)));
    }
    if let Some(u) = &m.related_uri {
        let kind = m
            .related_type
            .as_ref()
            .map(|t| t.as_str())
            .unwrap_or("link");
        out.push(format!(
            "  link      {} ({})",
            sanitize(u.as_str()),
            sanitize(kind)
        ));
    }
    if let Some(p) = &m.previous_uri {
        out.push(format!("  answers   {}", sanitize(p.as_str())));
    }
    for u in m.updates_requested.iter().flatten() {
        let what = u.description.as_deref().or(u.name.as_deref()).unwrap_or("");
        out.push(format!(
            "  field     {}: {}",
            sanitize_line(&u.field, 40),
            sanitize_line(what, 100)
        ));
    }
    for g in m.grants_requested.iter().flatten() {
        out.push(format!(
            "  grant     scope {}",
            sanitize_line(&g.scope, 100)
        ));
    }
    for a in m.attachments.iter().flatten() {
        out.push(format!(
            "  attached  {} ({})",
            sanitize_line(&a.filename, 60),
            sanitize_line(&a.mime_type, 40)
        ));
    }
    out
}

/// A thread: the request with its status now (§6.2), then each reply indented.
pub fn thread(t: &Thread, tz: Option<&str>) -> Vec<String> {
    let overridden = t.status != t.root.status;
    let mut out = vec![format!(
        "{} [{}{}] {}{}",
        sanitize_line(t.root.message_type.as_str(), 20),
        sanitize(t.status.as_str()),
        if overridden { " by update" } else { "" },
        sanitize_line(&t.root.name, 70),
        amount(&t.root)
    )];
    out.push(format!(
        "    {}  {}",
        sanitize(&t.root.message_id),
        at(t.root.created, tz)
    ));
    for r in &t.replies {
        out.push(format!(
            "  ↳ {} [{}] {} ({})",
            sanitize_line(r.message_type.as_str(), 20),
            sanitize(r.status.as_str()),
            sanitize_line(&r.name, 60),
            at(r.created, tz)
        ));
    }
    out
}

/// A sent Message, in one line.
pub fn sent(m: &Message) -> String {
    format!(
        "Sent {} {} [{}]{}",
        sanitize(m.message_type.as_str()),
        sanitize(&m.message_id),
        sanitize(m.status.as_str()),
        if m.status == MessageStatus::Pending {
            ": the utility will answer with a request_update"
        } else {
            ""
        }
    )
}

// ---- Grants (§8) ----

pub const GRANT_HEAD: &str = "GRANT ID          STATUS               CLIENT ID         SCOPE";

pub fn grant_row(g: &Grant) -> String {
    format!(
        "{:<17} {:<20} {:<17} {}",
        sanitize_line(&g.grant_id, 17),
        sanitize_line(g.status.as_str(), 20),
        sanitize_line(&g.client_id, 17),
        sanitize_line(&g.scope, 80)
    )
}

pub fn grant_detail(g: &Grant, tz: Option<&str>) -> Vec<String> {
    let opt = |t: Option<Timestamp>| t.map_or_else(|| "—".to_owned(), |t| at(t, tz));
    let mut out = vec![
        format!("Grant {}", sanitize(&g.grant_id)),
        format!("  status          {}", sanitize(g.status.as_str())),
        format!("  client          {}", sanitize(&g.client_id)),
        format!("  scope           {}", sanitize(&g.scope)),
        format!("  enabled scope   {}", sanitize(&g.enabled_scope)),
        format!("  created         {}", at(g.created, tz)),
        format!("  modified        {}", at(g.modified, tz)),
        format!("  expires         {}", opt(g.expires)),
        format!("  eta             {}", opt(g.eta)),
    ];
    for d in &g.authorization_details {
        let enabled = g.enabled_authorization_details.contains(d);
        out.push(format!(
            "  detail          {}{}",
            sanitize_line(&d.to_string(), 100),
            if enabled { "" } else { " (not enabled)" }
        ));
    }
    if !g.receipt_confirmations.is_empty() {
        out.push(format!(
            "  receipts        {}",
            sanitize(&g.receipt_confirmations.join(", "))
        ));
    }
    out
}

pub fn grant_change(c: &GrantChange) -> Vec<String> {
    match c {
        GrantChange::Applied { grant } => vec![format!(
            "Grant {} is now {} (scope: {}).",
            sanitize(&grant.grant_id),
            sanitize(grant.status.as_str()),
            sanitize(&grant.scope)
        )],
        GrantChange::Pending { grant } => vec![
            format!(
                "Grant {}: the change is pending the utility's review (202 Accepted).",
                sanitize(&grant.grant_id)
            ),
            format!(
                "  Enabled meanwhile: scope `{}`, {} authorization detail{}.",
                sanitize(&grant.enabled_scope),
                grant.enabled_authorization_details.len(),
                plural(grant.enabled_authorization_details.len())
            ),
        ],
    }
}

// ---- Server-Provided Files (§9) ----

pub const FILE_HEAD: &str = "FILE ID           SIZE        TYPE                      NAME";

pub fn file_row(f: &SharedFile) -> String {
    format!(
        "{:<17} {:>10}  {:<25} {}",
        sanitize_line(&f.file.file_id, 17),
        f.file.size,
        sanitize_line(&f.file.mime_type, 25),
        sanitize_line(&f.file.name, 60)
    )
}

pub fn file_detail(f: &SharedFile, tz: Option<&str>) -> Vec<String> {
    vec![
        format!("File {}", sanitize(&f.file.file_id)),
        format!("  name        {}", sanitize(&f.file.name)),
        format!("  type        {}", sanitize(&f.file.mime_type)),
        format!("  size        {} bytes", f.file.size),
        format!("  description {}", sanitize(&f.file.description)),
        format!("  modified    {}", at(f.file.modified, tz)),
        format!("  shared by   Grant {}", sanitize(&f.grant_id)),
    ]
}

pub fn downloaded(d: &Downloaded) -> String {
    format!(
        "Saved {} ({} bytes) to {}",
        sanitize(&d.file_id),
        d.bytes,
        sanitize(&d.path.display().to_string())
    )
}

// ---- Status ----

/// One attention item in words.
pub fn attention(a: &Attention, tz: Option<&str>) -> String {
    match a {
        Attention::OpenRequest { message_id, name } => format!(
            "Waiting on you: {} (message {})",
            sanitize_line(name, 80),
            sanitize(message_id)
        ),
        Attention::ErroredRequest { message_id, name } => format!(
            "The utility reports an error: {} (message {}); consider a support_request",
            sanitize_line(name, 80),
            sanitize(message_id)
        ),
        Attention::UnreadMessages { count } => {
            format!("{count} unread message{}", plural(*count))
        }
        Attention::SecretExpiring {
            client_id,
            credential_id,
            at: t,
            expired,
        } => format!(
            "The secret of client {} (credential {}) {} {}: rotate it",
            sanitize(client_id),
            sanitize(credential_id),
            if *expired { "expired" } else { "expires" },
            at(*t, tz)
        ),
        Attention::SecretMissing { client_id } => format!(
            "The keyring has no secret for client {} although the profile records one",
            sanitize(client_id)
        ),
        Attention::GrantNeedsAuthorization {
            grant_id,
            client_id,
        } => format!(
            "Grant {} (client {}) needs the customer's authorization again",
            sanitize(grant_id),
            sanitize(client_id)
        ),
        Attention::ClientDisabled { client_id } => {
            format!("Client {} is disabled", sanitize(client_id))
        }
    }
}

/// The one-screen summary of `cds-wizard status`.
pub fn status(s: &StatusSummary, tz: Option<&str>) -> Vec<String> {
    let mut out = vec![format!("Profile {}", sanitize(&s.profile)), String::new()];
    out.push("Clients".to_owned());
    if s.clients.is_empty() {
        out.push("  none listed".to_owned());
    }
    for (status, list) in &s.clients {
        out.push(format!("  {} {}", list.len(), sanitize(status)));
        for c in list {
            out.push(format!(
                "    {} {} — {}",
                sanitize_line(&c.client_id, 17),
                sanitize_line(&c.name, 30),
                sanitize_line(&c.scope, 60)
            ));
        }
    }
    out.push(String::new());
    requests(s, &mut out);
    out.push(String::new());
    let by: Vec<String> = s
        .grants
        .iter()
        .map(|(k, n)| format!("{n} {}", sanitize(k)))
        .collect();
    out.push(format!(
        "Grants: {} active{}",
        s.active_grants,
        if by.is_empty() {
            String::new()
        } else {
            format!(" ({})", by.join(", "))
        }
    ));
    out.push(String::new());
    out.push("Credential expiries".to_owned());
    for e in &s.expiries {
        out.push(format!(
            "  {} client {}: {}{}{}",
            sanitize_line(&e.credential_id, 17),
            sanitize_line(&e.client_id, 17),
            e.expires_at
                .map_or_else(|| "never".to_owned(), |t| at(t, tz)),
            if e.expired { " (expired)" } else { "" },
            if e.in_keyring {
                " — in the keyring"
            } else {
                ""
            }
        ));
    }
    out.push(String::new());
    if s.attention.is_empty() {
        out.push("Nothing needs your attention.".to_owned());
    } else {
        out.push("Needs your attention".to_owned());
        for a in &s.attention {
            out.push(format!("  ! {}", attention(a, tz)));
        }
    }
    for (part, why) in &s.unavailable {
        out.push(format!(
            "  (could not read {part}: {})",
            sanitize_line(why, 200)
        ));
    }
    out
}

/// The outstanding requests part of [`status`].
fn requests(s: &StatusSummary, out: &mut Vec<String>) {
    out.push(format!(
        "Outstanding requests: {}  (unread messages: {})",
        s.outstanding.len(),
        s.unread
    ));
    for r in &s.outstanding {
        let cost = match (&r.amount, &r.currency) {
            (Some(a), Some(c)) => format!(" — {}", super::scope::cost(a, c)),
            _ => String::new(),
        };
        out.push(format!(
            "  [{}] {}{} ({})",
            sanitize(r.status.as_str()),
            sanitize_line(&r.name, 70),
            cost,
            sanitize(&r.message_id)
        ));
        if let Some(l) = &r.link {
            out.push(format!("      {}", sanitize(l.as_str())));
        }
    }
}
