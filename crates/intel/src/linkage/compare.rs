//! Field-by-field comparison of two mentions into graded agreement levels, each with an
//! analyst-readable description (WM-25.1: "same phone after normalisation; nickname
//! Jay ~ Jamal; plate differs by one confusable character").
//!
//! Level 0 is always the strongest agreement and the last level always "different". A
//! comparison where either side is missing gives no level and contributes no evidence.

use std::hash::{DefaultHasher, Hash, Hasher};

use super::mention::Mention;
use crate::normalise::{VrmMatch, compare_vrm, names::shared_given_name, nysiis};
use crate::similarity::{jaro_winkler, osa_distance, token_jaccard};

/// One comparison of the model, usually one input field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Comparison {
    /// Given names, with nicknames and variants.
    FirstName,
    /// Surnames.
    Surname,
    /// Nicknames.
    Nickname,
    /// Dates of birth.
    Dob,
    /// Gender.
    Gender,
    /// Phone numbers.
    Phone,
    /// E-mail addresses.
    Email,
    /// Vehicle registrations.
    Vrm,
    /// Vehicle makes.
    Make,
    /// Vehicle models.
    Model,
    /// Vehicle colours.
    Colour,
    /// Addresses.
    Address,
    /// Postcodes.
    Postcode,
    /// Towns.
    City,
    /// Places of birth.
    BirthPlace,
    /// Occupations.
    Occupation,
    /// National identifiers.
    NationalId,
}

/// Static description of a comparison: its level names and default m-probabilities (the
/// chance that two mentions of the same entity fall in each level).
#[derive(Debug)]
pub struct Spec {
    /// The comparison.
    pub comparison: Comparison,
    /// The name shown in explanations.
    pub name: &'static str,
    /// A short description of each level, strongest first.
    pub levels: &'static [&'static str],
    /// Default m-probabilities, one per level, summing to 1.
    pub m: &'static [f64],
}

/// The comparisons of the model, in evaluation order.
pub const SPECS: &[Spec] = &[
    Spec {
        comparison: Comparison::FirstName,
        name: "first name",
        levels: &[
            "same",
            "nickname or variant",
            "very similar",
            "similar",
            "different",
        ],
        m: &[0.78, 0.04, 0.08, 0.05, 0.05],
    },
    Spec {
        comparison: Comparison::Surname,
        name: "surname",
        levels: &["same", "very similar", "similar", "different"],
        m: &[0.82, 0.08, 0.05, 0.05],
    },
    Spec {
        comparison: Comparison::Nickname,
        name: "nickname",
        levels: &["same", "different"],
        m: &[0.7, 0.3],
    },
    Spec {
        comparison: Comparison::Dob,
        name: "date of birth",
        levels: &[
            "same",
            "one typo or day/month swapped",
            "within a year",
            "different",
        ],
        m: &[0.80, 0.12, 0.04, 0.04],
    },
    Spec {
        comparison: Comparison::Gender,
        name: "gender",
        levels: &["same", "different"],
        m: &[0.95, 0.05],
    },
    Spec {
        comparison: Comparison::Phone,
        name: "phone",
        levels: &[
            "same after normalisation",
            "one digit wrong or swapped",
            "different",
        ],
        m: &[0.75, 0.10, 0.15],
    },
    Spec {
        comparison: Comparison::Email,
        name: "e-mail",
        levels: &["same", "same or similar user name", "different"],
        m: &[0.75, 0.10, 0.15],
    },
    Spec {
        comparison: Comparison::Vrm,
        name: "vehicle registration",
        levels: &[
            "same",
            "same up to confusable characters",
            "partial plate compatible",
            "one character different",
            "different",
        ],
        m: &[0.65, 0.10, 0.10, 0.05, 0.10],
    },
    Spec {
        comparison: Comparison::Make,
        name: "vehicle make",
        levels: &["same", "different"],
        m: &[0.85, 0.15],
    },
    Spec {
        comparison: Comparison::Model,
        name: "vehicle model",
        levels: &["same", "similar", "different"],
        m: &[0.75, 0.10, 0.15],
    },
    Spec {
        comparison: Comparison::Colour,
        name: "vehicle colour",
        levels: &["same", "same colour family", "different"],
        m: &[0.75, 0.12, 0.13],
    },
    Spec {
        comparison: Comparison::Address,
        name: "address",
        levels: &["same", "similar", "different"],
        m: &[0.70, 0.15, 0.15],
    },
    Spec {
        comparison: Comparison::Postcode,
        name: "postcode",
        levels: &[
            "same",
            "same sector or one character different",
            "same district",
            "different",
        ],
        m: &[0.75, 0.10, 0.05, 0.10],
    },
    Spec {
        comparison: Comparison::City,
        name: "town",
        levels: &["same", "similar", "different"],
        m: &[0.75, 0.10, 0.15],
    },
    Spec {
        comparison: Comparison::BirthPlace,
        name: "place of birth",
        levels: &["same", "similar", "different"],
        m: &[0.85, 0.05, 0.10],
    },
    Spec {
        comparison: Comparison::Occupation,
        name: "occupation",
        levels: &["same", "different"],
        m: &[0.8, 0.2],
    },
    Spec {
        comparison: Comparison::NationalId,
        name: "national identifier",
        levels: &["same", "one character different", "different"],
        m: &[0.85, 0.10, 0.05],
    },
];

