//! The front door's ways in, over HTTP: the screening tool pages (R2.2-R2.4), the four
//! routes in (R2.5), the agency SPOC's page (R2.6) and their API. On SQLite by default and on
//! PostgreSQL when `SAFEHUB_TEST_POSTGRES` is set.

mod common;

use common::{Browser, Page, Result, TOTP, World, add_person, api_token_with, front_door_world};
use safehub_domain::pathway::RouteIn;
use safehub_domain::{ChildId, ChildName, Gender, LegalStatus, Role};
use safehub_store::audit::RecordKind;
use safehub_store::children::{self, Child};
use safehub_store::screenings::{self, ScreeningStatus};
use safehub_store::users;
use safehub_store::{AuditAction, AuditOutcome};

/// Two Yes answers pointing to category 2, with evidence: the tool proposes category 2.
const CATEGORY_2: [(&str, &str, &str); 3] = [
    (
        "sign.missing_from_home_or_care",
        "yes",
        "Missing overnight twice this month",
    ),
    (
        "sign.gifts_from_unknown_sources",
        "yes",
        "New phone and trainers she cannot explain",
    ),
    ("vuln.homeless", "no", ""),
];

async fn signed_in(w: &World, email: &str) -> Result<Browser> {
    let mut b = Browser::new(&w.base);
    let page = b.sign_in(email).await?;
    assert_eq!(page.status, 303, "{email} signs in");
    Ok(b)
}

