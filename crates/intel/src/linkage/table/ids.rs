//! The `unique_id`s of a table's rows and the index from identifier to row.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::hashing::{FastBuild, hash_of, probe};
use crate::linkage::candidates::{joined, threads};

/// The `unique_id`s of a table's rows, end to end in one buffer, and an index from
/// identifier to row, made when first asked for (on every core) and dropped when rows are
/// added.
#[derive(Debug, Default)]
pub(super) struct Ids {
    text: String,
    /// Where each row's identifier ends in `text`.
    ends: Vec<usize>,
    index: OnceLock<IdIndex>,
}

/// First row of each identifier, by hash (probed on a collision), in shards that are
/// filled in parallel: an identifier's shard follows from its hash.
#[derive(Debug)]
pub(super) struct IdIndex {
    shards: Vec<HashMap<u64, u32, FastBuild>>,
    /// The first row whose identifier an earlier row already has.
    pub(super) duplicate: Option<u32>,
}

impl Ids {
    pub(super) fn len(&self) -> usize {
        self.ends.len()
    }

    pub(super) fn get(&self, row: usize) -> &str {
        let from = if row == 0 { 0 } else { self.ends[row - 1] };
        &self.text[from..self.ends[row]]
    }

    pub(super) fn push(&mut self, id: &str) {
        self.text.push_str(id);
        self.ends.push(self.text.len());
        self.index = OnceLock::new();
    }

    pub(super) fn append(&mut self, other: &Ids) {
        let base = self.text.len();
        self.text.push_str(&other.text);
        self.ends.extend(other.ends.iter().map(|e| base + e));
        self.index = OnceLock::new();
    }

    fn shard_of(h: u64, shards: usize) -> usize {
        ((u128::from(h) * shards as u128) >> 64) as usize
    }

    pub(super) fn index(&self) -> &IdIndex {
        self.index.get_or_init(|| {
            let shards = threads();
            let build = |shard: usize| {
                let mut map = HashMap::with_capacity_and_hasher(self.len() / shards + 1, FastBuild);
                let mut duplicate = None;
                for row in 0..self.len() {
                    let id = self.get(row);
                    let mut h = hash_of(id);
                    if Ids::shard_of(h, shards) != shard {
                        continue;
                    }
                    loop {
                        match map.get(&h) {
                            Some(&r) if self.get(r as usize) == id => {
                                duplicate = duplicate.or(Some(row as u32));
                                break;
                            }
                            Some(_) => h = probe(h),
                            None => {
                                map.insert(h, row as u32);
                                break;
                            }
                        }
                    }
                }
                (map, duplicate)
            };
            let built: Vec<_> = std::thread::scope(|s| {
                let workers: Vec<_> = (0..shards).map(|k| s.spawn(move || build(k))).collect();
                workers.into_iter().map(joined).collect()
            });
            let duplicate = built.iter().filter_map(|b| b.1).min();
            IdIndex {
                shards: built.into_iter().map(|b| b.0).collect(),
                duplicate,
            }
        })
    }

    pub(super) fn position(&self, id: &str) -> Option<u32> {
        let index = self.index();
        let mut h = hash_of(id);
        let shard = &index.shards[Ids::shard_of(h, index.shards.len())];
        loop {
            let r = *shard.get(&h)?;
            if self.get(r as usize) == id {
                return Some(r);
            }
            h = probe(h);
        }
    }
}
