//! One behaviour story for storage, run on SQLite by default and on PostgreSQL when
//! `SAFEHUB_TEST_POSTGRES` is set (as `.ci/run` does).

use safehub_domain::{
    AgencyId, AgencyKind, AreaId, ChildId, ChildName, Gender, LegalStatus, Role, UserId,
};
use safehub_store::audit::{self, RecordKind};
use safehub_store::children::{self, Child, Involvement};
use safehub_store::organisations::{self, Agency, Area};
use safehub_store::testing::test_database;
use safehub_store::users::{self, NewUser};
use safehub_store::{AuditAction, AuditOutcome, Backend, NewAuditEntry, Store, StoreError};
use sqlx::{Connection, Executor};

type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

struct World {
    store: Store,
    area: AreaId,
    agency: AgencyId,
    user: UserId,
}

async fn world() -> Result<(World, safehub_store::testing::TestDatabase)> {
    let db = test_database().await?;
    let store = Store::connect(&db.url).await?;
    store.migrate().await?;
    let area = AreaId::new();
    let agency = AgencyId::new();
    let user = UserId::new();
    let mut tx = store.begin().await?;
    organisations::insert_area(
        &mut tx,
        &Area {
            id: area,
            code: "WLV".into(),
            name: "Wolverhampton".into(),
        },
    )
    .await?;
    organisations::insert_agency(
        &mut tx,
        &Agency {
            id: agency,
            name: "Wolverhampton MASH".into(),
            kind: AgencyKind::ChildrensServices,
            areas: vec![area],
        },
    )
    .await?;
    users::insert_user(&mut tx, &new_user(user, agency, "worker@example.invalid")).await?;
    tx.commit().await?;
    Ok((
        World {
            store,
            area,
            agency,
            user,
        },
        db,
    ))
}

fn new_user(id: UserId, agency: AgencyId, email: &str) -> NewUser {
    NewUser {
        id,
        email: email.into(),
        display_name: "Test Worker".into(),
        agency,
        team: None,
        roles: vec![Role::MashWorker, Role::AgencySpoc],
        password_hash: "$argon2id$not-a-real-hash".into(),
        is_service_account: false,
    }
}

fn entry(n: usize) -> NewAuditEntry {
    NewAuditEntry {
        actor_user: None,
        actor_role: "system".into(),
        actor_agency: None,
        action: AuditAction::View,
        record_kind: RecordKind::Child,
        record_id: Some(format!("child-{n}")),
        outcome: AuditOutcome::Allowed,
        policies: "test".into(),
        client: "127.0.0.1".into(),
        detail: serde_json::json!({ "n": n }),
    }
}

async fn ten_entries(store: &Store) -> Result {
    for n in 1..=10 {
        store.record(entry(n)).await?;
    }
    assert!(store.verify_audit().await?.is_intact());
    Ok(())
}

/// Opens a raw connection, as someone with direct database access would, with the audit
/// guards switched off so the tampering reaches the table.
async fn tamper(store: &Store, sql: &str) -> Result {
    let mut conn = sqlx::AnyConnection::connect(store.url()).await?;
    match store.backend() {
        Backend::Sqlite => {
            conn.execute(
                "DROP TRIGGER audit_entries_no_update; DROP TRIGGER audit_entries_no_delete;",
            )
            .await?;
            conn.execute(sql).await?;
        }
        Backend::Postgres => {
            conn.execute(format!("ALTER TABLE audit_entries DISABLE TRIGGER USER; {sql}").as_str())
                .await?;
        }
    }
    conn.close().await?;
    Ok(())
}

async fn first_problem(store: &Store) -> Result<(i64, String)> {
    let report = store.verify_audit().await?;
    Ok(report.first_problem.ok_or("tampering was not detected")?)
}

#[tokio::test]
async fn migrations_apply_once_and_report_what_ran() -> Result {
    let db = test_database().await?;
    let store = Store::connect(&db.url).await?;
    let first = store.migrate().await?;
    assert_eq!(first.applied.len(), 8);
    assert_eq!(first.version, 8);
    assert!(first.applied[0].starts_with("0001_"));
    let again = store.migrate().await?;
    assert!(again.applied.is_empty());
    assert_eq!(again.version, first.version);
    Ok(())
}

