//! Time-based one-time passwords (RFC 6238: HMAC-SHA1, 6 digits, 30-second steps) for the second factor.

use hmac::{Hmac, Mac};
use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};
use rand::RngCore;
use rand::rngs::OsRng;
use secrecy::{ExposeSecret, SecretSlice};
use sha1::Sha1;
use subtle::{Choice, ConstantTimeEq};
use thiserror::Error;

use crate::encoding::{Base32Error, base32_decode, base32_encode, percent_encode, xml_escape};
use crate::error::AuthError;

/// Number of digits in a code.
pub const TOTP_DIGITS: u32 = 6;

/// Length of a time step in seconds (RFC 6238 "X").
pub const TOTP_STEP_SECONDS: i64 = 30;

/// Size of a generated secret in bytes (160 bits, as RFC 4226 recommends).
pub const TOTP_SECRET_BYTES: usize = 20;

/// Shortest secret accepted by [`TotpSecret::from_base32`] (RFC 4226's 128-bit minimum).
const MIN_SECRET_BYTES: usize = 16;

/// Longest secret accepted by [`TotpSecret::from_base32`] (SHA-1's block size).
const MAX_SECRET_BYTES: usize = 64;

/// How many steps either side of "now" are accepted, for clock drift and typing time.
const WINDOW_STEPS: i64 = 1;

/// Text read out by assistive technology for the QR code image.
const QR_ACCESSIBLE_NAME: &str = "QR code for setting up your authenticator app. \
If you cannot scan it, enter the setup key shown on this page instead.";

/// The RFC 6238 time step containing `unix_seconds` (T0 = 0, X = 30), so
/// callers can store it as the last used step.
pub fn time_step(unix_seconds: i64) -> i64 {
    unix_seconds.div_euclid(TOTP_STEP_SECONDS)
}

/// Why a TOTP code was not accepted.
///
/// `message()` (also the `Display` text) is written for the user, in the
/// GOV.UK error message style.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum TotpProblem {
    /// Not 6 digits once spaces were removed.
    #[error("Enter the 6-digit code from your authenticator app")]
    Malformed,
    /// Well-formed but not the code for the previous, current or next 30 seconds.
    #[error("The code is not correct - check your authenticator app and try again")]
    Wrong,
    /// The right code, but for a time step that has already been used to sign
    /// in (a replay, or the same code entered twice).
    #[error("That code has already been used - wait for your app to show a new code")]
    Reused,
}

impl TotpProblem {
    /// The message to show the user.
    pub fn message(&self) -> &'static str {
        match self {
            Self::Malformed => "Enter the 6-digit code from your authenticator app",
            Self::Wrong => "The code is not correct - check your authenticator app and try again",
            Self::Reused => {
                "That code has already been used - wait for your app to show a new code"
            }
        }
    }
}

/// A TOTP shared secret.
///
/// Generated secrets are 20 random bytes. Stored and displayed as RFC 4648
/// base32 without padding, the form authenticator apps accept as a "setup
/// key". The bytes are zeroed on drop and `Debug` does not show them.
pub struct TotpSecret {
    bytes: SecretSlice<u8>,
}

impl std::fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpSecret(<redacted>)")
    }
}

impl Clone for TotpSecret {
    fn clone(&self) -> Self {
        Self::from_vec(self.bytes.expose_secret().to_vec())
    }
}

impl TotpSecret {
    fn from_vec(bytes: Vec<u8>) -> Self {
        Self {
            bytes: SecretSlice::from(bytes),
        }
    }

    /// A new secret of [`TOTP_SECRET_BYTES`] bytes from the operating system's CSPRNG.
    pub fn generate() -> Self {
        let mut bytes = vec![0u8; TOTP_SECRET_BYTES];
        OsRng.fill_bytes(&mut bytes);
        Self::from_vec(bytes)
    }

