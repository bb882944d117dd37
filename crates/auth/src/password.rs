//! Password policy (NCSC guidance: length and a deny-list, no composition rules) and Argon2id hashing.

use std::collections::HashSet;
use std::sync::LazyLock;

use argon2::password_hash::{PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Params, PasswordVerifier, Version};
use rand::rngs::OsRng;
use secrecy::{ExposeSecret, SecretString};
use thiserror::Error;

use crate::error::AuthError;

/// Fewest characters a new password may have.
pub const MIN_PASSWORD_CHARS: usize = 10;

/// Most characters a new password may have. Long enough for any passphrase or
/// password manager, short enough to bound the work done per login attempt.
pub const MAX_PASSWORD_CHARS: usize = 128;

/// Email local parts shorter than this are not checked for, as they would
/// match too many unrelated passwords.
const MIN_EMAIL_LOCAL_PART_CHARS: usize = 4;

/// The embedded deny-list: one password per line, `#` comments.
const COMMON_PASSWORDS_TXT: &str = include_str!("../data/common-passwords.txt");

/// The deny-list, lower-cased, parsed on first use.
static COMMON_PASSWORDS: LazyLock<HashSet<String>> = LazyLock::new(|| {
    COMMON_PASSWORDS_TXT
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(str::to_lowercase)
        .collect()
});

/// Why a proposed new password was refused.
///
/// [`PasswordProblem::message`] (also the `Display` text) is written for the
/// person choosing the password, in the GOV.UK error message style, and can be
/// shown next to the password field as is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum PasswordProblem {
    /// Nothing was entered.
    #[error("Enter a password")]
    Empty,
    /// Fewer than [`MIN_PASSWORD_CHARS`] characters.
    #[error("Password must be 10 characters or more")]
    TooShort,
    /// More than [`MAX_PASSWORD_CHARS`] characters.
    #[error("Password must be 128 characters or fewer")]
    TooLong,
    /// On the deny-list of common passwords (compared case-insensitively).
    #[error("Password is too common - choose a different one")]
    TooCommon,
    /// Contains the part of the user's email address before the `@`.
    #[error("Password must not include the first part of your email address")]
    ContainsEmail,
}

impl PasswordProblem {
    /// The message to show the user, for example "Password must be 10 characters or more".
    pub fn message(&self) -> &'static str {
        match self {
            Self::Empty => "Enter a password",
            Self::TooShort => "Password must be 10 characters or more",
            Self::TooLong => "Password must be 128 characters or fewer",
            Self::TooCommon => "Password is too common - choose a different one",
            Self::ContainsEmail => "Password must not include the first part of your email address",
        }
    }
}

/// Checks a password someone is choosing (registration, reset or change)
/// against the NCSC-style policy.
///
/// Rules, in the order reported:
/// 1. not empty;
/// 2. at least [`MIN_PASSWORD_CHARS`] and at most [`MAX_PASSWORD_CHARS`]
///    characters, counting Unicode scalar values (`char`s), not bytes; no
///    normalisation is applied;
/// 3. not on the embedded deny-list of common passwords, case-insensitively;
/// 4. does not contain the email address's local part (the text before the
///    last `@`, case-insensitively) when that is at least 4 characters long;
///    for plus-addresses such as `jo.bloggs+work@…` the part before the `+`
///    is checked too.
///
/// There are deliberately no composition rules (no "must contain a symbol"):
/// they push people towards predictable patterns without adding strength.
/// Spaces, emoji and any other characters are allowed.
pub fn check_new_password(candidate: &str, email: &str) -> Result<(), PasswordProblem> {
    if candidate.is_empty() {
        return Err(PasswordProblem::Empty);
    }
    let chars = candidate.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(PasswordProblem::TooShort);
    }
    if chars > MAX_PASSWORD_CHARS {
        return Err(PasswordProblem::TooLong);
    }
    let lower = candidate.to_lowercase();
    if is_common_password(&lower) {
        return Err(PasswordProblem::TooCommon);
    }
    if email_local_parts(email)
        .iter()
        .any(|part| lower.contains(part.as_str()))
    {
        return Err(PasswordProblem::ContainsEmail);
    }
    Ok(())
}