fn pairs(v: &[(String, String)]) -> Vec<(&str, &str)> {
    v.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

/// The screening form's fields.
fn screening_form(
    csrf: &str,
    answers: &[(&str, &str, &str)],
    signs: &str,
    adviser: &str,
    (day, month, year): (&str, &str, &str),
) -> Vec<(String, String)> {
    let mut form = vec![("csrf_token".to_owned(), csrf.to_owned())];
    for (code, answer, evidence) in answers {
        if !answer.is_empty() {
            form.push((format!("answer.{code}"), (*answer).to_owned()));
        }
        form.push((format!("evidence.{code}"), (*evidence).to_owned()));
    }
    for (k, v) in [
        ("signs_not_words", signs),
        ("adviser_consulted", adviser),
        ("adviser_day", day),
        ("adviser_month", month),
        ("adviser_year", year),
    ] {
        form.push((k.to_owned(), v.to_owned()));
    }
    form
}

/// A complete, valid screening form proposing category 2.
fn valid_form(csrf: &str) -> Vec<(String, String)> {
    screening_form(
        csrf,
        &CATEGORY_2,
        "She has stopped seeing her friends and looks exhausted",
        "Sam Adviser",
        ("3", "2", "2025"),
    )
}

/// Starts a screening of a child and returns its id.
async fn start(b: &mut Browser, child: ChildId) -> Result<String> {
    let page = b.get(&format!("/children/{child}/screenings/new")).await?;
    assert_eq!(
        page.status, 303,
        "starting a screening redirects to its form"
    );
    let location = page.location.ok_or("no location")?;
    Ok(location
        .strip_prefix("/screenings/")
        .ok_or("not a screening")?
        .to_owned())
}

/// The value of a hidden or text input.
fn input_value(page: &Page, name: &str) -> String {
    let marker = format!("name=\"{name}\"");
    let Some(at) = page.body.find(&marker) else {
        return String::new();
    };
    let rest = &page.body[at..];
    let Some(v) = rest.find("value=\"") else {
        return String::new();
    };
    let rest = &rest[v + 7..];
    rest[..rest.find('"').unwrap_or(0)].to_owned()
}

/// Continues from the form to the proposal page.
async fn to_proposal(b: &mut Browser, id: &str) -> Result<Page> {
    let form = b.get(&format!("/screenings/{id}")).await?;
    assert_eq!(form.status, 200);
    let page = b
        .post(
            &format!("/screenings/{id}/check"),
            &pairs(&valid_form(&form.csrf())),
        )
        .await?;
    assert_eq!(page.status, 200, "a complete screening shows the proposal");
    Ok(page)
}

/// The proposal page's fields, with a category and reason.
fn submit_form(proposal: &Page, category: &str, reason: &str) -> Vec<(String, String)> {
    vec![
        ("csrf_token".to_owned(), proposal.csrf()),
        ("form_key".to_owned(), input_value(proposal, "form_key")),
        ("category".to_owned(), category.to_owned()),
        ("category_reason".to_owned(), reason.to_owned()),
        (
            "referrer_name".to_owned(),
            input_value(proposal, "referrer_name"),
        ),
        (
            "referrer_contact".to_owned(),
            input_value(proposal, "referrer_contact"),
        ),
        (
            "summary".to_owned(),
            "Missing overnight, unexplained gifts".to_owned(),
        ),
    ]
}

/// Starts, completes and submits a category 2 screening; returns its id.
async fn submit_screening(b: &mut Browser, child: ChildId) -> Result<String> {
    let id = start(b, child).await?;
    let proposal = to_proposal(b, &id).await?;
    let done = b
        .post(
            &format!("/screenings/{id}/submit"),
            &pairs(&submit_form(&proposal, "2", "")),
        )
        .await?;
    assert_eq!(
        done.location.as_deref(),
        Some(format!("/screenings/{id}/submitted").as_str()),
        "{}",
        done.body
    );
    Ok(id)
}

/// Ends a user's sessions, and lets them sign in again within the same TOTP step.
async fn end_sessions(w: &World, email: &str) -> Result {
    let user = w.store.user_by_email(email).await?.ok_or("no such user")?;
    let mut tx = w.store.begin().await?;
    users::reset_second_factor(&mut tx, user.id).await?;
    users::begin_totp_enrolment(&mut tx, user.id, TOTP).await?;
    users::use_totp_step(&mut tx, user.id, 0).await?;
    tx.commit().await?;
    Ok(())
}

async fn queue(w: &World) -> Result<Vec<safehub_store::referrals::QueueItem>> {
    Ok(w.store.mash_queue(&[w.mash], 100, 0).await?)
}

#[tokio::test]
async fn r2_2_a_draft_keeps_what_was_typed_and_is_found_again_after_signing_in() -> Result {
    let w = front_door_world().await?;
    let mut b = signed_in(&w, "teacher@test.invalid").await?;
    let id = start(&mut b, w.school_child).await?;
    let form = b.get(&format!("/screenings/{id}")).await?;
    assert!(form.body.contains("Save as draft"));
    assert!(
        form.body.contains("Age not known"),
        "R2.4: the age flag is shown"
    );
    // Incomplete and even invalid: a Yes without evidence, evidence without an answer, a
    // date that is not a date.
    let typed = screening_form(
        &form.csrf(),
        &[
            ("sign.missing_from_home_or_care", "yes", ""),
            (
                "vuln.homeless",
                "",
                "Sofa-surfing at a friends flat since March",
            ),
            ("vuln.young_carer", "no", ""),
        ],
        "Quieter than usual",
        "Sam Adv",
        ("31", "2", "20x5"),
    );
    let saved = b
        .post(&format!("/screenings/{id}/draft"), &pairs(&typed))
        .await?;
    assert_eq!(
        saved.location.as_deref(),
        Some(format!("/screenings/{id}?saved=draft").as_str())
    );
    let again = b.get(&format!("/screenings/{id}?saved=draft")).await?;
    assert!(again.body.contains("Draft saved"));
    assert!(
        again
            .body
            .contains("Sofa-surfing at a friends flat since March")
    );
    assert!(again.body.contains("Quieter than usual"));
    assert!(
        again.body.contains("value=\"20x5\""),
        "the bad year is kept as typed"
    );
    assert!(
        again
            .body
            .contains("name=\"answer.vuln.young_carer\" type=\"radio\" value=\"no\" checked")
    );

    // The session ends (as on a time-out); the draft stays. Signing in again (the second
    // factor re-armed, as one TOTP code cannot open two sessions) finds it.
    end_sessions(&w, "teacher@test.invalid").await?;
    assert_eq!(
        b.get(&format!("/screenings/{id}"))
            .await?
            .location
            .as_deref(),
        Some("/sign-in")
    );
    let mut later = signed_in(&w, "teacher@test.invalid").await?;
    let drafts = later.get("/screenings").await?;
    assert_eq!(drafts.status, 200);
    assert!(drafts.body.contains(&format!("href=\"/screenings/{id}\"")));
    let resumed = later.get(&format!("/screenings/{id}")).await?;
    assert!(resumed.body.contains("Sofa-surfing"));
    // Starting again from the child's record resumes the same draft.
    assert_eq!(start(&mut later, w.school_child).await?, id);

    // A draft is its author's alone, even inside the same agency.
    let mut colleague = signed_in(&w, "teacher2@test.invalid").await?;
    assert_eq!(
        colleague.get(&format!("/screenings/{id}")).await?.status,
        404
    );
    let trail = w
        .store
        .audit_for_record(RecordKind::Screening, &id, 50)
        .await?;
    assert!(
        trail
            .iter()
            .any(|e| e.entry.entry.action == AuditAction::Create)
    );
    assert!(
        trail
            .iter()
            .any(|e| e.entry.entry.action == AuditAction::Change)
    );
    assert!(
        trail
            .iter()
            .any(|e| e.entry.entry.outcome == AuditOutcome::Refused),
        "the colleague's refused view is audited"
    );
    Ok(())
}

#[tokio::test]
async fn r2_2_validation_errors_link_to_the_fields_and_keep_every_answer() -> Result {
    let w = front_door_world().await?;
    let mut b = signed_in(&w, "teacher@test.invalid").await?;
    let id = start(&mut b, w.school_child).await?;
    let form = b.get(&format!("/screenings/{id}")).await?;
    let typed = screening_form(
        &form.csrf(),
        &[
            ("sign.missing_from_home_or_care", "yes", ""),
            ("vuln.homeless", "no", ""),
            (
                "vuln.chaotic_household",
                "unknown",
                "Mum says things are hard",
            ),
            ("vuln.young_carer", "", "Looks after her brother"),
        ],
        "",
        "",
        ("", "", ""),
    );
    let page = b
        .post(&format!("/screenings/{id}/check"), &pairs(&typed))
        .await?;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("govuk-error-summary"));
    assert!(page.body.contains("<title>Error: "));
    for link in [
        "href=\"#evidence-sign-missing_from_home_or_care\"",
        "href=\"#answer-vuln-young_carer\"",
        "href=\"#signs_not_words\"",
        "href=\"#adviser_consulted\"",
        "href=\"#adviser_day\"",
    ] {
        assert!(page.body.contains(link), "the summary links {link}");
    }
    assert!(
        page.body
            .contains("id=\"evidence-sign-missing_from_home_or_care-error\"")
    );
    assert!(page.body.contains("id=\"answer-vuln-young_carer\""));
    assert!(page.body.contains("Say what you saw or were told for"));
    // Every answer is still there.
    assert!(
        page.body
            .contains("name=\"answer.vuln.homeless\" type=\"radio\" value=\"no\" checked")
    );
    assert!(page.body.contains("Mum says things are hard"));
    assert!(page.body.contains("Looks after her brother"));
    // And saved before it was checked, so a time-out now loses nothing.
    let stored = w.store.screening(&id).await?.ok_or("no screening")?;
    assert_eq!(stored.status, ScreeningStatus::Draft);
    assert!(stored.answers.contains("Mum says things are hard"));
    Ok(())
}

