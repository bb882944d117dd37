//! The full child record over HTTP (R2.1): recording a child, forms that keep what was typed,
//! the duplicate check that never reveals a record the user may not see (R8.1), merging and
//! undoing, and the same through the API. SQLite by default; PostgreSQL when
//! `SAFEHUB_TEST_POSTGRES` is set.

mod common;

use common::{Browser, PASSWORD, Page, Result, World, spawn};
use safehub_auth::{PasswordHasher, SecretString, Token};
use safehub_domain::{ChildId, ChildName, Gender, LegalStatus, Role};
use safehub_store::audit::RecordKind;
use safehub_store::children::{self, Child};
use safehub_store::{AuditAction, AuditOutcome, sessions};

/// The "record a child" form, filled in; `with` replaces or adds fields.
fn child_form<'a>(
    csrf: &'a str,
    area: &'a str,
    with: &[(&'a str, &'a str)],
) -> Vec<(&'a str, &'a str)> {
    let mut form = vec![
        ("csrf_token", csrf),
        ("area", area),
        ("given_name", "Jasmine"),
        ("family_name", "Example"),
        ("dob_known", "yes"),
        ("dob_day", "3"),
        ("dob_month", "4"),
        ("dob_year", "2012"),
        ("estimated_age", ""),
        ("gender", "female"),
        ("ethnicity", "mixed_white_black_caribbean"),
        ("school", "Northtown Academy"),
        ("gp", "High Street Surgery"),
        ("legal_status", "looked_after"),
        ("placed_elsewhere", "yes"),
        ("placing_authority", "Westshire Council"),
        ("address", "1 High Street\r\nNorthtown"),
        ("postcode", "b1 1aa"),
        ("since_day", ""),
        ("since_month", ""),
        ("since_year", ""),
    ];
    for (k, v) in with {
        match form.iter_mut().find(|(name, _)| name == k) {
            Some(entry) => entry.1 = v,
            None => form.push((k, v)),
        }
    }
    form
}

fn created_id(page: &Page) -> Result<ChildId> {
    let location = page.location.as_deref().ok_or("no redirect")?;
    Ok(location.trim_start_matches("/children/").parse()?)
}

async fn signed_in(w: &World, email: &str) -> Result<Browser> {
    let mut b = Browser::new(&w.base);
    assert_eq!(b.sign_in(email).await?.status, 303, "{email} signs in");
    Ok(b)
}

/// Records a child through the form, confirming past any possible duplicate.
async fn record(b: &mut Browser, w: &World, with: &[(&str, &str)]) -> Result<ChildId> {
    let form = b.get("/children/new").await?;
    let csrf = form.csrf();
    let area = w.north.to_string();
    let mut fields = child_form(&csrf, &area, with);
    fields.push(("confirmed", "yes"));
    let page = b.post("/children/new", &fields).await?;
    assert_eq!(page.status, 303, "{}", page.body);
    created_id(&page)
}

/// The teacher, signed in, with a second record of the school's child (Alpha Testchild)
/// that they have just made under the first name `given`.
async fn teacher_with_duplicate(w: &World, given: &str) -> Result<(Browser, ChildId)> {
    let mut teacher = signed_in(w, "teacher@test.invalid").await?;
    let dup = record(
        &mut teacher,
        w,
        &[("given_name", given), ("family_name", "Testchild")],
    )
    .await?;
    Ok((teacher, dup))
}

/// Sends the form that merges `dup` into the school's child, with `reason`.
async fn post_merge(
    b: &mut Browser,
    w: &World,
    csrf: &str,
    dup: ChildId,
    reason: &str,
) -> Result<Page> {
    b.post(
        &format!("/children/{}/merge", w.school_child),
        &[
            ("csrf_token", csrf),
            ("duplicate", &dup.to_string()),
            ("reason", reason),
        ],
    )
    .await
}

/// Sends the button that undoes the merge `id`.
async fn post_undo(b: &mut Browser, id: &str, csrf: &str) -> Result<Page> {
    b.post(
        &format!("/children/merges/{id}/undo"),
        &[("csrf_token", csrf)],
    )
    .await
}

/// Adds an account to the test region (a MASH team manager, say).
async fn add_account(
    w: &World,
    email: &str,
    agency: safehub_domain::AgencyId,
    roles: Vec<Role>,
) -> Result {
    let hash = PasswordHasher::fast_for_tests().hash(&SecretString::from(PASSWORD.to_owned()))?;
    let mut tx = w.store.begin().await?;
    common::add_user(&mut tx, email, agency, roles, &hash, false).await?;
    tx.commit().await?;
    Ok(())
}

