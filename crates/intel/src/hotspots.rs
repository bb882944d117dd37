//! Hotspots (WM-27.1, R7.2): Getis-Ord Gi* over a regular grid, with analytic z-scores and
//! p-values, plus counts by month, weekday and hour for seasonal and time-of-day patterns.
//!
//! The grid is aligned to multiples of the cell size in British National Grid (BNG, EPSG:27700)
//! metres and spans the bounding box of the points; every cell of the box is an observation
//! (empty cells count 0). Weights are binary queen contiguity with the cell itself included
//! (Gi*, "star"), so an interior cell has 9 neighbours and a corner cell 4. For cell `i` with
//! neighbour sum `L_i` and neighbour count `W_i` over `n` cells with mean `x̄` and population
//! standard deviation `s`:
//!
//! `z_i = (L_i - x̄ W_i) / (s * sqrt((n W_i - W_i²) / (n - 1)))`
//!
//! which is algebraically the z-score of PySAL `esda.G_Local(y, w, transform="B", star=True)`
//! (`Zs`). The p-value is two-sided, `erfc(|z| / √2)`; esda's `p_norm` is the one-sided
//! `sf(|z|)`, half of it. When every cell has the same count, z is 0 and p is 1.
//!
//! Latitude/longitude (WGS84) are converted to BNG with the Ordnance Survey's 7-parameter
//! Helmert transformation to OSGB36 and the Transverse Mercator projection (accuracy about
//! 5 metres, ample for grid cells; OSTN15 is not used).

use crate::error::IntelError;
use crate::normalise::Timestamp;

/// The most cells a grid may have (about 320 MB of working memory).
pub const MAX_CELLS: u64 = 20_000_000;

/// One incident.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    /// BNG easting, metres.
    pub x: f64,
    /// BNG northing, metres.
    pub y: f64,
    /// When it happened, if known.
    pub at: Option<Timestamp>,
}

/// Options for [`hotspots`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HotspotOptions {
    /// Cell side in metres, 1 to 1,000,000.
    pub cell_size_m: f64,
}

/// One non-empty cell.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cell {
    /// BNG easting of the south-west corner.
    pub x: f64,
    /// BNG northing of the south-west corner.
    pub y: f64,
    /// Points in the cell.
    pub count: u64,
    /// Gi* z-score.
    pub gi_z: f64,
    /// Two-sided p-value of the z-score.
    pub p_value: f64,
}

/// Counts over the whole input.
#[derive(Debug, Clone, PartialEq)]
pub struct HotspotSummary {
    /// Points read.
    pub points: u64,
    /// Grid columns.
    pub columns: u64,
    /// Grid rows.
    pub rows: u64,
    /// Non-empty cells.
    pub non_empty_cells: u64,
    /// Points per month, January first.
    pub by_month: [u64; 12],
    /// Points per weekday, Monday first.
    pub by_weekday: [u64; 7],
    /// Points per hour of day, for points with a time.
    pub by_hour: [u64; 24],
    /// Points without a timestamp.
    pub without_date: u64,
    /// Points with a date but no time of day.
    pub without_time: u64,
}

/// Cells and summary.
#[derive(Debug, Clone, PartialEq)]
pub struct HotspotResult {
    /// Non-empty cells, south to north then west to east.
    pub cells: Vec<Cell>,
    /// Counts.
    pub summary: HotspotSummary,
}

/// Complementary error function, accurate to about 1e-15 relative: a positive-term series
/// for `|x| < 2` and a continued fraction beyond.
pub fn erfc(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    if x < 0.0 {
        return 2.0 - erfc(-x);
    }
    if x < 2.0 {
        // erf(x) = 2/sqrt(pi) * exp(-x^2) * sum 2^n x^(2n+1) / (1*3*...*(2n+1))
        let mut term = x;
        let mut sum = x;
        let x2 = x * x;
        let mut k = 0.0;
        loop {
            k += 1.0;
            term *= 2.0 * x2 / (2.0 * k + 1.0);
            sum += term;
            if term <= sum * 1e-17 {
                break;
            }
        }
        let erf = std::f64::consts::FRAC_2_SQRT_PI * (-x2).exp() * sum;
        return 1.0 - erf;
    }
    if x > 27.3 {
        return 0.0;
    }
    // erfc(x) = exp(-x^2)/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...))))
    let mut t = x;
    for n in (1..=120).rev() {
        t = x + (f64::from(n) / 2.0) / t;
    }
    (-x * x).exp() / (std::f64::consts::PI.sqrt() * t)
}

