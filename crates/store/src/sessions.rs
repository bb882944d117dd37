//! Server-side sessions (only token hashes are stored), sign-in throttling and API tokens.

use safehub_domain::UserId;
use sqlx::AnyConnection;

use crate::db::{int, opt_int, parsed, text};
use crate::{Store, StoreError};

/// A session as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    /// The SHA-256 of the cookie token.
    pub token_hash: String,
    /// Whose session it is.
    pub user: UserId,
    /// When it started.
    pub created_at: i64,
    /// When it was last used (updated at most once a minute).
    pub last_seen_at: i64,
    /// When the second factor was passed; `None` means only the password was.
    pub second_factor_at: Option<i64>,
    /// When it ended, if it has.
    pub ended_at: Option<i64>,
}

/// Starts a session after a correct password.
pub async fn create_session(
    conn: &mut AnyConnection,
    token_hash: &str,
    user: UserId,
) -> Result<(), StoreError> {
    let now = crate::now_ms();
    sqlx::query("INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at) VALUES ($1, $2, $3, $3)")
        .bind(token_hash)
        .bind(user.to_string())
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Marks the second factor as passed for a session.
pub async fn complete_second_factor(
    conn: &mut AnyConnection,
    token_hash: &str,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE sessions SET second_factor_at = $1 WHERE token_hash = $2")
        .bind(crate::now_ms())
        .bind(token_hash)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Ends one session.
pub async fn end_session(conn: &mut AnyConnection, token_hash: &str) -> Result<(), StoreError> {
    sqlx::query("UPDATE sessions SET ended_at = $1 WHERE token_hash = $2 AND ended_at IS NULL")
        .bind(crate::now_ms())
        .bind(token_hash)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Ends every session of a user (account disabled, second factor reset).
pub async fn end_all_sessions(conn: &mut AnyConnection, user: UserId) -> Result<(), StoreError> {
    sqlx::query("UPDATE sessions SET ended_at = $1 WHERE user_id = $2 AND ended_at IS NULL")
        .bind(crate::now_ms())
        .bind(user.to_string())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// An API token's owner and scopes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiToken {
    /// The token's id (shown to administrators; the secret is never stored).
    pub id: String,
    /// The service account it acts as.
    pub user: UserId,
    /// A name to recognise it by.
    pub name: String,
    /// What it may do, space-separated (e.g. `children:read`).
    pub scopes: Vec<String>,
    /// When it was made.
    pub created_at: i64,
    /// When it was revoked, if it was.
    pub revoked_at: Option<i64>,
}

/// Stores a new API token's hash.
pub async fn insert_api_token(
    conn: &mut AnyConnection,
    id: &str,
    token_hash: &str,
    user: UserId,
    name: &str,
    scopes: &[String],
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO api_tokens (id, token_hash, user_id, name, scopes, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(token_hash)
    .bind(user.to_string())
    .bind(name)
    .bind(scopes.join(" "))
    .bind(crate::now_ms())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Revokes an API token; false if it was unknown or already revoked.
pub async fn revoke_api_token(conn: &mut AnyConnection, id: &str) -> Result<bool, StoreError> {
    let done =
        sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(crate::now_ms())
            .bind(id)
            .execute(&mut *conn)
            .await?;
    Ok(done.rows_affected() == 1)
}

fn read_token(r: &sqlx::any::AnyRow) -> Result<ApiToken, StoreError> {
    Ok(ApiToken {
        id: text(r, "id")?,
        user: parsed(&text(r, "user_id")?, "user id")?,
        name: text(r, "name")?,
        scopes: text(r, "scopes")?
            .split_whitespace()
            .map(str::to_owned)
            .collect(),
        created_at: int(r, "created_at")?,
        revoked_at: opt_int(r, "revoked_at")?,
    })
}

/// How long a run of failures is counted over, and how long a lock-out lasts.
#[derive(Clone, Copy, Debug)]
pub struct ThrottlePolicy {
    /// Failures allowed inside the window before locking.
    pub max_failures: i64,
    /// The window, in milliseconds.
    pub window_ms: i64,
    /// The lock-out, in milliseconds.
    pub lock_ms: i64,
}

impl Default for ThrottlePolicy {
    fn default() -> Self {
        ThrottlePolicy {
            max_failures: 5,
            window_ms: 15 * 60_000,
            lock_ms: 15 * 60_000,
        }
    }
}

impl Store {
    /// Reads a live or ended session by the hash of its token.
    pub async fn session(&self, token_hash: &str) -> Result<Option<Session>, StoreError> {
        let row = sqlx::query(
            "SELECT token_hash, user_id, created_at, last_seen_at, second_factor_at, ended_at \
             FROM sessions WHERE token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(&self.reader)
        .await?;
        row.map(|r| {
            Ok(Session {
                token_hash: text(&r, "token_hash")?,
                user: parsed(&text(&r, "user_id")?, "user id")?,
                created_at: int(&r, "created_at")?,
                last_seen_at: int(&r, "last_seen_at")?,
                second_factor_at: opt_int(&r, "second_factor_at")?,
                ended_at: opt_int(&r, "ended_at")?,
            })
        })
        .transpose()
    }

    /// A session and its account in one query (the check made on every request); `None` when
    /// no session has that token hash.
    pub async fn session_with_user(
        &self,
        token_hash: &str,
    ) -> Result<Option<(Session, crate::users::User)>, StoreError> {
        let sql = format!(
            "{} JOIN sessions s ON s.user_id = u.id WHERE s.token_hash = $1",
            crate::users::USER_SELECT.replacen(
                "SELECT ",
                "SELECT s.token_hash, s.created_at AS session_created_at, s.last_seen_at, \
                 s.second_factor_at, s.ended_at, ",
                1,
            )
        );
        let row = sqlx::query(&sql)
            .bind(token_hash)
            .fetch_optional(&self.reader)
            .await?;
        row.map(|r| {
            let user = crate::users::read_user(&r)?;
            let session = Session {
                token_hash: text(&r, "token_hash")?,
                user: user.id,
                created_at: int(&r, "session_created_at")?,
                last_seen_at: int(&r, "last_seen_at")?,
                second_factor_at: opt_int(&r, "second_factor_at")?,
                ended_at: opt_int(&r, "ended_at")?,
            };
            Ok((session, user))
        })
        .transpose()
    }

    /// Notes that a session was used now (callers limit this to once a minute).
    pub async fn touch_session(&self, token_hash: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
            .bind(crate::now_ms())
            .bind(token_hash)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    /// When a throttled key is locked until, if it is locked now.
    pub async fn throttle_locked_until(
        &self,
        key_hash: &str,
        now: i64,
    ) -> Result<Option<i64>, StoreError> {
        let row = sqlx::query("SELECT locked_until FROM sign_in_throttle WHERE key_hash = $1")
            .bind(key_hash)
            .fetch_optional(&self.reader)
            .await?;
        Ok(match row {
            Some(r) => opt_int(&r, "locked_until")?.filter(|until| *until > now),
            None => None,
        })
    }

    /// Counts a failure for a key; returns when it is now locked until, if the failure
    /// locked it.
    pub async fn throttle_failure(
        &self,
        key_hash: &str,
        now: i64,
        policy: ThrottlePolicy,
    ) -> Result<Option<i64>, StoreError> {
        let mut tx = self.writer.begin().await?;
        let row = sqlx::query(
            "SELECT failures, window_started_at FROM sign_in_throttle WHERE key_hash = $1",
        )
        .bind(key_hash)
        .fetch_optional(&mut *tx)
        .await?;
        let (failures, started) = match row {
            Some(r) if now - int(&r, "window_started_at")? < policy.window_ms => {
                (int(&r, "failures")? + 1, int(&r, "window_started_at")?)
            }
            _ => (1, now),
        };
        let locked = (failures >= policy.max_failures).then_some(now + policy.lock_ms);
        sqlx::query("DELETE FROM sign_in_throttle WHERE key_hash = $1")
            .bind(key_hash)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO sign_in_throttle (key_hash, failures, window_started_at, locked_until) VALUES ($1, $2, $3, $4)",
        )
        .bind(key_hash)
        .bind(if locked.is_some() { 0 } else { failures })
        .bind(started)
        .bind(locked)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(locked)
    }

    /// Clears the failures of a key after a successful sign-in.
    pub async fn throttle_clear(&self, key_hash: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sign_in_throttle WHERE key_hash = $1")
            .bind(key_hash)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    /// Finds a live (not revoked) API token by the hash of the presented secret.
    pub async fn api_token_by_hash(
        &self,
        token_hash: &str,
    ) -> Result<Option<ApiToken>, StoreError> {
        let row = sqlx::query(
            "SELECT id, user_id, name, scopes, created_at, revoked_at FROM api_tokens \
             WHERE token_hash = $1 AND revoked_at IS NULL",
        )
        .bind(token_hash)
        .fetch_optional(&self.reader)
        .await?;
        row.as_ref().map(read_token).transpose()
    }

    /// A user's API tokens, newest first.
    pub async fn api_tokens_of(&self, user: UserId) -> Result<Vec<ApiToken>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, user_id, name, scopes, created_at, revoked_at FROM api_tokens \
             WHERE user_id = $1 ORDER BY created_at DESC",
        )
        .bind(user.to_string())
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(read_token).collect()
    }
}
