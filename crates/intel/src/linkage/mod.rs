//! Entity resolution of mentions (R5.2, WM-25.1, WM-27.1): blocking, explainable scoring,
//! clustering, analysts' decisions, and linking a new mention against an existing index.
//!
//! [`Linker::fit`] normalised mentions, held compactly ([`table`]) -> blocking
//! ([`blocking`], [`candidates`]) -> comparison levels ([`compare`]) -> Fellegi-Sunter
//! weights estimated without labels ([`model`]) -> clustering with a chaining guard
//! ([`cluster`]). [`Linker::explain_mentions`] gives the evidence for any two mentions,
//! line by line; [`Linker::query`] links one new mention against the index without
//! refitting.
//!
//! The candidate pairs are never held: they are streamed from the blocks, over all threads,
//! once (a sample of blocks) to estimate the model and once to score, keeping only the
//! links; conflicts are asked for when two clusters are about to merge.

pub mod blocking;
pub mod candidates;
pub mod cluster;
pub mod compare;
pub mod mention;
pub mod model;
pub mod table;

use std::collections::HashSet;
use std::fmt;
use std::time::Instant;

use crate::hashing::FastBuild;
use candidates::Blocks;
use cluster::Clusters;
use compare::NameLevels;
pub use mention::{Field, Fields, Mention};
use model::{Model, NULL_LEVEL};
pub use table::Table;

/// An analyst's decision about two mentions; it always wins over the model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// `unique_id` of one mention.
    pub a: String,
    /// `unique_id` of the other.
    pub b: String,
    /// `true`: confirmed the same entity; `false`: confirmed different (split).
    pub same: bool,
}

/// Options of the linker. [`LinkOptions::default`] is the one configuration used for every
/// data set.
#[derive(Debug, Clone)]
pub struct LinkOptions {
    /// Match probability at or above which a pair is linked.
    pub threshold: f64,
    /// Blocks with more mentions than this are skipped (and counted).
    pub max_block: usize,
    /// Expectation-maximisation iterations for the m-probabilities (0 keeps defaults).
    pub em_iterations: usize,
    /// Pairs with log2-odds below this are conflicts that clustering will not bridge.
    pub conflict_log2_odds: f64,
    /// Analysts' decisions.
    pub decisions: Vec<Decision>,
    /// Other mentions, each with values of its own, counted as if seen alongside these
    /// when weighing how rare a shared value is (0: the mentions are the whole population,
    /// as in `safehub link`). See [`Model::new`].
    pub background: usize,
    /// Random pairs sampled to estimate how often unrelated mentions agree.
    pub sample_pairs: usize,
}

impl Default for LinkOptions {
    fn default() -> Self {
        LinkOptions {
            threshold: 0.9,
            max_block: 50,
            em_iterations: 10,
            conflict_log2_odds: -30.0,
            decisions: Vec::new(),
            background: 0,
            sample_pairs: 300_000,
        }
    }
}

/// Counts and phase timings from one linking run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LinkStats {
    /// Mentions linked.
    pub mentions: usize,
    /// Clusters (entities) found.
    pub clusters: usize,
    /// Candidate pairs compared.
    pub candidate_pairs: usize,
    /// Blocks skipped for being larger than `max_block`.
    pub capped_blocks: usize,
    /// Pairs at or above the threshold.
    pub links_above_threshold: usize,
    /// Links refused because they would have joined conflicting clusters.
    pub links_refused: usize,
    /// Analysts' decisions applied.
    pub decisions_applied: usize,
    /// Analysts' decisions naming an unknown `unique_id`.
    pub decisions_unknown: usize,
    /// Prior log2-odds that two random mentions match, as estimated.
    pub log2_prior: f64,
    /// Where the time went.
    pub phases: Phases,
}

/// Wall time of each phase of a linking run, in seconds, for benchmarks and diagnosis.
/// Phases a run does not do (reading and writing, when the caller holds the mentions) are 0.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Phases {
    /// Reading and normalising the input.
    pub reading: f64,
    /// Making blocking keys and sorting them into blocks.
    pub blocking: f64,
    /// Comparing random pairs for `u` and counting values for term frequencies.
    pub estimating_u: f64,
    /// Counting the candidate pairs' patterns and estimating `m` and the prior.
    pub estimating_m: f64,
    /// Scoring every candidate pair.
    pub scoring: f64,
    /// Clustering the links, strongest first, with conflict checks.
    pub clustering: f64,
    /// Writing the output.
    pub writing: f64,
}

