//! The front door under load, on SQLite: the MASH queue and the work tray pages with 100,000
//! open statutory clocks in the database, and screening submissions per second.
//!
//! 1. `safehub demo --seed-only` (release build) into a new SQLite file, timed.
//! 2. Adds referrals with their screenings, MASH decisions and clocks through the store
//!    functions, in large transactions (timed apart), until 100,000 clocks are open: a
//!    backlog awaiting triage in every MASH, the rest decided and owned by the social workers
//!    and team managers of the seven areas, so every tray measured is thousands deep.
//! 3. Starts `safehub serve`, signs in every MASH worker, social worker and team manager
//!    through the real pages, and requests `GET /mash` (MASH workers) and `GET /work` (social
//!    workers and team managers) from 1, 8 and 32 concurrent keep-alive clients; every
//!    response must be 200 and hold the page's table.
//! 4. Screening submissions over the API (`POST /api/v1/children/{id}/screenings`) by a
//!    school's service account, then, with the server stopped, in-process: the transaction
//!    of `screenings::submit` and `front_door::receive` (referral, routing, clocks,
//!    notifications, audit) from concurrent tasks against the same database.
//!
//! Run with `cargo bench -p safehub --bench front_door`; settings by environment:
//! `BENCH_OPEN_CLOCKS` (100000), `BENCH_QUEUE_PER_MASH` (1000), `BENCH_SECONDS` (10, per
//! run), `BENCH_WARMUP_SECONDS` (2), `BENCH_CLIENTS` (`1,8,32`), `BENCH_SUBMITTERS` (`1,8`);
//! `BENCH_KEEP=1` keeps the database afterwards.
//! Results are recorded in `bench/README.md`.
#[path = "front_door/http.rs"]
mod http;
#[path = "front_door/inprocess.rs"]
mod inprocess;
#[path = "front_door/setup.rs"]
mod setup;
#[path = "support/sign_in.rs"]
mod sign_in_support;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use safehub_access::{Authorizer, Principal};
use safehub_domain::screening::ScreeningTool;
use safehub_domain::{AreaId, ChildId};
use safehub_store::Store;
use safehub_web::{AppState, WebConfig};

use http::{api_submissions, load, memory_kib};
use inprocess::inprocess_submissions;
use setup::{add_open_clocks, api_account, load_region};
use sign_in_support::sign_in;

use sign_in_support::Result;