#[tokio::test]
async fn accounts_round_trip_and_an_email_is_used_once() -> Result {
    let (w, _db) = world().await?;
    let user = w
        .store
        .user_by_email("worker@example.invalid")
        .await?
        .ok_or("user missing")?;
    assert_eq!(user.id, w.user);
    assert_eq!(user.roles, vec![Role::AgencySpoc, Role::MashWorker]);
    // R1.3: the SPOC list per agency.
    let spocs = w.store.agency_spocs(w.agency).await?;
    assert_eq!(spocs.iter().map(|u| u.id).collect::<Vec<_>>(), vec![w.user]);
    let mut tx = w.store.begin().await?;
    let again = users::insert_user(
        &mut tx,
        &new_user(UserId::new(), w.agency, "worker@example.invalid"),
    )
    .await;
    assert!(
        matches!(again, Err(StoreError::Conflict("email"))),
        "{again:?}"
    );
    drop(tx);
    assert_eq!(w.store.count_users().await?, 1);
    Ok(())
}

#[tokio::test]
async fn a_totp_step_cannot_be_used_twice() -> Result {
    let (w, _db) = world().await?;
    let mut tx = w.store.begin().await?;
    users::begin_totp_enrolment(&mut tx, w.user, "JBSWY3DPEHPK3PXP").await?;
    assert!(users::use_totp_step(&mut tx, w.user, 100).await?);
    assert!(
        !users::use_totp_step(&mut tx, w.user, 100).await?,
        "replayed step accepted"
    );
    assert!(
        !users::use_totp_step(&mut tx, w.user, 99).await?,
        "older step accepted"
    );
    assert!(users::use_totp_step(&mut tx, w.user, 101).await?);
    tx.commit().await?;
    assert!(w.store.user(w.user).await?.totp_enrolled);
    Ok(())
}

#[tokio::test]
async fn disabling_an_account_ends_all_its_sessions() -> Result {
    let (w, _db) = world().await?;
    let mut tx = w.store.begin().await?;
    safehub_store::sessions::create_session(&mut tx, "hash-a", w.user).await?;
    safehub_store::sessions::create_session(&mut tx, "hash-b", w.user).await?;
    users::disable_user(&mut tx, w.user).await?;
    tx.commit().await?;
    for h in ["hash-a", "hash-b"] {
        assert!(
            w.store
                .session(h)
                .await?
                .ok_or("session missing")?
                .ended_at
                .is_some()
        );
    }
    assert!(w.store.user(w.user).await?.disabled_at.is_some());
    Ok(())
}

#[tokio::test]
async fn a_change_and_its_audit_entry_commit_or_vanish_together() -> Result {
    let (w, _db) = world().await?;
    let child = Child {
        id: ChildId::new(),
        area: w.area,
        name: ChildName::parse("Test", "Child")?,
        date_of_birth: None,
        gender: Gender::NotKnown,
        legal_status: LegalStatus::None,
        created_at: 0,
    };
    let mut tx = w.store.begin().await?;
    children::insert_child(&mut tx, &child, w.user, w.agency).await?;
    audit::append(&mut tx, &[entry(1)]).await?;
    drop(tx); // rolled back
    assert!(w.store.child(child.id).await?.is_none());
    assert_eq!(w.store.verify_audit().await?.entries, 0);

    let mut tx = w.store.begin().await?;
    children::insert_child(&mut tx, &child, w.user, w.agency).await?;
    children::add_agency(&mut tx, child.id, w.agency, Involvement::Routed).await?;
    children::add_restriction(&mut tx, child.id, "investigation", w.agency, "test", w.user).await?;
    audit::append(&mut tx, &[entry(1)]).await?;
    tx.commit().await?;
    let (_, facts) = w.store.child(child.id).await?.ok_or("child missing")?;
    assert_eq!(facts.involved, vec![w.agency]);
    assert_eq!(facts.routed, vec![w.agency]);
    assert_eq!(facts.restrictions.len(), 1);
    assert_eq!(w.store.verify_audit().await?.entries, 1);
    Ok(())
}

