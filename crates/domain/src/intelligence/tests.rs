use jiff::civil::date;

use super::*;

fn today() -> Date {
    date(2026, 11, 24)
}

fn item(kind: ItemKind) -> Item {
    Item {
        kind: Some(kind),
        ..Item::default()
    }
}

fn submission(items: Vec<Item>) -> Submission {
    Submission {
        told_by: Some(ToldBy::ParentOrCarer),
        items,
        narrative: String::new(),
        learnt_on: Some(today()),
    }
}

fn fields(problems: &[IntelProblem]) -> Vec<&str> {
    problems.iter().map(|p| p.field.as_str()).collect()
}

#[test]
fn r5_1_a_submission_needs_a_source_and_something_to_share() {
    let empty = Submission::default();
    assert_eq!(fields(&empty.check(today())), ["told_by", "narrative"]);
    let words_only = Submission {
        told_by: Some(ToldBy::Practitioner),
        narrative: "A grey car waits outside the school most afternoons.".into(),
        ..Submission::default()
    };
    assert!(words_only.check(today()).is_empty());
}

#[test]
fn r5_1_each_kind_of_item_needs_what_identifies_it() {
    let problems = submission(ItemKind::ALL.iter().map(|k| item(*k)).collect()).check(today());
    assert_eq!(
        fields(&problems),
        [
            "items[0].name",
            "items[1].vrm",
            "items[2].phone",
            "items[3].address",
            "items[4].address",
            "items[5].name",
        ]
    );
    let filled = vec![
        Item {
            nicknames: "Jay, J-Man".into(),
            approx_age: Some(25),
            marks: "Star tattoo on the left hand".into(),
            ..item(ItemKind::Person)
        },
        Item {
            vrm: "AB12 C?E".into(),
            colour: "grey".into(),
            ..item(ItemKind::Vehicle)
        },
        Item {
            phone: "+44 (0)7700 900123".into(),
            ..item(ItemKind::Phone)
        },
        Item {
            postcode: "B1 1AA".into(),
            ..item(ItemKind::Address)
        },
        Item {
            description: "Flat above the takeaway on the high street".into(),
            seen_on: Some(date(2026, 11, 20)),
            ..item(ItemKind::Place)
        },
        Item {
            description: "Man in a black cab, calls most Fridays after 10pm".into(),
            ..item(ItemKind::Caller)
        },
    ];
    assert_eq!(submission(filled).check(today()), []);
}

#[test]
fn r5_1_impossible_values_are_refused_with_a_message_for_the_field() {
    let items = vec![
        Item {
            phone: "call him".into(),
            ..item(ItemKind::Phone)
        },
        Item {
            phone: "0121".into(),
            ..item(ItemKind::Phone)
        },
        Item {
            vrm: "AB12-CDE".into(),
            ..item(ItemKind::Vehicle)
        },
        Item {
            name: "Jamal".into(),
            approx_age: Some(150),
            seen_on: Some(date(2026, 11, 25)),
            ..item(ItemKind::Person)
        },
        Item {
            name: "x".repeat(MAX_TEXT + 1),
            ..item(ItemKind::Caller)
        },
        Item::default(),
    ];
    let mut s = submission(items);
    s.learnt_on = Some(date(2027, 1, 1));
    let problems = s.check(today());
    assert_eq!(
        fields(&problems),
        [
            "items[0].phone",
            "items[1].phone",
            "items[2].vrm",
            "items[3].approx_age",
            "items[3].seen_on",
            "items[4].name",
            "items[5].kind",
            "learnt_on",
        ]
    );
    assert!(problems.iter().all(|p| !p.message.is_empty()));
}

#[test]
fn blank_rows_of_the_form_are_dropped_whatever_kind_they_are_for() {
    let s = submission(vec![
        item(ItemKind::Person),
        Item {
            vrm: "AB12CDE".into(),
            ..item(ItemKind::Vehicle)
        },
        Item::default(),
        Item {
            description: "   ".into(),
            ..item(ItemKind::Place)
        },
    ])
    .without_blank_items();
    assert_eq!(s.items.len(), 1);
    assert_eq!(s.items[0].vrm, "AB12CDE");
}

#[test]
fn r5_1_a_grading_is_written_3x5x2_and_conditions_go_with_handling_code_c() {
    let mut g = Grading {
        source: SourceEvaluation::Untested,
        assessment: Assessment::KnownIndirectly,
        handling: HandlingCode::Permitted,
        conditions: None,
    };
    assert_eq!(g.code(), "2/C/P");
    assert_eq!(g.check(), Ok(()));
    g.conditions = Some("Not to be shared with the family".into());
    assert_eq!(g.check().map_err(|p| p.field), Err("conditions".into()));
    g.handling = HandlingCode::Conditional;
    assert_eq!(g.check(), Ok(()));
    assert_eq!(g.code(), "2/C/C");
    g.conditions = Some("  ".into());
    assert!(g.check().is_err());
    assert_eq!(
        SourceEvaluation::ALL.len() * Assessment::ALL.len() * HandlingCode::ALL.len(),
        30
    );
}
