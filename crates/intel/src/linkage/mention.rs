//! A mention: one record of a person (and what came with them: phone, vehicle, address) as
//! written in one report, normalised once on the way in.

use std::borrow::Cow;

use super::blocking::{self, Part};
use super::compare::Comparison;

use crate::normalise::{
    Colour, Date, Postcode, Vrm, names, normalise_address, normalise_colour, normalise_make,
    normalise_model, normalise_name, normalise_phone, normalise_postcode, normalise_vrm, nysiis,
    parse_date, soundex,
};

/// The input columns the linker understands (the contract of `safehub link`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    /// Given name(s).
    FirstName,
    /// Family name.
    Surname,
    /// A nickname or street name.
    Nickname,
    /// Whole name in one column; split into given names and surname when those are absent.
    FullName,
    /// Date of birth.
    Dob,
    /// Gender as written.
    Gender,
    /// Telephone number.
    Phone,
    /// E-mail address.
    Email,
    /// Vehicle registration mark.
    Vrm,
    /// Vehicle make.
    Make,
    /// Vehicle model.
    Model,
    /// Vehicle colour.
    Colour,
    /// Street address.
    Address,
    /// Postcode.
    Postcode,
    /// Town or city.
    City,
    /// Place of birth.
    BirthPlace,
    /// Occupation.
    Occupation,
    /// A national identifier (National Insurance number, passport, social security).
    NationalId,
}

impl Field {
    /// Every field, in contract order.
    pub const ALL: [Field; 18] = [
        Field::FirstName,
        Field::Surname,
        Field::Nickname,
        Field::FullName,
        Field::Dob,
        Field::Gender,
        Field::Phone,
        Field::Email,
        Field::Vrm,
        Field::Make,
        Field::Model,
        Field::Colour,
        Field::Address,
        Field::Postcode,
        Field::City,
        Field::BirthPlace,
        Field::Occupation,
        Field::NationalId,
    ];

    /// The column name in the CSV contract.
    pub fn column(self) -> &'static str {
        match self {
            Field::FirstName => "first_name",
            Field::Surname => "surname",
            Field::Nickname => "nickname",
            Field::FullName => "full_name",
            Field::Dob => "dob",
            Field::Gender => "gender",
            Field::Phone => "phone",
            Field::Email => "email",
            Field::Vrm => "vrm",
            Field::Make => "make",
            Field::Model => "model",
            Field::Colour => "colour",
            Field::Address => "address",
            Field::Postcode => "postcode",
            Field::City => "city",
            Field::BirthPlace => "birth_place",
            Field::Occupation => "occupation",
            Field::NationalId => "national_id",
        }
    }

    /// The comparisons a value of this field fills: its own, or for a full name the given
    /// name and the surname (each only where that column left it empty).
    pub fn comparisons(self) -> &'static [Comparison] {
        match self {
            Field::FirstName => &[Comparison::FirstName],
            Field::Surname => &[Comparison::Surname],
            Field::Nickname => &[Comparison::Nickname],
            Field::FullName => &[Comparison::FirstName, Comparison::Surname],
            Field::Dob => &[Comparison::Dob],
            Field::Gender => &[Comparison::Gender],
            Field::Phone => &[Comparison::Phone],
            Field::Email => &[Comparison::Email],
            Field::Vrm => &[Comparison::Vrm],
            Field::Make => &[Comparison::Make],
            Field::Model => &[Comparison::Model],
            Field::Colour => &[Comparison::Colour],
            Field::Address => &[Comparison::Address],
            Field::Postcode => &[Comparison::Postcode],
            Field::City => &[Comparison::City],
            Field::BirthPlace => &[Comparison::BirthPlace],
            Field::Occupation => &[Comparison::Occupation],
            Field::NationalId => &[Comparison::NationalId],
        }
    }

    /// The field for a column name (trimmed, case-insensitive); `None` for other columns.
    pub fn from_column(name: &str) -> Option<Field> {
        let name = name.trim().to_ascii_lowercase();
        Field::ALL.into_iter().find(|f| f.column() == name)
    }
}

