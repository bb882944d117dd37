//! Tests of the calendar module.

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
fn referral_on_a_weekend_counts_from_monday_so_discussion_due_thursday_r3_1_wm_14_2() -> TestResult
{
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
fn discussion_due_over_easter_2027_skips_good_friday_and_easter_monday_r3_1_wm_14_2() -> TestResult
{
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
fn end_of_working_day_follows_london_time_across_the_autumn_clock_change_r3_1_r3_2() -> TestResult {
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
fn working_days_between_is_consistent_with_add_working_days_over_many_pairs_r3_1_r3_2() -> TestResult
{
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