#[tokio::test]
async fn r2_1_a_practitioner_records_a_child_with_the_full_record() -> Result {
    let w = spawn().await?;
    let mut b = signed_in(&w, "teacher@test.invalid").await?;
    let list = b.get("/children").await?;
    assert!(
        list.body.contains("href=\"/children/new\""),
        "Record a child is offered"
    );
    let form = b.get("/children/new").await?;
    assert_eq!(form.status, 200);
    assert!(
        form.body.contains("White and Black Caribbean"),
        "the 2021 census categories"
    );
    assert!(form.body.contains("Placed here by another authority"));

    let id = record(&mut b, &w, &[]).await?;
    let csrf = b.get(&format!("/children/{id}")).await?.csrf();
    let alias = b
        .post(
            &format!("/children/{id}/aliases"),
            &[("csrf_token", &csrf), ("name", "Jaz"), ("kind", "nickname")],
        )
        .await?;
    assert_eq!(alias.status, 303);
    // The child has moved: the address recorded with them becomes a previous address.
    let moved = b
        .post(
            &format!("/children/{id}/addresses"),
            &[
                ("csrf_token", &csrf),
                ("address", "2 Low Road\nSouthtown"),
                ("postcode", "B2 2BB"),
                ("current", "yes"),
                ("since_day", "5"),
                ("since_month", "1"),
                ("since_year", "2026"),
            ],
        )
        .await?;
    assert_eq!(moved.status, 303, "{}", moved.body);
    let professional = b
        .post(
            &format!("/children/{id}/professionals"),
            &[
                ("csrf_token", &csrf),
                ("name", "Sam Nurse"),
                ("role", "School nurse"),
                ("agency", &w.school.to_string()),
                ("contact", "0121 000 0000"),
            ],
        )
        .await?;
    assert_eq!(professional.status, 303, "{}", professional.body);

    let page = b.get(&format!("/children/{id}")).await?;
    assert_eq!(page.status, 200);
    for shown in [
        "Jasmine Example",
        "3 April 2012",
        "Mixed or Multiple ethnic groups: White and Black Caribbean",
        "Looked after",
        "Westshire Council",
        "Northtown Academy",
        "High Street Surgery",
        "Jaz",
        "Nickname",
        "B1 1AA",
        "B2 2BB",
        "Since 5 January 2026",
        "Until 5 January 2026",
        "Lives here now",
        "Previous address",
        "Sam Nurse",
        "School nurse",
        "0121 000 0000",
        "North School",
    ] {
        assert!(page.body.contains(shown), "the record shows {shown:?}");
    }
    // Recording is decided by its own policy, and audited with it.
    let trail = w
        .store
        .audit_for_record(RecordKind::Child, &id.to_string(), 50)
        .await?;
    let created = trail
        .iter()
        .find(|e| e.entry.entry.action == AuditAction::Create)
        .ok_or("no create entry")?;
    assert_eq!(created.entry.entry.outcome, AuditOutcome::Allowed);
    assert_eq!(
        created.entry.entry.policies,
        "practitioner-records-child-in-area"
    );
    let changes = trail
        .iter()
        .filter(|e| e.entry.entry.action == AuditAction::Change)
        .count();
    assert_eq!(changes, 3, "alias, address and professional each audited");
    Ok(())
}

#[tokio::test]
async fn r2_1_a_form_with_errors_is_shown_again_with_messages_and_what_was_typed() -> Result {
    let w = spawn().await?;
    let mut b = signed_in(&w, "teacher@test.invalid").await?;
    let csrf = b.get("/children/new").await?.csrf();
    let area = w.north.to_string();
    let long = "x".repeat(201);
    type Case<'a> = (Vec<(&'a str, &'a str)>, Vec<&'a str>);
    let cases: Vec<Case> = vec![
        (
            vec![("dob_day", "31"), ("dob_month", "2")],
            vec!["Date of birth must be a real date"],
        ),
        (
            vec![("dob_year", "2099")],
            vec!["Date of birth must be in the past"],
        ),
        (
            vec![("dob_year", "1990")],
            vec!["Date of birth must be within the last 25 years"],
        ),
        (
            vec![("given_name", "  "), ("family_name", "")],
            vec!["Enter the child", "first name", "last name"],
        ),
        (
            vec![("placing_authority", "")],
            vec!["Enter the name of the authority that placed the child here"],
        ),
        (
            vec![("school", &long)],
            vec!["School must be 200 characters or fewer"],
        ),
        (
            vec![("dob_known", "estimate"), ("estimated_age", "forty")],
            vec!["Estimated age must be a whole number"],
        ),
        (vec![("postcode", "nowhere")], vec!["Enter a real postcode"]),
    ];
    for (with, messages) in cases {
        let page = b
            .post("/children/new", &child_form(&csrf, &area, &with))
            .await?;
        assert_eq!(page.status, 422, "{with:?}");
        assert!(page.body.contains("govuk-error-summary"), "{with:?}");
        for m in messages {
            assert!(page.body.contains(m), "{with:?} says {m:?}");
        }
        // What was typed is kept.
        assert!(page.body.contains("value=\"Northtown Academy\"") || with[0].0 == "school");
        assert!(
            page.body.contains("1 High Street"),
            "{with:?} keeps the address"
        );
        if with[0].0 == "dob_day" {
            assert!(page.body.contains("value=\"31\""));
        }
    }
    assert_eq!(w.store.count_children().await?, 3, "nothing was recorded");
    Ok(())
}

