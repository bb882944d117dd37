//! Information sharing submissions (R5.1, WM-25) and their 3x5x2 grading, stored and read
//! back, on SQLite by default and on PostgreSQL when `SAFEHUB_TEST_POSTGRES` is set.

use jiff::civil::date;
use safehub_domain::intelligence::{
    Assessment, Grading, HandlingCode, Item, ItemKind, SourceEvaluation, Submission, ToldBy,
};
use safehub_domain::{
    AgencyId, AgencyKind, AreaId, ChildId, ChildName, Gender, LegalStatus, Role, UserId,
};
use safehub_store::Store;
use safehub_store::children::{self, Child};
use safehub_store::intelligence::{self, IntelError, IntelStatus, NewSubmission};
use safehub_store::organisations::{self, Agency, Area};
use safehub_store::testing::{TestDatabase, test_database};
use safehub_store::users::{self, NewUser};

type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

struct World {
    store: Store,
    area: AreaId,
    school: AgencyId,
    police: AgencyId,
    teacher: UserId,
    officer: UserId,
    child: ChildId,
    _db: TestDatabase,
}

async fn world() -> Result<World> {
    let db = test_database().await?;
    let store = Store::connect(&db.url).await?;
    store.migrate().await?;
    let area = AreaId::new();
    let (school, police) = (AgencyId::new(), AgencyId::new());
    let (teacher, officer) = (UserId::new(), UserId::new());
    let child = ChildId::new();
    let mut tx = store.begin().await?;
    organisations::insert_area(
        &mut tx,
        &Area {
            id: area,
            code: "NTH".into(),
            name: "Northtown".into(),
        },
    )
    .await?;
    for (id, name, kind) in [
        (school, "Northtown Academy", AgencyKind::Education),
        (police, "Test Police", AgencyKind::Police),
    ] {
        organisations::insert_agency(
            &mut tx,
            &Agency {
                id,
                name: name.into(),
                kind,
                areas: vec![area],
            },
        )
        .await?;
    }
    for (id, email, agency, role) in [
        (
            teacher,
            "teacher@example.invalid",
            school,
            Role::ReferringPractitioner,
        ),
        (
            officer,
            "officer@example.invalid",
            police,
            Role::PoliceIntelligenceOfficer,
        ),
    ] {
        users::insert_user(
            &mut tx,
            &NewUser {
                id,
                email: email.into(),
                display_name: email.into(),
                agency,
                team: None,
                roles: vec![role],
                password_hash: "$argon2id$not-a-real-hash".into(),
                is_service_account: false,
            },
        )
        .await?;
    }
    children::insert_child(
        &mut tx,
        &Child {
            id: child,
            area,
            name: ChildName::parse("Alpha", "Testchild")?,
            date_of_birth: Some(date(2011, 3, 4)),
            gender: Gender::Female,
            legal_status: LegalStatus::None,
            created_at: 0,
        },
        teacher,
        school,
    )
    .await?;
    tx.commit().await?;
    Ok(World {
        store,
        area,
        school,
        police,
        teacher,
        officer,
        child,
        _db: db,
    })
}

fn shared() -> Submission {
    Submission {
        told_by: Some(ToldBy::ParentOrCarer),
        items: vec![
            Item {
                kind: Some(ItemKind::Person),
                name: "Jamal".into(),
                nicknames: "Jay".into(),
                approx_age: Some(24),
                marks: "Star tattoo on the left hand".into(),
                ..Item::default()
            },
            Item {
                kind: Some(ItemKind::Vehicle),
                vrm: "AB12 C?E".into(),
                make: "VW".into(),
                colour: "grey".into(),
                seen_on: Some(date(2026, 11, 20)),
                ..Item::default()
            },
        ],
        narrative: "Picked up from the school gates twice last week.".into(),
        learnt_on: Some(date(2026, 11, 23)),
    }
}