fn hash_str(tag: u8, s: &str) -> u64 {
    let mut h = DefaultHasher::new();
    tag.hash(&mut h);
    s.hash(&mut h);
    h.finish()
}

/// The value whose frequency sets the weight of an exact agreement (term-frequency
/// adjustment): agreeing on a rare surname says more than agreeing on `smith`.
pub fn value_hash(c: Comparison, m: &Mention) -> Option<u64> {
    let tag = c as u8;
    match c {
        Comparison::FirstName => m.first_name.as_deref().map(|v| hash_str(tag, v)),
        Comparison::Surname => m.surname.as_deref().map(|v| hash_str(tag, v)),
        Comparison::Nickname => m.nickname.as_deref().map(|v| hash_str(tag, v)),
        Comparison::Dob => m.dob.map(|d| hash_str(tag, &d.compact())),
        Comparison::Gender => m.gender.as_deref().map(|v| hash_str(tag, v)),
        Comparison::Phone => m.phone.as_deref().map(|v| hash_str(tag, v)),
        Comparison::Email => m.email.as_deref().map(|v| hash_str(tag, v)),
        Comparison::Vrm => m.vrm.as_ref().map(|v| hash_str(tag, &v.plate)),
        Comparison::Make => m.make.as_deref().map(|v| hash_str(tag, v)),
        Comparison::Model => m.model.as_deref().map(|v| hash_str(tag, v)),
        Comparison::Colour => m.colour.as_ref().map(|v| hash_str(tag, &v.name)),
        Comparison::Address => m.address.as_deref().map(|v| hash_str(tag, v)),
        Comparison::Postcode => m.postcode.as_ref().map(|v| hash_str(tag, &v.full)),
        Comparison::City => m.city.as_deref().map(|v| hash_str(tag, v)),
        Comparison::BirthPlace => m.birth_place.as_deref().map(|v| hash_str(tag, v)),
        Comparison::Occupation => m.occupation.as_deref().map(|v| hash_str(tag, v)),
        Comparison::NationalId => m.national_id.as_deref().map(|v| hash_str(tag, v)),
    }
}

fn both<'a, T: ?Sized>(a: Option<&'a T>, b: Option<&'a T>) -> Option<(&'a T, &'a T)> {
    Some((a?, b?))
}

fn first_token(s: &str) -> &str {
    s.split(' ').next().unwrap_or(s)
}

fn text_level(a: &str, b: &str, high: f64) -> u8 {
    if a == b {
        0
    } else if jaro_winkler(a, b) >= high {
        1
    } else {
        2
    }
}

/// Whether the given and family names appear swapped between the two mentions.
pub fn names_swapped(a: &Mention, b: &Mention) -> bool {
    match (&a.first_name, &a.surname, &b.first_name, &b.surname) {
        (Some(af), Some(asn), Some(bf), Some(bsn)) => af != bf && af == bsn && asn == bf,
        _ => false,
    }
}

