//! Field-by-field comparison of two mentions into graded agreement levels, each with an
//! analyst-readable description (WM-25.1: "same phone after normalisation; nickname
//! Jay ~ Jamal; plate differs by one confusable character").
//!
//! Level 0 is always the strongest agreement and the last level always "different". A
//! comparison where either side is missing gives no level and contributes no evidence.

use super::mention::Fields;
use super::table::{MISSING, Table};
use crate::normalise::{VrmMatch, compare_vrm, names::shared_given_name};
use crate::similarity::{jaro_winkler, token_jaccard, within_one_edit, within_one_edit_of};

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

/// The level of comparison `c` between rows `i` and `j` of a table: the same as
/// [`compare`] on the two rows, but two rows holding the same value number agree without
/// their text being read. `None` when either side is missing.
#[inline]
pub fn compare_rows(c: Comparison, table: &Table, i: usize, j: usize) -> Option<u8> {
    match rows_by_number(c, table, i, j) {
        ByNumber::Level(level) => level,
        ByNumber::Names(x, y) => Some(names_level(c, table, i, j, x, y)),
        ByNumber::Values => compare(c, &table.row(i), &table.row(j)),
    }
}

/// [`compare_rows`], remembering the levels of pairs of different names in `names`.
#[inline]
pub fn compare_rows_with(
    c: Comparison,
    table: &Table,
    i: usize,
    j: usize,
    names: &mut NameLevels,
) -> Option<u8> {
    match rows_by_number(c, table, i, j) {
        ByNumber::Level(level) => level,
        ByNumber::Names(x, y) => Some(names.level(c, x, y, || names_level(c, table, i, j, x, y))),
        ByNumber::Values => compare(c, &table.row(i), &table.row(j)),
    }
}

/// The levels of recently compared pairs of different given names or surnames, by name
/// number: one thread's cache, so that a pair of common names is compared once rather
/// than in every block that holds it. Direct-mapped: a pair takes the one slot its hash
/// picks, replacing what was there. A cache belongs to one table (name numbers are the
/// table's). The default remembers; [`NameLevels::forgetful`] does not, for a few pairs.
#[derive(Debug)]
pub struct NameLevels {
    /// Per slot: the pair's key (0: empty) and its level; made at the first pair.
    slots: Vec<(u64, u8)>,
    remember: bool,
}

impl Default for NameLevels {
    fn default() -> Self {
        NameLevels {
            slots: Vec::new(),
            remember: true,
        }
    }
}

impl NameLevels {
    /// Slots in a cache: 256 KB, which stays in a core's own cache.
    const SLOTS: usize = 1 << 14;

    /// A cache that remembers nothing (and takes no memory).
    pub fn forgetful() -> NameLevels {
        NameLevels {
            slots: Vec::new(),
            remember: false,
        }
    }

    /// The level of names `x` and `y` on comparison `c`, from `work` when not remembered.
    fn level(&mut self, c: Comparison, x: u32, y: u32, work: impl FnOnce() -> u8) -> u8 {
        if !self.remember {
            return work();
        }
        if self.slots.is_empty() {
            self.slots = vec![(0, 0); Self::SLOTS];
        }
        // Name numbers are below 2^31; the comparison takes the top bit, and a key is never
        // 0 (x and y differ).
        let key = (u64::from(c == Comparison::Surname) << 63) | (u64::from(x) << 31) | u64::from(y);
        let slot = (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 50) as usize;
        let (held, level) = self.slots[slot];
        if held == key {
            return level;
        }
        let level = work();
        self.slots[slot] = (key, level);
        level
    }
}

/// What the value numbers of two rows settle about one comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ByNumber {
    /// The level (`None`: a side is missing).
    Level(Option<u8>),
    /// Two different given names or surnames (by number), whose level depends on the two
    /// names only: [`names_level`].
    Names(u32, u32),
    /// The values must be compared.
    Values,
}

/// The level of comparison `c` between rows `i` and `j`, as far as their value numbers
/// settle it: a missing side, the same value, names swapped or given as a nickname, or a
/// comparison whose levels are only "same" and "different".
#[inline]
pub fn rows_by_number(c: Comparison, table: &Table, i: usize, j: usize) -> ByNumber {
    let cell = |r: usize, c: Comparison| table.cell(r, c as usize);
    if matches!(c, Comparison::FirstName | Comparison::Surname) {
        let (af, asn) = (cell(i, Comparison::FirstName), cell(i, Comparison::Surname));
        let (bf, bsn) = (cell(j, Comparison::FirstName), cell(j, Comparison::Surname));
        let all = af != MISSING && asn != MISSING && bf != MISSING && bsn != MISSING;
        if all && af != bf && af == bsn && asn == bf {
            return ByNumber::Level(Some(0));
        }
    }
    let (x, y) = (cell(i, c), cell(j, c));
    if x == MISSING || y == MISSING {
        return ByNumber::Level(None);
    }
    // Two identical partial plates are only "compatible": the unknown characters may differ.
    if x == y && c != Comparison::Vrm {
        return ByNumber::Level(Some(0));
    }
    match c {
        Comparison::FirstName => {
            let (an, bn) = (cell(i, Comparison::Nickname), cell(j, Comparison::Nickname));
            if (an != MISSING && an == y) || (bn != MISSING && bn == x) {
                ByNumber::Level(Some(1))
            } else {
                ByNumber::Names(x, y)
            }
        }
        Comparison::Surname => ByNumber::Names(x, y),
        Comparison::Nickname | Comparison::Gender | Comparison::Make | Comparison::Occupation => {
            ByNumber::Level(Some(1))
        }
        _ => ByNumber::Values,
    }
}

