//! The operations console's engine: every CDS-WG1-02 management API a registered app lives
//! with — Clients (§5), Messages (§6), Credentials (§7), Grants (§8) and Server-Provided Files
//! (§9) — over one [`Session`] that holds the profile, the HTTP client and the tokens. The
//! wizard and the headless commands call these functions; nothing here prints.
//!
//! Listings come two ways: `*_page` (one [`Page`] with the cursor to the next, for lazy
//! scrolling) and `list`/`collect` (every page, loops and page counts bounded).

pub mod clients;
pub mod credentials;
pub mod error;
pub mod files;
pub mod grants;
pub mod messages;
pub mod page;
mod rotate;
pub mod session;
pub mod status;

pub use error::ManageError;
pub use page::Page;
pub use session::{Api, Session, Workspace};