const DAY: i64 = 86_400_000;

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn env_list(name: &str, default: &str) -> Vec<usize> {
    std::env::var(name)
        .unwrap_or_else(|_| default.to_owned())
        .split(',')
        .filter_map(|v| v.trim().parse().ok())
        .collect()
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::main]
async fn main() -> Result {
    let target = env_or("BENCH_OPEN_CLOCKS", 100_000) as i64;
    let queue_per_mash = env_or("BENCH_QUEUE_PER_MASH", 1_000) as usize;
    let seconds = env_or("BENCH_SECONDS", 10);
    let warmup = env_or("BENCH_WARMUP_SECONDS", 2);
    let clients = env_list("BENCH_CLIENTS", "1,8,32");
    let submitters = env_list("BENCH_SUBMITTERS", "1,8");
    let dir = tempfile::tempdir()?;
    let url = format!("sqlite://{}", dir.path().join("bench.sqlite3").display());
    // BENCH_KEEP=1 leaves the database behind for a closer look (query plans, profiles).
    let _dir = if std::env::var("BENCH_KEEP").is_ok() {
        println!("database kept at {url}");
        Err(dir.keep())
    } else {
        Ok(dir)
    };
    let bin = env!("CARGO_BIN_EXE_safehub");

    let started = Instant::now();
    let seeded = Command::new(bin)
        .args(["demo", "--seed-only"])
        .env("SAFEHUB_DATABASE_URL", &url)
        .env("SAFEHUB_LOG", "warn")
        .output()?;
    if !seeded.status.success() {
        return Err(String::from_utf8_lossy(&seeded.stderr).into_owned().into());
    }
    let demo_secs = started.elapsed().as_secs_f64();
    println!("{}", String::from_utf8_lossy(&seeded.stdout).trim());

    let store = Store::connect(&url).await?;
    let areas = load_region(&store).await?;
    let before = store.open_clock_count().await?;
    let extra = usize::try_from((target - before).max(0) / 2)?;
    let started = Instant::now();
    add_open_clocks(&store, &areas, extra, queue_per_mash).await?;
    let bulk_secs = started.elapsed().as_secs_f64();
    let open = store.open_clock_count().await?;
    let queues: Vec<i64> = {
        let mut q = Vec::new();
        for a in &areas {
            q.push(store.mash_queue_length(&[a.mash]).await?);
        }
        q
    };
    let (token, api_children) = api_account(bin, &url, &store, &areas[0]).await?;
    store.close().await;
    println!(
        "set-up: demo seeded in {demo_secs:.1} s (release); {extra} referrals with {} clocks added in {bulk_secs:.1} s; {open} clocks open; MASH queues {queues:?}",
        extra * 2
    );

    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    drop(listener);
    let server = Server(
        Command::new(bin)
            .args(["serve", "--listen", &addr.to_string()])
            .env("SAFEHUB_DATABASE_URL", &url)
            .env("SAFEHUB_LOG", "warn")
            .env(
                "MALLOC_ARENA_MAX",
                std::env::var("MALLOC_ARENA_MAX").unwrap_or_else(|_| "2".into()),
            )
            .stdout(Stdio::null())
            .spawn()?,
    );
    let base = format!("http://{addr}");
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    for _ in 0..100 {
        if http
            .get(format!("{base}/health/ready"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let rss_idle = memory_kib(server.0.id(), "VmRSS:");
    let mut mash_sessions = Vec::new();
    let mut tray_sessions = Vec::new();
    for a in &areas {
        for (_, email) in &a.mash_workers {
            mash_sessions.push(sign_in(&http, &base, email).await?);
        }
        for (_, email) in &a.leads {
            tray_sessions.push(sign_in(&http, &base, email).await?);
        }
    }

    let mut runs = Vec::new();
    for (path, sessions, marker) in [
        ("/mash", &mash_sessions, "Referrals awaiting a decision"),
        ("/work", &tray_sessions, "Open time limits"),
    ] {
        for c in &clients {
            let run = load(
                server.0.id(),
                &base,
                path,
                sessions,
                *c,
                marker,
                warmup,
                seconds,
            )
            .await?;
            println!("{}", run.row());
            runs.push(run);
        }
    }
    let tool = ScreeningTool::default_tool()?;
    for c in &submitters {
        let run = api_submissions(
            server.0.id(),
            &base,
            &token,
            &api_children,
            tool,
            *c,
            seconds,
        )
        .await?;
        println!("{}", run.row());
        runs.push(run);
    }
    let rss_peak = memory_kib(server.0.id(), "VmHWM:");
    drop(server);

    // In-process, with the server stopped: the same store, the same transaction.
    let store = Store::connect(&url).await?;
    let area = &areas[0];
    let children: Vec<(ChildId, AreaId)> = area.children.iter().map(|c| (*c, area.id)).collect();
    let referrer = store
        .users_in_areas(&[area.id])
        .await?
        .into_iter()
        .find(|u| u.email == "practitioner@demo.safehub.invalid")
        .ok_or("no practitioner")?;
    let agency = store.agency(referrer.agency).await?;
    let who = Principal {
        user: referrer.id,
        agency: agency.id,
        agency_kind: agency.kind,
        areas: agency.areas.clone(),
        roles: referrer.roles.clone(),
    };
    let state = AppState::new(store.clone(), Authorizer::new()?, WebConfig::for_tests());
    for n in &submitters {
        let run = inprocess_submissions(&state, &store, &who, &children, *n, seconds).await?;
        println!("{}", run.row());
        runs.push(run);
    }
    let report = store.verify_audit().await?;
    store.close().await;

    println!();
    println!(
        "front door, SQLite (synchronous=FULL), {open} open clocks, {seconds} s per run after {warmup} s warm-up"
    );
    println!("| load | requests/s | p50 | p95 | p99 | max | server CPU per request | responses |");
    println!("|---|---|---|---|---|---|---|---|");
    for r in &runs {
        println!("{}", r.row());
    }
    println!();
    println!("server RSS: {rss_idle} KiB after start, {rss_peak} KiB peak");
    println!(
        "audit chain: {} entries, intact: {}",
        report.entries,
        report.is_intact()
    );
    Ok(())
}
