//! Scores a clustering: `cargo run --release -p safehub-intel --example evaluate --
//! PREDICTIONS.csv TRUTH.csv TRUTH_COLUMN` prints pairwise precision, recall and F1 of
//! `unique_id,cluster_id` predictions against the truth column.

use std::fs::File;
use std::io::BufReader;

use safehub_intel::evaluate_csv;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, predictions, truth, column] = args.as_slice() else {
        return Err("usage: evaluate PREDICTIONS.csv TRUTH.csv TRUTH_COLUMN".into());
    };
    let s = evaluate_csv(
        BufReader::new(File::open(predictions)?),
        BufReader::new(File::open(truth)?),
        column,
    )?;
    println!(
        "precision={:.4} recall={:.4} f1={:.4} tp={} predicted_pairs={} true_pairs={}",
        s.precision, s.recall, s.f1, s.true_positives, s.predicted_pairs, s.true_pairs
    );
    Ok(())
}