/// Seconds since `start`, restarting it.
pub fn lap(start: &mut Instant) -> f64 {
    let now = Instant::now();
    let seconds = now.duration_since(*start).as_secs_f64();
    *start = now;
    seconds
}

/// One line of evidence in an explanation.
#[derive(Debug, Clone, PartialEq)]
pub struct Evidence {
    /// The comparison (`first name`, `vehicle registration`).
    pub comparison: &'static str,
    /// What was found (`nickname jay ~ jamal (both jamal)`), or `missing`.
    pub finding: String,
    /// The two values as normalised.
    pub values: (String, String),
    /// The match weight in bits (log2 Bayes factor); 0 when missing.
    pub weight: f64,
}

/// Why two mentions do or do not match.
#[derive(Debug, Clone, PartialEq)]
pub struct Explanation {
    /// First `unique_id`.
    pub a: String,
    /// Second `unique_id`.
    pub b: String,
    /// Prior log2-odds.
    pub log2_prior: f64,
    /// Total log2-odds (prior plus all evidence).
    pub log2_odds: f64,
    /// Match probability.
    pub probability: f64,
    /// Whether the probability reaches the threshold.
    pub above_threshold: bool,
    /// Whether the final clustering put them together, when known.
    pub same_cluster: Option<bool>,
    /// The evidence, strongest first.
    pub evidence: Vec<Evidence>,
}

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verdict = match (self.same_cluster, self.above_threshold) {
            (Some(true), _) => "MATCH (same cluster)",
            (Some(false), true) => {
                "NO MATCH (pair above threshold, but clustering kept them apart)"
            }
            (Some(false), false) => "NO MATCH",
            (None, true) => "MATCH",
            (None, false) => "NO MATCH",
        };
        writeln!(
            f,
            "{} vs {}: {verdict}; probability {:.4}, total weight {:+.2} bits",
            self.a, self.b, self.probability, self.log2_odds
        )?;
        writeln!(
            f,
            "  {:+7.2}  prior (how rare a match is between two random records)",
            self.log2_prior
        )?;
        for e in &self.evidence {
            if e.finding == "missing" {
                writeln!(
                    f,
                    "  {:>7}  {}: missing on one side ({} / {})",
                    "0", e.comparison, e.values.0, e.values.1
                )?;
            } else {
                writeln!(
                    f,
                    "  {:+7.2}  {}: {} ({} / {})",
                    e.weight, e.comparison, e.finding, e.values.0, e.values.1
                )?;
            }
        }
        Ok(())
    }
}

/// A candidate returned by [`Linker::query`].
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// Index of the mention in the linker.
    pub index: u32,
    /// Its `unique_id`.
    pub id: String,
    /// Match probability.
    pub probability: f64,
}

/// A fitted linker over a set of mentions.
#[derive(Debug)]
pub struct Linker {
    table: Table,
    blocks: Blocks,
    model: Model,
    options: LinkOptions,
    /// Time spent fitting (blocking and estimation).
    fitting: Phases,
}

fn probability(log2_odds: f64) -> f64 {
    1.0 / (1.0 + (-log2_odds).exp2())
}

/// What one thread keeps of the pairs it scores.
#[derive(Debug, Default)]
struct Scan {
    names: NameLevels,
    pairs: usize,
    links: Vec<(f64, u32, u32)>,
}

impl Linker {
    /// Indexes the mentions, blocks them and estimates the model.
    pub fn fit(mentions: Vec<Mention>, options: &LinkOptions) -> Linker {
        Linker::fit_table(Table::from_mentions(&mentions), options)
    }

    /// [`Linker::fit`] on mentions already held as a table.
    pub fn fit_table(table: Table, options: &LinkOptions) -> Linker {
        let mut clock = Instant::now();
        let blocks = Blocks::build(&table, options.max_block.max(2));
        let blocking = lap(&mut clock);
        let mut model = Model::new(&table, options.background, options.sample_pairs);
        let estimating_u = lap(&mut clock);
        model.estimate(&table, &blocks, options.em_iterations);
        let estimating_m = lap(&mut clock);
        Linker {
            table,
            blocks,
            model,
            options: options.clone(),
            fitting: Phases {
                blocking,
                estimating_u,
                estimating_m,
                ..Phases::default()
            },
        }
    }

    /// Number of mentions.
    pub fn len(&self) -> usize {
        self.table.len()
    }