/// The agreement level of two mentions on one comparison; `None` when either side is
/// missing.
pub fn compare(c: Comparison, a: &Mention, b: &Mention) -> Option<u8> {
    match c {
        Comparison::FirstName => {
            if names_swapped(a, b) {
                return Some(0);
            }
            let (x, y) = both(a.first_name.as_deref(), b.first_name.as_deref())?;
            if x == y {
                return Some(0);
            }
            let nick_cross = a.nickname.as_deref() == Some(y) || b.nickname.as_deref() == Some(x);
            if nick_cross || shared_given_name(x, y).is_some() {
                return Some(1);
            }
            let jw = jaro_winkler(x, y);
            if jw >= 0.92 || first_token(x) == first_token(y) {
                Some(2)
            } else if jw >= 0.8 || nysiis(x) == nysiis(y) {
                Some(3)
            } else {
                Some(4)
            }
        }
        Comparison::Surname => {
            if names_swapped(a, b) {
                return Some(0);
            }
            let (x, y) = both(a.surname.as_deref(), b.surname.as_deref())?;
            if x == y {
                return Some(0);
            }
            let jw = jaro_winkler(x, y);
            if jw >= 0.92 {
                Some(1)
            } else if jw >= 0.8 || nysiis(x) == nysiis(y) {
                Some(2)
            } else {
                Some(3)
            }
        }
        Comparison::Nickname => {
            let (x, y) = both(a.nickname.as_deref(), b.nickname.as_deref())?;
            Some(if x == y { 0 } else { 1 })
        }
        Comparison::Dob => {
            let (x, y) = (a.dob?, b.dob?);
            if x == y {
                return Some(0);
            }
            let swapped = x.year == y.year && x.month == y.day && x.day == y.month;
            if swapped || osa_distance(&x.compact(), &y.compact()) <= 1 {
                Some(1)
            } else if (x.days_from_epoch() - y.days_from_epoch()).abs() <= 366 {
                Some(2)
            } else {
                Some(3)
            }
        }
        Comparison::Gender => {
            let (x, y) = both(a.gender.as_deref(), b.gender.as_deref())?;
            Some(if x == y { 0 } else { 1 })
        }
        Comparison::Phone => {
            let (x, y) = both(a.phone.as_deref(), b.phone.as_deref())?;
            Some(if x == y {
                0
            } else if osa_distance(x, y) <= 1 {
                1
            } else {
                2
            })
        }
        Comparison::Email => {
            let (x, y) = both(a.email.as_deref(), b.email.as_deref())?;
            if x == y {
                return Some(0);
            }
            let local = |e: &str| e.split('@').next().unwrap_or("").to_owned();
            let (lx, ly) = (local(x), local(y));
            Some(if lx == ly || jaro_winkler(&lx, &ly) >= 0.9 {
                1
            } else {
                2
            })
        }
        Comparison::Vrm => {
            let (x, y) = both(a.vrm.as_ref(), b.vrm.as_ref())?;
            Some(match compare_vrm(x, y) {
                VrmMatch::Exact => 0,
                VrmMatch::Confusable(_) => 1,
                VrmMatch::Partial(_) => 2,
                VrmMatch::OneEdit => 3,
                VrmMatch::Different => 4,
            })
        }
        Comparison::Make => {
            let (x, y) = both(a.make.as_deref(), b.make.as_deref())?;
            Some(if x == y { 0 } else { 1 })
        }
        Comparison::Model => {
            let (x, y) = both(a.model.as_deref(), b.model.as_deref())?;
            Some(text_level(x, y, 0.9))
        }
        Comparison::Colour => {
            let (x, y) = both(a.colour.as_ref(), b.colour.as_ref())?;
            Some(if x.name == y.name {
                0
            } else if x.family == y.family {
                1
            } else {
                2
            })
        }
        Comparison::Address => {
            let (x, y) = both(a.address.as_deref(), b.address.as_deref())?;
            Some(if x == y {
                0
            } else if token_jaccard(x, y) >= 0.5 || jaro_winkler(x, y) >= 0.9 {
                1
            } else {
                2
            })
        }
        Comparison::Postcode => {
            let (x, y) = both(a.postcode.as_ref(), b.postcode.as_ref())?;
            Some(if x.full == y.full {
                0
            } else if (x.sector.is_some() && x.sector == y.sector)
                || (x.sector.is_none() && y.sector.is_none() && osa_distance(&x.full, &y.full) <= 1)
            {
                1
            } else if x.district.is_some() && x.district == y.district {
                2
            } else {
                3
            })
        }
        Comparison::City => {
            let (x, y) = both(a.city.as_deref(), b.city.as_deref())?;
            Some(text_level(x, y, 0.9))
        }
        Comparison::BirthPlace => {
            let (x, y) = both(a.birth_place.as_deref(), b.birth_place.as_deref())?;
            Some(text_level(x, y, 0.9))
        }
        Comparison::Occupation => {
            let (x, y) = both(a.occupation.as_deref(), b.occupation.as_deref())?;
            Some(if x == y { 0 } else { 1 })
        }
        Comparison::NationalId => {
            let (x, y) = both(a.national_id.as_deref(), b.national_id.as_deref())?;
            Some(if x == y {
                0
            } else if osa_distance(x, y) <= 1 {
                1
            } else {
                2
            })
        }
    }
}

fn show<T: std::fmt::Display>(v: Option<T>) -> String {
    v.map_or_else(|| "-".to_owned(), |v| v.to_string())
}

