//! What can go wrong with the profile index (`profiles.toml`), and the limits its messages
//! name. Pure data: the store and the model both report through it.

use std::path::PathBuf;

/// Environment variable naming the program's home directory (tests use a temporary one).
pub const HOME_ENV: &str = "CDS_WIZARD_HOME";
/// The index format this program writes; a newer one is refused rather than rewritten.
pub const FORMAT_VERSION: u32 = 1;
/// Profile names end up in keyring account names (`<profile>/<client_id>/<kind>`).
pub const MAX_PROFILE_NAME: usize = 64;

#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("cannot find a configuration directory: set {HOME_ENV} to a directory")]
    NoHome,
    #[error("{HOME_ENV} must be an absolute directory path, not `{0}`")]
    RelativeHome(String),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The file exists but is not a valid index; it is left as it is.
    #[error(
        "{path}: line {line}, column {column}: {message} (fix or move the file; it was not changed)"
    )]
    Corrupt {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{path}: {message} (fix or move the file; it was not changed)")]
    Invalid { path: PathBuf, message: String },
    #[error(
        "{path} was written by a newer cds-wizard (index version {found}, this one reads {FORMAT_VERSION}); it was not changed"
    )]
    NewerVersion { path: PathBuf, found: u32 },
    #[error(
        "invalid profile name `{0}`: use 1 to {MAX_PROFILE_NAME} letters, digits, `-`, `_` or `.`, not starting with `.`"
    )]
    BadProfileName(String),
    #[error(
        "{path}: another cds-wizard process has held this lock for over {secs} s; try again when it is done"
    )]
    Busy { path: PathBuf, secs: u64 },
    #[error("cannot write the index: {0}")]
    Serialize(String),
}