#[tokio::test]
async fn r2_2_a_screening_with_no_indicator_answered_is_refused() -> Result {
    let w = front_door_world().await?;
    let mut b = signed_in(&w, "teacher@test.invalid").await?;
    let id = start(&mut b, w.school_child).await?;
    let form = b.get(&format!("/screenings/{id}")).await?;
    let typed = screening_form(
        &form.csrf(),
        &[],
        "Withdrawn",
        "Sam Adviser",
        ("3", "2", "2025"),
    );
    let page = b
        .post(&format!("/screenings/{id}/check"), &pairs(&typed))
        .await?;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("Answer at least one indicator"));
    assert!(
        page.body
            .contains("href=\"#answer-vuln-chaotic_household\""),
        "the link goes to the first indicator"
    );
    assert!(
        page.body.contains("Withdrawn"),
        "the other answers are kept"
    );
    Ok(())
}

#[tokio::test]
async fn r2_3_the_proposal_is_shown_and_a_changed_category_needs_reasons() -> Result {
    let w = front_door_world().await?;
    let mut b = signed_in(&w, "teacher@test.invalid").await?;
    let id = start(&mut b, w.school_child).await?;
    let proposal = to_proposal(&mut b, &id).await?;
    assert!(
        proposal
            .body
            .contains("Category 2: significant risk of harm")
    );
    assert!(
        proposal
            .body
            .contains("2 indicators answered Yes point to category 2"),
        "the reasons name the indicators"
    );
    assert!(proposal.body.contains("Leads to: Referral to children"));
    assert!(
        proposal.body.contains("Test teacher@test.invalid"),
        "the referrer is prefilled"
    );
    assert!(
        proposal
            .body
            .contains("name=\"category\" type=\"radio\" value=\"2\" checked"),
        "the proposal is preselected"
    );

    let changed = b
        .post(
            &format!("/screenings/{id}/submit"),
            &pairs(&submit_form(&proposal, "3", "")),
        )
        .await?;
    assert_eq!(changed.status, 422);
    assert!(
        changed
            .body
            .contains("Give your reasons for changing the category")
    );
    assert!(changed.body.contains("href=\"#category_reason\""));
    assert!(
        changed
            .body
            .contains("name=\"category\" type=\"radio\" value=\"3\" checked"),
        "the choice is kept"
    );
    assert!(
        changed
            .body
            .contains("Missing overnight, unexplained gifts")
    );
    assert!(queue(&w).await?.is_empty(), "nothing reached the MASH");
    let stored = w.store.screening(&id).await?.ok_or("no screening")?;
    assert_eq!(
        stored.category,
        Some(3),
        "the choice was saved with the draft"
    );

    // With reasons it goes.
    let done = b
        .post(
            &format!("/screenings/{id}/submit"),
            &pairs(&submit_form(
                &changed,
                "3",
                "She is with an adult we know exploits girls",
            )),
        )
        .await?;
    assert_eq!(done.status, 303);
    let stored = w.store.screening(&id).await?.ok_or("no screening")?;
    assert_eq!(
        (stored.proposed_category, stored.category),
        (Some(2), Some(3))
    );
    assert_eq!(
        stored.category_reason,
        "She is with an adult we know exploits girls"
    );
    Ok(())
}