    /// Reads a secret from base32 (as stored, or as typed: case, spaces,
    /// hyphens and `=` padding are tolerated).
    ///
    /// # Errors
    ///
    /// [`AuthError::InvalidTotpSecret`] if the text is not canonical base32 or
    /// decodes to fewer than 16 or more than 64 bytes.
    pub fn from_base32(text: &str) -> Result<Self, AuthError> {
        let bytes = base32_decode(text).map_err(|e| {
            AuthError::InvalidTotpSecret(match e {
                Base32Error::InvalidCharacter => "character outside the base32 alphabet",
                Base32Error::NonCanonical => "not canonical base32",
            })
        })?;
        if bytes.len() < MIN_SECRET_BYTES {
            return Err(AuthError::InvalidTotpSecret("shorter than 128 bits"));
        }
        if bytes.len() > MAX_SECRET_BYTES {
            return Err(AuthError::InvalidTotpSecret("longer than 512 bits"));
        }
        Ok(Self::from_vec(bytes))
    }

    /// The secret as upper-case RFC 4648 base32 without padding (32
    /// characters for a generated secret). This is the secret itself: store it
    /// as carefully as a password hash and show it only during set-up.
    pub fn to_base32(&self) -> String {
        base32_encode(self.bytes.expose_secret())
    }

    /// The 6-digit code for the time step containing `unix_seconds`. Times
    /// before 1970 are treated as step 0.
    pub fn code_at(&self, unix_seconds: i64) -> String {
        self.code_at_with_digits(unix_seconds, TOTP_DIGITS)
    }

    /// The `digits`-digit code for the time step containing `unix_seconds`.
    /// Only 6 digits are used in Safehub; other lengths exist so the RFC 6238
    /// 8-digit test vectors can be checked.
    pub(crate) fn code_at_with_digits(&self, unix_seconds: i64, digits: u32) -> String {
        let counter = u64::try_from(time_step(unix_seconds)).unwrap_or(0);
        hotp(self.bytes.expose_secret(), counter, digits)
    }

    /// Checks a code typed by the user at `now_unix`.
    ///
    /// Spaces (any whitespace) are removed first; what remains must be exactly
    /// six ASCII digits. Codes for the previous, current and next 30-second
    /// steps are accepted. All three candidates are computed and compared in
    /// constant time before the result is decided. A step at or before
    /// `last_used_step` is refused as [`TotpProblem::Reused`], so a code cannot
    /// be used twice even within its window.
    ///
    /// On success returns the matched step, which the caller must store as the
    /// new `last_used_step` (in the same transaction that accepts the login).
    ///
    /// # Errors
    ///
    /// [`TotpProblem::Malformed`], [`TotpProblem::Reused`] or [`TotpProblem::Wrong`].
    pub fn verify(
        &self,
        code: &str,
        now_unix: i64,
        last_used_step: Option<i64>,
    ) -> Result<i64, TotpProblem> {
        let entered: String = code.chars().filter(|c| !c.is_whitespace()).collect();
        if entered.len() != TOTP_DIGITS as usize || !entered.bytes().all(|b| b.is_ascii_digit()) {
            return Err(TotpProblem::Malformed);
        }

        let now_step = time_step(now_unix);
        let mut accepted: Option<i64> = None;
        let mut replayed = false;
        for offset in -WINDOW_STEPS..=WINDOW_STEPS {
            let step = now_step.saturating_add(offset);
            let Ok(counter) = u64::try_from(step) else {
                continue;
            };
            let expected = hotp(self.bytes.expose_secret(), counter, TOTP_DIGITS);
            let matches: Choice = expected.as_bytes().ct_eq(entered.as_bytes());
            if bool::from(matches) {
                if last_used_step.is_some_and(|last| step <= last) {
                    replayed = true;
                } else {
                    // Steps ascend, so a (1-in-a-million) collision keeps the latest.
                    accepted = Some(step);
                }
            }
        }
        match (accepted, replayed) {
            (Some(step), _) => Ok(step),
            (None, true) => Err(TotpProblem::Reused),
            (None, false) => Err(TotpProblem::Wrong),
        }
    }