/// The two values compared, as shown in an explanation (`jay ~ jamal`).
pub fn values(c: Comparison, a: &Mention, b: &Mention) -> (String, String) {
    let pick = |m: &Mention| -> String {
        match c {
            Comparison::FirstName => show(m.first_name.as_deref()),
            Comparison::Surname => show(m.surname.as_deref()),
            Comparison::Nickname => show(m.nickname.as_deref()),
            Comparison::Dob => show(m.dob),
            Comparison::Gender => show(m.gender.as_deref()),
            Comparison::Phone => show(m.phone.as_deref()),
            Comparison::Email => show(m.email.as_deref()),
            Comparison::Vrm => show(m.vrm.as_ref().map(|v| v.plate.as_str())),
            Comparison::Make => show(m.make.as_deref()),
            Comparison::Model => show(m.model.as_deref()),
            Comparison::Colour => show(m.colour.as_ref().map(|c| c.name.as_str())),
            Comparison::Address => show(m.address.as_deref()),
            Comparison::Postcode => show(m.postcode.as_ref().map(|p| p.full.as_str())),
            Comparison::City => show(m.city.as_deref()),
            Comparison::BirthPlace => show(m.birth_place.as_deref()),
            Comparison::Occupation => show(m.occupation.as_deref()),
            Comparison::NationalId => show(m.national_id.as_deref()),
        }
    };
    (pick(a), pick(b))
}

/// A more specific reason for a level where one helps (which nickname, which confusable).
pub fn detail(c: Comparison, a: &Mention, b: &Mention, level: u8) -> Option<String> {
    match (c, level) {
        (Comparison::FirstName | Comparison::Surname, 0) if names_swapped(a, b) => {
            Some("given name and surname swapped".into())
        }
        (Comparison::FirstName, 1) => {
            let (x, y) = both(a.first_name.as_deref(), b.first_name.as_deref())?;
            if a.nickname.as_deref() == Some(y) || b.nickname.as_deref() == Some(x) {
                Some(format!("nickname {x} ~ {y} given as a nickname"))
            } else {
                shared_given_name(x, y).map(|g| format!("nickname {x} ~ {y} (both {g})"))
            }
        }
        (Comparison::Vrm, 1 | 2) => {
            let (x, y) = both(a.vrm.as_ref(), b.vrm.as_ref())?;
            match compare_vrm(x, y) {
                VrmMatch::Confusable(n) => Some(format!(
                    "plate differs by {n} confusable character{}",
                    if n == 1 { "" } else { "s" }
                )),
                VrmMatch::Partial(n) => Some(format!(
                    "partial plate: {n} unknown character{}, the rest agree",
                    if n == 1 { "" } else { "s" }
                )),
                _ => None,
            }
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linkage::mention::Field;

    fn mention(fields: &[(Field, &str)]) -> Mention {
        let mut m = Mention::new("x");
        for (f, v) in fields {
            m.set(*f, v).expect("valid");
        }
        m
    }

    #[test]
    fn m_probabilities_sum_to_one() {
        for s in SPECS {
            assert_eq!(s.levels.len(), s.m.len(), "{}", s.name);
            assert!((s.m.iter().sum::<f64>() - 1.0).abs() < 1e-9, "{}", s.name);
        }
    }

    // WM-25.1: evidence is graded and explained, e.g. "nickname Jay ~ Jamal".
    #[test]
    fn graded_levels_with_details() {
        let a = mention(&[(Field::FirstName, "Jay"), (Field::Surname, "Smith")]);
        let b = mention(&[(Field::FirstName, "Jamal"), (Field::Surname, "Smyth")]);
        assert_eq!(compare(Comparison::FirstName, &a, &b), Some(1));
        assert_eq!(
            detail(Comparison::FirstName, &a, &b, 1).as_deref(),
            Some("nickname jay ~ jamal (both jamal)")
        );
        // smith / smyth: Jaro-Winkler 0.89, "similar".
        assert_eq!(compare(Comparison::Surname, &a, &b), Some(2));
        assert_eq!(compare(Comparison::Dob, &a, &b), None);
        let c = mention(&[(Field::FirstName, "Smith"), (Field::Surname, "Jay")]);
        assert_eq!(compare(Comparison::Surname, &a, &c), Some(0));
        assert_eq!(
            detail(Comparison::Surname, &a, &c, 0).as_deref(),
            Some("given name and surname swapped")
        );
    }

    // WM-27.1: a car seen as a partial plate and a misread plate.
    #[test]
    fn plates_phones_dates() {
        let a = mention(&[
            (Field::Vrm, "AB12 CDE"),
            (Field::Phone, "07700 900123"),
            (Field::Dob, "1990-03-04"),
        ]);
        let b = mention(&[
            (Field::Vrm, "AB12 C?E"),
            (Field::Phone, "+44 7700 900123"),
            (Field::Dob, "1990-04-03"),
        ]);
        assert_eq!(compare(Comparison::Vrm, &a, &b), Some(2));
        assert_eq!(compare(Comparison::Phone, &a, &b), Some(0));
        assert_eq!(compare(Comparison::Dob, &a, &b), Some(1));
        let c = mention(&[(Field::Vrm, "AB12 CDF")]);
        assert_eq!(compare(Comparison::Vrm, &a, &c), Some(3));
    }
}
