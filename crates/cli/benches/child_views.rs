//! Authorised, audited child-page views per second against a real `safehub serve` on
//! SQLite with the demo region loaded: 64 concurrent keep-alive connections, each signed in
//! as a MASH worker, each request a different child's summary page. Every view is decided by
//! the Cedar policies and durably written to the audit chain before the page is sent.
//!
//! Run with `cargo bench -p safehub --bench child_views`; settings by environment:
//! `BENCH_CONNECTIONS` (64), `BENCH_SECONDS` (20), `BENCH_WARMUP_SECONDS` (3), and
//! `BENCH_CLIENT=wrk` to generate the load with `wrk` (Debian package) instead of the
//! built-in Rust client; `wrk` uses less CPU, leaving more of the 2 cores to the server.
//! Results are recorded in `bench/README.md`.

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use safehub_domain::Role;
use safehub_store::Store;

#[path = "support/sign_in.rs"]
mod sign_in_support;

use sign_in_support::{Result, sign_in};

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn memory_kib(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

/// CPU seconds (user + system) the process has used; Linux reports clock ticks of 1/100 s.
fn cpu_seconds(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| {
            let after = s.rsplit_once(')')?.1;
            let f: Vec<&str> = after.split_whitespace().collect();
            Some((f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?) / 100.0)
        })
        .unwrap_or(0.0)
}

