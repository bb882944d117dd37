use std::collections::BTreeSet;

use super::*;

fn tool() -> &'static ScreeningTool {
    match ScreeningTool::default_tool() {
        Ok(tool) => tool,
        Err(e) => panic!("the shipped screening tool must read: {e}"),
    }
}

fn section<'a>(tool: &'a ScreeningTool, source: &str) -> &'a Section {
    match tool.sections().iter().find(|s| s.source() == source) {
        Some(s) => s,
        None => panic!("no section from {source}"),
    }
}

/// Checks answers that must be valid; every Yes gets evidence.
fn checked(tool: &ScreeningTool, yes: &[&str]) -> CheckedResponses {
    let mut responses = Responses::new();
    for code in yes {
        responses.set(*code, Answer::Yes, "Seen by the school nurse on 3 March");
    }
    if responses.is_empty() {
        responses.set("vuln.homeless", Answer::No, "");
    }
    match tool.check(&responses) {
        Ok(c) => c,
        Err(p) => panic!("answers refused: {p:?}"),
    }
}

fn proposed(yes: &[&str], age: Option<AgeBand>) -> Option<Category> {
    let tool = tool();
    tool.propose(&checked(tool, yes), age).category()
}

/// A minimal valid tool file with the given indicators in one section.
fn tool_json(indicators: &str) -> String {
    format!(
        r#"{{"version": "test-1", "title": "Test", "see_me_hear_me_question": "Q?",
            "sections": [{{"code": "s", "title": "S", "source": "WM-10.4",
                           "indicators": [{indicators}]}}]}}"#
    )
}

// --- The tool as data (R2.2) ---

#[test]
fn default_tool_has_every_item_of_wm_10_4_wm_10_5_and_the_briefing_r2_2() {
    // R2.2: vulnerabilities (WM-10.4, 15 items), signs (WM-10.5, 14 items), the briefing's
    // signs (S: signs, 26 items).
    let tool = tool();
    assert_eq!(tool.version(), "wm-2025-1");
    assert_eq!(section(tool, "WM-10.4").indicators().len(), 15);
    assert_eq!(section(tool, "WM-10.5").indicators().len(), 14);
    assert_eq!(section(tool, "S: signs").indicators().len(), 26);
    assert_eq!(tool.sections().len(), 3);
    assert_eq!(tool.indicator_count(), 15 + 14 + 26);
    assert_eq!(tool.indicators().count(), tool.indicator_count());
}

#[test]
fn default_tool_indicator_codes_are_unique_and_prefixed_by_section_r2_2() {
    let tool = tool();
    let codes: BTreeSet<&str> = tool.indicators().map(Indicator::code).collect();
    assert_eq!(codes.len(), tool.indicator_count());
    for (section, prefix) in [
        ("WM-10.4", "vuln."),
        ("WM-10.5", "sign."),
        ("S: signs", "briefing."),
    ] {
        for i in section_of(tool, section) {
            assert!(i.code().starts_with(prefix), "{} in {section}", i.code());
            assert_eq!(tool.indicator(i.code()), Some(i));
        }
    }
    assert_eq!(tool.indicator("sign.no_such_thing"), None);
}

fn section_of<'a>(tool: &'a ScreeningTool, source: &str) -> &'a [Indicator] {
    section(tool, source).indicators()
}

#[test]
fn every_indicator_points_to_a_category_following_wm_12_2_r2_2() {
    // WM-12.2: category 1 is a child at risk of being groomed, so the vulnerabilities before
    // exploitation (WM-10.4) all point to category 1; the signs of a child already being
    // exploited (WM-10.5) point to 2 or 3 except the signs common in children who are not
    // exploited (absence from school, poor mental health).
    let tool = tool();
    assert!(
        section_of(tool, "WM-10.4")
            .iter()
            .all(|i| i.points_to() == Category::AtRisk)
    );
    let mild = ["sign.absent_from_school", "sign.poor_mental_health"];
    for i in section_of(tool, "WM-10.5") {
        if mild.contains(&i.code()) {
            assert_eq!(i.points_to(), Category::AtRisk, "{}", i.code());
        } else {
            assert!(i.points_to() >= Category::SignificantRisk, "{}", i.code());
        }
    }
    // Every category is used, and every indicator has text.
    for c in Category::ALL {
        assert!(tool.indicators().any(|i| i.points_to() == c), "{c}");
    }
    assert!(tool.indicators().all(|i| !i.text().trim().is_empty()));
}