    /// The `otpauth://` Key URI that authenticator apps import from a QR code:
    /// `otpauth://totp/{issuer}:{account}?secret=…&issuer=…&algorithm=SHA1&digits=6&period=30`,
    /// with issuer and account label percent-encoded (so an email address's
    /// `@` becomes `%40`). Contains the secret.
    pub fn otpauth_uri(&self, issuer: &str, account_label: &str) -> String {
        let issuer = percent_encode(issuer);
        format!(
            "otpauth://totp/{issuer}:{label}?secret={secret}&issuer={issuer}\
             &algorithm=SHA1&digits={TOTP_DIGITS}&period={TOTP_STEP_SECONDS}",
            label = percent_encode(account_label),
            secret = self.to_base32(),
        )
    }
}

/// RFC 4226 HOTP: HMAC-SHA1 over the big-endian counter, dynamic truncation,
/// then the low `digits` decimal digits, zero-padded.
pub(crate) fn hotp(key: &[u8], counter: u64, digits: u32) -> String {
    debug_assert!((1..=10).contains(&digits), "HOTP digits must be 1..=10");
    let mut mac =
        <Hmac<Sha1> as Mac>::new_from_slice(key).expect("HMAC accepts keys of any length");
    mac.update(&counter.to_be_bytes());
    let hash = mac.finalize().into_bytes();
    let offset = usize::from(hash[hash.len() - 1] & 0x0f);
    let truncated = u32::from_be_bytes([
        hash[offset] & 0x7f,
        hash[offset + 1],
        hash[offset + 2],
        hash[offset + 3],
    ]);
    let code = u64::from(truncated) % 10u64.pow(digits);
    format!("{code:0width$}", width = digits as usize)
}