#[tokio::test]
async fn r2_1_an_estimated_age_is_shown_as_an_estimate() -> Result {
    let w = spawn().await?;
    let mut b = signed_in(&w, "teacher@test.invalid").await?;
    let id = record(
        &mut b,
        &w,
        &[
            ("dob_known", "estimate"),
            ("estimated_age", "14"),
            ("dob_day", ""),
            ("dob_month", ""),
            ("dob_year", ""),
        ],
    )
    .await?;
    let page = b.get(&format!("/children/{id}")).await?;
    assert!(
        page.body.contains("About 14 years old (estimated"),
        "{}",
        page.body
    );
    Ok(())
}

#[tokio::test]
async fn r2_1_an_edit_made_on_an_out_of_date_page_is_refused_and_keeps_what_was_typed() -> Result {
    let w = spawn().await?;
    let mut first = signed_in(&w, "teacher@test.invalid").await?;
    let mut second = signed_in(&w, "teacher2@test.invalid").await?;
    let id = record(&mut first, &w, &[]).await?;
    let edit = format!("/children/{id}/edit");
    let area = w.north.to_string();

    let mine = first.get(&edit).await?;
    assert!(mine.body.contains("name=\"version\" value=\"1\""));
    let theirs = second.get(&edit).await?;
    let csrf2 = theirs.csrf();
    let mut saved = child_form(&csrf2, &area, &[("school", "Southtown College")]);
    saved.push(("version", "1"));
    assert_eq!(second.post(&edit, &saved).await?.status, 303);

    let csrf1 = mine.csrf();
    let mut stale = child_form(&csrf1, &area, &[("gp", "Canal Side Practice")]);
    stale.push(("version", "1"));
    let refused = first.post(&edit, &stale).await?;
    assert_eq!(refused.status, 409);
    assert!(refused.body.contains(
        "Someone else changed this record while you were editing it; check their changes below and submit again"
    ));
    assert!(
        refused.body.contains("Southtown College"),
        "their change is shown"
    );
    assert!(
        refused.body.contains("value=\"Canal Side Practice\""),
        "what this user typed is kept"
    );
    assert!(refused.body.contains("name=\"version\" value=\"2\""));
    let record = w.store.child_record(id).await?.ok_or("no record")?;
    assert_eq!(
        record.details.gp, "High Street Surgery",
        "nothing was overwritten"
    );

    // Submitting again on the current version saves it.
    let mut again = child_form(&csrf1, &area, &[("gp", "Canal Side Practice")]);
    again.push(("version", "2"));
    assert_eq!(first.post(&edit, &again).await?.status, 303);
    let record = w.store.child_record(id).await?.ok_or("no record")?;
    assert_eq!(record.details.gp, "Canal Side Practice");
    Ok(())
}

#[tokio::test]
async fn r2_1_a_possible_duplicate_is_offered_and_can_be_set_aside() -> Result {
    let w = spawn().await?;
    let mut b = signed_in(&w, "teacher@test.invalid").await?;
    let csrf = b.get("/children/new").await?.csrf();
    let area = w.north.to_string();
    // The school already recorded Alpha Testchild.
    let form = child_form(
        &csrf,
        &area,
        &[("given_name", "Alpha"), ("family_name", "Testchild")],
    );
    let offered = b.post("/children/new", &form).await?;
    assert_eq!(offered.status, 200);
    assert!(offered.body.contains("Is this child already recorded?"));
    assert!(
        offered
            .body
            .contains(&format!("href=\"/children/{}\"", w.school_child))
    );
    assert!(offered.body.contains("Use this record"));
    assert!(offered.body.contains("None of these: record a new child"));
    // The typed values travel with the confirmation.
    assert!(offered.body.contains("value=\"Westshire Council\""));
    assert!(offered.body.contains("name=\"confirmed\" value=\"yes\""));
    assert_eq!(w.store.count_children().await?, 3, "nothing recorded yet");

    let mut confirmed = form.clone();
    confirmed.push(("confirmed", "yes"));
    let made = b.post("/children/new", &confirmed).await?;
    assert_eq!(made.status, 303);
    assert_eq!(w.store.count_children().await?, 4);
    Ok(())
}

