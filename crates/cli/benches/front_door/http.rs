//! The HTTP side of the front-door benchmark: signing in through the pages, page load from
//! concurrent keep-alive clients, screening submissions over the API, and the server's
//! memory and CPU from `/proc`.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use safehub_domain::ChildId;
use safehub_domain::screening::ScreeningTool;

use super::Result;
use super::setup::answers_json;

/// A memory figure of the process from `/proc` (`VmRSS:`, `VmHWM:`), in KiB.
pub(super) fn memory_kib(pid: u32, field: &str) -> u64 {
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

/// Latencies of one load run, and what went wrong.
pub(super) struct Run {
    pub(super) label: String,
    pub(super) ok: usize,
    pub(super) errors: u64,
    pub(super) elapsed: Duration,
    pub(super) latencies: Vec<Duration>,
    /// Server CPU seconds used while measuring, when the server is another process.
    pub(super) server_cpu: Option<f64>,
}

impl Run {
    fn pct(&self, p: f64) -> f64 {
        let l = &self.latencies;
        l.get(((l.len() as f64 * p) as usize).min(l.len().saturating_sub(1)))
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    }

    pub(super) fn row(&self) -> String {
        let cpu = self.server_cpu.map_or_else(
            || "-".to_owned(),
            |s| format!("{:.1} ms", s * 1000.0 / self.ok.max(1) as f64),
        );
        format!(
            "| {} | {:.0} | {:.1} ms | {:.1} ms | {:.1} ms | {:.1} ms | {cpu} | {} ok, {} errors |",
            self.label,
            self.ok as f64 / self.elapsed.as_secs_f64(),
            self.pct(0.50),
            self.pct(0.95),
            self.pct(0.99),
            self.pct(1.0),
            self.ok,
            self.errors
        )
    }
}

/// `clients` keep-alive clients request `path` as the signed-in `sessions` in turn; a
/// response counts only if it is 200 and contains `marker`.
#[allow(clippy::too_many_arguments)]
pub(super) async fn load(
    server: u32,
    base: &str,
    path: &str,
    sessions: &[String],
    clients: usize,
    marker: &'static str,
    warmup: u64,
    seconds: u64,
) -> Result<Run> {
    let running = Arc::new(AtomicBool::new(true));
    let measuring = Arc::new(AtomicBool::new(false));
    let mut tasks = Vec::new();
    for c in 0..clients {
        let cookie = sessions[c % sessions.len()].clone();
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        let url = format!("{base}{path}");
        let (running, measuring) = (running.clone(), measuring.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0u64;
            while running.load(Ordering::Relaxed) {
                let started = Instant::now();
                let ok = match client.get(&url).header("cookie", &cookie).send().await {
                    Ok(r) if r.status().as_u16() == 200 => {
                        r.text().await.is_ok_and(|b| b.contains(marker))
                    }
                    _ => false,
                };
                if measuring.load(Ordering::Relaxed) {
                    if ok {
                        latencies.push(started.elapsed());
                    } else {
                        errors += 1;
                    }
                }
            }
            (latencies, errors)
        }));
    }
    tokio::time::sleep(Duration::from_secs(warmup)).await;
    measuring.store(true, Ordering::Relaxed);
    let cpu_before = cpu_seconds(server);
    let started = Instant::now();
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    measuring.store(false, Ordering::Relaxed);
    let elapsed = started.elapsed();
    let server_cpu = cpu_seconds(server) - cpu_before;
    running.store(false, Ordering::Relaxed);
    let mut run = Run {
        label: format!("`GET {path}`, {clients} clients"),
        ok: 0,
        errors: 0,
        elapsed,
        latencies: Vec::new(),
        server_cpu: Some(server_cpu),
    };
    for t in tasks {
        let (l, e) = t.await?;
        run.latencies.extend(l);
        run.errors += e;
    }
    run.latencies.sort();
    run.ok = run.latencies.len();
    Ok(run)
}

/// Screenings submitted over the API by `clients` concurrent clients for `seconds`.
pub(super) async fn api_submissions(
    server: u32,
    base: &str,
    token: &str,
    children: &[ChildId],
    tool: &ScreeningTool,
    clients: usize,
    seconds: u64,
) -> Result<Run> {
    let mut answers = serde_json::Map::new();
    let parsed: serde_json::Value = serde_json::from_str(&answers_json(tool))?;
    if let serde_json::Value::Object(m) = parsed {
        answers = m;
    }
    let body = serde_json::json!({
        "answers": answers,
        "signs_not_words": "Withdrawn and tired in lessons.",
        "adviser_consulted": "Designated safeguarding adviser",
        "adviser_consulted_on": safehub_domain::london_date(jiff::Timestamp::now()).to_string(),
        "summary": "New older friends, unexplained gifts and a second phone.",
    })
    .to_string();
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let children = Arc::new(children.to_vec());
    let mut tasks = Vec::new();
    let started = Instant::now();
    for c in 0..clients {
        let client = reqwest::Client::new();
        let (base, token, body, children) = (
            base.to_owned(),
            token.to_owned(),
            body.clone(),
            children.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0u64;
            let mut i = c * 13;
            while Instant::now() < deadline {
                let child = children[i % children.len()];
                i += 1;
                let t = Instant::now();
                let resp = client
                    .post(format!("{base}/api/v1/children/{child}/screenings"))
                    .bearer_auth(&token)
                    .header("idempotency-key", uuid::Uuid::new_v4().to_string())
                    .header("content-type", "application/json")
                    .body(body.clone())
                    .send()
                    .await;
                match resp {
                    Ok(r) if r.status().as_u16() == 201 => {
                        if r.bytes().await.is_ok() {
                            latencies.push(t.elapsed());
                        } else {
                            errors += 1;
                        }
                    }
                    other => {
                        errors += 1;
                        if errors == 1 {
                            let what = match other {
                                Ok(r) => format!(
                                    "{}: {}",
                                    r.status(),
                                    r.text().await.unwrap_or_default()
                                ),
                                Err(e) => e.to_string(),
                            };
                            eprintln!("API submission refused: {what}");
                        }
                    }
                }
            }
            (latencies, errors)
        }));
    }
    let cpu_before = cpu_seconds(server);
    let mut run = Run {
        label: format!("API `POST .../screenings`, {clients} clients"),
        ok: 0,
        errors: 0,
        elapsed: Duration::ZERO,
        latencies: Vec::new(),
        server_cpu: None,
    };
    for t in tasks {
        let (l, e) = t.await?;
        run.latencies.extend(l);
        run.errors += e;
    }
    run.elapsed = started.elapsed();
    run.server_cpu = Some(cpu_seconds(server) - cpu_before);
    run.latencies.sort();
    run.ok = run.latencies.len();
    Ok(run)
}
