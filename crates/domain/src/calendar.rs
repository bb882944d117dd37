//! The working-day calendar for England and Wales and Safehub's statutory clocks (R3).
//!
//! The regional procedures set time limits in working days: a discussion within 3 working days
//! of a referral and a strategy discussion within 24 hours (R3.1, WM-14.2), a MASE meeting
//! within 15 working days of the referral (R3.2, WM-15.1), and plan reviews no later than
//! 3 months after the initial meeting (R3.3, WM-13.4, WM-15.9). Working days exclude Saturdays,
//! Sundays, the bank holidays of England and Wales and any special non-working days an
//! administrator adds.
//!
//! The bank holidays ship as data (`crates/domain/data/bank-holidays-england-and-wales.txt`,
//! embedded at compile time) for 2020 to 2030 inclusive. Outside those years this module does
//! not guess: any question whose answer depends on an uncovered day is refused with
//! [`CalendarError::OutOfRange`], which names the covered years.
//!
//! # The counting rules
//!
//! - **"n working days after a date"** ([`WorkingCalendar::add_working_days`]) is the date on
//!   which the n-th working day *after* that date falls; the date itself is never counted.
//!   Adding 0 working days returns the date unchanged.
//! - **Working days between two dates** ([`WorkingCalendar::working_days_between`]) counts the
//!   working days after the first date up to and including the second, negated when the
//!   second is earlier. For every date `a` and `n`, `working_days_between(a,
//!   add_working_days(a, n)) == n`.
//! - **The day a referral counts from** ([`WorkingCalendar::referral_day`]): Safehub stores
//!   instants as UTC [`Timestamp`]s, but a referral belongs to the day on which it was received
//!   in England, so its date is its date in `Europe/London` (GMT in winter, BST in summer). A
//!   referral received on a non-working day, or on a working day at or after
//!   [`END_OF_WORKING_DAY`] (17:00 London time), counts from the next working day.
//! - **"Within n working days of referral"** ([`WorkingCalendar::discussion_due`],
//!   [`WorkingCalendar::mase_due`]) means by the end of the n-th working day after the day the
//!   referral counts from. A referral received at 10:00 on a Monday with no bank holidays that
//!   week has a discussion due by the end of Thursday.
//! - **A due date is met** by anything done at any time on that date in London; the clock is
//!   overdue from the start of the following day ([`is_overdue`]).
//! - **The strategy discussion** is due 24 elapsed hours after the referral is received,
//!   whatever the day or the clock change ([`strategy_discussion_due`]).
//! - **Plan reviews** are due 3 calendar months after the meeting, on the same day of the
//!   month, or the last day of the month when that day does not exist (31 January gives
//!   30 April; 30 November gives 28 February, or 29 February in a leap year). The date is not
//!   moved off a weekend or bank holiday: it is a "no later than" limit, so a review due on a
//!   non-working day has to be held on an earlier working day ([`plan_review_due`]).

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Bound;
use std::sync::LazyLock;

use jiff::civil::{Date, Time, Weekday};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, ToSpan};

/// The shipped bank holidays of England and Wales, 2020 to 2030, in the format
/// [`WorkingCalendar::parse`] reads.
pub const BANK_HOLIDAYS_ENGLAND_AND_WALES: &str =
    include_str!("../data/bank-holidays-england-and-wales.txt");

/// The time zone in which referral dates and due dates are reckoned.
pub const TIME_ZONE: &str = "Europe/London";

/// The end of the working day, London time: a referral received at or after this time counts
/// from the next working day.
pub const END_OF_WORKING_DAY: Time = Time::constant(17, 0, 0, 0);

/// How long after a referral a strategy discussion is due: 24 hours of real time (R3.1,
/// WM-14.2).
pub const STRATEGY_DISCUSSION_WITHIN: SignedDuration = SignedDuration::from_hours(24);

/// The working days after a referral within which a discussion is due (R3.1, WM-14.2).
pub const DISCUSSION_WITHIN_WORKING_DAYS: u32 = 3;

/// The working days after a referral within which a MASE meeting is due (R3.2, WM-15.1).
pub const MASE_WITHIN_WORKING_DAYS: u32 = 15;

/// The calendar months after a meeting within which the plan review is due (R3.3, WM-13.4,
/// WM-15.9).
pub const PLAN_REVIEW_WITHIN_MONTHS: i8 = 3;

static SHIPPED: LazyLock<WorkingCalendar> = LazyLock::new(|| {
    WorkingCalendar::parse(BANK_HOLIDAYS_ENGLAND_AND_WALES)
        .expect("the shipped bank-holiday data parses (checked by the calendar's tests)")
});

static LONDON: LazyLock<TimeZone> = LazyLock::new(|| {
    TimeZone::get(TIME_ZONE).expect("Europe/London is in jiff's bundled time zone database")
});

/// A question the calendar cannot answer without guessing.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// The answer depends on a day outside the years whose bank holidays are known.
    #[error(
        "cannot tell whether {date} is a working day: the bank holidays of England and Wales \
         are known only for {first_year} to {last_year}; an administrator must add later years"
    )]
    OutOfRange {
        /// The first day that could not be classified.
        date: Date,
        /// The first year covered.
        first_year: i16,
        /// The last year covered.
        last_year: i16,
    },
}

/// A mistake in bank-holiday data, with the line it is on (counting from 1).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("bank holiday data, line {line}: {problem}")]
pub struct CalendarDataError {
    /// The line of the data the problem is on, counting from 1.
    pub line: usize,
    /// What is wrong with it.
    pub problem: DataProblem,
}