    /// Whether there are no mentions.
    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
    }

    /// A mention, by index (input order).
    pub fn mention(&self, index: u32) -> Mention {
        self.table.mention(index as usize)
    }

    /// The `unique_id` of a mention, by index.
    pub fn id(&self, index: u32) -> &str {
        self.table.id(index as usize)
    }

    /// The mentions, held compactly.
    pub fn table(&self) -> &Table {
        &self.table
    }

    /// The fitted model.
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// The index of a mention by `unique_id`.
    pub fn position(&self, id: &str) -> Option<u32> {
        self.table.position(id)
    }

    /// The threshold as log2-odds.
    fn threshold_odds(&self) -> f64 {
        let threshold = self.options.threshold.clamp(1e-12, 1.0 - 1e-12);
        (threshold / (1.0 - threshold)).log2()
    }

    /// Scores every candidate pair over all threads, keeping the links (at or above the
    /// threshold).
    fn scan(&self) -> Scan {
        let threshold_odds = self.threshold_odds();
        let parts = self
            .blocks
            .fold_pairs(&|_, _| true, &|scan: &mut Scan, i, j| {
                scan.pairs += 1;
                let odds = self.model.log2_prior
                    + (self.model).row_log2_bf_with(&self.table, i, j, &mut scan.names);
                if odds >= threshold_odds {
                    scan.links.push((odds, i, j));
                }
            });
        let mut all = Scan::default();
        for part in parts {
            all.pairs += part.pairs;
            all.links.extend(part.links);
        }
        all
    }

    /// Clusters the mentions. Returns, per mention, the index of its cluster's first
    /// mention, and the run's counts.
    pub fn cluster(&self) -> (Vec<u32>, LinkStats) {
        let n = self.table.len();
        let mut clusters = Clusters::new(n);
        let mut stats = LinkStats {
            mentions: n,
            capped_blocks: self.blocks.capped(),
            log2_prior: self.model.log2_prior,
            phases: self.fitting,
            ..LinkStats::default()
        };
        // Analysts first: splits become conflicts, confirmations are forced merges.
        let mut resolved = Vec::new();
        for d in &self.options.decisions {
            match (self.position(&d.a), self.position(&d.b)) {
                (Some(i), Some(j)) => {
                    resolved.push((i, j, d.same));
                    stats.decisions_applied += 1;
                }
                _ => stats.decisions_unknown += 1,
            }
        }
        for &(i, j, same) in &resolved {
            if !same {
                clusters.forbid(i, j);
            }
        }
        for &(i, j, same) in &resolved {
            if same {
                clusters.union(i, j, true);
            }
        }
        let mut clock = Instant::now();
        let Scan {
            pairs, mut links, ..
        } = self.scan();
        stats.phases.scoring = lap(&mut clock);
        stats.candidate_pairs = pairs;
        // Any pair whose evidence against a match is overwhelming is a conflict, whether or
        // not blocking proposed it. A link is above the threshold, so (the conflict bound
        // being below it) no conflict: most pairs across two clusters of one person are
        // links, known without scoring them again.
        let linked: HashSet<(u32, u32), FastBuild> =
            if self.options.conflict_log2_odds < self.threshold_odds() {
                links.iter().map(|&(_, i, j)| (i, j)).collect()
            } else {
                HashSet::default()
            };
        let mut names = NameLevels::default();
        let mut conflict = |a: u32, b: u32| {
            let (i, j) = (a.min(b), a.max(b));
            !linked.contains(&(i, j))
                && self.model.log2_prior
                    + (self.model).row_log2_bf_with(&self.table, i, j, &mut names)
                    < self.options.conflict_log2_odds
        };
        stats.links_above_threshold = links.len();
        links.sort_unstable_by(|x, y| y.0.total_cmp(&x.0).then((x.1, x.2).cmp(&(y.1, y.2))));
        for (_, i, j) in links {
            if !clusters.union_unless(i, j, false, &mut conflict) {
                stats.links_refused += 1;
            }
        }
        let labels = clusters.labels();
        stats.clusters = labels
            .iter()
            .enumerate()
            .filter(|(i, l)| *i as u32 == **l)
            .count();
        stats.phases.clustering = lap(&mut clock);
        (labels, stats)
    }

    /// Every candidate pair of mentions (by index, the smaller first) with its match
    /// probability, ordered by the pair. Analysts review these as proposed links.
    pub fn pair_probabilities(&self) -> Vec<(u32, u32, f64)> {
        let mut out = Vec::new();
        let mut names = NameLevels::default();
        self.blocks.for_each_pair(
            0,
            1,
            |_, _| true,
            |i, j| {
                let odds = self.model.log2_prior
                    + (self.model).row_log2_bf_with(&self.table, i, j, &mut names);
                out.push((i, j, probability(odds)));
            },
        );
        out.sort_unstable_by_key(|&(i, j, _)| (i, j));
        out
    }

    /// The threshold at or above which a pair is linked.
    pub fn threshold(&self) -> f64 {
        self.options.threshold
    }

    /// Explains the comparison of mentions `a` and `b` by index.
    pub fn explain_pair(&self, a: u32, b: u32) -> Explanation {
        self.explain(
            &self.table.row(a as usize),
            &self.table.row(b as usize),
            self.table.id(a as usize),
            self.table.id(b as usize),
        )
    }

    /// Explains the comparison of two mentions (which need not be in the index).
    pub fn explain_mentions(&self, a: &Mention, b: &Mention) -> Explanation {
        self.explain(a, b, &a.id, &b.id)
    }

    fn explain<A: Fields + ?Sized, B: Fields + ?Sized>(
        &self,
        a: &A,
        b: &B,
        a_id: &str,
        b_id: &str,
    ) -> Explanation {
        let levels = self.model.levels(a, b);
        let mut evidence = Vec::new();
        let mut total = self.model.log2_prior;
        for (k, &level) in levels.iter().enumerate() {
            let spec = self.model.spec(k);
            let values = compare::values(spec.comparison, a, b);
            if level == NULL_LEVEL {
                evidence.push(Evidence {
                    comparison: spec.name,
                    finding: "missing".into(),
                    values,
                    weight: 0.0,
                });
                continue;
            }
            let weight = self.model.weight(&self.table, k, level, a);
            total += weight;
            let finding = compare::detail(spec.comparison, a, b, level)
                .unwrap_or_else(|| spec.levels[usize::from(level)].to_owned());
            evidence.push(Evidence {
                comparison: spec.name,
                finding,
                values,
                weight,
            });
        }
        evidence.sort_by(|x, y| y.weight.abs().total_cmp(&x.weight.abs()));
        let p = probability(total);
        Explanation {
            a: a_id.to_owned(),
            b: b_id.to_owned(),
            log2_prior: self.model.log2_prior,
            log2_odds: total,
            probability: p,
            above_threshold: p >= self.options.threshold,
            same_cluster: None,
            evidence,
        }
    }

    /// Links one new mention against the index without refitting: the indexed mentions at
    /// or above the threshold, most probable first (WM-25.1: a new piece of information is
    /// checked against everything known).
    pub fn query(&self, m: &Mention) -> Vec<Candidate> {
        let mut out: Vec<Candidate> = self
            .blocks
            .neighbours(m)
            .into_iter()
            .filter_map(|i| {
                let row = self.table.row(i as usize);
                let p = probability(self.model.score(&self.table, m, &row));
                (p >= self.options.threshold).then(|| Candidate {
                    index: i,
                    id: self.table.id(i as usize).to_owned(),
                    probability: p,
                })
            })
            .collect();
        out.sort_by(|x, y| y.probability.total_cmp(&x.probability));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::linkage::mention::written as mention;

    /// A small population: distinct people plus a few repeated mentions.
    fn population() -> Vec<Mention> {
        let firsts = [
            "oliver", "amelia", "george", "isla", "harry", "ava", "noah", "mia", "leo", "ivy",
        ];
        let surnames = [
            "khan", "jones", "patel", "evans", "wright", "walker", "hughes", "green", "hall",
            "wood",
        ];
        let mut out = Vec::new();
        for (i, f) in firsts.iter().enumerate() {
            for (j, s) in surnames.iter().enumerate() {
                let dob = format!("19{:02}-{:02}-{:02}", 70 + i, 1 + j, 1 + (i * 3 + j) % 27);
                let phone = format!("07700 9{:02}{:03}", i, j * 7);
                out.push(mention(
                    &format!("p{i}-{j}"),
                    &[
                        (Field::FirstName, f),
                        (Field::Surname, s),
                        (Field::Dob, &dob),
                        (Field::Phone, &phone),
                    ],
                ));
            }
        }
        out
    }

    // R5.2 / WM-25.1: a person mentioned under a nickname with a reformatted phone links,
    // and the explanation says why.
    #[test]
    fn nickname_and_phone_link_with_evidence() {
        let mut ms = population();
        ms.push(mention(
            "jay1",
            &[
                (Field::FirstName, "Jamal"),
                (Field::Surname, "Reid"),
                (Field::Dob, "2001-05-06"),
                (Field::Phone, "07700 900999"),
            ],
        ));
        ms.push(mention(
            "jay2",
            &[
                (Field::FirstName, "Jay"),
                (Field::Surname, "Reid"),
                (Field::Dob, "06/05/2001"),
                (Field::Phone, "+44 7700 900999"),
            ],
        ));
        let linker = Linker::fit(ms, &LinkOptions::default());
        let (labels, stats) = linker.cluster();
        let (a, b) = (
            linker.position("jay1").expect("a"),
            linker.position("jay2").expect("b"),
        );
        assert_eq!(labels[a as usize], labels[b as usize]);
        assert_eq!(stats.clusters, 101);
        let e = linker.explain_pair(a, b);
        let text = e.to_string();
        assert!(text.contains("nickname jamal ~ jay (both jamal)"), "{text}");
        assert!(text.contains("phone: same after normalisation"), "{text}");
        assert!(text.contains("date of birth: same"), "{text}");
        // A new mention is linked against the index (incremental use).
        let new = mention(
            "jay3",
            &[
                (Field::FirstName, "Jamal"),
                (Field::Nickname, "Jay"),
                (Field::Surname, "REID"),
                (Field::Dob, "20010506"),
                (Field::Phone, "07700900999"),
            ],
        );
        let hits = linker.query(&new);
        assert!(
            hits.iter().any(|c| c.id == "jay1" || c.id == "jay2"),
            "{hits:?}"
        );
    }

    // R5.2: analysts' decisions are kept and always win.
    #[test]
    fn analyst_decisions_win() {
        let mut ms = population();
        ms.push(mention(
            "x1",
            &[
                (Field::FirstName, "Sam"),
                (Field::Surname, "Lee"),
                (Field::Phone, "07700 900555"),
            ],
        ));
        ms.push(mention(
            "x2",
            &[
                (Field::FirstName, "Sam"),
                (Field::Surname, "Lee"),
                (Field::Phone, "07700 900555"),
            ],
        ));
        ms.push(mention(
            "y1",
            &[(Field::FirstName, "Zed"), (Field::Surname, "Quinn")],
        ));
        let options = LinkOptions {
            decisions: vec![
                Decision {
                    a: "x1".into(),
                    b: "x2".into(),
                    same: false,
                },
                Decision {
                    a: "x1".into(),
                    b: "y1".into(),
                    same: true,
                },
                Decision {
                    a: "nobody".into(),
                    b: "x1".into(),
                    same: true,
                },
            ],
            ..LinkOptions::default()
        };
        let linker = Linker::fit(ms, &options);
        let (labels, stats) = linker.cluster();
        let pos = |id: &str| linker.position(id).expect("id") as usize;
        assert_ne!(labels[pos("x1")], labels[pos("x2")]);
        assert_eq!(labels[pos("x1")], labels[pos("y1")]);
        assert_eq!(stats.decisions_applied, 2);
        assert_eq!(stats.decisions_unknown, 1);
    }

    // R5.2: in a handful of reports about one active person, his phone is in most of them;
    // counted among a thousand other mentions, sharing it is still strong evidence.
    #[test]
    fn a_background_population_keeps_a_shared_phone_rare() {
        let reports = vec![
            mention(
                "a",
                &[(Field::Nickname, "Jay"), (Field::Phone, "07700 900123")],
            ),
            mention(
                "b",
                &[(Field::Nickname, "Jay"), (Field::Phone, "+44 7700 900123")],
            ),
            mention(
                "c",
                &[(Field::FirstName, "Jamal"), (Field::Phone, "07700900123")],
            ),
            mention(
                "d",
                &[(Field::Nickname, "Kez"), (Field::Phone, "07700 900999")],
            ),
        ];
        let alone = Linker::fit(reports.clone(), &LinkOptions::default());
        let against = Linker::fit(
            reports,
            &LinkOptions {
                background: 1_000,
                ..LinkOptions::default()
            },
        );
        let phone_weight = |l: &Linker| {
            let e = l.explain_pair(0, 1);
            e.evidence
                .iter()
                .find(|x| x.comparison == "phone")
                .map(|x| x.weight)
                .expect("phone compared")
        };
        assert!(phone_weight(&alone) < 3.0, "{}", phone_weight(&alone));
        assert!(phone_weight(&against) > 6.0, "{}", phone_weight(&against));
        let (labels, _) = against.cluster();
        assert_eq!(labels[0], labels[1]);
        assert_ne!(labels[0], labels[3]);
    }

    #[test]
    fn empty_and_single_inputs() {
        let linker = Linker::fit(Vec::new(), &LinkOptions::default());
        assert_eq!(linker.cluster().0, Vec::<u32>::new());
        let linker = Linker::fit(vec![Mention::new("only")], &LinkOptions::default());
        assert_eq!(linker.cluster().0, vec![0]);
    }
}
