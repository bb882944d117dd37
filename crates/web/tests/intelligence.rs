//! The information sharing tool over HTTP (R5.1, R8.2, WM-25): a practitioner shares what
//! they know with the police, it is not a referral, only police intelligence reads it, and
//! an intelligence officer grades it 3x5x2 with a concurrent-edit check.

mod common;

use common::{Browser, Result, add_police_intelligence};
use safehub_store::AuditAction;
use safehub_store::audit::RecordKind;
use safehub_store::intelligence::IntelStatus;

/// Posts a form whose values are owned strings.
async fn post_owned(
    b: &mut Browser,
    path: &str,
    form: &[(&'static str, String)],
) -> Result<common::Page> {
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    b.post(path, &pairs).await
}

/// The form's one-off key.
fn form_key(body: &str) -> String {
    let marker = "name=\"form_key\" value=\"";
    body.find(marker)
        .map(|i| {
            body[i + marker.len()..]
                .chars()
                .take_while(|c| *c != '"')
                .collect()
        })
        .unwrap_or_default()
}

/// A filled-in form: a person, a vehicle with a partial plate, a phone, and free text.
fn filled<'a>(csrf: &'a str, key: &'a str, child: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf_token", csrf),
        ("form_key", key),
        ("child", child),
        ("told_by", "parent_or_carer"),
        ("learnt_on", "23/11/2026"),
        ("items[0].kind", "person"),
        ("items[0].name", "Jamal"),
        ("items[0].nicknames", "Jay"),
        ("items[0].approx_age", "24"),
        ("items[0].marks", "Star tattoo on the left hand"),
        ("items[1].kind", "vehicle"),
        ("items[1].vrm", "AB12 C?E"),
        ("items[1].colour", "grey"),
        ("items[2].kind", "phone"),
        ("items[2].phone", "07700 900123"),
        ("items[3].kind", "place"),
        (
            "narrative",
            "Picked up from the school gates twice last week.",
        ),
    ]
}

#[tokio::test]
async fn r5_1_a_practitioner_shares_information_with_the_police_and_it_is_not_a_referral() -> Result
{
    let w = common::spawn().await?;
    add_police_intelligence(&w).await?;
    let queue_before = w.store.mash_queue_length(&[w.mash]).await?;
    let mut teacher = Browser::new(&w.base);
    teacher.sign_in("teacher@test.invalid").await?;
    let child = w.school_child.to_string();
    let form = teacher
        .get(&format!("/intelligence/new?child={child}"))
        .await?;
    assert_eq!(form.status, 200);
    assert!(form.body.contains("This is not a referral"));
    assert!(
        form.body.contains("Alpha"),
        "the child named from their record"
    );
    let (csrf, key) = (form.csrf(), form_key(&form.body));

    // "Add another" keeps everything typed and adds a row of that kind.
    let mut adding = filled(&csrf, &key, &child);
    adding.push(("add", "vehicle"));
    let added = teacher.post("/intelligence/new", &adding).await?;
    assert_eq!(added.status, 200);
    assert!(
        added
            .body
            .contains("name=\"items[4].kind\" value=\"vehicle\"")
    );
    assert!(added.body.contains("value=\"AB12 C?E\""));
    assert!(added.body.contains("Picked up from the school gates"));

    // Bad input: every problem named at its field, nothing typed lost.
    let mut bad = filled(&csrf, &key, &child);
    bad.retain(|(k, _)| *k != "told_by");
    for (k, v) in &mut bad {
        match *k {
            "items[1].vrm" => *v = "AB12-CDE",
            "items[2].phone" => *v = "call him",
            "items[0].approx_age" => *v = "about twenty",
            "learnt_on" => *v = "31/02/2026",
            _ => {}
        }
    }
    let refused = teacher.post("/intelligence/new", &bad).await?;
    assert_eq!(refused.status, 422);
    for message in [
        "Say who the information came from",
        "Enter the date you learnt it as day/month/year",
        "Enter the registration in letters and numbers",
        "Enter the phone number in digits",
        "Enter the approximate age in years",
    ] {
        assert!(refused.body.contains(message), "{message}");
    }
    assert!(refused.body.contains("href=\"#items[1].vrm\""));
    assert!(refused.body.contains("Picked up from the school gates"));
    assert!(refused.body.contains("value=\"call him\""));

    // Sent: to the police, once however often the form is sent, and not to the MASH.
    let good = filled(&csrf, &key, &child);
    let sent = teacher.post("/intelligence/new", &good).await?;
    assert_eq!(sent.status, 303, "{}", sent.body);
    let to = sent.location.clone().ok_or("redirect")?;
    let id = to.split("sent=").nth(1).ok_or("id")?.to_owned();
    let again = teacher.post("/intelligence/new", &good).await?;
    assert_eq!(again.location.as_deref(), Some(to.as_str()), "double click");
    let confirmation = teacher.get(&to).await?;
    assert!(confirmation.body.contains("Sent to the police"));
    assert!(confirmation.body.contains("This was not a referral"));
    let (inbox, total) = w
        .store
        .intel_inbox(w.police, &[IntelStatus::AwaitingAssessment], 10, 0)
        .await?;
    assert_eq!(
        (total, inbox[0].id.as_str(), inbox[0].items),
        (1, id.as_str(), 3)
    );
    assert_eq!(w.store.mash_queue_length(&[w.mash]).await?, queue_before);
    let stored = w.store.intel_submission(&id).await?.ok_or("stored")?;
    assert_eq!(stored.children, [w.school_child]);
    let shared = w
        .store
        .audit_for_record(RecordKind::IntelSubmission, &id, 10)
        .await?;
    assert!(
        shared
            .iter()
            .any(|a| a.entry.entry.action == AuditAction::Share),
        "the sharing is audited"
    );
    Ok(())
}