/// The level of two different names (numbers `x` of row `i` and `y` of row `j`) on
/// [`Comparison::FirstName`] or [`Comparison::Surname`].
pub fn names_level(c: Comparison, table: &Table, i: usize, j: usize, x: u32, y: u32) -> u8 {
    let (a, b) = (table.row(i), table.row(j));
    let (xs, ys) = (table.name(x), table.name(y));
    if c == Comparison::FirstName {
        given_name_level(&a, &b, xs, ys)
    } else {
        surname_level(&a, &b, xs, ys)
    }
}

/// The text a mention gives a comparison over a text field; `None` when missing or when the
/// comparison is not over text (dates, plates, colours, postcodes).
pub fn text_value<M: Fields + ?Sized>(c: Comparison, m: &M) -> Option<&str> {
    match c {
        Comparison::FirstName => m.first_name(),
        Comparison::Surname => m.surname(),
        Comparison::Nickname => m.nickname(),
        Comparison::Gender => m.gender(),
        Comparison::Phone => m.phone(),
        Comparison::Email => m.email(),
        Comparison::Make => m.make(),
        Comparison::Model => m.model(),
        Comparison::Address => m.address(),
        Comparison::City => m.city(),
        Comparison::BirthPlace => m.birth_place(),
        Comparison::Occupation => m.occupation(),
        Comparison::NationalId => m.national_id(),
        Comparison::Dob | Comparison::Vrm | Comparison::Colour | Comparison::Postcode => None,
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
pub fn names_swapped<A: Fields + ?Sized, B: Fields + ?Sized>(a: &A, b: &B) -> bool {
    match (a.first_name(), a.surname(), b.first_name(), b.surname()) {
        (Some(af), Some(asn), Some(bf), Some(bsn)) => af != bf && af == bsn && asn == bf,
        _ => false,
    }
}

/// The level of two different given names `x` of `a` and `y` of `b`, neither a nickname
/// of the other as given: a variant of one name, similar, or different. It depends on the
/// two names only.
pub fn given_name_level<A: Fields + ?Sized, B: Fields + ?Sized>(
    a: &A,
    b: &B,
    x: &str,
    y: &str,
) -> u8 {
    if shared_given_name(x, y).is_some() {
        return 1;
    }
    let jw = jaro_winkler(x, y);
    if jw >= 0.92 || first_token(x) == first_token(y) {
        2
    } else if jw >= 0.8 || a.first_name_nysiis() == b.first_name_nysiis() {
        3
    } else {
        4
    }
}

/// The level of two different surnames `x` of `a` and `y` of `b`: very similar, similar or
/// different. It depends on the two names only.
pub fn surname_level<A: Fields + ?Sized, B: Fields + ?Sized>(a: &A, b: &B, x: &str, y: &str) -> u8 {
    let jw = jaro_winkler(x, y);
    if jw >= 0.92 {
        1
    } else if jw >= 0.8 || a.surname_nysiis() == b.surname_nysiis() {
        2
    } else {
        3
    }
}

/// The agreement level of two mentions on one comparison; `None` when either side is
/// missing.
pub fn compare<A: Fields + ?Sized, B: Fields + ?Sized>(c: Comparison, a: &A, b: &B) -> Option<u8> {
    match c {
        Comparison::FirstName => {
            if names_swapped(a, b) {
                return Some(0);
            }
            let (x, y) = both(a.first_name(), b.first_name())?;
            if x == y {
                return Some(0);
            }
            if a.nickname() == Some(y) || b.nickname() == Some(x) {
                return Some(1);
            }
            Some(given_name_level(a, b, x, y))
        }
        Comparison::Surname => {
            if names_swapped(a, b) {
                return Some(0);
            }
            let (x, y) = both(a.surname(), b.surname())?;
            if x == y {
                return Some(0);
            }
            Some(surname_level(a, b, x, y))
        }
        Comparison::Nickname => {
            let (x, y) = both(a.nickname(), b.nickname())?;
            Some(if x == y { 0 } else { 1 })
        }
        Comparison::Dob => {
            let (x, y) = (a.dob()?, b.dob()?);
            if x == y {
                return Some(0);
            }
            let swapped = x.year == y.year && x.month == y.day && x.day == y.month;
            if swapped || within_one_edit_of(&x.digits(), &y.digits()) {
                Some(1)
            } else if (x.days_from_epoch() - y.days_from_epoch()).abs() <= 366 {
                Some(2)
            } else {
                Some(3)
            }
        }
        Comparison::Gender => {
            let (x, y) = both(a.gender(), b.gender())?;
            Some(if x == y { 0 } else { 1 })
        }
        Comparison::Phone => {
            let (x, y) = both(a.phone(), b.phone())?;
            Some(if x == y {
                0
            } else if within_one_edit(x, y) {
                1
            } else {
                2
            })
        }
        Comparison::Email => {
            let (x, y) = both(a.email(), b.email())?;
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
            let (x, y) = both(a.vrm(), b.vrm())?;
            Some(match compare_vrm(x, y) {
                VrmMatch::Exact => 0,
                VrmMatch::Confusable(_) => 1,
                VrmMatch::Partial(_) => 2,
                VrmMatch::OneEdit => 3,
                VrmMatch::Different => 4,
            })
        }
        Comparison::Make => {
            let (x, y) = both(a.make(), b.make())?;
            Some(if x == y { 0 } else { 1 })
        }
        Comparison::Model => {
            let (x, y) = both(a.model(), b.model())?;
            Some(text_level(x, y, 0.9))
        }
        Comparison::Colour => {
            let (x, y) = both(a.colour(), b.colour())?;
            Some(if x.name == y.name {
                0
            } else if x.family == y.family {
                1
            } else {
                2
            })
        }
        Comparison::Address => {
            let (x, y) = both(a.address(), b.address())?;
            Some(if x == y {
                0
            } else if token_jaccard(x, y) >= 0.5 || jaro_winkler(x, y) >= 0.9 {
                1
            } else {
                2
            })
        }
        Comparison::Postcode => {
            let (x, y) = both(a.postcode(), b.postcode())?;
            Some(if x.full == y.full {
                0
            } else if (x.sector.is_some() && x.sector == y.sector)
                || (x.sector.is_none() && y.sector.is_none() && within_one_edit(&x.full, &y.full))
            {
                1
            } else if x.district.is_some() && x.district == y.district {
                2
            } else {
                3
            })
        }
        Comparison::City => {
            let (x, y) = both(a.city(), b.city())?;
            Some(text_level(x, y, 0.9))
        }
        Comparison::BirthPlace => {
            let (x, y) = both(a.birth_place(), b.birth_place())?;
            Some(text_level(x, y, 0.9))
        }
        Comparison::Occupation => {
            let (x, y) = both(a.occupation(), b.occupation())?;
            Some(if x == y { 0 } else { 1 })
        }
        Comparison::NationalId => {
            let (x, y) = both(a.national_id(), b.national_id())?;
            Some(if x == y {
                0
            } else if within_one_edit(x, y) {
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

/// The value one mention gives a comparison, as shown in an explanation (`-` when missing).
pub fn shown<M: Fields + ?Sized>(c: Comparison, m: &M) -> String {
    match c {
        Comparison::FirstName => show(m.first_name()),
        Comparison::Surname => show(m.surname()),
        Comparison::Nickname => show(m.nickname()),
        Comparison::Dob => show(m.dob()),
        Comparison::Gender => show(m.gender()),
        Comparison::Phone => show(m.phone()),
        Comparison::Email => show(m.email()),
        Comparison::Vrm => show(m.vrm().map(|v| v.plate.as_str())),
        Comparison::Make => show(m.make()),
        Comparison::Model => show(m.model()),
        Comparison::Colour => show(m.colour().map(|c| c.name.as_str())),
        Comparison::Address => show(m.address()),
        Comparison::Postcode => show(m.postcode().map(|p| p.full.as_str())),
        Comparison::City => show(m.city()),
        Comparison::BirthPlace => show(m.birth_place()),
        Comparison::Occupation => show(m.occupation()),
        Comparison::NationalId => show(m.national_id()),
    }
}

/// The two values compared, as shown in an explanation (`jay ~ jamal`).
pub fn values<A: Fields + ?Sized, B: Fields + ?Sized>(
    c: Comparison,
    a: &A,
    b: &B,
) -> (String, String) {
    (shown(c, a), shown(c, b))
}

/// A more specific reason for a level where one helps (which nickname, which confusable).
pub fn detail<A: Fields + ?Sized, B: Fields + ?Sized>(
    c: Comparison,
    a: &A,
    b: &B,
    level: u8,
) -> Option<String> {
    match (c, level) {
        (Comparison::FirstName | Comparison::Surname, 0) if names_swapped(a, b) => {
            Some("given name and surname swapped".into())
        }
        (Comparison::FirstName, 1) => {
            let (x, y) = both(a.first_name(), b.first_name())?;
            if a.nickname() == Some(y) || b.nickname() == Some(x) {
                Some(format!("nickname {x} ~ {y} given as a nickname"))
            } else {
                shared_given_name(x, y).map(|g| format!("nickname {x} ~ {y} (both {g})"))
            }
        }
        (Comparison::Vrm, 1 | 2) => {
            let (x, y) = both(a.vrm(), b.vrm())?;
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
    use crate::linkage::mention::{Field, Mention};

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
