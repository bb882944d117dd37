//! The MASH half of the front door over HTTP: the queue, the decision with Signs of Safety,
//! concurrent decisions, the letter, statutory clocks on work trays, escalation to managers
//! and notification e-mails through a real SMTP server (R2.7-R2.9, R3.1-R3.3, R4.1).

mod common;
#[allow(dead_code)]
#[path = "../../mail/tests/support/smtp_server.rs"]
mod smtp_server;

use common::{Browser, PASSWORD, Result, World, add_user};
use safehub_access::Principal;
use safehub_auth::PasswordHasher;
use safehub_auth::SecretString;
use safehub_domain::pathway::{ClockEnd, ClockKind, RouteIn};
use safehub_domain::{AgencyKind, LegalStatus, Role};
use safehub_store::clocks::{self, Clock, TrayOwner, TrayPart};
use safehub_web::WebConfig;
use safehub_web::client::Client;
use safehub_web::front_door::{self, Intake};

/// The principal of a world user, as the server builds it.
async fn principal(w: &World, email: &str, kind: AgencyKind) -> Result<Principal> {
    let u = w.store.user_by_email(email).await?.ok_or("no such user")?;
    let agency = w.store.agency(u.agency).await?;
    Ok(Principal {
        user: u.id,
        agency: u.agency,
        agency_kind: kind,
        areas: agency.areas,
        roles: u.roles,
    })
}

