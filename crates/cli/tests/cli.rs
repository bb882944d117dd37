//! The `safehub` binary's administrators' commands, run as an administrator would.

use std::process::Command;

use safehub_store::testing::{TestDatabase, test_database};
use safehub_store::{Backend, Store};
use sqlx::{Connection, Executor};

type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

fn safehub(url: &str, args: &[&str]) -> std::io::Result<std::process::Output> {
    Command::new(env!("CARGO_BIN_EXE_safehub"))
        .args(args)
        .env("SAFEHUB_DATABASE_URL", url)
        .env("SAFEHUB_ARGON2_MEMORY_KIB", "1024")
        .env("SAFEHUB_ARGON2_ITERATIONS", "1")
        .output()
}

/// The standard output of a command that must have succeeded (its errors shown if not).
fn succeeded(out: &std::process::Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A new database filled with the demo region by `safehub demo --seed-only`, with about
/// `children` children at first.
async fn demo_region(children: &str) -> Result<(TestDatabase, Store)> {
    let db = test_database().await?;
    let out = safehub(&db.url, &["demo", "--seed-only", "--children", children])?;
    succeeded(&out);
    let store = Store::connect(&db.url).await?;
    Ok((db, store))
}

#[tokio::test]
async fn demo_seed_only_fills_a_region_and_audit_verify_guards_it() -> Result {
    // R1.1, R1.2, R1.3: seven areas, agencies of every kind, accounts in every role.
    let (db, store) = demo_region("60").await?;
    assert_eq!(store.areas().await?.len(), 7);
    let users = store.count_users().await?;
    assert!((140..=200).contains(&users), "{users} demo users");
    let kinds: std::collections::HashSet<_> =
        store.agencies().await?.iter().map(|a| a.kind).collect();
    assert_eq!(
        kinds.len(),
        safehub_domain::AgencyKind::ALL.len(),
        "every agency kind of R1.2"
    );
    assert!(store.count_children().await? > 100);
    let areas: Vec<_> = store.areas().await?.iter().map(|a| a.id).collect();
    let roles: std::collections::HashSet<_> = store
        .users_in_areas(&areas)
        .await?
        .into_iter()
        .flat_map(|u| u.roles)
        .collect();
    assert_eq!(
        roles.len(),
        safehub_domain::Role::ALL.len(),
        "every role of R1.3 is held by a demo account"
    );

    // Seeding again leaves the region as it is.
    let again = safehub(&db.url, &["demo", "--seed-only", "--children", "60"])?;
    assert!(again.status.success());
    assert_eq!(store.count_users().await?, users);
    // The seeded front-door history writes the referrals' audit entries the chronology reads.
    let seeded = store.verify_audit().await?.entries;
    assert!(seeded > 0, "the demo's referrals are in the audit trail");

    // Some audited activity, then verify: intact, then tampered.
    let add = Command::new(env!("CARGO_BIN_EXE_safehub"))
        .args([
            "user",
            "add",
            "--email",
            "svc@demo.safehub.invalid",
            "--name",
            "Reporting feed",
            "--agency",
            "Regional Safeguarding Partnership",
            "--role",
            "board_reader",
            "--service-account",
        ])
        .env("SAFEHUB_DATABASE_URL", &db.url)
        .output()?;
    succeeded(&add);
    let token = safehub(
        &db.url,
        &[
            "user",
            "token",
            "svc@demo.safehub.invalid",
            "--name",
            "feed",
            "--scope",
            "children:read",
        ],
    )?;
    assert!(String::from_utf8_lossy(&token.stdout).contains("shp_"));
    let ok = safehub(&db.url, &["audit", "verify"])?;
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stdout)
    );
    assert!(
        String::from_utf8_lossy(&ok.stdout).contains(&format!("intact: {} entries", seeded + 2))
    );

    let mut conn = sqlx::AnyConnection::connect(store.url()).await?;
    match store.backend() {
        Backend::Sqlite => conn.execute("DROP TRIGGER audit_entries_no_update; UPDATE audit_entries SET client = 'x' WHERE seq = 1").await?,
        Backend::Postgres => conn.execute("ALTER TABLE audit_entries DISABLE TRIGGER USER; UPDATE audit_entries SET client = 'x' WHERE seq = 1").await?,
    };
    conn.close().await?;
    let bad = safehub(&db.url, &["audit", "verify"])?;
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stdout).contains("First bad entry: 1"));
    Ok(())
}

#[tokio::test]
async fn backup_writes_a_copy_that_opens_with_the_same_data() -> Result {
    let db = test_database().await?;
    assert!(
        safehub(&db.url, &["demo", "--seed-only", "--children", "60"])?
            .status
            .success()
    );
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("safehub-backup");
    let out = safehub(
        &db.url,
        &["backup", "--output", file.to_str().ok_or("path")?],
    )?;
    succeeded(&out);
    let refused = safehub(
        &db.url,
        &["backup", "--output", file.to_str().ok_or("path")?],
    )?;
    assert_eq!(
        refused.status.code(),
        Some(2),
        "an existing file is never overwritten"
    );
    let store = Store::connect(&db.url).await?;
    if store.backend() == Backend::Sqlite {
        let copy = Store::connect(&format!("sqlite://{}", file.display())).await?;
        assert_eq!(copy.count_users().await?, store.count_users().await?);
        assert_eq!(copy.count_children().await?, store.count_children().await?);
    }
    Ok(())
}

