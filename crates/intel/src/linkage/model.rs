//! The Fellegi-Sunter scoring model, estimated without labelled data.
//!
//! Every comparison level carries a Bayes factor `m / u`, shown as a match weight
//! `log2(m / u)`: `m` is the chance that two mentions of the same entity agree at that level,
//! `u` the chance that two random mentions do. The weights add up, with the prior
//! `log2(lambda / (1 - lambda))`, to the log-odds that the pair is a match; every term is
//! one line of an explanation.
//!
//! Estimation, the same for every data set (one default configuration):
//! - `u` from a fixed-seed random sample of pairs (almost all non-matches);
//! - exact agreement weighted by how frequent the shared value is (term frequency): sharing
//!   a rare surname weighs more than sharing `smith`;
//! - `m` and the prior `lambda` are estimated together by expectation-maximisation over all
//!   `n (n - 1) / 2` pairs, each with match probability `sigma(log2 prior + log2 BF)`: the
//!   blocked candidate pairs are summed exactly, the others are represented by the same
//!   random sample as `u` (so matches that blocking misses still count towards the prior);
//!   `m` starts from fixed defaults and is refitted from the candidates' posteriors.

use std::collections::HashMap;

use super::compare::{Comparison, SPECS, Spec, compare, value_hash};
use super::mention::Mention;
use super::probability;

/// Marker for "no level" (either side missing) in a level vector.
pub const NULL_LEVEL: u8 = u8::MAX;

/// The fitted model.
#[derive(Debug, Clone)]
pub struct Model {
    /// Indices into [`SPECS`] of the comparisons in use (fields present in the data).
    pub active: Vec<usize>,
    /// m-probabilities per active comparison and level.
    pub m: Vec<Vec<f64>>,
    /// u-probabilities per active comparison and level.
    pub u: Vec<Vec<f64>>,
    /// Relative frequency of each value, per active comparison (term frequencies).
    tf: Vec<HashMap<u64, f64>>,
    /// Smallest frequency used, per active comparison (one mention in the data).
    tf_floor: Vec<f64>,
    /// Prior log2-odds that two random mentions are the same entity.
    pub log2_prior: f64,
    /// How many random pairs are sampled.
    sample: usize,
}

/// Small deterministic generator for sampling (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Scored candidate pairs: levels and the data-dependent part of the weight, kept so that
/// expectation-maximisation only recomputes the `m` part.
#[derive(Debug, Default)]
pub struct Scored {
    /// Pairs of mention indices.
    pub pairs: Vec<(u32, u32)>,
    /// Levels, `active.len()` per pair, [`NULL_LEVEL`] when missing.
    pub levels: Vec<u8>,
    /// Sum of `log2 u` (or of the term frequency) over the pair's levels.
    pub log2_u: Vec<f64>,
}

impl Model {
    /// A model over the comparisons that have data in `mentions`, with default `m`,
    /// sampled `u`, term frequencies, and a provisional prior.
    ///
    /// `background` is a number of other mentions, each with values of its own, counted as
    /// if seen alongside these (0: the mentions are the whole population). A few dozen
    /// reports about one force's suspects are a small sample in which one active person's
    /// phone is "common"; among a thousand more it is as rare as it is, while a value
    /// common in a large set stays common. Only exact agreement on a value uses it (its
    /// term frequency); the other levels keep the chances sampled from the mentions, which
    /// the mentions' own repeats make cautious. The prior stays the mentions' own: how
    /// often two of them are one person.
    ///
    /// `sample` is how many random pairs estimate `u` and stand for the pairs blocking did
    /// not propose (all pairs when there are fewer).
    pub fn new(mentions: &[Mention], background: usize, sample: usize) -> Model {
        let comparisons: Vec<usize> = (0..SPECS.len())
            .filter(|&i| {
                mentions
                    .iter()
                    .take(100_000)
                    .any(|m| value_hash(SPECS[i].comparison, m).is_some())
            })
            .collect();
        let mut tf = Vec::new();
        let mut tf_floor = Vec::new();
        for &i in &comparisons {
            let mut counts: HashMap<u64, f64> = HashMap::new();
            let mut total = 0f64;
            for m in mentions {
                if let Some(h) = value_hash(SPECS[i].comparison, m) {
                    *counts.entry(h).or_default() += 1.0;
                    total += 1.0;
                }
            }
            let total = total + background as f64;
            for v in counts.values_mut() {
                *v /= total;
            }
            tf.push(counts);
            tf_floor.push(1.0 / total.max(1.0));
        }
        let u = sample_u(mentions, &comparisons, sample);
        let n = mentions.len().max(2) as f64;
        let m = comparisons.iter().map(|&i| SPECS[i].m.to_vec()).collect();
        Model {
            active: comparisons,
            m,
            u,
            tf,
            tf_floor,
            // One duplicate per mention until estimated.
            log2_prior: (1.0 / (n - 1.0)).log2(),
            sample,
        }
    }

