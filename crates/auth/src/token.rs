//! Opaque random bearer tokens for sessions and API access, stored only as SHA-256 hashes.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use rand::rngs::OsRng;
use secrecy::zeroize::Zeroize;
use sha2::{Digest, Sha256};

/// Number of random bytes in a token (256 bits).
pub const TOKEN_BYTES: usize = 32;

/// Prefix for personal API tokens, so they are recognisable in logs, config
/// files and secret scanners.
pub const API_TOKEN_PREFIX: &str = "shp_";

/// A freshly generated bearer token: 32 bytes from the operating system's
/// CSPRNG, with an optional fixed prefix.
///
/// Give [`Token::encode`] to the client once (in a cookie or shown as an API
/// key) and store only [`Token::hash`]. `Debug` does not show the value and
/// the bytes are zeroed on drop.
pub struct Token {
    bytes: [u8; TOKEN_BYTES],
    prefix: &'static str,
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Token({}<redacted>)", self.prefix)
    }
}

impl Drop for Token {
    fn drop(&mut self) {
        self.bytes.zeroize();
    }
}

impl Token {
    /// A new token without a prefix, for session cookies.
    pub fn generate() -> Self {
        Self::generate_with_prefix("")
    }

    /// A new token whose encoding starts with `prefix`, for example
    /// [`API_TOKEN_PREFIX`]. The prefix is not secret and adds no entropy.
    pub fn generate_with_prefix(prefix: &'static str) -> Self {
        let mut bytes = [0u8; TOKEN_BYTES];
        OsRng.fill_bytes(&mut bytes);
        Self { bytes, prefix }
    }

    /// A new personal API token, prefixed with [`API_TOKEN_PREFIX`].
    pub fn generate_api() -> Self {
        Self::generate_with_prefix(API_TOKEN_PREFIX)
    }

    /// The token as given to the client: the prefix followed by base64url
    /// (RFC 4648 section 5) without padding, 43 characters for 32 bytes.
    /// Cookie-, URL- and header-safe.
    pub fn encode(&self) -> String {
        format!("{}{}", self.prefix, URL_SAFE_NO_PAD.encode(self.bytes))
    }

    /// The value to store: [`token_hash`] of [`Token::encode`].
    pub fn hash(&self) -> String {
        token_hash(&self.encode())
    }
}

/// SHA-256 of a presented token (the whole string, prefix included), as
/// lower-case hex: the value to store, and to look up when a token is
/// presented.
///
/// A fast hash is enough because tokens carry 256 random bits; what matters
/// is that a leak of the token table does not hand out live sessions or API
/// keys. Lookup is by equality on this hash, so comparison timing reveals
/// nothing useful about the token itself.
pub fn token_hash(presented: &str) -> String {
    hex::encode(Sha256::digest(presented.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn tokens_are_unique() {
        let encoded: HashSet<String> = (0..1_000).map(|_| Token::generate().encode()).collect();
        assert_eq!(encoded.len(), 1_000);
    }

    #[test]
    fn session_token_is_43_base64url_characters_without_padding() {
        let encoded = Token::generate().encode();
        assert_eq!(encoded.len(), 43);
        assert!(
            encoded
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
            "{encoded}"
        );
        let decoded = URL_SAFE_NO_PAD.decode(&encoded).expect("base64url");
        assert_eq!(decoded.len(), TOKEN_BYTES);
    }

    #[test]
    fn api_token_starts_with_shp_prefix() {
        let encoded = Token::generate_api().encode();
        assert!(encoded.starts_with("shp_"), "{encoded}");
        assert_eq!(encoded.len(), 4 + 43);
    }

    #[test]
    fn token_hash_is_sha256_hex_of_the_presented_string() {
        // SHA-256("abc"), FIPS 180-2 example.
        assert_eq!(
            token_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn stored_hash_matches_hash_of_presented_token_and_not_of_another() {
        let token = Token::generate_api();
        let stored = token.hash();
        assert_eq!(stored.len(), 64);
        assert_eq!(token_hash(&token.encode()), stored);
        assert_ne!(token_hash(&Token::generate_api().encode()), stored);
        assert_ne!(stored, token.encode());
    }

    #[test]
    fn debug_output_hides_the_token() {
        let token = Token::generate_api();
        let text = format!("{token:?}");
        assert_eq!(text, "Token(shp_<redacted>)");
        assert!(!text.contains(&token.encode()[4..]));
    }
}