#[tokio::test]
async fn concurrent_views_form_one_unbroken_chain() -> Result {
    let (w, _db) = world().await?;
    let mut tasks = Vec::new();
    for n in 0..200 {
        let store = w.store.clone();
        tasks.push(tokio::spawn(async move { store.record(entry(n)).await }));
    }
    let mut seqs = Vec::new();
    for t in tasks {
        seqs.push(t.await??);
    }
    seqs.sort();
    assert_eq!(seqs, (1..=200).collect::<Vec<_>>());
    let report = w.store.verify_audit().await?;
    assert!(report.is_intact(), "{report:?}");
    assert_eq!(report.entries, 200);
    Ok(())
}

#[tokio::test]
async fn the_database_refuses_to_change_or_delete_audit_entries() -> Result {
    let (w, _db) = world().await?;
    ten_entries(&w.store).await?;
    let mut conn = sqlx::AnyConnection::connect(w.store.url()).await?;
    let update = conn
        .execute("UPDATE audit_entries SET client = 'elsewhere' WHERE seq = 3")
        .await;
    assert!(update.is_err(), "update was allowed");
    let delete = conn
        .execute("DELETE FROM audit_entries WHERE seq = 3")
        .await;
    assert!(delete.is_err(), "delete was allowed");
    if w.store.backend() == Backend::Postgres {
        let truncate = conn.execute("TRUNCATE audit_entries").await;
        assert!(truncate.is_err(), "truncate was allowed");
    }
    conn.close().await?;
    assert!(w.store.verify_audit().await?.is_intact());
    Ok(())
}

#[tokio::test]
async fn postgres_app_role_cannot_change_audit_entries_by_privilege() -> Result {
    let (w, _db) = world().await?;
    if w.store.backend() != Backend::Postgres {
        return Ok(()); // privileges exist only on PostgreSQL; the SQLite guard is the trigger
    }
    ten_entries(&w.store).await?;
    let role = format!("safehub_app_{}", uuid::Uuid::new_v4().simple());
    let mut conn = sqlx::AnyConnection::connect(w.store.url()).await?;
    conn.execute(format!("CREATE ROLE {role}").as_str()).await?;
    w.store.grant_app_role(&role).await?;
    // With the trigger off, only the privilege stands between the role and the table.
    conn.execute("ALTER TABLE audit_entries DISABLE TRIGGER USER")
        .await?;
    conn.execute(format!("SET ROLE {role}").as_str()).await?;
    let read = conn.execute("SELECT COUNT(*) FROM audit_entries").await;
    assert!(read.is_ok(), "{read:?}");
    let update = conn
        .execute("UPDATE audit_entries SET client = 'x' WHERE seq = 1")
        .await;
    assert!(update.is_err(), "update allowed by privilege");
    let delete = conn
        .execute("DELETE FROM audit_entries WHERE seq = 1")
        .await;
    assert!(delete.is_err(), "delete allowed by privilege");
    conn.execute("RESET ROLE").await?;
    conn.execute("ALTER TABLE audit_entries ENABLE TRIGGER USER")
        .await?;
    conn.close().await?;
    Ok(())
}

#[tokio::test]
async fn verify_names_an_altered_entry() -> Result {
    let (w, _db) = world().await?;
    ten_entries(&w.store).await?;
    tamper(
        &w.store,
        "UPDATE audit_entries SET client = '10.9.9.9' WHERE seq = 4",
    )
    .await?;
    let (seq, why) = first_problem(&w.store).await?;
    assert_eq!(seq, 4);
    assert!(why.contains("altered"), "{why}");
    Ok(())
}

