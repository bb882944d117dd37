//! The parts of a child's record that Foundation needs: name, date of birth, gender and legal
//! status, each parsed once at the edge (R2.1, R2.4).

use std::fmt;
use std::str::FromStr;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::ParseError;

/// A child's name as recorded: given name and family name, trimmed, non-empty, bounded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChildName {
    given: String,
    family: String,
}

/// Why a name or date was refused; the message is written for the person typing it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ChildFieldError {
    /// A required name part is blank.
    #[error("Enter the child's {0}")]
    Missing(&'static str),
    /// A name part is longer than any real name.
    #[error("The child's {0} must be 100 characters or fewer")]
    TooLong(&'static str),
    /// A name part contains control characters.
    #[error("The child's {0} must not contain control characters")]
    Control(&'static str),
    /// The date of birth is not a real date.
    #[error("Date of birth must be a real date")]
    NotADate,
    /// The date of birth is after today.
    #[error("Date of birth must be in the past")]
    InFuture,
    /// The person would be 25 or older: not a child or care leaver.
    #[error("Date of birth must be within the last 25 years")]
    TooOld,
}

fn clean(part: &'static str, raw: &str) -> Result<String, ChildFieldError> {
    let value = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if value.is_empty() {
        return Err(ChildFieldError::Missing(part));
    }
    if value.chars().count() > 100 {
        return Err(ChildFieldError::TooLong(part));
    }
    if value.chars().any(char::is_control) {
        return Err(ChildFieldError::Control(part));
    }
    Ok(value)
}

impl ChildName {
    /// Parses a given and family name typed by a practitioner.
    pub fn parse(given: &str, family: &str) -> Result<Self, ChildFieldError> {
        Ok(Self {
            given: clean("first name", given)?,
            family: clean("last name", family)?,
        })
    }

    /// The given (first) name.
    pub fn given(&self) -> &str {
        &self.given
    }

    /// The family (last) name.
    pub fn family(&self) -> &str {
        &self.family
    }
}

impl fmt::Display for ChildName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.given, self.family)
    }
}

/// A date of birth that is real, in the past and within the last 25 years.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct DateOfBirth(Date);

impl DateOfBirth {
    /// Parses day, month and year as typed into the GOV.UK date input, against today's date.
    pub fn parse(day: &str, month: &str, year: &str, today: Date) -> Result<Self, ChildFieldError> {
        let num = |s: &str| {
            s.trim()
                .parse::<i16>()
                .map_err(|_| ChildFieldError::NotADate)
        };
        let (d, m, y) = (num(day)?, num(month)?, num(year)?);
        let (Ok(d), Ok(m)) = (i8::try_from(d), i8::try_from(m)) else {
            return Err(ChildFieldError::NotADate);
        };
        let date = Date::new(y, m, d).map_err(|_| ChildFieldError::NotADate)?;
        Self::check(date, today)
    }

    /// Checks a date already read as a date (e.g. from the API or storage) against today.
    pub fn check(date: Date, today: Date) -> Result<Self, ChildFieldError> {
        if date > today {
            return Err(ChildFieldError::InFuture);
        }
        if age_on(date, today) >= 25 {
            return Err(ChildFieldError::TooOld);
        }
        Ok(Self(date))
    }

    /// The date itself.
    pub fn date(&self) -> Date {
        self.0
    }

    /// Age in whole years on the given day.
    pub fn age_on(&self, day: Date) -> i16 {
        age_on(self.0, day)
    }

    /// The age-of-consent band on the given day (R2.4).
    pub fn band_on(&self, day: Date) -> AgeBand {
        AgeBand::for_age(self.age_on(day))
    }
}

fn age_on(born: Date, day: Date) -> i16 {
    let mut age = day.year() - born.year();
    if (day.month(), day.day()) < (born.month(), born.day()) {
        age -= 1;
    }
    age
}

/// Age-of-consent flags (R2.4, WM-3.4, WM-11.1): a child under 13 cannot consent in law;
/// under 16 is below the age of consent; 16 and 17 year olds are still children.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AgeBand {
    /// Under 13.
    Under13,
    /// 13 to 15.
    Under16,
    /// 16 or 17: over the age of consent but still a child.
    SixteenOrSeventeen,
    /// 18 or over: an adult (a care leaver may still be supported).
    Adult,
}

impl AgeBand {
    /// The band for an age in whole years.
    pub fn for_age(age: i16) -> Self {
        match age {
            i16::MIN..=12 => AgeBand::Under13,
            13..=15 => AgeBand::Under16,
            16 | 17 => AgeBand::SixteenOrSeventeen,
            _ => AgeBand::Adult,
        }
    }

