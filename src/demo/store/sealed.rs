//! The demo's remembered state sealed at rest (issue 10 point 6; the product rule "secrets live
//! only in the OS keyring"): the registry a server keeps (WG1-02 §4.2 and §7.1 client secrets,
//! RFC 6749 tokens) is encrypted with XChaCha20-Poly1305 under a random 256-bit key that lives
//! in the OS keyring (`demo_home::seal` keeps it there; this module never touches a keyring).
//!
//! The file is a small JSON envelope: `format`, `version`, `cipher`, the `keyring` and the
//! `account` in it the key is kept under, the `base_url` the demo last served on (not secret: the port it comes back
//! on, readable without the key), a random 24-byte `nonce` (new on every write, so nonces never
//! repeat without bookkeeping) and the `ciphertext`, both Base64url. Everything but the nonce and
//! ciphertext is bound to the ciphertext as associated data, so none of it can be changed
//! unnoticed.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use rand::RngCore;
use serde::{Deserialize, Serialize};

/// What a sealed file says it is.
pub const FORMAT: &str = "cds-wizard-demo-state-sealed";
/// Envelope version written; a higher one came from a newer cds-wizard.
pub const VERSION: u32 = 1;
/// The only cipher written and read.
pub const CIPHER: &str = "XChaCha20-Poly1305";

/// A 256-bit key. Its `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct SealKey([u8; 32]);

impl fmt::Debug for SealKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SealKey(<redacted>)")
    }
}

impl SealKey {
    /// A new random key from the OS-seeded CSPRNG.
    pub fn generate() -> SealKey {
        let mut k = [0u8; 32];
        rand::rng().fill_bytes(&mut k);
        SealKey(k)
    }

    /// The key as text for a keyring entry (Base64url, 43 characters).
    pub fn to_text(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.0)
    }

    /// The key back from its keyring text; `None` when it is not one.
    pub fn from_text(text: &str) -> Option<SealKey> {
        let bytes = URL_SAFE_NO_PAD.decode(text.trim()).ok()?;
        Some(SealKey(bytes.try_into().ok()?))
    }
}

/// A key, the keyring (`keyutils`, `secret-service`, ...) and the account it is kept under
/// (written into the envelope, so the next run knows where to look).
#[derive(Debug, Clone)]
pub struct Sealing {
    pub key: SealKey,
    pub keyring: String,
    pub account: String,
}

/// The file as written.
#[derive(Debug, Serialize, Deserialize)]
pub struct Envelope {
    pub format: String,
    pub version: u32,
    pub cipher: String,
    pub keyring: String,
    pub account: String,
    #[serde(default)]
    pub base_url: String,
    pub nonce: String,
    pub ciphertext: String,
}

/// Why a sealed file does not open. Never contains key or plaintext.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    #[error("not a sealed demo state")]
    NotSealed,
    #[error("written by a newer cds-wizard (sealed state version {0}, this one reads {VERSION})")]
    Newer(u32),
    #[error("sealed with an unknown cipher `{0}`")]
    Cipher(String),
    #[error("its nonce or ciphertext is not Base64url")]
    Encoding,
    #[error("it does not decrypt with the key in the keyring (changed on disk, or another key)")]
    Decrypt,
}

fn aad(e: &Envelope) -> Vec<u8> {
    // Length-prefixed so no two different headers give the same bytes.
    let mut out = Vec::new();
    for part in [
        e.format.as_str(),
        &e.version.to_string(),
        &e.cipher,
        &e.keyring,
        &e.account,
        &e.base_url,
    ] {
        out.extend_from_slice(&(part.len() as u64).to_be_bytes());
        out.extend_from_slice(part.as_bytes());
    }
    out
}

fn cipher(key: &SealKey) -> XChaCha20Poly1305 {
    XChaCha20Poly1305::new(&Key::from(key.0))
}

