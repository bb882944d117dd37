//! Calendar dates and timestamps without a time-zone library: parsing of the common written
//! forms, validation (no 31 February), weekday, and comparison helpers.

use std::fmt;

/// A valid proleptic Gregorian calendar date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// Year, 1000 to 2999.
    pub year: i32,
    /// Month, 1 to 12.
    pub month: u8,
    /// Day of month, 1 to the length of the month.
    pub day: u8,
}

/// Why a date could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateError {
    /// Not in a recognised form.
    Format,
    /// Recognised form, but no such day (month 13, 30 February).
    Impossible,
}

impl fmt::Display for DateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DateError::Format => {
                f.write_str("not a date (expected YYYY-MM-DD, YYYYMMDD or DD/MM/YYYY)")
            }
            DateError::Impossible => f.write_str("no such calendar day"),
        }
    }
}

fn is_leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i32, m: u8) -> u8 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        2 => 28,
        _ => 0,
    }
}

impl Date {
    /// A date from its parts, checked.
    pub fn new(year: i32, month: u8, day: u8) -> Result<Date, DateError> {
        if !(1000..=2999).contains(&year) || !(1..=12).contains(&month) {
            return Err(DateError::Impossible);
        }
        if day == 0 || day > days_in_month(year, month) {
            return Err(DateError::Impossible);
        }
        Ok(Date { year, month, day })
    }

    /// Days since 1970-01-01 (negative before).
    pub fn days_from_epoch(self) -> i64 {
        // Howard Hinnant's days_from_civil.
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let mp = (m + 9) % 12;
        let doy = (153 * mp + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// Day of the week, 0 = Monday ... 6 = Sunday.
    pub fn weekday(self) -> u8 {
        // 1970-01-01 was a Thursday (3).
        ((self.days_from_epoch() + 3).rem_euclid(7)) as u8
    }

    /// The digits of `YYYYMMDD`, as bytes, without allocating.
    pub fn digits(self) -> [u8; 8] {
        let mut out = [b'0'; 8];
        let mut y = self.year.clamp(0, 9999) as u32;
        for i in (0..4).rev() {
            out[i] = b'0' + (y % 10) as u8;
            y /= 10;
        }
        out[4] = b'0' + self.month / 10;
        out[5] = b'0' + self.month % 10;
        out[6] = b'0' + self.day / 10;
        out[7] = b'0' + self.day % 10;
        out
    }

    /// `YYYYMMDD`, the compact form used in comparisons.
    pub fn compact(self) -> String {
        format!("{:04}{:02}{:02}", self.year, self.month, self.day)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

fn num(s: &str) -> Result<i32, DateError> {
    if s.is_empty() || s.len() > 4 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(DateError::Format);
    }
    s.parse().map_err(|_| DateError::Format)
}

/// Parses `YYYY-MM-DD`, `YYYY/MM/DD`, `YYYYMMDD`, `DD/MM/YYYY`, `DD-MM-YYYY` and
/// `DD.MM.YYYY` (UK order, never US order).
pub fn parse_date(raw: &str) -> Result<Date, DateError> {
    let s = raw.trim();
    if s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()) {
        return Date::new(num(&s[..4])?, num(&s[4..6])? as u8, num(&s[6..])? as u8);
    }
    let parts: Vec<&str> = s.split(['-', '/', '.']).collect();
    let [a, b, c] = parts.as_slice() else {
        return Err(DateError::Format);
    };
    let (y, m, d) = if a.len() == 4 {
        (num(a)?, num(b)?, num(c)?)
    } else if c.len() == 4 {
        (num(c)?, num(b)?, num(a)?)
    } else {
        return Err(DateError::Format);
    };
    if !(1..=99).contains(&m) || !(1..=99).contains(&d) {
        return Err(DateError::Impossible);
    }
    Date::new(y, m as u8, d as u8)
}

/// A date with an optional time of day, as read from an incident's `at` column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timestamp {
    /// The calendar date.
    pub date: Date,
    /// Hour of day 0-23, when a time was given.
    pub hour: Option<u8>,
}

/// Parses a date, optionally followed by `T` or a space and `HH:MM[:SS[.fff]]` and an
/// optional `Z` or offset, which is ignored (local time is what analysts read).
pub fn parse_timestamp(raw: &str) -> Result<Timestamp, DateError> {
    let s = raw.trim();
    let (date_part, time_part) = match s.find(['T', ' ']) {
        Some(i) => (&s[..i], Some(s[i + 1..].trim())),
        None => (s, None),
    };
    let date = parse_date(date_part)?;
    let hour = match time_part {
        None | Some("") => None,
        Some(t) => {
            let hh = t.get(..2).ok_or(DateError::Format)?;
            if t.as_bytes().get(2) != Some(&b':') {
                return Err(DateError::Format);
            }
            let h = num(hh)?;
            let mm = num(t.get(3..5).ok_or(DateError::Format)?)?;
            if h > 23 || mm > 59 {
                return Err(DateError::Impossible);
            }
            Some(h as u8)
        }
    };
    Ok(Timestamp { date, hour })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_are_the_compact_form() {
        for d in [
            Date::new(1999, 12, 31),
            Date::new(2001, 5, 6),
            Date::new(1000, 1, 1),
        ] {
            let d = d.expect("valid");
            assert_eq!(d.digits().as_slice(), d.compact().as_bytes());
        }
    }

    #[test]
    fn forms_and_validation() {
        let d = Date::new(1971, 6, 24).expect("date");
        assert_eq!(parse_date("1971-06-24"), Ok(d));
        assert_eq!(parse_date("19710624"), Ok(d));
        assert_eq!(parse_date("24/06/1971"), Ok(d));
        assert_eq!(parse_date("24.6.1971"), Ok(d));
        assert_eq!(parse_date("1971/06/24"), Ok(d));
        assert_eq!(parse_date("2023-02-29"), Err(DateError::Impossible));
        assert_eq!(parse_date("2024-02-29").map(|d| d.day), Ok(29));
        assert_eq!(parse_date("19711324"), Err(DateError::Impossible));
        assert_eq!(parse_date("yesterday"), Err(DateError::Format));
        assert_eq!(parse_date(""), Err(DateError::Format));
        assert_eq!(d.to_string(), "1971-06-24");
    }

    #[test]
    fn weekdays_and_timestamps() {
        assert_eq!(Date::new(1970, 1, 1).expect("d").weekday(), 3);
        assert_eq!(Date::new(2024, 1, 1).expect("d").weekday(), 0);
        assert_eq!(Date::new(2000, 2, 29).expect("d").days_from_epoch(), 11_016);
        let t = parse_timestamp("2024-07-05T23:15:00Z").expect("ts");
        assert_eq!(t.hour, Some(23));
        assert_eq!(parse_timestamp("2024-07-05").expect("ts").hour, None);
        assert_eq!(
            parse_timestamp("05/07/2024 08:30").expect("ts").hour,
            Some(8)
        );
        assert_eq!(
            parse_timestamp("2024-07-05T25:00"),
            Err(DateError::Impossible)
        );
        assert_eq!(parse_timestamp("2024-07-05T9"), Err(DateError::Format));
    }
}