#[test]
fn briefing_signs_that_repeat_wm_10_5_point_to_the_same_category_r2_2() {
    // A sign listed twice must not weigh differently depending on which list it is ticked in.
    let tool = tool();
    let pairs = [
        (
            "sign.missing_from_home_or_care",
            "briefing.persistently_missing",
        ),
        (
            "sign.repeat_sti_pregnancy_termination",
            "briefing.recurring_sti",
        ),
        ("sign.absent_from_school", "briefing.truancy"),
        ("sign.offending", "briefing.involved_in_crime"),
        ("sign.change_in_appearance", "briefing.change_in_appearance"),
        ("sign.self_harm", "briefing.low_self_image_self_harm"),
        (
            "sign.estranged_from_family",
            "briefing.hostile_to_carers_placement_breakdown",
        ),
        (
            "sign.gifts_from_unknown_sources",
            "briefing.unexplained_money_or_phones",
        ),
        ("sign.recruiting_others", "briefing.recruiting_others"),
        (
            "vuln.friends_exploited",
            "briefing.associates_with_exploited_young_people",
        ),
    ];
    for (a, b) in pairs {
        let (Some(a), Some(b)) = (tool.indicator(a), tool.indicator(b)) else {
            panic!("missing {a} or {b}");
        };
        assert_eq!(a.points_to(), b.points_to(), "{} / {}", a.code(), b.code());
    }
}

#[test]
fn sexual_activity_marks_the_signs_of_sexual_activity_only_r2_4() {
    // WM-3.4: the flag drives the under-13 rule, so it marks signs of sexual activity or
    // sexual harm, never a vulnerability.
    let tool = tool();
    let marked: BTreeSet<&str> = tool
        .indicators()
        .filter(|i| i.sexual_activity())
        .map(Indicator::code)
        .collect();
    let expected: BTreeSet<&str> = [
        "sign.repeat_sti_pregnancy_termination",
        "sign.online_sexual_bullying",
        "briefing.bruising_from_assault",
        "briefing.recurring_sti",
        "briefing.pregnancy_abortion_emergency_contraception",
        "briefing.sexually_risky_behaviour",
        "briefing.sexual_relationship_older_adult",
    ]
    .into_iter()
    .collect();
    assert_eq!(marked, expected);
}

#[test]
fn default_tool_asks_the_see_me_hear_me_question_wm_2_4() {
    // WM-2.4, question 1: "what is this child telling me ... through signs and symptoms and
    // not just words?"
    let q = tool().see_me_hear_me_question();
    assert!(q.starts_with("What is this child telling me"), "{q}");
    assert!(q.contains("not just words"), "{q}");
}

// --- Versioning: a broken tool file is refused ---

#[test]
fn a_tool_with_a_duplicate_code_or_bad_category_is_refused() {
    let one = r#"{"code": "a.one", "text": "One", "points_to": 1}"#;
    assert!(ScreeningTool::from_json(&tool_json(one)).is_ok());
    assert_eq!(
        ScreeningTool::from_json(&tool_json(&format!("{one}, {one}"))),
        Err(ToolError::DuplicateIndicator("a.one".to_owned()))
    );
    for bad in [0, 4] {
        let json = tool_json(&format!(
            r#"{{"code": "a.one", "text": "One", "points_to": {bad}}}"#
        ));
        assert_eq!(
            ScreeningTool::from_json(&json),
            Err(ToolError::BadCategory {
                code: "a.one".to_owned(),
                points_to: bad
            })
        );
    }
}

