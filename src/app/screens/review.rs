//! The Review step: the registration request (CDS-WG1-02 §4.1, RFC 7591) exactly as it will be
//! sent, scrolled; exported as a curl script or an `.http` file (no secrets in either).

use super::Screen;
use crate::app::keymap::{Action, Context};
use crate::app::widgets::list::{PAGE, movement, scroll};
use crate::app::{App, Effect, Step};

#[derive(Debug, Default)]
pub struct ReviewState {
    /// First line of the request shown.
    pub scroll: u16,
}

/// The Review screen's input.
pub struct Review;

impl Screen for Review {
    fn context(&self, _app: &App) -> Context {
        Context::Review
    }

    fn update(&self, app: &mut App, action: Action) -> Vec<Effect> {
        if let Some(delta) = movement(action) {
            scroll(&mut app.review.scroll, delta);
            return Vec::new();
        }
        match action {
            Action::DetailUp => scroll(&mut app.review.scroll, -PAGE),
            Action::DetailDown => scroll(&mut app.review.scroll, PAGE),
            Action::Next | Action::Activate => return super::submit::send(app, false),
            Action::Back => app.go_to(Step::Registration),
            Action::ExportCurl | Action::ExportHttp => return export(app, action),
            _ => {}
        }
        Vec::new()
    }
}

fn export(app: &mut App, action: Action) -> Vec<Effect> {
    let Some(plan) = &app.registration.plan else {
        return Vec::new();
    };
    let profile = app.registration.profile_name();
    let body = serde_json::to_string_pretty(&plan.request).unwrap_or_default();
    let (path, contents) = if action == Action::ExportCurl {
        (
            format!("cds-registration-{profile}.sh"),
            format!(
                "#!/bin/sh\n# The registration request cds-wizard would send (CDS-WG1-02 §4.1, RFC 7591).\n\
                 # It carries no secrets: the server answers with the client secret, once.\n\
                 curl --fail-with-body -sS -X POST {} \\\n  -H 'Content-Type: application/json' \\\n  -H 'Accept: application/json' \\\n  --data-binary @- <<'JSON'\n{body}\nJSON\n",
                shell_quote(plan.endpoint.as_str())
            ),
        )
    } else {
        (
            format!("cds-registration-{profile}.http"),
            format!(
                "### The registration request cds-wizard would send (CDS-WG1-02 §4.1, RFC 7591); no secrets.\n\
                 POST {}\nContent-Type: application/json\nAccept: application/json\n\n{body}\n",
                plan.endpoint
            ),
        )
    };
    vec![Effect::Export { path, contents }]
}

/// `s` as one single-quoted shell word: the endpoint comes from the server, and a `'` in it
/// must not end the quoting of the exported script.
fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_quote_in_the_endpoint_stays_inside_one_shell_word() {
        assert_eq!(
            super::shell_quote("https://u.example/r';sh;'"),
            r"'https://u.example/r'\'';sh;'\'''"
        );
    }
}
