//! Benchmark runner: `cargo run --release -p safehub-intel --example hotspots_file -- IN.csv
//! CELL_METRES OUT.csv` runs [`safehub_intel::hotspots_csv`] and prints the summary and the
//! wall time to standard error.

use std::fs::File;
use std::io::{BufReader, BufWriter};
use std::time::Instant;

use safehub_intel::hotspots_csv;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, input, cell, output] = args.as_slice() else {
        return Err("usage: hotspots_file INPUT.csv CELL_METRES OUTPUT.csv".into());
    };
    let cell: f64 = cell.parse()?;
    let start = Instant::now();
    let summary = hotspots_csv(
        BufReader::new(File::open(input)?),
        BufWriter::new(File::create(output)?),
        cell,
    )?;
    let elapsed = start.elapsed().as_secs_f64();
    eprintln!("{summary:#?}");
    eprintln!("hotspots_seconds={elapsed:.3}");
    Ok(())
}
