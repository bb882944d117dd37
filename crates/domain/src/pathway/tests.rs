use jiff::Timestamp;
use jiff::civil::date;

use super::*;

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn at(s: &str) -> Result<Timestamp, jiff::Error> {
    s.parse()
}

#[test]
fn r2_7_r2_8_category_and_legal_status_choose_the_pathway() {
    assert_eq!(pathway_for(Some(1), LegalStatus::None), Pathway::EarlyHelp);
    assert_eq!(
        pathway_for(None, LegalStatus::CareLeaver),
        Pathway::EarlyHelp
    );
    assert_eq!(
        pathway_for(Some(2), LegalStatus::None),
        Pathway::ChildrensServices
    );
    assert_eq!(
        pathway_for(Some(3), LegalStatus::CareLeaver),
        Pathway::ChildrensServices
    );
    // A child already open to children's services goes to the allocated worker, whatever
    // the category.
    for status in [
        LegalStatus::ChildInNeed,
        LegalStatus::ChildProtectionPlan,
        LegalStatus::LookedAfter,
    ] {
        for category in [None, Some(1), Some(3)] {
            assert_eq!(pathway_for(category, status), Pathway::AllocatedWorker);
        }
    }
}

#[test]
fn r3_1_r3_2_a_referral_to_childrens_services_starts_the_discussion_and_mase_clocks() {
    assert_eq!(
        clocks_on_referral(Some(2)),
        &[ClockKind::Discussion, ClockKind::Mase]
    );
    assert_eq!(
        clocks_on_referral(Some(3)),
        &[ClockKind::Discussion, ClockKind::Mase]
    );
    assert!(clocks_on_referral(Some(1)).is_empty());
    assert!(clocks_on_referral(None).is_empty());
}

#[test]
fn r2_9_every_outcome_says_what_happens_to_the_clocks() {
    let strategy = clock_changes(TriageOutcome::StrategyDiscussion);
    assert!(strategy.start.contains(&ClockKind::StrategyDiscussion));
    assert!(strategy.end_as_not_needed.contains(&ClockKind::Discussion));
    let none = clock_changes(TriageOutcome::NoCseConcern);
    assert!(none.start.is_empty());
    assert_eq!(
        none.end_as_not_needed,
        vec![ClockKind::Discussion, ClockKind::Mase]
    );
    let early = clock_changes(TriageOutcome::EarlyHelp);
    assert_eq!(early.start, vec![ClockKind::EarlyHelpReview]);
    for outcome in TriageOutcome::ALL {
        let c = clock_changes(*outcome);
        assert!(
            c.start.iter().all(|k| !c.end_as_not_needed.contains(k)),
            "{outcome:?} starts and ends the same clock"
        );
    }
}

#[test]
fn r3_1_strategy_discussion_is_due_24_hours_after_the_referral_even_over_a_weekend() -> TestResult {
    let cal = WorkingCalendar::england_and_wales();
    // Friday 18:30 in London (GMT) -> Saturday 18:30.
    let d = due(
        &cal,
        ClockKind::StrategyDiscussion,
        at("2026-11-27T18:30:00Z")?,
    )?;
    assert_eq!(d.at, at("2026-11-28T18:30:00Z")?);
    assert_eq!(d.day, date(2026, 11, 28));
    Ok(())
}

#[test]
fn r3_1_discussion_is_due_at_the_end_of_the_third_working_day() -> TestResult {
    let cal = WorkingCalendar::england_and_wales();
    // Wednesday 23 December 2026, 10:00: Thursday 24 is the 1st working day; Christmas Day
    // (Friday), the weekend and the Boxing Day substitute (Monday 28) are not; Tuesday 29 is
    // the 2nd and Wednesday 30 the 3rd.
    let d = due(&cal, ClockKind::Discussion, at("2026-12-23T10:00:00Z")?)?;
    assert_eq!(d.day, date(2026, 12, 30));
    assert_eq!(d.at, at("2026-12-30T23:59:59.999Z")?);
    Ok(())
}

#[test]
fn r3_2_mase_is_due_fifteen_working_days_after_the_referral_in_summer_time() -> TestResult {
    let cal = WorkingCalendar::england_and_wales();
    // Monday 1 June 2026 09:00 BST; 15 working days later is Monday 22 June; the day ends at
    // 23:59:59.999 BST, which is 22:59:59.999 UTC.
    let d = due(&cal, ClockKind::Mase, at("2026-06-01T08:00:00Z")?)?;
    assert_eq!(d.day, date(2026, 6, 22));
    assert_eq!(d.at, at("2026-06-22T22:59:59.999Z")?);
    Ok(())
}

#[test]
fn r3_3_early_help_review_is_due_three_months_after_the_decision() -> TestResult {
    let cal = WorkingCalendar::england_and_wales();
    let d = due(
        &cal,
        ClockKind::EarlyHelpReview,
        at("2027-01-31T12:00:00Z")?,
    )?;
    assert_eq!(d.day, date(2027, 4, 30));
    Ok(())
}

#[test]
fn codes_round_trip() -> TestResult {
    for r in RouteIn::ALL {
        assert_eq!(RouteIn::from_code(r.code()), Some(*r));
    }
    for o in TriageOutcome::ALL {
        assert_eq!(o.code().parse::<TriageOutcome>()?, *o);
    }
    for k in ClockKind::ALL {
        assert_eq!(ClockKind::from_code(k.code()), Some(*k));
    }
    assert!("nonsense".parse::<ClockEnd>().is_err());
    Ok(())
}