/// Whether `lowercase_password` is on the deny-list.
fn is_common_password(lowercase_password: &str) -> bool {
    COMMON_PASSWORDS.contains(lowercase_password)
}

/// The lower-cased local part of `email`, and its part before any `+` tag,
/// keeping only those long enough to be worth checking.
fn email_local_parts(email: &str) -> Vec<String> {
    let email = email.trim();
    let local = email
        .rsplit_once('@')
        .map_or(email, |(local, _domain)| local)
        .to_lowercase();
    let untagged = local.split('+').next().unwrap_or_default().to_owned();
    let mut parts = vec![local];
    if untagged != parts[0] {
        parts.push(untagged);
    }
    parts.retain(|part| part.chars().count() >= MIN_EMAIL_LOCAL_PART_CHARS);
    parts
}

/// OWASP Password Storage Cheat Sheet Argon2id minimum: 19 MiB, 2 iterations,
/// 1 lane. Checked at compile time.
const OWASP_PARAMS: Params = match Params::new(19_456, 2, 1, None) {
    Ok(params) => params,
    Err(_) => panic!("OWASP Argon2id parameters must be valid"),
};

/// Cheap parameters for tests only: 1 MiB, 1 iteration, 1 lane.
const TEST_PARAMS: Params = match Params::new(1_024, 1, 1, None) {
    Ok(params) => params,
    Err(_) => panic!("test Argon2id parameters must be valid"),
};

/// Hashes and verifies passwords with Argon2id (version 0x13), producing and
/// reading PHC strings such as `$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`.
///
/// Construct one at start-up and share it: construction computes a dummy hash
/// with the same parameters, which [`PasswordHasher::verify`] uses for unknown
/// users so that "no such user" takes as long as "wrong password".
#[derive(Clone)]
pub struct PasswordHasher {
    params: Params,
    /// PHC string of a random password hashed with `params`; `None` only if
    /// hashing failed at construction (then `verify` hashes instead).
    dummy_phc: Option<String>,
}

impl std::fmt::Debug for PasswordHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordHasher")
            .field("m_cost_kib", &self.params.m_cost())
            .field("t_cost", &self.params.t_cost())
            .field("p_cost", &self.params.p_cost())
            .finish_non_exhaustive()
    }
}

impl Default for PasswordHasher {
    /// The OWASP recommended Argon2id parameters: m = 19456 KiB, t = 2, p = 1.
    fn default() -> Self {
        Self::with_params(OWASP_PARAMS)
    }
}

impl PasswordHasher {
    /// A hasher with explicit Argon2id costs: `m_cost_kib` memory in KiB,
    /// `t_cost` iterations and `p_cost` lanes.
    ///
    /// # Errors
    ///
    /// [`AuthError::InvalidHashParams`] if Argon2 rejects the combination
    /// (for example `m_cost_kib < 8 * p_cost` or `t_cost == 0`).
    pub fn new(m_cost_kib: u32, t_cost: u32, p_cost: u32) -> Result<Self, AuthError> {
        let params = Params::new(m_cost_kib, t_cost, p_cost, None)
            .map_err(|e| AuthError::InvalidHashParams(e.to_string()))?;
        Ok(Self::with_params(params))
    }

    /// Deliberately weak parameters (m = 1024 KiB, t = 1, p = 1) so test suites
    /// run quickly. Never use in production; hashes made with it are reported
    /// by a production hasher's [`PasswordHasher::needs_rehash`].
    pub fn fast_for_tests() -> Self {
        Self::with_params(TEST_PARAMS)
    }

    fn with_params(params: Params) -> Self {
        let mut hasher = Self {
            params,
            dummy_phc: None,
        };
        let dummy_password = SecretString::from(crate::token::Token::generate().encode());
        hasher.dummy_phc = hasher.hash(&dummy_password).ok();
        hasher
    }

