//! A fast hash for the engine's own tables: distinct values, blocking keys, patterns.
//!
//! The standard library's SipHash is made to resist crafted collisions at some cost per
//! byte; here millions of short values are hashed several times each. This hash folds in
//! eight bytes at a time with a wide multiplication and finishes with a full avalanche.
//!
//! - [`FastBuild`], for the tables of distinct values, is keyed once per process from the
//!   standard library's random source, so a crafted input cannot aim at its buckets.
//!   Nothing depends on those hash values: equal values always hash equal, and the tables
//!   resolve collisions by comparing values.
//! - [`FixedBuild`], for blocking keys, has a fixed key: the order of the blocks decides
//!   which block proposes a pair and which blocks a training sample takes, and results
//!   must be the same from run to run. A crafted collision of two keys could only join
//!   two blocks, which repeating one real key does as well.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hash, Hasher};
use std::sync::OnceLock;

const MULTIPLIER: u64 = 0x9E37_79B9_7F4A_7C15;

fn process_key() -> u64 {
    static KEY: OnceLock<u64> = OnceLock::new();
    *KEY.get_or_init(|| RandomState::new().hash_one(0x5AFE_u64))
}

/// The hasher.
#[derive(Debug, Clone, Copy)]
pub struct FastHasher(u64);

impl FastHasher {
    /// Folds a word in: the full 128-bit product of state and constant, its halves
    /// xored, so every bit of the word reaches every bit of the state.
    #[inline]
    fn mix(&mut self, word: u64) {
        let product = u128::from(self.0 ^ word) * u128::from(MULTIPLIER);
        self.0 = (product as u64) ^ ((product >> 64) as u64);
    }
}

impl Hasher for FastHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(c);
            self.mix(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.mix(u64::from_le_bytes(word) ^ ((rest.len() as u64) << 59));
        }
    }

    #[inline]
    fn write_u8(&mut self, v: u8) {
        self.mix(u64::from(v) | 0x100);
    }

    #[inline]
    fn write_u32(&mut self, v: u32) {
        self.mix(u64::from(v));
    }

    #[inline]
    fn write_u64(&mut self, v: u64) {
        self.mix(v);
    }

    #[inline]
    fn write_usize(&mut self, v: usize) {
        self.mix(v as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        // splitmix64's finaliser: every input bit reaches every output bit.
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// Builds [`FastHasher`]s with the process's key.
#[derive(Debug, Clone, Copy, Default)]
pub struct FastBuild;

impl BuildHasher for FastBuild {
    type Hasher = FastHasher;

    fn build_hasher(&self) -> FastHasher {
        FastHasher(process_key())
    }
}

/// Builds [`FastHasher`]s with a fixed key, for values whose hashes order results.
#[derive(Debug, Clone, Copy, Default)]
pub struct FixedBuild;

impl BuildHasher for FixedBuild {
    type Hasher = FastHasher;

    fn build_hasher(&self) -> FastHasher {
        FastHasher(0x243F_6A88_85A3_08D3)
    }
}

/// The next place to look in a table indexed by hash, after a collision of two different
/// values on one hash.
#[inline]
pub(crate) fn probe(h: u64) -> u64 {
    h.wrapping_mul(MULTIPLIER).wrapping_add(1)
}

/// The hash of one value.
#[inline]
pub fn hash_of<T: Hash + ?Sized>(v: &T) -> u64 {
    FastBuild.hash_one(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn equal_values_hash_equal_and_near_values_apart() {
        assert_eq!(hash_of("jamal"), hash_of(&String::from("jamal")));
        assert_eq!(hash_of("jamal"), hash_of(&Box::<str>::from("jamal")));
        let words: Vec<String> = (0..100_000).map(|i| format!("m{i}")).collect();
        let hashes: HashSet<u64> = words.iter().map(|w| hash_of(w.as_str())).collect();
        assert_eq!(hashes.len(), words.len());
        // Composite keys of structured parts (a rule, a date, an initial) do not collide.
        let mut keys = HashSet::new();
        for rule in 0u8..4 {
            for day in 0..20_000 {
                for initial in ["a", "b", "c", "d", "e"] {
                    let date = format!("{:08}", 19_000_000 + day);
                    assert!(keys.insert(hash_of(&(rule, date.as_str(), initial))));
                }
            }
        }
        // Prefixes and padding do not collide with the whole.
        assert_ne!(hash_of("ab"), hash_of("ab\0"));
        assert_ne!(hash_of(&("a", "bc")), hash_of(&("ab", "c")));
    }
}