#[tokio::test]
async fn r8_1_a_record_the_user_may_not_see_is_never_revealed_but_kept_for_the_mash() -> Result {
    let w = spawn().await?;
    // The police know a child the school does not.
    let hidden = Child {
        id: ChildId::new(),
        area: w.north,
        name: ChildName::parse("Delta", "Hidden")?,
        date_of_birth: Some(jiff::civil::date(2012, 4, 3)),
        gender: Gender::Female,
        legal_status: LegalStatus::None,
        created_at: 0,
    };
    let officer = w
        .store
        .user_by_email("officer@test.invalid")
        .await?
        .ok_or("no officer")?;
    let mut tx = w.store.begin().await?;
    children::insert_child(&mut tx, &hidden, officer.id, w.police).await?;
    tx.commit().await?;

    let mut b = signed_in(&w, "teacher@test.invalid").await?;
    let csrf = b.get("/children/new").await?.csrf();
    let area = w.north.to_string();
    let form = child_form(
        &csrf,
        &area,
        &[("given_name", "Delta"), ("family_name", "Hidden")],
    );
    let page = b.post("/children/new", &form).await?;
    // Straight through, exactly as when there is no match: nothing about the other record.
    assert_eq!(page.status, 303);
    assert!(!page.body.contains("Hidden") && !page.body.contains(&hidden.id.to_string()));
    let id = created_id(&page)?;
    let mine = b.get(&format!("/children/{id}")).await?;
    assert!(!mine.body.contains(&hidden.id.to_string()));
    assert!(!mine.body.contains("Possible duplicate"));

    // The MASH sees the possible duplicate on its list and on the child's page.
    let mut mash = signed_in(&w, "mash@test.invalid").await?;
    let list = mash.get("/children/duplicates").await?;
    assert_eq!(list.status, 200);
    assert!(list.body.contains(&format!("/children/{}", hidden.id)));
    assert!(list.body.contains(&format!("/children/{id}")));
    let child_page = mash.get(&format!("/children/{id}")).await?;
    assert!(child_page.body.contains("Possible duplicate records"));
    assert!(
        child_page
            .body
            .contains(&format!("duplicate={}", hidden.id))
    );
    // The teacher has no such list.
    assert_eq!(b.get("/children/duplicates").await?.status, 404);

    let flags = w
        .store
        .recent_audit(None, None, 100)
        .await?
        .into_iter()
        .filter(|e| e.entry.entry.record_kind == RecordKind::DuplicateFlag)
        .count();
    assert_eq!(flags, 1, "the flag is audited");

    // Resolving it as two different children takes it off the list.
    let flag = w.store.open_duplicate_flags_for(id).await?;
    let resolved = mash
        .post(
            &format!("/children/duplicates/{}/resolve", flag[0].id),
            &[("csrf_token", &list.csrf())],
        )
        .await?;
    assert_eq!(resolved.status, 303);
    assert!(w.store.open_duplicate_flags_for(id).await?.is_empty());
    Ok(())
}

#[tokio::test]
async fn r2_1_a_teacher_may_not_merge_records_and_the_refusal_is_audited() -> Result {
    let w = spawn().await?;
    let (mut b, dup) = teacher_with_duplicate(&w, "Alpha").await?;
    let page = b.get(&format!("/children/{}", w.school_child)).await?;
    assert!(!page.body.contains("/merge"), "no merge link for a teacher");
    let form = b
        .get(&format!("/children/{}/merge", w.school_child))
        .await?;
    assert_eq!(form.status, 403);
    let posted = post_merge(&mut b, &w, &page.csrf(), dup, "same child").await?;
    assert_eq!(posted.status, 403);
    assert!(
        w.store
            .child_record(dup)
            .await?
            .ok_or("dup")?
            .state
            .merged_into
            .is_none()
    );
    let refused = w
        .store
        .audit_for_record(RecordKind::Child, &w.school_child.to_string(), 50)
        .await?
        .into_iter()
        .filter(|e| {
            e.entry.entry.action == AuditAction::Merge
                && e.entry.entry.outcome == AuditOutcome::Refused
        })
        .count();
    assert_eq!(refused, 2);
    Ok(())
}

fn merge_id(body: &str) -> Option<String> {
    let at = body.find("/children/merges/")? + "/children/merges/".len();
    Some(body[at..].split('/').next()?.to_owned())
}

