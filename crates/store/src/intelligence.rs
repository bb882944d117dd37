//! Submissions of the information sharing tool (R5.1, WM-25) and their police grading
//! (3x5x2). A submission goes to the police force serving the area and nowhere else; it is
//! not a referral and never enters the MASH queue.

use jiff::civil::Date;
use safehub_domain::intelligence::{Grading, Item, ItemKind, Submission};
use safehub_domain::{AgencyId, AreaId, ChildId, UserId};
use sqlx::AnyConnection;

use crate::db::{int, opt_int, opt_text, parsed, text};
use crate::{Store, StoreError};

pub mod analysis;

/// Where a submission stands with the police.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IntelStatus {
    /// Waiting for a police intelligence officer to assess it (WM-25.6).
    AwaitingAssessment,
    /// Graded 3x5x2.
    Assessed,
}

impl IntelStatus {
    /// The stored code.
    pub const fn code(self) -> &'static str {
        match self {
            IntelStatus::AwaitingAssessment => "awaiting_assessment",
            IntelStatus::Assessed => "assessed",
        }
    }

    /// The words shown.
    pub const fn label(self) -> &'static str {
        match self {
            IntelStatus::AwaitingAssessment => "Awaiting police assessment",
            IntelStatus::Assessed => "Assessed by the police",
        }
    }

    fn from_code(code: &str) -> Result<Self, StoreError> {
        match code {
            "awaiting_assessment" => Ok(IntelStatus::AwaitingAssessment),
            "assessed" => Ok(IntelStatus::Assessed),
            other => Err(StoreError::Corrupt(format!(
                "intelligence status: {other:?}"
            ))),
        }
    }
}

/// A new submission to store.
#[derive(Clone, Debug)]
pub struct NewSubmission<'a> {
    /// Its id, fixed when the form was first shown.
    pub id: &'a str,
    /// The area the information concerns.
    pub area: AreaId,
    /// The police force it goes to.
    pub police_agency: AgencyId,
    /// Who sent it.
    pub submitted_by: UserId,
    /// Their agency.
    pub submitter_agency: AgencyId,
    /// The checked submission (blank items already dropped).
    pub submission: &'a Submission,
    /// The children it concerns.
    pub children: &'a [ChildId],
    /// When it was received (ms UTC).
    pub received_at: i64,
    /// The one-off key of the form that sent it, if it came from a form or an API call with
    /// an idempotency key.
    pub form_key: Option<&'a str>,
}

/// Why a submission or grading was not stored.
#[derive(Debug, thiserror::Error)]
pub enum IntelError {
    /// The same form was sent twice; the first one's id.
    #[error("this information was already sent")]
    Duplicate(String),
    /// Someone else graded it first, or it changed since the page was loaded.
    #[error("this submission was assessed by someone else")]
    AlreadyAssessed,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A stored submission, with its items and children.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredSubmission {
    /// Its id.
    pub id: String,
    /// The area it concerns.
    pub area: AreaId,
    /// The police force it went to.
    pub police_agency: AgencyId,
    /// Who sent it.
    pub submitted_by: UserId,
    /// Their agency.
    pub submitter_agency: AgencyId,
    /// What was shared.
    pub submission: Submission,
    /// The children it concerns.
    pub children: Vec<ChildId>,
    /// When it was received (ms UTC).
    pub received_at: i64,
    /// Where it stands.
    pub status: IntelStatus,
    /// The police grading, once assessed.
    pub grading: Option<Grading>,
    /// Who graded it, and when (ms UTC).
    pub graded: Option<(UserId, i64)>,
    /// The agencies the police grading shared it back with (none: police-only).
    pub shared_with: Vec<AgencyId>,
    /// Bumped on every change, for the concurrent-edit check.
    pub version: i64,
}

/// One line of a list of submissions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubmissionLine {
    /// Its id.
    pub id: String,
    /// The area it concerns.
    pub area: AreaId,
    /// The sender's agency.
    pub submitter_agency: AgencyId,
    /// When it was received (ms UTC).
    pub received_at: i64,
    /// Where it stands.
    pub status: IntelStatus,
    /// How many pieces of information it holds.
    pub items: i64,
    /// The 3x5x2 code, once graded.
    pub grade: Option<String>,
}

const SUBMISSION_COLUMNS: &str = "s.id, s.area_id, s.police_agency, s.submitted_by, \
     s.submitter_agency, s.told_by, s.narrative, s.learnt_on, s.received_at, s.status, \
     s.source_evaluation, s.assessment, s.handling_code, s.handling_conditions, s.graded_by, \
     s.graded_at, s.version";