/// Two-sided p-value of a standard normal z-score, `P(|Z| >= |z|)`.
pub fn two_sided_p(z: f64) -> f64 {
    erfc(z.abs() / std::f64::consts::SQRT_2).min(1.0)
}

/// Gi* z-scores of a `columns x rows` grid of values in row-major order (row 0 first),
/// binary queen contiguity with self. Zero everywhere when the values do not vary.
pub fn gi_star(values: &[f64], columns: usize, rows: usize) -> Vec<f64> {
    let n = values.len();
    if n < 2 || columns * rows != n {
        return vec![0.0; n];
    }
    let nf = n as f64;
    let sum: f64 = values.iter().sum();
    let sum_sq: f64 = values.iter().map(|v| v * v).sum();
    let mean = sum / nf;
    let var = sum_sq / nf - mean * mean;
    if var <= 0.0 {
        return vec![0.0; n];
    }
    let s = var.sqrt();
    let mut z = vec![0.0; n];
    for r in 0..rows {
        let r0 = r.saturating_sub(1);
        let r1 = (r + 1).min(rows - 1);
        for c in 0..columns {
            let c0 = c.saturating_sub(1);
            let c1 = (c + 1).min(columns - 1);
            let mut local = 0.0;
            for rr in r0..=r1 {
                let row = &values[rr * columns..(rr + 1) * columns];
                for v in &row[c0..=c1] {
                    local += v;
                }
            }
            let w = ((r1 - r0 + 1) * (c1 - c0 + 1)) as f64;
            let denom = s * ((nf * w - w * w) / (nf - 1.0)).sqrt();
            z[r * columns + c] = if denom > 0.0 {
                (local - mean * w) / denom
            } else {
                0.0
            };
        }
    }
    z
}

/// Whether a point lies in (a generous margin around) the British National Grid.
pub fn plausible_bng(x: f64, y: f64) -> bool {
    (-100_000.0..=800_000.0).contains(&x) && (-100_000.0..=1_400_000.0).contains(&y)
}

/// Transverse Mercator projection of OSGB36 latitude/longitude (degrees) to BNG easting and
/// northing (metres), per the Ordnance Survey's "A guide to coordinate systems in Great
/// Britain", annex C.
pub fn osgb36_to_bng(lat: f64, lon: f64) -> (f64, f64) {
    let (a, b) = (6_377_563.396f64, 6_356_256.909f64);
    let f0 = 0.999_601_271_7;
    let (lat0, lon0) = (49f64.to_radians(), (-2f64).to_radians());
    let (e0, n0) = (400_000.0, -100_000.0);
    let e2 = (a * a - b * b) / (a * a);
    let n = (a - b) / (a + b);
    let (n2, n3) = (n * n, n * n * n);
    let phi = lat.to_radians();
    let lam = lon.to_radians();
    let (sin, cos) = phi.sin_cos();
    let tan = phi.tan();
    let nu = a * f0 / (1.0 - e2 * sin * sin).sqrt();
    let rho = a * f0 * (1.0 - e2) / (1.0 - e2 * sin * sin).powf(1.5);
    let eta2 = nu / rho - 1.0;
    let dp = phi - lat0;
    let sp = phi + lat0;
    let m = b
        * f0
        * ((1.0 + n + 1.25 * n2 + 1.25 * n3) * dp
            - (3.0 * n + 3.0 * n2 + 21.0 / 8.0 * n3) * dp.sin() * sp.cos()
            + (15.0 / 8.0 * n2 + 15.0 / 8.0 * n3) * (2.0 * dp).sin() * (2.0 * sp).cos()
            - 35.0 / 24.0 * n3 * (3.0 * dp).sin() * (3.0 * sp).cos());
    let i = m + n0;
    let ii = nu / 2.0 * sin * cos;
    let iii = nu / 24.0 * sin * cos.powi(3) * (5.0 - tan * tan + 9.0 * eta2);
    let iiia = nu / 720.0 * sin * cos.powi(5) * (61.0 - 58.0 * tan * tan + tan.powi(4));
    let iv = nu * cos;
    let v = nu / 6.0 * cos.powi(3) * (nu / rho - tan * tan);
    let vi = nu / 120.0
        * cos.powi(5)
        * (5.0 - 18.0 * tan * tan + tan.powi(4) + 14.0 * eta2 - 58.0 * tan * tan * eta2);
    let dl = lam - lon0;
    let north = i + ii * dl.powi(2) + iii * dl.powi(4) + iiia * dl.powi(6);
    let east = e0 + iv * dl + v * dl.powi(3) + vi * dl.powi(5);
    (east, north)
}

