//! Errors from operations that can fail for reasons other than "the credential was wrong".

use thiserror::Error;

/// A failure that is not a wrong credential: bad configuration, a corrupt
/// stored value or an internal hashing error.
///
/// A wrong password, TOTP code or CSRF token is never an `AuthError`; those
/// checks return `bool` or a problem enum meant for the user.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AuthError {
    /// Argon2 cost parameters were out of range.
    #[error("invalid Argon2 parameters: {0}")]
    InvalidHashParams(String),
    /// Argon2 failed while hashing a password.
    #[error("password hashing failed: {0}")]
    Hashing(String),
    /// A stored or configured TOTP secret was not valid base32 or had the wrong length.
    #[error("invalid TOTP secret: {0}")]
    InvalidTotpSecret(&'static str),
    /// Key material had the wrong length.
    #[error("invalid key length: expected {expected} bytes, got {actual}")]
    InvalidKeyLength {
        /// Required length in bytes.
        expected: usize,
        /// Length supplied.
        actual: usize,
    },
    /// The data did not fit in a QR code.
    #[error("could not render QR code: {0}")]
    QrCode(String),
}