fn opt_date(r: &sqlx::any::AnyRow, col: &str) -> Result<Option<Date>, StoreError> {
    opt_text(r, col)?
        .map(|d| parsed::<Date>(&d, "date"))
        .transpose()
}

fn read_grading(r: &sqlx::any::AnyRow) -> Result<Option<Grading>, StoreError> {
    let (Some(source), Some(assessment), Some(handling)) = (
        opt_text(r, "source_evaluation")?,
        opt_text(r, "assessment")?,
        opt_text(r, "handling_code")?,
    ) else {
        return Ok(None);
    };
    Ok(Some(Grading {
        source: parsed(&source, "source evaluation")?,
        assessment: parsed(&assessment, "intelligence assessment")?,
        handling: parsed(&handling, "handling code")?,
        conditions: opt_text(r, "handling_conditions")?,
    }))
}

fn read_item(r: &sqlx::any::AnyRow) -> Result<Item, StoreError> {
    Ok(Item {
        kind: Some(parsed::<ItemKind>(&text(r, "kind")?, "item kind")?),
        name: text(r, "name")?,
        nicknames: text(r, "nicknames")?,
        approx_age: opt_int(r, "approx_age")?
            .map(|a| u8::try_from(a).map_err(|_| StoreError::Corrupt("approximate age".into())))
            .transpose()?,
        description: text(r, "description")?,
        marks: text(r, "marks")?,
        vrm: text(r, "vrm")?,
        make: text(r, "make")?,
        model: text(r, "model")?,
        colour: text(r, "colour")?,
        phone: text(r, "phone")?,
        address: text(r, "address")?,
        postcode: text(r, "postcode")?,
        seen_on: opt_date(r, "seen_on")?,
    })
}

/// Stores a submission with its items and children, in the caller's transaction. A second
/// submission with the same `form_key` is refused with [`IntelError::Duplicate`], naming
/// the first.
pub async fn insert(conn: &mut AnyConnection, new: &NewSubmission<'_>) -> Result<(), IntelError> {
    if let Some(key) = new.form_key {
        let first = sqlx::query("SELECT id FROM intel_submissions WHERE form_key = $1")
            .bind(key)
            .fetch_optional(&mut *conn)
            .await
            .map_err(StoreError::from)?;
        if let Some(first) = first {
            return Err(IntelError::Duplicate(text(&first, "id")?));
        }
    }
    let s = new.submission;
    let told_by = s
        .told_by
        .ok_or_else(|| StoreError::Corrupt("a submission without its source".into()))?;
    sqlx::query(
        "INSERT INTO intel_submissions (id, area_id, police_agency, submitted_by, \
         submitter_agency, told_by, narrative, learnt_on, received_at, form_key, status, \
         version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 1)",
    )
    .bind(new.id)
    .bind(new.area.to_string())
    .bind(new.police_agency.to_string())
    .bind(new.submitted_by.to_string())
    .bind(new.submitter_agency.to_string())
    .bind(told_by.code())
    .bind(&s.narrative)
    .bind(s.learnt_on.map(|d| d.to_string()))
    .bind(new.received_at)
    .bind(new.form_key)
    .bind(IntelStatus::AwaitingAssessment.code())
    .execute(&mut *conn)
    .await
    .map_err(StoreError::from)?;
    for (position, item) in s.items.iter().enumerate() {
        let kind = item
            .kind
            .ok_or_else(|| StoreError::Corrupt("an item without its kind".into()))?;
        sqlx::query(
            "INSERT INTO intel_items (id, submission_id, position, kind, name, nicknames, \
             approx_age, description, marks, vrm, make, model, colour, phone, address, \
             postcode, seen_on) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)",
        )
        .bind(format!("{}/{position}", new.id))
        .bind(new.id)
        .bind(i64::try_from(position).map_err(|_| StoreError::Corrupt("item position".into()))?)
        .bind(kind.code())
        .bind(item.name.trim())
        .bind(item.nicknames.trim())
        .bind(item.approx_age.map(i64::from))
        .bind(item.description.trim())
        .bind(item.marks.trim())
        .bind(item.vrm.trim())
        .bind(item.make.trim())
        .bind(item.model.trim())
        .bind(item.colour.trim())
        .bind(item.phone.trim())
        .bind(item.address.trim())
        .bind(item.postcode.trim())
        .bind(item.seen_on.map(|d| d.to_string()))
        .execute(&mut *conn)
        .await
        .map_err(StoreError::from)?;
    }
    let mut children = new.children.to_vec();
    children.sort_unstable();
    children.dedup();
    for child in children {
        sqlx::query("INSERT INTO intel_children (id, submission_id, child_id) VALUES ($1, $2, $3)")
            .bind(format!("{}/{child}", new.id))
            .bind(new.id)
            .bind(child.to_string())
            .execute(&mut *conn)
            .await
            .map_err(StoreError::from)?;
    }
    Ok(())
}

