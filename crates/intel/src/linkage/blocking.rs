//! Blocking: which pairs of mentions are compared at all.
//!
//! Each mention gets a handful of keys under independent rules (surname sound + initial,
//! given name + date of birth, phone, e-mail, plate with one unknown position, ...). Two
//! mentions are a candidate pair when they share a key under any rule, so a typo in one
//! field does not lose the pair. A key shared by more than `max_block` mentions (a frequent
//! name, a default date) is dropped and counted: the pair count stays bounded by
//! `rules x mentions x max_block / 2` however skewed the data, and recall is kept by the
//! other rules.

use std::hash::{BuildHasher, Hash, Hasher};

use super::mention::Fields;
use crate::hashing::FixedBuild;
use crate::normalise::vrm::for_each_vrm_blocking_key;

fn key(rule: u8, parts: &[&str]) -> u64 {
    let mut h = FixedBuild.build_hasher();
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
pub fn blocking_keys<M: Fields + ?Sized>(m: &M) -> Vec<u64> {
    let mut keys = Vec::with_capacity(16);
    let first = m.first_name();
    let surname = m.surname();
    let dob = m.dob().map(|d| d.digits());
    let dob = dob.as_ref().and_then(|d| std::str::from_utf8(d).ok());
    if let (Some(f), Some(s)) = (first, surname) {
        let (sound, f_code, s_code) = (
            m.surname_soundex().unwrap_or_default(),
            m.first_name_nysiis().unwrap_or_default(),
            m.surname_nysiis().unwrap_or_default(),
        );
        keys.push(key(0, &[&sound, initial(f)]));
        keys.push(key(1, &[&f_code, &s_code]));
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
        if let Some(p) = m.postcode() {
            keys.push(key(5, &[d, &p.full]));
        }
        if let Some(f) = first {
            keys.push(key(6, &[d, initial(f)]));
        }
    }
    if let Some(p) = m.phone() {
        keys.push(key(7, &[p]));
    }
    if let Some(e) = m.email() {
        keys.push(key(8, &[e]));
        keys.push(key(9, &[e.split('@').next().unwrap_or("")]));
    }
    if let Some(id) = m.national_id() {
        keys.push(key(10, &[id]));
    }
    if let Some(v) = m.vrm() {
        for_each_vrm_blocking_key(v, |k| keys.push(key(11, &[k])));
    }
    if let Some(p) = m.postcode() {
        if let Some(s) = surname {
            keys.push(key(12, &[&p.full, initial(s)]));
        }
        if let Some(f) = first {
            keys.push(key(13, &[&p.full, initial(f)]));
        }
    }
    if let Some(a) = m.address() {
        keys.push(key(14, &[a]));
    }
    if let Some(n) = m.nickname() {
        keys.push(key(15, &[n]));
        if let Some(sound) = m.surname_soundex() {
            keys.push(key(16, &[n, &sound]));
        }
    }
    keys.sort_unstable();
    keys.dedup();
    keys
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linkage::mention::{Field, Mention};

    fn mention(fields: &[(Field, &str)]) -> Mention {
        let mut m = Mention::new("x");
        for (f, v) in fields {
            m.set(*f, v).expect("valid");
        }
        m
    }

    // R5.2: swapped names, a nickname and a reformatted phone still meet in a block.
    #[test]
    fn variants_share_a_key() {
        let a = mention(&[
            (Field::FirstName, "Jamal"),
            (Field::Surname, "Reid"),
            (Field::Phone, "07700 900123"),
        ]);
        let b = mention(&[(Field::FirstName, "Reid"), (Field::Surname, "Jamal")]);
        let c = mention(&[(Field::Nickname, "Jay"), (Field::Phone, "+447700900123")]);
        let shared = |x: &Mention, y: &Mention| {
            let ky = blocking_keys(y);
            blocking_keys(x).iter().any(|k| ky.contains(k))
        };
        assert!(shared(&a, &b), "full name in either order");
        assert!(shared(&a, &c), "phone");
        assert!(!shared(&b, &c));
        assert!(blocking_keys(&Mention::new("empty")).is_empty());
    }
}
