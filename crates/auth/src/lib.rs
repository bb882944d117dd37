//! Safehub credentials: password policy and hashing, TOTP second factor, recovery
//! codes, opaque session/API tokens and CSRF tokens.
//!
//! Everything here is a pure function or a plain value: no I/O, no database, no
//! clock (callers pass the current Unix time in). Secrets are carried in
//! [`secrecy::SecretString`] or in types whose `Debug` output is redacted, so they
//! do not end up in logs by accident.
//!
//! What is stored where:
//!
//! | Credential      | Shown to the user        | Stored by Safehub                        |
//! |-----------------|--------------------------|------------------------------------------|
//! | Password        | never (they chose it)    | Argon2id PHC string ([`password`])       |
//! | TOTP secret     | once, as QR + base32     | base32 secret + last used step ([`totp`])|
//! | Recovery codes  | once, as a list          | SHA-256 hex of each code ([`recovery`])  |
//! | Session/API token | once (cookie / API key) | SHA-256 hex ([`token`])                  |
//! | CSRF token      | in every form            | nothing: derived from a key ([`csrf`])   |

pub mod csrf;
mod encoding;
pub mod error;
pub mod password;
pub mod recovery;
pub mod token;
pub mod totp;

pub use csrf::CsrfKey;
pub use encoding::xml_escape;
pub use error::AuthError;
pub use password::{PasswordHasher, PasswordProblem, check_new_password};
pub use recovery::{generate_recovery_codes, hash_recovery_code};
pub use secrecy::{ExposeSecret, SecretString};
pub use token::{Token, token_hash};
pub use totp::{TotpProblem, TotpSecret};
