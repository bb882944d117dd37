//! Clustering of scored pairs into entities: union-find over links above the threshold,
//! strongest first, with a guard against chaining.
//!
//! Plain connected components let one weak bridge merge two people (A~B, B~C, so A=C even
//! when A and C plainly differ). Here two clusters are not merged when any pair across
//! them is a *conflict*: an analyst's "not the same" decision, or a pair whose evidence
//! against a match is overwhelming. Analysts' "same" decisions are applied first
//! and always win over the model.
//!
//! The analysts' conflicts are recorded; the model's are asked for pair by pair across the
//! two clusters at the moment of a merge (clusters of one entity are small), so the tens of
//! millions of clearly different pairs in a large run are never stored.

use std::collections::HashMap;

use crate::hashing::FastBuild;

/// Union-find with per-cluster conflict sets and member lists.
#[derive(Debug)]
pub struct Clusters {
    parent: Vec<u32>,
    size: Vec<u32>,
    /// Members of each cluster as a circular list: `next[i]` is the next member after `i`.
    next: Vec<u32>,
    /// Per root with any: the mentions this cluster must never join (analysts' "not the
    /// same" decisions, so few).
    conflicts: HashMap<u32, Vec<u32>, FastBuild>,
}

impl Clusters {
    /// `n` singleton clusters.
    pub fn new(n: usize) -> Clusters {
        Clusters {
            parent: (0..n as u32).collect(),
            size: vec![1; n],
            next: (0..n as u32).collect(),
            conflicts: HashMap::default(),
        }
    }

    /// The representative of `i`'s cluster.
    pub fn find(&mut self, mut i: u32) -> u32 {
        while self.parent[i as usize] != i {
            let p = self.parent[i as usize];
            self.parent[i as usize] = self.parent[p as usize];
            i = p;
        }
        i
    }

    /// Records that `i` and `j` must never be in one cluster.
    pub fn forbid(&mut self, i: u32, j: u32) {
        let (ri, rj) = (self.find(i), self.find(j));
        self.conflicts.entry(ri).or_default().push(j);
        self.conflicts.entry(rj).or_default().push(i);
    }

    /// Whether a recorded conflict keeps the clusters of roots `ri` and `rj` apart. The
    /// records are symmetric, so the shorter list is enough to look through.
    fn conflicting(&mut self, ri: u32, rj: u32) -> bool {
        let count = |r: u32| self.conflicts.get(&r).map_or(0, Vec::len);
        let (small, large) = if count(ri) <= count(rj) {
            (ri, rj)
        } else {
            (rj, ri)
        };
        let Some(listed) = self.conflicts.get(&small).cloned() else {
            return false;
        };
        listed.into_iter().any(|x| self.find(x) == large)
    }

    /// Whether `f(a, b)` holds for a member `a` of the cluster of root `ri` and a member `b`
    /// of the cluster of root `rj`, walking the member lists.
    fn any_across(&self, ri: u32, rj: u32, mut f: impl FnMut(u32, u32) -> bool) -> bool {
        let mut a = ri;
        loop {
            let mut b = rj;
            loop {
                if f(a, b) {
                    return true;
                }
                b = self.next[b as usize];
                if b == rj {
                    break;
                }
            }
            a = self.next[a as usize];
            if a == ri {
                return false;
            }
        }
    }

    /// Merges the clusters of `i` and `j` unless a recorded conflict forbids it (or
    /// `force`). Returns whether they are now together.
    pub fn union(&mut self, i: u32, j: u32, force: bool) -> bool {
        self.union_unless(i, j, force, |_, _| false)
    }

    /// [`Clusters::union`], also refused when `conflict(a, b)` holds for any member `a` of
    /// one cluster and `b` of the other, other than `i` and `j` themselves (the pair being
    /// linked).
    pub fn union_unless(
        &mut self,
        i: u32,
        j: u32,
        force: bool,
        mut conflict: impl FnMut(u32, u32) -> bool,
    ) -> bool {
        let (ri, rj) = (self.find(i), self.find(j));
        if ri == rj {
            return true;
        }
        if !force {
            if self.conflicting(ri, rj) {
                return false;
            }
            let alone = self.size[ri as usize] == 1 && self.size[rj as usize] == 1;
            let linked = |a: u32, b: u32| (a, b) == (i, j) || (a, b) == (j, i);
            if !alone && self.any_across(ri, rj, |a, b| !linked(a, b) && conflict(a, b)) {
                return false;
            }
        }
        let (big, small) = if self.size[ri as usize] >= self.size[rj as usize] {
            (ri, rj)
        } else {
            (rj, ri)
        };
        self.parent[small as usize] = big;
        self.size[big as usize] += self.size[small as usize];
        // Splice the two circular member lists into one.
        self.next.swap(big as usize, small as usize);
        if let Some(moved) = self.conflicts.remove(&small) {
            self.conflicts.entry(big).or_default().extend(moved);
        }
        true
    }

    /// Cluster label per mention: the smallest member index of its cluster.
    pub fn labels(&mut self) -> Vec<u32> {
        let n = self.parent.len();
        let mut smallest = vec![u32::MAX; n];
        let mut roots = vec![0u32; n];
        for i in 0..n as u32 {
            let r = self.find(i);
            roots[i as usize] = r;
            smallest[r as usize] = smallest[r as usize].min(i);
        }
        roots.iter().map(|&r| smallest[r as usize]).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // R5.2: chaining through a weak bridge is refused when the ends conflict.
    #[test]
    fn conflicts_stop_chaining() {
        let mut c = Clusters::new(4);
        c.forbid(0, 2);
        assert!(c.union(0, 1, false));
        assert!(!c.union(1, 2, false));
        assert!(c.union(2, 3, false));
        assert_eq!(c.labels(), vec![0, 0, 2, 2]);
        // An analyst's confirmed link wins over the model's conflict.
        assert!(c.union(1, 3, true));
        assert_eq!(c.labels(), vec![0, 0, 0, 0]);
    }

    // R5.2: the model's conflicts are asked for across the two clusters at a merge.
    #[test]
    fn conflicting_members_stop_a_merge() {
        let mut c = Clusters::new(5);
        assert!(c.union(0, 1, false));
        assert!(c.union(2, 3, false));
        assert!(c.union(3, 4, false));
        // Every pair across two clusters is visited once.
        let mut across = Vec::new();
        let (r0, r4) = (c.find(0), c.find(4));
        assert!(!c.any_across(r0, r4, |a, b| {
            across.push((a, b));
            false
        }));
        across.sort_unstable();
        assert_eq!(across, vec![(0, 2), (0, 3), (0, 4), (1, 2), (1, 3), (1, 4)]);
        let conflict = |a: u32, b: u32| (a.min(b), a.max(b)) == (1, 4);
        assert!(!c.union_unless(0, 2, false, conflict));
        assert_eq!(c.labels(), vec![0, 0, 2, 2, 2]);
        // The pair being linked is not asked about: linking 1 with 4 is a link, not a
        // conflict, and no other pair across conflicts.
        let mut d = Clusters::new(5);
        d.union(0, 1, false);
        d.union(2, 4, false);
        assert!(d.union_unless(1, 4, false, |a, b| (a.min(b), a.max(b)) == (1, 4)));
        assert!(c.union_unless(0, 2, true, conflict));
        assert_eq!(c.labels(), vec![0; 5]);
        let root = c.find(0);
        let mut all = vec![root];
        let mut i = c.next[root as usize];
        while i != root {
            all.push(i);
            i = c.next[i as usize];
        }
        all.sort_unstable();
        assert_eq!(all, vec![0, 1, 2, 3, 4]);
    }
}