/// Records the police grading of a submission, if it is still at `version`.
pub async fn grade(
    conn: &mut AnyConnection,
    id: &str,
    version: i64,
    grading: &Grading,
    by: UserId,
    at: i64,
) -> Result<(), IntelError> {
    let conditions = grading
        .conditions
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    let n = sqlx::query(
        "UPDATE intel_submissions SET source_evaluation = $1, assessment = $2, \
         handling_code = $3, handling_conditions = $4, graded_by = $5, graded_at = $6, \
         status = $7, version = version + 1 WHERE id = $8 AND version = $9",
    )
    .bind(grading.source.code())
    .bind(grading.assessment.code())
    .bind(grading.handling.code())
    .bind(conditions)
    .bind(by.to_string())
    .bind(at)
    .bind(IntelStatus::Assessed.code())
    .bind(id)
    .bind(version)
    .execute(&mut *conn)
    .await
    .map_err(StoreError::from)?
    .rows_affected();
    if n == 1 {
        Ok(())
    } else {
        Err(IntelError::AlreadyAssessed)
    }
}

/// Shares a graded submission back with other agencies (WM-25.6: the police decide what
/// may be shared back and with whom), in the caller's transaction. An agency already
/// shared with is left as it is.
pub async fn share_back(
    conn: &mut AnyConnection,
    id: &str,
    agencies: &[AgencyId],
) -> Result<(), StoreError> {
    let mut agencies = agencies.to_vec();
    agencies.sort_unstable();
    agencies.dedup();
    for agency in agencies {
        sqlx::query(
            "INSERT INTO intel_shared_with (id, submission_id, agency_id) \
             SELECT $1, $2, $3 WHERE NOT EXISTS (SELECT 1 FROM intel_shared_with \
             WHERE submission_id = $2 AND agency_id = $3)",
        )
        .bind(format!("{id}/{agency}"))
        .bind(id)
        .bind(agency.to_string())
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

impl Store {
    /// The police force that receives information about `area`: the police agency serving
    /// it (the first by id if, unusually, several do).
    pub async fn police_force_for(&self, area: AreaId) -> Result<Option<AgencyId>, StoreError> {
        let row = sqlx::query(
            "SELECT a.id FROM agencies a JOIN agency_areas aa ON aa.agency_id = a.id \
             WHERE aa.area_id = $1 AND a.kind = 'police' ORDER BY a.id LIMIT 1",
        )
        .bind(area.to_string())
        .fetch_optional(&self.reader)
        .await?;
        row.as_ref()
            .map(|r| parsed(&text(r, "id")?, "agency id"))
            .transpose()
    }

    /// A submission with its items and children.
    pub async fn intel_submission(&self, id: &str) -> Result<Option<StoredSubmission>, StoreError> {
        let mut conn = self.reader.acquire().await?;
        let Some(r) = sqlx::query(&format!(
            "SELECT {SUBMISSION_COLUMNS} FROM intel_submissions s WHERE s.id = $1"
        ))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        else {
            return Ok(None);
        };
        let items = sqlx::query(
            "SELECT kind, name, nicknames, approx_age, description, marks, vrm, make, model, \
             colour, phone, address, postcode, seen_on FROM intel_items \
             WHERE submission_id = $1 ORDER BY position",
        )
        .bind(id)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(read_item)
        .collect::<Result<Vec<_>, _>>()?;
        let children = sqlx::query(
            "SELECT DISTINCT child_id FROM intel_children WHERE submission_id = $1 \
             ORDER BY child_id",
        )
        .bind(id)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|c| parsed(&text(c, "child_id")?, "child id"))
        .collect::<Result<Vec<ChildId>, _>>()?;
        let shared_with = sqlx::query(
            "SELECT agency_id FROM intel_shared_with WHERE submission_id = $1 ORDER BY agency_id",
        )
        .bind(id)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|a| parsed(&text(a, "agency_id")?, "agency id"))
        .collect::<Result<Vec<AgencyId>, _>>()?;
        let graded = match (opt_text(&r, "graded_by")?, opt_int(&r, "graded_at")?) {
            (Some(by), Some(at)) => Some((parsed(&by, "user id")?, at)),
            _ => None,
        };
        Ok(Some(StoredSubmission {
            id: text(&r, "id")?,
            area: parsed(&text(&r, "area_id")?, "area id")?,
            police_agency: parsed(&text(&r, "police_agency")?, "agency id")?,
            submitted_by: parsed(&text(&r, "submitted_by")?, "user id")?,
            submitter_agency: parsed(&text(&r, "submitter_agency")?, "agency id")?,
            submission: Submission {
                told_by: Some(parsed(&text(&r, "told_by")?, "source")?),
                items,
                narrative: text(&r, "narrative")?,
                learnt_on: opt_date(&r, "learnt_on")?,
            },
            children,
            received_at: int(&r, "received_at")?,
            status: IntelStatus::from_code(&text(&r, "status")?)?,
            grading: read_grading(&r)?,
            graded,
            shared_with,
            version: int(&r, "version")?,
        }))
    }

    /// A police force's submissions with the given statuses, oldest first for those
    /// awaiting assessment, and how many there are in all.
    pub async fn intel_inbox(
        &self,
        police_agency: AgencyId,
        statuses: &[IntelStatus],
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<SubmissionLine>, i64), StoreError> {
        if statuses.is_empty() {
            return Ok((Vec::new(), 0));
        }
        let filter = format!(
            "s.police_agency = $1 AND s.status IN ({})",
            crate::db::placeholders_from(2, statuses.len())
        );
        let lines = self
            .submission_lines(
                &filter,
                "s.received_at, s.id",
                police_agency.to_string(),
                statuses,
                limit,
                offset,
            )
            .await?;
        let sql = format!("SELECT COUNT(*) AS n FROM intel_submissions s WHERE {filter}");
        let mut q = sqlx::query(&sql).bind(police_agency.to_string());
        for s in statuses {
            q = q.bind(s.code());
        }
        let total = int(&q.fetch_one(&self.reader).await?, "n")?;
        Ok((lines, total))
    }

    /// What one person has sent, newest first.
    pub async fn intel_sent_by(
        &self,
        user: UserId,
        limit: i64,
    ) -> Result<Vec<SubmissionLine>, StoreError> {
        self.submission_lines(
            "s.submitted_by = $1",
            "s.received_at DESC, s.id",
            user.to_string(),
            &[],
            limit,
            0,
        )
        .await
    }

    /// What the police shared back with `agency`, newest first (WM-25.6).
    pub async fn intel_shared_with(
        &self,
        agency: AgencyId,
        limit: i64,
    ) -> Result<Vec<SubmissionLine>, StoreError> {
        self.submission_lines(
            "s.id IN (SELECT w.submission_id FROM intel_shared_with w WHERE w.agency_id = $1)",
            "s.received_at DESC, s.id",
            agency.to_string(),
            &[],
            limit,
            0,
        )
        .await
    }

    async fn submission_lines(
        &self,
        filter: &str,
        order: &str,
        first: String,
        statuses: &[IntelStatus],
        limit: i64,
        offset: i64,
    ) -> Result<Vec<SubmissionLine>, StoreError> {
        let sql = format!(
            "SELECT s.id, s.area_id, s.submitter_agency, s.received_at, s.status, \
             s.source_evaluation, s.assessment, s.handling_code, s.handling_conditions, \
             (SELECT COUNT(*) FROM intel_items i WHERE i.submission_id = s.id) AS items \
             FROM intel_submissions s WHERE {filter} ORDER BY {order} \
             LIMIT {limit} OFFSET {offset}"
        );
        let mut q = sqlx::query(&sql).bind(first);
        for s in statuses {
            q = q.bind(s.code());
        }
        q.fetch_all(&self.reader)
            .await?
            .iter()
            .map(|r| {
                Ok(SubmissionLine {
                    id: text(r, "id")?,
                    area: parsed(&text(r, "area_id")?, "area id")?,
                    submitter_agency: parsed(&text(r, "submitter_agency")?, "agency id")?,
                    received_at: int(r, "received_at")?,
                    status: IntelStatus::from_code(&text(r, "status")?)?,
                    items: int(r, "items")?,
                    grade: read_grading(r)?.map(|g| g.code()),
                })
            })
            .collect()
    }
}