#[tokio::test]
async fn r2_5_a_submitted_screening_lands_once_in_the_mash_queue_and_tells_the_coordinator()
-> Result {
    let w = front_door_world().await?;
    // R2.8 (WM-12.6): the LA CSE co-ordinator of the area, and R2.6: the school's SPOC.
    let coordinator = add_person(
        &w,
        "coordinator@test.invalid",
        w.mash,
        vec![Role::LaCseCoordinator],
    )
    .await?;
    let spoc = add_person(&w, "spoc@test.invalid", w.school, vec![Role::AgencySpoc]).await?;
    let mut b = signed_in(&w, "teacher@test.invalid").await?;
    let id = start(&mut b, w.school_child).await?;
    let proposal = to_proposal(&mut b, &id).await?;
    let form = submit_form(&proposal, "2", "");
    let done = b
        .post(&format!("/screenings/{id}/submit"), &pairs(&form))
        .await?;
    assert_eq!(
        done.location.as_deref(),
        Some(format!("/screenings/{id}/submitted").as_str())
    );
    let panel = b.get(&format!("/screenings/{id}/submitted")).await?;
    assert_eq!(panel.status, 200);
    assert!(panel.body.contains("Screening submitted to the MASH"));
    assert!(panel.body.contains("What happens next"));
    assert!(panel.body.contains("within 3 working days"));

    let items = queue(&w).await?;
    assert_eq!(items.len(), 1);
    let r = &items[0].referral;
    assert_eq!(r.route, RouteIn::AgencyScreening);
    assert_eq!(r.screening.as_deref(), Some(id.as_str()));
    assert_eq!(r.category, Some(2));
    assert_eq!(r.summary, "Missing overnight, unexplained gifts");

    // A double click, the back button, or the same screening with a fresh form.
    let twice = b
        .post(&format!("/screenings/{id}/submit"), &pairs(&form))
        .await?;
    assert_eq!(twice.status, 409);
    assert!(twice.body.contains("This screening was already submitted"));
    assert!(twice.body.contains(&format!("href=\"/screenings/{id}\"")));
    let mut fresh = form.clone();
    fresh[1].1 = uuid::Uuid::new_v4().to_string();
    let again = b
        .post(&format!("/screenings/{id}/submit"), &pairs(&fresh))
        .await?;
    assert_eq!(again.status, 409);
    assert_eq!(queue(&w).await?.len(), 1, "still one referral");

    // Submitted means read-only.
    let view = b.get(&format!("/screenings/{id}")).await?;
    assert_eq!(view.status, 200);
    assert!(view.body.contains("Submitted"));
    assert!(!view.body.contains("Save as draft"));
    assert!(view.body.contains("Missing overnight twice this month"));
    let late = b
        .post(
            &format!("/screenings/{id}/draft"),
            &pairs(&valid_form(&view.csrf())),
        )
        .await?;
    assert_eq!(late.status, 409);

    // R2.8: the co-ordinator was told, because a category was set; R2.6: and the SPOC.
    let told = w.store.notifications_of(coordinator, 10).await?;
    assert!(told.iter().any(|n| n.what == "child_at_risk"));
    let copied = w.store.notifications_of(spoc, 10).await?;
    assert!(copied.iter().any(|n| n.what == "form_from_your_agency"));
    Ok(())
}