/// A normalised mention. Missing or unusable values are `None`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Mention {
    /// The caller's identifier (`unique_id`).
    pub id: String,
    /// Normalised given name(s).
    pub first_name: Option<String>,
    /// Normalised surname.
    pub surname: Option<String>,
    /// Normalised nickname.
    pub nickname: Option<String>,
    /// Date of birth.
    pub dob: Option<Date>,
    /// `m`, `f` or the cleaned value.
    pub gender: Option<String>,
    /// E.164 phone number.
    pub phone: Option<String>,
    /// Lower-case e-mail address.
    pub email: Option<String>,
    /// Registration.
    pub vrm: Option<Vrm>,
    /// Canonical make.
    pub make: Option<String>,
    /// Normalised model.
    pub model: Option<String>,
    /// Colour with family.
    pub colour: Option<Colour>,
    /// Cleaned address.
    pub address: Option<String>,
    /// Postcode.
    pub postcode: Option<Postcode>,
    /// Cleaned town or city.
    pub city: Option<String>,
    /// Cleaned place of birth.
    pub birth_place: Option<String>,
    /// Cleaned occupation.
    pub occupation: Option<String>,
    /// National identifier, upper case without spaces.
    pub national_id: Option<String>,
}

/// Values that mean "not known".
pub(crate) fn is_missing(v: &str) -> bool {
    let v = v.trim();
    v.is_empty()
        || ["null", "nan", "none", "n/a", "na", "unknown", "not known"]
            .iter()
            .any(|m| v.eq_ignore_ascii_case(m))
}

fn non_empty(s: String) -> Option<String> {
    (!s.is_empty()).then_some(s)
}

impl Mention {
    /// An empty mention with an identifier.
    pub fn new(id: impl Into<String>) -> Mention {
        Mention {
            id: id.into(),
            ..Mention::default()
        }
    }

    /// Sets one field from its written value. Returns `Err` with a reason when the value is
    /// present but unusable (an impossible date, a phone number with letters); the field is
    /// then left empty, and the caller counts and reports it.
    pub fn set(&mut self, field: Field, raw: &str) -> Result<(), String> {
        if is_missing(raw) {
            return Ok(());
        }
        match field {
            Field::FirstName => self.first_name = non_empty(normalise_name(raw)),
            Field::Surname => self.surname = non_empty(normalise_name(raw)),
            Field::Nickname => self.nickname = non_empty(normalise_name(raw)),
            Field::FullName => {
                let (given, surname) = names::split_full_name(raw);
                if self.first_name.is_none() {
                    self.first_name = non_empty(given);
                }
                if self.surname.is_none() {
                    self.surname = non_empty(surname);
                }
            }
            Field::Dob => match parse_date(raw) {
                Ok(d) => self.dob = Some(d),
                Err(e) => return Err(e.to_string()),
            },
            Field::Gender => {
                let g = names::clean_text(raw);
                self.gender = match g.as_str() {
                    "m" | "male" | "man" | "boy" => Some("m".into()),
                    "f" | "female" | "woman" | "girl" => Some("f".into()),
                    _ => non_empty(g),
                }
            }
            Field::Phone => match normalise_phone(raw) {
                Some(p) => self.phone = Some(p),
                None => return Err("not a phone number".into()),
            },
            Field::Email => {
                let e = raw.trim().to_lowercase();
                if !e.contains('@') {
                    return Err("not an e-mail address".into());
                }
                self.email = Some(e);
            }
            Field::Vrm => match normalise_vrm(raw) {
                Some(v) => self.vrm = Some(v),
                None => return Err("not a vehicle registration".into()),
            },
            Field::Make => self.make = non_empty(normalise_make(raw)),
            Field::Model => self.model = non_empty(normalise_model(raw)),
            Field::Colour => self.colour = normalise_colour(raw),
            Field::Address => self.address = non_empty(normalise_address(raw)),
            Field::Postcode => self.postcode = normalise_postcode(raw),
            Field::City => self.city = non_empty(names::clean_text(raw)),
            Field::BirthPlace => self.birth_place = non_empty(names::clean_text(raw)),
            Field::Occupation => self.occupation = non_empty(names::clean_text(raw)),
            Field::NationalId => {
                let id: String = raw
                    .chars()
                    .filter(char::is_ascii_alphanumeric)
                    .map(|c| c.to_ascii_uppercase())
                    .collect();
                self.national_id = non_empty(id);
            }
        }
        Ok(())
    }
}

