//! Connecting to the database, the pools, transactions and the error type.

use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};

use crate::audit::AuditWriter;

/// Which database engine a store is running on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// Embedded SQLite, the default for a single site.
    Sqlite,
    /// PostgreSQL, for regional deployments.
    Postgres,
}

impl Backend {
    /// Works out the backend from a database URL.
    pub fn from_url(url: &str) -> Result<Self, StoreError> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Ok(Backend::Postgres)
        } else {
            Err(StoreError::Config(
                "the database URL must start with sqlite:// or postgres://".into(),
            ))
        }
    }

    /// The name shown in messages and metrics.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        }
    }
}

/// Everything that can go wrong in storage.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database refused or failed a statement.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// The configuration cannot work (bad URL and so on).
    #[error("{0}")]
    Config(String),
    /// A value read back from the database is not one this version understands.
    #[error("stored data is not valid: {0}")]
    Corrupt(String),
    /// A uniqueness rule would be broken (e.g. an email already in use); names the rule.
    #[error("already exists: {0}")]
    Conflict(&'static str),
    /// The record does not exist.
    #[error("not found")]
    NotFound,
    /// The audit writer has stopped (the server is shutting down).
    #[error("the audit writer has stopped")]
    AuditWriterStopped,
}

impl StoreError {
    /// True when the error is a uniqueness violation in the database.
    pub fn is_unique_violation(&self) -> bool {
        matches!(self, StoreError::Database(sqlx::Error::Database(e)) if e.is_unique_violation())
    }
}

/// A transaction on the writer connection.
pub type Tx = sqlx::Transaction<'static, sqlx::Any>;

/// The handle every other part of Safehub uses to reach the database.
///
/// Reads go to `reader`; writes go to `writer`. On SQLite the writer pool holds one
/// connection so writers queue in the process instead of failing on `SQLITE_BUSY`; on
/// PostgreSQL both are the same pool.
#[derive(Clone)]
pub struct Store {
    pub(crate) reader: AnyPool,
    pub(crate) writer: AnyPool,
    backend: Backend,
    url: String,
    pub(crate) audit: AuditWriter,
}

/// SQLite settings for a server: WAL so readers never block the writer, foreign keys on,
/// a busy timeout, and `synchronous=FULL` so an audit entry acknowledged to a user survives
/// a power cut (see `docs/decisions/0003-sqlite-durability.md`).
const SQLITE_PRAGMAS: &str = "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; \
     PRAGMA busy_timeout = 5000; PRAGMA synchronous = FULL;";

impl Store {
    /// Connects to `url` (`sqlite://path` or `postgres://...`), creating a SQLite file if
    /// missing. Does not run migrations; see [`Store::migrate`].
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = Backend::from_url(url)?;
        let url = match backend {
            Backend::Sqlite if !url.contains("mode=") => {
                let sep = if url.contains('?') { '&' } else { '?' };
                format!("{url}{sep}mode=rwc")
            }
            _ => url.to_owned(),
        };
        let options = AnyConnectOptions::from_str(&url)?;
        let (reader, writer) = match backend {
            Backend::Sqlite => {
                let writer = sqlite_pool(1).connect_with(options.clone()).await?;
                let reader = sqlite_pool(READERS).connect_with(options).await?;
                (reader, writer)
            }
            Backend::Postgres => {
                let pool = AnyPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_with(options)
                    .await?;
                (pool.clone(), pool)
            }
        };
        let audit = AuditWriter::start(writer.clone());
        Ok(Store {
            reader,
            writer,
            backend,
            url,
            audit,
        })
    }

    /// The engine this store runs on.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The URL the store was opened with (may contain a password; never log it).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Starts a write transaction.
    pub async fn begin(&self) -> Result<Tx, StoreError> {
        Ok(self.writer.begin().await?)
    }

    /// Checks that the database answers, for `/health/ready`.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.reader).await?;
        Ok(())
    }

    /// Closes every connection, after the audit writer has flushed what it holds.
    pub async fn close(&self) {
        self.audit.stop().await;
        self.reader.close().await;
        self.writer.close().await;
    }
}

/// SQLite readers: each connection has its own thread and page cache, so more than a few
/// per core buys no throughput and costs memory.
const READERS: u32 = 4;

fn sqlite_pool(size: u32) -> AnyPoolOptions {
    AnyPoolOptions::new()
        .max_connections(size)
        .min_connections(1)
        .acquire_timeout(Duration::from_secs(30))
        // A connection to a local file does not go stale the way a network one can, so the
        // pool need not ping it before lending it out: that ping is one more round trip to
        // the connection's thread on every query (sqlx still checks it when it comes back).
        .test_before_acquire(false)
        .after_connect(|conn, _meta| {
            Box::pin(async move {
                conn.execute(sqlx::raw_sql(SQLITE_PRAGMAS)).await?;
                Ok(())
            })
        })
}

/// Reads a required text column.
pub(crate) fn text(row: &sqlx::any::AnyRow, col: &str) -> Result<String, StoreError> {
    use sqlx::Row;
    Ok(row.try_get::<String, _>(col)?)
}

/// Reads an optional text column.
pub(crate) fn opt_text(row: &sqlx::any::AnyRow, col: &str) -> Result<Option<String>, StoreError> {
    use sqlx::Row;
    Ok(row.try_get::<Option<String>, _>(col)?)
}

/// Reads a required integer column.
pub(crate) fn int(row: &sqlx::any::AnyRow, col: &str) -> Result<i64, StoreError> {
    use sqlx::Row;
    Ok(row.try_get::<i64, _>(col)?)
}

/// Reads an optional integer column.
pub(crate) fn opt_int(row: &sqlx::any::AnyRow, col: &str) -> Result<Option<i64>, StoreError> {
    use sqlx::Row;
    Ok(row.try_get::<Option<i64>, _>(col)?)
}

/// Parses a stored code or id into its domain type, reporting corrupt data clearly.
pub(crate) fn parsed<T: std::str::FromStr>(value: &str, what: &str) -> Result<T, StoreError> {
    value
        .parse()
        .map_err(|_| StoreError::Corrupt(format!("{what}: {value:?}")))
}

/// `$1, $2, ... $n` for an `IN` list.
pub(crate) fn placeholders(n: usize) -> String {
    placeholders_from(1, n)
}

/// `$first, ... $(first + n - 1)` for an `IN` list after other parameters.
pub(crate) fn placeholders_from(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}