fn older_tool_json() -> Result<String> {
    let mut tool: serde_json::Value =
        serde_json::from_str(safehub_domain::screening::DEFAULT_TOOL_JSON)?;
    tool["version"] = "wm-2024-test".into();
    tool["title"] = "Older CSE screening tool".into();
    tool["sections"][1]["indicators"][0]["text"] = "Goes missing (older wording)".into();
    Ok(serde_json::to_string(&tool)?)
}

#[tokio::test]
async fn r2_2_an_old_screening_is_shown_with_the_tool_version_it_used() -> Result {
    let w = front_door_world().await?;
    let mut tx = w.store.begin().await?;
    screenings::ensure_tool(&mut tx, "wm-2024-test", &older_tool_json()?, None).await?;
    screenings::make_tool_current(&mut tx, "wm-2024-test").await?;
    tx.commit().await?;
    let mut b = signed_in(&w, "teacher@test.invalid").await?;
    let old = submit_screening(&mut b, w.school_child).await?;
    let mut tx = w.store.begin().await?;
    screenings::make_tool_current(&mut tx, "wm-2025-1").await?;
    tx.commit().await?;

    let view = b.get(&format!("/screenings/{old}")).await?;
    assert_eq!(view.status, 200);
    assert!(view.body.contains("Older CSE screening tool"));
    assert!(view.body.contains("version wm-2024-test"));
    assert!(view.body.contains("Goes missing (older wording)"));

    // A new screening uses the current version.
    let new = start(&mut b, w.restricted_child).await?;
    let stored = w.store.screening(&new).await?.ok_or("no screening")?;
    assert_eq!(stored.tool_version, "wm-2025-1");
    let form = b.get(&format!("/screenings/{new}")).await?;
    assert!(form.body.contains("version wm-2025-1"));
    assert!(!form.body.contains("older wording"));
    Ok(())
}

#[tokio::test]
async fn r2_4_the_age_flag_shows_and_under_13_sexual_activity_proposes_category_3() -> Result {
    let w = front_door_world().await?;
    let teacher = w
        .store
        .user_by_email("teacher@test.invalid")
        .await?
        .ok_or("no teacher")?;
    let today = safehub_domain::london_date(jiff::Timestamp::now());
    let born = today.checked_sub(jiff::Span::new().years(10))?;
    let kid = Child {
        id: ChildId::new(),
        area: w.north,
        name: ChildName::parse("Delta", "Testchild")?,
        date_of_birth: Some(born),
        gender: Gender::Female,
        legal_status: LegalStatus::None,
        created_at: 0,
    };
    let mut tx = w.store.begin().await?;
    children::insert_child(&mut tx, &kid, teacher.id, w.school).await?;
    tx.commit().await?;

    let mut b = signed_in(&w, "teacher@test.invalid").await?;
    let id = start(&mut b, kid.id).await?;
    let form = b.get(&format!("/screenings/{id}")).await?;
    assert!(form.body.contains(">Under 13<"));
    assert!(
        form.body
            .contains("cannot consent to sexual activity in law (WM-3.4)")
    );
    let typed = screening_form(
        &form.csrf(),
        &[(
            "sign.online_sexual_bullying",
            "yes",
            "Images shared in a group chat",
        )],
        "Frightened of her phone",
        "Sam Adviser",
        ("3", "2", "2025"),
    );
    let proposal = b
        .post(&format!("/screenings/{id}/check"), &pairs(&typed))
        .await?;
    assert_eq!(proposal.status, 200);
    assert!(proposal.body.contains("Category 3: serious risk of harm"));
    assert!(proposal.body.contains("under 13"));
    Ok(())
}

