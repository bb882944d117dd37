//! Fresh databases for tests: a new SQLite file by default, or a new PostgreSQL database on
//! the server named by `SAFEHUB_TEST_POSTGRES` (e.g. `postgres://postgres@127.0.0.1:5432/test`),
//! so the same behaviour tests run on both backends.

use sqlx::{Connection, Executor};

use crate::StoreError;

/// The environment variable that switches tests to PostgreSQL.
pub const POSTGRES_ENV: &str = "SAFEHUB_TEST_POSTGRES";

/// A database made for one test. SQLite files are removed when it is dropped; PostgreSQL
/// test databases are named `safehub_test_*` and removed by `.ci/run` before each run.
pub struct TestDatabase {
    /// The URL to open it with.
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

/// Makes a fresh, empty database for a test.
pub async fn test_database() -> Result<TestDatabase, StoreError> {
    match std::env::var(POSTGRES_ENV) {
        Ok(server) if !server.is_empty() => {
            sqlx::any::install_default_drivers();
            let name = format!("safehub_test_{}", uuid::Uuid::new_v4().simple());
            let mut admin = sqlx::AnyConnection::connect(&server).await?;
            admin
                .execute(format!("CREATE DATABASE {name}").as_str())
                .await?;
            admin.close().await?;
            let base = server.rsplit_once('/').map_or(server.as_str(), |(b, _)| b);
            Ok(TestDatabase {
                url: format!("{base}/{name}"),
                _dir: None,
            })
        }
        _ => {
            let dir = tempfile::tempdir().map_err(|e| StoreError::Config(e.to_string()))?;
            let url = format!("sqlite://{}", dir.path().join("safehub.sqlite3").display());
            Ok(TestDatabase {
                url,
                _dir: Some(dir),
            })
        }
    }
}