/// Seals `plaintext` (the state's JSON) into the envelope's bytes, with a new random nonce.
pub fn seal(s: &Sealing, base_url: &str, plaintext: &[u8]) -> Vec<u8> {
    let mut nonce = [0u8; 24];
    rand::rng().fill_bytes(&mut nonce);
    let mut env = Envelope {
        format: FORMAT.to_owned(),
        version: VERSION,
        cipher: CIPHER.to_owned(),
        keyring: s.keyring.clone(),
        account: s.account.clone(),
        base_url: base_url.trim_end_matches('/').to_owned(),
        nonce: URL_SAFE_NO_PAD.encode(nonce),
        ciphertext: String::new(),
    };
    let aad = aad(&env);
    // Encryption fails only for messages over 256 GiB.
    let ct = cipher(&s.key)
        .encrypt(
            &XNonce::from(nonce),
            Payload {
                msg: plaintext,
                aad: &aad,
            },
        )
        .unwrap_or_default();
    env.ciphertext = URL_SAFE_NO_PAD.encode(ct);
    let mut bytes = serde_json::to_vec_pretty(&env).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

/// The envelope in `bytes`, when they are one (`None`: another file, e.g. plaintext state).
pub fn envelope(bytes: &[u8]) -> Option<Envelope> {
    let v: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    if v.get("format")?.as_str()? != FORMAT {
        return None;
    }
    serde_json::from_value(v).ok()
}

/// Whether `bytes` look like a sealed state (its format marker), even a damaged one.
pub fn looks_sealed(bytes: &[u8]) -> bool {
    let needle = FORMAT.as_bytes();
    bytes.windows(needle.len()).any(|w| w == needle)
}

/// Opens a sealed file's bytes with `key`: the plaintext state JSON.
pub fn open(key: &SealKey, bytes: &[u8]) -> Result<Vec<u8>, SealError> {
    let env = envelope(bytes).ok_or(SealError::NotSealed)?;
    open_envelope(key, &env)
}

/// [`open`] on a parsed envelope.
pub fn open_envelope(key: &SealKey, env: &Envelope) -> Result<Vec<u8>, SealError> {
    if env.version > VERSION {
        return Err(SealError::Newer(env.version));
    }
    if env.cipher != CIPHER {
        return Err(SealError::Cipher(env.cipher.clone()));
    }
    let nonce: [u8; 24] = URL_SAFE_NO_PAD
        .decode(&env.nonce)
        .ok()
        .and_then(|n| n.try_into().ok())
        .ok_or(SealError::Encoding)?;
    let ct = URL_SAFE_NO_PAD
        .decode(&env.ciphertext)
        .map_err(|_| SealError::Encoding)?;
    let aad = aad(env);
    cipher(key)
        .decrypt(
            &XNonce::from(nonce),
            Payload {
                msg: &ct,
                aad: &aad,
            },
        )
        .map_err(|_| SealError::Decrypt)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sealing() -> Sealing {
        Sealing {
            key: SealKey::generate(),
            keyring: "memory".to_owned(),
            account: "demo/abc/demo_state_key".to_owned(),
        }
    }

    #[test]
    fn sealed_state_opens_with_its_key_only_and_hides_the_plaintext() {
        let s = sealing();
        let plain = br#"{"client_secret":"very-secret-value-123"}"#;
        let a = seal(&s, "http://127.0.0.1:4000/", plain);
        let b = seal(&s, "http://127.0.0.1:4000", plain);
        assert_ne!(a, b, "a new nonce every write");
        assert!(!String::from_utf8_lossy(&a).contains("very-secret"));
        let env = envelope(&a).unwrap();
        assert_eq!(env.base_url, "http://127.0.0.1:4000");
        assert_eq!(open(&s.key, &a).unwrap(), plain);
        assert_eq!(
            open(&SealKey::generate(), &a),
            Err(SealError::Decrypt),
            "another key"
        );
        // The header is bound to the ciphertext: moving the port by hand is noticed.
        let moved = String::from_utf8(a.clone())
            .unwrap()
            .replace("4000", "4001");
        assert_eq!(open(&s.key, moved.as_bytes()), Err(SealError::Decrypt));
        assert_eq!(open(&s.key, plain), Err(SealError::NotSealed));
        assert!(looks_sealed(&a) && !looks_sealed(plain));
    }

    #[test]
    fn every_flipped_ciphertext_byte_is_refused() {
        let s = sealing();
        let a = seal(&s, "b", b"{}");
        let mut env = envelope(&a).unwrap();
        let mut ct = URL_SAFE_NO_PAD.decode(&env.ciphertext).unwrap();
        for i in 0..ct.len() {
            ct[i] ^= 1;
            env.ciphertext = URL_SAFE_NO_PAD.encode(&ct);
            assert_eq!(open_envelope(&s.key, &env), Err(SealError::Decrypt));
            ct[i] ^= 1;
        }
    }

    #[test]
    fn key_text_round_trips_and_rejects_other_text() {
        let k = SealKey::generate();
        assert_eq!(SealKey::from_text(&k.to_text()), Some(k.clone()));
        assert_eq!(SealKey::from_text("short"), None);
        assert!(!format!("{k:?}").contains(&k.to_text()));
    }
}