/// Adds the people the MASH half tells: an LA CSE co-ordinator and a team manager in the
/// North MASH, and an agency SPOC in the school.
async fn add_people(w: &World) -> Result<()> {
    let hash = PasswordHasher::fast_for_tests().hash(&SecretString::from(PASSWORD.to_owned()))?;
    let mut tx = w.store.begin().await?;
    add_user(
        &mut tx,
        "coordinator@test.invalid",
        w.mash,
        vec![Role::LaCseCoordinator],
        &hash,
        false,
    )
    .await?;
    add_user(
        &mut tx,
        "manager@test.invalid",
        w.mash,
        vec![Role::TeamManager],
        &hash,
        false,
    )
    .await?;
    add_user(
        &mut tx,
        "mash2@test.invalid",
        w.mash,
        vec![Role::MashWorker],
        &hash,
        false,
    )
    .await?;
    add_user(
        &mut tx,
        "spoc@test.invalid",
        w.school,
        vec![Role::AgencySpoc],
        &hash,
        false,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A category 2 referral from the teacher about the North child, received through the
/// front door exactly as the screening page does.
async fn refer(w: &World, key: &str, category: Option<u8>) -> Result<String> {
    let who = principal(w, "teacher@test.invalid", AgencyKind::Education).await?;
    let mut tx = w.store.begin().await?;
    let referral = front_door::receive(
        &w.state,
        &mut tx,
        &who,
        &Client("127.0.0.1".into()),
        Intake {
            child: w.school_child,
            area: w.north,
            legal_status: LegalStatus::None,
            route: RouteIn::AgencyScreening,
            screening: None,
            category,
            referrer_name: "Test Teacher".into(),
            referrer_contact: "teacher@test.invalid".into(),
            summary: "Older boyfriend, missing overnight".into(),
            details: "Seen getting into cars after school.".into(),
            form_key: key.into(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(referral.id)
}

fn decision_form<'a>(csrf: &'a str, version: &'a str, outcome: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf_token", csrf),
        ("version", version),
        ("check_police", "Known to police: two missing episodes"),
        ("check_health", ""),
        ("check_education", "Attendance falling"),
        ("check_other", ""),
        ("worries", "Older males collecting her from school"),
        ("working_well", "Mother engaged with school"),
        ("needs_to_happen", "Strategy discussion with police today"),
        ("scale", "3"),
        ("outcome", outcome),
        ("reasons", "Immediate risk of significant harm"),
        ("interventions", ""),
        ("monitoring", ""),
        ("lead_worker", ""),
    ]
}

#[tokio::test]
async fn r2_9_r3_1_r3_2_a_referral_reaches_the_queue_is_decided_and_the_referrer_gets_a_letter()
-> Result<()> {
    let w = common::spawn().await?;
    add_people(&w).await?;
    let id = refer(&w, "key-1", Some(2)).await?;

    // R3.1, R3.2: a category 2 referral starts the discussion and MASE clocks, owned by the MASH.
    let clocks = w.store.clocks_of_referral(&id).await?;
    let kinds: Vec<_> = clocks.iter().map(|c| c.kind).collect();
    assert_eq!(kinds, vec![ClockKind::Discussion, ClockKind::Mase]);
    assert!(
        clocks
            .iter()
            .all(|c| c.owner_agency == w.mash && c.ended_at.is_none())
    );

    // R2.8: the area's CSE co-ordinator is told of every child at risk; the e-mail-free
    // notification names no child.
    let coordinator = w
        .store
        .user_by_email("coordinator@test.invalid")
        .await?
        .ok_or("user")?;
    let told = w.store.notifications_of(coordinator.id, 10).await?;
    assert_eq!(told.len(), 1);
    assert_eq!(told[0].what, "child_at_risk");

    // R2.9: the MASH worker sees it in the queue.
    let mut mash = Browser::new(&w.base);
    mash.sign_in("mash@test.invalid").await?;
    let queue = mash.get("/mash").await?;
    assert_eq!(queue.status, 200);
    assert!(
        queue.body.contains(&format!("/mash/referrals/{id}")),
        "{}",
        queue.body
    );
    assert!(queue.body.contains("Category 2"));

    // A teacher has no MASH queue.
    let mut teacher = Browser::new(&w.base);
    teacher.sign_in("teacher@test.invalid").await?;
    assert_eq!(teacher.get("/mash").await?.status, 403);

    // Bad input: nothing typed is lost, the errors are named.
    let page = mash.get(&format!("/mash/referrals/{id}")).await?;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Signs of Safety"));
    assert!(
        page.body.contains("An immediate risk of significant harm"),
        "WM-14.5 shown"
    );
    let csrf = page.csrf();
    let mut form = decision_form(&csrf, "1", "strategy_discussion");
    form.retain(|(k, _)| *k != "worries");
    form.push(("scale", "11"));
    form.retain(|(k, v)| !(*k == "scale" && *v == "3"));
    let bad = mash
        .post(&format!("/mash/referrals/{id}/decision"), &form)
        .await?;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("govuk-error-summary"));
    assert!(bad.body.contains("Say what you are worried about"));
    assert!(bad.body.contains("Choose a number from 0 to 10"));
    assert!(
        bad.body.contains("Known to police: two missing episodes"),
        "typed text kept"
    );

    // R2.9, R4.1: the decision is recorded and the referrer's letter follows.
    let done = mash
        .post(
            &format!("/mash/referrals/{id}/decision"),
            &decision_form(&csrf, "1", "strategy_discussion"),
        )
        .await?;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(
        done.location.as_deref(),
        Some(format!("/mash/referrals/{id}/letter").as_str())
    );
    let letter = mash.get(&format!("/mash/referrals/{id}/letter")).await?;
    assert_eq!(letter.status, 200);
    assert!(letter.body.contains("Outcome of your referral"));
    assert!(letter.body.contains("Strategy discussion"));
    assert!(letter.body.contains("Test Teacher"));

    // WM-14.3: the referrer is told, and may read the letter (their agency is involved).
    let teacher_user = w
        .store
        .user_by_email("teacher@test.invalid")
        .await?
        .ok_or("user")?;
    let told = w.store.notifications_of(teacher_user.id, 10).await?;
    assert!(told.iter().any(|n| n.what == "outcome_of_your_referral"));
    assert_eq!(
        teacher
            .get(&format!("/mash/referrals/{id}/letter"))
            .await?
            .status,
        200
    );
    // Another area's teacher may not.
    let mut south = Browser::new(&w.base);
    south.sign_in("south.teacher@test.invalid").await?;
    assert_eq!(
        south
            .get(&format!("/mash/referrals/{id}/letter"))
            .await?
            .status,
        404
    );

    // R3.1: held as a strategy discussion: 24 hours from the referral; the 3-day discussion
    // is no longer needed; MASE still runs.
    let clocks = w.store.clocks_of_referral(&id).await?;
    let get = |k: ClockKind| clocks.iter().find(|c| c.kind == k).cloned();
    let strategy = get(ClockKind::StrategyDiscussion).ok_or("strategy clock")?;
    let referral = w.store.referral(&id).await?.ok_or("referral")?;
    assert_eq!(strategy.due_at, referral.received_at + 24 * 3_600_000);
    assert_eq!(
        get(ClockKind::Discussion).ok_or("discussion")?.ended_how,
        Some(ClockEnd::NotNeeded)
    );
    assert_eq!(get(ClockKind::Mase).ok_or("mase")?.ended_at, None);

    // The decided referral has left the queue.
    let queue = mash.get("/mash").await?;
    assert!(!queue.body.contains(&format!("/mash/referrals/{id}\"")));

    // R4.9: the chronology shows the referral, the decision and who was told.
    let chronology = mash
        .get(&format!("/children/{}/chronology", w.school_child))
        .await?;
    assert_eq!(chronology.status, 200);
    assert!(
        chronology.body.contains("received by the MASH: category 2"),
        "{}",
        chronology.body
    );
    assert!(
        chronology
            .body
            .contains("MASH decision: Strategy discussion")
    );
    assert!(
        chronology
            .body
            .contains("Told: A child at risk of CSE has been referred in your area")
    );
    Ok(())
}

#[tokio::test]
async fn r2_9_two_mash_workers_deciding_at_once_the_second_keeps_what_they_typed() -> Result<()> {
    let w = common::spawn().await?;
    add_people(&w).await?;
    let id = refer(&w, "key-2", Some(3)).await?;
    let mut first = Browser::new(&w.base);
    first.sign_in("mash@test.invalid").await?;
    let mut second = Browser::new(&w.base);
    second.sign_in("mash2@test.invalid").await?;
    let a = first.get(&format!("/mash/referrals/{id}")).await?.csrf();
    let b = second.get(&format!("/mash/referrals/{id}")).await?.csrf();
    let ok = first
        .post(
            &format!("/mash/referrals/{id}/decision"),
            &decision_form(&a, "1", "assessment"),
        )
        .await?;
    assert_eq!(ok.status, 303);
    let mut late = decision_form(&b, "1", "discussion");
    late.retain(|(k, _)| *k != "worries");
    late.push(("worries", "Words of the second worker"));
    let clash = second
        .post(&format!("/mash/referrals/{id}/decision"), &late)
        .await?;
    assert_eq!(clash.status, 422);
    assert!(clash.body.contains("Someone else decided this referral"));
    assert!(clash.body.contains("Words of the second worker"));
    assert!(
        clash.body.contains("Assessment by children"),
        "the first decision is shown"
    );
    let decision = w.store.decision(&id).await?.ok_or("decision")?;
    assert_eq!(decision.outcome.code(), "assessment");
    Ok(())
}

#[tokio::test]
async fn r2_7_early_help_needs_a_lead_worker_and_starts_a_three_month_review_on_their_tray()
-> Result<()> {
    let w = common::spawn().await?;
    add_people(&w).await?;
    let id = refer(&w, "key-3", Some(1)).await?;
    assert!(
        w.store.clocks_of_referral(&id).await?.is_empty(),
        "category 1 starts no 3-day clock"
    );
    let mut mash = Browser::new(&w.base);
    mash.sign_in("mash@test.invalid").await?;
    let csrf = mash.get(&format!("/mash/referrals/{id}")).await?.csrf();
    let without = mash
        .post(
            &format!("/mash/referrals/{id}/decision"),
            &decision_form(&csrf, "1", "early_help"),
        )
        .await?;
    assert_eq!(without.status, 422);
    assert!(without.body.contains("Choose the early help lead worker"));
    let manager = w
        .store
        .user_by_email("manager@test.invalid")
        .await?
        .ok_or("user")?;
    let manager_id = manager.id.to_string();
    let mut form = decision_form(&csrf, "1", "early_help");
    form.retain(|(k, _)| *k != "lead_worker");
    form.push(("lead_worker", &manager_id));
    let ok = mash
        .post(&format!("/mash/referrals/{id}/decision"), &form)
        .await?;
    assert_eq!(ok.status, 303, "{}", ok.body);
    let clocks = w.store.clocks_of_referral(&id).await?;
    assert_eq!(clocks.len(), 1);
    assert_eq!(clocks[0].kind, ClockKind::EarlyHelpReview);
    assert_eq!(clocks[0].owner_user, Some(manager.id));
    // R3.3: about three months on.
    let days = (clocks[0].due_at - clocks[0].started_at) / 86_400_000;
    assert!((88..=93).contains(&days), "{days} days");

    // The clock is on the lead worker's tray, and recording it done takes it off.
    let tray = w
        .store
        .work_tray(
            &TrayOwner {
                user: Some(manager.id),
                team: None,
                agency: None,
            },
            10,
            0,
        )
        .await?;
    assert_eq!(tray.len(), 1);
    let mut lead = Browser::new(&w.base);
    lead.sign_in("manager@test.invalid").await?;
    let page = lead.get("/work").await?;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("Early help plan review"),
        "{}",
        page.body
    );
    let done = lead
        .post(
            &format!("/work/clocks/{}/done", clocks[0].id),
            &[("csrf_token", &page.csrf())],
        )
        .await?;
    assert_eq!(done.status, 303);
    assert!(
        !lead
            .get("/work")
            .await?
            .body
            .contains("Early help plan review")
    );
    Ok(())
}

#[tokio::test]
async fn r3_a_long_tray_shows_the_soonest_of_each_part_and_pages_through_the_rest() -> Result {
    let w = common::spawn().await?;
    add_people(&w).await?;
    let manager = w
        .store
        .user_by_email("manager@test.invalid")
        .await?
        .ok_or("user")?;
    // 120 clocks on the manager's own tray (the first 45 overdue), and 3 more of the MASH's
    // not yet allocated, all about a child the MASH received.
    let now = safehub_store::now_ms();
    let everything = TrayOwner {
        user: Some(manager.id),
        team: None,
        agency: Some(w.mash),
    };
    let before = w.store.tray_counts(&everything, now).await?;
    let (agency_before, overdue_before) = (before[1].open, before[1].overdue);
    let hour = 3_600_000;
    let mut tx = w.store.begin().await?;
    for i in 0..123_i64 {
        let own = i < 120;
        clocks::start(
            &mut tx,
            &Clock {
                id: format!("clock-{i:03}"),
                kind: ClockKind::Discussion,
                child: w.school_child,
                referral: None,
                started_at: now - 200 * hour,
                due_at: now + (i - 45) * hour + 600_000,
                due_day: "2026-11-24".to_owned(),
                owner_agency: w.mash,
                owner_team: None,
                owner_user: own.then_some(manager.id),
                ended_at: None,
                ended_how: None,
                escalated_at: None,
            },
        )
        .await?;
    }
    tx.commit().await?;

    // The store reads each part in (due, id) order, page by page, and counts it.
    let yours = everything.only(TrayPart::Yours);
    let mut paged = Vec::new();
    for offset in [0, 50, 100, 150] {
        paged.extend(
            w.store
                .work_tray(&yours, 50, offset)
                .await?
                .into_iter()
                .map(|i| i.clock.id),
        );
    }
    let expected: Vec<String> = (0..120).map(|i| format!("clock-{i:03}")).collect();
    assert_eq!(paged, expected, "every clock once, soonest first");
    let counts = w.store.tray_counts(&yours, now).await?;
    assert_eq!((counts[0].open, counts[0].overdue), (120, 45));

    // The tray shows the 50 soonest of each part, the overdue count of all, and a way on.
    let mut lead = Browser::new(&w.base);
    lead.sign_in("manager@test.invalid").await?;
    let tray = lead.get("/work").await?;
    assert_eq!(tray.status, 200);
    let overdue = format!("{} overdue", 45 + overdue_before);
    assert!(tray.body.contains(&overdue), "{}", tray.body);
    assert!(tray.body.contains("The 50 soonest of 120 open."));
    assert!(tray.body.contains("href=\"/work/yours\""));
    let agency_open = usize::try_from(3 + agency_before)?;
    assert_eq!(
        tray.body.matches("Record as done").count(),
        50 + agency_open,
        "50 of the manager's own, and all the agency's"
    );

    // Page 3 of the manager's own part holds the last 20; a page past the end shows the last.
    for asked in ["3", "99"] {
        let page = lead.get(&format!("/work/yours?page={asked}")).await?;
        assert_eq!(page.status, 200);
        assert!(
            page.body.contains("Page 3 of 3 (120 open)"),
            "{}",
            page.body
        );
        assert_eq!(page.body.matches("Record as done").count(), 20);
        assert!(page.body.contains("/work/clocks/clock-119/done"));
        assert!(!page.body.contains("/work/clocks/clock-099/done"));
    }
    let agency = lead.get("/work/agency").await?;
    assert_eq!(agency.body.matches("Record as done").count(), agency_open);

    // A teacher has no agency part to their tray, and no part has another name.
    let mut teacher = Browser::new(&w.base);
    teacher.sign_in("teacher@test.invalid").await?;
    assert_eq!(teacher.get("/work/agency").await?.status, 404);
    assert_eq!(teacher.get("/work/everyone").await?.status, 404);
    assert_eq!(teacher.get("/work/yours").await?.status, 200);
    Ok(())
}

#[tokio::test]
async fn r2_9_no_cse_concern_needs_reasons_interventions_and_monitoring_and_goes_back_to_the_spoc()
-> Result<()> {
    let w = common::spawn().await?;
    add_people(&w).await?;
    let id = refer(&w, "key-4", Some(2)).await?;
    let mut mash = Browser::new(&w.base);
    mash.sign_in("mash@test.invalid").await?;
    let csrf = mash.get(&format!("/mash/referrals/{id}")).await?.csrf();
    let bare = mash
        .post(
            &format!("/mash/referrals/{id}/decision"),
            &decision_form(&csrf, "1", "no_cse_concern"),
        )
        .await?;
    assert_eq!(bare.status, 422);
    assert!(
        bare.body
            .contains("Propose interventions for the referring agency")
    );
    assert!(
        bare.body
            .contains("Say what the referring agency should keep monitoring")
    );
    let mut form = decision_form(&csrf, "1", "no_cse_concern");
    form.retain(|(k, _)| *k != "interventions" && *k != "monitoring");
    form.push(("interventions", "Mentoring through the school"));
    form.push(("monitoring", "Attendance and who collects her"));
    assert_eq!(
        mash.post(&format!("/mash/referrals/{id}/decision"), &form)
            .await?
            .status,
        303
    );
    // Both clocks end as not needed.
    let clocks = w.store.clocks_of_referral(&id).await?;
    assert!(
        clocks
            .iter()
            .all(|c| c.ended_how == Some(ClockEnd::NotNeeded))
    );
    // The school's SPOC is told it came back.
    let spoc = w
        .store
        .user_by_email("spoc@test.invalid")
        .await?
        .ok_or("user")?;
    let told = w.store.notifications_of(spoc.id, 10).await?;
    assert!(told.iter().any(|n| n.what == "returned_to_spoc"));
    let letter = mash.get(&format!("/mash/referrals/{id}/letter")).await?;
    assert!(letter.body.contains("Please keep monitoring"));
    assert!(letter.body.contains("Attendance and who collects her"));
    Ok(())
}

#[tokio::test]
async fn r3_an_overdue_clock_is_escalated_once_to_the_owners_manager_by_email_without_personal_data()
-> Result<()> {
    let smtp = smtp_server::TestSmtpServer::start().await?;
    let mut config = WebConfig::for_tests();
    let settings = safehub_mail::SmtpSettings {
        host: "127.0.0.1".into(),
        port: smtp.port(),
        security: safehub_mail::Security::None,
        username: None,
        password: None,
        from: "Safehub <no-reply@safehub.invalid>".into(),
        timeout_seconds: 5,
    };
    config.smtp = Some(settings.clone());
    config.public_url = "https://safehub.test.invalid".into();
    let w = common::spawn_with(config).await?;
    add_people(&w).await?;
    let id = refer(&w, "key-5", Some(2)).await?;

    // Nothing is overdue yet.
    let now = safehub_store::now_ms();
    assert_eq!(
        safehub_web::worker::escalate_overdue(&w.state, now).await?,
        0
    );
    // Thirty days on, both clocks are overdue: each is escalated once.
    let later = now + 30 * 86_400_000;
    assert_eq!(
        safehub_web::worker::escalate_overdue(&w.state, later).await?,
        2
    );
    assert_eq!(
        safehub_web::worker::escalate_overdue(&w.state, later).await?,
        0
    );
    let manager = w
        .store
        .user_by_email("manager@test.invalid")
        .await?
        .ok_or("user")?;
    let told = w.store.notifications_of(manager.id, 10).await?;
    assert_eq!(told.iter().filter(|n| n.what == "clock_overdue").count(), 2);
    assert!(
        w.store
            .clocks_of_referral(&id)
            .await?
            .iter()
            .all(|c| c.escalated_at.is_some())
    );

    // The e-mails go out through the SMTP server and name no child.
    let mailer = safehub_mail::Mailer::new(&settings)?;
    let (sent, failed) = safehub_web::worker::send_due_emails(&w.state, &mailer, later).await?;
    assert_eq!(failed, 0);
    // The co-ordinator's notice and the two escalations.
    assert_eq!(sent, 3);
    let received = smtp.received();
    assert_eq!(received.len(), sent);
    let to_manager: Vec<_> = received
        .iter()
        .filter(|m| {
            m.envelope_to
                .iter()
                .any(|t| t.contains("manager@test.invalid"))
        })
        .collect();
    assert_eq!(to_manager.len(), 2);
    for m in &received {
        let text = String::from_utf8_lossy(&m.data);
        assert!(!text.contains("Alpha"), "a child's name left by e-mail");
        assert!(text.contains("https://safehub.test.invalid/notifications"));
    }
    // Sent e-mails are not sent again.
    assert_eq!(
        safehub_web::worker::send_due_emails(&w.state, &mailer, later).await?,
        (0, 0)
    );
    Ok(())
}

#[tokio::test]
async fn r2_9_the_mash_steps_are_in_the_api_with_the_same_rules() -> Result {
    let w = common::spawn().await?;
    add_people(&w).await?;
    let id = refer(&w, "key-6", Some(2)).await?;
    let http = reqwest::Client::new();
    let token = common::api_token_with(
        &w,
        "service@test.invalid",
        &["referrals:read", "referrals:write"],
    )
    .await?;
    let reader = common::api_token_with(&w, "service@test.invalid", &["referrals:read"]).await?;
    let police = common::api_token_with(
        &w,
        "police.service@test.invalid",
        &["referrals:read", "referrals:write"],
    )
    .await?;
    let get = |path: String, t: String| {
        let http = http.clone();
        let base = w.base.clone();
        async move {
            http.get(format!("{base}{path}"))
                .bearer_auth(t)
                .send()
                .await
        }
    };

    let queue: serde_json::Value = get("/api/v1/mash/queue".into(), token.clone())
        .await?
        .json()
        .await?;
    assert_eq!(queue["total"], 1);
    assert_eq!(queue["referrals"][0]["id"], id.as_str());
    assert_eq!(queue["referrals"][0]["version"], 1);
    // A police account is not a MASH worker.
    assert_eq!(
        get("/api/v1/mash/queue".into(), police.clone())
            .await?
            .status(),
        403
    );

    let detail: serde_json::Value = get(format!("/api/v1/referrals/{id}"), token.clone())
        .await?
        .json()
        .await?;
    assert_eq!(detail["clocks"].as_array().map(Vec::len), Some(2));

    let url = format!("{}/api/v1/referrals/{id}/decision", w.base);
    let mut body = serde_json::json!({
        "version": 1, "worries": "", "working_well": "Engaged with school",
        "needs_to_happen": "Assessment", "scale": 12, "outcome": "assessment",
        "reasons": "Needs an assessment"
    });
    // Bad input: 422 with the fields named, nothing recorded.
    let bad = http
        .post(&url)
        .bearer_auth(&token)
        .json(&body)
        .send()
        .await?;
    assert_eq!(bad.status(), 422);
    let problems: serde_json::Value = bad.json().await?;
    let fields: Vec<_> = problems["errors"]
        .as_array()
        .ok_or("errors")?
        .iter()
        .map(|e| e["field"].as_str().unwrap_or(""))
        .collect();
    assert!(
        fields.contains(&"worries") && fields.contains(&"scale"),
        "{problems}"
    );
    assert!(w.store.decision(&id).await?.is_none());
    // The read-only token may not decide.
    body["worries"] = "Older males".into();
    body["scale"] = 4.into();
    assert_eq!(
        http.post(&url)
            .bearer_auth(&reader)
            .json(&body)
            .send()
            .await?
            .status(),
        403
    );
    let ok = http
        .post(&url)
        .bearer_auth(&token)
        .json(&body)
        .send()
        .await?;
    assert_eq!(ok.status(), 200);
    let decided: serde_json::Value = ok.json().await?;
    assert_eq!(decided["outcome"], "assessment");
    assert_eq!(decided["referral"]["status"], "decided");
    // Deciding again on the old version: 409.
    let again = http
        .post(&url)
        .bearer_auth(&token)
        .json(&body)
        .send()
        .await?;
    assert_eq!(again.status(), 409);

    let clocks: serde_json::Value = get("/api/v1/clocks".into(), token.clone())
        .await?
        .json()
        .await?;
    assert_eq!(clocks.as_array().map(Vec::len), Some(2), "{clocks}");
    Ok(())
}

#[tokio::test]
async fn r3_an_administrator_adds_a_non_working_day_and_new_clocks_skip_it() -> Result {
    let w = common::spawn().await?;
    let mut admin = Browser::new(&w.base);
    admin.sign_in("admin@test.invalid").await?;
    let page = admin.get("/admin/calendar").await?;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Christmas Day"));
    let csrf = page.csrf();
    // Bad input keeps what was typed and says what is wrong.
    let bad = admin
        .post(
            "/admin/calendar",
            &[("csrf_token", &csrf), ("day", "2027-13-01"), ("name", "")],
        )
        .await?;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("Enter the date as year-month-day"));
    assert!(bad.body.contains("2027-13-01"));
    let weekend = admin
        .post(
            "/admin/calendar",
            &[
                ("csrf_token", &csrf),
                ("day", "2027-06-05"),
                ("name", "A Saturday"),
            ],
        )
        .await?;
    assert_eq!(weekend.status, 422);
    assert!(weekend.body.contains("already not a working day"));
    // Wednesday 9 June 2027 becomes a bank holiday.
    let day: jiff::civil::Date = "2027-06-09".parse()?;
    assert!(w.state.calendar().is_working_day(day)?);
    let ok = admin
        .post(
            "/admin/calendar",
            &[
                ("csrf_token", &csrf),
                ("day", "2027-06-09"),
                ("name", "Extra bank holiday"),
            ],
        )
        .await?;
    assert_eq!(ok.status, 303);
    assert!(!w.state.calendar().is_working_day(day)?);
    // R3.1: a referral on Monday 7 June 2027 is now due on Friday 11, not Thursday 10.
    let monday = "2027-06-07T09:00:00Z".parse()?;
    let due = safehub_domain::pathway::due(&w.state.calendar(), ClockKind::Discussion, monday)?;
    assert_eq!(due.day.to_string(), "2027-06-11");
    // Only administrators reach the page.
    let mut teacher = Browser::new(&w.base);
    teacher.sign_in("teacher@test.invalid").await?;
    assert_eq!(teacher.get("/admin/calendar").await?.status, 404);
    Ok(())
}
