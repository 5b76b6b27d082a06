//! Registration in words (CDS-WG1-02 §4–7): the engine's steps, the outcome (clients and their
//! keyring accounts) and what remains to do from the outstanding Messages (§6): payments with
//! their amounts, forms, reviews.

use crate::onboarding::register::{RegisterOutcome, TodoItem};
use crate::profiles::model::RegistrationStep;
use crate::secret::SERVICE;
use crate::text::{sanitize, sanitize_line};

/// The note under a public client (auth method `none`) in the lists of clients.
pub const PUBLIC_CLIENT: &str =
    "      public client (auth method none): no client secret; PKCE binds each code to the app";

/// What one registration step does, as the wizard lists it while it runs.
pub fn step(step: RegistrationStep) -> &'static str {
    use RegistrationStep as S;
    match step {
        S::Registered => "Send the registration (RFC 7591)",
        S::AdminSecretStored => "Store the admin client's secret in the keyring",
        S::AdminToken => "Get a cds_client_admin token (client_credentials)",
        S::ClientsListed => "List every client (Clients API, §5.3)",
        S::CredentialsStored => "Store every client secret (Credentials API, §7)",
        S::MessagesRead => "Read what remains to do (Messages API, §6)",
    }
}

/// The cost of a to-do item, amount first: `25.00 USD` (both must be known).
pub fn todo_cost(t: &TodoItem) -> Option<String> {
    match (&t.amount, &t.currency) {
        (Some(a), Some(c)) => Some(super::scope::cost(a, c)),
        _ => None,
    }
}

/// A to-do item's headline, the same in `cds-wizard register` and the wizard: `Pay the fee —
/// 25.00 USD` (amount first, as amounts are written in prose).
pub fn todo_headline(t: &TodoItem) -> String {
    let cost = todo_cost(t).map(|c| format!(" — {c}")).unwrap_or_default();
    format!("{}{cost}", sanitize(&t.name))
}

/// A to-do item in words: its headline, and its description and link when it has them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Todo {
    pub headline: String,
    pub description: Option<String>,
    pub link: Option<String>,
}

/// `t` in the words both `cds-wizard register` and the wizard show.
pub fn todo(t: &TodoItem) -> Todo {
    Todo {
        headline: todo_headline(t),
        description: (!t.description.is_empty()).then(|| sanitize(&t.description)),
        link: t.link.as_ref().map(|l| sanitize(l.as_str())),
    }
}

/// A to-do item as `cds-wizard register` lists it: `[pending] Pay the fee — 25.00 USD`, then
/// its description and link on their own lines.
pub fn todo_lines(t: &TodoItem) -> Vec<String> {
    let Todo {
        headline,
        description,
        link,
    } = todo(t);
    let mut out = vec![format!("[{}] {headline}", sanitize(&t.status))];
    out.extend(
        description
            .into_iter()
            .chain(link)
            .map(|n| format!("    {n}")),
    );
    out
}

/// The outcome of a registration as `cds-wizard register` prints it.
pub fn outcome_lines(o: &RegisterOutcome) -> Vec<String> {
    let mut out = vec![
        format!(
            "Registered as profile `{}` (admin client {}).",
            o.profile, o.admin_client_id
        ),
        format!(
            "\nClients (secrets in the {} keyring, service `{SERVICE}`):",
            o.keyring
        ),
    ];
    for c in &o.clients {
        out.push(format!(
            "  {}  {:<10} {}",
            sanitize_line(&c.client_id, 40),
            sanitize_line(&c.status, 10),
            sanitize_line(&c.scope, 120)
        ));
        if crate::cds::auth_methods::is_public(c.token_endpoint_auth_method.as_deref()) {
            out.push(PUBLIC_CLIENT.to_owned());
        }
        for a in &c.keyring_accounts {
            out.push(format!("      keyring account {}", sanitize_line(a, 120)));
        }
    }
    if o.todo.is_empty() {
        out.push("\nNothing remains to do.".to_owned());
    } else {
        out.push("\nWhat remains to do:".to_owned());
        for t in &o.todo {
            out.extend(todo_lines(t).into_iter().map(|l| format!("  {l}")));
        }
    }
    out.push(format!(
        "\nNext: `cds-wizard authorize {}` to ask a test customer for consent.",
        o.profile
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::onboarding::register::ClientSummary;

    fn fee() -> TodoItem {
        TodoItem {
            message_type: "payment_required".into(),
            status: "pending".into(),
            name: "Pay the registration fee".into(),
            description: "Card or invoice.".into(),
            amount: Some("25.00".parse().unwrap()),
            currency: Some("USD".into()),
            link: Some("https://u.example/pay".parse().unwrap()),
            link_type: None,
        }
    }

    #[test]
    fn todo_items_show_their_amount_and_currency() {
        assert_eq!(
            todo_lines(&fee()),
            [
                "[pending] Pay the registration fee — 25.00 USD",
                "    Card or invoice.",
                "    https://u.example/pay",
            ]
        );
        assert_eq!(
            todo_headline(&fee()),
            "Pay the registration fee — 25.00 USD"
        );
        let form = TodoItem {
            message_type: "form_required".into(),
            name: "Fill in the W-9".into(),
            description: String::new(),
            amount: None,
            currency: None,
            link: None,
            ..fee()
        };
        assert_eq!(todo_lines(&form), ["[pending] Fill in the W-9"]);
        assert_eq!(todo_cost(&form), None);
    }

    #[test]
    fn an_outcome_lists_clients_accounts_and_what_remains() {
        let o = RegisterOutcome {
            profile: "demo".into(),
            keyring: "keyutils".into(),
            admin_client_id: "adm".into(),
            clients: vec![ClientSummary {
                client_id: "adm".into(),
                scope: "cds_client_admin".into(),
                status: "sandbox".into(),
                token_endpoint_auth_method: None,
                keyring_accounts: vec!["demo/adm/client_secret".into()],
            }],
            todo: vec![fee()],
        };
        assert_eq!(
            outcome_lines(&o).join("\n"),
            "Registered as profile `demo` (admin client adm).\n\
             \nClients (secrets in the keyutils keyring, service `cds-wizard`):\n\
             \x20 adm  sandbox    cds_client_admin\n\
             \x20     keyring account demo/adm/client_secret\n\
             \nWhat remains to do:\n\
             \x20 [pending] Pay the registration fee — 25.00 USD\n\
             \x20     Card or invoice.\n\
             \x20     https://u.example/pay\n\
             \nNext: `cds-wizard authorize demo` to ask a test customer for consent."
        );
        assert_eq!(
            step(RegistrationStep::Registered),
            "Send the registration (RFC 7591)"
        );
    }
}
