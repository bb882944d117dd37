//! One-time recovery codes for when the second factor is lost: generation and storage hashing.

use std::collections::HashSet;

use rand::Rng;
use rand::rngs::OsRng;
use secrecy::SecretString;
use sha2::{Digest, Sha256};

/// How many codes to issue at a time.
pub const RECOVERY_CODE_COUNT: usize = 10;

/// Symbols used in codes: lower-case letters and digits without the easily
/// confused `0 o 1 l i`. 31 symbols, so a 12-symbol code carries
/// 12 × log2(31) ≈ 59.5 bits of entropy.
const ALPHABET: &[u8; 31] = b"23456789abcdefghjkmnpqrstuvwxyz";

/// Symbols per group, and groups per code: `xxxx-xxxx-xxxx`.
const GROUP_LEN: usize = 4;
const GROUPS: usize = 3;

/// Generates `n` distinct recovery codes such as `7hq4-mzc2-wkp9`
/// (use [`RECOVERY_CODE_COUNT`] for the usual 10).
///
/// Each is 12 symbols drawn uniformly from a 31-symbol unambiguous alphabet
/// by the operating system's CSPRNG (≈ 59.5 bits). Show them to the user once
/// and store only [`hash_recovery_code`] of each; each code is single-use.
pub fn generate_recovery_codes(n: usize) -> Vec<SecretString> {
    let mut seen = HashSet::with_capacity(n);
    let mut codes = Vec::with_capacity(n);
    while codes.len() < n {
        let code = generate_one();
        // Collisions are astronomically unlikely, but a duplicate would
        // silently give the user one code fewer than promised.
        if seen.insert(hash_recovery_code(&code)) {
            codes.push(SecretString::from(code));
        }
    }
    codes
}

fn generate_one() -> String {
    let mut rng = OsRng;
    let mut code = String::with_capacity(GROUPS * (GROUP_LEN + 1));
    for group in 0..GROUPS {
        if group > 0 {
            code.push('-');
        }
        for _ in 0..GROUP_LEN {
            code.push(char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())]));
        }
    }
    code
}

/// The canonical form of a code as typed: lower case, with hyphens and
/// whitespace removed, so `7HQ4 MZC2 WKP9` and `7hq4-mzc2-wkp9` are the same code.
pub fn normalise_recovery_code(code: &str) -> String {
    code.chars()
        .filter(|c| *c != '-' && !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The value to store for a recovery code, and to look up when one is
/// presented: SHA-256 of [`normalise_recovery_code`], as lower-case hex.
///
/// A fast, unsalted hash is right here, unlike for passwords. Passwords are
/// chosen by people and are guessable, so they need a slow, salted hash
/// (Argon2id). Recovery codes are generated with ≈ 60 bits of randomness: a
/// stolen table of SHA-256 digests still needs about 2^59 guesses per code, and
/// a salt adds nothing when no two codes are alike. Being unsalted and
/// deterministic also lets the presented code be found by an indexed lookup
/// instead of trying every stored hash with a slow function. Online guessing
/// is limited by rate limiting, not by hash cost.
pub fn hash_recovery_code(code: &str) -> String {
    hex::encode(Sha256::digest(normalise_recovery_code(code).as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    #[test]
    fn ten_codes_are_generated_in_three_groups_of_four_from_the_unambiguous_alphabet() {
        let codes = generate_recovery_codes(RECOVERY_CODE_COUNT);
        assert_eq!(codes.len(), 10);
        for code in &codes {
            let code = code.expose_secret();
            let groups: Vec<&str> = code.split('-').collect();
            assert_eq!(groups.len(), 3, "{code}");
            assert!(groups.iter().all(|g| g.len() == 4), "{code}");
            assert!(
                code.bytes()
                    .filter(|b| *b != b'-')
                    .all(|b| ALPHABET.contains(&b)),
                "{code}"
            );
            assert!(!code.contains(['0', 'o', '1', 'l', 'i']), "{code}");
        }
    }

    #[test]
    fn generated_codes_are_distinct() {
        let codes = generate_recovery_codes(RECOVERY_CODE_COUNT);
        let unique: HashSet<&str> = codes.iter().map(|c| c.expose_secret()).collect();
        assert_eq!(unique.len(), codes.len());
    }

    #[test]
    fn zero_codes_can_be_requested() {
        assert!(generate_recovery_codes(0).is_empty());
    }

    #[test]
    fn alphabet_has_31_distinct_symbols_giving_about_60_bits_per_code() {
        let distinct: HashSet<u8> = ALPHABET.iter().copied().collect();
        assert_eq!(distinct.len(), 31);
        let bits = (GROUPS * GROUP_LEN) as f64 * (ALPHABET.len() as f64).log2();
        assert!((59.0..61.0).contains(&bits), "{bits}");
    }

    #[test]
    fn normalisation_lowercases_and_removes_hyphens_and_spaces() {
        assert_eq!(normalise_recovery_code(" 7HQ4-mzc2 WKP9\t"), "7hq4mzc2wkp9");
    }

    #[test]
    fn hash_is_the_same_however_the_code_is_typed() {
        let stored = hash_recovery_code("7hq4-mzc2-wkp9");
        assert_eq!(hash_recovery_code("7HQ4 MZC2 WKP9"), stored);
        assert_eq!(hash_recovery_code("7hq4mzc2wkp9"), stored);
        assert_eq!(hash_recovery_code("7Hq4-Mzc2-Wkp9 "), stored);
        assert_ne!(hash_recovery_code("7hq4-mzc2-wkp8"), stored);
    }

    #[test]
    fn hash_is_sha256_hex_of_the_normalised_code() {
        // SHA-256("abc"), FIPS 180-2 example.
        assert_eq!(
            hash_recovery_code("A-B C"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