#[tokio::test]
async fn r8_2_only_police_intelligence_reads_it_and_an_officer_grades_it_3x5x2() -> Result {
    let w = common::spawn().await?;
    add_police_intelligence(&w).await?;
    let mut teacher = Browser::new(&w.base);
    teacher.sign_in("teacher@test.invalid").await?;
    let form = teacher.get("/intelligence/new").await?;
    let sent = teacher
        .post(
            "/intelligence/new",
            &filled(&form.csrf(), &form_key(&form.body), ""),
        )
        .await?;
    let id = sent
        .location
        .as_deref()
        .and_then(|l| l.split("sent=").nth(1))
        .ok_or("id")?
        .to_owned();
    let page = format!("/intelligence/{id}");

    // Not the sender, not the MASH, not a police officer outside intelligence.
    assert_eq!(teacher.get(&page).await?.status, 404);
    assert_eq!(teacher.get("/intelligence").await?.status, 403);
    for email in ["mash@test.invalid", "officer@test.invalid"] {
        let mut other = Browser::new(&w.base);
        other.sign_in(email).await?;
        assert_eq!(other.get(&page).await?.status, 404, "{email}");
    }

    // The analyst reads it but does not grade it.
    let mut analyst = Browser::new(&w.base);
    analyst.sign_in("analyst@test.invalid").await?;
    let inbox = analyst.get("/intelligence").await?;
    assert_eq!(inbox.status, 200);
    assert!(inbox.body.contains(&page));
    let read = analyst.get(&page).await?;
    assert!(read.body.contains("AB12 C?E") && read.body.contains("Star tattoo"));
    assert!(!read.body.contains("Save the grading"));

    // The officer grades it; conditions go with handling code C only.
    let mut officer = Browser::new(&w.base);
    officer.sign_in("intel.officer@test.invalid").await?;
    let open = officer.get(&page).await?;
    assert!(open.body.contains("Save the grading"));
    let csrf = open.csrf();
    let grading = |handling: &'static str, conditions: &'static str, version: &'static str| {
        vec![
            ("csrf_token", csrf.clone()),
            ("version", version.to_owned()),
            ("source", "2".to_owned()),
            ("assessment", "C".to_owned()),
            ("handling", handling.to_owned()),
            ("conditions", conditions.to_owned()),
        ]
    };
    let path = format!("{page}/grading");
    let missing = post_owned(&mut officer, &path, &grading("C", "", "1")).await?;
    assert_eq!(missing.status, 422);
    assert!(
        missing
            .body
            .contains("Say on what conditions it may be shared")
    );
    let reasons = "Not to be shared with the family";
    let done = post_owned(&mut officer, &path, &grading("C", reasons, "1")).await?;
    assert_eq!(done.status, 303);
    let graded = officer.get(&page).await?;
    assert!(graded.body.contains("2/C/C"), "{}", graded.body);
    assert!(!graded.body.contains("Save the grading"));
    let stale = post_owned(&mut officer, &path, &grading("P", "", "1")).await?;
    assert_eq!(stale.status, 409);
    assert!(stale.body.contains("Someone else graded this first"));
    assert!(stale.body.contains("2/C/C"), "their grading is shown");

    // The sender sees that it was assessed, never the grade.
    let mine = teacher.get("/intelligence/sent").await?;
    assert!(mine.body.contains("Assessed by the police"));
    assert!(!mine.body.contains("2/C/C"));
    Ok(())
}

