//! Safehub's intelligence engine (issue 4, part A; R5.1, R5.2, R7.2, WM-25.1, WM-27.1).
//!
//! Pure computation with no file system or network access: callers hand in readers and
//! writers. The parts are
//! - [`normalise`]: names, nicknames, phonetic codes, vehicle registrations, phones,
//!   postcodes, addresses, vehicle descriptions and dates;
//! - [`similarity`]: string similarity measures;
//! - [`linkage`]: entity resolution (blocking, explainable scoring, clustering, `explain`);
//! - [`evaluation`]: pairwise precision, recall and F1 of clusters against ground truth;
//! - [`graph`]: the link graph (networks, subjects linked to two or more children, key
//!   nodes by betweenness, cross-area links);
//! - [`hotspots`](mod@hotspots): Getis-Ord Gi* on a regular grid and time-of-day / seasonal counts;
//! - [`csv_api`]: the CSV contract used by `safehub link` and `safehub hotspots`.

pub mod csv_api;
pub mod error;
pub mod evaluation;
pub mod graph;
mod hashing;
pub mod hotspots;
mod link_input;
pub mod linkage;
pub mod normalise;
pub mod similarity;

pub use csv_api::{
    InvalidValues, LinkSummary, ReadReport, explain_csv, hotspots_csv, link_csv, read_points,
    read_table,
};
pub use error::IntelError;
pub use evaluation::{PairwiseScores, evaluate_csv, pairwise_scores};
pub use graph::{
    AreaConflict, ChildLink, Edge, EdgeEvidence, EdgeId, GraphBuilder, GraphError, KeyNode,
    KindCounts, LinkGraph, Network, Node, NodeId, NodeKind, Route, SubjectLinks,
};
pub use hotspots::{Cell, HotspotOptions, HotspotResult, HotspotSummary, Point, hotspots};
pub use linkage::{
    Candidate, Decision, Evidence, Explanation, Field, Fields, LinkOptions, LinkStats, Linker,
    Mention, Phases, Table,
};