    fn argon2(&self) -> Argon2<'static> {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, self.params.clone())
    }

    /// Memory cost in KiB.
    pub fn m_cost_kib(&self) -> u32 {
        self.params.m_cost()
    }

    /// Number of iterations.
    pub fn t_cost(&self) -> u32 {
        self.params.t_cost()
    }

    /// Degree of parallelism (lanes).
    pub fn p_cost(&self) -> u32 {
        self.params.p_cost()
    }

    /// Hashes `password` with a fresh random 16-byte salt and returns the PHC string to store.
    ///
    /// # Errors
    ///
    /// [`AuthError::Hashing`] if Argon2 fails, which in practice means memory
    /// could not be allocated.
    pub fn hash(&self, password: &SecretString) -> Result<String, AuthError> {
        use argon2::PasswordHasher as _;
        let salt = SaltString::generate(&mut OsRng);
        self.argon2()
            .hash_password(password.expose_secret().as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(|e| AuthError::Hashing(e.to_string()))
    }

    /// Whether `password` matches the stored PHC string.
    ///
    /// Pass `None` when no account exists for the identifier given: the
    /// password is then checked against a dummy hash with this hasher's
    /// parameters and `false` is returned, so the response time does not tell
    /// an attacker which email addresses have accounts. A stored value that
    /// cannot be parsed is treated the same way. The comparison of hash
    /// outputs inside `argon2` is constant-time.
    ///
    /// The parameters used are those recorded in `phc`, so hashes made with
    /// older parameters still verify; see [`PasswordHasher::needs_rehash`].
    pub fn verify(&self, password: &SecretString, phc: Option<&str>) -> bool {
        let secret = password.expose_secret().as_bytes();
        if let Some(parsed) = phc.and_then(|phc| PasswordHash::new(phc).ok()) {
            return self.argon2().verify_password(secret, &parsed).is_ok();
        }
        self.burn_equivalent_time(secret);
        false
    }

    /// Does the same work as verifying against a hash with our parameters.
    fn burn_equivalent_time(&self, secret: &[u8]) {
        use argon2::PasswordHasher as _;
        match self
            .dummy_phc
            .as_deref()
            .and_then(|phc| PasswordHash::new(phc).ok())
        {
            Some(dummy) => {
                let _ = self.argon2().verify_password(secret, &dummy);
            }
            None => {
                let salt = SaltString::generate(&mut OsRng);
                let _ = self.argon2().hash_password(secret, &salt);
            }
        }
    }

    /// Whether a stored hash should be replaced (after a successful login,
    /// while the plaintext is at hand) because it is not Argon2id v0x13 with
    /// exactly this hasher's m, t and p costs. Unparseable values need a rehash.
    pub fn needs_rehash(&self, phc: &str) -> bool {
        let Ok(parsed) = PasswordHash::new(phc) else {
            return true;
        };
        if parsed.algorithm != Algorithm::Argon2id.ident()
            || parsed.version != Some(Version::V0x13.into())
        {
            return true;
        }
        match Params::try_from(&parsed) {
            Ok(stored) => {
                stored.m_cost() != self.params.m_cost()
                    || stored.t_cost() != self.params.t_cost()
                    || stored.p_cost() != self.params.p_cost()
                    || effective_output_len(&stored) != effective_output_len(&self.params)
            }
            Err(_) => true,
        }
    }
}

/// Hash output length in bytes, resolving "unset" to Argon2's default of 32.
fn effective_output_len(params: &Params) -> usize {
    params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN)
}

#[cfg(test)]
mod tests {
    use super::*;

    const EMAIL: &str = "sam.worker@council.example.gov.uk";

    fn secret(s: &str) -> SecretString {
        SecretString::from(s)
    }

    #[test]
    fn empty_password_is_refused_with_enter_a_password() {
        assert_eq!(check_new_password("", EMAIL), Err(PasswordProblem::Empty));
        assert_eq!(PasswordProblem::Empty.message(), "Enter a password");
    }