/// A police notification's fields (R2.5 b).
fn police_form(csrf: &str, key: &str) -> Vec<(String, String)> {
    [
        ("csrf_token", csrf),
        ("form_key", key),
        ("caller", "A taxi driver"),
        ("call_how", "A call to 101"),
        ("incident_day", "2"),
        ("incident_month", "3"),
        ("incident_year", "2025"),
        ("incident_time", "23:40"),
        ("place", "Outside the Red Lion, High Street"),
        (
            "seen",
            "A girl in school uniform got into a car with two men in their 30s",
        ),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect()
}

#[tokio::test]
async fn r2_5_b_a_police_notification_lands_in_the_mash_queue_once() -> Result {
    let w = front_door_world().await?;
    let mut b = signed_in(&w, "officer@test.invalid").await?;
    let path = format!(
        "/children/{}/concerns/new?route=police_notification",
        w.restricted_child
    );
    let form = b.get(&path).await?;
    assert_eq!(form.status, 200);
    assert!(form.body.contains("police vulnerable person notification"));
    let key = input_value(&form, "form_key");

    let mut missing = police_form(&form.csrf(), &key);
    missing.retain(|(k, _)| k != "caller" && k != "incident_time");
    let page = b.post(&path, &pairs(&missing)).await?;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("href=\"#caller\""));
    assert!(page.body.contains("Enter who called"));
    assert!(page.body.contains("href=\"#incident_time\""));
    assert!(
        page.body.contains("Outside the Red Lion"),
        "what was typed is kept"
    );

    let full = police_form(&form.csrf(), &key);
    let done = b.post(&path, &pairs(&full)).await?;
    assert_eq!(done.status, 303, "{}", done.body);
    let received = b
        .get(done.location.as_deref().ok_or("no location")?)
        .await?;
    assert_eq!(received.status, 200);
    assert!(received.body.contains("Concern sent to the MASH"));
    let items = queue(&w).await?;
    assert_eq!(items.len(), 1);
    let r = &items[0].referral;
    assert_eq!(r.route, RouteIn::PoliceNotification);
    assert_eq!(r.category, None);
    assert!(r.details.contains("A taxi driver"));
    assert!(r.details.contains("2 March 2025 at 23:40"));

    let twice = b.post(&path, &pairs(&full)).await?;
    assert_eq!(twice.status, 409);
    assert!(twice.body.contains("This concern was already received"));
    assert_eq!(queue(&w).await?.len(), 1);
    Ok(())
}

#[tokio::test]
async fn r2_5_b_only_police_users_record_a_police_notification() -> Result {
    let w = front_door_world().await?;
    let mut b = signed_in(&w, "teacher@test.invalid").await?;
    let path = format!(
        "/children/{}/concerns/new?route=police_notification",
        w.school_child
    );
    assert_eq!(b.get(&path).await?.status, 403);
    let home = b.get("/").await?;
    let key = uuid::Uuid::new_v4().to_string();
    let posted = b
        .post(&path, &pairs(&police_form(&home.csrf(), &key)))
        .await?;
    assert_eq!(posted.status, 403);
    assert!(queue(&w).await?.is_empty());
    let trail = w
        .store
        .audit_for_record(RecordKind::Referral, &w.school_child.to_string(), 20)
        .await?;
    assert!(trail.iter().any(|e| {
        e.entry.entry.outcome == AuditOutcome::Refused
            && e.entry.entry.policies == "police-notification-by-police-users"
    }));
    Ok(())
}