/// WGS84 latitude/longitude (degrees) to BNG easting/northing (metres): Helmert
/// transformation to OSGB36, then [`osgb36_to_bng`]. Accurate to a few metres.
pub fn wgs84_to_bng(lat: f64, lon: f64) -> (f64, f64) {
    // WGS84 ellipsoid to geocentric cartesian (height 0).
    let (a1, b1) = (6_378_137.0f64, 6_356_752.314_245f64);
    let e2_1 = (a1 * a1 - b1 * b1) / (a1 * a1);
    let (phi, lam) = (lat.to_radians(), lon.to_radians());
    let nu = a1 / (1.0 - e2_1 * phi.sin().powi(2)).sqrt();
    let x = nu * phi.cos() * lam.cos();
    let y = nu * phi.cos() * lam.sin();
    let z = (1.0 - e2_1) * nu * phi.sin();
    // Helmert WGS84 -> OSGB36.
    let (tx, ty, tz) = (-446.448, 125.157, -542.060);
    let s = 20.4894e-6;
    let arcsec = std::f64::consts::PI / (180.0 * 3600.0);
    let (rx, ry, rz) = (-0.1502 * arcsec, -0.2470 * arcsec, -0.8421 * arcsec);
    let x2 = tx + (1.0 + s) * x - rz * y + ry * z;
    let y2 = ty + rz * x + (1.0 + s) * y - rx * z;
    let z2 = tz - ry * x + rx * y + (1.0 + s) * z;
    // Cartesian to Airy 1830 latitude/longitude.
    let (a2, b2) = (6_377_563.396f64, 6_356_256.909f64);
    let e2_2 = (a2 * a2 - b2 * b2) / (a2 * a2);
    let p = (x2 * x2 + y2 * y2).sqrt();
    let mut phi2 = z2.atan2(p * (1.0 - e2_2));
    for _ in 0..10 {
        let nu2 = a2 / (1.0 - e2_2 * phi2.sin().powi(2)).sqrt();
        phi2 = (z2 + e2_2 * nu2 * phi2.sin()).atan2(p);
    }
    let lam2 = y2.atan2(x2);
    osgb36_to_bng(phi2.to_degrees(), lam2.to_degrees())
}

