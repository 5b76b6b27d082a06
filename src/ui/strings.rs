//! Every sentence the wizard shows, in one place so the wording stays consistent.

use crate::app::Step;
use crate::app::widgets::confirm::Question;

pub const APP_NAME: &str = "cds-wizard";

pub fn step_name(step: Step) -> &'static str {
    match step {
        Step::Home => "Start",
        Step::Discover => "Discovery",
        Step::Scopes => "Scopes",
        Step::Modifiers => "Modifiers",
        Step::Registration => "Registration",
        Step::Review => "Review",
        Step::Submit => "Submit",
        Step::Authorize => "Authorize",
        Step::Done => "Done",
        Step::Console => "Console",
        Step::Catalog => "Catalog",
    }
}

pub const DISCOVERING: &str = "Discovering";
pub const DISCOVERY_FAILED: &str = "Discovery failed";
pub const RETRY_HINT: &str = "Press r to try again, or q to quit.";
pub const NO_FETCHES_YET: &str = "Starting…";
pub const FETCH_FAILED: &str = "failed";

pub const TAB_UTILITY: &str = "Utility";
pub const TAB_COVERAGE: &str = "Coverage";
pub const TAB_FINDINGS: &str = "Findings";
pub const NO_COVERAGE: &str = "This utility publishes no coverage listing.";
pub const FILTER_ALL: &str = "showing all";
pub const FILTER_WARNINGS: &str = "warnings and errors";
pub const FILTER_ERRORS: &str = "errors only";
pub const NO_FINDINGS: &str = "No findings at this severity.";
pub const COVERAGE_INCOMPLETE: &str = "incomplete: a page failed or a limit stopped the walk";

pub const LABEL_METADATA: &str = "metadata";
pub const LABEL_DRAFT: &str = "specification";
pub const LABEL_CAPABILITIES: &str = "capabilities";
pub const LABEL_RELATED: &str = "Related entities";
pub const LABEL_TIMEZONE: &str = "time zone";
pub const UNNAMED: &str = "(unnamed)";
pub const NONE: &str = "none";
pub const UNREACHABLE: &str = "unreachable";

pub const SCOPES_TITLE: &str = "Scopes";
pub const SEARCH_PROMPT: &str = "/";
pub const NO_MATCH: &str = "No scope matches the search.";
pub const LOCKED_SUFFIX: &str = "always";
pub const DETAIL_TITLE: &str = "Details";
pub const NO_SCOPE: &str = "No scope selected.";

/// The title of a yes/no dialog.
pub fn confirm_title(q: Question) -> &'static str {
    match q {
        Question::Quit => "Quit?",
        Question::Console => "Sure?",
    }
}

/// A yes/no question; quitting says what is kept.
pub fn confirm_question(app: &crate::app::App, q: Question) -> String {
    match q {
        Question::Quit => confirm_quit(app),
        Question::Console => crate::ui::screens::console::question(app),
    }
}

fn confirm_quit(app: &crate::app::App) -> String {
    if app.registered() {
        format!(
            "Quit the wizard? The registration is kept as profile `{}`; continue with \
             `cds-wizard authorize {}`.",
            app.submit.profile, app.submit.profile
        )
    } else if app.step == crate::app::Step::Home {
        "Quit the wizard?".to_owned()
    } else {
        "Quit the wizard? Nothing has been registered yet; what you entered is lost.".to_owned()
    }
}
pub const HELP_TITLE: &str = "Keys";

pub fn notice(n: &crate::app::Notice) -> String {
    use crate::app::Notice;
    match n {
        Notice::ScopeLocked => {
            "cds_client_admin is always included: every registration asks for it (CDS-WG1-02 §4.1)."
                .into()
        }
        Notice::NoCatalogYet => "Wait for discovery to finish first.".into(),
        Notice::NoOAuth => {
            "This utility offers no OAuth authorization server, so there is nothing to register."
                .into()
        }
        Notice::FixFirst(n) => format!(
            "{n} problem{} to solve first (marked ✗ on the form).",
            if *n == 1 { "" } else { "s" }
        ),
        Notice::NotNullable => "This field cannot be null (its format has no `_or_null`).".into(),
        Notice::Registered => {
            "The registration was sent; earlier steps can no longer change it.".into()
        }
        Notice::Info(s) | Notice::Warn(s) => s.clone(),
    }
}

pub const MODIFIERS_TITLE: &str = "Modifiers";
pub const NO_MODIFIERS: &str = "None of the selected scopes has modifiers a customer approves \
     (authorization details fields, CDS-WG1-02 §3.8).";

