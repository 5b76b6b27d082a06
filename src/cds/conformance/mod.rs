//! The conformance report: the MUST/REQUIRED rules of CDS-WG1-01 (§3, §4) and CDS-WG1-02 §3,
//! checked on the documents as served (raw JSON), so every problem is found at once and named by
//! a JSON pointer, even in a document too broken to decode into the typed model.
//!
//! One module per document kind (`server_metadata`, `coverage`, `oauth_metadata` with its
//! `scope`, `authorization_details_field` and `registration_field` parts); `finding` holds
//! what they report and `fields` the shape checks they share.

mod authorization_details_field;
mod by_draft;
mod coverage;
mod fields;
mod finding;
mod oauth_metadata;
mod registration_field;
mod scope;
mod server_metadata;

pub use by_draft::{grade_by_draft, is_newer_than, target_newest};
pub use coverage::{
    ListingCheck, LooseMembers, check_coverage_entry, check_coverage_listing, check_coverage_page,
    check_decoded_entry,
};
pub use finding::{Finding, MAX_PER_CODE, Report, Severity, bound_per_code, count, pointer_token};
pub use oauth_metadata::{OAuthContext, check_coverage_references, check_oauth_metadata};
pub use server_metadata::{check_metadata_location, check_server_metadata};
