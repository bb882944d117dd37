//! Small text encodings written by hand: RFC 4648 base32 and URI percent-encoding.

/// RFC 4648 section 6 base32 alphabet.
const BASE32_ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// Encodes bytes as RFC 4648 base32, upper case, without `=` padding.
pub(crate) fn base32_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let mut buffer: u16 = 0;
    let mut bits: u32 = 0;
    for &byte in bytes {
        buffer = (buffer << 8) | u16::from(byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(
                BASE32_ALPHABET[usize::from((buffer >> bits) & 0x1f)],
            ));
        }
    }
    if bits > 0 {
        out.push(char::from(
            BASE32_ALPHABET[usize::from((buffer << (5 - bits)) & 0x1f)],
        ));
    }
    out
}

/// Why base32 text could not be decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Base32Error {
    /// A character outside the alphabet (after removing spaces, hyphens and padding).
    InvalidCharacter,
    /// A length or trailing bits that no encoder would produce.
    NonCanonical,
}

/// Decodes RFC 4648 base32.
///
/// Lenient about presentation (lower case, spaces, hyphens, trailing `=`
/// padding are accepted, as people copy secrets by hand) but strict about
/// content: the length and the unused trailing bits must be canonical.
pub(crate) fn base32_decode(text: &str) -> Result<Vec<u8>, Base32Error> {
    let cleaned = text.trim_end_matches(|c: char| c == '=' || c.is_whitespace());
    let mut out = Vec::with_capacity(cleaned.len() * 5 / 8);
    let mut buffer: u16 = 0;
    let mut bits: u32 = 0;
    let mut symbols = 0usize;
    for c in cleaned.chars() {
        if c.is_whitespace() || c == '-' {
            continue;
        }
        let value = match c.to_ascii_uppercase() {
            upper @ 'A'..='Z' => upper as u16 - u16::from(b'A'),
            digit @ '2'..='7' => digit as u16 - u16::from(b'2') + 26,
            _ => return Err(Base32Error::InvalidCharacter),
        };
        symbols += 1;
        buffer = ((buffer << 5) | value) & 0x0fff;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            // Masked to 8 bits, so the conversion cannot truncate.
            out.push(((buffer >> bits) & 0xff) as u8);
        }
    }
    // A final group of 1, 3 or 6 symbols cannot come from whole bytes.
    if matches!(symbols % 8, 1 | 3 | 6) {
        return Err(Base32Error::NonCanonical);
    }
    // Leftover bits are padding and must be zero.
    if buffer & ((1 << bits) - 1) != 0 {
        return Err(Base32Error::NonCanonical);
    }
    Ok(out)
}

/// Percent-encodes every byte except RFC 3986 unreserved characters
/// (`A-Z a-z 0-9 - . _ ~`), so the result is safe in a URI path or query.
pub(crate) fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for &byte in text.as_bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push('%');
            out.push_str(&format!("{byte:02X}"));
        }
    }
    out
}

/// Escapes text for an XML/HTML attribute value or text node.
pub fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 4648 section 10 test vectors, padding removed.
    const RFC4648_VECTORS: [(&str, &str); 7] = [
        ("", ""),
        ("f", "MY"),
        ("fo", "MZXQ"),
        ("foo", "MZXW6"),
        ("foob", "MZXW6YQ"),
        ("fooba", "MZXW6YTB"),
        ("foobar", "MZXW6YTBOI"),
    ];

    #[test]
    fn base32_encode_matches_rfc4648_vectors_without_padding() {
        for (plain, encoded) in RFC4648_VECTORS {
            assert_eq!(base32_encode(plain.as_bytes()), encoded, "{plain:?}");
        }
    }

    #[test]
    fn base32_decode_matches_rfc4648_vectors_with_or_without_padding() {
        for (plain, encoded) in RFC4648_VECTORS {
            assert_eq!(base32_decode(encoded).as_deref(), Ok(plain.as_bytes()));
            let padded = format!("{encoded}{}", "=".repeat((8 - encoded.len() % 8) % 8));
            assert_eq!(base32_decode(&padded).as_deref(), Ok(plain.as_bytes()));
        }
    }

    #[test]
    fn base32_decode_accepts_lower_case_spaces_and_hyphens() {
        assert_eq!(
            base32_decode("mzxw 6ytb-oi").as_deref(),
            Ok(b"foobar".as_slice())
        );
    }

    #[test]
    fn base32_decode_rejects_characters_outside_the_alphabet() {
        assert_eq!(base32_decode("MZXW1"), Err(Base32Error::InvalidCharacter));
        assert_eq!(base32_decode("MZ0W"), Err(Base32Error::InvalidCharacter));
    }

    #[test]
    fn base32_decode_rejects_impossible_lengths_and_nonzero_padding_bits() {
        assert_eq!(base32_decode("M"), Err(Base32Error::NonCanonical));
        assert_eq!(base32_decode("MZX"), Err(Base32Error::NonCanonical));
        // "MY" is "f"; "M3" has ones in the unused low bits, so is not canonical.
        assert_eq!(base32_decode("M3"), Err(Base32Error::NonCanonical));
    }

    #[test]
    fn base32_round_trips_every_length_up_to_forty_bytes() {
        let data: Vec<u8> = (0u8..40).map(|i| i.wrapping_mul(37) ^ 0xa5).collect();
        for len in 0..=data.len() {
            let encoded = base32_encode(&data[..len]);
            assert_eq!(base32_decode(&encoded).as_deref(), Ok(&data[..len]));
        }
    }

    #[test]
    fn percent_encode_keeps_unreserved_and_encodes_the_rest() {
        assert_eq!(
            percent_encode("Jane Doe+x@example.org:é~_.-"),
            "Jane%20Doe%2Bx%40example.org%3A%C3%A9~_.-"
        );
    }

    #[test]
    fn xml_escape_escapes_markup_characters() {
        assert_eq!(
            xml_escape(r#"<a href="x">&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;"
        );
    }
}