#[test]
fn a_bad_database_url_is_a_clear_error() {
    let out = safehub("mysql://nowhere", &["migrate"]).expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("sqlite:// or postgres://"));
}

#[test]
fn configuration_comes_from_defaults_then_file_then_environment() -> Result {
    let dir = tempfile::tempdir()?;
    let from_file = dir.path().join("from-file.sqlite3");
    let from_env = dir.path().join("from-env.sqlite3");
    let from_secret = dir.path().join("from-secret.sqlite3");
    let config = dir.path().join("safehub.toml");
    std::fs::write(
        &config,
        format!(
            "database_url = \"sqlite://{}\"\nlog_format = \"pretty\"\n",
            from_file.display()
        ),
    )?;
    let run = |envs: &[(&str, String)]| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_safehub"));
        cmd.args(["--config", config.to_str().unwrap_or_default(), "migrate"])
            .env_remove("SAFEHUB_DATABASE_URL");
        for (k, v) in envs {
            cmd.env(k, v);
        }
        cmd.output()
    };
    assert!(run(&[])?.status.success());
    assert!(from_file.exists(), "the file's setting was used");
    assert!(
        run(&[(
            "SAFEHUB_DATABASE_URL",
            format!("sqlite://{}", from_env.display())
        )])?
        .status
        .success()
    );
    assert!(from_env.exists(), "the environment overrides the file");
    let secret = dir.path().join("db-url");
    std::fs::write(&secret, format!("sqlite://{}\n", from_secret.display()))?;
    assert!(
        run(&[("SAFEHUB_DATABASE_URL_FILE", secret.display().to_string())])?
            .status
            .success()
    );
    assert!(from_secret.exists(), "a secret can come from a file");
    let missing = Command::new(env!("CARGO_BIN_EXE_safehub"))
        .args(["--config", "/nonexistent/safehub.toml", "migrate"])
        .output()?;
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("does not exist"));
    Ok(())
}

#[test]
fn calendar_commands_answer_administrators_checking_a_date() -> Result {
    // R3.1, WM-14.2: three working days from Christmas Eve 2026 skip the bank holidays.
    // `--shipped`: the bank holidays only, no database.
    let out = Command::new(env!("CARGO_BIN_EXE_safehub"))
        .args([
            "calendar",
            "--shipped",
            "add-working-days",
            "2026-12-24",
            "3",
        ])
        .output()?;
    assert_eq!(succeeded(&out).trim(), "2026-12-31 (Thursday)");
    let out = Command::new(env!("CARGO_BIN_EXE_safehub"))
        .args([
            "calendar",
            "--shipped",
            "working-days-between",
            "2026-12-24",
            "2027-01-19",
        ])
        .output()?;
    // R3.2, WM-15.1: the MASE deadline is the 15th working day.
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "15");
    let bad = Command::new(env!("CARGO_BIN_EXE_safehub"))
        .args([
            "calendar",
            "add-working-days",
            "--shipped",
            "24/12/2026",
            "3",
        ])
        .output()?;
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("YYYY-MM-DD"));
    let beyond = Command::new(env!("CARGO_BIN_EXE_safehub"))
        .args([
            "calendar",
            "--shipped",
            "add-working-days",
            "2030-12-30",
            "10",
        ])
        .output()?;
    assert_eq!(
        beyond.status.code(),
        Some(2),
        "dates past the shipped data are refused, not guessed"
    );
    Ok(())
}

