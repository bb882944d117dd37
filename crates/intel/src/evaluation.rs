//! Pairwise precision, recall and F1 of a clustering against ground truth, the measure used
//! to compare with Splink: every pair of records put in one cluster is a predicted link; a
//! pair is true when both records have the same true identity.
//!
//! Computed from the contingency table of (predicted cluster, true identity) counts, so it
//! costs linear time even for a million records.

use std::collections::HashMap;
use std::hash::Hash;
use std::io::Read;

use crate::error::IntelError;

/// Pairwise scores of a clustering.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PairwiseScores {
    /// Pairs in the same predicted cluster and the same true identity.
    pub true_positives: u64,
    /// Pairs in the same predicted cluster.
    pub predicted_pairs: u64,
    /// Pairs with the same true identity.
    pub true_pairs: u64,
    /// `true_positives / predicted_pairs` (1 when nothing was predicted).
    pub precision: f64,
    /// `true_positives / true_pairs` (1 when there is nothing to find).
    pub recall: f64,
    /// Harmonic mean of precision and recall.
    pub f1: f64,
}

fn pairs(n: u64) -> u64 {
    n * n.saturating_sub(1) / 2
}

/// Scores `predicted[i]` (cluster of record i) against `truth[i]` (true identity of i).
/// Records beyond the shorter slice are ignored.
pub fn pairwise_scores<P: Hash + Eq, T: Hash + Eq>(predicted: &[P], truth: &[T]) -> PairwiseScores {
    let mut joint: HashMap<(&P, &T), u64> = HashMap::new();
    let mut by_pred: HashMap<&P, u64> = HashMap::new();
    let mut by_truth: HashMap<&T, u64> = HashMap::new();
    for (p, t) in predicted.iter().zip(truth) {
        *joint.entry((p, t)).or_default() += 1;
        *by_pred.entry(p).or_default() += 1;
        *by_truth.entry(t).or_default() += 1;
    }
    let tp: u64 = joint.values().map(|&n| pairs(n)).sum();
    let pp: u64 = by_pred.values().map(|&n| pairs(n)).sum();
    let tpairs: u64 = by_truth.values().map(|&n| pairs(n)).sum();
    let precision = if pp == 0 { 1.0 } else { tp as f64 / pp as f64 };
    let recall = if tpairs == 0 {
        1.0
    } else {
        tp as f64 / tpairs as f64
    };
    let f1 = if precision + recall == 0.0 {
        0.0
    } else {
        2.0 * precision * recall / (precision + recall)
    };
    PairwiseScores {
        true_positives: tp,
        predicted_pairs: pp,
        true_pairs: tpairs,
        precision,
        recall,
        f1,
    }
}

fn read_map(
    input: impl Read,
    value_column: &str,
    what: &str,
) -> Result<HashMap<String, String>, IntelError> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(input);
    let headers = reader
        .headers()
        .map_err(|e| IntelError::from_csv(&e))?
        .clone();
    let find = |name: &str| -> Result<usize, IntelError> {
        headers
            .iter()
            .position(|h| h.eq_ignore_ascii_case(name))
            .ok_or_else(|| IntelError::MissingColumn {
                column: format!("{name} ({what})"),
                found: headers.iter().collect::<Vec<_>>().join(","),
            })
    };
    let (id_col, value_col) = (find("unique_id")?, find(value_column)?);
    let mut out = HashMap::new();
    for (row, record) in reader.records().enumerate() {
        let record = record.map_err(|e| IntelError::from_csv(&e))?;
        let id = record.get(id_col).unwrap_or("").to_owned();
        let value = record.get(value_col).unwrap_or("").to_owned();
        if out.insert(id, value).is_some() {
            return Err(IntelError::BadValue {
                row: row as u64 + 1,
                column: "unique_id".into(),
                message: format!("duplicate identifier in the {what}"),
            });
        }
    }
    Ok(out)
}

/// Scores a `unique_id,cluster_id` CSV against a truth CSV with `unique_id` and
/// `truth_column`. Every truth record must have a prediction.
pub fn evaluate_csv(
    predictions: impl Read,
    truth: impl Read,
    truth_column: &str,
) -> Result<PairwiseScores, IntelError> {
    let predicted = read_map(predictions, "cluster_id", "predictions")?;
    let truth = read_map(truth, truth_column, "truth")?;
    let mut p = Vec::with_capacity(truth.len());
    let mut t = Vec::with_capacity(truth.len());
    for (id, true_id) in &truth {
        let Some(cluster) = predicted.get(id) else {
            return Err(IntelError::InvalidOption(format!(
                "record {id} has no prediction"
            )));
        };
        p.push(cluster.as_str());
        t.push(true_id.as_str());
    }
    Ok(pairwise_scores(&p, &t))
}

#[cfg(test)]
mod tests {
    use super::*;

    // R5.2: the accuracy measure used in the benchmark against Splink.
    #[test]
    fn hand_computed_example() {
        // Truth: {a,b,c}, {d,e}; predicted: {a,b}, {c,d,e}.
        let predicted = [1, 1, 2, 2, 2];
        let truth = ["x", "x", "x", "y", "y"];
        let s = pairwise_scores(&predicted, &truth);
        // Predicted pairs: ab, cd, ce, de = 4; true pairs: ab, ac, bc, de = 4; TP: ab, de.
        assert_eq!(
            (s.true_positives, s.predicted_pairs, s.true_pairs),
            (2, 4, 4)
        );
        assert!((s.precision - 0.5).abs() < 1e-12);
        assert!((s.recall - 0.5).abs() < 1e-12);
        assert!((s.f1 - 0.5).abs() < 1e-12);
    }

    #[test]
    fn perfect_and_degenerate() {
        let s = pairwise_scores(&[1, 1, 2], &[7, 7, 9]);
        assert_eq!(s.f1, 1.0);
        let s = pairwise_scores(&[1, 2, 3], &[7, 7, 9]);
        assert_eq!((s.precision, s.recall, s.f1), (1.0, 0.0, 0.0));
        let s = pairwise_scores::<u8, u8>(&[], &[]);
        assert_eq!(s.f1, 1.0);
    }

    #[test]
    fn csv_evaluation_and_errors() {
        let pred = "unique_id,cluster_id\na,1\nb,1\nc,3\n";
        let truth = "unique_id,cluster\na,x\nb,x\nc,x\n";
        let s = evaluate_csv(pred.as_bytes(), truth.as_bytes(), "cluster").expect("scores");
        assert_eq!((s.true_positives, s.true_pairs), (1, 3));
        let missing = evaluate_csv(
            "unique_id,cluster_id\na,1\n".as_bytes(),
            truth.as_bytes(),
            "cluster",
        );
        assert!(missing.is_err());
        let no_col = evaluate_csv(pred.as_bytes(), truth.as_bytes(), "label");
        assert!(matches!(no_col, Err(IntelError::MissingColumn { .. })));
    }
}