#[tokio::test]
async fn r2_5_c_a_placing_authority_notification_lands_in_the_mash_queue() -> Result {
    let w = front_door_world().await?;
    let mut b = signed_in(&w, "mash@test.invalid").await?;
    let path = format!(
        "/children/{}/concerns/new?route=placing_authority",
        w.school_child
    );
    let form = b.get(&path).await?;
    assert_eq!(form.status, 200);
    let key = input_value(&form, "form_key");
    let fields: Vec<(String, String)> = [
        ("csrf_token", form.csrf()),
        ("form_key", key),
        ("placing_authority", "Westshire County Council".to_owned()),
        ("worker_name", "Jo Bloggs".to_owned()),
        ("worker_contact", "jo.bloggs@westshire.invalid".to_owned()),
        ("risk", String::new()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let page = b.post(&path, &pairs(&fields)).await?;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("Enter the risk they told you about"));
    assert!(page.body.contains("Westshire County Council"));
    let mut fields = fields;
    fields[5].1 = "Seen with adults linked to exploitation near her placement".to_owned();
    let done = b.post(&path, &pairs(&fields)).await?;
    assert_eq!(done.status, 303, "{}", done.body);
    let items = queue(&w).await?;
    assert_eq!(items.len(), 1);
    let r = &items[0].referral;
    assert_eq!(r.route, RouteIn::PlacingAuthority);
    assert_eq!(r.referrer_name, "Jo Bloggs, Westshire County Council");
    assert_eq!(r.referrer_contact, "jo.bloggs@westshire.invalid");
    Ok(())
}

#[tokio::test]
async fn r2_5_d_a_parents_concern_lands_in_the_mash_queue_and_leads_on_to_the_tool() -> Result {
    let w = front_door_world().await?;
    let mut b = signed_in(&w, "teacher@test.invalid").await?;
    let path = format!(
        "/children/{}/concerns/new?route=parent_or_carer",
        w.school_child
    );
    let form = b.get(&path).await?;
    assert_eq!(form.status, 200);
    let fields: Vec<(String, String)> = [
        ("csrf_token", form.csrf()),
        ("form_key", input_value(&form, "form_key")),
        ("parent_name", "Alex Testparent".to_owned()),
        ("relationship", "Mother".to_owned()),
        ("parent_contact", "1 Test Street, Northshire".to_owned()),
        (
            "worries",
            "She comes home late with things we did not buy".to_owned(),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let done = b.post(&path, &pairs(&fields)).await?;
    assert_eq!(done.status, 303, "{}", done.body);
    let received = b
        .get(done.location.as_deref().ok_or("no location")?)
        .await?;
    assert!(received.body.contains(&format!(
        "href=\"/children/{}/screenings/new\"",
        w.school_child
    )));
    let items = queue(&w).await?;
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].referral.route, RouteIn::ParentOrCarer);
    assert_eq!(items[0].referral.referrer_name, "Alex Testparent");
    // Someone else cannot open the confirmation.
    let mut other = signed_in(&w, "teacher2@test.invalid").await?;
    assert_eq!(
        other
            .get(done.location.as_deref().ok_or("no location")?)
            .await?
            .status,
        404
    );
    Ok(())
}

#[tokio::test]
async fn r2_6_a_spoc_sees_their_own_agencys_screenings_and_figures_only() -> Result {
    let w = front_door_world().await?;
    add_person(
        &w,
        "school.spoc@test.invalid",
        w.school,
        vec![Role::AgencySpoc],
    )
    .await?;
    add_person(
        &w,
        "police.spoc@test.invalid",
        w.police,
        vec![Role::AgencySpoc],
    )
    .await?;
    let mut teacher = signed_in(&w, "teacher@test.invalid").await?;
    let school_screening = submit_screening(&mut teacher, w.school_child).await?;
    // A colleague's draft counts as started, not submitted.
    let mut colleague = signed_in(&w, "teacher2@test.invalid").await?;
    start(&mut colleague, w.restricted_child).await?;
    let mut officer = signed_in(&w, "officer@test.invalid").await?;
    let police_screening = submit_screening(&mut officer, w.restricted_child).await?;

    let mut spoc = signed_in(&w, "school.spoc@test.invalid").await?;
    let page = spoc.get("/spoc").await?;
    assert_eq!(page.status, 200);
    assert!(
        page.body
            .contains(&format!("href=\"/screenings/{school_screening}\""))
    );
    assert!(!page.body.contains(&police_screening));
    for (id, value) in [
        ("figure-started", "2"),
        ("figure-submitted", "1"),
        ("figure-drafts", "1"),
        ("figure-stale", "0"),
        ("figure-completion", "50%"),
        ("figure-category-2", "1"),
        ("figure-category-3", "0"),
        ("figure-changed", "0"),
    ] {
        assert!(
            page.body.contains(&format!("id=\"{id}\">{value}<")),
            "{id} is {value}"
        );
    }
    let copy = spoc.get(&format!("/screenings/{school_screening}")).await?;
    assert_eq!(copy.status, 200, "the SPOC reads their agency's screening");
    assert!(copy.body.contains("Missing overnight twice this month"));

    let mut police_spoc = signed_in(&w, "police.spoc@test.invalid").await?;
    let page = police_spoc.get("/spoc").await?;
    assert!(page.body.contains(&police_screening));
    assert!(!page.body.contains(&school_screening));
    assert!(page.body.contains("id=\"figure-started\">1<"));

    // Not a SPOC: no such page.
    assert_eq!(teacher.get("/spoc").await?.status, 404);
    Ok(())
}

#[tokio::test]
async fn r2_2_r2_5_the_api_gives_the_tool_and_takes_screenings_and_concerns_once() -> Result {
    let w = front_door_world().await?;
    let http = reqwest::Client::new();
    let token = api_token_with(
        &w,
        "police.service@test.invalid",
        &["screenings:write", "referrals:write", "children:read"],
    )
    .await?;
    let tool: serde_json::Value = http
        .get(format!("{}/api/v1/screening-tool", w.base))
        .bearer_auth(&token)
        .send()
        .await?
        .json()
        .await?;
    assert_eq!(tool["version"], "wm-2025-1");
    assert_eq!(tool["sections"].as_array().map(Vec::len), Some(3));

    let url = format!(
        "{}/api/v1/children/{}/screenings",
        w.base, w.restricted_child
    );
    let bad = serde_json::json!({
        "answers": { "sign.missing_from_home_or_care": { "answer": "yes" } },
        "summary": "Missing",
    });
    let no_key = http
        .post(&url)
        .bearer_auth(&token)
        .json(&bad)
        .send()
        .await?;
    assert_eq!(no_key.status().as_u16(), 400);
    let invalid = http
        .post(&url)
        .bearer_auth(&token)
        .header("Idempotency-Key", "k-1")
        .json(&bad)
        .send()
        .await?;
    assert_eq!(invalid.status().as_u16(), 422);
    let body: serde_json::Value = invalid.json().await?;
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .ok_or("no errors")?
        .iter()
        .filter_map(|e| e["field"].as_str())
        .collect();
    assert!(fields.contains(&"answers.sign.missing_from_home_or_care.evidence"));
    assert!(fields.contains(&"signs_not_words"));
    assert!(fields.contains(&"adviser_consulted"));

    let good = serde_json::json!({
        "answers": {
            "sign.missing_from_home_or_care": { "answer": "yes", "evidence": "Missing twice" },
            "sign.gifts_from_unknown_sources": { "answer": "yes", "evidence": "New phone" },
        },
        "signs_not_words": "Tired and withdrawn",
        "adviser_consulted": "Sam Adviser",
        "adviser_consulted_on": "2025-03-03",
        "summary": "Missing and unexplained gifts",
    });
    let made = http
        .post(&url)
        .bearer_auth(&token)
        .header("Idempotency-Key", "k-2")
        .json(&good)
        .send()
        .await?;
    assert_eq!(made.status().as_u16(), 201);
    let made: serde_json::Value = made.json().await?;
    assert_eq!(made["category"], 2);
    assert_eq!(made["status"], "submitted");
    assert!(made["referral"].is_string());
    let again = http
        .post(&url)
        .bearer_auth(&token)
        .header("Idempotency-Key", "k-2")
        .json(&good)
        .send()
        .await?;
    assert_eq!(again.status().as_u16(), 200);
    let again: serde_json::Value = again.json().await?;
    assert_eq!(again["id"], made["id"]);
    assert_eq!(queue(&w).await?.len(), 1, "one referral for one key");
    let read = http
        .get(format!(
            "{}/api/v1/screenings/{}",
            w.base,
            made["id"].as_str().unwrap_or_default()
        ))
        .bearer_auth(&token)
        .send()
        .await?;
    assert_eq!(read.status().as_u16(), 200);

    let concern_url = format!("{}/api/v1/children/{}/concerns", w.base, w.restricted_child);
    let concern = serde_json::json!({
        "route": "police_notification",
        "caller": "A taxi driver",
        "call_how": "101",
        "incident_at": "2025-03-02T23:40",
        "place": "High Street",
        "seen": "Girl got into a car with two men",
    });
    let first = http
        .post(&concern_url)
        .bearer_auth(&token)
        .header("Idempotency-Key", "c-1")
        .json(&concern)
        .send()
        .await?;
    assert_eq!(first.status().as_u16(), 201);
    let first: serde_json::Value = first.json().await?;
    let second = http
        .post(&concern_url)
        .bearer_auth(&token)
        .header("Idempotency-Key", "c-1")
        .json(&concern)
        .send()
        .await?;
    assert_eq!(second.status().as_u16(), 200);
    let second: serde_json::Value = second.json().await?;
    assert_eq!(first["referral"], second["referral"]);
    assert_eq!(queue(&w).await?.len(), 2);

    // The scope is needed, and a non-police account cannot send a police notification.
    let narrow = api_token_with(&w, "police.service@test.invalid", &["children:read"]).await?;
    let refused = http
        .post(&concern_url)
        .bearer_auth(&narrow)
        .header("Idempotency-Key", "c-2")
        .json(&concern)
        .send()
        .await?;
    assert_eq!(refused.status().as_u16(), 403);
    let mash_token = api_token_with(&w, "service@test.invalid", &["referrals:write"]).await?;
    let not_police = http
        .post(format!(
            "{}/api/v1/children/{}/concerns",
            w.base, w.school_child
        ))
        .bearer_auth(&mash_token)
        .header("Idempotency-Key", "c-3")
        .json(&concern)
        .send()
        .await?;
    assert_eq!(not_police.status().as_u16(), 403);
    assert_eq!(queue(&w).await?.len(), 2);
    Ok(())
}
