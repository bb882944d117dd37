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

/// Europe/London, in which working days and due dates are counted.
pub(crate) fn london() -> TimeZone {
    LONDON.clone()
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
mod tests;
