//! Benchmark runner: `cargo run --release -p safehub-intel --example link_file -- IN.csv OUT.csv`
//! runs [`safehub_intel::link_csv`] with the default options (the one configuration used for
//! every data set) and prints the summary and the wall time to standard error.
//!
//! For diagnosis only, `INTEL_THRESHOLD`, `INTEL_EM_ITERATIONS`, `INTEL_MAX_BLOCK` and
//! `INTEL_CONFLICT` override
//! the defaults; recorded results never set them.

use std::fs::File;
use std::io::{BufReader, BufWriter};
use std::time::Instant;

use safehub_intel::{LinkOptions, link_csv};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, input, output] = args.as_slice() else {
        return Err("usage: link_file INPUT.csv OUTPUT.csv".into());
    };
    let mut options = LinkOptions::default();
    if let Ok(v) = std::env::var("INTEL_THRESHOLD") {
        options.threshold = v.parse()?;
    }
    if let Ok(v) = std::env::var("INTEL_EM_ITERATIONS") {
        options.em_iterations = v.parse()?;
    }
    if let Ok(v) = std::env::var("INTEL_MAX_BLOCK") {
        options.max_block = v.parse()?;
    }
    if let Ok(v) = std::env::var("INTEL_CONFLICT") {
        options.conflict_log2_odds = v.parse()?;
    }
    let start = Instant::now();
    let summary = link_csv(
        BufReader::new(File::open(input)?),
        BufWriter::new(File::create(output)?),
        &options,
    )?;
    let elapsed = start.elapsed().as_secs_f64();
    eprintln!("{summary:#?}");
    eprintln!("link_seconds={elapsed:.3}");
    Ok(())
}