    #[test]
    fn password_of_nine_characters_is_too_short() {
        assert_eq!(
            check_new_password("kx9#Lmq2z", EMAIL),
            Err(PasswordProblem::TooShort)
        );
        assert_eq!(
            PasswordProblem::TooShort.message(),
            "Password must be 10 characters or more"
        );
    }

    #[test]
    fn password_of_ten_characters_is_long_enough() {
        assert_eq!(check_new_password("kx9#Lmq2zt", EMAIL), Ok(()));
    }

    #[test]
    fn password_length_counts_characters_not_bytes() {
        // 10 characters but 20+ bytes: accepted.
        assert_eq!(check_new_password("éàüöñçøåßœ", EMAIL), Ok(()));
        // 9 characters of 4 bytes each: still too short.
        assert_eq!(
            check_new_password("🦀🦀🦀🦀🦀🦀🦀🦀🦀", EMAIL),
            Err(PasswordProblem::TooShort)
        );
    }

    #[test]
    fn password_of_128_characters_is_allowed_and_129_is_too_long() {
        let ok: String = "correct horse battery staple "
            .chars()
            .cycle()
            .take(128)
            .collect();
        assert_eq!(check_new_password(&ok, EMAIL), Ok(()));
        let long = format!("{ok}x");
        assert_eq!(
            check_new_password(&long, EMAIL),
            Err(PasswordProblem::TooLong)
        );
    }

    #[test]
    fn no_composition_rules_lowercase_passphrase_is_accepted() {
        assert_eq!(
            check_new_password("purple elephants dance quietly", EMAIL),
            Ok(())
        );
    }

    #[test]
    fn common_passwords_are_refused_case_insensitively() {
        for common in [
            "password123",
            "Password123",
            "PASSWORD123",
            "1234567890",
            "qwertyuiop",
            "iloveyou123",
            "football123",
            "Summer2024!",
            "september2025",
            "safehub123",
            "1q2w3e4r5t",
            "Passw0rd123",
        ] {
            assert_eq!(
                check_new_password(common, EMAIL),
                Err(PasswordProblem::TooCommon),
                "{common:?} should be refused"
            );
        }
        assert_eq!(
            PasswordProblem::TooCommon.message(),
            "Password is too common - choose a different one"
        );
    }

    #[test]
    fn deny_list_has_about_a_thousand_lower_case_entries_without_comments() {
        let list = &*COMMON_PASSWORDS;
        assert!(list.len() >= 1_000, "only {} entries", list.len());
        assert!(list.iter().all(|p| *p == p.to_lowercase()));
        assert!(list.iter().all(|p| !p.starts_with('#') && !p.is_empty()));
        for expected in [
            "password", "123456", "qwerty", "football", "iloveyou", "safehub",
        ] {
            assert!(list.contains(expected), "{expected} missing");
        }
    }

    #[test]
    fn password_containing_email_local_part_is_refused_case_insensitively() {
        assert_eq!(
            check_new_password("my Sam.Worker secret", EMAIL),
            Err(PasswordProblem::ContainsEmail)
        );
        assert_eq!(
            PasswordProblem::ContainsEmail.message(),
            "Password must not include the first part of your email address"
        );
    }

    #[test]
    fn email_local_part_before_plus_tag_is_also_checked() {
        assert_eq!(
            check_new_password("zz-jbloggs-zz-99", "jbloggs+safehub@example.org"),
            Err(PasswordProblem::ContainsEmail)
        );
    }

    #[test]
    fn email_local_part_shorter_than_four_characters_is_not_checked() {
        assert_eq!(
            check_new_password("abc river lantern", "abc@example.org"),
            Ok(())
        );
        assert_eq!(
            check_new_password("abcd river lantern", "abcd@example.org"),
            Err(PasswordProblem::ContainsEmail)
        );
    }

