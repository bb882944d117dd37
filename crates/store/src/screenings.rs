//! Screenings with the CSE screening tool (R2.2-R2.4): drafts that keep whatever was typed,
//! and submitted screenings with their proposed and confirmed categories. Tool versions are
//! stored too, so an old screening is always read against the version it used.

use safehub_domain::{AgencyId, ChildId, UserId};
use sqlx::AnyConnection;

use crate::db::{int, opt_int, opt_text, parsed, text};
use crate::{Store, StoreError};

/// Whether a screening is still being written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScreeningStatus {
    /// Saved but not submitted: only its author sees it.
    Draft,
    /// Submitted: it has a category and went to the MASH.
    Submitted,
}

impl ScreeningStatus {
    /// The stored code.
    pub const fn code(self) -> &'static str {
        match self {
            ScreeningStatus::Draft => "draft",
            ScreeningStatus::Submitted => "submitted",
        }
    }

    fn parse(code: &str) -> Result<Self, StoreError> {
        match code {
            "draft" => Ok(ScreeningStatus::Draft),
            "submitted" => Ok(ScreeningStatus::Submitted),
            other => Err(StoreError::Corrupt(format!("screening status {other:?}"))),
        }
    }
}

/// One screening of one child.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Screening {
    /// Its id.
    pub id: String,
    /// The child screened.
    pub child: ChildId,
    /// The version of the tool used.
    pub tool_version: String,
    /// The agency of the practitioner who completed it.
    pub agency: AgencyId,
    /// The practitioner.
    pub created_by: UserId,
    /// When it was started.
    pub created_at: i64,
    /// When it was last saved.
    pub updated_at: i64,
    /// Draft or submitted.
    pub status: ScreeningStatus,
    /// The answers as JSON: indicator code to `{answer, evidence}`.
    pub answers: String,
    /// The answer to "what is this child telling me through signs and not just words?".
    pub signs_not_words: String,
    /// The category the tool proposed (1-3), once submitted.
    pub proposed_category: Option<u8>,
    /// The category the practitioner confirmed (1-3), once submitted.
    pub category: Option<u8>,
    /// Why the practitioner chose a category other than the proposal.
    pub category_reason: String,
    /// The designated safeguarding adviser consulted (WM-12.4, R2.5 a).
    pub adviser_consulted: String,
    /// The day they were consulted (ISO date), if given.
    pub adviser_consulted_on: Option<String>,
    /// When it was submitted.
    pub submitted_at: Option<i64>,
}

const SELECT: &str = "SELECT id, child_id, tool_version, agency_id, created_by, created_at, \
     updated_at, status, answers, signs_not_words, proposed_category, category, category_reason, \
     adviser_consulted, adviser_consulted_on, submitted_at FROM screenings";

fn small(v: Option<i64>) -> Result<Option<u8>, StoreError> {
    v.map(|n| u8::try_from(n).map_err(|_| StoreError::Corrupt(format!("category {n}"))))
        .transpose()
}

fn read(r: &sqlx::any::AnyRow) -> Result<Screening, StoreError> {
    Ok(Screening {
        id: text(r, "id")?,
        child: parsed(&text(r, "child_id")?, "child id")?,
        tool_version: text(r, "tool_version")?,
        agency: parsed(&text(r, "agency_id")?, "agency id")?,
        created_by: parsed(&text(r, "created_by")?, "user id")?,
        created_at: int(r, "created_at")?,
        updated_at: int(r, "updated_at")?,
        status: ScreeningStatus::parse(&text(r, "status")?)?,
        answers: text(r, "answers")?,
        signs_not_words: text(r, "signs_not_words")?,
        proposed_category: small(opt_int(r, "proposed_category")?)?,
        category: small(opt_int(r, "category")?)?,
        category_reason: text(r, "category_reason")?,
        adviser_consulted: text(r, "adviser_consulted")?,
        adviser_consulted_on: opt_text(r, "adviser_consulted_on")?,
        submitted_at: opt_int(r, "submitted_at")?,
    })
}

/// Makes sure a tool version is stored; the first version stored becomes the current one.
pub async fn ensure_tool(
    conn: &mut AnyConnection,
    version: &str,
    body: &str,
    loaded_by: Option<UserId>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO screening_tools (version, body, loaded_at, loaded_by, is_current) \
         SELECT $1, $2, $3, $4, CASE WHEN EXISTS (SELECT 1 FROM screening_tools) THEN 0 ELSE 1 END \
         WHERE NOT EXISTS (SELECT 1 FROM screening_tools WHERE version = $1)",
    )
    .bind(version)
    .bind(body)
    .bind(crate::now_ms())
    .bind(loaded_by.map(|u| u.to_string()))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Makes a stored tool version the one new screenings use.
