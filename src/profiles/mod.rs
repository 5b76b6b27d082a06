//! The non-secret index of profiles: one TOML file, `profiles.toml`, in the program's home
//! directory. It records what the engine needs to find its way back to a utility and to its
//! secrets (CDS-WG1-01 endpoints, CDS-WG1-02 clients, which secrets are in which keyring under
//! which account) and never a secret itself: those live only in the OS keyring (`vault/`,
//! issue 4 item 6).
//!
//! `model` holds the pure types and their validation (the pure layers may use it); `store`
//! reads and writes the file; `lock` keeps the home private and serializes writers; `error` is
//! what they report.

pub mod error;
pub mod lock;
pub mod model;
pub mod store;

pub use error::{FORMAT_VERSION, HOME_ENV, IndexError, MAX_PROFILE_NAME};
pub use model::{
    ClientEntry, Endpoints, Profile, RegistrationChoice, RegistrationStep, SECRET_KINDS,
    secret_kind_from_str, validate_profile_name,
};
pub use store::{INDEX_FILE, Index, home};