#[tokio::test]
async fn verify_names_a_deleted_entry() -> Result {
    let (w, _db) = world().await?;
    ten_entries(&w.store).await?;
    tamper(&w.store, "DELETE FROM audit_entries WHERE seq = 6").await?;
    let (seq, why) = first_problem(&w.store).await?;
    assert_eq!(seq, 6);
    assert!(why.contains("missing"), "{why}");
    Ok(())
}

#[tokio::test]
async fn verify_notices_entries_cut_from_the_end() -> Result {
    let (w, _db) = world().await?;
    ten_entries(&w.store).await?;
    tamper(&w.store, "DELETE FROM audit_entries WHERE seq >= 9").await?;
    let (seq, why) = first_problem(&w.store).await?;
    assert_eq!(seq, 9);
    assert!(why.contains("missing"), "{why}");
    Ok(())
}

#[tokio::test]
async fn verify_names_reordered_entries() -> Result {
    let (w, _db) = world().await?;
    ten_entries(&w.store).await?;
    tamper(
        &w.store,
        "UPDATE audit_entries SET seq = -1 WHERE seq = 3; \
         UPDATE audit_entries SET seq = 3 WHERE seq = 4; \
         UPDATE audit_entries SET seq = 4 WHERE seq = -1",
    )
    .await?;
    let (seq, _why) = first_problem(&w.store).await?;
    assert_eq!(seq, 3);
    Ok(())
}

#[tokio::test]
async fn verify_names_an_inserted_entry() -> Result {
    let (w, _db) = world().await?;
    ten_entries(&w.store).await?;
    // Make room after entry 5 and slip a forged entry in, copying entry 5's hash as its
    // predecessor so that only the chain can give it away.
    tamper(
        &w.store,
        "UPDATE audit_entries SET seq = seq + 100 WHERE seq > 5; \
         UPDATE audit_entries SET seq = seq - 99 WHERE seq > 100; \
         INSERT INTO audit_entries (seq, at, actor_user, actor_role, actor_agency, action, record_kind, \
         record_id, outcome, policies, client, detail, prev_hash, hash) \
         SELECT 6, at, actor_user, actor_role, actor_agency, action, record_kind, 'forged', outcome, \
         policies, client, detail, hash, hash FROM audit_entries WHERE seq = 5",
    )
    .await?;
    let (seq, _why) = first_problem(&w.store).await?;
    assert_eq!(seq, 6);
    // An entry added after the last one without moving the head is also found.
    let (w, _db2) = world().await?;
    ten_entries(&w.store).await?;
    tamper(
        &w.store,
        "INSERT INTO audit_entries (seq, at, actor_user, actor_role, actor_agency, action, record_kind, \
         record_id, outcome, policies, client, detail, prev_hash, hash) \
         SELECT 11, at, actor_user, actor_role, actor_agency, action, record_kind, record_id, outcome, \
         policies, client, detail, hash, hash FROM audit_entries WHERE seq = 10",
    )
    .await?;
    let (seq, why) = first_problem(&w.store).await?;
    assert_eq!(seq, 11, "{why}");
    Ok(())
}

#[tokio::test]
async fn a_backup_restores_to_the_same_data_with_an_intact_chain() -> Result {
    let (w, _db) = world().await?;
    ten_entries(&w.store).await?;
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("backup.db");
    w.store.backup(&file).await?;
    assert!(
        w.store.backup(&file).await.is_err(),
        "overwrote an existing backup"
    );
    let restored_url = match w.store.backend() {
        Backend::Sqlite => format!("sqlite://{}", file.display()),
        Backend::Postgres => {
            let target = test_database().await?;
            let status = std::process::Command::new("pg_restore")
                .args(["--no-owner", "--dbname", &target.url])
                .arg(&file)
                .status()?;
            assert!(status.success(), "pg_restore failed");
            target.url
        }
    };
    let restored = Store::connect(&restored_url).await?;
    assert!(restored.migrate().await?.applied.is_empty());
    let report = restored.verify_audit().await?;
    assert!(report.is_intact(), "{report:?}");
    assert_eq!(report.entries, 10);
    assert_eq!(restored.count_users().await?, 1);
    Ok(())
}