/// Read access to a mention's normalised values, whether held as a [`Mention`] or as a row of
/// a [`Table`](super::table::Table). Comparison and blocking are written once against this.
pub trait Fields {
    /// Normalised given name(s).
    fn first_name(&self) -> Option<&str>;
    /// Normalised surname.
    fn surname(&self) -> Option<&str>;
    /// Normalised nickname.
    fn nickname(&self) -> Option<&str>;
    /// Date of birth.
    fn dob(&self) -> Option<Date>;
    /// Gender.
    fn gender(&self) -> Option<&str>;
    /// E.164 phone number.
    fn phone(&self) -> Option<&str>;
    /// E-mail address.
    fn email(&self) -> Option<&str>;
    /// Registration.
    fn vrm(&self) -> Option<&Vrm>;
    /// Canonical make.
    fn make(&self) -> Option<&str>;
    /// Normalised model.
    fn model(&self) -> Option<&str>;
    /// Colour with family.
    fn colour(&self) -> Option<&Colour>;
    /// Cleaned address.
    fn address(&self) -> Option<&str>;
    /// Postcode.
    fn postcode(&self) -> Option<&Postcode>;
    /// Town or city.
    fn city(&self) -> Option<&str>;
    /// Place of birth.
    fn birth_place(&self) -> Option<&str>;
    /// Occupation.
    fn occupation(&self) -> Option<&str>;
    /// National identifier.
    fn national_id(&self) -> Option<&str>;
    /// NYSIIS code of the given name(s).
    fn first_name_nysiis(&self) -> Option<Cow<'_, str>> {
        self.first_name().map(|v| Cow::Owned(nysiis(v)))
    }
    /// NYSIIS code of the surname.
    fn surname_nysiis(&self) -> Option<Cow<'_, str>> {
        self.surname().map(|v| Cow::Owned(nysiis(v)))
    }
    /// Soundex code of the surname.
    fn surname_soundex(&self) -> Option<Cow<'_, str>> {
        self.surname().map(|v| Cow::Owned(soundex(v)))
    }
    /// A blocking key part, hashed ([`blocking::part_from_text`]).
    fn key_part(&self, part: Part) -> Option<u64> {
        blocking::part_from_text(self, part)
    }
    /// Adds the plate's blocking keys to `keys` ([`blocking::plate_keys_from_text`]).
    fn plate_keys(&self, keys: &mut Vec<u64>) {
        blocking::plate_keys_from_text(self, keys);
    }
}

impl Fields for Mention {
    fn first_name(&self) -> Option<&str> {
        self.first_name.as_deref()
    }
    fn surname(&self) -> Option<&str> {
        self.surname.as_deref()
    }
    fn nickname(&self) -> Option<&str> {
        self.nickname.as_deref()
    }
    fn dob(&self) -> Option<Date> {
        self.dob
    }
    fn gender(&self) -> Option<&str> {
        self.gender.as_deref()
    }
    fn phone(&self) -> Option<&str> {
        self.phone.as_deref()
    }
    fn email(&self) -> Option<&str> {
        self.email.as_deref()
    }
    fn vrm(&self) -> Option<&Vrm> {
        self.vrm.as_ref()
    }
    fn make(&self) -> Option<&str> {
        self.make.as_deref()
    }
    fn model(&self) -> Option<&str> {
        self.model.as_deref()
    }
    fn colour(&self) -> Option<&Colour> {
        self.colour.as_ref()
    }
    fn address(&self) -> Option<&str> {
        self.address.as_deref()
    }
    fn postcode(&self) -> Option<&Postcode> {
        self.postcode.as_ref()
    }
    fn city(&self) -> Option<&str> {
        self.city.as_deref()
    }
    fn birth_place(&self) -> Option<&str> {
        self.birth_place.as_deref()
    }
    fn occupation(&self) -> Option<&str> {
        self.occupation.as_deref()
    }
    fn national_id(&self) -> Option<&str> {
        self.national_id.as_deref()
    }
}

/// A mention with written values, each of which must be usable (for tests).
#[cfg(test)]
pub(crate) fn written(id: &str, fields: &[(Field, &str)]) -> Mention {
    let mut m = Mention::new(id);
    for (f, v) in fields {
        m.set(*f, v).expect("valid");
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_round_trip() {
        for f in Field::ALL {
            assert_eq!(Field::from_column(f.column()), Some(f));
        }
        assert_eq!(Field::from_column(" First_Name "), Some(Field::FirstName));
        assert_eq!(Field::from_column("cluster"), None);
    }

    #[test]
    fn set_normalises_and_reports_bad_values() {
        let mut m = Mention::new("1");
        m.set(Field::FullName, "Mr Jamal O'Neil").expect("ok");
        assert_eq!(m.first_name.as_deref(), Some("jamal"));
        assert_eq!(m.surname.as_deref(), Some("oneil"));
        assert!(m.set(Field::Dob, "1990-02-30").is_err());
        assert_eq!(m.dob, None);
        m.set(Field::Phone, "07700 900123").expect("ok");
        assert_eq!(m.phone.as_deref(), Some("+447700900123"));
        m.set(Field::Gender, "Female").expect("ok");
        assert_eq!(m.gender.as_deref(), Some("f"));
        m.set(Field::Email, "NULL").expect("missing is fine");
        assert_eq!(m.email, None);
        assert!(m.set(Field::Email, "nobody").is_err());
    }
}
