//! Distinct values of one column, each numbered once.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::Hash;

use crate::hashing::{FastBuild, hash_of, probe};

/// Distinct values, each with its number. The index holds hashes only; a hash collision is
/// resolved by probing, so equal numbers always mean equal values.
#[derive(Debug)]
pub(super) struct Dict<T> {
    pub(super) values: Vec<T>,
    pub(super) index: HashMap<u64, u32, FastBuild>,
}

impl<T> Default for Dict<T> {
    fn default() -> Self {
        Dict {
            values: Vec::new(),
            index: HashMap::default(),
        }
    }
}

impl<T: Hash + Eq> Dict<T> {
    /// The number of `v`, or the hash under which it would be added.
    fn slot<Q>(&self, v: &Q) -> Result<u32, u64>
    where
        Q: Hash + Eq + ?Sized,
        T: Borrow<Q>,
    {
        let mut h = hash_of(v);
        loop {
            match self.index.get(&h) {
                Some(&id) if self.values[id as usize].borrow() == v => return Ok(id),
                Some(_) => h = probe(h),
                None => return Err(h),
            }
        }
    }

    /// Adds a value not held yet, under the hash [`Dict::slot`] gave.
    fn add(&mut self, h: u64, v: T) -> u32 {
        let id = self.values.len() as u32;
        self.values.push(v);
        self.index.insert(h, id);
        id
    }

    pub(super) fn find<Q>(&self, v: &Q) -> Option<u32>
    where
        Q: Hash + Eq + ?Sized,
        T: Borrow<Q>,
    {
        self.slot(v).ok()
    }

    pub(super) fn intern(&mut self, v: &T) -> u32
    where
        T: Clone,
    {
        self.intern_borrowed(v, T::clone)
    }

    /// The number of `v`, adding `own(v)` when it is new (so a value already held costs no
    /// allocation).
    pub(super) fn intern_borrowed<Q>(&mut self, v: &Q, own: impl FnOnce(&Q) -> T) -> u32
    where
        Q: Hash + Eq + ?Sized,
        T: Borrow<Q>,
    {
        match self.slot(v) {
            Ok(id) => id,
            Err(h) => self.add(h, own(v)),
        }
    }

    pub(super) fn get(&self, id: u32) -> Option<&T> {
        self.values.get(id as usize)
    }

    /// Takes in the values of `theirs`, moving those not held yet, and returns the number
    /// here of each of theirs. `new` is told of each value added, with how many of theirs
    /// were already held since the last one added.
    pub(super) fn absorb(&mut self, theirs: Dict<T>, mut new: impl FnMut(Added)) -> Vec<u32> {
        let mut map = Vec::with_capacity(theirs.values.len());
        let mut skipped = 0;
        for v in theirs.values {
            map.push(match self.slot(&v) {
                Ok(id) => {
                    skipped += 1;
                    id
                }
                Err(h) => {
                    new(Added { skipped });
                    skipped = 0;
                    self.add(h, v)
                }
            });
        }
        map
    }
}

/// A value added by [`Dict::absorb`].
pub(super) struct Added {
    /// Values already held that came before it.
    pub(super) skipped: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colliding_hashes_are_probed() {
        // "b" sits where "a" hashes, as if the two collided.
        let mut d: Dict<Box<str>> = Dict::default();
        d.values.push(Box::<str>::from("b"));
        d.index.insert(hash_of("a"), 0);
        assert_eq!(d.find("a"), None);
        let a = d.intern(&Box::<str>::from("a"));
        assert_eq!(a, 1);
        assert_eq!(d.find("a"), Some(1));
        assert_eq!(d.intern(&Box::<str>::from("a")), 1);
        assert_eq!(d.values.len(), 2);
    }
}
