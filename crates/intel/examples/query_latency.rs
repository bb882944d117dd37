//! Benchmark runner: `cargo run --release -p safehub-intel --example query_latency -- IN.csv
//! [QUERIES]` fits the linker on every mention of IN.csv but the last QUERIES (default
//! 1,000), then links each held-back mention, one at a time, against that index with
//! [`safehub_intel::Linker::query`] (WM-25.1: a new piece of information checked against
//! everything known) and prints the fit time, the peak of the index, and the latency of one
//! query: median, 99th percentile and worst, in milliseconds, to standard error.

use std::fs::File;
use std::io::BufReader;
use std::time::Instant;

use safehub_intel::{LinkOptions, Linker, Table, read_table};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (input, queries) = match args.as_slice() {
        [_, input] => (input, 1_000),
        [_, input, n] => (input, n.parse()?),
        _ => return Err("usage: query_latency INPUT.csv [QUERIES]".into()),
    };
    let (all, report) = read_table(BufReader::new(File::open(input)?))?;
    if all.len() <= queries {
        return Err(format!(
            "{input} has {} mentions; need more than {queries}",
            all.len()
        )
        .into());
    }
    let kept = all.len() - queries;
    let held_back: Vec<_> = (kept..all.len()).map(|i| all.mention(i)).collect();
    let mut index = Table::new();
    for i in 0..kept {
        index.push(&all.mention(i));
    }
    drop(all);
    eprintln!("read {} rows", report.rows);
    let start = Instant::now();
    let linker = Linker::fit_table(index, &LinkOptions::default());
    let fit = start.elapsed().as_secs_f64();
    let mut times = Vec::with_capacity(queries);
    let mut found = 0usize;
    for m in &held_back {
        let start = Instant::now();
        let hits = linker.query(m);
        times.push(start.elapsed().as_secs_f64() * 1e3);
        found += usize::from(!hits.is_empty());
    }
    times.sort_by(f64::total_cmp);
    let at = |q: f64| times[((times.len() as f64 - 1.0) * q).round() as usize];
    eprintln!("index_mentions={}", linker.len());
    eprintln!("fit_seconds={fit:.3}");
    eprintln!("queries={queries} with_a_match={found}");
    eprintln!(
        "query_ms median={:.3} p99={:.3} max={:.3}",
        at(0.5),
        at(0.99),
        times[times.len() - 1]
    );
    Ok(())
}