/// What is wrong with a line of bank-holiday data.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DataProblem {
    /// The line does not start with a real date written `YYYY-MM-DD`.
    #[error("{0:?} is not a date written YYYY-MM-DD")]
    NotADate(String),
    /// The date has no name after it.
    #[error("the date has no name after it")]
    MissingName,
    /// The date falls on a Saturday or Sunday; the substitute weekday should be listed.
    #[error("{0} is a {1:?}; list the substitute weekday instead")]
    Weekend(Date, Weekday),
    /// The date is listed twice.
    #[error("{0} is listed more than once")]
    Duplicate(Date),
    /// A year between the first and last listed has no dates, so it is probably missing.
    #[error("no bank holidays are listed for {0}")]
    YearMissing(i16),
    /// The data lists no dates at all.
    #[error("no bank holidays are listed")]
    Empty,
}

/// Which days are working days in England and Wales, for the years whose bank holidays are
/// known, plus any special non-working days an administrator has added.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkingCalendar {
    bank_holidays: BTreeMap<Date, String>,
    extra: BTreeSet<Date>,
    /// Bank holidays and extra days that fall on weekdays: the only non-working weekdays.
    closed_weekdays: BTreeSet<Date>,
    first_year: i16,
    last_year: i16,
}

impl WorkingCalendar {
    /// The shipped calendar: weekends and the bank holidays of England and Wales, 2020 to 2030.
    pub fn england_and_wales() -> Self {
        SHIPPED.clone()
    }

    /// Reads bank-holiday data: one date a line, `YYYY-MM-DD name`, with blank lines and lines
    /// starting with `#` ignored. The calendar covers every year from the first to the last
    /// year listed; each of them must list at least one date, and every date must be a
    /// weekday.
    pub fn parse(text: &str) -> Result<Self, CalendarDataError> {
        let mut bank_holidays = BTreeMap::new();
        let mut first_line_of_year: BTreeMap<i16, usize> = BTreeMap::new();
        let mut last_line = 0;
        for (index, raw) in text.lines().enumerate() {
            let line = index + 1;
            last_line = line;
            let content = raw.trim();
            if content.is_empty() || content.starts_with('#') {
                continue;
            }
            let fail = |problem| CalendarDataError { line, problem };
            let (date_text, name) = content
                .split_once(char::is_whitespace)
                .unwrap_or((content, ""));
            let date = parse_iso_date(date_text)
                .ok_or_else(|| fail(DataProblem::NotADate(date_text.into())))?;
            let name = name.trim();
            if name.is_empty() {
                return Err(fail(DataProblem::MissingName));
            }
            if is_weekend(date) {
                return Err(fail(DataProblem::Weekend(date, date.weekday())));
            }
            if bank_holidays.insert(date, name.to_owned()).is_some() {
                return Err(fail(DataProblem::Duplicate(date)));
            }
            first_line_of_year.entry(date.year()).or_insert(line);
        }
        let (Some((&first_year, _)), Some((&last_year, _))) = (
            first_line_of_year.first_key_value(),
            first_line_of_year.last_key_value(),
        ) else {
            return Err(CalendarDataError {
                line: last_line,
                problem: DataProblem::Empty,
            });
        };
        for year in first_year..=last_year {
            if !first_line_of_year.contains_key(&year) {
                let line = first_line_of_year
                    .range(year..)
                    .next()
                    .map_or(last_line, |(_, &line)| line);
                return Err(CalendarDataError {
                    line,
                    problem: DataProblem::YearMissing(year),
                });
            }
        }
        let closed_weekdays = bank_holidays.keys().copied().collect();
        Ok(Self {
            bank_holidays,
            extra: BTreeSet::new(),
            closed_weekdays,
            first_year,
            last_year,
        })
    }

    /// This calendar with special non-working days added by an administrator (for example a
    /// one-off bank holiday proclaimed after this release). Days at weekends or already bank
    /// holidays are kept in [`Self::extra_days`] but change nothing; days outside the covered
    /// years change nothing either, since those years are refused anyway.
    #[must_use]
    pub fn with_extra(mut self, dates: impl IntoIterator<Item = Date>) -> Self {
        for date in dates {
            self.extra.insert(date);
            if !is_weekend(date) {
                self.closed_weekdays.insert(date);
            }
        }
        self
    }

    /// The first year whose bank holidays are known.
    pub fn first_covered_year(&self) -> i16 {
        self.first_year
    }

    /// The last year whose bank holidays are known.
    pub fn last_covered_year(&self) -> i16 {
        self.last_year
    }

    /// Whether the calendar can say if this date is a working day.
    pub fn covers(&self, date: Date) -> bool {
        (self.first_year..=self.last_year).contains(&date.year())
    }

    /// The name of the bank holiday on this date, if it is one.
    pub fn bank_holiday(&self, date: Date) -> Option<&str> {
        self.bank_holidays.get(&date).map(String::as_str)
    }

    /// Every bank holiday in the calendar, in date order, with its name.
    pub fn bank_holidays(&self) -> impl Iterator<Item = (Date, &str)> {
        self.bank_holidays
            .iter()
            .map(|(date, name)| (*date, name.as_str()))
    }

    /// The special non-working days an administrator added, in date order.
    pub fn extra_days(&self) -> impl Iterator<Item = Date> {
        self.extra.iter().copied()
    }

