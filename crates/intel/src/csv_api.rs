//! The CSV contract of `safehub link` and `safehub hotspots` (issue 4, A.5), as library
//! functions over any reader and writer so that the command line only opens files.
//!
//! - [`link_csv`]: `unique_id` plus any known columns in, `unique_id,cluster_id` out for
//!   every row; unknown columns are ignored and reported; unusable values (an impossible
//!   date) are left out of the comparison, counted and reported with their first row.
//! - [`explain_csv`]: the evidence for given pairs of `unique_id`s, as text.
//! - [`hotspots_csv`]: points in, one row per non-empty grid cell out.
//!
//! Errors name the 1-based data row and the column; nothing here panics on bad input.

use std::io::{Read, Write};
use std::time::Instant;

use crate::error::IntelError;
use crate::hotspots::{self, HotspotOptions, HotspotSummary, Point};
pub use crate::link_input::{InvalidValues, ReadReport, read_table};
use crate::linkage::{Explanation, LinkOptions, LinkStats, Linker, lap};

/// The outcome of [`link_csv`].
#[derive(Debug, Clone, PartialEq)]
pub struct LinkSummary {
    /// What was read.
    pub read: ReadReport,
    /// Counts from linking.
    pub stats: LinkStats,
}

fn write_err(e: impl std::fmt::Display) -> IntelError {
    IntelError::Io(e.to_string())
}

/// `safehub link`: reads mentions, resolves entities and writes `unique_id,cluster_id` for
/// every input row, in input order. The cluster id is the `unique_id` of the cluster's first
/// row.
pub fn link_csv(
    input: impl Read,
    output: impl Write,
    options: &LinkOptions,
) -> Result<LinkSummary, IntelError> {
    let mut clock = Instant::now();
    let (table, read) = read_table(input)?;
    let reading = lap(&mut clock);
    let linker = Linker::fit_table(table, options);
    let (labels, mut stats) = linker.cluster();
    stats.phases.reading = reading;
    clock = Instant::now();
    let mut writer = csv::Writer::from_writer(output);
    writer
        .write_record(["unique_id", "cluster_id"])
        .map_err(write_err)?;
    for (i, &label) in labels.iter().enumerate() {
        writer
            .write_record([linker.id(i as u32), linker.id(label)])
            .map_err(write_err)?;
    }
    writer.flush().map_err(write_err)?;
    stats.phases.writing = lap(&mut clock);
    Ok(LinkSummary { read, stats })
}

/// `safehub link --explain ID1 ID2 ...`: fits the linker on the input, then writes for each
/// pair why the two records do or do not match (evidence lines with weights) and whether the
/// final clustering put them together.
pub fn explain_csv(
    input: impl Read,
    pairs: &[(String, String)],
    mut output: impl Write,
    options: &LinkOptions,
) -> Result<Vec<Explanation>, IntelError> {
    let (table, _) = read_table(input)?;
    let linker = Linker::fit_table(table, options);
    for (a, b) in pairs {
        for id in [a, b] {
            if linker.position(id).is_none() {
                return Err(IntelError::InvalidOption(format!(
                    "no record with unique_id {id:?}"
                )));
            }
        }
    }
    let (labels, _) = linker.cluster();
    let mut out = Vec::new();
    for (a, b) in pairs {
        let (Some(i), Some(j)) = (linker.position(a), linker.position(b)) else {
            continue;
        };
        let mut e = linker.explain_pair(i, j);
        e.same_cluster = Some(labels[i as usize] == labels[j as usize]);
        write!(output, "{e}").map_err(write_err)?;
        out.push(e);
    }
    output.flush().map_err(write_err)?;
    Ok(out)
}

fn parse_coord(
    record: &csv::StringRecord,
    col: usize,
    name: &str,
    row: u64,
) -> Result<f64, IntelError> {
    let raw = record.get(col).unwrap_or("").trim();
    let v: f64 = raw.parse().map_err(|_| IntelError::BadValue {
        row,
        column: name.into(),
        message: format!("not a number: {raw:?}"),
    })?;
    if !v.is_finite() {
        return Err(IntelError::BadValue {
            row,
            column: name.into(),
            message: "not a finite number".into(),
        });
    }
    Ok(v)
}

