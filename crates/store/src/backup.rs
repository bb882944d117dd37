//! Consistent online backups: `VACUUM INTO` on SQLite (a transactionally consistent copy
//! taken while the server runs), `pg_dump` on PostgreSQL (one snapshot, custom format).

use std::path::Path;

use crate::{Backend, Store, StoreError};

impl Store {
    /// Writes a consistent copy of the whole database to `dest`, which must not exist.
    pub async fn backup(&self, dest: &Path) -> Result<(), StoreError> {
        if dest.exists() {
            return Err(StoreError::Config(format!(
                "{} already exists; choose a new file",
                dest.display()
            )));
        }
        let dest_text = dest
            .to_str()
            .ok_or_else(|| StoreError::Config("the backup path must be valid UTF-8".into()))?
            .to_owned();
        match self.backend() {
            Backend::Sqlite => {
                sqlx::query("VACUUM INTO $1")
                    .bind(dest_text)
                    .execute(&self.reader)
                    .await?;
                Ok(())
            }
            Backend::Postgres => {
                let url = self.url().to_owned();
                let status = tokio::task::spawn_blocking(move || {
                    std::process::Command::new("pg_dump")
                        .args([
                            "--format=custom",
                            "--no-owner",
                            "--file",
                            &dest_text,
                            "--dbname",
                            &url,
                        ])
                        .status()
                })
                .await
                .map_err(|e| StoreError::Config(format!("backup task failed: {e}")))?
                .map_err(|e| StoreError::Config(format!("could not run pg_dump: {e}")))?;
                if status.success() {
                    Ok(())
                } else {
                    Err(StoreError::Config(format!("pg_dump failed ({status})")))
                }
            }
        }
    }
}