#[tokio::main]
async fn main() -> Result {
    let connections = env_or("BENCH_CONNECTIONS", 64) as usize;
    let seconds = env_or("BENCH_SECONDS", 20);
    let warmup = env_or("BENCH_WARMUP_SECONDS", 3);
    let dir = tempfile::tempdir()?;
    let url = format!("sqlite://{}", dir.path().join("bench.sqlite3").display());
    let bin = env!("CARGO_BIN_EXE_safehub");
    let seeded = Command::new(bin)
        .args(["demo", "--seed-only"])
        .env("SAFEHUB_DATABASE_URL", &url)
        .output()?;
    if !seeded.status.success() {
        return Err(String::from_utf8_lossy(&seeded.stderr).into_owned().into());
    }

    // Sessions and the children each may see, chosen from the demo data.
    let store = Store::connect(&url).await?;
    let areas: Vec<_> = store.areas().await?.iter().map(|a| a.id).collect();
    let workers: Vec<_> = store
        .users_in_areas(&areas)
        .await?
        .into_iter()
        .filter(|u| u.roles == [Role::MashWorker])
        .take(16)
        .collect();
    let mut plans = Vec::new();
    for w in &workers {
        let agency = store.agency(w.agency).await?;
        let ids: Vec<String> = store
            .candidate_children(agency.id, &agency.areas, 1000)
            .await?
            .iter()
            .map(|(c, _)| c.id.to_string())
            .collect();
        plans.push((w.email.clone(), ids));
    }
    let audit_before = store.verify_audit().await?.entries;
    store.close().await;

    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    drop(listener);
    let server = Server(
        Command::new(bin)
            .args(["serve", "--listen", &addr.to_string()])
            .env("SAFEHUB_DATABASE_URL", &url)
            .env("SAFEHUB_LOG", "warn")
            // The deployment setting the README recommends: two glibc malloc arenas keep
            // the resident size of a busy server from being inflated by fragmentation.
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
        .pool_max_idle_per_host(connections)
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
    let mut sessions = Vec::new();
    for (email, ids) in &plans {
        sessions.push((sign_in(&http, &base, email).await?, Arc::new(ids.clone())));
    }

    if std::env::var("BENCH_CLIENT").as_deref() == Ok("wrk") {
        let (cookie, ids) = &sessions[0];
        let script = dir.path().join("views.lua");
        let list = ids
            .iter()
            .map(|id| format!("\"{id}\""))
            .collect::<Vec<_>>()
            .join(",");
        std::fs::write(
            &script,
            format!(
                "local ids = {{{list}}}\nlocal i = 0\nrequest = function()\n  i = i + 1\n  return wrk.format(\"GET\", \"/children/\" .. ids[(i % #ids) + 1])\nend\n"
            ),
        )?;
        let run = |secs: u64| {
            Command::new("wrk")
                .args([
                    "-t2",
                    &format!("-c{connections}"),
                    &format!("-d{secs}s"),
                    "--latency",
                    "-H",
                ])
                .arg(format!("Cookie: {cookie}"))
                .arg("-s")
                .arg(&script)
                .arg(&base)
                .output()
        };
        run(warmup)?;
        let cpu_before = cpu_seconds(server.0.id());
        let out = run(seconds)?;
        let server_cpu = cpu_seconds(server.0.id()) - cpu_before;
        let rss_peak = memory_kib(server.0.id(), "VmHWM:");
        drop(server);
        let store = Store::connect(&url).await?;
        let report = store.verify_audit().await?;
        println!(
            "child page views, SQLite (synchronous=FULL), {connections} connections, load from wrk, {seconds} s after {warmup} s warm-up"
        );
        println!("{}", String::from_utf8_lossy(&out.stdout));
        println!(
            "  server CPU:   {:.2} cores busy on average",
            server_cpu / seconds as f64
        );
        println!(
            "  server RSS:   {rss_idle} KiB after start with the demo region, {rss_peak} KiB peak"
        );
        println!(
            "  audit chain:  {} entries, chain intact: {}",
            report.entries - audit_before,
            report.is_intact()
        );
        return Ok(());
    }

    let running = Arc::new(AtomicBool::new(true));
    let measuring = Arc::new(AtomicBool::new(false));
    let mut tasks = Vec::new();
    for c in 0..connections {
        let (cookie, ids) = sessions[c % sessions.len()].clone();
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        let (base, running, measuring) = (base.clone(), running.clone(), measuring.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0u64;
            let mut i = c * 7;
            while running.load(Ordering::Relaxed) {
                let id = &ids[i % ids.len()];
                i += 1;
                let started = Instant::now();
                let ok = match client
                    .get(format!("{base}/children/{id}"))
                    .header("cookie", &cookie)
                    .send()
                    .await
                {
                    Ok(r) => r.status().as_u16() == 200 && r.bytes().await.is_ok(),
                    Err(_) => false,
                };
                if measuring.load(Ordering::Relaxed) {
                    if ok {
                        latencies.push(started.elapsed())
                    } else {
                        errors += 1
                    }
                }
            }
            (latencies, errors)
        }));
    }
    tokio::time::sleep(Duration::from_secs(warmup)).await;
    measuring.store(true, Ordering::Relaxed);
    let cpu_before = cpu_seconds(server.0.id());
    let started = Instant::now();
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    measuring.store(false, Ordering::Relaxed);
    let elapsed = started.elapsed();
    let server_cpu = cpu_seconds(server.0.id()) - cpu_before;
    running.store(false, Ordering::Relaxed);
    let mut all = Vec::new();
    let mut errors = 0;
    for t in tasks {
        let (l, e) = t.await?;
        all.extend(l);
        errors += e;
    }
    let rss_peak = memory_kib(server.0.id(), "VmHWM:");
    let rss_now = memory_kib(server.0.id(), "VmRSS:");
    drop(server);
    all.sort();
    let pct = |p: f64| {
        all.get(((all.len() as f64 * p) as usize).min(all.len().saturating_sub(1)))
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    let store = Store::connect(&url).await?;
    let report = store.verify_audit().await?;
    println!(
        "child page views, SQLite (synchronous=FULL), {connections} connections, {seconds} s measured after {warmup} s warm-up"
    );
    println!("  views:        {} ok, {errors} errors", all.len());
    println!(
        "  throughput:   {:.0} views/s",
        all.len() as f64 / elapsed.as_secs_f64()
    );
    println!(
        "  latency:      p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        pct(0.50),
        pct(0.90),
        pct(0.99),
        pct(1.0)
    );
    println!(
        "  server CPU:   {:.2} cores busy on average, {:.3} ms of CPU per view (the load generator shares the 2 cores)",
        server_cpu / elapsed.as_secs_f64(),
        server_cpu * 1000.0 / all.len().max(1) as f64
    );
    println!(
        "  server RSS:   {} KiB after start with the demo region, {} KiB at the end, {} KiB peak",
        rss_idle, rss_now, rss_peak
    );
    println!(
        "  audit chain:  {} entries written during the run, chain intact: {}",
        report.entries - audit_before,
        report.is_intact()
    );
    Ok(())
}