/// Scopes whose modifiers are sent with each token request instead.
pub fn per_request(scopes: &[String]) -> String {
    format!(
        "{}: modifiers go with each token request (client_credentials), not here.",
        scopes.join(", ")
    )
}
pub const NO_MODIFIERS_NEXT: &str = "Press Tab to go on to the registration fields.";
pub const FIELD_TITLE: &str = " Field ";
pub const PREVIEW_TITLE: &str = " authorization_details (RFC 9396) to request ";
pub const REGISTRATION_TITLE: &str = "Registration";
pub const AFTER_TITLE: &str = " After registration ";
pub const NOTHING_AFTER: &str = "Nothing to do after registration for these scopes.";
pub const REVIEW_TITLE: &str = " Review: the registration request (RFC 7591, CDS-WG1-02 §4.1) ";
pub const NO_PLAN: &str = "Solve the problems on the Registration step first.";
pub const REVIEW_EXPORT: &str =
    "c writes it as a curl script, h as a .http file (no secrets in either) · Enter sends it";
pub const SUBMIT_TITLE: &str = " Submit ";
pub const RESUME_HINT: &str =
    "The admin client's secret is safe in the keyring: press r to resume from the last step.";
pub const RETRY_SUBMIT_HINT: &str =
    "Nothing was stored: press r to send the registration again, or Shift-Tab to change it.";
pub const REGISTERED: &str = "✓ Registered. Clients:";
pub const TODO_TITLE: &str = "Still to do before production access:";
pub const AUTHORIZE_NEXT: &str = "Press Enter to have a customer authorize a client.";
pub const AUTHORIZE_TITLE: &str = "Authorize";
pub const CHOOSE_CLIENT: &str =
    "Choose the client a customer authorizes (authorization code with PKCE S256):";
pub const NO_CODE_CLIENT: &str =
    "This profile has no client with the `code` response type; press Tab for the summary.";
pub const LISTENER_FIRST: &str = "Enter binds a one-use listener on 127.0.0.1 (random port), then shows the address for the customer.";
pub const AUTHORIZE_AGAIN: &str = "Press Enter to try again.";
pub const PREPARING: &str =
    "Binding the loopback listener, adding its redirect to the client, pushing the request…";
pub const COMPLETING: &str =
    "Checking state and iss, exchanging the code, storing the tokens, reading the Grant…";
pub const SEND_CUSTOMER: &str = "Send the customer to this address:";
pub const WAITING_ON: &str = "Waiting for the callback on";
pub const PASTE_NEEDED: &str = "The browser ends on the server's receipt page: paste that address";
pub const PUSHED: &str =
    "The request was pushed first (RFC 9126): the address carries only a request_uri.";
pub const PASTE_PROMPT: &str = "Paste the address the browser ended on, then Enter:";
pub const PASTE_HINT: &str = "If the callback cannot reach this machine, press p and paste the address the browser ended on.";
pub const QR_TOO_SMALL: &str = "(Enlarge the window to see a QR code of the address.)";
pub const GRANTED_AS_ASKED: &str = "✓ Granted as asked.";
pub const DIFFERENCES: &str = "Granted compared with asked:";
pub const GRANTED_DETAILS: &str = "Granted authorization_details:";
pub const TO_SUMMARY: &str = "Press Tab for the summary.";
pub const DONE_TITLE: &str = " Done ";
pub const NO_PROFILE: &str = "Nothing was registered.";
pub const ACCOUNTS: &str = "Stored in the keyring (account names; v reveals the selected secret):";
pub const NEXT_TIME: &str = "Next time:";
pub const HOME_TITLE: &str = " Onboard an app to a utility (LF Energy CDS) ";
pub const HOME_INTRO: &str =
    "Type a utility's address, start the built-in demo utility, or open a stored profile.";
pub const URL_PLACEHOLDER: &str = "(Enter to type, e.g. https://utility.example)";
pub const DEMO_ITEM: &str = "Start the built-in demo utility (on 127.0.0.1)";
pub const DEMO_STARTING: &str = "Starting the demo utility…";
pub const STORED_PROFILES: &str = "Stored profiles:";
pub const NO_PROFILES: &str = "  none yet";
pub const LOADING: &str = "  loading…";

pub fn problems(n: usize) -> String {
    match n {
        0 => "✓ valid".to_owned(),
        1 => "1 problem".to_owned(),
        n => format!("{n} problems"),
    }
}

/// A spinner frame from the clock (4 frames a second).
pub fn spinner(app: &crate::app::App) -> &'static str {
    const FRAMES: [&str; 4] = ["◐", "◓", "◑", "◒"];
    FRAMES[(app.wall.as_millisecond().unsigned_abs() / 250 % 4) as usize]
}

pub fn time_left(secs: u64) -> String {
    format!("{}:{:02} left · x cancels", secs / 60, secs % 60)
}

pub fn register_step(step: crate::profiles::model::RegistrationStep) -> &'static str {
    crate::present::register::step(step)
}

