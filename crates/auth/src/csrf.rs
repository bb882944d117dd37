//! Stateless CSRF tokens: HMAC-SHA256 of the session binding under a server key.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use rand::RngCore;
use rand::rngs::OsRng;
use secrecy::zeroize::Zeroize;
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::error::AuthError;

/// Length of a CSRF key in bytes.
pub const CSRF_KEY_BYTES: usize = 32;

/// Domain-separation prefix, so a CSRF token can never be confused with
/// another HMAC made with the same key.
const CONTEXT: &[u8] = b"csrf:";

/// Server-side key for CSRF tokens (32 bytes), from configuration or generated at start-up.
///
/// A generated key invalidates open forms when the process restarts and
/// differs between instances, so production should load one from
/// configuration. `Debug` does not show the key and it is zeroed on drop.
pub struct CsrfKey([u8; CSRF_KEY_BYTES]);

impl std::fmt::Debug for CsrfKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CsrfKey(<redacted>)")
    }
}

impl Drop for CsrfKey {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl CsrfKey {
    /// A key from 32 bytes of configured key material.
    pub fn from_bytes(bytes: [u8; CSRF_KEY_BYTES]) -> Self {
        Self(bytes)
    }

    /// A key from a slice of configured key material (for example decoded
    /// from base64 or hex by the configuration layer).
    ///
    /// # Errors
    ///
    /// [`AuthError::InvalidKeyLength`] unless the slice is exactly 32 bytes.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, AuthError> {
        let array =
            <[u8; CSRF_KEY_BYTES]>::try_from(bytes).map_err(|_| AuthError::InvalidKeyLength {
                expected: CSRF_KEY_BYTES,
                actual: bytes.len(),
            })?;
        Ok(Self(array))
    }

    /// A new random key from the operating system's CSPRNG.
    pub fn generate() -> Self {
        let mut bytes = [0u8; CSRF_KEY_BYTES];
        OsRng.fill_bytes(&mut bytes);
        Self(bytes)
    }

    fn mac(&self, binding: &str) -> [u8; 32] {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0)
            .expect("HMAC accepts keys of any length");
        mac.update(CONTEXT);
        mac.update(binding.as_bytes());
        mac.finalize().into_bytes().into()
    }

    /// The CSRF token to put in forms for this binding:
    /// base64url (no padding) of HMAC-SHA256(key, `"csrf:" + binding`), 43 characters.
    ///
    /// `binding` ties the token to one browser: the session token hash for a
    /// signed-in user, or the value of a random pre-session cookie on the sign-in
    /// page. Never bind to something an attacker can predict or set.
    pub fn token_for(&self, binding: &str) -> String {
        URL_SAFE_NO_PAD.encode(self.mac(binding))
    }

    /// Whether `presented` is the token for `binding`, compared in constant
    /// time. An empty binding never verifies, so a missing session or cookie
    /// cannot make a token that is valid for everyone.
    pub fn verify(&self, binding: &str, presented: &str) -> bool {
        if binding.is_empty() {
            return false;
        }
        let expected = self.token_for(binding);
        bool::from(expected.as_bytes().ct_eq(presented.as_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SESSION_HASH: &str = "4f6b1c0e8a9d2b7c3e5f6a1b2c3d4e5f60718293a4b5c6d7e8f9012345678901";

    #[test]
    fn token_for_the_same_binding_verifies() {
        let key = CsrfKey::generate();
        let token = key.token_for(SESSION_HASH);
        assert!(key.verify(SESSION_HASH, &token));
    }

    #[test]
    fn token_is_deterministic_43_character_base64url() {
        let key = CsrfKey::from_bytes([7; 32]);
        let token = key.token_for(SESSION_HASH);
        assert_eq!(token, key.token_for(SESSION_HASH));
        assert_eq!(token.len(), 43);
        assert!(
            token
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
    }

    #[test]
    fn token_is_hmac_sha256_of_csrf_prefix_and_binding() {
        let key = CsrfKey::from_bytes([7; 32]);
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&[7; 32]).expect("key");
        mac.update(b"csrf:session-hash");
        let expected = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
        assert_eq!(key.token_for("session-hash"), expected);
    }

    #[test]
    fn token_for_another_binding_is_refused() {
        let key = CsrfKey::generate();
        let token = key.token_for(SESSION_HASH);
        assert!(!key.verify("another-session-hash", &token));
    }

    #[test]
    fn token_made_with_another_key_is_refused() {
        let ours = CsrfKey::generate();
        let theirs = CsrfKey::generate();
        assert!(!ours.verify(SESSION_HASH, &theirs.token_for(SESSION_HASH)));
    }

    #[test]
    fn forged_or_altered_tokens_are_refused() {
        let key = CsrfKey::generate();
        let token = key.token_for(SESSION_HASH);
        let mut altered = token.clone().into_bytes();
        altered[0] = if altered[0] == b'A' { b'B' } else { b'A' };
        let altered = String::from_utf8(altered).expect("ascii");
        assert!(!key.verify(SESSION_HASH, &altered));
        assert!(!key.verify(SESSION_HASH, ""));
        assert!(!key.verify(SESSION_HASH, &token[..42]));
        assert!(!key.verify(SESSION_HASH, &format!("{token}A")));
        assert!(!key.verify(SESSION_HASH, &"A".repeat(43)));
    }

    #[test]
    fn empty_binding_never_verifies() {
        let key = CsrfKey::generate();
        assert!(!key.verify("", &key.token_for("")));
    }

    #[test]
    fn from_slice_requires_exactly_32_bytes() {
        assert!(CsrfKey::from_slice(&[1; 32]).is_ok());
        assert_eq!(
            CsrfKey::from_slice(&[1; 16]).err(),
            Some(AuthError::InvalidKeyLength {
                expected: 32,
                actual: 16
            })
        );
    }

    #[test]
    fn same_key_bytes_give_same_tokens_across_instances() {
        let a = CsrfKey::from_bytes([9; 32]);
        let b = CsrfKey::from_slice(&[9; 32]).expect("32 bytes");
        assert_eq!(a.token_for(SESSION_HASH), b.token_for(SESSION_HASH));
    }

    #[test]
    fn debug_output_hides_the_key() {
        assert_eq!(
            format!("{:?}", CsrfKey::from_bytes([1; 32])),
            "CsrfKey(<redacted>)"
        );
    }
}