#[tokio::test]
async fn r2_1_the_mash_merges_two_records_and_undoes_it_both_audited() -> Result {
    let w = spawn().await?;
    add_account(&w, "manager@test.invalid", w.mash, vec![Role::TeamManager]).await?;
    let (mut teacher, dup) = teacher_with_duplicate(&w, "Alfie").await?;
    let csrf = teacher.get(&format!("/children/{dup}")).await?.csrf();
    teacher
        .post(
            &format!("/children/{dup}/aliases"),
            &[("csrf_token", &csrf), ("name", "Alf"), ("kind", "nickname")],
        )
        .await?;
    let before_kept = w.store.child_record(w.school_child).await?.ok_or("kept")?;
    let before_dup = w.store.child_record(dup).await?.ok_or("dup")?;

    let mut mash = signed_in(&w, "mash@test.invalid").await?;
    let chooser = mash
        .get(&format!("/children/{}/merge", w.school_child))
        .await?;
    assert_eq!(chooser.status, 200, "{}", chooser.body);
    let compare = mash
        .get(&format!(
            "/children/{}/merge?duplicate={dup}",
            w.school_child
        ))
        .await?;
    assert_eq!(compare.status, 200);
    assert!(compare.body.contains("Record kept: Alpha Testchild"));
    assert!(compare.body.contains("Duplicate: Alfie Testchild"));
    let no_reason = post_merge(&mut mash, &w, &compare.csrf(), dup, " ").await?;
    assert_eq!(no_reason.status, 422);
    assert!(
        no_reason
            .body
            .contains("Enter why these records are the same child")
    );
    let reason = "Same school and GP; confirmed with the school";
    let merged = post_merge(&mut mash, &w, &compare.csrf(), dup, reason).await?;
    assert_eq!(merged.status, 303, "{}", merged.body);

    let kept = w.store.child_record(w.school_child).await?.ok_or("kept")?;
    let names: Vec<&str> = kept.aliases.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["Alf", "Alfie Testchild"]);
    assert_eq!(kept.addresses.len(), 1);
    assert!(kept.agencies.iter().any(|a| a.agency == w.school));
    // The duplicate points to the record kept and is in no list.
    let old = mash.get(&format!("/children/{dup}")).await?;
    assert!(old.body.contains("This record was merged into"));
    assert!(
        old.body
            .contains(&format!("href=\"/children/{}\"", w.school_child))
    );
    assert!(!mash.get("/children").await?.body.contains(&dup.to_string()));
    // The teacher, who made the duplicate, is sent on to the record kept too.
    let teachers = teacher.get(&format!("/children/{dup}")).await?;
    assert!(teachers.body.contains("This record was merged into"));
    assert!(!teachers.body.contains("Undo the merge"));

    let trail = w.store.recent_audit(None, None, 100).await?;
    let merges: Vec<_> = trail
        .iter()
        .filter(|e| e.entry.entry.record_kind == RecordKind::ChildMerge)
        .collect();
    assert_eq!(merges.len(), 1);
    assert_eq!(merges[0].entry.entry.action, AuditAction::Merge);
    assert_eq!(
        merges[0].entry.entry.policies,
        "mash-managers-and-coordinator-merge-children-in-area"
    );
    assert!(
        !merges[0]
            .entry
            .entry
            .detail
            .to_string()
            .contains("confirmed with the school"),
        "the reason's text is not in the audit trail"
    );

    // A team manager of the MASH may see the record (routed) and merge; they undo it.
    let mut manager = signed_in(&w, "manager@test.invalid").await?;
    let kept_page = manager
        .get(&format!("/children/{}", w.school_child))
        .await?;
    let id = merge_id(&kept_page.body).ok_or("no undo button")?;
    let undone = post_undo(&mut manager, &id, &kept_page.csrf()).await?;
    // The manager may not see the duplicate (not routed to the MASH): refused as missing.
    assert_eq!(undone.status, 404);
    let undone = post_undo(&mut mash, &id, &compare.csrf()).await?;
    assert_eq!(undone.status, 303);
    let mut after_kept = w.store.child_record(w.school_child).await?.ok_or("kept")?;
    let mut after_dup = w.store.child_record(dup).await?.ok_or("dup")?;
    after_kept.state.version = before_kept.state.version;
    after_dup.state.version = before_dup.state.version;
    assert_eq!(after_kept, before_kept, "the record kept is as it was");
    assert_eq!(after_dup, before_dup, "the duplicate is as it was");
    let undos = w
        .store
        .recent_audit(None, None, 100)
        .await?
        .into_iter()
        .filter(|e| {
            e.entry.entry.record_kind == RecordKind::ChildMerge
                && e.entry.entry.action == AuditAction::UndoMerge
        })
        .count();
    assert_eq!(undos, 1);
    assert!(w.store.verify_audit().await?.is_intact());
    Ok(())
}

/// The lines of a chronology page's table, tags stripped, one string per row.
fn chronology_rows(body: &str) -> Vec<String> {
    body.split("<tr class=\"govuk-table__row\">")
        .skip(2)
        .map(|row| {
            let mut text = String::new();
            let mut in_tag = false;
            for c in row.split("</tr>").next().unwrap_or_default().chars() {
                match c {
                    '<' => in_tag = true,
                    '>' => {
                        in_tag = false;
                        text.push(' ');
                    }
                    c if !in_tag => text.push(c),
                    _ => {}
                }
            }
            text.split_whitespace().collect::<Vec<_>>().join(" ")
        })
        .collect()
}

/// A successful API call's answer, a list.
async fn api_list(
    http: &reqwest::Client,
    url: &str,
    token: &str,
) -> Result<Vec<serde_json::Value>> {
    let answer: serde_json::Value = http
        .get(url)
        .bearer_auth(token)
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    match answer {
        serde_json::Value::Array(list) => Ok(list),
        other => Err(format!("not a list: {other}").into()),
    }
}