pub async fn make_tool_current(conn: &mut AnyConnection, version: &str) -> Result<(), StoreError> {
    let found = sqlx::query("UPDATE screening_tools SET is_current = 1 WHERE version = $1")
        .bind(version)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    if found == 0 {
        return Err(StoreError::Config(format!(
            "no screening tool version {version:?}"
        )));
    }
    sqlx::query("UPDATE screening_tools SET is_current = 0 WHERE version <> $1")
        .bind(version)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Saves a draft: inserts it, or updates it if it is still its author's draft. Returns false
/// when there is no such draft to update (already submitted, or someone else's).
pub async fn save_draft(conn: &mut AnyConnection, s: &Screening) -> Result<bool, StoreError> {
    let updated = sqlx::query(
        "UPDATE screenings SET answers = $1, signs_not_words = $2, adviser_consulted = $3, \
         adviser_consulted_on = $4, category = $5, category_reason = $6, updated_at = $7 \
         WHERE id = $8 AND created_by = $9 AND status = 'draft'",
    )
    .bind(&s.answers)
    .bind(&s.signs_not_words)
    .bind(&s.adviser_consulted)
    .bind(s.adviser_consulted_on.clone())
    .bind(s.category.map(i64::from))
    .bind(&s.category_reason)
    .bind(s.updated_at)
    .bind(&s.id)
    .bind(s.created_by.to_string())
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if updated > 0 {
        return Ok(true);
    }
    let exists = sqlx::query("SELECT 1 AS one FROM screenings WHERE id = $1")
        .bind(&s.id)
        .fetch_optional(&mut *conn)
        .await?
        .is_some();
    if exists {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO screenings (id, child_id, tool_version, agency_id, created_by, created_at, \
         updated_at, status, answers, signs_not_words, proposed_category, category, \
         category_reason, adviser_consulted, adviser_consulted_on, submitted_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'draft', $8, $9, NULL, $10, $11, $12, $13, NULL)",
    )
    .bind(&s.id)
    .bind(s.child.to_string())
    .bind(&s.tool_version)
    .bind(s.agency.to_string())
    .bind(s.created_by.to_string())
    .bind(s.created_at)
    .bind(s.updated_at)
    .bind(&s.answers)
    .bind(&s.signs_not_words)
    .bind(s.category.map(i64::from))
    .bind(&s.category_reason)
    .bind(&s.adviser_consulted)
    .bind(s.adviser_consulted_on.clone())
    .execute(&mut *conn)
    .await?;
    Ok(true)
}

/// Why a submission was not stored.
#[derive(Debug, thiserror::Error)]
pub enum SubmitError {
    /// The form was already submitted (a double click, or the back button).
    #[error("this screening was already submitted")]
    AlreadySubmitted,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Submits a screening: its final answers and categories. `form_key` is the one-off key of
/// the form; a second submission with the same key, or of a screening no longer a draft, is
/// refused with [`SubmitError::AlreadySubmitted`].
pub async fn submit(
    conn: &mut AnyConnection,
    s: &Screening,
    form_key: &str,
) -> Result<(), SubmitError> {
    save_draft(conn, s).await?;
    let result = sqlx::query(
        "UPDATE screenings SET status = 'submitted', proposed_category = $1, category = $2, \
         submitted_at = $3, form_key = $4 \
         WHERE id = $5 AND created_by = $6 AND status = 'draft'",
    )
    .bind(s.proposed_category.map(i64::from))
    .bind(s.category.map(i64::from))
    .bind(s.submitted_at.unwrap_or(s.updated_at))
    .bind(form_key)
    .bind(&s.id)
    .bind(s.created_by.to_string())
    .execute(&mut *conn)
    .await;
    match result.map_err(StoreError::from) {
        Ok(done) if done.rows_affected() == 1 => Ok(()),
        Ok(_) => Err(SubmitError::AlreadySubmitted),
        Err(e) if e.is_unique_violation() => Err(SubmitError::AlreadySubmitted),
        Err(e) => Err(SubmitError::Store(e)),
    }
}

/// A SPOC's figures for their agency (R2.6): screenings started, submitted and still in
/// draft, and how many of the submitted ones came in each category.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CompletionFigures {
    /// Screenings started (draft or submitted).
    pub started: i64,
    /// Submitted.
    pub submitted: i64,
    /// Still in draft.
    pub drafts: i64,
    /// Drafts not saved for 7 days: started but not finished.
    pub stale_drafts: i64,
    /// Submitted with category 1, 2 and 3.
    pub by_category: [i64; 3],
    /// Submitted where the practitioner changed the proposed category.
    pub changed_category: i64,
}

impl Store {
    /// A screening by id.
    pub async fn screening(&self, id: &str) -> Result<Option<Screening>, StoreError> {
        let row = sqlx::query(&format!("{SELECT} WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.reader)
            .await?;
        row.as_ref().map(read).transpose()
    }

    /// The body of a stored tool version.
    pub async fn screening_tool(&self, version: &str) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("SELECT body FROM screening_tools WHERE version = $1")
            .bind(version)
            .fetch_optional(&self.reader)
            .await?;
        row.as_ref().map(|r| text(r, "body")).transpose()
    }

    /// Every stored tool version, oldest first: (version, loaded at, current).
    pub async fn screening_tools(&self) -> Result<Vec<(String, i64, bool)>, StoreError> {
        sqlx::query("SELECT version, loaded_at, is_current FROM screening_tools ORDER BY loaded_at, version")
            .fetch_all(&self.reader)
            .await?
            .iter()
            .map(|r| Ok((text(r, "version")?, int(r, "loaded_at")?, int(r, "is_current")? == 1)))
            .collect()
    }

    /// The version new screenings use, and its body.
    pub async fn current_screening_tool(&self) -> Result<Option<(String, String)>, StoreError> {
        let row = sqlx::query(
            "SELECT version, body FROM screening_tools WHERE is_current = 1 ORDER BY version",
        )
        .fetch_optional(&self.reader)
        .await?;
        row.as_ref()
            .map(|r| Ok((text(r, "version")?, text(r, "body")?)))
            .transpose()
    }

    /// A child's submitted screenings, newest first.
    pub async fn screenings_of_child(&self, child: ChildId) -> Result<Vec<Screening>, StoreError> {
        sqlx::query(&format!(
            "{SELECT} WHERE child_id = $1 AND status = 'submitted' ORDER BY submitted_at DESC"
        ))
        .bind(child.to_string())
        .fetch_all(&self.reader)
        .await?
        .iter()
        .map(read)
        .collect()
    }

    /// A practitioner's drafts, most recently saved first.
    pub async fn drafts_of(&self, user: UserId) -> Result<Vec<Screening>, StoreError> {
        sqlx::query(&format!(
            "{SELECT} WHERE created_by = $1 AND status = 'draft' ORDER BY updated_at DESC LIMIT 50"
        ))
        .bind(user.to_string())
        .fetch_all(&self.reader)
        .await?
        .iter()
        .map(read)
        .collect()
    }

    /// Every screening submitted by an agency's practitioners since `since`, newest first:
    /// the SPOC's copy of every form from their agency (R2.6).
    pub async fn screenings_of_agency(
        &self,
        agency: AgencyId,
        since: i64,
        limit: i64,
    ) -> Result<Vec<Screening>, StoreError> {
        sqlx::query(&format!(
            "{SELECT} WHERE agency_id = $1 AND status = 'submitted' AND submitted_at >= $2 \
             ORDER BY submitted_at DESC LIMIT {limit}"
        ))
        .bind(agency.to_string())
        .bind(since)
        .fetch_all(&self.reader)
        .await?
        .iter()
        .map(read)
        .collect()
    }

    /// An agency's completion figures for screenings started since `since` (R2.6).
    pub async fn completion_figures(
        &self,
        agency: AgencyId,
        since: i64,
        now: i64,
    ) -> Result<CompletionFigures, StoreError> {
        let week_ago = now - 7 * 24 * 3_600_000;
        let row = sqlx::query(
            "SELECT COUNT(*) AS started, \
             COALESCE(SUM(CASE WHEN status = 'submitted' THEN 1 ELSE 0 END), 0) AS submitted, \
             COALESCE(SUM(CASE WHEN status = 'draft' THEN 1 ELSE 0 END), 0) AS drafts, \
             COALESCE(SUM(CASE WHEN status = 'draft' AND updated_at < $3 THEN 1 ELSE 0 END), 0) AS stale, \
             COALESCE(SUM(CASE WHEN status = 'submitted' AND category = 1 THEN 1 ELSE 0 END), 0) AS c1, \
             COALESCE(SUM(CASE WHEN status = 'submitted' AND category = 2 THEN 1 ELSE 0 END), 0) AS c2, \
             COALESCE(SUM(CASE WHEN status = 'submitted' AND category = 3 THEN 1 ELSE 0 END), 0) AS c3, \
             COALESCE(SUM(CASE WHEN status = 'submitted' AND category <> proposed_category \
                 THEN 1 ELSE 0 END), 0) AS changed \
             FROM screenings WHERE agency_id = $1 AND created_at >= $2",
        )
        .bind(agency.to_string())
        .bind(since)
        .bind(week_ago)
        .fetch_one(&self.reader)
        .await?;
        Ok(CompletionFigures {
            started: int(&row, "started")?,
            submitted: int(&row, "submitted")?,
            drafts: int(&row, "drafts")?,
            stale_drafts: int(&row, "stale")?,
            by_category: [int(&row, "c1")?, int(&row, "c2")?, int(&row, "c3")?],
            changed_category: int(&row, "changed")?,
        })
    }
}

impl Store {
    /// The screening a form with this one-off key submitted, if any: an API client repeating
    /// a request with the same `Idempotency-Key` gets the screening it already made.
    pub async fn screening_by_form_key(
        &self,
        form_key: &str,
    ) -> Result<Option<Screening>, StoreError> {
        let row = sqlx::query(&format!("{SELECT} WHERE form_key = $1"))
            .bind(form_key)
            .fetch_optional(&self.reader)
            .await?;
        row.as_ref().map(read).transpose()
    }

    /// The id of the referral a form with this one-off key made, if any (a concern by one of
    /// the routes in, R2.5), for the same reason.
    pub async fn referral_id_by_form_key(
        &self,
        form_key: &str,
    ) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("SELECT id FROM referrals WHERE form_key = $1")
            .bind(form_key)
            .fetch_optional(&self.reader)
            .await?;
        row.as_ref().map(|r| text(r, "id")).transpose()
    }
}
