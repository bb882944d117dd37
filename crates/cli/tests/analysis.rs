//! `safehub link` and `safehub hotspots`: the file contract analysts and benchmarks use
//! (R5.2, R7.2, WM-27.1).

use std::process::Command;

type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

fn safehub(args: &[&str]) -> std::io::Result<std::process::Output> {
    Command::new(env!("CARGO_BIN_EXE_safehub"))
        .args(args)
        .output()
}

#[test]
fn link_writes_a_cluster_for_every_row_and_says_what_it_ignored() -> Result {
    let dir = tempfile::tempdir()?;
    let input = dir.path().join("mentions.csv");
    // The pair to find among a crowd of distinct people, as an analyst's extract would be.
    let given = [
        "Amara", "Bethany", "Caleb", "Dylan", "Ellie", "Farah", "Grace", "Harvey", "Imani", "Kira",
    ];
    let family = [
        "Ashdown",
        "Brightwell",
        "Carrow",
        "Dunmore",
        "Elmstead",
        "Fairholme",
        "Greaves",
        "Hollin",
    ];
    let mut csv = String::from("unique_id,first_name,surname,nickname,phone,vrm,shoe_size\n");
    csv.push_str("a1,Jamal,Okoro,Jay,07700 900123,AB12 CDE,9\n");
    csv.push_str("a2,Jay,Okoro,,+44 7700 900123,AB12CDE,\n");
    for (i, g) in given.iter().enumerate() {
        for (j, f) in family.iter().enumerate() {
            let n = i * family.len() + j;
            csv.push_str(&format!("p{n},{g},{f},,07700 9{n:05},K{n:02} ABC,\n"));
        }
    }
    std::fs::write(&input, csv)?;
    let output = dir.path().join("clusters.csv");
    let out = safehub(&[
        "link",
        "--input",
        input.to_str().ok_or("path")?,
        "--output",
        output.to_str().ok_or("path")?,
    ])?;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("shoe_size"),
        "ignored columns are reported: {stderr}"
    );
    let written = std::fs::read_to_string(&output)?;
    let rows: Vec<&str> = written.lines().collect();
    assert_eq!(rows[0], "unique_id,cluster_id");
    assert_eq!(rows.len(), 83, "one row per input record");
    let cluster = |id: &str| {
        rows.iter()
            .find(|r| r.starts_with(&format!("{id},")))
            .and_then(|r| r.split(',').nth(1))
            .map(str::to_owned)
    };
    assert_eq!(
        cluster("a1"),
        cluster("a2"),
        "Jay ~ Jamal with the same phone and plate"
    );
    assert_ne!(cluster("a1"), cluster("p0"));
    assert_ne!(cluster("p0"), cluster("p1"));

    let explained = safehub(&[
        "link",
        "--input",
        input.to_str().ok_or("path")?,
        "--explain",
        "a1",
        "a2",
    ])?;
    assert!(explained.status.success());
    let text = String::from_utf8_lossy(&explained.stdout).to_lowercase();
    assert!(text.contains("phone"), "{text}");
    Ok(())
}

#[test]
fn link_refuses_bad_input_clearly_and_writes_nothing() -> Result {
    let dir = tempfile::tempdir()?;
    let input = dir.path().join("bad.csv");
    std::fs::write(&input, "first_name,surname\nA,B\n")?;
    let output = dir.path().join("out.csv");
    let out = safehub(&[
        "link",
        "--input",
        input.to_str().ok_or("path")?,
        "--output",
        output.to_str().ok_or("path")?,
    ])?;
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unique_id"));
    assert!(!output.exists(), "no half-written output");
    let empty = dir.path().join("empty.csv");
    std::fs::write(&empty, "")?;
    let out = safehub(&[
        "link",
        "--input",
        empty.to_str().ok_or("path")?,
        "--output",
        output.to_str().ok_or("path")?,
    ])?;
    assert_eq!(out.status.code(), Some(2));
    Ok(())
}

#[test]
fn hotspots_finds_the_planted_cluster() -> Result {
    let dir = tempfile::tempdir()?;
    let input = dir.path().join("points.csv");
    let mut csv = String::from("x,y,at\n");
    // A regular background across a 2 km square, and a dense cluster in one cell.
    for i in 0..20 {
        for j in 0..20 {
            csv.push_str(&format!(
                "{},{},2026-0{}-1{}T22:30:00Z\n",
                400_000 + i * 100 + 50,
                300_000 + j * 100 + 50,
                1 + (i % 9),
                j % 10
            ));
        }
    }
    for k in 0..60 {
        csv.push_str(&format!(
            "{},{},2026-07-04T23:15:00Z\n",
            401_010 + k % 7,
            301_020 + k % 5
        ));
    }
    std::fs::write(&input, csv)?;
    let output = dir.path().join("cells.csv");
    let out = safehub(&[
        "hotspots",
        "--input",
        input.to_str().ok_or("path")?,
        "--cell-size",
        "100",
        "--output",
        output.to_str().ok_or("path")?,
    ])?;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&output)?;
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("cell_x,cell_y,count,gi_z,p_value"));
    let hottest = lines
        .filter_map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            Some((
                f.get(2)?.parse::<u64>().ok()?,
                f.get(3)?.parse::<f64>().ok()?,
            ))
        })
        .collect::<Vec<_>>();
    let top = hottest.iter().map(|c| c.1).fold(f64::MIN, f64::max);
    let planted = hottest
        .iter()
        .find(|c| c.0 == 61)
        .ok_or("planted cell missing")?;
    // Gi* includes the cell itself and its queen neighbours, so the planted cell shares the
    // top z-score with the neighbours whose window contains it.
    assert!(
        (planted.1 - top).abs() < 1e-9 && planted.1 > 3.0,
        "planted z {} top {top}",
        planted.1
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("By hour"));
    let absurd = safehub(&[
        "hotspots",
        "--input",
        input.to_str().ok_or("path")?,
        "--cell-size",
        "0",
        "--output",
        dir.path().join("x.csv").to_str().ok_or("path")?,
    ])?;
    assert_eq!(absurd.status.code(), Some(2));
    Ok(())
}
