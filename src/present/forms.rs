//! The console's forms in words (CDS-WG1-02 §5.5 modify a client, §6.9 send or answer a
//! Message, §7.5 create a credential, §8.6 reduce a grant): titles, field labels and help,
//! why a form cannot be sent yet, and the confirmation questions. Server text is sanitized here.

use crate::text::{sanitize, sanitize_line};

pub const SEND_TITLE: &str = "Send a message to the utility";
pub const ANSWER_TITLE: &str = "Answer the server_request";
pub const MODIFY_TITLE: &str = "Modify the client";
pub const REDUCE_TITLE: &str = "Reduce the grant";

pub const SEND_HEADING: &str =
    "The fields follow the type; what the utility answers shows in this list.";
pub const TYPE: &str = "Type";
pub const TYPE_HELP: &str = "←/→ chooses: support_request (a question), private_message, \
                             production_request (production access for a sandbox client), \
                             grant_request (Grants for your client) — WG1-02 §6.9.";
pub const CLIENT: &str = "Client";
pub const CLIENT_HELP_PRODUCTION: &str =
    "←/→ chooses the sandbox client whose production copy you ask for.";
pub const CLIENT_HELP_GRANT: &str = "←/→ chooses the client the Grants are for.";
pub const SCOPES: &str = "Scopes";
pub const SCOPES_HELP: &str =
    "The scope ids you ask Grants for, separated by spaces (one Grant request each, §6.6).";
pub const SUBJECT: &str = "Subject";
pub const SUBJECT_HELP: &str = "One line the utility's staff read first.";
pub const SUBJECT_OPTIONAL: &str = "Optional: a default subject is sent when left empty.";
pub const BODY: &str = "Body";
pub const BODY_HELP: &str = "What you ask or tell the utility.";

pub const NAME: &str = "client_name";
pub const NAME_HELP: &str = "The name customers see when they authorize. Empty removes it.";
pub const CONTACTS: &str = "contacts";
pub const CONTACTS_HELP: &str = "E-mail addresses, separated by commas.";
pub const REDIRECTS: &str = "redirect_uris";
pub const REDIRECTS_HELP: &str = "Where the customer's browser returns, separated by spaces.";
pub const OTHER: &str = "other field";
pub const OTHER_HELP: &str = "Any other field as field=value (the value as JSON when it is \
                              JSON, else text; null resets it to the server's default).";

pub const SCOPE_KEEP: &str = "scope";
pub const SCOPE_KEEP_HELP: &str = "The scopes to keep, separated by spaces: remove the ones \
                                   the app no longer needs. Adding needs the customer (§8.3).";
pub const DETAILS_KEEP: &str = "details";
pub const DETAILS_KEEP_HELP: &str =
    "←/→ moves, Space keeps or drops an authorization details entry.";

/// A heading naming the message a submission answers.
pub fn answering(name: &str) -> String {
    format!("Answering: {}", sanitize_line(name, 60))
}

/// The heading of the client being modified.
pub fn modifying(client_id: &str, name: Option<&str>) -> String {
    match name {
        Some(n) => format!("Client {} ({})", sanitize(client_id), sanitize_line(n, 40)),
        None => format!("Client {}", sanitize(client_id)),
    }
}

/// The heading of the grant being reduced.
pub fn reducing(grant_id: &str) -> String {
    format!("Grant {}", sanitize(grant_id))
}

/// A client to choose: its id, and its name when it has one.
pub fn client_option(c: &crate::cds::ClientObject) -> String {
    match c.client_name.as_deref().filter(|n| !n.trim().is_empty()) {
        Some(n) => format!(
            "{} ({}, {})",
            sanitize(&c.client_id),
            sanitize_line(n, 30),
            sanitize(c.cds_status.as_str())
        ),
        None => format!(
            "{} ({})",
            sanitize(&c.client_id),
            sanitize(c.cds_status.as_str())
        ),
    }
}

/// A client the profile knows but the Clients tab has not loaded yet.
pub fn known_client_option(client_id: &str, status: &str, scope: &str) -> String {
    format!(
        "{} ({}, {})",
        sanitize(client_id),
        sanitize(status),
        sanitize_line(scope, 40)
    )
}

/// One authorization details entry as an option to keep.
pub fn detail_option(d: &serde_json::Value) -> String {
    sanitize_line(&d.to_string(), 60)
}

/// A field a server_request asks for, and what it says about it.
pub fn asked_help(field: &str, what: Option<&str>) -> String {
    match what {
        Some(w) if !w.trim().is_empty() => sanitize(w),
        _ => format!("The utility asks for `{}`.", sanitize(field)),
    }
}

pub const NOT_IN_KEYRING: &str = "The keyring holds no secret of this credential: only the \
                                  one the profile uses (marked `in the keyring`) is there.";
pub const SENDING: &str = "Sending…";
pub const NOT_AN_ANSWERABLE: &str = "Only a server_request can be answered (with a \
                                     client_submission, WG1-02 §6.9); s sends a new message.";
pub const NO_SANDBOX: &str = "No sandbox client is loaded: a production_request names one.";
pub const NO_CLIENT: &str = "No client is loaded yet: a grant_request names one.";
pub const NEEDS_SUBJECT_AND_BODY: &str = "Give a subject and a body.";
pub const NEEDS_SCOPE: &str = "Name at least one scope.";
pub const NEEDS_ANSWER: &str = "Answer at least one of the fields asked for.";
pub const NOTHING_ASKED: &str =
    "The server_request asks for no field: there is nothing to answer with.";
pub const NOTHING_CHANGED: &str = "Nothing changed: edit a field first.";
pub const NOT_ASSIGNMENT: &str = "Write the other field as field=value.";
pub const NOTHING_REDUCED: &str =
    "Nothing is reduced: remove a scope or drop an authorization details entry.";
pub const NO_DETAIL_LEFT: &str =
    "Keep at least one authorization details entry; to end all access, close the grant.";
pub const NO_GRANT_TO_REDUCE: &str = "Only an active or pending grant can be reduced.";

/// Why a field cannot be changed (the engine's table of §5.5 immutable fields).
pub fn immutable(field: &str, why: &str) -> String {
    format!(
        "`{}` cannot be changed by a client (WG1-02 §5.5): {why}",
        sanitize(field)
    )
}

/// A secret revealed on request (until the next key).
pub fn revealed(account: &str, secret: &str) -> String {
    format!("Secret in {}: {}", sanitize(account), sanitize(secret))
}

/// The confirmation before a new credential.
pub fn confirm_create(client_id: &str, profile: &str) -> String {
    format!(
        "Create a new credential for client {}? Its secret goes to the keyring of profile \
         {} (proven with a token request) in place of the stored one; the old credential stays \
         valid until you expire it.",
        sanitize(client_id),
        sanitize(profile)
    )
}

/// The confirmation before a grant is reduced.
pub fn confirm_reduce(
    grant_id: &str,
    scope: Option<&str>,
    details: Option<(usize, usize)>,
) -> String {
    let mut what = Vec::new();
    if let Some(s) = scope {
        what.push(format!("scope `{}`", sanitize(s)));
    }
    if let Some((kept, of)) = details {
        what.push(format!(
            "{kept} of its {of} authorization details entr{}",
            if of == 1 { "y" } else { "ies" }
        ));
    }
    format!(
        "Reduce Grant {} to {}? What is removed comes back only with the customer's new \
         authorization.",
        sanitize(grant_id),
        what.join(" and ")
    )
}