async fn send(w: &World, id: &str, key: &str) -> std::result::Result<(), IntelError> {
    let s = shared();
    let mut tx = w.store.begin().await?;
    intelligence::insert(
        &mut tx,
        &NewSubmission {
            id,
            area: w.area,
            police_agency: w.police,
            submitted_by: w.teacher,
            submitter_agency: w.school,
            submission: &s,
            children: &[w.child, w.child],
            received_at: 1_000,
            form_key: Some(key),
        },
    )
    .await?;
    tx.commit().await.map_err(safehub_store::StoreError::from)?;
    Ok(())
}

#[tokio::test]
async fn r5_1_a_submission_goes_to_the_area_police_and_reads_back_whole() -> Result {
    let w = world().await?;
    assert_eq!(w.store.police_force_for(w.area).await?, Some(w.police));
    send(&w, "intel-1", "key-1").await?;
    let back = w.store.intel_submission("intel-1").await?.ok_or("stored")?;
    assert_eq!(back.submission, shared());
    assert_eq!(back.children, [w.child], "the same child once");
    assert_eq!(back.status, IntelStatus::AwaitingAssessment);
    assert_eq!((back.grading, back.graded, back.version), (None, None, 1));
    assert_eq!(back.police_agency, w.police);

    let (inbox, total) = w
        .store
        .intel_inbox(w.police, &[IntelStatus::AwaitingAssessment], 10, 0)
        .await?;
    assert_eq!(total, 1);
    assert_eq!((inbox[0].id.as_str(), inbox[0].items), ("intel-1", 2));
    let sent = w.store.intel_sent_by(w.teacher, 10).await?;
    assert_eq!(sent.len(), 1);
    assert!(w.store.intel_submission("nothing").await?.is_none());
    Ok(())
}

#[tokio::test]
async fn r5_1_the_same_form_sent_twice_is_stored_once_and_names_the_first() -> Result {
    let w = world().await?;
    send(&w, "intel-1", "key-1").await?;
    match send(&w, "intel-2", "key-1").await {
        Err(IntelError::Duplicate(first)) => assert_eq!(first, "intel-1"),
        other => return Err(format!("expected a duplicate, got {other:?}").into()),
    }
    assert!(w.store.intel_submission("intel-2").await?.is_none());
    Ok(())
}

#[tokio::test]
async fn r5_1_a_grading_is_kept_once_and_a_stale_one_is_refused() -> Result {
    let w = world().await?;
    send(&w, "intel-1", "key-1").await?;
    let grading = Grading {
        source: SourceEvaluation::Untested,
        assessment: Assessment::KnownIndirectly,
        handling: HandlingCode::Conditional,
        conditions: Some("  Not to be shared with the family  ".into()),
    };
    let mut tx = w.store.begin().await?;
    intelligence::grade(&mut tx, "intel-1", 1, &grading, w.officer, 2_000).await?;
    tx.commit().await?;
    let back = w.store.intel_submission("intel-1").await?.ok_or("stored")?;
    assert_eq!(back.status, IntelStatus::Assessed);
    assert_eq!(back.graded, Some((w.officer, 2_000)));
    assert_eq!(back.version, 2);
    let kept = back.grading.ok_or("graded")?;
    assert_eq!(kept.code(), "2/C/C");
    assert_eq!(
        kept.conditions.as_deref(),
        Some("Not to be shared with the family")
    );

    let mut tx = w.store.begin().await?;
    let stale = intelligence::grade(&mut tx, "intel-1", 1, &grading, w.officer, 3_000).await;
    tx.rollback().await?;
    assert!(
        matches!(stale, Err(IntelError::AlreadyAssessed)),
        "{stale:?}"
    );
    let (awaiting, n) = w
        .store
        .intel_inbox(w.police, &[IntelStatus::AwaitingAssessment], 10, 0)
        .await?;
    assert!(awaiting.is_empty() && n == 0);
    let (assessed, _) = w
        .store
        .intel_inbox(w.police, &[IntelStatus::Assessed], 10, 0)
        .await?;
    assert_eq!(assessed[0].grade.as_deref(), Some("2/C/C"));
    Ok(())
}

