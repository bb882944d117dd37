//! Blocking: which pairs of mentions are compared at all.
//!
//! Each mention gets a handful of keys under independent rules (surname sound + initial,
//! given name + date of birth, phone, e-mail, plate with one unknown position, ...). Two
//! mentions are a candidate pair when they share a key under any rule, so a typo in one
//! field does not lose the pair. A key shared by more than `max_block` mentions (a frequent
//! name, a default date) is dropped and counted: the pair count stays bounded by
//! `rules x mentions x max_block / 2` however skewed the data, and recall is kept by the
//! other rules.

use std::hash::{BuildHasher, Hasher};

use super::mention::Fields;
use crate::hashing::FixedBuild;
use crate::normalise::vrm::for_each_vrm_blocking_key;
use crate::normalise::{Date, Vrm};

/// What blocking keys are made of: a value, or something derived from one. Each part is
/// hashed on its own ([`text_hash`]) and a key is a hash of its rule and parts, so that a
/// table can hash each distinct value once and make a million mentions' keys from those.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// Given name(s).
    FirstName,
    /// First letter of the given name(s).
    FirstInitial,
    /// NYSIIS code of the given name(s).
    FirstNysiis,
    /// Surname.
    Surname,
    /// First letter of the surname.
    SurnameInitial,
    /// NYSIIS code of the surname.
    SurnameNysiis,
    /// Soundex code of the surname.
    SurnameSoundex,
    /// Nickname.
    Nickname,
    /// Date of birth (`YYYYMMDD`).
    Dob,
    /// Whole postcode.
    Postcode,
    /// Phone number.
    Phone,
    /// E-mail address.
    Email,
    /// The part of an e-mail address before `@`.
    EmailUser,
    /// National identifier.
    NationalId,
    /// Address.
    Address,
}

/// The hash of a part's text. The key is fixed: the order of blocks decides which block
/// proposes a pair and which blocks a training sample takes.
pub fn text_hash(text: &str) -> u64 {
    FixedBuild.hash_one(text)
}

/// The hash of a date as the text of its eight digits (`YYYYMMDD`).
pub fn date_hash(d: Date) -> u64 {
    // The digits are ASCII, so they are always text.
    std::str::from_utf8(&d.digits()).map_or(0, text_hash)
}

/// The first letter of a name ("" for none).
pub fn initial(s: &str) -> &str {
    s.get(..1).unwrap_or("")
}

/// The part of an e-mail address before `@`.
pub fn email_user(e: &str) -> &str {
    e.split('@').next().unwrap_or("")
}

/// A part of a mention, hashed from its text (`None` when the value is missing).
pub fn part_from_text<M: Fields + ?Sized>(m: &M, part: Part) -> Option<u64> {
    Some(match part {
        Part::FirstName => text_hash(m.first_name()?),
        Part::FirstInitial => text_hash(initial(m.first_name()?)),
        Part::FirstNysiis => text_hash(&m.first_name_nysiis()?),
        Part::Surname => text_hash(m.surname()?),
        Part::SurnameInitial => text_hash(initial(m.surname()?)),
        Part::SurnameNysiis => text_hash(&m.surname_nysiis()?),
        Part::SurnameSoundex => text_hash(&m.surname_soundex()?),
        Part::Nickname => text_hash(m.nickname()?),
        Part::Dob => date_hash(m.dob()?),
        Part::Postcode => text_hash(&m.postcode()?.full),
        Part::Phone => text_hash(m.phone()?),
        Part::Email => text_hash(m.email()?),
        Part::EmailUser => text_hash(email_user(m.email()?)),
        Part::NationalId => text_hash(m.national_id()?),
        Part::Address => text_hash(m.address()?),
    })
}

/// The rule of plate keys.
const PLATE_RULE: u8 = 11;

/// Adds the blocking keys of a plate ([`for_each_vrm_blocking_key`]) to `keys`.
pub fn plate_keys(v: &Vrm, keys: &mut Vec<u64>) {
    for_each_vrm_blocking_key(v, |k| keys.push(key(PLATE_RULE, &[text_hash(k)])));
}

/// The plate keys of a mention, made from its text.
pub fn plate_keys_from_text<M: Fields + ?Sized>(m: &M, keys: &mut Vec<u64>) {
    if let Some(v) = m.vrm() {
        plate_keys(v, keys);
    }
}

/// A key: its rule and its parts' hashes.
fn key(rule: u8, parts: &[u64]) -> u64 {
    let mut h = FixedBuild.build_hasher();
    h.write_u8(rule);
    for &p in parts {
        h.write_u64(p);
    }
    h.finish()
}

/// The blocking keys of one mention (hashed; rule number mixed in), ascending, without
/// repeats.
pub fn blocking_keys<M: Fields + ?Sized>(m: &M) -> Vec<u64> {
    let mut keys = Vec::with_capacity(16);
    blocking_keys_into(m, &mut keys);
    keys
}

/// [`blocking_keys`] into `keys` (cleared first), so that one buffer serves many mentions.
pub fn blocking_keys_into<M: Fields + ?Sized>(m: &M, keys: &mut Vec<u64>) {
    keys.clear();
    let part = |p: Part| m.key_part(p);
    let first = part(Part::FirstName);
    let surname = part(Part::Surname);
    let dob = part(Part::Dob);
    let postcode = part(Part::Postcode);
    if let (Some(f), Some(s)) = (first, surname) {
        let none = text_hash("");
        let sound = part(Part::SurnameSoundex).unwrap_or(none);
        let f_code = part(Part::FirstNysiis).unwrap_or(none);
        let s_code = part(Part::SurnameNysiis).unwrap_or(none);
        keys.push(key(0, &[sound, part(Part::FirstInitial).unwrap_or(none)]));
        keys.push(key(1, &[f_code, s_code]));
        // Full name in either order, so swapped names meet.
        keys.push(key(2, &[f.min(s), f.max(s)]));
    }
    if let (Some(f), Some(d)) = (first, dob) {
        keys.push(key(3, &[f, d]));
    }
    if let (Some(s), Some(d)) = (surname, dob) {
        keys.push(key(4, &[s, d]));
    }
    if let Some(d) = dob {
        if let Some(p) = postcode {
            keys.push(key(5, &[d, p]));
        }
        if let Some(f) = part(Part::FirstInitial) {
            keys.push(key(6, &[d, f]));
        }
    }
    if let Some(p) = part(Part::Phone) {
        keys.push(key(7, &[p]));
    }
    if let Some(e) = part(Part::Email) {
        keys.push(key(8, &[e]));
        keys.extend(part(Part::EmailUser).map(|u| key(9, &[u])));
    }
    if let Some(id) = part(Part::NationalId) {
        keys.push(key(10, &[id]));
    }
    m.plate_keys(keys);
    if let Some(p) = postcode {
        if let Some(s) = part(Part::SurnameInitial) {
            keys.push(key(12, &[p, s]));
        }
        if let Some(f) = part(Part::FirstInitial) {
            keys.push(key(13, &[p, f]));
        }
    }
    if let Some(a) = part(Part::Address) {
        keys.push(key(14, &[a]));
    }
    if let Some(n) = part(Part::Nickname) {
        keys.push(key(15, &[n]));
        if let Some(sound) = part(Part::SurnameSoundex) {
            keys.push(key(16, &[n, sound]));
        }
    }
    keys.sort_unstable();
    keys.dedup();
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