    /// Whether this date is a working day: a weekday that is neither a bank holiday nor an
    /// administrator's extra day. Refused for dates outside the covered years.
    pub fn is_working_day(&self, date: Date) -> Result<bool, CalendarError> {
        if !self.covers(date) {
            return Err(self.out_of_range(date));
        }
        Ok(!is_weekend(date) && !self.closed_weekdays.contains(&date))
    }

    /// The date on which the `n`-th working day after `date` falls; `date` itself is never
    /// counted, and `n = 0` returns `date` unchanged. For `n > 0` the answer is always a
    /// working day. Refused when a day that has to be looked at is outside the covered years,
    /// for example when the answer would fall after the last covered year.
    pub fn add_working_days(&self, date: Date, n: u32) -> Result<Date, CalendarError> {
        let mut day = date;
        let mut left = n;
        while left > 0 {
            day = day.tomorrow().map_err(|_| self.out_of_range(day))?;
            if self.is_working_day(day)? {
                left -= 1;
            }
        }
        Ok(day)
    }

    /// The number of working days after `a` up to and including `b`; negative (the count from
    /// `b` to `a`, negated) when `b` is before `a`, and 0 when they are the same date.
    /// Refused when a day in between is outside the covered years.
    pub fn working_days_between(&self, a: Date, b: Date) -> Result<i64, CalendarError> {
        let (low, high, sign) = match a.cmp(&b) {
            std::cmp::Ordering::Equal => return Ok(0),
            std::cmp::Ordering::Less => (a, b, 1),
            std::cmp::Ordering::Greater => (b, a, -1),
        };
        // The days counted are those after `low` up to and including `high`.
        if !self.covers(high) {
            return Err(self.out_of_range(high));
        }
        let first_counted = low.tomorrow().map_err(|_| self.out_of_range(low))?;
        if !self.covers(first_counted) {
            return Err(self.out_of_range(first_counted));
        }
        let weekdays = weekdays_up_to(high) - weekdays_up_to(low);
        let closed = self
            .closed_weekdays
            .range((Bound::Excluded(low), Bound::Included(high)))
            .count();
        let closed = i64::try_from(closed).unwrap_or(i64::MAX);
        Ok(sign * (weekdays - closed))
    }

    /// The working day a referral received at `referred_at` counts from: its date in London,
    /// or the next working day when that date is not a working day or the referral arrived at
    /// or after [`END_OF_WORKING_DAY`].
    pub fn referral_day(&self, referred_at: Timestamp) -> Result<Date, CalendarError> {
        let local = referred_at.to_zoned(LONDON.clone());
        let date = local.date();
        if self.is_working_day(date)? && local.time() < END_OF_WORKING_DAY {
            Ok(date)
        } else {
            self.add_working_days(date, 1)
        }
    }

    /// When the discussion after a referral is due: the end of the 3rd working day after the
    /// day the referral counts from (R3.1, WM-14.2).
    pub fn discussion_due(&self, referred_at: Timestamp) -> Result<Date, CalendarError> {
        let start = self.referral_day(referred_at)?;
        self.add_working_days(start, DISCUSSION_WITHIN_WORKING_DAYS)
    }

    /// When the MASE meeting after a referral is due: the end of the 15th working day after
    /// the day the referral counts from (R3.2, WM-15.1).
    pub fn mase_due(&self, referred_at: Timestamp) -> Result<Date, CalendarError> {
        let start = self.referral_day(referred_at)?;
        self.add_working_days(start, MASE_WITHIN_WORKING_DAYS)
    }

    fn out_of_range(&self, date: Date) -> CalendarError {
        CalendarError::OutOfRange {
            date,
            first_year: self.first_year,
            last_year: self.last_year,
        }
    }
}

impl Default for WorkingCalendar {
    /// The shipped calendar for England and Wales.
    fn default() -> Self {
        Self::england_and_wales()
    }
}

/// When a strategy discussion is due: 24 hours of real time after the referral was received,
/// regardless of weekends, bank holidays or the clock change (R3.1, WM-14.2).
pub fn strategy_discussion_due(referred_at: Timestamp) -> Timestamp {
    referred_at
        .saturating_add(STRATEGY_DISCUSSION_WITHIN)
        .unwrap_or(Timestamp::MAX)
}

/// When the review of a plan agreed at a meeting on `meeting` is due: 3 calendar months later,
/// on the same day of the month or the last day of a shorter month (31 January gives 30 April),
/// not moved off weekends or bank holidays (R3.3, WM-13.4, WM-15.9).
pub fn plan_review_due(meeting: Date) -> Date {
    meeting.saturating_add(PLAN_REVIEW_WITHIN_MONTHS.months())
}

/// The date in London at an instant: the date a referral or a piece of work belongs to.
pub fn london_date(at: Timestamp) -> Date {
    at.to_zoned(LONDON.clone()).date()
}

/// Whether a clock due on `due` is overdue at `now`: work done at any time on the due date in
/// London is in time, so it is overdue from the start of the next day.
pub fn is_overdue(due: Date, now: Timestamp) -> bool {
    london_date(now) > due
}

fn is_weekend(date: Date) -> bool {
    matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday)
}

/// Parses exactly `YYYY-MM-DD` into a real date.
fn parse_iso_date(text: &str) -> Option<Date> {
    let bytes = text.as_bytes();
    let shape_ok = bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
    if !shape_ok {
        return None;
    }
    let year = text[0..4].parse().ok()?;
    let month = text[5..7].parse().ok()?;
    let day = text[8..10].parse().ok()?;
    Date::new(year, month, day).ok()
}