    /// The spec of the `k`th active comparison.
    pub fn spec(&self, k: usize) -> &'static Spec {
        &SPECS[self.active[k]]
    }

    /// `log2 u` for a level, using the term frequency of the shared value for level 0.
    fn log2_u(&self, k: usize, level: u8, a: &Mention) -> f64 {
        let c: Comparison = self.spec(k).comparison;
        if level == 0 {
            if let Some(p) = value_hash(c, a).and_then(|h| self.tf[k].get(&h)) {
                return p.max(self.tf_floor[k]).log2();
            }
        }
        self.u[k][usize::from(level)].log2()
    }

    /// The match weight `log2(m/u)` of comparison `k` at `level` for the pair.
    pub fn weight(&self, k: usize, level: u8, a: &Mention) -> f64 {
        self.m[k][usize::from(level)].log2() - self.log2_u(k, level, a)
    }

    /// The levels of a pair, one per active comparison.
    pub fn levels(&self, a: &Mention, b: &Mention) -> Vec<u8> {
        self.active
            .iter()
            .map(|&i| compare(SPECS[i].comparison, a, b).unwrap_or(NULL_LEVEL))
            .collect()
    }

    /// Total log2-odds of a pair (prior included).
    pub fn score(&self, a: &Mention, b: &Mention) -> f64 {
        let levels = self.levels(a, b);
        self.log2_prior
            + levels
                .iter()
                .enumerate()
                .filter(|(_, l)| **l != NULL_LEVEL)
                .map(|(k, &l)| self.weight(k, l, a))
                .sum::<f64>()
    }

    /// Compares all candidate pairs.
    pub fn score_pairs(&self, mentions: &[Mention], pairs: Vec<(u32, u32)>) -> Scored {
        let k = self.active.len();
        let mut levels = Vec::with_capacity(pairs.len() * k);
        let mut log2_u = Vec::with_capacity(pairs.len());
        for &(i, j) in &pairs {
            let (a, b) = (&mentions[i as usize], &mentions[j as usize]);
            let mut su = 0.0;
            for (c, &spec) in self.active.iter().enumerate() {
                let l = compare(SPECS[spec].comparison, a, b).unwrap_or(NULL_LEVEL);
                if l != NULL_LEVEL {
                    su += self.log2_u(c, l, a);
                }
                levels.push(l);
            }
            log2_u.push(su);
        }
        Scored {
            pairs,
            levels,
            log2_u,
        }
    }

    /// log2 Bayes factor of a scored pair under the current `m` (prior not included).
    pub fn pair_log2_bf(&self, scored: &Scored, p: usize) -> f64 {
        let k = self.active.len();
        let mut s = -scored.log2_u[p];
        for (c, &l) in scored.levels[p * k..(p + 1) * k].iter().enumerate() {
            if l != NULL_LEVEL {
                s += self.m[c][usize::from(l)].log2();
            }
        }
        s
    }

    /// Estimates `m` (when `em_iterations > 0`) and the prior together by
    /// expectation-maximisation over all `n (n - 1) / 2` pairs.
    ///
    /// Each pair's match probability is `sigma(log2 prior + log2 BF)`. The candidate pairs
    /// are summed exactly; the pairs blocking did not propose are represented by the
    /// fixed-seed random sample also used for `u`, scaled up to their number, so matches
    /// that blocking misses still count towards the prior. `m` is refitted from the
    /// candidate pairs' posteriors, with a small pull towards the defaults.
    pub fn estimate(&mut self, mentions: &[Mention], scored: &Scored, em_iterations: usize) {
        let n_pairs = scored.pairs.len();
        if n_pairs == 0 {
            return;
        }
        let k = self.active.len();
        let n = mentions.len();
        let all_pairs = (n as f64) * (n as f64 - 1.0) / 2.0;
        // Pairs outside the candidate set, from the same sample as `u`.
        let outside: Vec<(u32, u32)> = sample_pairs(n, self.sample)
            .into_iter()
            .map(|(i, j)| (i.min(j) as u32, i.max(j) as u32))
            .filter(|q| scored.pairs.binary_search(q).is_err())
            .collect();
        let outside_weight = (all_pairs - n_pairs as f64) / outside.len().max(1) as f64;
        let outside = self.score_pairs(mentions, outside);
        let mut posteriors = vec![0.0f64; n_pairs];
        let iterations = em_iterations.max(1) + 5;
        for it in 0..iterations {
            // E step: posteriors of the candidates, expected matches over all pairs.
            let mut expected = 0.0;
            for (p, post) in posteriors.iter_mut().enumerate() {
                *post = probability(self.log2_prior + self.pair_log2_bf(scored, p));
                expected += *post;
            }
            let outside_sum: f64 = (0..outside.pairs.len())
                .map(|p| probability(self.log2_prior + self.pair_log2_bf(&outside, p)))
                .sum();
            expected += outside_sum * outside_weight;
            let prior = (expected / all_pairs.max(1.0)).clamp(1e-12, 0.5);
            self.log2_prior = (prior / (1.0 - prior)).log2();
            if it < em_iterations {
                // M step for m, with a small pull towards the defaults.
                for c in 0..k {
                    let levels = self.m[c].len();
                    let mut counts = vec![0.0f64; levels];
                    for (p, post) in posteriors.iter().enumerate() {
                        let l = scored.levels[p * k + c];
                        if l != NULL_LEVEL {
                            counts[usize::from(l)] += post;
                        }
                    }
                    let total: f64 = counts.iter().sum();
                    let defaults = self.spec(c).m;
                    let pseudo = 10.0;
                    for l in 0..levels {
                        self.m[c][l] =
                            ((counts[l] + pseudo * defaults[l]) / (total + pseudo)).max(1e-4);
                    }
                }
            }
        }
    }
}