#[tokio::test]
async fn r5_1_sharing_reading_and_grading_are_in_the_api_with_the_same_rules() -> Result {
    let w = common::spawn().await?;
    add_police_intelligence(&w).await?;
    let http = reqwest::Client::new();
    let url = format!("{}/api/v1/intelligence", w.base);
    let teacher = common::api_token_with(
        &w,
        "teacher@test.invalid",
        &["intelligence:write", "intelligence:read"],
    )
    .await?;
    let officer =
        common::api_token_with(&w, "intel.officer@test.invalid", &["intelligence:read"]).await?;
    let good = serde_json::json!({
        "told_by": "practitioner",
        "learnt_on": "2026-11-23",
        "narrative": "Seen outside the school most afternoons.",
        "items": [
            { "kind": "vehicle", "vrm": "AB12 C?E", "colour": "grey" },
            { "kind": "person", "nicknames": "Jay", "approx_age": 24 }
        ],
        "children": [w.school_child.to_string()]
    });

    // A one-off key is required; bad input names every field.
    let no_key = http
        .post(&url)
        .bearer_auth(&teacher)
        .json(&good)
        .send()
        .await?;
    assert_eq!(no_key.status(), 400);
    let bad = serde_json::json!({
        "told_by": "",
        "items": [{ "kind": "boat" }, { "kind": "phone", "phone": "call him" }],
        "children": ["not-a-child"]
    });
    let refused = http
        .post(&url)
        .bearer_auth(&teacher)
        .header("Idempotency-Key", "bad-1")
        .json(&bad)
        .send()
        .await?;
    assert_eq!(refused.status(), 422);
    let body: serde_json::Value = refused.json().await?;
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .ok_or("errors")?
        .iter()
        .filter_map(|e| e["field"].as_str())
        .collect();
    for field in ["children[0]", "items[0].kind", "told_by", "items[1].phone"] {
        assert!(fields.contains(&field), "{field} in {fields:?}");
    }

    // Shared once, however often the request is repeated.
    let send = || {
        http.post(&url)
            .bearer_auth(&teacher)
            .header("Idempotency-Key", "share-1")
            .json(&good)
            .send()
    };
    let created = send().await?;
    assert_eq!(created.status(), 201);
    let receipt: serde_json::Value = created.json().await?;
    let id = receipt["id"].as_str().ok_or("id")?.to_owned();
    assert_eq!(receipt["status"], "awaiting_assessment");
    let repeated = send().await?;
    assert_eq!(repeated.status(), 200);
    assert_eq!(
        repeated.json::<serde_json::Value>().await?["id"],
        id.as_str()
    );

    // The sender cannot read it back; police intelligence can.
    let one = format!("{url}/{id}");
    let theirs = http.get(&one).bearer_auth(&teacher).send().await?;
    assert_eq!(theirs.status(), 404);
    let read: serde_json::Value = http
        .get(&one)
        .bearer_auth(&officer)
        .send()
        .await?
        .json()
        .await?;
    assert_eq!(read["items"][0]["vrm"], "AB12 C?E");
    assert_eq!(read["children"][0], w.school_child.to_string());
    assert_eq!(read["version"], 1);

    // Graded once; conditions only with C; a stale version is a conflict.
    let grading = format!("{one}/grading");
    let grade =
        |body: serde_json::Value| http.post(&grading).bearer_auth(&officer).json(&body).send();
    // Every problem is named: conditions missing for C, an agency outside the area (WM-25.6).
    let wrong = grade(serde_json::json!({
        "version": 1, "source": "2", "assessment": "C", "handling": "C",
        "shared_with": [w.school.to_string(), w.south_school.to_string()]
    }))
    .await?;
    assert_eq!(wrong.status(), 422);
    let problems = wrong.json::<serde_json::Value>().await?.to_string();
    assert!(problems.contains("conditions"), "{problems}");
    assert!(problems.contains("shared_with[1]"), "{problems}");
    assert!(!problems.contains("shared_with[0]"), "{problems}");
    let ok = grade(serde_json::json!({
        "version": 1, "source": "2", "assessment": "C", "handling": "P",
        "shared_with": [w.school.to_string()]
    }))
    .await?;
    assert_eq!(ok.status(), 200);
    let graded = ok.json::<serde_json::Value>().await?;
    assert_eq!(graded["grade"], "2/C/P");
    assert_eq!(graded["shared_with"][0], w.school.to_string());
    let stale = grade(serde_json::json!({
        "version": 1, "source": "1", "assessment": "A", "handling": "P"
    }))
    .await?;
    assert_eq!(stale.status(), 409);
    // Shared back with the school, the teacher may now read it, but never grade it.
    let teacher_reads = http.get(&one).bearer_auth(&teacher).send().await?;
    assert_eq!(teacher_reads.status(), 200);
    let teacher_grades = http
        .post(&grading)
        .bearer_auth(&teacher)
        .json(&serde_json::json!({"version": 2, "source": "1", "assessment": "A", "handling": "P"}))
        .send()
        .await?;
    assert_eq!(teacher_grades.status(), 403);

    // Without the scope, nothing; and the OpenAPI description lists the calls.
    let reader_only =
        common::api_token_with(&w, "teacher@test.invalid", &["intelligence:read"]).await?;
    let unscoped = http
        .post(&url)
        .bearer_auth(&reader_only)
        .header("Idempotency-Key", "share-2")
        .json(&good)
        .send()
        .await?;
    assert_eq!(unscoped.status(), 403);
    let spec = http
        .get(format!("{}/api/v1/openapi.json", w.base))
        .send()
        .await?
        .text()
        .await?;
    assert!(spec.contains("/api/v1/intelligence/{id}/grading"));
    Ok(())
}

#[tokio::test]
async fn r5_1_the_child_page_offers_sharing_only_to_those_who_may_share() -> Result {
    let w = common::spawn().await?;
    let child = format!("/children/{}", w.school_child);
    let link = format!("/intelligence/new?child={}", w.school_child);

    // A practitioner in the child's area may share what they know with the police.
    let mut teacher = Browser::new(&w.base);
    teacher.sign_in("teacher@test.invalid").await?;
    let page = teacher.get(&child).await?;
    assert_eq!(page.status, 200);
    assert!(page.body.contains(&link), "the teacher is offered the form");

    // A QA auditor reads the same record but is not among those who share.
    let mut auditor = Browser::new(&w.base);
    auditor.sign_in("auditor@test.invalid").await?;
    let page = auditor.get(&child).await?;
    assert_eq!(page.status, 200, "the auditor may read the record");
    assert!(!page.body.contains(&link), "the auditor is not offered it");
    Ok(())
}
