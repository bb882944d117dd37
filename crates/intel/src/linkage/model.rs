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
//!
//! Expectation-maximisation runs over *patterns*, not pairs: pairs with the same levels and
//! (to 1/32 bit) the same `log2 u` have the same posterior, so each pattern is scored once
//! with its count. Where blocking proposes more than [`TRAINING_PAIRS`] pairs, the patterns
//! are counted on a fixed-seed sample of the blocks, scaled up; the final scoring
//! ([`Model::row_log2_bf`]) is over every pair.

use std::collections::HashMap;

use super::candidates::{Blocks, joined, threads};
use super::compare::{
    Comparison, NameLevels, SPECS, Spec, compare, compare_rows, compare_rows_with,
};
use super::mention::Fields;
use super::probability;
use super::table::{COLUMNS, MISSING, Table};
use crate::hashing::FastBuild;

/// Marker for "no level" (either side missing) in a level vector.
pub const NULL_LEVEL: u8 = u8::MAX;

/// Candidate pairs counted for expectation-maximisation; beyond this, a sample of the
/// blocks.
pub const TRAINING_PAIRS: u64 = 500_000;

/// The fitted model.
#[derive(Debug, Clone)]
pub struct Model {
    /// Indices into [`SPECS`] of the comparisons in use (fields present in the data).
    pub active: Vec<usize>,
    /// m-probabilities per active comparison and level.
    pub m: Vec<Vec<f64>>,
    /// u-probabilities per active comparison and level.
    pub u: Vec<Vec<f64>>,
    /// Per active comparison, `log2` of the relative frequency of each value of the table's
    /// column, by value number (term frequencies).
    tf_log2: Vec<Vec<f64>>,
    /// Prior log2-odds that two random mentions are the same entity.
    pub log2_prior: f64,
    /// The random pairs and their levels, kept from estimating `u` until the prior is
    /// estimated.
    sample: Sample,
    /// `log2 m` and `log2 u` per active comparison and level, for the pair loops.
    log2_m: Vec<Vec<f64>>,
    log2_u: Vec<Vec<f64>>,
    /// Per active comparison over few distinct values (a make, a colour, a town), the level
    /// of every pair of values, `d * d` for `d` values; empty for the others.
    level_tables: Vec<LevelTable>,
}

/// Largest number of distinct values whose pairs' levels are worked out in advance.
const TABULATED_VALUES: usize = 256;

/// The levels of every pair of values of one column.
#[derive(Debug, Clone, Default)]
struct LevelTable {
    values: usize,
    levels: Vec<u8>,
}

impl LevelTable {
    /// The table for comparison `c` over `table`, when its level depends on its own column
    /// only and the column has few distinct values.
    fn of(c: Comparison, table: &Table) -> LevelTable {
        let values = table.distinct(c);
        // Names look across columns (a swapped given name and surname, a nickname).
        let own_column = !matches!(c, Comparison::FirstName | Comparison::Surname);
        if !own_column || values == 0 || values > TABULATED_VALUES {
            return LevelTable::default();
        }
        let mut example = vec![usize::MAX; values];
        for row in 0..table.len() {
            let v = table.cell(row, c as usize);
            if v != MISSING && example[v as usize] == usize::MAX {
                example[v as usize] = row;
            }
        }
        let mut levels = Vec::with_capacity(values * values);
        for &x in &example {
            for &y in &example {
                let level = if x == usize::MAX || y == usize::MAX {
                    None
                } else {
                    compare_rows(c, table, x, y)
                };
                levels.push(level.unwrap_or(NULL_LEVEL));
            }
        }
        LevelTable { values, levels }
    }
}

fn log2_all(p: &[Vec<f64>]) -> Vec<Vec<f64>> {
    p.iter()
        .map(|levels| levels.iter().map(|x| x.log2()).collect())
        .collect()
}

