//! `safehub postcodes load FILE.csv`: where postcodes are, for the hotspot map (WM-27.1).
//! The file is a postcode directory in CSV with a header naming the columns `postcode`,
//! `easting` and `northing` (British National Grid metres; `eastings` and `northings`, as
//! Ordnance Survey's Code-Point Open writes them, are accepted too). Other columns are
//! ignored. A file with any bad row is refused whole, naming the row and column, so that
//! nothing is half loaded.

use std::io::Read;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::Subcommand;
use safehub_intel::normalise::normalise_postcode;
use safehub_store::Store;
use safehub_store::audit::{self, RecordKind};
use safehub_store::intelligence::analysis;
use safehub_store::{AuditAction, AuditOutcome, NewAuditEntry};

/// Postcode directory commands.
#[derive(Subcommand)]
pub enum PostcodeCommand {
    /// Load (or replace) postcode locations from a CSV file.
    Load {
        /// The CSV file.
        file: PathBuf,
    },
    /// Say how many postcode locations are held.
    Count,
}

/// Runs a postcode command.
pub async fn run(store: &Store, cmd: PostcodeCommand) -> Result<()> {
    match cmd {
        PostcodeCommand::Load { file } => {
            let reader = std::fs::File::open(&file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            let rows = parse_locations(reader)
                .with_context(|| format!("{} was not loaded", file.display()))?;
            let mut tx = store.begin().await?;
            let n = analysis::load_postcode_locations(&mut tx, &rows).await?;
            audit::append(
                &mut tx,
                &[NewAuditEntry {
                    actor_user: None,
                    actor_role: "system".to_owned(),
                    actor_agency: None,
                    action: AuditAction::Change,
                    record_kind: RecordKind::IntelAnalysis,
                    record_id: None,
                    outcome: AuditOutcome::Allowed,
                    policies: String::new(),
                    client: "cli".to_owned(),
                    detail: serde_json::json!({ "postcode_locations_loaded": n }),
                }],
            )
            .await?;
            tx.commit().await?;
            println!("Loaded {n} postcode locations.");
        }
        PostcodeCommand::Count => {
            println!(
                "{} postcode locations are held.",
                store.count_postcode_locations().await?
            );
        }
    }
    Ok(())
}

/// Reads postcode locations: (postcode as `B1 1AA`, easting, northing). The first bad row
/// is an error naming its row (1 is the header) and column.
pub fn parse_locations(reader: impl Read) -> Result<Vec<(String, i64, i64)>> {
    let mut csv = csv::ReaderBuilder::new().flexible(true).from_reader(reader);
    let headers = csv
        .headers()
        .context("row 1: the header cannot be read")?
        .clone();
    let find = |names: &[&str]| {
        headers
            .iter()
            .position(|h| names.contains(&h.trim().to_ascii_lowercase().as_str()))
    };
    let (Some(pc), Some(ex), Some(ny)) = (
        find(&["postcode"]),
        find(&["easting", "eastings"]),
        find(&["northing", "northings"]),
    ) else {
        bail!("row 1: the header must name the columns postcode, easting and northing");
    };
    let mut out = Vec::new();
    for (i, record) in csv.records().enumerate() {
        let row = i + 2;
        let record = record.with_context(|| format!("row {row}: not valid CSV"))?;
        let cell = |k: usize, column: &str| -> Result<String> {
            record
                .get(k)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
                .with_context(|| format!("row {row}, column {column}: empty"))
        };
        let raw = cell(pc, "postcode")?;
        let postcode = normalise_postcode(&raw)
            .filter(|p| p.sector.is_some())
            .with_context(|| {
                format!("row {row}, column postcode: {raw:?} is not a full UK postcode")
            })?
            .full;
        let metres = |k: usize, column: &str, max: i64| -> Result<i64> {
            let v = cell(k, column)?;
            let n: f64 = v
                .parse()
                .ok()
                .filter(|n: &f64| n.is_finite())
                .with_context(|| format!("row {row}, column {column}: {v:?} is not a number"))?;
            if !(0.0..=max as f64).contains(&n) {
                bail!(
                    "row {row}, column {column}: {v} is outside Great Britain (0 to {max} metres)"
                );
            }
            Ok(n.round() as i64)
        };
        let easting = metres(ex, "easting", 700_000)?;
        let northing = metres(ny, "northing", 1_300_000)?;
        out.push((postcode, easting, northing));
    }
    if out.is_empty() {
        bail!("the file holds no postcodes");
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_directory_and_names_the_first_bad_row_and_column() {
        let good = "Postcode,Positional_quality_indicator,Eastings,Northings\n\
                    zz11aa,10,407120,286430\nZZ1 2AB,10,407480.4,286910\n";
        assert_eq!(
            parse_locations(good.as_bytes()).expect("good"),
            vec![
                ("ZZ1 1AA".to_owned(), 407_120, 286_430),
                ("ZZ1 2AB".to_owned(), 407_480, 286_910),
            ]
        );
        let cases = [
            ("postcode,x,y\nZZ1 1AA,1,2\n", "row 1: the header must name"),
            (
                "postcode,easting,northing\nZZ1,1,2\n",
                "row 2, column postcode",
            ),
            (
                "postcode,easting,northing\nZZ1 1AA,1,2\nZZ1 1AB,east,2\n",
                "row 3, column easting",
            ),
            (
                "postcode,easting,northing\nZZ1 1AA,1,9999999\n",
                "row 2, column northing: 9999999 is outside",
            ),
            (
                "postcode,easting,northing\nZZ1 1AA,,2\n",
                "row 2, column easting: empty",
            ),
            ("postcode,easting,northing\n", "no postcodes"),
        ];
        for (text, expected) in cases {
            let e = format!("{:#}", parse_locations(text.as_bytes()).expect_err(text));
            assert!(e.contains(expected), "{text:?}: {e}");
        }
    }
}
