//! The analysts' picture of the intelligence of some areas (R5.2, R7.2, WM-25.1, WM-27.1):
//! persons mentioned resolved into subjects by the engine, with analysts' decisions always
//! winning; the link graph of subjects, children, vehicles, phones, addresses and places;
//! the links the engine proposes for an analyst to accept, merge or reject; and hotspots.
//!
//! Built from what the store holds, and kept ([`Pictures`]) only while the store's
//! fingerprint of it is unchanged, so every page shows the latest submissions and
//! decisions. Pure apart from that: no database, no access decisions (the pages decide
//! which areas go in and which children may be named).

use std::sync::{Arc, Mutex};

use safehub_domain::AreaId;

pub mod drawing;
mod picture;

/// How many pictures (one per set of areas) are kept.
const KEPT: usize = 4;

/// A picture with what it was built from.
type Kept = (Vec<AreaId>, [i64; 6], Arc<Picture>);

/// Pictures already built, each for a set of areas at a fingerprint of the store
/// (`Store::intel_fingerprint`). Building one for a force's ten thousand submissions takes
/// an eighth of a second (bench/README.md); reading a kept one, nothing.
#[derive(Default)]
pub struct Pictures(Mutex<Vec<Kept>>);

impl Pictures {
    /// The picture of `areas` at `fingerprint`, if one is kept.
    pub fn get(&self, areas: &[AreaId], fingerprint: [i64; 6]) -> Option<Arc<Picture>> {
        let kept = self.0.lock().unwrap_or_else(|p| p.into_inner());
        kept.iter()
            .find(|(a, f, _)| a == areas && *f == fingerprint)
            .map(|(_, _, p)| Arc::clone(p))
    }

    /// Keeps a picture, in place of any older one of the same areas; the least recently
    /// kept goes when there are too many.
    pub fn keep(&self, areas: Vec<AreaId>, fingerprint: [i64; 6], picture: Arc<Picture>) {
        let mut kept = self.0.lock().unwrap_or_else(|p| p.into_inner());
        kept.retain(|(a, _, _)| *a != areas);
        if kept.len() == KEPT {
            kept.remove(0);
        }
        kept.push((areas, fingerprint, picture));
    }
}

pub use picture::{Picture, Proposal, REVIEW_FLOOR, Subject, Thing, place_points, postcode_key};