#[tokio::test]
async fn r4_9_r3_4_the_kept_record_carries_the_merged_duplicates_history_and_audit() -> Result {
    let w = spawn().await?;
    let (_, dup) = teacher_with_duplicate(&w, "Alfie").await?;
    let mut mash = signed_in(&w, "mash@test.invalid").await?;
    let kept_path = format!("/children/{}/chronology", w.school_child);
    let before = chronology_rows(&mash.get(&kept_path).await?.body);
    let compare = mash
        .get(&format!(
            "/children/{}/merge?duplicate={dup}",
            w.school_child
        ))
        .await?;
    let merged = post_merge(&mut mash, &w, &compare.csrf(), dup, "Same school and GP").await?;
    assert_eq!(merged.status, 303, "{}", merged.body);

    // The kept record's chronology now says who made the duplicate and when, marked as
    // the duplicate's, and the merge once (the duplicate's own entry of it is left out).
    let after = chronology_rows(&mash.get(&kept_path).await?.body);
    let from_duplicate: Vec<&String> = after
        .iter()
        .filter(|l| l.contains("(on a duplicate record since merged into this one)"))
        .collect();
    assert_eq!(from_duplicate.len(), 1, "{after:#?}");
    assert!(
        from_duplicate[0].contains("Record created")
            && from_duplicate[0].contains("Test teacher@test.invalid, North School"),
        "{after:#?}"
    );
    let merges = after
        .iter()
        .filter(|l| l.contains("Duplicate records of this child merged"))
        .count();
    assert_eq!(merges, 1, "{after:#?}");
    assert_eq!(after.len(), before.len() + 2, "{before:#?} {after:#?}");

    // The API gives the same events, with the duplicate named, under the same rights.
    let reader = token(&w, "mash@test.invalid", &["referrals:read"]).await?;
    let narrow = token(&w, "mash@test.invalid", &["children:read"]).await?;
    let http = reqwest::Client::new();
    let url = format!("{}/api/v1/children/{}/chronology", w.base, w.school_child);
    let views = || async {
        let trail = w
            .store
            .audit_for_record(RecordKind::Child, &w.school_child.to_string(), 500)
            .await?;
        Ok::<_, safehub_store::StoreError>(
            trail
                .iter()
                .filter(|e| e.entry.entry.action == AuditAction::View)
                .count(),
        )
    };
    let views_before = views().await?;
    let events = api_list(&http, &url, &reader).await?;
    assert_eq!(events.len(), after.len());
    let dup_text = dup.to_string();
    let created: Vec<_> = events
        .iter()
        .filter(|e| e["merged_record"].as_str() == Some(dup_text.as_str()))
        .collect();
    assert_eq!(created.len(), 1, "{events:#?}");
    assert_eq!(created[0]["agency"], "North School");
    let status = |path: String, t: String| {
        let http = http.clone();
        async move {
            let r = http.get(path).bearer_auth(t).send().await?;
            Ok::<_, reqwest::Error>(r.status().as_u16())
        }
    };
    assert_eq!(status(url.clone(), narrow).await?, 403);
    let unknown = format!("{}/api/v1/children/{}/chronology", w.base, ChildId::new());
    assert_eq!(status(unknown, reader.clone()).await?, 404);
    assert_eq!(
        views().await?,
        views_before + 1,
        "the API's reading is audited; the refused scope never reaches the record"
    );

    // The QA auditor's "who has seen this record" lists the duplicate's entries too, on the
    // page and through the API, each naming its record.
    let mut auditor = signed_in(&w, "auditor@test.invalid").await?;
    let trail_path = format!("/audit/children/{}", w.school_child);
    let trail = auditor.get(&trail_path).await?;
    assert_eq!(trail.status, 200);
    assert!(
        trail.body.contains(&format!("child {dup}")),
        "{}",
        trail.body
    );
    let audit_token = token(&w, "audit.service@test.invalid", &["audit:read"]).await?;
    let access_url = format!("{}/api/v1/children/{}/access", w.base, w.school_child);
    let access = api_list(&http, &access_url, &audit_token).await?;
    let on_duplicate = access
        .iter()
        .filter(|e| e["record"].as_str() == Some(dup_text.as_str()))
        .count();
    assert!(on_duplicate >= 2, "made and merged: {access:#?}");

    // Undone, the duplicate's history leaves the kept record's chronology again.
    let kept_page = mash.get(&format!("/children/{}", w.school_child)).await?;
    let id = merge_id(&kept_page.body).ok_or("no undo button")?;
    let undone = post_undo(&mut mash, &id, &kept_page.csrf()).await?;
    assert_eq!(undone.status, 303);
    let separate = chronology_rows(&mash.get(&kept_path).await?.body);
    assert!(
        !separate.iter().any(|l| l.contains("on a duplicate record")),
        "{separate:#?}"
    );
    assert!(
        separate
            .iter()
            .any(|l| l.contains("Merge of duplicate records undone")),
        "{separate:#?}"
    );
    let trail = auditor.get(&trail_path).await?;
    assert!(!trail.body.contains(&format!("child {dup}")));
    Ok(())
}

