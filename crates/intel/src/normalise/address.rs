//! Postcodes and addresses.
//!
//! UK postcodes are put in the standard `OUTWARD INWARD` form with their sector and district
//! kept for graded comparison (`B1 1AA` and `B1 1AB` share sector `B1 1`). Other postcodes
//! (for example the four-digit Australian ones in the FEBRL benchmark) are kept as cleaned
//! text. Addresses are cleaned and common street-type abbreviations expanded.

use super::names::clean_text;

/// A normalised postcode.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Postcode {
    /// `B1 1AA` for a UK postcode; otherwise the cleaned upper-case text without spaces.
    pub full: String,
    /// UK sector (`B1 1`), or `None` for a non-UK postcode.
    pub sector: Option<String>,
    /// UK district, the outward code (`B1`), or `None` for a non-UK postcode.
    pub district: Option<String>,
}

/// Whether `s` (upper case, no spaces) has the shape of a UK outward code.
fn is_outward(s: &[u8]) -> bool {
    let alpha = |c: &u8| c.is_ascii_uppercase();
    let digit = |c: &u8| c.is_ascii_digit();
    match s {
        [a, d] => alpha(a) && digit(d),
        [a, b, c] => {
            alpha(a) && (alpha(b) || digit(b)) && (digit(c) || alpha(c)) && !(alpha(b) && alpha(c))
        }
        [a, b, c, d] => alpha(a) && alpha(b) && digit(c) && (digit(d) || alpha(d)),
        _ => false,
    }
}

/// Normalises a postcode; `None` when nothing is left.
pub fn normalise_postcode(raw: &str) -> Option<Postcode> {
    let compact: String = raw
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if compact.is_empty() {
        return None;
    }
    let b = compact.as_bytes();
    if (5..=7).contains(&b.len()) {
        let (out, inw) = b.split_at(b.len() - 3);
        let inward_ok =
            inw[0].is_ascii_digit() && inw[1].is_ascii_uppercase() && inw[2].is_ascii_uppercase();
        if inward_ok && is_outward(out) {
            let out = String::from_utf8_lossy(out).into_owned();
            let inw = String::from_utf8_lossy(inw).into_owned();
            return Some(Postcode {
                full: format!("{out} {inw}"),
                sector: Some(format!("{out} {}", &inw[..1])),
                district: Some(out),
            });
        }
    }
    Some(Postcode {
        full: compact,
        sector: None,
        district: None,
    })
}

const STREET_TYPES: &[(&str, &str)] = &[
    ("st", "street"),
    ("rd", "road"),
    ("ave", "avenue"),
    ("av", "avenue"),
    ("ln", "lane"),
    ("dr", "drive"),
    ("cres", "crescent"),
    ("cl", "close"),
    ("ct", "court"),
    ("pl", "place"),
    ("sq", "square"),
    ("gdns", "gardens"),
    ("gr", "grove"),
    ("tce", "terrace"),
    ("terr", "terrace"),
    ("pde", "parade"),
    ("hwy", "highway"),
    ("cct", "circuit"),
    ("blvd", "boulevard"),
    ("mt", "mount"),
    ("nth", "north"),
    ("sth", "south"),
    ("apt", "flat"),
    ("apartment", "flat"),
];

/// Cleans an address: case, punctuation, street-type abbreviations (`St` -> `street`).
pub fn normalise_address(raw: &str) -> String {
    clean_text(raw)
        .split(' ')
        .filter(|t| !t.is_empty())
        .map(|t| {
            STREET_TYPES
                .iter()
                .find(|(abbr, _)| *abbr == t)
                .map_or(t, |(_, full)| full)
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uk_postcodes() {
        let p = normalise_postcode(" b11aa ").expect("postcode");
        assert_eq!(p.full, "B1 1AA");
        assert_eq!(p.sector.as_deref(), Some("B1 1"));
        assert_eq!(p.district.as_deref(), Some("B1"));
        assert_eq!(normalise_postcode("SW1A 2AA").expect("pc").full, "SW1A 2AA");
        assert_eq!(normalise_postcode("m4 4ab").expect("pc").full, "M4 4AB");
        assert_eq!(
            normalise_postcode("WV10 6AB")
                .expect("pc")
                .district
                .as_deref(),
            Some("WV10")
        );
    }

    #[test]
    fn other_postcodes_kept() {
        let p = normalise_postcode("2119").expect("postcode");
        assert_eq!(p.full, "2119");
        assert_eq!(p.sector, None);
        assert!(normalise_postcode(" - ").is_none());
    }

    #[test]
    fn addresses() {
        assert_eq!(normalise_address("12, High St."), "12 high street");
        assert_eq!(
            normalise_address("Flat 3, 7 Wallaby Pl"),
            "flat 3 7 wallaby place"
        );
        assert_eq!(normalise_address(""), "");
    }
}
