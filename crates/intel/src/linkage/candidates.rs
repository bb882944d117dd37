//! The candidate pairs of a table, enumerated block by block without ever being held.
//!
//! Every mention's blocking keys ([`blocking_keys`]) are sorted into blocks. A block of two
//! to `max_block` mentions proposes all its pairs; a larger one (a frequent name, a default
//! date) proposes none and is counted, so the number of pairs stays bounded however skewed
//! the data. Two mentions sharing several blocks are proposed once, by the first block they
//! share. At a million mentions the pairs run to tens of millions: they are streamed to the
//! caller, split over threads, instead of being collected, sorted and deduplicated.

use super::blocking::{blocking_keys, blocking_keys_into};
use super::mention::Fields;
use super::table::Table;

/// The blocks of a table, and for each mention the blocks that propose pairs.
#[derive(Debug, Default)]
pub struct Blocks {
    /// Blocking keys, sorted; block `b` has key `keys[b]`.
    keys: Vec<u64>,
    /// Members of block `b`: `members[starts[b]..starts[b + 1]]`, ascending. A block larger
    /// than the cap keeps no members.
    starts: Vec<u32>,
    members: Vec<u32>,
    /// Per member of a block of two or more: how many of the member's proposing blocks
    /// come before this one (at most 255, meaning "255 or more"). A pair with a member
    /// for which this block is the first is proposed here without looking further.
    earlier: Vec<u8>,
    /// Blocks of mention `i` that propose pairs: `proposing[first[i]..first[i + 1]]`,
    /// ascending.
    first: Vec<u32>,
    proposing: Vec<u32>,
    /// Blocks larger than the cap.
    capped: usize,
    /// Sum over proposing blocks of `size * (size - 1) / 2`: an upper bound on the pairs.
    pair_bound: u64,
}

impl Blocks {
    /// Blocks the rows of `table`; blocks with more than `max_block` mentions are capped.
    pub fn build(table: &Table, max_block: usize) -> Blocks {
        Blocks::from_runs(table.len(), sorted_entries(table), max_block)
    }

    /// Blocks of `n` mentions from runs of `(key, mention)` entries, each sorted by key,
    /// then mention, and each run's keys above the last run's.
    fn from_runs(n: usize, runs: Vec<Vec<(u64, u32)>>, max_block: usize) -> Blocks {
        let mut b = Blocks {
            starts: vec![0],
            ..Blocks::default()
        };
        let mut per_mention = vec![0u32; n + 1];
        for entries in runs {
            b.add_blocks(&entries, max_block, &mut per_mention);
        }
        for i in 0..n {
            per_mention[i + 1] += per_mention[i];
        }
        let mut fill = per_mention.clone();
        let mut proposing = vec![0; per_mention[n] as usize];
        b.earlier = vec![0; b.members.len()];
        for block in 0..b.keys.len() {
            let (from, to) = (b.starts[block] as usize, b.starts[block + 1] as usize);
            if to - from >= 2 {
                for (&i, earlier) in b.members[from..to].iter().zip(&mut b.earlier[from..to]) {
                    let i = i as usize;
                    *earlier = u8::try_from(fill[i] - per_mention[i]).unwrap_or(u8::MAX);
                    proposing[fill[i] as usize] = block as u32;
                    fill[i] += 1;
                }
            }
        }
        b.proposing = proposing;
        b.first = per_mention;
        b
    }

    /// Adds the blocks of `(key, mention)` entries sorted by key, then mention, counting
    /// in `per_mention[i + 1]` the blocks that propose pairs of mention `i`.
    fn add_blocks(&mut self, entries: &[(u64, u32)], max_block: usize, per_mention: &mut [u32]) {
        let mut x = 0;
        while x < entries.len() {
            let key = entries[x].0;
            let mut y = x + 1;
            while y < entries.len() && entries[y].0 == key {
                y += 1;
            }
            let size = y - x;
            self.keys.push(key);
            if size > max_block {
                self.capped += 1;
            } else {
                self.members.extend(entries[x..y].iter().map(|e| e.1));
                if size >= 2 {
                    self.pair_bound += (size * (size - 1) / 2) as u64;
                    for e in &entries[x..y] {
                        per_mention[e.1 as usize + 1] += 1;
                    }
                }
            }
            self.starts.push(self.members.len() as u32);
            x = y;
        }
    }

