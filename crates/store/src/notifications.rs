//! In-app notifications and the e-mail outbox. A notification names what happened by a code
//! and links to the page; the e-mail that goes with it says only that there is something to
//! see, never who or what about (no personal data leaves by e-mail).

use safehub_domain::{ChildId, UserId};
use sqlx::AnyConnection;

use crate::db::{int, opt_int, opt_text, parsed, text};
use crate::{Store, StoreError};

/// One in-app notification.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notification {
    /// Its id.
    pub id: String,
    /// Who it is for.
    pub user: UserId,
    /// What happened, as a code (see the web crate's wording for each).
    pub what: String,
    /// The child it concerns, if any.
    pub child: Option<ChildId>,
    /// Where to look (a path in Safehub).
    pub link: String,
    /// When.
    pub created_at: i64,
    /// When the user opened it.
    pub read_at: Option<i64>,
}

fn read(r: &sqlx::any::AnyRow) -> Result<Notification, StoreError> {
    Ok(Notification {
        id: text(r, "id")?,
        user: parsed(&text(r, "user_id")?, "user id")?,
        what: text(r, "what")?,
        child: opt_text(r, "child_id")?
            .map(|c| parsed(&c, "child id"))
            .transpose()?,
        link: text(r, "link")?,
        created_at: int(r, "created_at")?,
        read_at: opt_int(r, "read_at")?,
    })
}

/// Stores a notification for a user, and queues an e-mail to `email` if one is given.
pub async fn notify(
    conn: &mut AnyConnection,
    n: &Notification,
    email: Option<&OutgoingEmail>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO notifications (id, user_id, what, child_id, link, created_at, read_at) \
         VALUES ($1, $2, $3, $4, $5, $6, NULL)",
    )
    .bind(&n.id)
    .bind(n.user.to_string())
    .bind(&n.what)
    .bind(n.child.map(|c| c.to_string()))
    .bind(&n.link)
    .bind(n.created_at)
    .execute(&mut *conn)
    .await?;
    if let Some(email) = email {
        queue_email(conn, email).await?;
    }
    Ok(())
}

/// An e-mail in the outbox.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutgoingEmail {
    /// Its id.
    pub id: String,
    /// The recipient.
    pub to: String,
    /// The subject (no personal data).
    pub subject: String,
    /// The plain-text body (no personal data).
    pub body: String,
    /// When it was queued.
    pub created_at: i64,
    /// Attempts so far.
    pub attempts: i64,
}

/// Queues an e-mail for the sender.
pub async fn queue_email(conn: &mut AnyConnection, e: &OutgoingEmail) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO email_outbox (id, to_address, subject, body, created_at, attempts, \
         next_attempt_at, sent_at, last_error) VALUES ($1, $2, $3, $4, $5, 0, $5, NULL, '')",
    )
    .bind(&e.id)
    .bind(&e.to)
    .bind(&e.subject)
    .bind(&e.body)
    .bind(e.created_at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The most attempts made to send one e-mail before it is left for an administrator.
pub const MAX_EMAIL_ATTEMPTS: i64 = 8;

impl Store {
    /// A user's notifications, unread first, newest first.
    pub async fn notifications_of(
        &self,
        user: UserId,
        limit: i64,
    ) -> Result<Vec<Notification>, StoreError> {
        sqlx::query(&format!(
            "SELECT * FROM notifications WHERE user_id = $1 \
             ORDER BY CASE WHEN read_at IS NULL THEN 0 ELSE 1 END, created_at DESC LIMIT {limit}"
        ))
        .bind(user.to_string())
        .fetch_all(&self.reader)
        .await?
        .iter()
        .map(read)
        .collect()
    }

    /// How many unread notifications a user has.
    pub async fn unread_notifications(&self, user: UserId) -> Result<i64, StoreError> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM notifications WHERE user_id = $1 AND read_at IS NULL",
        )
        .bind(user.to_string())
        .fetch_one(&self.reader)
        .await?;
        int(&row, "n")
    }

    /// Marks a user's notification read; returns its link, or `None` if it is not theirs.
    pub async fn open_notification(
        &self,
        user: UserId,
        id: &str,
    ) -> Result<Option<String>, StoreError> {
        let mut tx = self.begin().await?;
        let row = sqlx::query("SELECT link FROM notifications WHERE id = $1 AND user_id = $2")
            .bind(id)
            .bind(user.to_string())
            .fetch_optional(&mut *tx)
            .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        sqlx::query("UPDATE notifications SET read_at = $1 WHERE id = $2 AND read_at IS NULL")
            .bind(crate::now_ms())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Some(text(&row, "link")?))
    }

    /// E-mails due to be sent at `now`.
    pub async fn due_emails(&self, now: i64, limit: i64) -> Result<Vec<OutgoingEmail>, StoreError> {
        sqlx::query(&format!(
            "SELECT id, to_address, subject, body, created_at, attempts FROM email_outbox \
             WHERE sent_at IS NULL AND next_attempt_at <= $1 AND attempts < {MAX_EMAIL_ATTEMPTS} \
             ORDER BY next_attempt_at LIMIT {limit}"
        ))
        .bind(now)
        .fetch_all(&self.reader)
        .await?
        .iter()
        .map(|r| {
            Ok(OutgoingEmail {
                id: text(r, "id")?,
                to: text(r, "to_address")?,
                subject: text(r, "subject")?,
                body: text(r, "body")?,
                created_at: int(r, "created_at")?,
                attempts: int(r, "attempts")?,
            })
        })
        .collect()
    }

    /// Records that an e-mail was sent.
    pub async fn email_sent(&self, id: &str, at: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE email_outbox SET sent_at = $1, attempts = attempts + 1 WHERE id = $2")
            .bind(at)
            .bind(id)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    /// Records a failed attempt and when to try again (doubling from one minute).
    pub async fn email_failed(
        &self,
        e: &OutgoingEmail,
        error: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        let wait = 60_000_i64.saturating_mul(1_i64 << e.attempts.clamp(0, 20));
        sqlx::query(
            "UPDATE email_outbox SET attempts = attempts + 1, next_attempt_at = $1, last_error = $2 \
             WHERE id = $3",
        )
        .bind(now.saturating_add(wait))
        .bind(error)
        .bind(&e.id)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    /// Counts of the outbox: waiting, sent, and given up after [`MAX_EMAIL_ATTEMPTS`].
    pub async fn outbox_counts(&self) -> Result<(i64, i64, i64), StoreError> {
        let row = sqlx::query(&format!(
            "SELECT \
             COALESCE(SUM(CASE WHEN sent_at IS NULL AND attempts < {MAX_EMAIL_ATTEMPTS} THEN 1 ELSE 0 END), 0) AS waiting, \
             COALESCE(SUM(CASE WHEN sent_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS sent, \
             COALESCE(SUM(CASE WHEN sent_at IS NULL AND attempts >= {MAX_EMAIL_ATTEMPTS} THEN 1 ELSE 0 END), 0) AS failed \
             FROM email_outbox"
        ))
        .fetch_one(&self.reader)
        .await?;
        Ok((
            int(&row, "waiting")?,
            int(&row, "sent")?,
            int(&row, "failed")?,
        ))
    }
}
