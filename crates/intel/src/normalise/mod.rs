//! Normalisation of the small pieces of information that intelligence is made of (R5.2,
//! WM-25.1): names, vehicle registrations, phone numbers, postcodes and addresses, vehicle
//! descriptions and dates. Every function is pure and total: bad input gives `None` or an
//! error value, never a panic.

pub mod address;
pub mod dates;
pub mod names;
pub mod phone;
pub mod phonetic;
pub mod vehicle;
pub mod vrm;

pub use address::{Postcode, normalise_address, normalise_postcode};
pub use dates::{Date, DateError, Timestamp, parse_date, parse_timestamp};
pub use names::{given_name_groups, normalise_name, shared_given_name, split_full_name};
pub use phone::normalise_phone;
pub use phonetic::{nysiis, soundex};
pub use vehicle::{Colour, normalise_colour, normalise_make, normalise_model};
pub use vrm::{Vrm, VrmFormat, VrmMatch, compare_vrm, normalise_vrm};
