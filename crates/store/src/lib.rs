//! Safehub's persistence: one set of migrations and one set of queries that run unchanged on
//! SQLite (the embedded default) and PostgreSQL, through sqlx's `Any` driver.
//!
//! Queries are written in the SQL both engines share, with `$1` placeholders, and use only
//! `BIGINT` and `TEXT` columns; identifiers are UUIDs made by the application and times are
//! milliseconds since the Unix epoch in UTC. See `docs/decisions/0002-one-query-set.md`.

pub mod audit;
pub mod backup;
pub mod child_record;
pub mod children;
pub mod chronology;
pub mod clocks;
mod db;
pub mod intelligence;
mod migrate;
pub mod notifications;
pub mod organisations;
pub mod referrals;
pub mod screenings;
pub mod sessions;
pub mod testing;
pub mod users;

pub use audit::{AuditAction, AuditEntry, AuditOutcome, NewAuditEntry, VerifyReport};
pub use db::{Backend, Store, StoreError, Tx};
pub use migrate::MigrationReport;
/// The database driver's error, as returned by committing a [`Tx`].
pub use sqlx::Error as DbError;

/// The current time as stored: milliseconds since the Unix epoch, UTC.
pub fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}