async fn token(w: &World, email: &str, scopes: &[&str]) -> Result<String> {
    let user = w.store.user_by_email(email).await?.ok_or("no account")?;
    let token = Token::generate_api();
    let mut tx = w.store.begin().await?;
    sessions::insert_api_token(
        &mut tx,
        &uuid::Uuid::new_v4().to_string(),
        &token.hash(),
        user.id,
        "test",
        &scopes.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>(),
    )
    .await?;
    tx.commit().await?;
    Ok(token.encode())
}

#[tokio::test]
async fn r2_1_an_api_call_repeated_with_its_id_makes_one_record() -> Result {
    let w = spawn().await?;
    let http = reqwest::Client::new();
    let url = format!("{}/api/v1/children", w.base);
    let scopes = ["children:read", "children:write"];
    let police = token(&w, "police.service@test.invalid", &scopes).await?;
    let mash = token(&w, "service@test.invalid", &scopes).await?;
    let id = ChildId::new().to_string();
    let body = serde_json::json!({
        "id": id,
        "area": w.north.to_string(),
        "given_name": "Rowan",
        "family_name": "Example",
        "date_of_birth": "2011-06-15",
        "gender": "not_known",
        "ethnicity": "not_known",
        "legal_status": "none",
    });
    let post = |t: String, b: serde_json::Value| {
        let http = http.clone();
        let url = url.clone();
        async move {
            let r = http.post(url).bearer_auth(t).json(&b).send().await?;
            let status = r.status().as_u16();
            Ok::<_, reqwest::Error>((status, r.json::<serde_json::Value>().await?))
        }
    };
    let before = w.store.count_children().await?;
    let (status, first) = post(police.clone(), body.clone()).await?;
    assert_eq!((status, first["id"].as_str()), (201, Some(id.as_str())));
    // The answer was lost and the caller sends the call again: the same record, no other.
    let (status, again) = post(police.clone(), body.clone()).await?;
    assert_eq!((status, again["id"].as_str()), (200, Some(id.as_str())));
    assert_eq!(w.store.count_children().await?, before + 1);
    let made = w
        .store
        .audit_for_record(RecordKind::Child, &id, 50)
        .await?
        .into_iter()
        .filter(|e| e.entry.entry.action == AuditAction::Create)
        .count();
    assert_eq!(made, 1, "one record made, one entry");
    // Someone else naming the same id is refused, and learns nothing of the record.
    let (status, refused) = post(mash, body.clone()).await?;
    assert_eq!(status, 409, "{refused}");
    assert_eq!(refused["error"], "conflict");
    assert!(!refused.to_string().contains("Rowan"));
    // An id that is not a UUID is named like any other bad field.
    let mut bad = body.clone();
    bad["id"] = "not-a-uuid".into();
    let (status, problems) = post(police, bad).await?;
    assert_eq!(status, 422);
    assert_eq!(problems["errors"][0]["field"], "id", "{problems}");
    assert_eq!(w.store.count_children().await?, before + 1);
    Ok(())
}