/// Renders `uri` (normally from [`TotpSecret::otpauth_uri`]) as an inline SVG
/// QR code, ready to place in an HTML page.
///
/// The SVG has `role="img"`, an `aria-label` and a `<title>` so screen readers
/// announce it and point to the typed setup key; the page should show
/// [`TotpSecret::to_base32`] next to it for people who cannot scan. The XML
/// prolog is omitted so the markup can be inlined. The image encodes the
/// secret: serve it with `Cache-Control: no-store`.
///
/// # Errors
///
/// [`AuthError::QrCode`] if the URI is too long for a QR code (over about
/// 2,300 bytes at the medium error-correction level used).
pub fn qr_svg(uri: &str) -> Result<String, AuthError> {
    let code = QrCode::with_error_correction_level(uri.as_bytes(), EcLevel::M)
        .map_err(|e| AuthError::QrCode(e.to_string()))?;
    let rendered = code
        .render::<svg::Color<'_>>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    let Some(svg_start) = rendered.find("<svg") else {
        return Err(AuthError::QrCode(
            "renderer produced no <svg> element".into(),
        ));
    };
    let svg = &rendered[svg_start..];
    let Some(open_end) = svg.find('>') else {
        return Err(AuthError::QrCode(
            "renderer produced a malformed <svg> tag".into(),
        ));
    };
    let name = xml_escape(QR_ACCESSIBLE_NAME);
    let (open_tag, rest) = svg.split_at(open_end);
    let attributes = open_tag.trim_start_matches("<svg");
    Ok(format!(
        r#"<svg role="img" aria-label="{name}"{attributes}><title>{name}</title>{body}"#,
        body = &rest[1..],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 Appendix B SHA-1 seed: ASCII "12345678901234567890".
    const RFC_SECRET_ASCII: &[u8; 20] = b"12345678901234567890";

    /// RFC 6238 Appendix B, SHA-1 rows: (time, 8-digit TOTP).
    const RFC_VECTORS: [(i64, &str); 6] = [
        (59, "94287082"),
        (1_111_111_109, "07081804"),
        (1_111_111_111, "14050471"),
        (1_234_567_890, "89005924"),
        (2_000_000_000, "69279037"),
        (20_000_000_000, "65353130"),
    ];

    fn rfc_secret() -> TotpSecret {
        TotpSecret::from_base32(&base32_encode(RFC_SECRET_ASCII)).expect("valid secret")
    }

    #[test]
    fn rfc6238_sha1_vectors_give_the_8_digit_codes() {
        let secret = rfc_secret();
        for (time, expected) in RFC_VECTORS {
            assert_eq!(secret.code_at_with_digits(time, 8), expected, "T = {time}");
        }
    }

    #[test]
    fn six_digit_code_is_the_last_six_digits_of_the_rfc6238_vectors() {
        let secret = rfc_secret();
        for (time, expected) in RFC_VECTORS {
            assert_eq!(secret.code_at(time), &expected[2..], "T = {time}");
        }
    }

    #[test]
    fn rfc_secret_has_the_well_known_base32_form() {
        assert_eq!(rfc_secret().to_base32(), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    }

    #[test]
    fn rfc6238_vectors_verify_at_their_own_time() {
        let secret = rfc_secret();
        for (time, expected) in RFC_VECTORS {
            assert_eq!(
                secret.verify(&expected[2..], time, None),
                Ok(time_step(time))
            );
        }
    }

    #[test]
    fn generated_secret_is_20_bytes_and_32_base32_characters_and_round_trips() {
        let secret = TotpSecret::generate();
        let text = secret.to_base32();
        assert_eq!(text.len(), 32);
        assert!(!text.contains('='));
        let again = TotpSecret::from_base32(&text).expect("round trip");
        assert_eq!(again.to_base32(), text);
        assert_eq!(again.code_at(1_700_000_000), secret.code_at(1_700_000_000));
    }

    #[test]
    fn generated_secrets_differ() {
        assert_ne!(
            TotpSecret::generate().to_base32(),
            TotpSecret::generate().to_base32()
        );
    }

    #[test]
    fn from_base32_accepts_lower_case_and_spaces_as_typed() {
        let secret =
            TotpSecret::from_base32("gezd gnbv gy3t qojq gezd gnbv gy3t qojq").expect("ok");
        assert_eq!(secret.to_base32(), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    }

    #[test]
    fn from_base32_refuses_invalid_text_and_short_secrets() {
        assert!(matches!(
            TotpSecret::from_base32("GEZDGNBVGY3TQOJ1GEZDGNBVGY3TQOJQ"),
            Err(AuthError::InvalidTotpSecret(_))
        ));
        // 10 bytes: below the RFC 4226 minimum of 128 bits.
        assert!(matches!(
            TotpSecret::from_base32("GEZDGNBVGY3TQOJQ"),
            Err(AuthError::InvalidTotpSecret(_))
        ));
    }

    #[test]
    fn debug_output_hides_the_secret() {
        let secret = rfc_secret();
        let text = format!("{secret:?}");
        assert_eq!(text, "TotpSecret(<redacted>)");
        assert!(!text.contains("GEZD"));
    }

    #[test]
    fn codes_are_accepted_one_step_either_side_of_now() {
        let secret = rfc_secret();
        let now = 1_234_567_890;
        let step = time_step(now);
        for offset in [-1, 0, 1] {
            let code = secret.code_at(now + offset * TOTP_STEP_SECONDS);
            assert_eq!(
                secret.verify(&code, now, None),
                Ok(step + offset),
                "offset {offset}"
            );
        }
    }

    #[test]
    fn codes_two_steps_away_are_wrong() {
        let secret = rfc_secret();
        let now = 1_234_567_890;
        for offset in [-2, 2] {
            let code = secret.code_at(now + offset * TOTP_STEP_SECONDS);
            // Guard against the tiny chance the code coincides with one in the window.
            let in_window: Vec<String> = (-1..=1)
                .map(|o| secret.code_at(now + o * TOTP_STEP_SECONDS))
                .collect();
            if !in_window.contains(&code) {
                assert_eq!(secret.verify(&code, now, None), Err(TotpProblem::Wrong));
            }
        }
    }

    #[test]
    fn wrong_code_is_wrong() {
        let secret = rfc_secret();
        let now = 1_234_567_890;
        let right = secret.code_at(now);
        let wrong = if right == "000000" {
            "000001"
        } else {
            "000000"
        };
        assert_eq!(secret.verify(wrong, now, None), Err(TotpProblem::Wrong));
    }

    #[test]
    fn code_for_an_already_used_step_is_refused_as_reused() {
        let secret = rfc_secret();
        let now = 1_234_567_890;
        let code = secret.code_at(now);
        let step = secret.verify(&code, now, None).expect("first use");
        assert_eq!(
            secret.verify(&code, now, Some(step)),
            Err(TotpProblem::Reused)
        );
        // Still refused a few seconds later, while the code is in the window.
        assert_eq!(
            secret.verify(&code, now + 20, Some(step)),
            Err(TotpProblem::Reused)
        );
    }

    #[test]
    fn code_for_a_step_before_the_last_used_step_is_refused_as_reused() {
        let secret = rfc_secret();
        let now = 1_234_567_890;
        let previous = secret.code_at(now - TOTP_STEP_SECONDS);
        assert_eq!(
            secret.verify(&previous, now, Some(time_step(now))),
            Err(TotpProblem::Reused)
        );
    }

    #[test]
    fn next_code_after_last_used_step_is_accepted() {
        let secret = rfc_secret();
        let now = 1_234_567_890;
        let next = secret.code_at(now + TOTP_STEP_SECONDS);
        assert_eq!(
            secret.verify(&next, now + TOTP_STEP_SECONDS, Some(time_step(now))),
            Ok(time_step(now) + 1)
        );
    }

    #[test]
    fn spaces_in_the_code_are_ignored() {
        let secret = rfc_secret();
        let now = 59;
        // RFC vector at T=59 ends in 287082.
        assert_eq!(secret.verify(" 287 082 ", now, None), Ok(1));
        assert_eq!(secret.verify("287\t082", now, None), Ok(1));
    }

    #[test]
    fn code_that_is_not_six_digits_is_malformed() {
        let secret = rfc_secret();
        for bad in [
            "",
            "   ",
            "28708",
            "2870820",
            "94287082",
            "28708a",
            "287-082",
            "２８７０８２",
        ] {
            assert_eq!(
                secret.verify(bad, 59, None),
                Err(TotpProblem::Malformed),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn problem_display_is_the_user_message() {
        for problem in [
            TotpProblem::Malformed,
            TotpProblem::Wrong,
            TotpProblem::Reused,
        ] {
            assert_eq!(problem.to_string(), problem.message());
        }
    }

    #[test]
    fn otpauth_uri_percent_encodes_issuer_and_label() {
        let uri = rfc_secret().otpauth_uri("Safehub Test", "sam.worker+x@council.example");
        assert_eq!(
            uri,
            "otpauth://totp/Safehub%20Test:sam.worker%2Bx%40council.example\
             ?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Safehub%20Test\
             &algorithm=SHA1&digits=6&period=30"
        );
    }

    #[test]
    fn qr_svg_is_an_accessible_inline_svg_image() {
        let uri = TotpSecret::generate().otpauth_uri("Safehub", "sam@example.org");
        let svg = qr_svg(&uri).expect("fits in a QR code");
        assert!(
            svg.starts_with(r#"<svg role="img" aria-label="QR code for setting up"#),
            "{svg}"
        );
        assert!(svg.contains(r#"xmlns="http://www.w3.org/2000/svg""#));
        assert!(svg.contains("<title>QR code for setting up your authenticator app."));
        assert!(!svg.contains("<?xml"));
        assert!(svg.ends_with("</svg>"));
        assert!(svg.contains("<path"));
    }

    #[test]
    fn qr_svg_refuses_data_too_long_for_a_qr_code() {
        let too_long = "x".repeat(5_000);
        assert!(matches!(qr_svg(&too_long), Err(AuthError::QrCode(_))));
    }

    #[test]
    fn times_before_1970_use_step_zero() {
        let secret = rfc_secret();
        assert_eq!(secret.code_at(-1), secret.code_at(0));
        assert_eq!(time_step(-1), -1);
    }
}
