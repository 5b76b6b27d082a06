//! PKCE (RFC 7636) with the S256 method only: RFC 9700 §2.1.1 and WG1-02 rule out `plain`.

use oauth2::{PkceCodeChallenge, PkceCodeVerifier};

use super::OAuthError;
use crate::secret::Secret;

/// The only `code_challenge_method` this client sends.
pub const S256: &str = "S256";

/// A code verifier and its S256 challenge. The verifier stays with the client until the code
/// exchange (RFC 7636 §4.5); `Debug` does not show it.
#[derive(Debug, Clone)]
pub struct Pkce {
    challenge: String,
    verifier: Secret,
}

impl Pkce {
    /// A fresh verifier: 32 random bytes from the OS-seeded generator, base64url (43
    /// characters, RFC 7636 §4.1 and §7.1), and its SHA-256 challenge (§4.2), through the
    /// `oauth2` crate.
    pub fn new() -> Self {
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        Pkce {
            challenge: challenge.as_str().to_owned(),
            verifier: Secret::new(verifier.secret().as_str()),
        }
    }

    /// The challenge of a given verifier, checked against RFC 7636 §4.1 (43 to 128 characters
    /// of `[A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~"`).
    pub fn from_verifier(verifier: &str) -> Result<Self, OAuthError> {
        let ok_len = (43..=128).contains(&verifier.len());
        let ok_chars = verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'));
        if !ok_len || !ok_chars {
            return Err(OAuthError::Invalid(
                "a PKCE code_verifier is 43 to 128 characters of A-Z a-z 0-9 - . _ ~ \
                 (RFC 7636 §4.1)"
                    .to_owned(),
            ));
        }
        // Checked above, so the crate's length assertion cannot fire.
        let challenge =
            PkceCodeChallenge::from_code_verifier_sha256(&PkceCodeVerifier::new(verifier.into()));
        Ok(Pkce {
            challenge: challenge.as_str().to_owned(),
            verifier: Secret::new(verifier),
        })
    }

    /// `code_challenge` (base64url of the SHA-256 of the verifier, no padding).
    pub fn challenge(&self) -> &str {
        &self.challenge
    }

    /// Always [`S256`].
    pub fn method(&self) -> &'static str {
        S256
    }

    /// `code_verifier`, for the token request only.
    pub fn verifier(&self) -> &Secret {
        &self.verifier
    }
}

impl Default for Pkce {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7636_appendix_b() {
        let p = Pkce::from_verifier("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk").unwrap();
        assert_eq!(p.challenge(), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
        assert_eq!(p.method(), "S256");
    }

    #[test]
    fn random_verifiers_are_valid_and_distinct() {
        let a = Pkce::new();
        let b = Pkce::new();
        assert_ne!(a.verifier(), b.verifier());
        assert_eq!(a.verifier().expose().len(), 43);
        // The challenge is the S256 of the verifier.
        let again = Pkce::from_verifier(a.verifier().expose()).unwrap();
        assert_eq!(again.challenge(), a.challenge());
        assert!(!format!("{a:?}").contains(a.verifier().expose()));
    }

    #[test]
    fn bad_verifiers_are_refused() {
        assert!(Pkce::from_verifier("short").is_err());
        assert!(Pkce::from_verifier(&"a".repeat(129)).is_err());
        assert!(Pkce::from_verifier(&format!("{}+", "a".repeat(43))).is_err());
        assert!(Pkce::from_verifier(&"a".repeat(128)).is_ok());
    }
}
