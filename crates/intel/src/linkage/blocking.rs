//! Blocking: which pairs of mentions are compared at all.
//!
//! Each mention gets a handful of keys under independent rules (surname sound + initial,
//! given name + date of birth, phone, e-mail, plate with one unknown position, ...). Two
//! mentions are a candidate pair when they share a key under any rule, so a typo in one
//! field does not lose the pair. A key shared by more than `max_block` mentions (a frequent
//! name, a default date) is dropped and counted: the pair count stays bounded by
//! `rules x mentions x max_block / 2` however skewed the data, and recall is kept by the
//! other rules.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};

use super::mention::Mention;
use crate::normalise::{nysiis, soundex, vrm::vrm_blocking_keys};

fn key(rule: u8, parts: &[&str]) -> u64 {
    let mut h = DefaultHasher::new();
    rule.hash(&mut h);
    for p in parts {
        p.hash(&mut h);
    }
    h.finish()
}

fn initial(s: &str) -> &str {
    s.get(..1).unwrap_or("")
}

/// The blocking keys of one mention (hashed; rule number mixed in).
pub fn blocking_keys(m: &Mention) -> Vec<u64> {
    let mut keys = Vec::with_capacity(16);
    let first = m.first_name.as_deref();
    let surname = m.surname.as_deref();
    let dob = m.dob.map(|d| d.compact());
    let dob = dob.as_deref();
    if let (Some(f), Some(s)) = (first, surname) {
        keys.push(key(0, &[&soundex(s), initial(f)]));
        keys.push(key(1, &[&nysiis(f), &nysiis(s)]));
        // Full name in either order, so swapped names meet.
        let (lo, hi) = if f <= s { (f, s) } else { (s, f) };
        keys.push(key(2, &[lo, hi]));
    }
    if let (Some(f), Some(d)) = (first, dob) {
        keys.push(key(3, &[f, d]));
    }
    if let (Some(s), Some(d)) = (surname, dob) {
        keys.push(key(4, &[s, d]));
    }
    if let Some(d) = dob {
        if let Some(p) = &m.postcode {
            keys.push(key(5, &[d, &p.full]));
        }
        if let Some(f) = first {
            keys.push(key(6, &[d, initial(f)]));
        }
    }
    if let Some(p) = &m.phone {
        keys.push(key(7, &[p]));
    }
    if let Some(e) = &m.email {
        keys.push(key(8, &[e]));
        keys.push(key(9, &[e.split('@').next().unwrap_or("")]));
    }
    if let Some(id) = &m.national_id {
        keys.push(key(10, &[id]));
    }
    if let Some(v) = &m.vrm {
        for k in vrm_blocking_keys(v) {
            keys.push(key(11, &[&k]));
        }
    }
    if let Some(p) = &m.postcode {
        if let Some(s) = surname {
            keys.push(key(12, &[&p.full, initial(s)]));
        }
        if let Some(f) = first {
            keys.push(key(13, &[&p.full, initial(f)]));
        }
    }
    if let Some(a) = &m.address {
        keys.push(key(14, &[a]));
    }
    if let Some(n) = &m.nickname {
        keys.push(key(15, &[n]));
        if let Some(s) = surname {
            keys.push(key(16, &[n, &soundex(s)]));
        }
    }
    keys.sort_unstable();
    keys.dedup();
    keys
}

/// An index from blocking key to the mentions that have it.
#[derive(Debug, Default)]
pub struct BlockIndex {
    blocks: HashMap<u64, Vec<u32>>,
}

impl BlockIndex {
    /// Adds a mention under its keys.
    pub fn insert(&mut self, idx: u32, keys: &[u64]) {
        for k in keys {
            self.blocks.entry(*k).or_default().push(idx);
        }
    }

    /// The mentions sharing a key, or an empty slice.
    pub fn block(&self, key: u64) -> &[u32] {
        self.blocks.get(&key).map_or(&[], Vec::as_slice)
    }

    /// All candidate pairs `(i, j)` with `i < j`, sorted and without duplicates, from blocks
    /// of at most `max_block` mentions; also returns how many blocks were too large.
    pub fn candidate_pairs(&self, max_block: usize) -> (Vec<(u32, u32)>, usize) {
        let mut pairs = Vec::new();
        let mut capped = 0usize;
        for members in self.blocks.values() {
            if members.len() < 2 {
                continue;
            }
            if members.len() > max_block {
                capped += 1;
                continue;
            }
            for (x, &i) in members.iter().enumerate() {
                for &j in &members[x + 1..] {
                    pairs.push(if i < j { (i, j) } else { (j, i) });
                }
            }
        }
        pairs.sort_unstable();
        pairs.dedup();
        (pairs, capped)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linkage::mention::Field;

    fn mention(i: usize, fields: &[(Field, &str)]) -> Mention {
        let mut m = Mention::new(i.to_string());
        for (f, v) in fields {
            m.set(*f, v).expect("valid");
        }
        m
    }

    // R5.2: blocking keeps recall (a shared phone or plate alone makes a pair).
    #[test]
    fn shared_phone_or_partial_plate_makes_a_pair() {
        let ms = [
            mention(
                0,
                &[(Field::FirstName, "Jay"), (Field::Phone, "07700900123")],
            ),
            mention(
                1,
                &[(Field::FirstName, "Jamal"), (Field::Phone, "+447700900123")],
            ),
            mention(2, &[(Field::Vrm, "AB12CDE")]),
            mention(3, &[(Field::Vrm, "AB1? CDE")]),
            mention(4, &[(Field::Surname, "Nobody")]),
        ];
        let mut index = BlockIndex::default();
        for (i, m) in ms.iter().enumerate() {
            index.insert(i as u32, &blocking_keys(m));
        }
        let (pairs, capped) = index.candidate_pairs(100);
        assert_eq!(pairs, vec![(0, 1), (2, 3)]);
        assert_eq!(capped, 0);
    }

    // R5.2: a frequent key cannot explode the pair count.
    #[test]
    fn frequent_keys_are_capped() {
        let mut index = BlockIndex::default();
        let m = mention(0, &[(Field::FirstName, "John"), (Field::Surname, "Smith")]);
        let keys = blocking_keys(&m);
        for i in 0..1000 {
            index.insert(i, &keys);
        }
        let (pairs, capped) = index.candidate_pairs(50);
        assert!(pairs.is_empty());
        assert_eq!(capped, keys.len());
    }
}