/// Up to `limit` pairs of mention indices (fixed seed): all pairs when there are no more,
/// otherwise random pairs of distinct mentions (in drawing order, not deduplicated).
fn sample_pairs(n: usize, limit: usize) -> Vec<(usize, usize)> {
    if n < 2 {
        return Vec::new();
    }
    let all = n * (n - 1) / 2;
    let samples = all.min(limit.max(1));
    let mut pairs = Vec::with_capacity(samples);
    if samples == all {
        for i in 0..n {
            for j in i + 1..n {
                pairs.push((i, j));
            }
        }
    } else {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        for _ in 0..samples {
            let i = rng.below(n);
            let mut j = rng.below(n - 1);
            if j >= i {
                j += 1;
            }
            pairs.push((i, j));
        }
    }
    pairs
}

/// u-probabilities from up to `limit` random pairs (fixed seed), with add-one smoothing.
fn sample_u(mentions: &[Mention], comparisons: &[usize], limit: usize) -> Vec<Vec<f64>> {
    let mut counts: Vec<Vec<f64>> = comparisons
        .iter()
        .map(|&i| vec![0.0; SPECS[i].levels.len()])
        .collect();
    for (i, j) in sample_pairs(mentions.len(), limit) {
        for (c, &spec) in comparisons.iter().enumerate() {
            if let Some(l) = compare(SPECS[spec].comparison, &mentions[i], &mentions[j]) {
                counts[c][usize::from(l)] += 1.0;
            }
        }
    }
    counts
        .into_iter()
        .map(|c| {
            let total: f64 = c.iter().sum();
            let levels = c.len() as f64;
            c.iter().map(|x| (x + 1.0) / (total + levels)).collect()
        })
        .collect()
}
