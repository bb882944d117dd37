//! User accounts, their roles, second factors and recovery codes (R1.3).

use safehub_domain::{AgencyId, Role, TeamId, UserId};
use sqlx::AnyConnection;

use crate::db::{int, opt_int, opt_text, parsed, placeholders, text};
use crate::{Store, StoreError};

/// What is needed to create an account.
#[derive(Clone, Debug)]
pub struct NewUser {
    /// The id to give it.
    pub id: UserId,
    /// Sign-in email, already normalised (trimmed, lower case).
    pub email: String,
    /// The name colleagues see.
    pub display_name: String,
    /// The one agency the user works for.
    pub agency: AgencyId,
    /// Their team, if any.
    pub team: Option<TeamId>,
    /// Their roles.
    pub roles: Vec<Role>,
    /// The Argon2id PHC string of their password.
    pub password_hash: String,
    /// A service account signs in only with API tokens.
    pub is_service_account: bool,
}

/// An account as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    /// Its id.
    pub id: UserId,
    /// Sign-in email.
    pub email: String,
    /// The name colleagues see.
    pub display_name: String,
    /// The agency the user works for.
    pub agency: AgencyId,
    /// Their team.
    pub team: Option<TeamId>,
    /// Their roles, in [`Role::ALL`] order.
    pub roles: Vec<Role>,
    /// The Argon2id PHC string.
    pub password_hash: String,
    /// The TOTP secret (base32), set during enrolment.
    pub totp_secret: Option<String>,
    /// Whether enrolment was confirmed with a correct code.
    pub totp_enrolled: bool,
    /// The last TOTP time step accepted (codes at or before it are refused as replays).
    pub totp_last_step: Option<i64>,
    /// A service account (API tokens only).
    pub is_service_account: bool,
    /// When the account was disabled, if it was.
    pub disabled_at: Option<i64>,
    /// When it was created.
    pub created_at: i64,
}

/// Selects a user with their roles in one row (`roles` is a comma-separated list); callers
/// add `WHERE` clauses on `u`.
pub(crate) const USER_SELECT: &str = "SELECT u.id, u.email, u.display_name, u.agency_id, u.team_id, \
     u.password_hash, u.totp_secret, u.totp_enrolled, u.totp_last_step, u.is_service_account, \
     u.disabled_at, u.created_at, \
     (SELECT string_agg(r.role, ',') FROM user_roles r WHERE r.user_id = u.id) AS roles FROM users u";

pub(crate) fn read_user(r: &sqlx::any::AnyRow) -> Result<User, StoreError> {
    let mut roles: Vec<Role> = opt_text(r, "roles")?
        .unwrap_or_default()
        .split(',')
        .filter(|c| !c.is_empty())
        .map(|c| parsed(c, "role"))
        .collect::<Result<_, _>>()?;
    roles.sort();
    Ok(User {
        id: parsed(&text(r, "id")?, "user id")?,
        email: text(r, "email")?,
        display_name: text(r, "display_name")?,
        agency: parsed(&text(r, "agency_id")?, "agency id")?,
        team: opt_text(r, "team_id")?
            .map(|t| parsed(&t, "team id"))
            .transpose()?,
        roles,
        password_hash: text(r, "password_hash")?,
        totp_secret: opt_text(r, "totp_secret")?,
        totp_enrolled: int(r, "totp_enrolled")? != 0,
        totp_last_step: opt_int(r, "totp_last_step")?,
        is_service_account: int(r, "is_service_account")? != 0,
        disabled_at: opt_int(r, "disabled_at")?,
        created_at: int(r, "created_at")?,
    })
}