/// Days since 1970-01-01 (a Thursday) in the proleptic Gregorian calendar.
fn day_number(date: Date) -> i64 {
    let month = i64::from(date.month());
    let day = i64::from(date.day());
    let year = i64::from(date.year()) - i64::from(month <= 2);
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The number of weekdays from a fixed Monday up to and including `date`; only differences
/// between two values mean anything.
fn weekdays_up_to(date: Date) -> i64 {
    // Day 0 of this count is Monday 1969-12-29, three days before the day-number epoch.
    let since_monday = day_number(date) + 3;
    since_monday.div_euclid(7) * 5 + (since_monday.rem_euclid(7) + 1).min(5)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    type TestResult = Result<(), CalendarError>;

    fn cal() -> WorkingCalendar {
        WorkingCalendar::england_and_wales()
    }

    /// An instant given as UTC wall-clock time.
    fn utc(y: i16, m: i8, d: i8, hour: i8, minute: i8) -> Timestamp {
        date(y, m, d)
            .at(hour, minute, 0, 0)
            .to_zoned(TimeZone::UTC)
            .expect("a valid UTC time")
            .timestamp()
    }

    /// Easter Sunday by the anonymous Gregorian algorithm (Meeus/Jones/Butcher).
    fn easter_sunday(year: i16) -> Date {
        let y = i32::from(year);
        let a = y % 19;
        let b = y / 100;
        let c = y % 100;
        let d = b / 4;
        let e = b % 4;
        let f = (b + 8) / 25;
        let g = (b - f + 1) / 3;
        let h = (19 * a + b - d - g + 15) % 30;
        let i = c / 4;
        let k = c % 4;
        let l = (32 + 2 * e + 2 * i - h - k) % 7;
        let m = (a + 11 * h + 22 * l) / 451;
        let month = (h + l - 7 * m + 114) / 31;
        let day = (h + l - 7 * m + 114) % 31 + 1;
        date(
            year,
            i8::try_from(month).expect("month fits"),
            i8::try_from(day).expect("day fits"),
        )
    }

    /// Counts working days in (a, b] one day at a time, for cross-checking.
    fn naive_between(cal: &WorkingCalendar, a: Date, b: Date) -> Result<i64, CalendarError> {
        let (low, high, sign) = if a <= b { (a, b, 1) } else { (b, a, -1) };
        let mut count = 0;
        let mut day = low;
        while day < high {
            day = day.tomorrow().expect("within jiff's range");
            if cal.is_working_day(day)? {
                count += 1;
            }
        }
        Ok(sign * count)
    }

    #[test]
    fn shipped_data_parses_and_covers_2020_to_2030_r3() {
        let cal = WorkingCalendar::parse(BANK_HOLIDAYS_ENGLAND_AND_WALES);
        let cal = cal.expect("shipped data parses");
        assert_eq!(cal.first_covered_year(), 2020);
        assert_eq!(cal.last_covered_year(), 2030);
        assert!(cal.covers(date(2020, 1, 1)));
        assert!(cal.covers(date(2030, 12, 31)));
        assert!(!cal.covers(date(2019, 12, 31)));
        assert!(!cal.covers(date(2031, 1, 1)));
        assert_eq!(cal, WorkingCalendar::default());
    }

    #[test]
    fn shipped_good_friday_and_easter_monday_match_gregorian_easter_every_year_r3() {
        let cal = cal();
        for year in 2020..=2030 {
            let easter = easter_sunday(year);
            let good_friday = easter.saturating_sub(2.days());
            let easter_monday = easter.saturating_add(1.days());
            assert_eq!(cal.bank_holiday(good_friday), Some("Good Friday"), "{year}");
            assert_eq!(
                cal.bank_holiday(easter_monday),
                Some("Easter Monday"),
                "{year}"
            );
            let listed: Vec<Date> = cal
                .bank_holidays()
                .filter(|(d, name)| {
                    d.year() == year && (*name == "Good Friday" || *name == "Easter Monday")
                })
                .map(|(d, _)| d)
                .collect();
            assert_eq!(listed, vec![good_friday, easter_monday], "{year}");
        }
        // The algorithm itself, against known Easter Sundays.
        assert_eq!(easter_sunday(2024), date(2024, 3, 31));
        assert_eq!(easter_sunday(2027), date(2027, 3, 28));
        assert_eq!(easter_sunday(2019), date(2019, 4, 21));
    }

    #[test]
    fn shipped_data_has_eight_bank_holidays_a_year_plus_the_one_offs_r3() {
        let cal = cal();
        for year in 2020..=2030 {
            let count = cal
                .bank_holidays()
                .filter(|(d, _)| d.year() == year)
                .count();
            let expected = match year {
                2022 => 10, // Platinum Jubilee and the State Funeral
                2023 => 9,  // the coronation
                _ => 8,
            };
            assert_eq!(count, expected, "{year}");
        }
        for one_off in [
            date(2020, 5, 8),
            date(2022, 6, 2),
            date(2022, 6, 3),
            date(2022, 9, 19),
            date(2023, 5, 8),
        ] {
            assert!(cal.bank_holiday(one_off).is_some(), "{one_off}");
        }
        // The usual first Monday in May 2020 and last Monday in May 2022 were moved.
        assert!(cal.bank_holiday(date(2020, 5, 4)).is_none());
        assert!(cal.bank_holiday(date(2022, 5, 30)).is_none());
    }

    #[test]
    fn christmas_boxing_day_and_new_year_fall_back_to_substitute_weekdays_r3() {
        let cal = cal();
        // Christmas on a Friday (2026): Boxing Day's substitute is Monday 28th.
        assert_eq!(cal.bank_holiday(date(2026, 12, 25)), Some("Christmas Day"));
        assert_eq!(
            cal.bank_holiday(date(2026, 12, 28)),
            Some("Boxing Day (substitute day)")
        );
        // Christmas on a Saturday (2021, 2027): Monday 27th and Tuesday 28th.
        for year in [2021, 2027] {
            assert!(cal.bank_holiday(date(year, 12, 27)).is_some(), "{year}");
            assert!(cal.bank_holiday(date(year, 12, 28)).is_some(), "{year}");
        }
        // Christmas on a Sunday (2022): Boxing Day Monday, Christmas substitute Tuesday.
        assert_eq!(cal.bank_holiday(date(2022, 12, 26)), Some("Boxing Day"));
        assert!(cal.bank_holiday(date(2022, 12, 27)).is_some());
        // New Year's Day on a Saturday (2022, 2028) or Sunday (2023).
        assert!(cal.bank_holiday(date(2022, 1, 3)).is_some());
        assert!(cal.bank_holiday(date(2028, 1, 3)).is_some());
        assert!(cal.bank_holiday(date(2023, 1, 2)).is_some());
        // Every shipped date is a weekday and so a non-working day.
        for (day, name) in cal.bank_holidays() {
            assert!(!is_weekend(day), "{day} {name}");
            assert_eq!(cal.is_working_day(day), Ok(false), "{day} {name}");
        }
    }

    #[test]
    fn weekends_are_not_working_days_and_weekdays_are_r3() -> TestResult {
        let cal = cal();
        assert!(!cal.is_working_day(date(2026, 6, 13))?); // Saturday
        assert!(!cal.is_working_day(date(2026, 6, 14))?); // Sunday
        assert!(cal.is_working_day(date(2026, 6, 12))?); // Friday
        assert!(cal.is_working_day(date(2026, 6, 15))?); // Monday
        // Friday + 1 working day is Monday; + 3 is Wednesday.
        assert_eq!(
            cal.add_working_days(date(2026, 6, 12), 1)?,
            date(2026, 6, 15)
        );
        assert_eq!(
            cal.add_working_days(date(2026, 6, 12), 3)?,
            date(2026, 6, 17)
        );
        // From a Saturday the first working day after is Monday.
        assert_eq!(
            cal.add_working_days(date(2026, 6, 13), 1)?,
            date(2026, 6, 15)
        );
        Ok(())
    }

    #[test]
    fn adding_zero_working_days_returns_the_same_date() -> TestResult {
        let cal = cal();
        assert_eq!(
            cal.add_working_days(date(2026, 6, 13), 0)?,
            date(2026, 6, 13)
        );
        assert_eq!(
            cal.add_working_days(date(2026, 6, 15), 0)?,
            date(2026, 6, 15)
        );
        Ok(())
    }

    #[test]
    fn referral_on_a_weekend_counts_from_monday_so_discussion_due_thursday_r3_1_wm_14_2()
    -> TestResult {
        let cal = cal();
        let saturday = utc(2026, 6, 13, 10, 0);
        assert_eq!(cal.referral_day(saturday)?, date(2026, 6, 15));
        assert_eq!(cal.discussion_due(saturday)?, date(2026, 6, 18));
        // A Monday-morning referral: Tuesday, Wednesday, Thursday.
        assert_eq!(
            cal.discussion_due(utc(2026, 6, 15, 9, 0))?,
            date(2026, 6, 18)
        );
        // A Friday-morning referral: Monday, Tuesday, Wednesday.
        assert_eq!(
            cal.discussion_due(utc(2026, 6, 12, 9, 0))?,
            date(2026, 6, 17)
        );
        Ok(())
    }

    #[test]
    fn discussion_due_over_christmas_2026_skips_christmas_and_substitute_boxing_day_r3_1_wm_14_2()
    -> TestResult {
        let cal = cal();
        // Thu 24 Dec 2026, 10:00 GMT. Fri 25 is Christmas Day, Sat 26 and Sun 27 are the
        // weekend, Mon 28 is the substitute Boxing Day: Tue 29, Wed 30, Thu 31.
        let referred = utc(2026, 12, 24, 10, 0);
        assert_eq!(cal.referral_day(referred)?, date(2026, 12, 24));
        assert_eq!(cal.discussion_due(referred)?, date(2026, 12, 31));
        Ok(())
    }

    #[test]
    fn mase_due_over_christmas_and_new_year_2026_skips_all_three_bank_holidays_r3_2_wm_15_1()
    -> TestResult {
        let cal = cal();
        // From Thu 24 Dec 2026: Tue 29, Wed 30, Thu 31 (3); Fri 1 Jan 2027 is New Year's Day;
        // Mon 4 to Fri 8 (8); Mon 11 to Fri 15 (13); Mon 18 (14), Tue 19 (15).
        let referred = utc(2026, 12, 24, 10, 0);
        assert_eq!(cal.mase_due(referred)?, date(2027, 1, 19));
        assert_eq!(
            cal.working_days_between(date(2026, 12, 24), date(2027, 1, 19))?,
            15
        );
        // A late-evening referral on New Year's Eve counts from Mon 4 Jan 2027.
        let new_years_eve = utc(2026, 12, 31, 20, 0);
        assert_eq!(cal.referral_day(new_years_eve)?, date(2027, 1, 4));
        assert_eq!(cal.discussion_due(new_years_eve)?, date(2027, 1, 7));
        assert_eq!(cal.mase_due(new_years_eve)?, date(2027, 1, 25));
        Ok(())
    }

    #[test]
    fn discussion_due_over_easter_2027_skips_good_friday_and_easter_monday_r3_1_wm_14_2()
    -> TestResult {
        let cal = cal();
        // Thu 25 Mar 2027; Good Friday 26 Mar, Easter Monday 29 Mar: Tue 30, Wed 31, Thu 1 Apr.
        let referred = utc(2027, 3, 25, 11, 0);
        assert_eq!(cal.discussion_due(referred)?, date(2027, 4, 1));
        // MASE: Tue 30, Wed 31, Thu 1, Fri 2 (4); 5-9 Apr (9); 12-16 Apr (14); Mon 19 (15).
        assert_eq!(cal.mase_due(referred)?, date(2027, 4, 19));
        assert!(!cal.is_working_day(date(2027, 3, 26))?);
        assert!(!cal.is_working_day(date(2027, 3, 29))?);
        Ok(())
    }

    #[test]
    fn late_evening_referral_counts_from_the_next_working_day_r3_1_wm_14_2() -> TestResult {
        let cal = cal();
        // Tue 10 Mar 2026 (GMT, so London time equals UTC).
        let before_close = utc(2026, 3, 10, 16, 59);
        let at_close = utc(2026, 3, 10, 17, 0);
        let late_evening = utc(2026, 3, 10, 22, 45);
        assert_eq!(cal.referral_day(before_close)?, date(2026, 3, 10));
        assert_eq!(cal.discussion_due(before_close)?, date(2026, 3, 13));
        assert_eq!(cal.referral_day(at_close)?, date(2026, 3, 11));
        assert_eq!(cal.referral_day(late_evening)?, date(2026, 3, 11));
        assert_eq!(cal.discussion_due(late_evening)?, date(2026, 3, 16));
        // A Friday-evening referral counts from Monday.
        let friday_evening = utc(2026, 3, 13, 19, 0);
        assert_eq!(cal.referral_day(friday_evening)?, date(2026, 3, 16));
        assert_eq!(cal.discussion_due(friday_evening)?, date(2026, 3, 19));
        // An evening referral before a bank holiday weekend: Thu 2 Apr 2026, 18:00 BST.
        let before_easter = utc(2026, 4, 2, 17, 0);
        assert_eq!(cal.referral_day(before_easter)?, date(2026, 4, 7));
        Ok(())
    }

    #[test]
    fn referral_at_2330_utc_on_31_march_2026_is_1_april_in_london_after_spring_clock_change_r3_1()
    -> TestResult {
        let cal = cal();
        // The clocks went forward on Sun 29 Mar 2026; 23:30 UTC is 00:30 BST on Wed 1 Apr.
        let referred = utc(2026, 3, 31, 23, 30);
        assert_eq!(london_date(referred), date(2026, 4, 1));
        assert_eq!(cal.referral_day(referred)?, date(2026, 4, 1));
        // Thu 2 Apr (1), Good Friday 3 Apr and Easter Monday 6 Apr skipped, Tue 7 (2), Wed 8 (3).
        assert_eq!(cal.discussion_due(referred)?, date(2026, 4, 8));
        // 16:30 UTC is 16:30 in London before the change, but 17:30 after it.
        assert_eq!(
            cal.referral_day(utc(2026, 3, 27, 16, 30))?,
            date(2026, 3, 27)
        );
        assert_eq!(
            cal.referral_day(utc(2026, 3, 30, 16, 30))?,
            date(2026, 3, 31)
        );
        assert_eq!(
            cal.referral_day(utc(2026, 3, 30, 15, 59))?,
            date(2026, 3, 30)
        );
        Ok(())
    }

    #[test]
    fn end_of_working_day_follows_london_time_across_the_autumn_clock_change_r3_1_r3_2()
    -> TestResult {
        let cal = cal();
        // The clocks went back on Sun 25 Oct 2026. Before then 16:30 UTC is 17:30 BST (late).
        assert_eq!(
            cal.referral_day(utc(2026, 10, 23, 15, 30))?,
            date(2026, 10, 23)
        );
        assert_eq!(
            cal.discussion_due(utc(2026, 10, 23, 15, 30))?,
            date(2026, 10, 28)
        );
        assert_eq!(
            cal.referral_day(utc(2026, 10, 23, 16, 30))?,
            date(2026, 10, 26)
        );
        assert_eq!(
            cal.discussion_due(utc(2026, 10, 23, 16, 30))?,
            date(2026, 10, 29)
        );
        // After it, 16:30 UTC is 16:30 GMT (in time).
        assert_eq!(
            cal.referral_day(utc(2026, 10, 30, 16, 30))?,
            date(2026, 10, 30)
        );
        assert_eq!(
            cal.discussion_due(utc(2026, 10, 30, 16, 30))?,
            date(2026, 11, 4)
        );
        // A referral during the repeated hour of the change (01:30 on Sunday) counts from Monday.
        let repeated_hour = utc(2026, 10, 25, 0, 30);
        assert_eq!(london_date(repeated_hour), date(2026, 10, 25));
        assert_eq!(cal.mase_due(repeated_hour)?, date(2026, 11, 16));
        Ok(())
    }

    #[test]
    fn platinum_jubilee_2022_both_days_off_and_the_usual_spring_bank_holiday_worked_r3_1_wm_14_2()
    -> TestResult {
        let cal = cal();
        // Wed 1 Jun 2022; Thu 2 (Spring bank holiday) and Fri 3 (Jubilee) are off.
        let referred = utc(2022, 6, 1, 9, 0);
        assert_eq!(cal.discussion_due(referred)?, date(2022, 6, 8));
        // Mon 30 May 2022 was a working day, since the Spring bank holiday moved.
        assert!(cal.is_working_day(date(2022, 5, 30))?);
        // The State Funeral and the coronation were days off.
        assert!(!cal.is_working_day(date(2022, 9, 19))?);
        assert!(!cal.is_working_day(date(2023, 5, 8))?);
        Ok(())
    }

    #[test]
    fn administrator_extra_days_are_not_working_days_r3_1_r3_2() -> TestResult {
        let shipped = cal();
        let referred = utc(2026, 7, 14, 8, 0); // Tue 14 Jul 2026
        assert_eq!(shipped.discussion_due(referred)?, date(2026, 7, 17));
        let cal = shipped
            .clone()
            .with_extra([date(2026, 7, 15), date(2026, 7, 18)]);
        assert!(!cal.is_working_day(date(2026, 7, 15))?);
        // Wed 15 is skipped: Thu 16, Fri 17, Mon 20. (Sat 18 was off anyway.)
        assert_eq!(cal.discussion_due(referred)?, date(2026, 7, 20));
        assert_eq!(
            cal.working_days_between(date(2026, 7, 14), date(2026, 7, 20))?,
            3
        );
        assert_eq!(
            cal.extra_days().collect::<Vec<_>>(),
            vec![date(2026, 7, 15), date(2026, 7, 18)]
        );
        assert_eq!(cal.bank_holiday(date(2026, 7, 15)), None);
        // A referral made on the extra day counts from the next working day.
        assert_eq!(cal.referral_day(utc(2026, 7, 15, 9, 0))?, date(2026, 7, 16));
        assert_eq!(shipped.bank_holidays().count(), cal.bank_holidays().count());
        Ok(())
    }

    #[test]
    fn strategy_discussion_is_due_24_real_hours_after_referral_r3_1_wm_14_2() {
        // Across the spring clock change: 12:00 GMT Sat 28 Mar 2026 -> 12:00 UTC (13:00 BST)
        // Sun 29 Mar; weekends and bank holidays do not stop this clock.
        assert_eq!(
            strategy_discussion_due(utc(2026, 3, 28, 12, 0)),
            utc(2026, 3, 29, 12, 0)
        );
        assert_eq!(
            strategy_discussion_due(utc(2026, 12, 24, 21, 15)),
            utc(2026, 12, 25, 21, 15)
        );
        assert_eq!(strategy_discussion_due(Timestamp::MAX), Timestamp::MAX);
    }

    #[test]
    fn plan_review_is_due_three_calendar_months_later_clamped_to_month_end_r3_3() {
        assert_eq!(plan_review_due(date(2026, 5, 14)), date(2026, 8, 14));
        assert_eq!(plan_review_due(date(2026, 1, 31)), date(2026, 4, 30));
        assert_eq!(plan_review_due(date(2026, 11, 30)), date(2027, 2, 28));
        assert_eq!(plan_review_due(date(2027, 11, 30)), date(2028, 2, 29));
        assert_eq!(plan_review_due(date(2026, 10, 15)), date(2027, 1, 15));
        // Not moved off a weekend: Fri 9 Jan 2026 gives Thu 9 Apr, Sat 11 Apr stays Sat 11 Jul.
        assert_eq!(plan_review_due(date(2026, 1, 9)), date(2026, 4, 9));
        assert_eq!(plan_review_due(date(2026, 4, 11)), date(2026, 7, 11));
    }

    #[test]
    fn a_clock_is_overdue_from_the_start_of_the_next_london_day_r3() {
        let due = date(2026, 6, 18);
        assert!(!is_overdue(due, utc(2026, 6, 18, 22, 59))); // 23:59 BST on the due date
        assert!(is_overdue(due, utc(2026, 6, 18, 23, 0))); // 00:00 BST the next day
        assert!(!is_overdue(due, utc(2026, 6, 17, 9, 0)));
    }

    #[test]
    fn adding_working_days_past_2030_is_refused_naming_the_last_covered_year_r3() {
        let cal = cal();
        // Fri 20 Dec 2030: 23, 24, 27, 30, 31 Dec are the 5 working days left in 2030.
        assert_eq!(
            cal.add_working_days(date(2030, 12, 20), 5),
            Ok(date(2030, 12, 31))
        );
        let err = cal.add_working_days(date(2030, 12, 20), 6);
        assert_eq!(
            err,
            Err(CalendarError::OutOfRange {
                date: date(2031, 1, 1),
                first_year: 2020,
                last_year: 2030,
            })
        );
        let message = err.map_err(|e| e.to_string()).err().unwrap_or_default();
        assert!(message.contains("2030"), "{message}");
        assert!(cal.is_working_day(date(2031, 1, 2)).is_err());
        assert!(cal.is_working_day(date(2019, 12, 31)).is_err());
        assert!(cal.add_working_days(date(2019, 12, 20), 1).is_err());
        assert!(
            cal.working_days_between(date(2030, 6, 1), date(2031, 6, 1))
                .is_err()
        );
        assert!(
            cal.working_days_between(date(2019, 6, 1), date(2020, 6, 1))
                .is_err()
        );
        // The day before coverage starts can be a starting point: only later days are counted.
        assert_eq!(
            cal.working_days_between(date(2019, 12, 31), date(2020, 1, 3)),
            Ok(2)
        );
        assert!(cal.discussion_due(utc(2030, 12, 30, 9, 0)).is_err());
        assert!(cal.mase_due(utc(2031, 1, 6, 9, 0)).is_err());
    }

    #[test]
    fn working_days_between_counts_after_the_first_date_up_to_the_second_r3() -> TestResult {
        let cal = cal();
        let friday = date(2026, 6, 12);
        let monday = date(2026, 6, 15);
        assert_eq!(cal.working_days_between(friday, monday)?, 1);
        assert_eq!(cal.working_days_between(monday, friday)?, -1);
        assert_eq!(cal.working_days_between(friday, friday)?, 0);
        assert_eq!(cal.working_days_between(friday, date(2026, 6, 14))?, 0);
        // 2026 has 261 weekdays and 8 weekday bank holidays.
        assert_eq!(
            cal.working_days_between(date(2025, 12, 31), date(2026, 12, 31))?,
            253
        );
        Ok(())
    }

    #[test]
    fn working_days_between_is_consistent_with_add_working_days_over_many_pairs_r3_1_r3_2()
    -> TestResult {
        let cal = cal().with_extra([date(2024, 2, 14), date(2028, 6, 30)]);
        let start = date(2020, 1, 1);
        let span_days = cal.working_days_between(start, date(2030, 12, 31))?;
        // 2,869 weekdays after 1 Jan 2020 to the end of 2030, less 90 bank holidays and 2 extras.
        assert_eq!(span_days, 2_777);
        // A small linear congruential generator: reproducible "random" pairs without a crate.
        let mut state: u64 = 0x5afe_4b0b;
        let mut next = |bound: u64| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) % bound
        };
        for _ in 0..2_000 {
            let offset = i64::try_from(next(3_900)).unwrap_or(0);
            let a = start.saturating_add(offset.days());
            let n = u32::try_from(next(40)).unwrap_or(0);
            let b = cal.add_working_days(a, n)?;
            assert_eq!(cal.working_days_between(a, b)?, i64::from(n), "{a} + {n}");
            assert_eq!(cal.working_days_between(b, a)?, -i64::from(n), "{b} - {a}");
            if n > 0 {
                assert!(cal.is_working_day(b)?, "{a} + {n} = {b}");
                let day_before = b.saturating_sub(1.days());
                assert_eq!(
                    cal.working_days_between(a, day_before)?,
                    i64::from(n) - 1,
                    "{a} + {n}"
                );
            }
            let other_offset = i64::try_from(next(4_018)).unwrap_or(0);
            let c = start.saturating_add(other_offset.days());
            assert_eq!(
                cal.working_days_between(a, c)?,
                naive_between(&cal, a, c)?,
                "{a} .. {c}"
            );
        }
        Ok(())
    }

    #[test]
    fn parse_errors_name_the_line() {
        let err = |text: &str| WorkingCalendar::parse(text).err();
        assert_eq!(
            err("# header\n2026-01-01 New Year's Day\n2026-13-01 Nonsense\n"),
            Some(CalendarDataError {
                line: 3,
                problem: DataProblem::NotADate("2026-13-01".into()),
            })
        );
        assert_eq!(
            err("2026-1-1 Short date\n"),
            Some(CalendarDataError {
                line: 1,
                problem: DataProblem::NotADate("2026-1-1".into()),
            })
        );
        assert_eq!(
            err("\n2026-01-01\n"),
            Some(CalendarDataError {
                line: 2,
                problem: DataProblem::MissingName,
            })
        );
        assert_eq!(
            err("2026-12-26 Boxing Day\n"),
            Some(CalendarDataError {
                line: 1,
                problem: DataProblem::Weekend(date(2026, 12, 26), Weekday::Saturday),
            })
        );
        assert_eq!(
            err("2026-01-01 A\n2026-01-01 B\n"),
            Some(CalendarDataError {
                line: 2,
                problem: DataProblem::Duplicate(date(2026, 1, 1)),
            })
        );
        assert_eq!(
            err("2025-01-01 A\n\n2027-01-01 B\n"),
            Some(CalendarDataError {
                line: 3,
                problem: DataProblem::YearMissing(2026),
            })
        );
        assert_eq!(
            err("# nothing\n"),
            Some(CalendarDataError {
                line: 1,
                problem: DataProblem::Empty,
            })
        );
        let message = err("x\n").map(|e| e.to_string()).unwrap_or_default();
        assert!(message.contains("line 1"), "{message}");
    }

    #[test]
    fn parsed_calendar_covers_exactly_the_years_listed() -> TestResult {
        let cal = WorkingCalendar::parse("2026-01-01 New Year's Day\n  # indented comment\n")
            .expect("one date parses");
        assert_eq!(cal.first_covered_year(), 2026);
        assert_eq!(cal.last_covered_year(), 2026);
        assert!(!cal.is_working_day(date(2026, 1, 1))?);
        assert!(cal.is_working_day(date(2026, 1, 2))?);
        assert!(cal.is_working_day(date(2027, 1, 4)).is_err());
        Ok(())
    }

    #[test]
    fn weekday_arithmetic_agrees_with_jiff() {
        let mut day = date(1969, 12, 1);
        let mut expected = day_number(day);
        while day < date(2032, 1, 1) {
            assert_eq!(day_number(day), expected, "{day}");
            let monday_based = (day_number(day) + 3).rem_euclid(7);
            assert_eq!(
                monday_based,
                i64::from(day.weekday().to_monday_zero_offset()),
                "{day}"
            );
            day = day.tomorrow().expect("in range");
            expected += 1;
        }
        assert_eq!(day_number(date(1970, 1, 1)), 0);
    }
}
