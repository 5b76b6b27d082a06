//! Every sentence the wizard shows, in one place so the wording stays consistent.

use crate::app::Step;

pub const APP_NAME: &str = "cds-wizard";

pub fn step_name(step: Step) -> &'static str {
    match step {
        Step::Discover => "Discovery",
        Step::Scopes => "Scopes",
        Step::Modifiers => "Modifiers",
        Step::Registration => "Registration",
        Step::Review => "Review",
        Step::Submit => "Submit",
        Step::Authorize => "Authorize",
        Step::Done => "Done",
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

pub const CONFIRM_QUIT_TITLE: &str = "Quit?";
pub const CONFIRM_QUIT: &str = "Quit the wizard? Nothing has been registered yet.";
pub const HELP_TITLE: &str = "Keys";

pub fn notice(n: crate::app::Notice) -> &'static str {
    match n {
        crate::app::Notice::ScopeLocked => {
            "cds_client_admin is always included: every registration asks for it (CDS-WG1-02 §4.1)."
        }
        crate::app::Notice::StepNotBuilt => {
            "The Modifiers step is not built yet; use `cds-wizard register --answers` for now."
        }
        crate::app::Notice::NoCatalogYet => "Wait for discovery to finish first.",
    }
}