    /// The flag shown on the child's page.
    pub const fn label(self) -> &'static str {
        match self {
            AgeBand::Under13 => "Under 13",
            AgeBand::Under16 => "Under 16",
            AgeBand::SixteenOrSeventeen => "16 or 17: still a child",
            AgeBand::Adult => "18 or over",
        }
    }
}

/// A child's gender as recorded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    /// Female.
    Female,
    /// Male.
    Male,
    /// Another gender identity.
    Other,
    /// Not known or not recorded.
    NotKnown,
}

/// The child's legal status (R2.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LegalStatus {
    /// No statutory involvement.
    None,
    /// Child in need (s17 Children Act 1989).
    ChildInNeed,
    /// Subject to a child protection plan.
    ChildProtectionPlan,
    /// Looked after (in care).
    LookedAfter,
    /// A care leaver.
    CareLeaver,
}

macro_rules! coded_enum {
    ($ty:ident, $what:literal, $( $variant:ident => $code:literal, $label:literal ),+ $(,)?) => {
        impl $ty {
            /// Every value, in display order.
            pub const ALL: &'static [$ty] = &[$($ty::$variant),+];

            /// The stable machine name used in storage and the API.
            pub const fn code(self) -> &'static str {
                match self { $($ty::$variant => $code),+ }
            }

            /// The label practitioners read on screen.
            pub const fn label(self) -> &'static str {
                match self { $($ty::$variant => $label),+ }
            }
        }

        impl FromStr for $ty {
            type Err = ParseError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($code => Ok($ty::$variant),)+
                    _ => Err(ParseError { what: $what, value: s.to_owned() }),
                }
            }
        }
    };
}

coded_enum!(Gender, "gender",
    Female => "female", "Female",
    Male => "male", "Male",
    Other => "other", "Other",
    NotKnown => "not_known", "Not known",
);

coded_enum!(LegalStatus, "legal status",
    None => "none", "None",
    ChildInNeed => "child_in_need", "Child in need",
    ChildProtectionPlan => "child_protection_plan", "Child protection plan",
    LookedAfter => "looked_after", "Looked after",
    CareLeaver => "care_leaver", "Care leaver",
);

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn date_of_birth_refuses_impossible_future_and_adult_dates() {
        let today = date(2026, 11, 24);
        assert_eq!(
            DateOfBirth::parse("31", "2", "2012", today),
            Err(ChildFieldError::NotADate)
        );
        assert_eq!(
            DateOfBirth::parse("x", "2", "2012", today),
            Err(ChildFieldError::NotADate)
        );
        assert_eq!(
            DateOfBirth::parse("1", "1", "2027", today),
            Err(ChildFieldError::InFuture)
        );
        assert_eq!(
            DateOfBirth::parse("1", "1", "1990", today),
            Err(ChildFieldError::TooOld)
        );
        assert!(DateOfBirth::parse("29", "2", "2012", today).is_ok());
    }

    #[test]
    fn age_bands_follow_the_age_of_consent_r2_4() {
        // R2.4: under 13, under 16, 16-17 still children.
        let today = date(2026, 11, 24);
        let band = |d: &str, m: &str, y: &str| {
            DateOfBirth::parse(d, m, y, today)
                .map(|b| b.band_on(today))
                .ok()
        };
        assert_eq!(band("25", "11", "2013"), Some(AgeBand::Under13)); // 12, birthday tomorrow
        assert_eq!(band("24", "11", "2013"), Some(AgeBand::Under16)); // 13 today
        assert_eq!(band("24", "11", "2010"), Some(AgeBand::SixteenOrSeventeen));
        assert_eq!(band("25", "11", "2008"), Some(AgeBand::SixteenOrSeventeen));
        assert_eq!(band("24", "11", "2008"), Some(AgeBand::Adult));
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        let name = ChildName::parse("  Amy   Rose ", "Example").ok();
        assert_eq!(
            name.map(|n| n.to_string()),
            Some("Amy Rose Example".to_owned())
        );
        assert_eq!(
            ChildName::parse(" ", "X"),
            Err(ChildFieldError::Missing("first name"))
        );
        assert!(ChildName::parse(&"a".repeat(101), "X").is_err());
        for s in LegalStatus::ALL {
            assert_eq!(s.code().parse::<LegalStatus>(), Ok(*s));
        }
    }
}