// R5.2, WM-27.1: the analysis reads the items, children, decisions and postcode locations of
// some areas; its fingerprint changes with each of them and with nothing else, so a kept
// picture is never older than the store. Decisions are kept, the latest last.
#[tokio::test]
async fn r5_2_the_analysis_input_and_its_fingerprint_follow_every_change() -> Result {
    use safehub_store::intelligence::analysis::{self, Verdict};
    let w = world().await?;
    let empty = w.store.intel_fingerprint().await?;
    send(&w, "intel-1", "key-1").await?;
    send(&w, "intel-2", "key-2").await?;
    let sent = w.store.intel_fingerprint().await?;
    assert_ne!(sent, empty);

    // Grading and sharing back change nothing the analysis reads.
    let grading = Grading {
        source: SourceEvaluation::Reliable,
        assessment: Assessment::KnownDirectly,
        handling: HandlingCode::Permitted,
        conditions: None,
    };
    let mut tx = w.store.begin().await?;
    intelligence::grade(&mut tx, "intel-1", 1, &grading, w.officer, 2_000).await?;
    intelligence::share_back(&mut tx, "intel-1", &[w.school, w.school]).await?;
    tx.commit().await?;
    assert_eq!(w.store.intel_fingerprint().await?, sent);
    let back = w.store.intel_submission("intel-1").await?.ok_or("stored")?;
    assert_eq!(back.shared_with, vec![w.school], "each agency once");
    let shared = w.store.intel_shared_with(w.school, 10).await?;
    assert_eq!(shared.len(), 1);

    // Two decisions about one pair: both kept, in order, the latest last.
    let mut tx = w.store.begin().await?;
    analysis::record_decision(
        &mut tx,
        "intel-2/0",
        "intel-1/0",
        Verdict::Same,
        "",
        w.officer,
        3_000,
    )
    .await?;
    analysis::record_decision(
        &mut tx,
        "intel-1/0",
        "intel-2/0",
        Verdict::Different,
        "Twins",
        w.officer,
        4_000,
    )
    .await?;
    tx.commit().await?;
    let decided = w.store.intel_fingerprint().await?;
    assert_ne!(decided, sent);

    let mut tx = w.store.begin().await?;
    analysis::load_postcode_locations(&mut tx, &[("ZZ1 1AA".into(), 407_120, 286_430)]).await?;
    tx.commit().await?;
    let located = w.store.intel_fingerprint().await?;
    assert_ne!(located, decided);
    // Moving a postcode changes it too.
    let mut tx = w.store.begin().await?;
    analysis::load_postcode_locations(&mut tx, &[("ZZ1 1AA".into(), 407_500, 286_430)]).await?;
    tx.commit().await?;
    assert_ne!(w.store.intel_fingerprint().await?, located);
    assert_eq!(w.store.count_postcode_locations().await?, 1);

    let input = w
        .store
        .intel_analysis_input(&[w.area], |p| Some(p.trim().to_uppercase()))
        .await?;
    assert_eq!(input.items.len(), 2 * shared_items());
    assert_eq!(input.children.len(), 2);
    let verdicts: Vec<(&str, &str, Verdict)> = input
        .decisions
        .iter()
        .map(|d| (d.item_a.as_str(), d.item_b.as_str(), d.verdict))
        .collect();
    assert_eq!(
        verdicts,
        vec![
            ("intel-1/0", "intel-2/0", Verdict::Same),
            ("intel-1/0", "intel-2/0", Verdict::Different)
        ],
        "the pair in one order, oldest first"
    );
    // Another area's analysis reads none of it.
    let elsewhere = w
        .store
        .intel_analysis_input(&[AreaId::new()], |_| None)
        .await?;
    assert!(elsewhere.items.is_empty() && elsewhere.decisions.is_empty());
    Ok(())
}

/// How many items [`shared`] holds.
fn shared_items() -> usize {
    shared().items.len()
}
