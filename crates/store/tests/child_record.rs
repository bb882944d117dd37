//! The full child record (R2.1), the duplicate check's query and the reversible merge, on
//! SQLite by default and on PostgreSQL when `SAFEHUB_TEST_POSTGRES` is set.

use std::collections::BTreeSet;

use jiff::civil::{Date, date};
use safehub_domain::{
    AgencyId, AgencyKind, AreaId, ChildId, ChildName, Gender, LegalStatus, Role, UserId,
};
use safehub_store::audit::RecordKind;
use safehub_store::child_record::{
    self, AliasKind, ChildDetails, ChildFields, ChildRecord, Ethnicity, FlagResolution,
    MOVED_TABLES, NewAddress, NewAlias, NewChildRecord, NewProfessional, Probe,
};
use safehub_store::children::{self, Involvement};
use safehub_store::organisations::{self, Agency, Area};
use safehub_store::testing::{TestDatabase, test_database};
use safehub_store::users::{self, NewUser};
use safehub_store::{AuditAction, AuditOutcome, Backend, NewAuditEntry, Store, StoreError};

type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

struct World {
    store: Store,
    north: AreaId,
    south: AreaId,
    school: AgencyId,
    police: AgencyId,
    user: UserId,
    _db: TestDatabase,
}

async fn world() -> Result<World> {
    let db = test_database().await?;
    let store = Store::connect(&db.url).await?;
    store.migrate().await?;
    let (north, south) = (AreaId::new(), AreaId::new());
    let (school, police) = (AgencyId::new(), AgencyId::new());
    let user = UserId::new();
    let mut tx = store.begin().await?;
    for (id, code) in [(north, "NTH"), (south, "STH")] {
        organisations::insert_area(
            &mut tx,
            &Area {
                id,
                code: code.into(),
                name: code.into(),
            },
        )
        .await?;
    }
    for (id, name, kind) in [
        (school, "North School", AgencyKind::Education),
        (police, "Test Police", AgencyKind::Police),
    ] {
        organisations::insert_agency(
            &mut tx,
            &Agency {
                id,
                name: name.into(),
                kind,
                areas: vec![north, south],
            },
        )
        .await?;
    }
    users::insert_user(
        &mut tx,
        &NewUser {
            id: user,
            email: "worker@example.invalid".into(),
            display_name: "Test Worker".into(),
            agency: school,
            team: None,
            roles: vec![Role::ReferringPractitioner],
            password_hash: "$argon2id$not-a-real-hash".into(),
            is_service_account: false,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(World {
        store,
        north,
        south,
        school,
        police,
        user,
        _db: db,
    })
}

fn fields(given: &str, family: &str, born: Option<Date>) -> Result<ChildFields> {
    Ok(ChildFields {
        name: ChildName::parse(given, family)?,
        date_of_birth: born,
        age_estimated: false,
        gender: Gender::Female,
        legal_status: LegalStatus::LookedAfter,
        details: ChildDetails {
            ethnicity: Ethnicity::WhiteAndBlackCaribbean,
            school: "Northtown Academy".into(),
            gp: "High Street Surgery".into(),
            placing_authority: Some("Westshire Council".into()),
        },
    })
}

fn address(lines: &str, postcode: &str, since: Option<Date>) -> NewAddress {
    NewAddress {
        address: lines.into(),
        postcode: postcode.into(),
        since,
        until: None,
    }
}

async fn record(
    w: &World,
    area: AreaId,
    f: ChildFields,
    postcode: Option<&str>,
) -> Result<ChildId> {
    let id = ChildId::new();
    let mut tx = w.store.begin().await?;
    child_record::insert_child_record(
        &mut tx,
        &NewChildRecord {
            id,
            area,
            fields: f,
            address: postcode.map(|p| address("1 High Street\nNorthtown", p, None)),
            created_at: safehub_store::now_ms(),
        },
        w.user,
        w.school,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

async fn full(w: &World, id: ChildId) -> Result<ChildRecord> {
    Ok(w.store.child_record(id).await?.ok_or("no such child")?)
}

#[tokio::test]
async fn r2_1_a_full_record_is_kept_with_names_addresses_and_professionals() -> Result {
    let w = world().await?;
    let id = record(
        &w,
        w.north,
        fields("Amy", "Example", Some(date(2012, 4, 3)))?,
        Some("B1 1AA"),
    )
    .await?;
    let mut tx = w.store.begin().await?;
    child_record::add_alias(
        &mut tx,
        id,
        &NewAlias {
            name: "Ames".into(),
            kind: AliasKind::Nickname,
        },
    )
    .await?;
    // Moving: the address recorded with the child closes on the day of the move.
    child_record::add_address(
        &mut tx,
        id,
        &address("2 Low Road", "B2 2BB", Some(date(2026, 1, 5))),
        Some(date(2026, 1, 5)),
    )
    .await?;
    child_record::add_professional(
        &mut tx,
        id,
        &NewProfessional {
            name: "Sam Nurse".into(),
            role: "School nurse".into(),
            agency: Some(w.school),
            contact: "0121 000 0000".into(),
        },
    )
    .await?;
    tx.commit().await?;

    let r = full(&w, id).await?;
    assert_eq!(r.child.name.to_string(), "Amy Example");
    assert_eq!(r.child.legal_status, LegalStatus::LookedAfter);
    assert_eq!(r.details.ethnicity, Ethnicity::WhiteAndBlackCaribbean);
    assert_eq!(r.details.school, "Northtown Academy");
    assert_eq!(r.details.gp, "High Street Surgery");
    assert_eq!(
        r.details.placing_authority.as_deref(),
        Some("Westshire Council")
    );
    assert_eq!(r.state.version, 1);
    assert_eq!(r.aliases.len(), 1);
    assert_eq!(r.aliases[0].kind, AliasKind::Nickname);
    assert_eq!(r.addresses.len(), 2);
    assert_eq!(
        r.current_address().map(|a| a.postcode.as_str()),
        Some("B2 2BB")
    );
    assert_eq!(r.addresses[1].until, Some(date(2026, 1, 5)));
    assert_eq!(r.professionals[0].agency, Some(w.school));
    // The recording agency is involved (R1.2).
    assert_eq!(r.agencies.len(), 1);
    assert_eq!(r.agencies[0].agency, w.school);
    assert_eq!(r.agencies[0].how, Involvement::Involved);
    Ok(())
}

#[tokio::test]
async fn r2_1_an_edit_made_on_an_out_of_date_version_is_refused() -> Result {
    let w = world().await?;
    let id = record(&w, w.north, fields("Amy", "Example", None)?, None).await?;
    let before = full(&w, id).await?;
    let mut first = ChildFields::of(&before);
    first.details.school = "Southtown College".into();
    let mut tx = w.store.begin().await?;
    let version =
        child_record::update_child_fields(&mut tx, id, before.state.version, &first).await?;
    tx.commit().await?;
    assert_eq!(version, before.state.version + 1);

    // A second person saves the page they opened before the first change.
    let mut second = ChildFields::of(&before);
    second.details.gp = "Other Surgery".into();
    let mut tx = w.store.begin().await?;
    let stale = child_record::update_child_fields(&mut tx, id, before.state.version, &second).await;
    assert!(matches!(stale, Err(StoreError::Conflict(_))), "{stale:?}");
    drop(tx);
    let after = full(&w, id).await?;
    assert_eq!(after.details.school, "Southtown College");
    assert_eq!(after.details.gp, "High Street Surgery");
    assert_eq!(after.state.version, version);
    assert_eq!(second.changed_from(&first), ["school", "gp"]);
    Ok(())
}

fn probe(given: &str, family: &str, born: Option<Date>, postcode: &str) -> Probe {
    Probe {
        given: given.into(),
        family: family.into(),
        date_of_birth: born,
        age_estimated: false,
        postcodes: if postcode.is_empty() {
            vec![]
        } else {
            vec![postcode.into()]
        },
    }
}

async fn found(w: &World, p: &Probe, areas: &[AreaId]) -> Result<Vec<ChildId>> {
    Ok(w.store
        .possible_duplicates(p, areas, None)
        .await?
        .iter()
        .map(|c| c.child.id)
        .collect())
}

#[tokio::test]
async fn r2_1_the_duplicate_check_finds_a_child_by_name_date_alias_or_postcode() -> Result {
    let w = world().await?;
    let born = date(2012, 4, 3);
    let jasmine = record(
        &w,
        w.north,
        fields("Jasmine", "Smith", Some(born))?,
        Some("B1 1AA"),
    )
    .await?;
    let elsewhere = record(&w, w.south, fields("Jasmine", "Smith", Some(born))?, None).await?;
    let sibling = record(
        &w,
        w.north,
        fields("Tyler", "Smith", Some(date(2014, 9, 1)))?,
        Some("B1 1AA"),
    )
    .await?;
    let other = record(
        &w,
        w.north,
        fields("Kai", "Jones", Some(date(2011, 1, 1)))?,
        None,
    )
    .await?;
    let known_as = record(&w, w.north, fields("Chantelle", "Brown", None)?, None).await?;
    let mut tx = w.store.begin().await?;
    child_record::add_alias(
        &mut tx,
        known_as,
        &NewAlias {
            name: "Shay Whitfield".into(),
            kind: AliasKind::Alias,
        },
    )
    .await?;
    tx.commit().await?;

    // Spelt differently, day and month swapped: found; the sibling and others are not.
    let hits = found(
        &w,
        &probe("Jasmin", "Smyth", Some(date(2012, 3, 4)), ""),
        &[w.north],
    )
    .await?;
    assert_eq!(hits, [jasmine]);
    // Only the areas searched.
    let both = found(
        &w,
        &probe("Jasmine", "Smith", Some(born), ""),
        &[w.north, w.south],
    )
    .await?;
    assert_eq!(
        both.iter().collect::<BTreeSet<_>>(),
        [jasmine, elsewhere].iter().collect()
    );
    // A different surname but the same date and postcode (a name changed): found by the keys
    // of the first pass other than the name.
    let renamed = found(
        &w,
        &probe("Jasmine", "Walker", Some(born), "b1 1aa"),
        &[w.north],
    )
    .await?;
    assert_eq!(renamed, [jasmine]);
    // By an alias's family name.
    let by_alias = found(&w, &probe("Shay", "Whitfield", None, ""), &[w.north]).await?;
    assert_eq!(by_alias, [known_as]);
    assert!(
        found(
            &w,
            &probe("Kai", "Jones", Some(date(2013, 6, 6)), ""),
            &[w.north]
        )
        .await?
        .is_empty()
    );
    let _ = (sibling, other);

    // The candidate carries what the page shows.
    let c = w
        .store
        .possible_duplicates(&probe("Jasmine", "Smith", Some(born), ""), &[w.north], None)
        .await?;
    assert_eq!(c[0].postcode.as_deref(), Some("B1 1AA"));
    assert_eq!(c[0].school, "Northtown Academy");
    assert!(c[0].score >= 0.8, "{}", c[0].score);
    // `exclude` leaves the record itself out (checking an existing record for duplicates).
    let excluded = w
        .store
        .possible_duplicates(
            &probe("Jasmine", "Smith", Some(born), ""),
            &[w.north],
            Some(jasmine),
        )
        .await?;
    assert!(excluded.is_empty());
    Ok(())
}

/// Every row of the tables a merge moves, as (table, id, child id), for comparing states.
async fn rows_of(w: &World, ids: &[ChildId]) -> Result<BTreeSet<(String, String, String)>> {
    let mut out = BTreeSet::new();
    let mut conn = w.store.begin().await?;
    for table in MOVED_TABLES.iter().chain(&["child_duplicate_flags"]) {
        for id in ids {
            let rows = sqlx::query(&format!(
                "SELECT id, child_id FROM {table} WHERE child_id = $1"
            ))
            .bind(id.to_string())
            .fetch_all(&mut *conn)
            .await?;
            for r in rows {
                use sqlx::Row;
                out.insert((
                    (*table).to_owned(),
                    r.try_get::<String, _>("id")?,
                    r.try_get::<String, _>("child_id")?,
                ));
            }
        }
    }
    Ok(out)
}

/// Puts one row in each of the front door's tables for `child`, as its screening,
/// referral, clock and notification would be.
async fn front_door_rows(w: &World, child: ChildId, n: usize) -> Result {
    let mut tx = w.store.begin().await?;
    let now = safehub_store::now_ms();
    let (c, u, a) = (child.to_string(), w.user.to_string(), w.school.to_string());
    let tool = format!("test-tool-{n}");
    sqlx::query(
        "INSERT INTO screening_tools (version, body, loaded_at, is_current) VALUES ($1, '{}', $2, 0)",
    )
    .bind(&tool)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let screening = uuid::Uuid::new_v4().to_string();
    sqlx::query(
        "INSERT INTO screenings (id, child_id, tool_version, agency_id, created_by, created_at, \
         updated_at, status, answers, signs_not_words, category_reason, adviser_consulted) \
         VALUES ($1, $2, $3, $4, $5, $6, $6, 'draft', '{}', '', '', '')",
    )
    .bind(&screening)
    .bind(&c)
    .bind(&tool)
    .bind(&a)
    .bind(&u)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let referral = uuid::Uuid::new_v4().to_string();
    sqlx::query(
        "INSERT INTO referrals (id, child_id, area_id, route, received_at, referrer_user, \
         referrer_agency, referrer_name, referrer_contact, mash_agency, summary, details, \
         status, version) VALUES ($1, $2, $3, 'professional', $4, $5, $6, 'x', 'x', $6, '', '', \
         'awaiting_triage', 1)",
    )
    .bind(&referral)
    .bind(&c)
    .bind(w.north.to_string())
    .bind(now)
    .bind(&u)
    .bind(&a)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO clocks (id, kind, child_id, referral_id, started_at, due_at, due_day, \
         owner_agency) VALUES ($1, 'mash_decision', $2, $3, $4, $4, '2026-01-01', $5)",
    )
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(&c)
    .bind(&referral)
    .bind(now)
    .bind(&a)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO notifications (id, user_id, what, child_id, link, created_at) \
         VALUES ($1, $2, 'child_at_risk', $3, '/', $4)",
    )
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(&u)
    .bind(&c)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

fn without_version(mut r: ChildRecord) -> ChildRecord {
    r.state.version = 0;
    r
}

#[tokio::test]
async fn r2_1_a_merge_moves_every_part_of_the_duplicate_and_undo_restores_it_exactly() -> Result {
    let w = world().await?;
    let born = date(2012, 4, 3);
    let kept = record(
        &w,
        w.north,
        fields("Jasmine", "Smith", Some(born))?,
        Some("B1 1AA"),
    )
    .await?;
    let dup = record(
        &w,
        w.north,
        fields("Jaz", "Smyth", Some(born))?,
        Some("B2 2BB"),
    )
    .await?;
    let mut tx = w.store.begin().await?;
    for (child, name) in [(kept, "Jas"), (dup, "JJ")] {
        child_record::add_alias(
            &mut tx,
            child,
            &NewAlias {
                name: name.into(),
                kind: AliasKind::Nickname,
            },
        )
        .await?;
        child_record::add_professional(
            &mut tx,
            child,
            &NewProfessional {
                name: format!("Worker for {name}"),
                role: "Youth worker".into(),
                agency: None,
                contact: String::new(),
            },
        )
        .await?;
    }
    // The police know only the duplicate, and hide its investigation from the school (R8.3).
    children::add_agency(&mut tx, dup, w.police, Involvement::Involved).await?;
    children::add_restriction(&mut tx, dup, "investigation", w.school, "test", w.user).await?;
    let flag =
        child_record::flag_possible_duplicates(&mut tx, dup, w.user, &[(kept, 0.93)]).await?;
    tx.commit().await?;
    front_door_rows(&w, dup, 1).await?;
    front_door_rows(&w, kept, 2).await?;

    let before = (full(&w, kept).await?, full(&w, dup).await?);
    let rows_before = rows_of(&w, &[kept, dup]).await?;
    let facts_before = w.store.child(kept).await?.ok_or("kept")?.1;
    assert_eq!(w.store.open_duplicate_flags_for(kept).await?.len(), 1);

    let mut tx = w.store.begin().await?;
    let merge = child_record::merge_children(
        &mut tx,
        kept,
        dup,
        "Same child: same date, school and GP",
        w.user,
    )
    .await?;
    tx.commit().await?;

    // Everything of the duplicate's is now the kept record's.
    let after = full(&w, kept).await?;
    let gone = full(&w, dup).await?;
    assert_eq!(gone.state.merged_into, Some(kept));
    assert!(gone.aliases.is_empty() && gone.addresses.is_empty() && gone.professionals.is_empty());
    let names: Vec<&str> = after.aliases.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(
        names,
        ["Jas", "JJ", "Jaz Smyth"],
        "the duplicate's name is an alias"
    );
    assert_eq!(after.addresses.len(), 2);
    assert_eq!(after.professionals.len(), 2);
    assert_eq!(after.state.version, before.0.state.version + 1);
    assert_eq!(gone.state.version, before.1.state.version + 1);
    for table in [
        "screenings",
        "referrals",
        "clocks",
        "notifications",
        "child_restrictions",
    ] {
        assert_eq!(merge.moves.rows[table].len(), 1, "{table}");
    }
    let facts = w.store.child(kept).await?.ok_or("kept")?.1;
    assert!(
        facts.involved.contains(&w.police),
        "the police now see the kept record"
    );
    assert_eq!(
        facts.restrictions.len(),
        1,
        "the restriction moved with the investigation"
    );
    assert!(w.store.open_duplicate_flags_for(kept).await?.is_empty());
    assert_eq!(
        w.store
            .duplicate_flag(&flag[0])
            .await?
            .and_then(|f| f.resolved)
            .map(|r| r.1),
        Some(FlagResolution::Merged)
    );
    // A merged record is in no list and no search, and counts once.
    let listed = w
        .store
        .candidate_children(w.school, &[w.north], 100)
        .await?;
    assert!(!listed.iter().any(|(c, _)| c.id == dup));
    let search = found(&w, &probe("Jaz", "Smyth", Some(born), "B2 2BB"), &[w.north]).await?;
    assert_eq!(search, [kept]);
    assert_eq!(w.store.count_children().await?, 1);
    // Neither can be merged again while merged.
    let mut tx = w.store.begin().await?;
    let again = child_record::merge_children(&mut tx, dup, kept, "again", w.user).await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
    drop(tx);

    // Something added to the kept record after the merge stays with it on undo.
    let mut tx = w.store.begin().await?;
    let later = child_record::add_alias(
        &mut tx,
        kept,
        &NewAlias {
            name: "Jazzy".into(),
            kind: AliasKind::Nickname,
        },
    )
    .await?;
    tx.commit().await?;

    let mut tx = w.store.begin().await?;
    let undone = child_record::undo_merge(&mut tx, &merge.id, w.user).await?;
    tx.commit().await?;
    assert!(undone.undone.is_some());
    assert_eq!(
        w.store
            .child_merge(&merge.id)
            .await?
            .and_then(|m| m.undone)
            .map(|u| u.0),
        Some(w.user)
    );

    // Exactly the state before, apart from the later alias and the version counters.
    let mut restored_kept = full(&w, kept).await?;
    assert!(restored_kept.aliases.iter().any(|a| a.id == later));
    restored_kept.aliases.retain(|a| a.id != later);
    assert_eq!(
        without_version(restored_kept),
        without_version(before.0.clone())
    );
    assert_eq!(
        without_version(full(&w, dup).await?),
        without_version(before.1.clone())
    );
    let mut rows_after = rows_of(&w, &[kept, dup]).await?;
    rows_after.retain(|(_, id, _)| *id != later);
    assert_eq!(rows_after, rows_before);
    assert_eq!(w.store.child(kept).await?.ok_or("kept")?.1, facts_before);
    assert_eq!(
        w.store.open_duplicate_flags_for(kept).await?.len(),
        1,
        "the flag is open again"
    );
    let mut tx = w.store.begin().await?;
    let twice = child_record::undo_merge(&mut tx, &merge.id, w.user).await;
    assert!(matches!(twice, Err(StoreError::Conflict(_))), "{twice:?}");
    Ok(())
}

#[tokio::test]
async fn r2_1_a_merge_cannot_be_undone_while_the_kept_record_is_itself_merged() -> Result {
    let w = world().await?;
    let a = record(&w, w.north, fields("Ann", "One", None)?, None).await?;
    let b = record(&w, w.north, fields("Ann", "Two", None)?, None).await?;
    let c = record(&w, w.north, fields("Ann", "Three", None)?, None).await?;
    let mut tx = w.store.begin().await?;
    let first = child_record::merge_children(&mut tx, b, a, "same", w.user).await?;
    let second = child_record::merge_children(&mut tx, c, b, "same", w.user).await?;
    tx.commit().await?;
    let mut tx = w.store.begin().await?;
    let refused = child_record::undo_merge(&mut tx, &first.id, w.user).await;
    assert!(
        matches!(refused, Err(StoreError::Conflict(_))),
        "{refused:?}"
    );
    drop(tx);
    let mut tx = w.store.begin().await?;
    child_record::undo_merge(&mut tx, &second.id, w.user).await?;
    child_record::undo_merge(&mut tx, &first.id, w.user).await?;
    tx.commit().await?;
    for id in [a, b, c] {
        assert_eq!(full(&w, id).await?.state.merged_into, None);
    }
    Ok(())
}

/// The audit entry of a child's record being made, as the pages write it.
fn made(child: ChildId, user: UserId) -> NewAuditEntry {
    NewAuditEntry {
        actor_user: Some(user.to_string()),
        actor_role: "referring_practitioner".into(),
        actor_agency: None,
        action: AuditAction::Create,
        record_kind: RecordKind::Child,
        record_id: Some(child.to_string()),
        outcome: AuditOutcome::Allowed,
        policies: "test".into(),
        client: "127.0.0.1".into(),
        detail: serde_json::json!({}),
    }
}

/// Which records the creations in `child`'s chronology were made on: `None` for its own.
async fn made_on(w: &World, child: ChildId) -> Result<Vec<Option<ChildId>>> {
    Ok(w.store
        .chronology(child)
        .await?
        .into_iter()
        .filter(|e| e.action == "create")
        .map(|e| e.merged_record)
        .collect())
}

#[tokio::test]
async fn r4_9_a_chronology_reads_the_history_of_records_merged_in_turn() -> Result {
    let w = world().await?;
    let a = record(&w, w.north, fields("Bea", "One", None)?, None).await?;
    let b = record(&w, w.north, fields("Bea", "Two", None)?, None).await?;
    let c = record(&w, w.north, fields("Bea", "Three", None)?, None).await?;
    for child in [a, b, c] {
        w.store.record(made(child, w.user)).await?;
    }
    let mut tx = w.store.begin().await?;
    child_record::merge_children(&mut tx, b, a, "same", w.user).await?;
    let second = child_record::merge_children(&mut tx, c, b, "same", w.user).await?;
    tx.commit().await?;
    // C holds B, which holds A: both histories reach C, each marked with its record, in
    // the order they happened.
    assert_eq!(made_on(&w, c).await?, [Some(a), Some(b), None]);
    assert_eq!(made_on(&w, b).await?, [Some(a), None]);
    assert_eq!(made_on(&w, a).await?, [None]);
    // Undoing the later merge takes B's history, and A's with it, back out of C.
    let mut tx = w.store.begin().await?;
    child_record::undo_merge(&mut tx, &second.id, w.user).await?;
    tx.commit().await?;
    assert_eq!(made_on(&w, c).await?, [None]);
    assert_eq!(made_on(&w, b).await?, [Some(a), None]);
    Ok(())
}

#[tokio::test]
async fn r2_1_every_table_that_points_at_a_child_is_handled_by_the_merge() -> Result {
    // A new part of the record (a table with a foreign key to children) must be moved by a
    // merge, or be one of the few handled on purpose otherwise.
    let w = world().await?;
    let sql = match w.store.backend() {
        Backend::Sqlite => {
            "SELECT m.name AS t, f.\"from\" AS c FROM sqlite_master m \
             JOIN pragma_foreign_key_list(m.name) f WHERE m.type = 'table' AND f.\"table\" = 'children'"
        }
        Backend::Postgres => {
            "SELECT kcu.table_name::text AS t, kcu.column_name::text AS c \
             FROM information_schema.referential_constraints rc \
             JOIN information_schema.key_column_usage kcu ON kcu.constraint_name = rc.constraint_name \
              AND kcu.constraint_schema = rc.constraint_schema \
             JOIN information_schema.constraint_column_usage ccu \
              ON ccu.constraint_name = rc.unique_constraint_name \
              AND ccu.constraint_schema = rc.unique_constraint_schema \
             WHERE ccu.table_name = 'children' AND kcu.constraint_schema = current_schema()"
        }
    };
    let mut conn = w.store.begin().await?;
    let mut unhandled = Vec::new();
    let references = sqlx::query(sql).fetch_all(&mut *conn).await?;
    assert!(
        references.len() > MOVED_TABLES.len(),
        "the schema query found the references"
    );
    for r in references {
        use sqlx::Row;
        let (t, c): (String, String) = (r.try_get("t")?, r.try_get("c")?);
        let handled = (MOVED_TABLES.contains(&t.as_str()) && c == "child_id")
            || matches!(
                (t.as_str(), c.as_str()),
                // Copied to the kept record.
                ("child_agencies", "child_id")
                // Resolved by the merge (and reopened by its undo).
                | ("child_duplicate_flags", "child_id" | "candidate_id")
                // The merge itself, and the mark on the duplicate.
                | ("child_merges", "kept_id" | "merged_id")
                | ("children", "merged_into")
            );
        if !handled {
            unhandled.push(format!("{t}.{c}"));
        }
    }
    assert!(unhandled.is_empty(), "not moved by a merge: {unhandled:?}");
    Ok(())
}
