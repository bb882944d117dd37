//! The analysts' commands over files: `safehub link` (entity resolution) and
//! `safehub hotspots` (Getis-Ord Gi*). They need no database and touch nothing but the
//! files named.

use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::Args;
use safehub_intel::{LinkOptions, ReadReport, explain_csv, hotspots_csv, link_csv};

/// `safehub link`.
#[derive(Args)]
pub struct LinkArgs {
    /// CSV with `unique_id` and any of first_name, surname, nickname, full_name, dob, gender,
    /// phone, email, vrm, make, model, colour, address, postcode, city, birth_place,
    /// occupation, national_id.
    #[arg(long)]
    input: PathBuf,
    /// Where to write `unique_id,cluster_id` for every input row (must not exist).
    #[arg(long, required_unless_present = "explain")]
    output: Option<PathBuf>,
    /// Explain why records do or do not match, in pairs: `--explain ID1 ID2 [ID3 ID4 ...]`.
    #[arg(long, num_args = 2.., value_name = "ID")]
    explain: Option<Vec<String>>,
}

/// `safehub hotspots`.
#[derive(Args)]
pub struct HotspotArgs {
    /// CSV with `x,y` (metres, British National Grid) or `lat,lon`, and optionally `at`.
    #[arg(long)]
    input: PathBuf,
    /// Grid cell size in metres.
    #[arg(long)]
    cell_size: f64,
    /// Where to write `cell_x,cell_y,count,gi_z,p_value` (must not exist).
    #[arg(long)]
    output: PathBuf,
}

fn open(path: &Path) -> Result<BufReader<File>> {
    Ok(BufReader::new(File::open(path).with_context(|| {
        format!("cannot open {}", path.display())
    })?))
}

fn create(path: &Path) -> Result<BufWriter<File>> {
    let file = File::options()
        .write(true)
        .create_new(true)
        .open(path)
        .with_context(|| {
            format!(
                "cannot create {} (it must not exist already)",
                path.display()
            )
        })?;
    Ok(BufWriter::new(file))
}

fn report_read(read: &ReadReport) {
    eprintln!(
        "Read {} rows. Columns used: {}.",
        read.rows,
        read.used_columns.join(", ")
    );
    if !read.ignored_columns.is_empty() {
        eprintln!(
            "Columns ignored (not part of the input contract): {}.",
            read.ignored_columns.join(", ")
        );
    }
    for bad in &read.invalid_values {
        eprintln!(
            "Column {}: {} unusable value(s) left out of the comparison; first at row {}: {}.",
            bad.column, bad.count, bad.first_row, bad.reason
        );
    }
}

/// Runs `safehub link`.
pub fn link(args: LinkArgs) -> Result<()> {
    let options = LinkOptions::default();
    if let Some(ids) = args.explain {
        if ids.len() % 2 != 0 {
            bail!("--explain takes record ids in pairs");
        }
        let pairs: Vec<(String, String)> = ids
            .chunks(2)
            .map(|p| (p[0].clone(), p[1].clone()))
            .collect();
        let stdout = std::io::stdout();
        explain_csv(open(&args.input)?, &pairs, stdout.lock(), &options)?;
        return Ok(());
    }
    let output = args.output.context("--output is required")?;
    let mut out = create(&output)?;
    let summary = match link_csv(open(&args.input)?, &mut out, &options) {
        Ok(s) => s,
        Err(e) => {
            drop(out);
            let _ = std::fs::remove_file(&output);
            return Err(e.into());
        }
    };
    out.flush()?;
    report_read(&summary.read);
    let s = &summary.stats;
    eprintln!(
        "Linked {} records into {} clusters ({} candidate pairs compared, {} links refused as conflicting). Wrote {}.",
        s.mentions,
        s.clusters,
        s.candidate_pairs,
        s.links_refused,
        output.display()
    );
    Ok(())
}

/// Runs `safehub hotspots`.
pub fn hotspots(args: HotspotArgs) -> Result<()> {
    let mut out = create(&args.output)?;
    let summary = match hotspots_csv(open(&args.input)?, &mut out, args.cell_size) {
        Ok(s) => s,
        Err(e) => {
            drop(out);
            let _ = std::fs::remove_file(&args.output);
            return Err(e.into());
        }
    };
    out.flush()?;
    eprintln!(
        "{} points on a {} x {} grid of {} m cells; {} cells hold at least one. Wrote {}.",
        summary.points,
        summary.columns,
        summary.rows,
        args.cell_size,
        summary.non_empty_cells,
        args.output.display()
    );
    let months = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    if summary.without_date < summary.points {
        let by_month: Vec<String> = months
            .iter()
            .zip(summary.by_month)
            .map(|(m, n)| format!("{m} {n}"))
            .collect();
        let by_day: Vec<String> = days
            .iter()
            .zip(summary.by_weekday)
            .map(|(d, n)| format!("{d} {n}"))
            .collect();
        let by_hour: Vec<String> = summary
            .by_hour
            .iter()
            .enumerate()
            .map(|(h, n)| format!("{h:02} {n}"))
            .collect();
        eprintln!("By month:   {}", by_month.join(", "));
        eprintln!("By weekday: {}", by_day.join(", "));
        eprintln!("By hour:    {}", by_hour.join(", "));
    }
    Ok(())
}