#[tokio::test]
async fn r2_1_the_api_records_reads_and_merges_children_under_the_same_rules() -> Result {
    let w = spawn().await?;
    let http = reqwest::Client::new();
    let url = |p: &str| format!("{}/api/v1{p}", w.base);
    let read_only = token(&w, "police.service@test.invalid", &["children:read"]).await?;
    let writer = token(
        &w,
        "police.service@test.invalid",
        &["children:read", "children:write"],
    )
    .await?;
    let body = serde_json::json!({
        "area": w.north.to_string(),
        "given_name": "Kai",
        "family_name": "Example",
        "date_of_birth": "2012-02-31",
        "gender": "male",
        "ethnicity": "white_irish",
        "legal_status": "looked_after",
        "placing_authority": "",
        "address": { "address": "3 Mill Lane", "postcode": "B3 3CC" },
    });
    let no_scope = http
        .post(url("/children"))
        .bearer_auth(&read_only)
        .json(&body)
        .send()
        .await?;
    assert_eq!(no_scope.status().as_u16(), 403);

    let invalid = http
        .post(url("/children"))
        .bearer_auth(&writer)
        .json(&body)
        .send()
        .await?;
    assert_eq!(invalid.status().as_u16(), 422);
    let answer: serde_json::Value = invalid.json().await?;
    assert_eq!(answer["error"], "invalid");
    let fields: Vec<&str> = answer["errors"]
        .as_array()
        .ok_or("no errors")?
        .iter()
        .filter_map(|e| e["field"].as_str())
        .collect();
    assert_eq!(fields, ["date_of_birth", "placing_authority"]);

    let mut good = body.clone();
    good["date_of_birth"] = "2012-02-28".into();
    good["placing_authority"] = "Westshire Council".into();
    let created = http
        .post(url("/children"))
        .bearer_auth(&writer)
        .json(&good)
        .send()
        .await?;
    assert_eq!(created.status().as_u16(), 201);
    let id = created.json::<serde_json::Value>().await?["id"]
        .as_str()
        .ok_or("no id")?
        .to_owned();

    // The same child again: offered as a possible duplicate first.
    let again = http
        .post(url("/children"))
        .bearer_auth(&writer)
        .json(&good)
        .send()
        .await?;
    assert_eq!(again.status().as_u16(), 409);
    let offered: serde_json::Value = again.json().await?;
    assert_eq!(offered["candidates"][0]["id"], id.as_str());
    assert_eq!(offered["candidates"][0]["postcode"], "B3 3CC");
    good["confirm_new"] = true.into();
    let second = http
        .post(url("/children"))
        .bearer_auth(&writer)
        .json(&good)
        .send()
        .await?;
    assert_eq!(second.status().as_u16(), 201);
    let second_id = second.json::<serde_json::Value>().await?["id"]
        .as_str()
        .ok_or("no id")?
        .to_owned();

    let full: serde_json::Value = http
        .get(url(&format!("/children/{id}/record")))
        .bearer_auth(&read_only)
        .send()
        .await?
        .json()
        .await?;
    assert_eq!(full["details"]["placing_authority"], "Westshire Council");
    assert_eq!(full["details"]["addresses"][0]["postcode"], "B3 3CC");
    assert_eq!(full["details"]["ethnicity"], "white_irish");
    assert_eq!(full["version"], 1);

    // R8.1: the duplicate check names only records the caller may see; Bravo (in the south,
    // which only the south school knows) never appears.
    let found: serde_json::Value = http
        .get(url(
            "/children/duplicates?given_name=Bravo&family_name=Testchild",
        ))
        .bearer_auth(&read_only)
        .send()
        .await?
        .json()
        .await?;
    assert_eq!(found, serde_json::json!([]));
    let found: serde_json::Value = http
        .get(url(
            "/children/duplicates?given_name=Kai&family_name=Example&date_of_birth=2012-02-28",
        ))
        .bearer_auth(&read_only)
        .send()
        .await?
        .json()
        .await?;
    assert_eq!(found.as_array().map(Vec::len), Some(2));

    // Merging is for the MASH, not a police practitioner.
    let merge = serde_json::json!({ "duplicate": second_id, "reason": "same child" });
    let refused = http
        .post(url(&format!("/children/{id}/merge")))
        .bearer_auth(&writer)
        .json(&merge)
        .send()
        .await?;
    assert_eq!(refused.status().as_u16(), 403);
    let mash = token(
        &w,
        "service@test.invalid",
        &["children:read", "children:write"],
    )
    .await?;
    // The MASH sees every child of its area (R2.9), so it may merge these two.
    let done = http
        .post(url(&format!("/children/{id}/merge")))
        .bearer_auth(&mash)
        .json(&merge)
        .send()
        .await?;
    assert_eq!(done.status().as_u16(), 200);
    let moved: serde_json::Value = done.json().await?;
    assert_eq!(moved["moved"]["child_addresses"], 1);
    let twice = http
        .post(url(&format!("/children/{id}/merge")))
        .bearer_auth(&mash)
        .json(&merge)
        .send()
        .await?;
    assert_eq!(twice.status().as_u16(), 409);

    let doc: serde_json::Value = reqwest::get(url("/openapi.json")).await?.json().await?;
    for path in [
        "/api/v1/children/{id}/record",
        "/api/v1/children/{id}/merge",
        "/api/v1/children/duplicates",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} missing");
    }
    assert!(doc["paths"]["/api/v1/children"].get("post").is_some());
    Ok(())
}

#[tokio::test]
async fn r2_1_the_same_new_child_form_sent_twice_makes_one_record() -> Result {
    let w = spawn().await?;
    let mut b = signed_in(&w, "teacher@test.invalid").await?;
    let form = b.get("/children/new").await?;
    let csrf = form.csrf();
    // The record's id is fixed when the form is shown.
    let marker = "name=\"record_id\" value=\"";
    let start = form.body.find(marker).ok_or("no record id in the form")? + marker.len();
    let record_id = form.body[start..start + 36].to_owned();
    let area = w.north.to_string();
    let mut fields = child_form(
        &csrf,
        &area,
        &[("given_name", "Twice"), ("family_name", "Clicked")],
    );
    fields.push(("confirmed", "yes"));
    fields.push(("record_id", &record_id));
    let before = w.store.count_children().await?;
    let first = b.post("/children/new", &fields).await?;
    let second = b.post("/children/new", &fields).await?;
    assert_eq!(first.status, 303);
    assert_eq!(second.status, 303, "{}", second.body);
    assert_eq!(first.location, second.location, "both go to the one record");
    assert_eq!(created_id(&first)?.to_string(), record_id);
    assert_eq!(w.store.count_children().await?, before + 1);
    Ok(())
}