#[test]
fn a_tool_with_blank_or_malformed_parts_is_refused() {
    let ok = tool_json(r#"{"code": "a.one", "text": "One", "points_to": 2}"#);
    let cases = [
        (
            ok.replace(r#""version": "test-1""#, r#""version": " ""#),
            ToolError::NoVersion,
        ),
        (
            ok.replace(r#""title": "Test""#, r#""title": """#),
            ToolError::NoTitle,
        ),
        (
            ok.replace(r#""Q?""#, r#""""#),
            ToolError::NoSeeMeHearMeQuestion,
        ),
        (tool_json(""), ToolError::EmptySection("s".to_owned())),
        (
            ok.replace("a.one", "A One"),
            ToolError::BadIndicatorCode("A One".to_owned()),
        ),
        (
            ok.replace(r#""text": "One""#, r#""text": "  ""#),
            ToolError::BlankIndicatorText("a.one".to_owned()),
        ),
        (
            ok.replace(r#""source": "WM-10.4""#, r#""source": """#),
            ToolError::SectionUntitled("s".to_owned()),
        ),
    ];
    for (json, expected) in cases {
        assert_eq!(ScreeningTool::from_json(&json), Err(expected), "{json}");
    }
    let no_sections =
        r#"{"version": "v", "title": "T", "see_me_hear_me_question": "Q?", "sections": []}"#;
    assert_eq!(
        ScreeningTool::from_json(no_sections),
        Err(ToolError::NoSections)
    );
    // A misspelt field is an error, not silently ignored.
    let typo = ok.replace("points_to", "point_to");
    assert!(matches!(
        ScreeningTool::from_json(&typo),
        Err(ToolError::Json(_))
    ));
    assert!(matches!(
        ScreeningTool::from_json("not json"),
        Err(ToolError::Json(_))
    ));
}

#[test]
fn a_tool_with_two_sections_of_one_code_is_refused() {
    let json = r#"{"version": "v", "title": "T", "see_me_hear_me_question": "Q?", "sections": [
        {"code": "s", "title": "S", "source": "X", "indicators": [{"code": "a", "text": "A", "points_to": 1}]},
        {"code": "s", "title": "S", "source": "X", "indicators": [{"code": "b", "text": "B", "points_to": 1}]}]}"#;
    assert_eq!(
        ScreeningTool::from_json(json),
        Err(ToolError::DuplicateSection("s".to_owned()))
    );
}

// --- Checking answers (R2.2) ---

#[test]
fn answers_are_checked_against_the_tool_r2_2() {
    let tool = tool();
    assert_eq!(
        tool.check(&Responses::new()),
        Err(vec![ResponseProblem::NothingAnswered])
    );
    assert_eq!(
        ResponseProblem::NothingAnswered.to_string(),
        "Answer at least one indicator"
    );

    let long = "x".repeat(MAX_TEXT_CHARS + 1);
    let responses = Responses::new()
        .with("sign.self_harm", Answer::Yes, "   ")
        .with("vuln.homeless", Answer::No, long.clone())
        .with("sign.made_up", Answer::No, "")
        .with("vuln.young_carer", Answer::Unknown, "");
    let problems = match tool.check(&responses) {
        Err(p) => p,
        Ok(_) => panic!("answers with problems were accepted"),
    };
    // In the order of the form, then unknown codes; each names its indicator.
    assert_eq!(
        problems
            .iter()
            .map(ResponseProblem::indicator_code)
            .collect::<Vec<_>>(),
        vec![
            Some("vuln.homeless"),
            Some("sign.self_harm"),
            Some("sign.made_up")
        ]
    );
    assert!(matches!(
        problems[0],
        ResponseProblem::EvidenceTooLong { .. }
    ));
    assert_eq!(
        problems[1].to_string(),
        "Say what you saw or were told for \u{201c}Harms themselves\u{201d}"
    );
    assert!(matches!(
        problems[2],
        ResponseProblem::UnknownIndicator { .. }
    ));

    // Exactly 2,000 characters is allowed; evidence is trimmed; No and Not known need none.
    let ok = Responses::new()
        .with(
            "sign.self_harm",
            Answer::Yes,
            format!("  {}  ", "y".repeat(MAX_TEXT_CHARS)),
        )
        .with("vuln.homeless", Answer::No, "")
        .with("vuln.young_carer", Answer::Unknown, "");
    let checked = match tool.check(&ok) {
        Ok(c) => c,
        Err(p) => panic!("{p:?}"),
    };
    assert_eq!(checked.tool_version(), "wm-2025-1");
    assert_eq!(checked.answer("sign.self_harm"), Some(Answer::Yes));
    assert_eq!(
        checked.get("sign.self_harm").map(|r| r.evidence.len()),
        Some(MAX_TEXT_CHARS)
    );
    assert_eq!(checked.answer("vuln.young_carer"), Some(Answer::Unknown));
    assert_eq!(checked.answer("sign.offending"), None);
    assert_eq!(checked.iter().count(), 3);
}

#[test]
fn evidence_length_counts_characters_not_bytes_r2_2() {
    let tool = tool();
    let responses =
        Responses::new().with("sign.self_harm", Answer::Yes, "é".repeat(MAX_TEXT_CHARS));
    assert!(tool.check(&responses).is_ok());
}

// --- The category rule (R2.3, WM-10.2, WM-12.2) ---

#[test]
fn nothing_answered_yes_proposes_no_category_r2_3() {
    let tool = tool();
    let responses = Responses::new()
        .with("vuln.homeless", Answer::No, "")
        .with("sign.self_harm", Answer::Unknown, "")
        .with("sign.offending", Answer::Unknown, "");
    let checked = match tool.check(&responses) {
        Ok(c) => c,
        Err(p) => panic!("{p:?}"),
    };
    let proposal = tool.propose(&checked, Some(AgeBand::Under13));
    assert_eq!(proposal.category(), None);
    assert!(proposal.reasons()[0].starts_with("No CSE indicators identified"));
    assert!(
        proposal
            .reasons()
            .iter()
            .any(|r| r.starts_with("2 indicators were answered Not known"))
    );
    assert!(proposal.driven_by().is_empty());
}

#[test]
fn a_single_yes_never_proposes_its_own_category_above_1_wm_10_2() {
    // WM-10.2: no single indicator is conclusive. One Yes proposes the category below the one
    // it points to, and never less than category 1.
    let tool = tool();
    for i in tool.indicators() {
        let expected = match i.points_to() {
            Category::AtRisk | Category::SignificantRisk => Category::AtRisk,
            Category::SeriousRisk => Category::SignificantRisk,
        };
        for age in [
            None,
            Some(AgeBand::Under16),
            Some(AgeBand::SixteenOrSeventeen),
        ] {
            assert_eq!(
                proposed(&[i.code()], age),
                Some(expected),
                "{} at {age:?}",
                i.code()
            );
        }
    }
}

#[test]
fn hand_worked_cases_of_the_category_rule_r2_3() {
    // WM-12.2. Each case: the Yes answers, then the category proposed for a 14-year-old.
    let cases: &[(&[&str], Category)] = &[
        // Vulnerabilities alone, however many, are category 1: at risk of being groomed.
        (
            &[
                "vuln.homeless",
                "vuln.residential_care",
                "vuln.low_self_esteem",
                "vuln.history_of_abuse",
            ],
            Category::AtRisk,
        ),
        // Two signs of category 2 corroborate each other.
        (
            &[
                "sign.missing_from_home_or_care",
                "sign.gifts_from_unknown_sources",
            ],
            Category::SignificantRisk,
        ),
        // One category 2 sign with vulnerabilities: still category 1.
        (
            &["sign.missing_from_home_or_care", "vuln.residential_care"],
            Category::AtRisk,
        ),
        // A lone category 3 sign steps down to 2, with or without lower signs.
        (
            &["briefing.vehicles_driven_by_unknown_adults"],
            Category::SignificantRisk,
        ),
        (
            &[
                "briefing.vehicles_driven_by_unknown_adults",
                "vuln.homeless",
                "sign.drug_or_alcohol_misuse",
            ],
            Category::SignificantRisk,
        ),
        // Two category 3 signs: category 3.
        (
            &[
                "briefing.vehicles_driven_by_unknown_adults",
                "briefing.keys_to_unknown_premises",
            ],
            Category::SeriousRisk,
        ),
    ];
    for (yes, expected) in cases {
        assert_eq!(
            proposed(yes, Some(AgeBand::Under16)),
            Some(*expected),
            "{yes:?}"
        );
    }
}

#[test]
fn proposal_reasons_name_the_indicators_that_drove_it_r2_3() {
    let tool = tool();
    let c = checked(
        tool,
        &[
            "briefing.missing_for_long_periods",
            "sign.gifts_from_unknown_sources",
            "vuln.homeless",
        ],
    );
    let proposal = tool.propose(&c, Some(AgeBand::SixteenOrSeventeen));
    assert_eq!(proposal.category(), Some(Category::SignificantRisk));
    assert_eq!(proposal.driven_by(), ["briefing.missing_for_long_periods"]);
    assert_eq!(proposal.tool_version(), "wm-2025-1");
    let reasons = proposal.reasons();
    assert_eq!(
        reasons[0],
        "\u{201c}Goes missing for long periods\u{201d} points to category 3 (serious risk of \
         harm), but it is the only indicator at that level and no single indicator is \
         conclusive (WM-10.2), so category 2 (significant risk of harm) is proposed."
    );
    assert!(reasons[1].contains("Receives gifts from unknown sources"));
    assert!(reasons[1].contains("Is homeless"));
    // WM-11.1: 16 and 17 year olds are still children.
    assert!(reasons.iter().any(|r| r.contains("WM-11.1")));
}

#[test]
fn under_13_any_sign_of_sexual_activity_proposes_category_3_r2_4() {
    // R2.4, WM-3.4: a child under 13 cannot consent to sexual activity.
    let tool = tool();
    for i in tool.indicators().filter(|i| i.sexual_activity()) {
        assert_eq!(
            proposed(&[i.code()], Some(AgeBand::Under13)),
            Some(Category::SeriousRisk),
            "{}",
            i.code()
        );
        // The same answer for a 13-year-old follows the ordinary rule.
        assert!(proposed(&[i.code()], Some(AgeBand::Under16)) < Some(Category::SeriousRisk));
    }
    let c = checked(
        tool,
        &["briefing.sexually_risky_behaviour", "vuln.homeless"],
    );
    let proposal = tool.propose(&c, Some(AgeBand::Under13));
    assert_eq!(proposal.category(), Some(Category::SeriousRisk));
    assert!(
        proposal
            .driven_by()
            .contains(&"briefing.sexually_risky_behaviour".to_owned())
    );
    assert!(proposal.reasons().iter().any(|r| r.contains("under 13")));
}

#[test]
fn under_13_without_signs_of_sexual_activity_follows_the_ordinary_rule_r2_4() {
    assert_eq!(
        proposed(&["sign.missing_from_home_or_care"], Some(AgeBand::Under13)),
        Some(Category::AtRisk)
    );
    assert_eq!(
        proposed(
            &["vuln.homeless", "vuln.young_carer"],
            Some(AgeBand::Under13)
        ),
        Some(Category::AtRisk)
    );
}

#[test]
fn unknown_age_cannot_apply_the_under_13_rule_and_says_so_r2_4() {
    let tool = tool();
    let c = checked(tool, &["briefing.recurring_sti"]);
    let proposal = tool.propose(&c, None);
    assert_eq!(proposal.category(), Some(Category::SignificantRisk));
    assert!(
        proposal
            .reasons()
            .iter()
            .any(|r| r.contains("age is not known"))
    );
}

#[test]
fn answering_another_yes_never_lowers_the_proposal_r2_3() {
    // For every combination of up to three Yes answers at each category (and one sexual
    // activity sign), at every age, adding one more Yes never lowers the proposal.
    let tool = tool();
    let by = |c: Category| -> Vec<&str> {
        tool.indicators()
            .filter(|i| i.points_to() == c && !i.sexual_activity())
            .map(Indicator::code)
            .take(4)
            .collect()
    };
    let pools = [
        by(Category::AtRisk),
        by(Category::SignificantRisk),
        by(Category::SeriousRisk),
        vec!["briefing.sexually_risky_behaviour"],
    ];
    let ages = [
        None,
        Some(AgeBand::Under13),
        Some(AgeBand::Under16),
        Some(AgeBand::SixteenOrSeventeen),
        Some(AgeBand::Adult),
    ];
    for n1 in 0..=3 {
        for n2 in 0..=3 {
            for n3 in 0..=3 {
                for s in 0..=1 {
                    let counts = [n1, n2, n3, s];
                    let yes = |counts: [usize; 4]| -> Vec<&str> {
                        pools
                            .iter()
                            .zip(counts)
                            .flat_map(|(p, n)| p.iter().copied().take(n))
                            .collect()
                    };
                    for age in ages {
                        let before = proposed(&yes(counts), age);
                        for k in 0..4 {
                            let mut more = counts;
                            more[k] += 1;
                            if more[k] > pools[k].len() {
                                continue;
                            }
                            let after = proposed(&yes(more), age);
                            assert!(after >= before, "{counts:?} +{k} at {age:?}");
                            assert!(after.is_some());
                        }
                    }
                }
            }
        }
    }
}

// --- Confirmation (R2.3, WM-12.3) ---

fn proposal_of(yes: &[&str]) -> Proposal {
    let tool = tool();
    tool.propose(&checked(tool, yes), Some(AgeBand::Under16))
}

#[test]
fn confirming_the_proposed_category_needs_no_reason_r2_3() {
    let proposal = proposal_of(&["vuln.homeless"]);
    let confirmed = confirm(&proposal, Category::AtRisk, "  ");
    assert_eq!(
        confirmed.as_ref().map(ConfirmedCategory::changed),
        Ok(false)
    );
    assert_eq!(confirmed.as_ref().map(ConfirmedCategory::reason), Ok(None));
    // A reason given anyway is kept.
    let with_reason = confirm(&proposal, Category::AtRisk, " Agreed with DSL ");
    assert_eq!(
        with_reason.as_ref().map(ConfirmedCategory::reason),
        Ok(Some("Agreed with DSL"))
    );
}

#[test]
fn changing_the_category_needs_a_reason_r2_3() {
    // WM-12.3: the tool is used flexibly; a changed category records the practitioner's
    // professional judgement.
    let proposal = proposal_of(&["vuln.homeless"]);
    let refused = confirm(&proposal, Category::SignificantRisk, " \n ");
    assert_eq!(
        refused,
        Err(ConfirmError::ReasonNeeded {
            proposed: Some(Category::AtRisk),
            chosen: Category::SignificantRisk
        })
    );
    assert_eq!(
        refused.map_err(|e| e.to_string()),
        Err("Say why you chose category 2 when the screening tool proposed category 1".to_owned())
    );
    let confirmed = match confirm(
        &proposal,
        Category::SignificantRisk,
        "Disclosed to me today",
    ) {
        Ok(c) => c,
        Err(e) => panic!("{e}"),
    };
    assert!(confirmed.changed());
    assert_eq!(confirmed.proposed(), Some(Category::AtRisk));
    assert_eq!(confirmed.chosen(), Category::SignificantRisk);
    assert_eq!(confirmed.reason(), Some("Disclosed to me today"));
    // Lowering needs a reason too.
    let high = proposal_of(&[
        "briefing.keys_to_unknown_premises",
        "briefing.recruiting_others",
    ]);
    assert!(matches!(
        confirm(&high, Category::AtRisk, ""),
        Err(ConfirmError::ReasonNeeded { .. })
    ));
}

#[test]
fn choosing_a_category_when_none_was_proposed_needs_a_reason_r2_3() {
    let tool = tool();
    let proposal = tool.propose(&checked(tool, &[]), None);
    assert_eq!(proposal.category(), None);
    let refused = confirm(&proposal, Category::AtRisk, "");
    assert_eq!(
        refused.map_err(|e| e.to_string()),
        Err(
            "Say why you chose category 1 when the screening tool identified no CSE indicators"
                .to_owned()
        )
    );
    assert!(
        confirm(
            &proposal,
            Category::AtRisk,
            "Father's worries about a new friend"
        )
        .is_ok()
    );
}

#[test]
fn a_reason_over_2000_characters_is_refused_r2_3() {
    let proposal = proposal_of(&["vuln.homeless"]);
    assert_eq!(
        confirm(
            &proposal,
            Category::SeriousRisk,
            &"r".repeat(MAX_TEXT_CHARS + 1)
        ),
        Err(ConfirmError::ReasonTooLong)
    );
    assert!(
        confirm(
            &proposal,
            Category::SeriousRisk,
            &"r".repeat(MAX_TEXT_CHARS)
        )
        .is_ok()
    );
}

#[test]
fn a_stored_confirmation_is_checked_again_when_read_r2_3() {
    let good = r#"{"proposed": "at_risk", "chosen": "serious_risk", "reason": "Disclosure"}"#;
    let read: Result<ConfirmedCategory, _> = serde_json::from_str(good);
    assert_eq!(
        read.as_ref().ok().map(ConfirmedCategory::chosen),
        Some(Category::SeriousRisk)
    );
    let round = read.ok().and_then(|c| serde_json::to_string(&c).ok());
    assert_eq!(
        round.as_deref(),
        Some(good.replace(", ", ",").replace(": ", ":").as_str())
    );
    let no_reason = r#"{"proposed": null, "chosen": "at_risk", "reason": null}"#;
    assert!(serde_json::from_str::<ConfirmedCategory>(no_reason).is_err());
}

// --- Codes ---

#[test]
fn category_codes_numbers_and_labels_round_trip_r2_3() {
    for c in Category::ALL {
        assert_eq!(Category::from_code(c.code()), Some(c));
        assert_eq!(c.code().parse::<Category>(), Ok(c));
        assert_eq!(Category::from_number(c.number()), Some(c));
        let json = serde_json::to_string(&c).ok();
        assert_eq!(json, Some(format!("\"{}\"", c.code())));
        let back: Option<Category> = json.and_then(|j| serde_json::from_str(&j).ok());
        assert_eq!(back, Some(c));
    }
    assert_eq!(
        Category::ALL.map(Category::number),
        [1, 2, 3],
        "ordered from least to most serious"
    );
    assert!(Category::AtRisk < Category::SignificantRisk);
    assert!(Category::SignificantRisk < Category::SeriousRisk);
    assert_eq!(Category::from_number(0), None);
    assert_eq!(Category::from_number(4), None);
    assert_eq!(Category::from_code("category_1"), None);
    assert_eq!(
        Category::SignificantRisk.label(),
        "Category 2: significant risk of harm"
    );
    assert_eq!(
        Category::SeriousRisk.to_string(),
        "Category 3: serious risk of harm"
    );
}

#[test]
fn answer_codes_round_trip() {
    for a in Answer::ALL {
        assert_eq!(Answer::from_code(a.code()), Some(a));
        assert_eq!(a.code().parse::<Answer>(), Ok(a));
        let json = serde_json::to_string(&a).ok();
        assert_eq!(json, Some(format!("\"{}\"", a.code())));
        let back: Option<Answer> = json.and_then(|j| serde_json::from_str(&j).ok());
        assert_eq!(back, Some(a));
    }
    assert_eq!(Answer::Unknown.label(), "Not known");
    assert!("maybe".parse::<Answer>().is_err());
}

#[test]
fn responses_serialise_as_a_map_of_codes() {
    let responses = Responses::new().with("sign.self_harm", Answer::Yes, "Cuts seen in PE");
    let json = serde_json::to_string(&responses).ok();
    assert_eq!(
        json.as_deref(),
        Some(r#"{"sign.self_harm":{"answer":"yes","evidence":"Cuts seen in PE"}}"#)
    );
    let back: Option<Responses> = json.and_then(|j| serde_json::from_str(&j).ok());
    assert_eq!(back, Some(responses));
}
