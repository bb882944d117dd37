//! Agencies and the kinds of agency that work together under the procedures (R1.2).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A value read from outside that is not one of the known words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} is not one of the known values: {value:?}")]
pub struct ParseError {
    /// What kind of value was being read, e.g. "agency kind".
    pub what: &'static str,
    /// The text that was not recognised.
    pub value: String,
}

/// The kind of agency (R1.2, WM-10.6, WM-15.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgencyKind {
    /// A police force.
    Police,
    /// A local authority's children's services (home of the MASH and social work teams).
    ChildrensServices,
    /// Health: GP practices, sexual health services, school nursing, hospital trusts.
    Health,
    /// Schools, colleges and the education service.
    Education,
    /// The youth offending service.
    YouthOffending,
    /// Housing providers and the council's housing service.
    Housing,
    /// The council's licensing service (taxis, private hire, licensed premises).
    Licensing,
    /// Voluntary and community sector organisations.
    VoluntarySector,
}

impl AgencyKind {
    /// Every kind, in the order screens list them.
    pub const ALL: [AgencyKind; 8] = [
        AgencyKind::Police,
        AgencyKind::ChildrensServices,
        AgencyKind::Health,
        AgencyKind::Education,
        AgencyKind::YouthOffending,
        AgencyKind::Housing,
        AgencyKind::Licensing,
        AgencyKind::VoluntarySector,
    ];

    /// The stable machine name used in storage, policies and the API.
    pub const fn code(self) -> &'static str {
        match self {
            AgencyKind::Police => "police",
            AgencyKind::ChildrensServices => "childrens_services",
            AgencyKind::Health => "health",
            AgencyKind::Education => "education",
            AgencyKind::YouthOffending => "youth_offending",
            AgencyKind::Housing => "housing",
            AgencyKind::Licensing => "licensing",
            AgencyKind::VoluntarySector => "voluntary_sector",
        }
    }

    /// The label practitioners read on screen.
    pub const fn label(self) -> &'static str {
        match self {
            AgencyKind::Police => "Police",
            AgencyKind::ChildrensServices => "Children's services",
            AgencyKind::Health => "Health",
            AgencyKind::Education => "Education",
            AgencyKind::YouthOffending => "Youth offending service",
            AgencyKind::Housing => "Housing",
            AgencyKind::Licensing => "Licensing",
            AgencyKind::VoluntarySector => "Voluntary sector",
        }
    }
}

impl fmt::Display for AgencyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

impl FromStr for AgencyKind {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        AgencyKind::ALL
            .into_iter()
            .find(|k| k.code() == s)
            .ok_or_else(|| ParseError {
                what: "agency kind",
                value: s.to_owned(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_agency_kind_of_r1_2_round_trips() {
        // R1.2: police, children's services, health, education, youth offending, housing,
        // licensing, voluntary sector.
        for kind in AgencyKind::ALL {
            assert_eq!(kind.code().parse::<AgencyKind>(), Ok(kind));
        }
        assert!("army".parse::<AgencyKind>().is_err());
    }
}