    #[test]
    fn problem_display_is_the_user_message() {
        for problem in [
            PasswordProblem::Empty,
            PasswordProblem::TooShort,
            PasswordProblem::TooLong,
            PasswordProblem::TooCommon,
            PasswordProblem::ContainsEmail,
        ] {
            assert_eq!(problem.to_string(), problem.message());
        }
    }

    #[test]
    fn default_hasher_uses_owasp_argon2id_parameters() {
        let hasher = PasswordHasher::default();
        assert_eq!(
            (hasher.m_cost_kib(), hasher.t_cost(), hasher.p_cost()),
            (19_456, 2, 1)
        );
    }

    #[test]
    fn hash_then_verify_round_trips_with_argon2id_phc_string() {
        let hasher = PasswordHasher::fast_for_tests();
        let phc = hasher.hash(&secret("lantern river copper")).expect("hash");
        assert!(phc.starts_with("$argon2id$v=19$m=1024,t=1,p=1$"), "{phc}");
        assert!(hasher.verify(&secret("lantern river copper"), Some(&phc)));
    }

    #[test]
    fn verify_rejects_wrong_password() {
        let hasher = PasswordHasher::fast_for_tests();
        let phc = hasher.hash(&secret("lantern river copper")).expect("hash");
        assert!(!hasher.verify(&secret("lantern river coppeR"), Some(&phc)));
        assert!(!hasher.verify(&secret(""), Some(&phc)));
    }

    #[test]
    fn same_password_hashes_differently_each_time_because_of_salt() {
        let hasher = PasswordHasher::fast_for_tests();
        let a = hasher.hash(&secret("lantern river copper")).expect("hash");
        let b = hasher.hash(&secret("lantern river copper")).expect("hash");
        assert_ne!(a, b);
    }

    #[test]
    fn verify_for_unknown_user_returns_false_after_dummy_work() {
        let hasher = PasswordHasher::fast_for_tests();
        assert!(hasher.dummy_phc.is_some());
        assert!(!hasher.verify(&secret("lantern river copper"), None));
        assert!(!hasher.verify(&secret(""), None));
    }

    #[test]
    fn verify_against_corrupt_stored_hash_returns_false() {
        let hasher = PasswordHasher::fast_for_tests();
        assert!(!hasher.verify(&secret("lantern river copper"), Some("not a phc string")));
    }

    #[test]
    fn hashes_made_with_other_parameters_still_verify() {
        let old = PasswordHasher::new(2_048, 1, 1).expect("params");
        let phc = old.hash(&secret("lantern river copper")).expect("hash");
        let current = PasswordHasher::fast_for_tests();
        assert!(current.verify(&secret("lantern river copper"), Some(&phc)));
    }

    #[test]
    fn needs_rehash_only_when_parameters_or_algorithm_differ() {
        let fast = PasswordHasher::fast_for_tests();
        let phc = fast.hash(&secret("lantern river copper")).expect("hash");
        assert!(!fast.needs_rehash(&phc));
        let stronger = PasswordHasher::new(2_048, 1, 1).expect("params");
        assert!(stronger.needs_rehash(&phc));
        let more_time = PasswordHasher::new(1_024, 2, 1).expect("params");
        assert!(more_time.needs_rehash(&phc));
        assert!(fast.needs_rehash("garbage"));
        // An Argon2i hash with the same costs still needs upgrading to Argon2id.
        let argon2i = phc.replacen("$argon2id$", "$argon2i$", 1);
        assert!(fast.needs_rehash(&argon2i));
    }

    #[test]
    fn invalid_hasher_parameters_are_an_error() {
        assert!(matches!(
            PasswordHasher::new(1_024, 0, 1),
            Err(AuthError::InvalidHashParams(_))
        ));
        assert!(matches!(
            PasswordHasher::new(4, 1, 1),
            Err(AuthError::InvalidHashParams(_))
        ));
    }

    #[test]
    fn debug_output_shows_costs_only() {
        let text = format!("{:?}", PasswordHasher::fast_for_tests());
        assert!(text.contains("m_cost_kib: 1024"));
        assert!(!text.contains("argon2id$"));
    }
}