#[tokio::test]
async fn the_calendar_command_counts_the_days_the_region_closed_r3_1() -> Result {
    // R3.1, R3.2: an administrator checking a statutory date gets the date the clocks use,
    // which skips the days the region's administrators closed as well as bank holidays.
    let (db, store) = demo_region("20").await?;
    let areas: Vec<_> = store.areas().await?.iter().map(|a| a.id).collect();
    // Who added it matters only to the record of who did.
    let by = store
        .users_in_areas(&areas)
        .await?
        .first()
        .map(|u| u.id)
        .ok_or("the demo region has accounts")?;
    let mut conn = sqlx::AnyConnection::connect(store.url()).await?;
    let added =
        safehub_store::clocks::add_closed_day(&mut conn, "2026-12-29", "Office closure", by)
            .await?;
    assert!(added);
    conn.close().await?;

    let out = safehub(
        &db.url,
        &["calendar", "add-working-days", "2026-12-24", "3"],
    )?;
    // 29 and 30 December were the first two working days; now 30, 31 and (after New
    // Year's Day) 4 January are.
    assert_eq!(succeeded(&out).trim(), "2027-01-04 (Monday)");
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("not counted: 2026-12-29 (Tuesday), closed by the region (Office closure)"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let between = safehub(
        &db.url,
        &[
            "calendar",
            "working-days-between",
            "2026-12-24",
            "2027-01-19",
        ],
    )?;
    assert_eq!(String::from_utf8_lossy(&between.stdout).trim(), "14");
    // A span the closed day is not in says nothing of it.
    let later = safehub(
        &db.url,
        &["calendar", "add-working-days", "2027-01-04", "2"],
    )?;
    assert_eq!(
        String::from_utf8_lossy(&later.stdout).trim(),
        "2027-01-06 (Wednesday)"
    );
    assert!(!String::from_utf8_lossy(&later.stderr).contains("not counted"));
    // The shipped calendar alone still answers as before.
    let shipped = safehub(
        &db.url,
        &[
            "calendar",
            "--shipped",
            "add-working-days",
            "2026-12-24",
            "3",
        ],
    )?;
    assert_eq!(
        String::from_utf8_lossy(&shipped.stdout).trim(),
        "2026-12-31 (Thursday)"
    );
    Ok(())
}

#[tokio::test]
async fn a_region_loads_its_own_screening_tool_and_a_bad_file_changes_nothing_r2_2() -> Result {
    let db = test_database().await?;
    let dir = tempfile::tempdir()?;
    // The shipped tool under a region's own version name.
    let shipped = safehub_domain::screening::DEFAULT_TOOL_JSON;
    let own = shipped.replacen("\"wm-2025-1\"", "\"northshire-2026-1\"", 1);
    assert_ne!(own, shipped, "the shipped tool names its version");
    let good = dir.path().join("northshire.json");
    std::fs::write(&good, &own)?;
    let out = safehub(
        &db.url,
        &["screening-tool", "load", &good.to_string_lossy()],
    )?;
    assert!(succeeded(&out).contains("Loaded screening tool northshire-2026-1"));
    let store = Store::connect(&db.url).await?;
    let (current, _) = store
        .current_screening_tool()
        .await?
        .ok_or("no current tool")?;
    assert_eq!(current, "northshire-2026-1");

    // A file with a duplicate indicator code is refused, and the current version stays.
    let bad = dir.path().join("bad.json");
    let duplicated = own.replacen("\"northshire-2026-1\"", "\"northshire-2026-2\"", 1);
    let first_code = duplicated
        .split("\"code\": \"")
        .nth(2)
        .and_then(|s| s.split('"').next())
        .ok_or("no indicator code")?
        .to_owned();
    let second_code = duplicated
        .split("\"code\": \"")
        .nth(3)
        .and_then(|s| s.split('"').next())
        .ok_or("no second indicator code")?
        .to_owned();
    std::fs::write(
        &bad,
        duplicated.replacen(
            &format!("\"code\": \"{second_code}\""),
            &format!("\"code\": \"{first_code}\""),
            1,
        ),
    )?;
    let out = safehub(&db.url, &["screening-tool", "load", &bad.to_string_lossy()])?;
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a valid screening tool"));
    let (current, _) = store
        .current_screening_tool()
        .await?
        .ok_or("no current tool")?;
    assert_eq!(current, "northshire-2026-1");
    let list = safehub(&db.url, &["screening-tool", "list"])?;
    assert!(String::from_utf8_lossy(&list.stdout).contains("northshire-2026-1 (current)"));
    // Loading is audited and the chain stays intact.
    let verify = safehub(&db.url, &["audit", "verify"])?;
    assert!(verify.status.success());
    Ok(())
}

#[tokio::test]
async fn postcode_locations_load_whole_or_not_at_all_wm_27_1() -> Result {
    let db = test_database().await?;
    let dir = tempfile::tempdir()?;
    // A file with a bad row is refused, naming the row and column; nothing is loaded.
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "postcode,easting,northing\nZZ1 1AA,407120,286430\nZZ1 2AB,east,286910\n",
    )?;
    let out = safehub(&db.url, &["postcodes", "load", &bad.to_string_lossy()])?;
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("row 3, column easting"), "{said}");
    let count = safehub(&db.url, &["postcodes", "count"])?;
    assert!(String::from_utf8_lossy(&count.stdout).contains("0 postcode locations are held"));

    // Code-Point Open's column names are understood; other columns are ignored.
    let good = dir.path().join("good.csv");
    std::fs::write(
        &good,
        "Postcode,Positional_quality_indicator,Eastings,Northings\nzz11aa,10,407120,286430\nZZ1 2AB,10,407480,286910\n",
    )?;
    let out = safehub(&db.url, &["postcodes", "load", &good.to_string_lossy()])?;
    assert!(succeeded(&out).contains("Loaded 2 postcode locations."));
    let store = Store::connect(&db.url).await?;
    assert_eq!(store.count_postcode_locations().await?, 2);
    Ok(())
}
