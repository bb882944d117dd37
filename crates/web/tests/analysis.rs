//! The analysts' pages over HTTP (R5.2, R7.2, R8.2, WM-25.6, WM-27.1): the engine's
//! proposed links, accepted, merged or rejected with the decision kept and winning; a
//! subject's profile with its evidence, children and network; subjects linked to two or
//! more children; hotspots; what a grading shares back and with whom. Police-only, and
//! every view and decision audited.

mod common;

use common::{Browser, Result, World, add_police_intelligence};
use safehub_domain::intelligence::{Item, Submission, ToldBy};
use safehub_domain::{AgencyId, AreaId, ChildId, UserId};
use safehub_store::AuditAction;
use safehub_store::audit::RecordKind;
use safehub_store::intelligence::{self, NewSubmission, analysis};

/// Stores a submission from `by` (of `agency`) about `area`; returns its id.
async fn share(
    w: &World,
    by: UserId,
    agency: AgencyId,
    area: AreaId,
    items: Vec<Item>,
    children: &[ChildId],
) -> Result<String> {
    let id = uuid::Uuid::new_v4().to_string();
    let submission = Submission {
        told_by: Some(ToldBy::Practitioner),
        items,
        narrative: "Seen at the school gates.".into(),
        learnt_on: None,
    };
    let mut tx = w.store.begin().await?;
    intelligence::insert(
        &mut tx,
        &NewSubmission {
            id: &id,
            area,
            police_agency: w.police,
            submitted_by: by,
            submitter_agency: agency,
            submission: &submission,
            children,
            received_at: safehub_store::now_ms(),
            form_key: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

async fn user(w: &World, email: &str) -> Result<UserId> {
    Ok(w.store
        .user_by_email(email)
        .await?
        .ok_or("no such user")?
        .id)
}

/// The values of the hidden inputs named `name`, in page order.
fn hidden(body: &str, name: &str) -> Vec<String> {
    let marker = format!("name=\"{name}\" value=\"");
    body.match_indices(&marker)
        .map(|(i, _)| {
            body[i + marker.len()..]
                .chars()
                .take_while(|c| *c != '"')
                .collect()
        })
        .collect()
}

/// Posts a form whose values are owned strings.
async fn post_owned(
    b: &mut Browser,
    path: &str,
    form: &[(&'static str, String)],
) -> Result<common::Page> {
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    b.post(path, &pairs).await
}

/// A world with one person, Jamal Reid ("Jay"), mentioned in three submissions with his
/// phone written three ways and two children named; and Kieran Moss, mentioned once.
async fn jamal_world() -> Result<(World, Vec<String>)> {
    let w = common::spawn().await?;
    add_police_intelligence(&w).await?;
    let teacher = user(&w, "teacher@test.invalid").await?;
    let south = user(&w, "south.teacher@test.invalid").await?;
    let ids = vec![
        share(
            &w,
            teacher,
            w.school,
            w.north,
            vec![
                Item::person("Jamal Reid", "Jay"),
                Item::phone("07700 900123"),
            ],
            &[w.school_child],
        )
        .await?,
        share(
            &w,
            teacher,
            w.school,
            w.north,
            vec![
                Item::person("", "Jay"),
                Item::phone("+44 7700 900123"),
                Item::vehicle("AB12 C?E"),
            ],
            &[],
        )
        .await?,
        share(
            &w,
            south,
            w.south_school,
            w.south,
            vec![
                Item::person("Jamal", "Jay"),
                Item::phone("07700900123"),
                Item::vehicle("AB12 CDE"),
            ],
            &[w.south_child],
        )
        .await?,
        share(
            &w,
            teacher,
            w.school,
            w.north,
            vec![
                Item::person("Kieran Moss", "Kez"),
                Item::phone("07700 900999"),
            ],
            &[],
        )
        .await?,
    ];
    Ok((w, ids))
}

#[tokio::test]
async fn r5_2_an_analyst_decides_the_engines_proposed_links_and_the_decisions_win() -> Result {
    let (w, ids) = jamal_world().await?;
    let mut analyst = Browser::new(&w.base);
    analyst.sign_in("analyst@test.invalid").await?;

    // The engine resolved the three Jamal mentions into one subject linked to two children.
    let list = analyst.get("/intelligence/subjects").await?;
    assert_eq!(list.status, 200);
    assert!(list.body.contains("Jamal Reid (Jay)"), "{}", list.body);
    assert!(
        list.body
            .contains("Subjects linked to two or more children")
    );
    assert!(list.body.contains("Northshire, Southshire"));
    let jamal = format!("/intelligence/subjects/{}.0", ids[0]);
    let profile = analyst.get(&jamal).await?;
    assert_eq!(profile.status, 200);
    for expected in [
        "Jamal, Jamal Reid",
        "same after normalisation",
        "<td class=\"govuk-table__cell\">Vehicle</td><td class=\"govuk-table__cell\">AB12 C",
        "Children linked",
        "named with the child in 1 submission",
        "<svg",
        "role=\"img\"",
        "Every link in the picture",
    ] {
        assert!(
            profile.body.contains(expected),
            "{expected}: {}",
            profile.body
        );
    }
    // Any member's id finds the same subject.
    let via_other = analyst
        .get(&format!("/intelligence/subjects/{}.0", ids[2]))
        .await?;
    assert!(via_other.body.contains("Jamal Reid (Jay)"));

    // The links to decide: accept one; it is kept with the analyst's name and reason.
    let links = analyst.get("/intelligence/links").await?;
    assert_eq!(links.status, 200);
    assert!(
        links.body.contains("Linked by the engine"),
        "{}",
        links.body
    );
    assert!(links.body.contains("Accept the link"));
    let (a, b) = (hidden(&links.body, "a"), hidden(&links.body, "b"));
    assert!(!a.is_empty());
    let csrf = links.csrf();
    let accepted = analyst
        .post(
            "/intelligence/links/decision",
            &[
                ("csrf_token", &csrf),
                ("a", &a[0]),
                ("b", &b[0]),
                ("verdict", "same"),
                ("reason", "Same phone, known to us"),
                ("back", "/intelligence/links"),
            ],
        )
        .await?;
    assert_eq!(accepted.status, 303);
    let after = analyst.get("/intelligence/links").await?;
    let still: Vec<(String, String)> = hidden(&after.body, "a")
        .into_iter()
        .zip(hidden(&after.body, "b"))
        .collect();
    assert!(!still.contains(&(a[0].clone(), b[0].clone())), "decided");
    let profile = analyst.get(&jamal).await?;
    assert!(profile.body.contains("Same person"));
    assert!(profile.body.contains("Same phone, known to us"));

    // Taking a member out of the subject rejects its links to every other member, and the
    // rejections win over the engine's strong evidence (same phone, same nickname).
    let third = format!("{}/0", ids[2]);
    let csrf = profile.csrf();
    let split = analyst
        .post(
            "/intelligence/links/decision",
            &[
                ("csrf_token", &csrf),
                ("a", &third),
                ("b", &format!("{}/0", ids[1])),
                ("verdict", "different"),
                ("split", "subject"),
                ("reason", "Twin brother"),
                ("back", &jamal),
            ],
        )
        .await?;
    assert_eq!(split.status, 303);
    assert_eq!(split.location.as_deref(), Some(jamal.as_str()));
    let apart = analyst
        .get(&format!("/intelligence/subjects/{}.0", ids[2]))
        .await?;
    assert!(
        apart
            .body
            .contains("<h1 class=\"govuk-heading-l\">Jamal (Jay)</h1>"),
        "split out into a subject of its own"
    );
    assert!(apart.body.contains("Different people"));

    // The latest decision for a pair wins: confirming the pair again brings it back.
    let merged = analyst
        .post(
            "/intelligence/links/decision",
            &[
                ("csrf_token", &csrf),
                ("a", &format!("{}/0", ids[0])),
                ("b", &third),
                ("verdict", "same"),
                ("reason", "Checked: one person"),
                ("back", "/intelligence/links"),
            ],
        )
        .await?;
    assert_eq!(merged.status, 303);
    let together = analyst
        .get(&format!("/intelligence/subjects/{}.0", ids[2]))
        .await?;
    assert!(
        together
            .body
            .contains("<h1 class=\"govuk-heading-l\">Jamal Reid (Jay)</h1>")
    );

    // Nonsense is refused and nothing is stored: an unknown item, a non-person item.
    let before = w
        .store
        .intel_analysis_input(&[w.north, w.south], |_| None)
        .await?;
    for (x, y) in [
        ("no-such-item".to_owned(), third.clone()),
        (format!("{}/1", ids[0]), third.clone()),
    ] {
        let refused = analyst
            .post(
                "/intelligence/links/decision",
                &[
                    ("csrf_token", &csrf),
                    ("a", &x),
                    ("b", &y),
                    ("verdict", "same"),
                ],
            )
            .await?;
        assert_eq!(refused.status, 404);
    }
    let after = w
        .store
        .intel_analysis_input(&[w.north, w.south], |_| None)
        .await?;
    assert_eq!(before.decisions, after.decisions);
    assert_eq!(after.decisions.len(), 4);

    // Every decision and view is audited.
    let trail = w.store.recent_audit(None, None, 1000).await?;
    let decided = trail
        .iter()
        .filter(|e| {
            e.entry.entry.record_kind == RecordKind::IntelLink
                && e.entry.entry.action == AuditAction::Change
        })
        .count();
    assert_eq!(decided, 4);
    assert!(
        trail
            .iter()
            .any(|e| e.entry.entry.record_kind == RecordKind::IntelSubject
                && e.entry.entry.action == AuditAction::View)
    );
    Ok(())
}

#[tokio::test]
async fn r8_2_analysis_is_police_only_and_a_refusal_is_audited() -> Result {
    let (w, ids) = jamal_world().await?;
    let mut teacher = Browser::new(&w.base);
    teacher.sign_in("teacher@test.invalid").await?;
    for path in [
        "/intelligence/subjects".to_owned(),
        "/intelligence/links".to_owned(),
        "/intelligence/hotspots".to_owned(),
        format!("/intelligence/subjects/{}.0", ids[0]),
    ] {
        let page = teacher.get(&path).await?;
        assert_eq!(page.status, 403, "{path}");
        assert!(!page.body.contains("Jamal"), "{path}");
    }
    let form = teacher.get("/intelligence/sent").await?;
    let refused = teacher
        .post(
            "/intelligence/links/decision",
            &[
                ("csrf_token", &form.csrf()),
                ("a", &format!("{}/0", ids[0])),
                ("b", &format!("{}/0", ids[1])),
                ("verdict", "different"),
            ],
        )
        .await?;
    assert_eq!(refused.status, 403);
    let trail = w.store.recent_audit(None, None, 1000).await?;
    let refusals = trail
        .iter()
        .filter(|e| {
            e.entry.entry.record_kind == RecordKind::IntelAnalysis
                && e.entry.entry.outcome == safehub_store::AuditOutcome::Refused
        })
        .count();
    assert_eq!(refusals, 5);
    Ok(())
}

#[tokio::test]
async fn wm_25_6_a_grading_shares_back_with_the_agencies_chosen_and_no_others() -> Result {
    let (w, ids) = jamal_world().await?;
    let mut officer = Browser::new(&w.base);
    officer.sign_in("intel.officer@test.invalid").await?;
    let page = format!("/intelligence/{}", ids[0]);
    let open = officer.get(&page).await?;
    assert!(open.body.contains("Share it back with"));
    assert!(open.body.contains("North School"));
    assert!(
        !open.body.contains("South School"),
        "not an agency of the area"
    );
    let csrf = open.csrf();
    let grade = |with: String| {
        vec![
            ("csrf_token", csrf.clone()),
            ("version", "1".to_owned()),
            ("source", "2".to_owned()),
            ("assessment", "B".to_owned()),
            ("handling", "P".to_owned()),
            ("share_with", with),
        ]
    };
    let path = format!("{page}/grading");
    // An agency outside the area is refused with the error at the field, nothing saved.
    let wrong = post_owned(&mut officer, &path, &grade(w.south_school.to_string())).await?;
    assert_eq!(wrong.status, 422);
    assert!(
        wrong
            .body
            .contains("Choose only agencies that serve the area")
    );
    assert!(wrong.body.contains("href=\"#share_with\""));
    let still = w.store.intel_submission(&ids[0]).await?.ok_or("stored")?;
    assert!(still.grading.is_none() && still.shared_with.is_empty());

    let done = post_owned(&mut officer, &path, &grade(w.school.to_string())).await?;
    assert_eq!(done.status, 303);
    let graded = officer.get(&page).await?;
    assert!(graded.body.contains("Shared back with"));
    assert!(graded.body.contains("North School"));

    // The school reads it and sees it listed; the south school does not.
    let mut teacher = Browser::new(&w.base);
    teacher.sign_in("teacher2@test.invalid").await?;
    let sent = teacher.get("/intelligence/sent").await?;
    assert!(sent.body.contains("Shared with your agency by the police"));
    assert!(sent.body.contains(&format!("/intelligence/{}", ids[0])));
    assert_eq!(teacher.get(&page).await?.status, 200);
    assert_eq!(
        teacher
            .get(&format!("/intelligence/{}", ids[1]))
            .await?
            .status,
        404
    );
    let mut other = Browser::new(&w.base);
    other.sign_in("south.teacher@test.invalid").await?;
    assert_eq!(other.get(&page).await?.status, 404);
    Ok(())
}

#[tokio::test]
async fn wm_27_1_hotspots_show_where_places_cluster_and_when() -> Result {
    let w = common::spawn().await?;
    add_police_intelligence(&w).await?;
    let teacher = user(&w, "teacher@test.invalid").await?;
    let mut tx = w.store.begin().await?;
    let mut locations = Vec::new();
    for i in 0..9i64 {
        for j in 0..9i64 {
            locations.push((
                format!("ZZ{} {}AB", i + 1, j + 1),
                400_000 + i * 500,
                280_000 + j * 500,
            ));
        }
    }
    analysis::load_postcode_locations(&mut tx, &locations).await?;
    tx.commit().await?;
    // Thirteen places in one cell, one in each of the others.
    for _ in 0..12 {
        share(
            &w,
            teacher,
            w.school,
            w.north,
            vec![Item::place("Car park behind the retail park", "zz55ab")],
            &[],
        )
        .await?;
    }
    for (postcode, _, _) in &locations {
        share(
            &w,
            teacher,
            w.school,
            w.north,
            vec![Item::place("Car park behind the retail park", postcode)],
            &[],
        )
        .await?;
    }
    share(
        &w,
        teacher,
        w.school,
        w.north,
        vec![Item::place("Car park behind the retail park", "ZZ9 9ZZ")],
        &[],
    )
    .await?;
    let mut analyst = Browser::new(&w.base);
    analyst.sign_in("analyst@test.invalid").await?;
    let page = analyst.get("/intelligence/hotspots?cell=500").await?;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("93 of 94 places"), "{}", page.body);
    assert!(
        page.body.contains("Hot spot, 99% confidence"),
        "{}",
        page.body
    );
    assert!(page.body.contains("<td class=\"govuk-table__cell govuk-table__cell--numeric\">402000</td><td class=\"govuk-table__cell govuk-table__cell--numeric\">282000</td><td class=\"govuk-table__cell govuk-table__cell--numeric\">13</td>"));
    assert!(page.body.contains("Places by day of the week"));
    let bad = analyst.get("/intelligence/hotspots?cell=tiny").await?;
    assert_eq!(bad.status, 422);
    assert!(
        bad.body
            .contains("Enter a cell size in metres between 50 and 20000")
    );
    assert!(bad.body.contains("value=\"tiny\""));
    Ok(())
}