pub fn next_commands(profile: &str) -> Vec<(String, &'static str)> {
    vec![
        (
            format!("cds-wizard token {profile}"),
            "an access token (refreshed when needed)",
        ),
        (
            format!("cds-wizard authorize {profile}"),
            "another customer authorization",
        ),
        (
            format!("cds-wizard register --resume {profile}"),
            "finish an interrupted registration",
        ),
        (
            "cds-wizard profiles --check".to_owned(),
            "what is stored, checked",
        ),
        (
            format!("cds-wizard forget {profile}"),
            "revoke the tokens and delete the secrets",
        ),
    ]
}

// ---- the Console of a stored profile (issue 11) ----

pub const CONSOLE_TITLE: &str = "Console";
pub const CONSOLE_TABS: [&str; 5] = ["Clients", "Credentials", "Messages", "Grants", "Files"];
pub const CONSOLE_EMPTY: &str = "Nothing here yet.";
pub const CONSOLE_NO_MATCH: &str = "Nothing matches the filter.";
pub const CONSOLE_MORE: &str = "more on the server: move down to load them";
pub const CONSOLE_LOADING_MORE: &str = "loading the next page…";
pub const CONSOLE_NOTHING_SELECTED: &str = "Nothing selected.";
// The Inspector (issue 12).
pub const INSPECTOR_TITLE: &str = "Inspector";
pub const INSPECTOR_COLUMNS: [&str; 6] = ["Time UTC", "Method", "St", "Duration", "Size", "Step"];
/// The address column's heading: paths on the utility's origin are shown without it.
pub fn inspector_url_column(origin: &str) -> String {
    if origin.is_empty() {
        "URL".to_owned()
    } else {
        format!("URL (paths on {origin})")
    }
}
pub const NOT_RECORDING: &str = " not recording to a file · r records ";
pub const NO_EXCHANGES: &str = "No exchange yet. Every HTTP request the wizard sends (and the \
     authorization answer it receives) shows here as it happens, secrets redacted.";
/// Beside an exchange whose document has findings: errors, warnings, notes.
pub const FINDING_MARKS: [&str; 3] = ["✗", "!", "i"];
pub const TAB_HEADERS: &str = "Headers";
pub const TAB_REQUEST: &str = "Request";
pub const TAB_RESPONSE: &str = "Response";
pub const TAB_CURL: &str = "curl";
pub const REQUEST_HEADERS: &str = "Request headers";
pub const RESPONSE_HEADERS: &str = "Response headers";
pub const NO_REQUEST_BODY: &str = "No request body.";
pub const NO_RESPONSE_BODY: &str = "No response body.";
pub const NO_DOCUMENT_FINDINGS: &str =
    "No conformance finding names this document (findings come from discovery).";
pub const CURL_NOTE: &str = "# secrets redacted ([redacted:…]); Shift+drag selects text";
/// The status bar while every exchange is recorded to a file.
pub fn recording(path: &str) -> String {
    format!("● REC {path}").trim_end().to_owned()
}
pub const CATALOG_TITLE: &str = "research catalog";
pub const CATALOG_READING: &str = "Reading the catalog database…";
pub const CATALOG_RETRY: &str = "Press r to read it again, or q to quit.";
pub const CATALOG_EMPTY: &str = "The catalog holds no utility yet: crawl some with \
     `cds-wizard catalog crawl --from FILE` (a file of utility URLs, one a line).";
pub const CATALOG_NO_MATCH: &str = "No utility matches the filter.";
pub const CATALOG_FAILED: &str = "✗ crawl failed, no catalog stored";
pub const CATALOG_CRAWLED: &str = "crawled";
pub const CATALOG_LAST_FAILED_KEPT: &str = "✗ the newest crawl failed (this is the one before):";
pub const CATALOG_HAS_PREVIOUS: &str =
    "Crawled more than once: t compares with the previous snapshot.";
pub const CATALOG_MATRIX_HINT: &str =
    "[ ] move between scope types · / filters (a type name keeps only its column)";
pub const CATALOG_PRESS_R: &str = "Press r to read the stored catalog of";
pub const CATALOG_STORED_NOTE: &str =
    "As the crawl stored it; Enter onboards this utility live (discovery of its address).";
pub const CATALOG_ROWS_NOTE: &str = "Rebuilt from the catalog's rows (the crawl kept no OAuth \
     metadata document): documentation links, response types and descriptions are missing.";
pub const CATALOG_COMPARE_HINT: &str = "Mark two utilities with Space on the Utilities or \
     Scope matrix tab, then press c to see them side by side; t compares a utility with its \
     previous snapshot.";
pub const CATALOG_COMPARE_SIGNS: &str = "+ only in B · - only in A · ~ changed";
pub const CATALOG_SHOW_DIFFERENCES: &str = "d: only them";
pub const CATALOG_SHOW_ALL: &str = "d: all rows";

/// After a public client's scope on the Authorize step: it authorizes with PKCE alone.
pub const PUBLIC_CLIENT: &str = " · public client (no secret; PKCE proves the app)";