/// Creates an account with its roles.
pub async fn insert_user(conn: &mut AnyConnection, user: &NewUser) -> Result<(), StoreError> {
    let result = sqlx::query(
        "INSERT INTO users (id, email, display_name, agency_id, team_id, password_hash, \
         is_service_account, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(user.id.to_string())
    .bind(&user.email)
    .bind(&user.display_name)
    .bind(user.agency.to_string())
    .bind(user.team.map(|t| t.to_string()))
    .bind(&user.password_hash)
    .bind(i64::from(user.is_service_account))
    .bind(crate::now_ms())
    .execute(&mut *conn)
    .await
    .map_err(StoreError::from);
    match result {
        Err(e) if e.is_unique_violation() => return Err(StoreError::Conflict("email")),
        other => other?,
    };
    set_roles(conn, user.id, &user.roles).await
}

/// Replaces a user's roles.
pub async fn set_roles(
    conn: &mut AnyConnection,
    user: UserId,
    roles: &[Role],
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM user_roles WHERE user_id = $1")
        .bind(user.to_string())
        .execute(&mut *conn)
        .await?;
    for role in roles {
        sqlx::query("INSERT INTO user_roles (user_id, role) VALUES ($1, $2)")
            .bind(user.to_string())
            .bind(role.code())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Stores a new TOTP secret awaiting confirmation.
pub async fn begin_totp_enrolment(
    conn: &mut AnyConnection,
    user: UserId,
    secret: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE users SET totp_secret = $1, totp_enrolled = 0, totp_last_step = NULL WHERE id = $2",
    )
    .bind(secret)
    .bind(user.to_string())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Records that a TOTP step was used, if it is later than the last one; returns false for a
/// replay (so two requests racing with the same code cannot both succeed).
pub async fn use_totp_step(
    conn: &mut AnyConnection,
    user: UserId,
    step: i64,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE users SET totp_last_step = $1, totp_enrolled = 1 \
         WHERE id = $2 AND totp_secret IS NOT NULL AND (totp_last_step IS NULL OR totp_last_step < $1)",
    )
    .bind(step)
    .bind(user.to_string())
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Removes a user's second factor and recovery codes so they enrol again at next sign-in,
/// and ends their sessions.
pub async fn reset_second_factor(conn: &mut AnyConnection, user: UserId) -> Result<(), StoreError> {
    sqlx::query("UPDATE users SET totp_secret = NULL, totp_enrolled = 0, totp_last_step = NULL WHERE id = $1")
        .bind(user.to_string())
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
        .bind(user.to_string())
        .execute(&mut *conn)
        .await?;
    crate::sessions::end_all_sessions(conn, user).await
}

/// Replaces a user's recovery codes with new hashes.
pub async fn replace_recovery_codes(
    conn: &mut AnyConnection,
    user: UserId,
    hashes: &[String],
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
        .bind(user.to_string())
        .execute(&mut *conn)
        .await?;
    for h in hashes {
        sqlx::query("INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)")
            .bind(user.to_string())
            .bind(h)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Spends a recovery code; false if it is unknown or already used.
pub async fn use_recovery_code(
    conn: &mut AnyConnection,
    user: UserId,
    hash: &str,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE recovery_codes SET used_at = $1 WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL",
    )
    .bind(crate::now_ms())
    .bind(user.to_string())
    .bind(hash)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Disables an account and ends all its sessions at once.
pub async fn disable_user(conn: &mut AnyConnection, user: UserId) -> Result<(), StoreError> {
    sqlx::query("UPDATE users SET disabled_at = $1 WHERE id = $2 AND disabled_at IS NULL")
        .bind(crate::now_ms())
        .bind(user.to_string())
        .execute(&mut *conn)
        .await?;
    crate::sessions::end_all_sessions(conn, user).await?;
    sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL")
        .bind(crate::now_ms())
        .bind(user.to_string())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Sets a new password hash (e.g. after re-hashing with stronger parameters).
pub async fn set_password_hash(
    conn: &mut AnyConnection,
    user: UserId,
    phc: &str,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(phc)
        .bind(user.to_string())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

impl Store {
    /// Finds an account by its normalised email.
    pub async fn user_by_email(&self, email: &str) -> Result<Option<User>, StoreError> {
        let row = sqlx::query(&format!("{USER_SELECT} WHERE u.email = $1"))
            .bind(email)
            .fetch_optional(&self.reader)
            .await?;
        row.as_ref().map(read_user).transpose()
    }

    /// Finds an account by id.
    pub async fn user(&self, id: UserId) -> Result<User, StoreError> {
        let row = sqlx::query(&format!("{USER_SELECT} WHERE u.id = $1"))
            .bind(id.to_string())
            .fetch_optional(&self.reader)
            .await?
            .ok_or(StoreError::NotFound)?;
        read_user(&row)
    }

    /// Accounts of the agencies serving any of `areas`, by name (for administrators).
    pub async fn users_in_areas(
        &self,
        areas: &[safehub_domain::AreaId],
    ) -> Result<Vec<User>, StoreError> {
        if areas.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "{USER_SELECT} WHERE u.agency_id IN \
             (SELECT agency_id FROM agency_areas WHERE area_id IN ({})) ORDER BY u.display_name, u.id",
            placeholders(areas.len()),
        );
        let mut q = sqlx::query(&sql);
        for a in areas {
            q = q.bind(a.to_string());
        }
        q.fetch_all(&self.reader)
            .await?
            .iter()
            .map(read_user)
            .collect()
    }

    /// The SPOC list of an agency: its users holding the agency SPOC role (R1.3, R2.6).
    pub async fn agency_spocs(&self, agency: AgencyId) -> Result<Vec<User>, StoreError> {
        let rows = sqlx::query(&format!(
            "{USER_SELECT} WHERE u.agency_id = $1 AND u.disabled_at IS NULL AND u.id IN \
             (SELECT user_id FROM user_roles WHERE role = $2) ORDER BY u.display_name"
        ))
        .bind(agency.to_string())
        .bind(Role::AgencySpoc.code())
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(read_user).collect()
    }

    /// The number of accounts (for the demo and the administrator's overview).
    pub async fn count_users(&self) -> Result<i64, StoreError> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM users")
            .fetch_one(&self.reader)
            .await?;
        int(&row, "n")
    }
}
