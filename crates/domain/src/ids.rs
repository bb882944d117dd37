//! Typed identifiers, so a child's id can never be passed where a user's is expected.
//!
//! Identifiers are random UUIDs: they reveal nothing about a person and cannot be guessed
//! or enumerated, which matters because they appear in URLs.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! typed_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// A new random identifier.
            pub fn new() -> Self {
                Self(Uuid::new_v4())
            }

            /// Wraps an identifier read from storage.
            pub const fn from_uuid(id: Uuid) -> Self {
                Self(id)
            }

            /// The underlying UUID.
            pub const fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    };
}

typed_id!(
    /// A local authority area (one safeguarding partnership), e.g. one of the seven LSCBs of WM-1.2.
    AreaId
);
typed_id!(
    /// An agency: a police force, a council's children's services, a health trust, a school...
    AgencyId
);
typed_id!(
    /// A team inside an agency, such as a MASH team or a social work team.
    TeamId
);
typed_id!(
    /// A person who signs in, or a service account used by an integration.
    UserId
);
typed_id!(
    /// A child or young person known to the partnership.
    ChildId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_through_text() {
        let id = ChildId::new();
        assert_eq!(id.to_string().parse::<ChildId>().ok(), Some(id));
        assert!("not-an-id".parse::<ChildId>().is_err());
    }
}
