//! Secret values and the names they are kept under in the OS keyring (CDS-WG1-02 client
//! secrets, RFC 6749 tokens): a leaf module with no I/O, so the pure layers may hold secrets
//! without reaching the keyring code in `vault/`.

use std::fmt;

/// The keyring "service" every entry of this program is stored under.
pub const SERVICE: &str = "cds-wizard";

/// A secret value. Its `Debug` and `Display` never show it; read it with [`Secret::expose`].
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }
    /// The secret itself, for the one place that sends it (an Authorization header, a form).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// The account name of one secret of one client of one profile.
pub fn account(profile: &str, client_id: &str, kind: SecretKind) -> String {
    format!("{profile}/{client_id}/{}", kind.as_str())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretKind {
    ClientSecret,
    AccessToken,
    RefreshToken,
}

impl SecretKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SecretKind::ClientSecret => "client_secret",
            SecretKind::AccessToken => "access_token",
            SecretKind::RefreshToken => "refresh_token",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_do_not_print() {
        let s = Secret::new("hunter2");
        assert!(!format!("{s:?} {s}").contains("hunter2"));
        assert_eq!(s.expose(), "hunter2");
        assert_eq!(
            account("p", "c1", SecretKind::RefreshToken),
            "p/c1/refresh_token"
        );
    }
}
