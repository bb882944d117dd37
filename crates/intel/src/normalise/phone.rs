//! Telephone numbers to E.164 (`+447700900123`), United Kingdom by default.
//!
//! Deliberately permissive: numbers that a validating library would call invalid (such as
//! Ofcom's drama ranges `07700 900xxx`, which are real in test data and sometimes in
//! reports) are kept. Only the shape is checked: 7 to 15 digits after normalisation.

/// Normalises a written phone number to E.164. Handles spaces, dots, dashes, brackets, the
/// `(0)` trunk marker, `00` and `+` international prefixes, UK national numbers with a
/// leading `0`, and UK mobiles written without it (`7700 900123`). Returns `None` when the
/// value does not look like a phone number.
pub fn normalise_phone(raw: &str) -> Option<String> {
    let lower = raw.trim().to_lowercase();
    // Extensions are not part of the number.
    let cut = ["ext", "x", "#", ";"]
        .iter()
        .filter_map(|m| lower.find(m))
        .min()
        .unwrap_or(lower.len());
    let raw = &lower[..cut];
    let raw = raw.replace("(0)", "");
    let international = raw.trim_start().starts_with('+');
    let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
    if raw.chars().any(|c| c.is_alphabetic()) {
        return None;
    }
    let e164 = if international {
        let mut d = digits;
        // +44 0 7700... written with the trunk zero.
        if d.starts_with("440") {
            d.remove(2);
        }
        d
    } else if let Some(rest) = digits.strip_prefix("00") {
        let mut d = rest.to_owned();
        if d.starts_with("440") {
            d.remove(2);
        }
        d
    } else if let Some(rest) = digits.strip_prefix('0') {
        format!("44{rest}")
    } else if digits.starts_with("44") && digits.len() >= 12 {
        digits
    } else if digits.len() == 10 && digits.starts_with('7') {
        format!("44{digits}")
    } else {
        // A local number without an area code, or a foreign number without its prefix:
        // kept as written so that identical strings still match.
        digits
    };
    (7..=15).contains(&e164.len()).then(|| format!("+{e164}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    // WM-25.1: the same phone number written by different agencies links the reports.
    #[test]
    fn uk_formats_reach_one_e164() {
        let want = Some("+447700900123".to_owned());
        for raw in [
            "07700 900123",
            "07700900123",
            "+44 7700 900123",
            "+44 (0)7700 900123",
            "0044 7700 900 123",
            "447700900123",
            "7700900123",
            "(07700) 900-123",
            "07700.900.123",
            "+44 07700 900123",
        ] {
            assert_eq!(normalise_phone(raw), want, "{raw}");
        }
    }

    #[test]
    fn landlines_foreign_and_junk() {
        assert_eq!(
            normalise_phone("0121 496 0000"),
            Some("+441214960000".into())
        );
        assert_eq!(
            normalise_phone("+33 1 23 45 67 89"),
            Some("+33123456789".into())
        );
        // Drama range and other numbers a validator rejects are kept.
        assert_eq!(
            normalise_phone("01632 960123"),
            Some("+441632960123".into())
        );
        assert_eq!(
            normalise_phone("07700 900123 ext 12"),
            Some("+447700900123".into())
        );
        assert_eq!(normalise_phone("unknown"), None);
        assert_eq!(normalise_phone("123"), None);
        assert_eq!(normalise_phone(""), None);
    }
}