    fn block_members(&self, block: usize) -> &[u32] {
        &self.members[self.starts[block] as usize..self.starts[block + 1] as usize]
    }

    fn proposing_of(&self, i: u32) -> &[u32] {
        &self.proposing[self.first[i as usize] as usize..self.first[i as usize + 1] as usize]
    }

    /// Blocks larger than the cap.
    pub fn capped(&self) -> usize {
        self.capped
    }

    /// An upper bound on the number of candidate pairs (pairs in several blocks counted in
    /// each).
    pub fn pair_bound(&self) -> u64 {
        self.pair_bound
    }

    /// The mentions sharing a key with `m` in blocks within the cap, ascending, without
    /// repeats (linking a new mention against the table).
    pub fn neighbours<M: Fields + ?Sized>(&self, m: &M) -> Vec<u32> {
        let mut out = Vec::new();
        for key in blocking_keys(m) {
            if let Ok(block) = self.keys.binary_search(&key) {
                out.extend_from_slice(self.block_members(block));
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The first block proposing both `i` and `j`, if any.
    fn first_shared(&self, i: u32, j: u32) -> Option<u32> {
        first_common(self.proposing_of(i), self.proposing_of(j))
    }

    /// Whether `i` and `j` are a candidate pair.
    pub fn is_candidate(&self, i: u32, j: u32) -> bool {
        i != j && self.first_shared(i, j).is_some()
    }

    /// Calls `visit(i, j)` with `i < j` once for every candidate pair in the share
    /// `part` of `parts` (blocks are dealt round-robin), from the blocks that `wanted`
    /// accepts. `wanted` is given a block's first two members, so that a sample of blocks
    /// is the same from run to run and costs only what it visits. A pair belongs to the
    /// first block its mentions share, so each pair is in a sample with the chance of one
    /// block.
    pub fn for_each_pair(
        &self,
        part: usize,
        parts: usize,
        wanted: impl Fn(u32, u32) -> bool,
        mut visit: impl FnMut(u32, u32),
    ) {
        let mut before: Vec<Option<&[u32]>> = Vec::new();
        for block in (part..self.keys.len()).step_by(parts.max(1)) {
            let (from, to) = (self.starts[block] as usize, self.starts[block + 1] as usize);
            let members = &self.members[from..to];
            if members.len() < 2 || !wanted(members[0], members[1]) {
                continue;
            }
            // Each member's proposing blocks before this one, read once for all its
            // pairs here (`None`: too many to have been counted).
            before.clear();
            before.extend(
                members
                    .iter()
                    .zip(&self.earlier[from..to])
                    .map(|(&i, &e)| match e {
                        0 => Some(&[][..]),
                        u8::MAX => None,
                        e => Some(&self.proposing_of(i)[..usize::from(e)]),
                    }),
            );
            for (x, (&i, bi)) in members.iter().zip(&before).enumerate() {
                for (&j, bj) in members[x + 1..].iter().zip(&before[x + 1..]) {
                    let first = match (bi, bj) {
                        (Some(a), Some(b)) => !intersect(a, b),
                        _ => self.first_shared(i, j) == Some(block as u32),
                    };
                    if first {
                        visit(i, j);
                    }
                }
            }
        }
    }
}

impl Blocks {
    /// Visits the candidate pairs of the blocks that `wanted` accepts (see
    /// [`Blocks::for_each_pair`]) on every core. Each thread folds its share into a `T` of
    /// its own, starting from `T::default()`; the results come back in thread order.
    pub fn fold_pairs<T: Default + Send>(
        &self,
        wanted: &(dyn Fn(u32, u32) -> bool + Sync),
        visit: &(dyn Fn(&mut T, u32, u32) + Sync),
    ) -> Vec<T> {
        let parts = threads();
        std::thread::scope(|s| {
            let workers: Vec<_> = (0..parts)
                .map(|part| {
                    s.spawn(move || {
                        let mut acc = T::default();
                        self.for_each_pair(part, parts, wanted, |i, j| visit(&mut acc, i, j));
                        acc
                    })
                })
                .collect();
            workers.into_iter().map(joined).collect()
        })
    }
}

/// The first value two ascending lists share, if any.
fn first_common(a: &[u32], b: &[u32]) -> Option<u32> {
    let (mut x, mut y) = (0, 0);
    while x < a.len() && y < b.len() {
        match a[x].cmp(&b[y]) {
            std::cmp::Ordering::Less => x += 1,
            std::cmp::Ordering::Greater => y += 1,
            std::cmp::Ordering::Equal => return Some(a[x]),
        }
    }
    None
}

/// Whether two ascending lists share a value.
fn intersect(a: &[u32], b: &[u32]) -> bool {
    !a.is_empty() && !b.is_empty() && first_common(a, b).is_some()
}

/// Every mention's blocking keys as `(key, mention)`, sorted, in one run per range of
/// keys (the runs in key order). The keys are made on every core, each thread taking a
/// share of the rows and dealing its keys into ranges; each range is then sorted on a
/// core of its own.
fn sorted_entries(table: &Table) -> Vec<Vec<(u64, u32)>> {
    let parts = threads();
    let n = table.len();
    let range_of = |key: u64| ((u128::from(key) * parts as u128) >> 64) as usize;
    std::thread::scope(|s| {
        let made: Vec<_> = (0..parts)
            .map(|part| {
                s.spawn(move || {
                    let mut ranges: Vec<Vec<(u64, u32)>> = vec![Vec::new(); parts];
                    let mut keys = Vec::with_capacity(32);
                    for i in (n * part / parts)..(n * (part + 1) / parts) {
                        blocking_keys_into(&table.row(i), &mut keys);
                        for &k in &keys {
                            ranges[range_of(k)].push((k, i as u32));
                        }
                    }
                    ranges
                })
            })
            .collect();
        let mut by_range: Vec<Vec<Vec<(u64, u32)>>> = vec![Vec::new(); parts];
        for w in made {
            for (r, entries) in joined(w).into_iter().enumerate() {
                by_range[r].push(entries);
            }
        }
        let sorted: Vec<_> = by_range
            .into_iter()
            .map(|runs| s.spawn(move || sort_entries(runs)))
            .collect();
        sorted.into_iter().map(joined).collect()
    })
}

/// Sorts `(key, mention)` entries, given as runs whose mentions ascend from one run to the
/// next within a key: one counting pass deals them into buckets by the top bits of the key
/// (keys are hashes, so the buckets are even and small), then each bucket is sorted where
/// it lies, in the cache.
fn sort_entries(runs: Vec<Vec<(u64, u32)>>) -> Vec<(u64, u32)> {
    const BITS: u32 = 16;
    let bucket = |key: u64| (key >> (64 - BITS)) as usize;
    let mut starts = vec![0usize; (1 << BITS) + 1];
    for run in &runs {
        for &(key, _) in run {
            starts[bucket(key) + 1] += 1;
        }
    }
    for b in 0..1 << BITS {
        starts[b + 1] += starts[b];
    }
    let mut out = vec![(0u64, 0u32); starts[1 << BITS]];
    let mut fill = starts.clone();
    for run in runs {
        for entry in run {
            let b = bucket(entry.0);
            out[fill[b]] = entry;
            fill[b] += 1;
        }
    }
    for b in 0..1 << BITS {
        out[starts[b]..starts[b + 1]].sort_unstable();
    }
    out
}

/// The result of a finished thread; a panic in it goes on in the caller, so that no share
/// of the work is silently lost.
pub fn joined<T>(handle: std::thread::ScopedJoinHandle<'_, T>) -> T {
    handle
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

/// Threads to spread pair work over (the machine's parallelism, at most 8).
pub fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().min(8))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linkage::mention::{Field, Mention};

    fn mention(i: usize, fields: &[(Field, &str)]) -> Mention {
        let mut m = Mention::new(i.to_string());
        for (f, v) in fields {
            m.set(*f, v).expect("valid");
        }
        m
    }

    fn all_pairs(b: &Blocks, parts: usize) -> Vec<(u32, u32)> {
        let mut out = Vec::new();
        for part in 0..parts {
            b.for_each_pair(part, parts, |_, _| true, |i, j| out.push((i, j)));
        }
        out.sort_unstable();
        out
    }

    // R5.2: blocking keeps recall (a shared phone or plate alone makes a pair), and a pair
    // sharing several keys is proposed once.
    #[test]
    fn shared_phone_or_partial_plate_makes_one_pair() {
        let ms = [
            mention(
                0,
                &[
                    (Field::FirstName, "Jay"),
                    (Field::Surname, "Reid"),
                    (Field::Phone, "07700900123"),
                ],
            ),
            mention(
                1,
                &[
                    (Field::FirstName, "Jay"),
                    (Field::Surname, "Reid"),
                    (Field::Phone, "+447700900123"),
                ],
            ),
            mention(2, &[(Field::Vrm, "AB12CDE")]),
            mention(3, &[(Field::Vrm, "AB1? CDE")]),
            mention(4, &[(Field::Surname, "Nobody")]),
        ];
        let table = Table::from_mentions(&ms);
        let blocks = Blocks::build(&table, 100);
        assert_eq!(all_pairs(&blocks, 1), vec![(0, 1), (2, 3)]);
        assert_eq!(all_pairs(&blocks, 3), vec![(0, 1), (2, 3)]);
        assert_eq!(blocks.capped(), 0);
        assert!(blocks.pair_bound() > 2, "0 and 1 share several keys");
        assert!(blocks.is_candidate(0, 1) && blocks.is_candidate(3, 2));
        assert!(!blocks.is_candidate(0, 2) && !blocks.is_candidate(4, 4));
        assert_eq!(blocks.neighbours(&ms[3]), vec![2, 3]);
        assert!(
            blocks
                .neighbours(&mention(9, &[(Field::Vrm, "ZZ99ZZZ")]))
                .is_empty()
        );
    }

    // A pair sharing more blocks than the per-member count can hold (255) is still
    // proposed once, by the first block it shares.
    #[test]
    fn a_pair_in_hundreds_of_blocks_is_proposed_once() {
        let entries: Vec<(u64, u32)> = (0..300u64)
            .flat_map(|k| [(k, 0), (k, 1)])
            .chain([(400, 1), (400, 2)])
            .collect();
        let b = Blocks::from_runs(3, vec![entries], 50);
        assert_eq!(
            b.earlier[b.earlier.len() - 2],
            u8::MAX,
            "mention 1 saturates"
        );
        let mut pairs = Vec::new();
        b.for_each_pair(0, 1, |_, _| true, |i, j| pairs.push((i, j)));
        assert_eq!(pairs, vec![(0, 1), (1, 2)]);
    }

    // The bucket sort of blocking entries gives what a full sort gives, ties included.
    #[test]
    fn entries_sort_as_a_full_sort_does() {
        let mut seed = 11u64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        // Few distinct keys, so that keys repeat across runs; mentions ascend across runs.
        let keys: Vec<u64> = (0..500).map(|_| next()).collect();
        let runs: Vec<Vec<(u64, u32)>> = (0..3u32)
            .map(|r| {
                (0..4000u32)
                    .map(|m| (keys[(next() % 500) as usize], r * 4000 + m))
                    .collect()
            })
            .collect();
        let mut want: Vec<(u64, u32)> = runs.concat();
        want.sort_unstable();
        assert_eq!(sort_entries(runs), want);
    }

    // R5.2: a frequent key cannot explode the pair count.
    #[test]
    fn frequent_keys_are_capped() {
        let m = mention(0, &[(Field::FirstName, "John"), (Field::Surname, "Smith")]);
        let ms: Vec<Mention> = (0..1000).map(|_| m.clone()).collect();
        let table = Table::from_mentions(&ms);
        let blocks = Blocks::build(&table, 50);
        assert!(all_pairs(&blocks, 2).is_empty());
        assert_eq!(blocks.capped(), blocking_keys(&m).len());
        assert!(blocks.neighbours(&m).is_empty());
    }
}
