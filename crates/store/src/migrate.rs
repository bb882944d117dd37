//! The migration runner: one ordered list of SQL files shared by both backends, plus the few
//! per-backend files where the engines' syntax truly differs (the audit guards).

use sqlx::{Executor, Row};

use crate::{Backend, Store, StoreError};

/// One migration: a version, a name, the shared SQL and any backend-specific SQL that
/// follows it in the same transaction.
struct Migration {
    version: i64,
    name: &'static str,
    common: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "organisations",
        common: include_str!("../migrations/common/0001_organisations.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 2,
        name: "accounts",
        common: include_str!("../migrations/common/0002_accounts.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 3,
        name: "children",
        common: include_str!("../migrations/common/0003_children.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 4,
        name: "audit",
        common: include_str!("../migrations/common/0004_audit.sql"),
        sqlite: include_str!("../migrations/sqlite/0004_audit_guard.sql"),
        postgres: include_str!("../migrations/postgres/0004_audit_guard.sql"),
    },
    Migration {
        version: 5,
        name: "front door",
        common: include_str!("../migrations/common/0005_front_door.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 6,
        name: "tray and queue indexes",
        common: include_str!("../migrations/common/0006_tray_and_queue_indexes.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 7,
        name: "intelligence",
        common: include_str!("../migrations/common/0007_intelligence.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 8,
        name: "intelligence analysis",
        common: include_str!("../migrations/common/0008_intelligence_analysis.sql"),
        sqlite: "",
        postgres: "",
    },
];

/// What a migration run did, for the start-up message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MigrationReport {
    /// Names of the migrations applied by this run, in order.
    pub applied: Vec<String>,
    /// The schema version after the run.
    pub version: i64,
}

impl Store {
    /// Brings the schema up to date, each migration in its own transaction.
    pub async fn migrate(&self) -> Result<MigrationReport, StoreError> {
        let mut conn = self.writer.acquire().await?;
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (\
             version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
        )
        .await?;
        drop(conn);
        let done: Vec<i64> = sqlx::query("SELECT version FROM schema_migrations ORDER BY version")
            .fetch_all(&self.writer)
            .await?
            .iter()
            .map(|r| r.try_get::<i64, _>(0))
            .collect::<Result<_, _>>()?;
        if let Some(newest) = done.last() {
            let known = MIGRATIONS.last().map_or(0, |m| m.version);
            if *newest > known {
                return Err(StoreError::Config(format!(
                    "the database schema (version {newest}) is newer than this program \
                     understands (version {known}); upgrade Safehub"
                )));
            }
        }
        let mut applied = Vec::new();
        for m in MIGRATIONS.iter().filter(|m| !done.contains(&m.version)) {
            let mut tx = self.writer.begin().await?;
            tx.execute(sqlx::raw_sql(m.common)).await?;
            let extra = match self.backend() {
                Backend::Sqlite => m.sqlite,
                Backend::Postgres => m.postgres,
            };
            if !extra.is_empty() {
                tx.execute(sqlx::raw_sql(extra)).await?;
            }
            sqlx::query(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
            )
            .bind(m.version)
            .bind(m.name)
            .bind(crate::now_ms())
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            applied.push(format!("{:04}_{}", m.version, m.name));
        }
        Ok(MigrationReport {
            applied,
            version: MIGRATIONS.last().map_or(0, |m| m.version),
        })
    }

    /// Grants a PostgreSQL application role what the server needs and nothing more on the
    /// audit trail: it may read and append entries but never change or remove them.
    pub async fn grant_app_role(&self, role: &str) -> Result<(), StoreError> {
        if self.backend() != Backend::Postgres {
            return Err(StoreError::Config(
                "application roles exist only on PostgreSQL".into(),
            ));
        }
        if role.is_empty() || !role.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(StoreError::Config(
                "a role name may use only letters, digits and _".into(),
            ));
        }
        let sql = format!(
            "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role};\
             REVOKE UPDATE, DELETE, TRUNCATE ON audit_entries FROM {role};"
        );
        self.writer.execute(sqlx::raw_sql(&sql)).await?;
        Ok(())
    }
}
