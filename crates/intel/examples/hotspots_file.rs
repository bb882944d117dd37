//! Benchmark runner: `cargo run --release -p safehub-intel --example hotspots_file -- IN.csv
//! CELL_METRES OUT.csv` runs [`safehub_intel::hotspots_csv`] and prints the summary and the
//! wall time to standard error; then, to compare like with like with esda's timed part,
//! the time to read the points alone and to grid them and compute Gi* alone.

use std::fs::File;
use std::io::{BufReader, BufWriter};
use std::time::Instant;

use safehub_intel::{HotspotOptions, hotspots, hotspots_csv, read_points};

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
    let start = Instant::now();
    let points = read_points(BufReader::new(File::open(input)?))?;
    let read = start.elapsed().as_secs_f64();
    let start = Instant::now();
    let result = hotspots(&points, &HotspotOptions { cell_size_m: cell })?;
    let compute = start.elapsed().as_secs_f64();
    eprintln!(
        "read_seconds={read:.3} grid_and_gi_seconds={compute:.4} cells={}",
        result.cells.len()
    );
    Ok(())
}