/// Grids the points, computes Gi* and the time counts.
pub fn hotspots(points: &[Point], options: &HotspotOptions) -> Result<HotspotResult, IntelError> {
    let cs = options.cell_size_m;
    if !cs.is_finite() || !(1.0..=1_000_000.0).contains(&cs) {
        return Err(IntelError::InvalidOption(format!(
            "cell size {cs} m: must be between 1 and 1,000,000 metres"
        )));
    }
    if points.is_empty() {
        return Err(IntelError::Empty("no points".into()));
    }
    let mut summary = HotspotSummary {
        points: points.len() as u64,
        columns: 0,
        rows: 0,
        non_empty_cells: 0,
        by_month: [0; 12],
        by_weekday: [0; 7],
        by_hour: [0; 24],
        without_date: 0,
        without_time: 0,
    };
    let (mut min_c, mut max_c, mut min_r, mut max_r) = (i64::MAX, i64::MIN, i64::MAX, i64::MIN);
    for (i, p) in points.iter().enumerate() {
        if !p.x.is_finite() || !p.y.is_finite() || !plausible_bng(p.x, p.y) {
            return Err(IntelError::BadValue {
                row: i as u64 + 1,
                column: "x".into(),
                message: format!("({}, {}) is not a British National Grid position", p.x, p.y),
            });
        }
        let (c, r) = ((p.x / cs).floor() as i64, (p.y / cs).floor() as i64);
        min_c = min_c.min(c);
        max_c = max_c.max(c);
        min_r = min_r.min(r);
        max_r = max_r.max(r);
        match p.at {
            None => summary.without_date += 1,
            Some(t) => {
                summary.by_month[usize::from(t.date.month - 1)] += 1;
                summary.by_weekday[usize::from(t.date.weekday())] += 1;
                match t.hour {
                    Some(h) => summary.by_hour[usize::from(h)] += 1,
                    None => summary.without_time += 1,
                }
            }
        }
    }
    let columns = (max_c - min_c + 1) as u64;
    let rows = (max_r - min_r + 1) as u64;
    if columns.saturating_mul(rows) > MAX_CELLS {
        return Err(IntelError::InvalidOption(format!(
            "cell size {cs} m gives a {columns} x {rows} grid over these points; \
             at most {MAX_CELLS} cells are allowed: use a larger cell size"
        )));
    }
    summary.columns = columns;
    summary.rows = rows;
    let (cols, nrows) = (columns as usize, rows as usize);
    let mut counts = vec![0f64; cols * nrows];
    for p in points {
        let c = ((p.x / cs).floor() as i64 - min_c) as usize;
        let r = ((p.y / cs).floor() as i64 - min_r) as usize;
        counts[r * cols + c] += 1.0;
    }
    let z = gi_star(&counts, cols, nrows);
    let mut cells = Vec::new();
    for r in 0..nrows {
        for c in 0..cols {
            let k = r * cols + c;
            if counts[k] > 0.0 {
                cells.push(Cell {
                    x: (min_c + c as i64) as f64 * cs,
                    y: (min_r + r as i64) as f64 * cs,
                    count: counts[k] as u64,
                    gi_z: z[k],
                    p_value: two_sided_p(z[k]),
                });
            }
        }
    }
    summary.non_empty_cells = cells.len() as u64;
    Ok(HotspotResult { cells, summary })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalise::parse_timestamp;

    #[test]
    fn erfc_reference_values() {
        let cases = [
            (0.0, 1.0),
            (0.5, 0.479_500_122_186_953_5),
            (1.0, 0.157_299_207_050_285_13),
            (1.9, 0.007_209_570_764_742_524),
            (2.0, 0.004_677_734_981_047_266),
            (3.0, 2.209_049_699_858_544e-5),
            (5.0, 1.537_459_794_428_035e-12),
            (-1.0, 1.842_700_792_949_714_8),
        ];
        for (x, want) in cases {
            let got = erfc(x);
            assert!(
                ((got - want) / want).abs() < 1e-13,
                "erfc({x}) = {got}, want {want}"
            );
        }
        assert_eq!(erfc(40.0), 0.0);
        assert!((two_sided_p(1.959_963_984_540_054) - 0.05).abs() < 1e-14);
        assert_eq!(two_sided_p(0.0), 1.0);
    }

    // R7.2 / WM-27.1: Gi* matches the closed form on a hand-checkable grid.
    #[test]
    fn gi_star_hand_computed() {
        // 3x3 grid, one hot centre cell.
        let mut v = vec![0.0; 9];
        v[4] = 9.0;
        let z = gi_star(&v, 3, 3);
        // n = 9, mean 1, s^2 = 81/9 - 1 = 8. Centre: W = 9, L = 9:
        // denominator s * sqrt((81 - 81)/8) = 0 -> 0 by convention.
        assert_eq!(z[4], 0.0);
        // Corner: W = 4, L = 9: (9 - 4) / (sqrt(8) * sqrt((36 - 16) / 8)).
        let want = 5.0 / (8f64.sqrt() * (20.0f64 / 8.0).sqrt());
        assert!((z[0] - want).abs() < 1e-12);
        // Edge cell: W = 6, L = 9: (9 - 6) / (sqrt(8) * sqrt((54 - 36) / 8)).
        let want = 3.0 / (8f64.sqrt() * (18.0f64 / 8.0).sqrt());
        assert!((z[1] - want).abs() < 1e-12);
        assert_eq!(gi_star(&[1.0, 1.0], 2, 1), vec![0.0, 0.0]);
    }

    #[test]
    fn os_guide_projection_example() {
        // OS guide worked example: 52°39'27.2531"N 1°43'4.5177"E -> 651409.903, 313177.270.
        let lat = 52.0 + 39.0 / 60.0 + 27.2531 / 3600.0;
        let lon = 1.0 + 43.0 / 60.0 + 4.5177 / 3600.0;
        let (e, n) = osgb36_to_bng(lat, lon);
        assert!((e - 651_409.903).abs() < 0.01, "{e}");
        assert!((n - 313_177.270).abs() < 0.01, "{n}");
        // Royal Observatory Greenwich, WGS84, is about TQ 388 773.
        let (e, n) = wgs84_to_bng(51.477_8, -0.001_5);
        assert!((e - 538_880.0).abs() < 150.0, "{e}");
        assert!((n - 177_330.0).abs() < 150.0, "{n}");
    }

    // WM-27.1: a planted cluster is the hotspot; seasonal and hourly counts are kept.
    #[test]
    fn planted_hotspot_and_time_counts() {
        let mut points = Vec::new();
        for i in 0..20 {
            for j in 0..20 {
                points.push(Point {
                    x: 400_000.0 + f64::from(i) * 100.0 + 50.0,
                    y: 300_000.0 + f64::from(j) * 100.0 + 50.0,
                    at: None,
                });
            }
        }
        let at = parse_timestamp("2024-12-06T22:30").ok();
        for _ in 0..30 {
            points.push(Point {
                x: 401_050.0,
                y: 301_050.0,
                at,
            });
        }
        let result = hotspots(&points, &HotspotOptions { cell_size_m: 100.0 }).expect("ok");
        assert_eq!(result.summary.columns, 20);
        assert_eq!(result.cells.len(), 400);
        let max_z = result.cells.iter().map(|c| c.gi_z).fold(f64::MIN, f64::max);
        let hot = result
            .cells
            .iter()
            .find(|c| (c.x, c.y) == (401_000.0, 301_000.0))
            .expect("hot cell");
        // The planted cell and its interior neighbours share the same 3x3 window sum.
        assert_eq!(hot.count, 31);
        assert!((hot.gi_z - max_z).abs() < 1e-12);
        assert!(hot.p_value < 1e-6);
        assert_eq!(result.summary.by_month[11], 30);
        assert_eq!(result.summary.by_weekday[4], 30);
        assert_eq!(result.summary.by_hour[22], 30);
        assert_eq!(result.summary.without_date, 400);
    }

    #[test]
    fn bad_options_and_points() {
        let p = [Point {
            x: 400_000.0,
            y: 300_000.0,
            at: None,
        }];
        for cs in [0.0, -5.0, f64::NAN, f64::INFINITY, 1e9] {
            assert!(
                hotspots(&p, &HotspotOptions { cell_size_m: cs }).is_err(),
                "{cs}"
            );
        }
        assert!(hotspots(&[], &HotspotOptions { cell_size_m: 10.0 }).is_err());
        let spread = [
            Point {
                x: 0.0,
                y: 0.0,
                at: None,
            },
            Point {
                x: 700_000.0,
                y: 1_200_000.0,
                at: None,
            },
        ];
        let err =
            hotspots(&spread, &HotspotOptions { cell_size_m: 1.0 }).expect_err("too many cells");
        assert!(err.to_string().contains("larger cell size"));
        let far = [Point {
            x: 5e7,
            y: 0.0,
            at: None,
        }];
        assert!(hotspots(&far, &HotspotOptions { cell_size_m: 10.0 }).is_err());
    }
}