/// How many rows hold each value, per comparison of `comparisons` (indices into [`SPECS`]).
/// The rows are read once, a share on each core, and the shares' counts added.
fn value_counts(table: &Table, comparisons: &[usize]) -> Vec<Vec<u32>> {
    let parts = threads();
    let n = table.len();
    let columns: Vec<usize> = comparisons
        .iter()
        .map(|&i| SPECS[i].comparison as usize)
        .collect();
    let columns = &columns;
    let shares: Vec<Vec<Vec<u32>>> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..parts)
            .map(|part| {
                s.spawn(move || {
                    let mut counts: Vec<Vec<u32>> = comparisons
                        .iter()
                        .map(|&i| vec![0u32; table.distinct(SPECS[i].comparison)])
                        .collect();
                    for row in (n * part / parts)..(n * (part + 1) / parts) {
                        for (counts, &c) in counts.iter_mut().zip(columns) {
                            let v = table.cell(row, c);
                            if v != MISSING {
                                counts[v as usize] += 1;
                            }
                        }
                    }
                    counts
                })
            })
            .collect();
        workers.into_iter().map(joined).collect()
    });
    let mut shares = shares.into_iter();
    let mut all = shares.next().unwrap_or_default();
    for share in shares {
        for (all, share) in all.iter_mut().zip(share) {
            for (a, s) in all.iter_mut().zip(share) {
                *a += s;
            }
        }
    }
    all
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