/// Reads incidents for [`hotspots`](hotspots::hotspots): a CSV with `x,y` (British National
/// Grid metres) or `lat,lon` (WGS84 degrees, converted to BNG) and an optional `at`
/// timestamp. Rows with unusable coordinates or times are errors naming row and column.
pub fn read_points(input: impl Read) -> Result<Vec<Point>, IntelError> {
    let mut reader = csv::ReaderBuilder::new().from_reader(input);
    let headers = reader
        .headers()
        .map_err(|e| IntelError::from_csv(&e))?
        .clone();
    let find = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
    };
    let (coords, latlon) = match (
        find("x"),
        find("y"),
        find("lat"),
        find("lon").or_else(|| find("lng")),
    ) {
        (Some(x), Some(y), _, _) => ((x, y), false),
        (_, _, Some(lat), Some(lon)) => ((lat, lon), true),
        _ => {
            return Err(IntelError::MissingColumn {
                column: "x,y or lat,lon".into(),
                found: headers.iter().map(str::trim).collect::<Vec<_>>().join(","),
            });
        }
    };
    let at_col = find("at");
    let names = if latlon { ("lat", "lon") } else { ("x", "y") };
    let mut points = Vec::new();
    for (row, record) in reader.records().enumerate() {
        let row = row as u64 + 1;
        let record = record.map_err(|e| IntelError::from_csv(&e))?;
        let a = parse_coord(&record, coords.0, names.0, row)?;
        let b = parse_coord(&record, coords.1, names.1, row)?;
        let (x, y) = if latlon {
            if !(-90.0..=90.0).contains(&a) {
                return Err(IntelError::BadValue {
                    row,
                    column: "lat".into(),
                    message: format!("latitude {a} out of range"),
                });
            }
            if !(-180.0..=180.0).contains(&b) {
                return Err(IntelError::BadValue {
                    row,
                    column: "lon".into(),
                    message: format!("longitude {b} out of range"),
                });
            }
            hotspots::wgs84_to_bng(a, b)
        } else {
            (a, b)
        };
        if !hotspots::plausible_bng(x, y) {
            return Err(IntelError::BadValue {
                row,
                column: names.0.into(),
                message: format!("({x:.0}, {y:.0}) is outside the British National Grid"),
            });
        }
        let at =
            match at_col.map(|c| record.get(c).unwrap_or("").trim()) {
                None | Some("") => None,
                Some(raw) => Some(crate::normalise::parse_timestamp(raw).map_err(|e| {
                    IntelError::BadValue {
                        row,
                        column: "at".into(),
                        message: e.to_string(),
                    }
                })?),
            };
        points.push(Point { x, y, at });
    }
    if points.is_empty() {
        return Err(IntelError::Empty("no data rows".into()));
    }
    Ok(points)
}

/// `safehub hotspots`: reads points (`x,y` in British National Grid metres, or `lat,lon` in
/// WGS84 degrees, converted to BNG), an optional `at` timestamp, and writes
/// `cell_x,cell_y,count,gi_z,p_value` for every non-empty cell of a `cell_size_m` grid.
/// `cell_x, cell_y` are the BNG coordinates of the cell's south-west corner. The summary also
/// holds the counts by month, weekday and hour. Rows with unusable coordinates or times are
/// errors naming row and column.
pub fn hotspots_csv(
    input: impl Read,
    output: impl Write,
    cell_size_m: f64,
) -> Result<HotspotSummary, IntelError> {
    let points = read_points(input)?;
    let result = hotspots::hotspots(&points, &HotspotOptions { cell_size_m })?;
    let mut writer = csv::Writer::from_writer(output);
    writer
        .write_record(["cell_x", "cell_y", "count", "gi_z", "p_value"])
        .map_err(write_err)?;
    for c in &result.cells {
        writer
            .write_record([
                format!("{}", c.x),
                format!("{}", c.y),
                c.count.to_string(),
                format!("{:.12}", c.gi_z),
                format!("{:.6e}", c.p_value),
            ])
            .map_err(write_err)?;
    }
    writer.flush().map_err(write_err)?;
    Ok(result.summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_round_trip_and_report() {
        let input = "unique_id,first_name,surname,dob,phone,favourite_colour\n\
                     1,Jamal,Reid,2001-05-06,07700 900999,red\n\
                     2,Jay,Reid,,+44 7700 900999,blue\n\
                     3,Ann,Other,1999-02-30,,green\n";
        let mut out = Vec::new();
        let summary = link_csv(input.as_bytes(), &mut out, &LinkOptions::default()).expect("links");
        let text = String::from_utf8(out).expect("utf8");
        assert!(text.starts_with("unique_id,cluster_id\n"), "{text}");
        assert_eq!(text.lines().count(), 4);
        assert_eq!(summary.read.ignored_columns, vec!["favourite_colour"]);
        assert_eq!(summary.read.invalid_values.len(), 1);
        assert_eq!(summary.read.invalid_values[0].column, "dob");
        assert_eq!(summary.read.invalid_values[0].first_row, 3);
    }

    // Bad input: a clear error naming row and column, never a panic.
    #[test]
    fn bad_link_input() {
        let opts = LinkOptions::default();
        let err = |s: &str| {
            link_csv(s.as_bytes(), Vec::new(), &opts)
                .expect_err("error")
                .to_string()
        };
        assert!(err("").contains("empty"));
        assert!(err("unique_id,first_name\n").contains("no data rows"));
        assert!(err("first_name\nann\n").contains("unique_id"));
        assert!(err("unique_id,first_name\n1,ann\n2,bob,extra\n").contains("row 2"));
        let dup = err("unique_id,first_name\n1,ann\n1,bob\n");
        assert!(dup.contains("row 2") && dup.contains("unique_id"), "{dup}");
        assert!(err("unique_id,first_name\n,ann\n").contains("row 1, column `unique_id`"));
        let bytes: &[u8] = b"unique_id,first_name\n1,\xff\xfe\n";
        assert!(link_csv(bytes, Vec::new(), &opts).is_err());
    }

    #[test]
    fn explain_pairs() {
        let input = "unique_id,first_name,surname,phone\n1,Jamal,Reid,07700 900999\n2,Jay,Reid,+447700900999\n";
        let mut out = Vec::new();
        let pairs = vec![("1".to_owned(), "2".to_owned())];
        let ex = explain_csv(input.as_bytes(), &pairs, &mut out, &LinkOptions::default())
            .expect("explains");
        assert_eq!(ex.len(), 1);
        let text = String::from_utf8(out).expect("utf8");
        assert!(text.contains("nickname jamal ~ jay"), "{text}");
        let bad = vec![("1".to_owned(), "9".to_owned())];
        assert!(explain_csv(input.as_bytes(), &bad, Vec::new(), &LinkOptions::default()).is_err());
    }
}