/// A well-mixed hash of a pair (splitmix64), for sampling pairs without a generator.
fn pair_hash(i: u32, j: u32) -> u64 {
    let mut z = ((u64::from(i) << 32) | u64::from(j)).wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Random pairs of mentions (the smaller index first) with their levels, `k` per pair.
#[derive(Debug, Clone, Default)]
struct Sample {
    pairs: Vec<(u32, u32)>,
    levels: Vec<u8>,
}

impl Sample {
    /// Up to `limit` random pairs of the table (fixed seed), compared on every core.
    fn draw(model: &Model, table: &Table, limit: usize) -> Sample {
        let pairs: Vec<(u32, u32)> = sample_pairs(table.len(), limit)
            .into_iter()
            .map(|(i, j)| (i.min(j) as u32, i.max(j) as u32))
            .collect();
        let k = model.active.len();
        let parts = threads();
        let share = pairs.len().div_ceil(parts).max(1);
        let levels = std::thread::scope(|s| {
            let workers: Vec<_> = pairs
                .chunks(share)
                .map(|chunk| {
                    s.spawn(move || {
                        let mut out = Vec::with_capacity(chunk.len() * k);
                        let mut names = NameLevels::default();
                        for &(i, j) in chunk {
                            for c in 0..k {
                                let level =
                                    model.row_level(table, c, i as usize, j as usize, &mut names);
                                out.push(level);
                            }
                        }
                        out
                    })
                })
                .collect();
            let mut all = Vec::with_capacity(pairs.len() * k);
            for w in workers {
                all.extend(joined(w));
            }
            all
        });
        Sample { pairs, levels }
    }
}

/// Pairs grouped by their levels and (to 1/32 bit) their `log2 u`.
#[derive(Debug, Default)]
struct Patterns {
    /// Key: 4 bits per active comparison (15 for missing), then the rounded `log2 u`.
    /// Value: how many pairs, and the sum of their `log2 u`.
    counts: HashMap<u128, (f64, f64), FastBuild>,
}

const LEVEL_BITS: u32 = 4;
const MISSING_BITS: u128 = 15;

impl Patterns {
    fn add(&mut self, levels: &[u8], log2_u: f64) {
        let mut key = 0u128;
        for (k, &l) in levels.iter().enumerate() {
            let bits = if l == NULL_LEVEL {
                MISSING_BITS
            } else {
                u128::from(l)
            };
            key |= bits << (LEVEL_BITS * k as u32);
        }
        let rounded = (log2_u * 32.0).round() as i32 as u32;
        key |= u128::from(rounded) << 96;
        let e = self.counts.entry(key).or_insert((0.0, 0.0));
        e.0 += 1.0;
        e.1 += log2_u;
    }

    fn merge(&mut self, other: Patterns) {
        for (key, (count, sum)) in other.counts {
            let e = self.counts.entry(key).or_insert((0.0, 0.0));
            e.0 += count;
            e.1 += sum;
        }
    }

    fn total(&self) -> f64 {
        self.counts.values().map(|v| v.0).sum()
    }

    /// Each pattern as (levels, count, mean `log2 u`).
    fn decoded(&self, k: usize) -> Vec<(Vec<u8>, f64, f64)> {
        let mut keys: Vec<(&u128, &(f64, f64))> = self.counts.iter().collect();
        keys.sort_unstable_by_key(|(key, _)| **key);
        keys.into_iter()
            .map(|(&key, &(count, sum))| {
                let levels = (0..k)
                    .map(|c| {
                        let bits = (key >> (LEVEL_BITS * c as u32)) & MISSING_BITS;
                        if bits == MISSING_BITS {
                            NULL_LEVEL
                        } else {
                            bits as u8
                        }
                    })
                    .collect();
                (levels, count, sum / count)
            })
            .collect()
    }
}

impl Model {
    /// A model over the comparisons that have data in `table`, with default `m`, sampled
    /// `u`, term frequencies, and a provisional prior.
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
    pub fn new(table: &Table, background: usize, sample: usize) -> Model {
        let comparisons: Vec<usize> = (0..SPECS.len())
            .filter(|&i| table.filled(SPECS[i].comparison) > 0)
            .collect();
        let tf_log2 = value_counts(table, &comparisons)
            .into_iter()
            .zip(&comparisons)
            .map(|(counts, &i)| {
                let total = (table.filled(SPECS[i].comparison) + background) as f64;
                counts
                    .into_iter()
                    .map(|n| (f64::from(n.max(1)) / total).log2())
                    .collect()
            })
            .collect();
        let n = table.len().max(2) as f64;
        let m: Vec<Vec<f64>> = comparisons.iter().map(|&i| SPECS[i].m.to_vec()).collect();
        let level_tables = comparisons
            .iter()
            .map(|&i| LevelTable::of(SPECS[i].comparison, table))
            .collect();
        let mut model = Model {
            level_tables,
            active: comparisons,
            log2_m: log2_all(&m),
            log2_u: Vec::new(),
            m,
            u: Vec::new(),
            tf_log2,
            // One duplicate per mention until estimated.
            log2_prior: (1.0 / (n - 1.0)).log2(),
            sample: Sample::default(),
        };
        model.sample = Sample::draw(&model, table, sample);
        model.u = model.sample_u();
        model.log2_u = log2_all(&model.u);
        model
    }

    /// u-probabilities from the random sample, with add-one smoothing.
    fn sample_u(&self) -> Vec<Vec<f64>> {
        let k = self.active.len();
        let mut counts: Vec<Vec<f64>> = (0..k)
            .map(|c| vec![0.0; self.spec(c).levels.len()])
            .collect();
        for levels in self.sample.levels.chunks_exact(k.max(1)) {
            for (c, &l) in levels.iter().enumerate() {
                if l != NULL_LEVEL {
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

    /// The spec of the `k`th active comparison.
    pub fn spec(&self, k: usize) -> &'static Spec {
        &SPECS[self.active[k]]
    }

    fn comparison(&self, k: usize) -> Comparison {
        SPECS[self.active[k]].comparison
    }

    /// `log2 u` for a level of mention `a` (a value the table holds, for level 0, weighs by
    /// its term frequency).
    fn log2_u<M: Fields + ?Sized>(&self, table: &Table, k: usize, level: u8, a: &M) -> f64 {
        if level == 0 {
            if let Some(v) = table.value_of(self.comparison(k), a) {
                return self.tf_log2[k][v as usize];
            }
        }
        self.u[k][usize::from(level)].log2()
    }

    /// The match weight `log2(m/u)` of comparison `k` at `level` for a pair whose first
    /// mention is `a`.
    pub fn weight<M: Fields + ?Sized>(&self, table: &Table, k: usize, level: u8, a: &M) -> f64 {
        self.m[k][usize::from(level)].log2() - self.log2_u(table, k, level, a)
    }

    /// The levels of a pair, one per active comparison.
    pub fn levels<A: Fields + ?Sized, B: Fields + ?Sized>(&self, a: &A, b: &B) -> Vec<u8> {
        self.active
            .iter()
            .map(|&i| compare(SPECS[i].comparison, a, b).unwrap_or(NULL_LEVEL))
            .collect()
    }

    /// Total log2-odds of a pair (prior included).
    pub fn score<A: Fields + ?Sized, B: Fields + ?Sized>(
        &self,
        table: &Table,
        a: &A,
        b: &B,
    ) -> f64 {
        let levels = self.levels(a, b);
        self.log2_prior
            + levels
                .iter()
                .enumerate()
                .filter(|(_, l)| **l != NULL_LEVEL)
                .map(|(k, &l)| self.weight(table, k, l, a))
                .sum::<f64>()
    }

    /// The level of rows `i` and `j` on the `k`th active comparison.
    #[inline]
    fn row_level(&self, table: &Table, k: usize, i: usize, j: usize, names: &mut NameLevels) -> u8 {
        let c = self.comparison(k);
        let t = &self.level_tables[k];
        if t.values == 0 {
            return compare_rows_with(c, table, i, j, names).unwrap_or(NULL_LEVEL);
        }
        let (x, y) = (table.cell(i, c as usize), table.cell(j, c as usize));
        if x == MISSING || y == MISSING {
            NULL_LEVEL
        } else {
            t.levels[x as usize * t.values + y as usize]
        }
    }

    /// The levels of rows `i` and `j` into `levels`, returning the sum of `log2 u` over them.
    fn row_levels(
        &self,
        table: &Table,
        i: u32,
        j: u32,
        levels: &mut [u8; COLUMNS],
        names: &mut NameLevels,
    ) -> f64 {
        let k = self.active.len();
        for (c, level) in levels.iter_mut().enumerate().take(k) {
            *level = self.row_level(table, c, i as usize, j as usize, names);
        }
        self.levels_log2_u(table, i, &levels[..k])
    }

    /// The sum of `log2 u` over the levels of a pair whose first mention is row `i`.
    fn levels_log2_u(&self, table: &Table, i: u32, levels: &[u8]) -> f64 {
        let mut log2_u = 0.0;
        for (k, &l) in levels.iter().enumerate() {
            if l == 0 {
                let v = table.cell(i as usize, self.comparison(k) as usize);
                log2_u += self.tf_log2[k][v as usize];
            } else if l != NULL_LEVEL {
                log2_u += self.log2_u[k][usize::from(l)];
            }
        }
        log2_u
    }

    /// Counts the patterns of the candidate pairs in the blocks that `wanted` accepts (by
    /// their first two members), over all threads.
    fn patterns(
        &self,
        table: &Table,
        blocks: &Blocks,
        wanted: &(dyn Fn(u32, u32) -> bool + Sync),
    ) -> Patterns {
        let k = self.active.len();
        let parts = blocks.fold_pairs(wanted, &|(patterns, names): &mut (Patterns, NameLevels),
                                                i,
                                                j| {
            let mut levels = [NULL_LEVEL; COLUMNS];
            let log2_u = self.row_levels(table, i, j, &mut levels, names);
            patterns.add(&levels[..k], log2_u);
        });
        let mut all = Patterns::default();
        for (part, _) in parts {
            all.merge(part);
        }
        all
    }

    /// log2 Bayes factor of rows `i` and `j` under the current `m` (prior not included).
    pub fn row_log2_bf(&self, table: &Table, i: u32, j: u32) -> f64 {
        self.row_log2_bf_with(table, i, j, &mut NameLevels::forgetful())
    }

    /// [`Model::row_log2_bf`], remembering name levels in `names` (one per thread, for
    /// many pairs of one table).
    pub fn row_log2_bf_with(&self, table: &Table, i: u32, j: u32, names: &mut NameLevels) -> f64 {
        let mut levels = [NULL_LEVEL; COLUMNS];
        let log2_u = self.row_levels(table, i, j, &mut levels, names);
        self.pattern_log2_bf(&levels[..self.active.len()], log2_u)
    }

    /// log2 Bayes factor of levels with their `log2 u` (a pair's, or a pattern's mean).
    fn pattern_log2_bf(&self, levels: &[u8], log2_u: f64) -> f64 {
        let mut s = -log2_u;
        for (k, &l) in levels.iter().enumerate() {
            if l != NULL_LEVEL {
                s += self.log2_m[k][usize::from(l)];
            }
        }
        s
    }

    /// Estimates `m` (when `em_iterations > 0`) and the prior together by
    /// expectation-maximisation over all `n (n - 1) / 2` pairs.
    ///
    /// Each pair's match probability is `sigma(log2 prior + log2 BF)`. The candidate pairs
    /// are counted exactly up to [`TRAINING_PAIRS`] (beyond, a fixed-seed sample of the
    /// blocks, scaled up);
    /// the pairs blocking did not propose are represented by the fixed-seed random sample
    /// also used for `u`, scaled up to their number, so matches that blocking misses still
    /// count towards the prior. `m` is refitted from the candidate pairs' posteriors, with a
    /// small pull towards the defaults.
    ///
    /// The random pairs are those [`Model::new`] drew and compared; they are let go here,
    /// so a model is estimated once.
    pub fn estimate(&mut self, table: &Table, blocks: &Blocks, em_iterations: usize) {
        let bound = blocks.pair_bound();
        if bound == 0 {
            self.sample = Sample::default();
            return;
        }
        let rate = (TRAINING_PAIRS as f64 / bound as f64).min(1.0);
        let cut = (rate * u64::MAX as f64) as u64;
        // Blocks are sampled, by a hash of their first two members.
        let sampled = |i: u32, j: u32| rate >= 1.0 || pair_hash(i, j) <= cut;
        let candidates = self.patterns(table, blocks, &sampled);
        let counted = candidates.total();
        if counted == 0.0 {
            self.sample = Sample::default();
            return;
        }
        let k = self.active.len();
        let n = table.len();
        let all_pairs = (n as f64) * (n as f64 - 1.0) / 2.0;
        let candidate_pairs = counted / rate;
        // Pairs outside the candidate set, from the same sample as `u`.
        let mut outside = Patterns::default();
        let mut drawn = 0usize;
        let sample = std::mem::take(&mut self.sample);
        for (&(i, j), levels) in sample
            .pairs
            .iter()
            .zip(sample.levels.chunks_exact(k.max(1)))
        {
            if !blocks.is_candidate(i, j) {
                outside.add(levels, self.levels_log2_u(table, i, levels));
                drawn += 1;
            }
        }
        let outside_weight = (all_pairs - candidate_pairs).max(0.0) / drawn.max(1) as f64;
        let candidates = candidates.decoded(k);
        let outside = outside.decoded(k);
        let iterations = em_iterations.max(1) + 5;
        for it in 0..iterations {
            // E step: posteriors of the candidates, expected matches over all pairs.
            let posterior = |levels: &[u8], log2_u: f64| {
                probability(self.log2_prior + self.pattern_log2_bf(levels, log2_u))
            };
            let mut expected = 0.0;
            let mut counts: Vec<Vec<f64>> = self.m.iter().map(|m| vec![0.0; m.len()]).collect();
            for (levels, count, log2_u) in &candidates {
                let p = posterior(levels, *log2_u) * count / rate;
                expected += p;
                for (c, &l) in levels.iter().enumerate() {
                    if l != NULL_LEVEL {
                        counts[c][usize::from(l)] += p;
                    }
                }
            }
            for (levels, count, log2_u) in &outside {
                expected += posterior(levels, *log2_u) * count * outside_weight;
            }
            let prior = (expected / all_pairs.max(1.0)).clamp(1e-12, 0.5);
            self.log2_prior = (prior / (1.0 - prior)).log2();
            if it < em_iterations {
                // M step for m, with a small pull towards the defaults.
                for (c, counts) in counts.iter().enumerate() {
                    let total: f64 = counts.iter().sum();
                    let defaults = self.spec(c).m;
                    let pseudo = 10.0;
                    for (l, &count) in counts.iter().enumerate() {
                        self.m[c][l] =
                            ((count + pseudo * defaults[l]) / (total + pseudo)).max(1e-4);
                    }
                }
                self.log2_m = log2_all(&self.m);
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
