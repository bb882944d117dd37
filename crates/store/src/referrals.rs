//! Contacts and referrals into the MASH by every route in (R2.5), the MASH queue, and the
//! MASH decision recorded with Signs of Safety (R2.9, R4.1).

use safehub_domain::pathway::{ReferralStatus, RouteIn, SignsOfSafety, TriageOutcome};
use safehub_domain::{AgencyId, AreaId, ChildId, TeamId, UserId};
use sqlx::AnyConnection;

use crate::db::{int, opt_int, opt_text, parsed, placeholders, text};
use crate::{Store, StoreError};

/// A contact or referral into the MASH.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Referral {
    /// Its id.
    pub id: String,
    /// The child.
    pub child: ChildId,
    /// The child's area when it came in.
    pub area: AreaId,
    /// How it came in.
    pub route: RouteIn,
    /// The screening it carries, if any.
    pub screening: Option<String>,
    /// The confirmed category (1-3), if a screening set one.
    pub category: Option<u8>,
    /// When it was received.
    pub received_at: i64,
    /// The user who recorded it.
    pub referrer_user: UserId,
    /// Their agency.
    pub referrer_agency: AgencyId,
    /// Who raised it, as the letter addresses them: the practitioner, the police officer, the
    /// placing authority's worker, or the parent or carer.
    pub referrer_name: String,
    /// How to reach them in writing (e-mail or postal address).
    pub referrer_contact: String,
    /// The MASH (children's services agency) it went to.
    pub mash_agency: AgencyId,
    /// A one-line summary for the queue.
    pub summary: String,
    /// What happened, in the referrer's words.
    pub details: String,
    /// Awaiting triage or decided.
    pub status: ReferralStatus,
    /// Bumped by every change; a decision names the version it was made on.
    pub version: i64,
}

const SELECT: &str = "SELECT id, child_id, area_id, route, screening_id, category, received_at, \
     referrer_user, referrer_agency, referrer_name, referrer_contact, mash_agency, summary, \
     details, status, version FROM referrals";

fn read(r: &sqlx::any::AnyRow) -> Result<Referral, StoreError> {
    Ok(Referral {
        id: text(r, "id")?,
        child: parsed(&text(r, "child_id")?, "child id")?,
        area: parsed(&text(r, "area_id")?, "area id")?,
        route: parsed(&text(r, "route")?, "route in")?,
        screening: opt_text(r, "screening_id")?,
        category: opt_int(r, "category")?
            .map(|c| u8::try_from(c).map_err(|_| StoreError::Corrupt(format!("category {c}"))))
            .transpose()?,
        received_at: int(r, "received_at")?,
        referrer_user: parsed(&text(r, "referrer_user")?, "user id")?,
        referrer_agency: parsed(&text(r, "referrer_agency")?, "agency id")?,
        referrer_name: text(r, "referrer_name")?,
        referrer_contact: text(r, "referrer_contact")?,
        mash_agency: parsed(&text(r, "mash_agency")?, "agency id")?,
        summary: text(r, "summary")?,
        details: text(r, "details")?,
        status: parsed(&text(r, "status")?, "referral status")?,
        version: int(r, "version")?,
    })
}

/// Why a referral was not stored.
#[derive(Debug, thiserror::Error)]
pub enum ReferralError {
    /// The same form was submitted twice (a double click).
    #[error("this referral was already received")]
    Duplicate,
    /// Someone else decided the referral first, or changed it since the page was loaded.
    #[error("this referral was decided by someone else")]
    AlreadyDecided,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Stores a new referral. `form_key` is the one-off key of the form it came from: a second
/// submission of the same form is refused with [`ReferralError::Duplicate`].
pub async fn insert_referral(
    conn: &mut AnyConnection,
    r: &Referral,
    form_key: &str,
) -> Result<(), ReferralError> {
    let result = sqlx::query(
        "INSERT INTO referrals (id, child_id, area_id, route, screening_id, category, \
         received_at, referrer_user, referrer_agency, referrer_name, referrer_contact, \
         mash_agency, summary, details, status, version, form_key) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)",
    )
    .bind(&r.id)
    .bind(r.child.to_string())
    .bind(r.area.to_string())
    .bind(r.route.code())
    .bind(r.screening.clone())
    .bind(r.category.map(i64::from))
    .bind(r.received_at)
    .bind(r.referrer_user.to_string())
    .bind(r.referrer_agency.to_string())
    .bind(&r.referrer_name)
    .bind(&r.referrer_contact)
    .bind(r.mash_agency.to_string())
    .bind(&r.summary)
    .bind(&r.details)
    .bind(r.status.code())
    .bind(r.version)
    .bind(form_key)
    .execute(&mut *conn)
    .await;
    match result {
        Ok(_) => Ok(()),
        Err(e) => {
            let e = StoreError::from(e);
            if e.is_unique_violation() {
                Err(ReferralError::Duplicate)
            } else {
                Err(e.into())
            }
        }
    }
}

/// A MASH decision on a referral (R2.9, R4.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TriageDecision {
    /// Its id.
    pub id: String,
    /// The referral decided.
    pub referral: String,
    /// The MASH worker.
    pub decided_by: UserId,
    /// When.
    pub decided_at: i64,
    /// What each agency's checks found, as JSON: agency kind code to text.
    pub agency_checks: String,
    /// The Signs of Safety record.
    pub signs_of_safety: SignsOfSafety,
    /// The one outcome.
    pub outcome: TriageOutcome,
    /// Reasons for the outcome (required when no CSE concern is identified).
    pub reasons: String,
    /// Proposed interventions for the referring agency (no CSE concern).
    pub interventions: String,
    /// What the referring agency is asked to keep monitoring (no CSE concern).
    pub monitoring: String,
    /// The team the case goes to, if any.
    pub routed_team: Option<TeamId>,
    /// The lead or allocated worker, if any.
    pub lead_worker: Option<UserId>,
    /// When the referrer was told in writing.
    pub referrer_told_at: Option<i64>,
}

/// Records a decision on a referral, if it is still awaiting triage at `expected_version`.
/// Two MASH workers deciding at once: the second gets [`ReferralError::AlreadyDecided`] and
/// nothing of theirs is written.
pub async fn decide(
    conn: &mut AnyConnection,
    expected_version: i64,
    d: &TriageDecision,
) -> Result<(), ReferralError> {
    let moved = sqlx::query(
        "UPDATE referrals SET status = 'decided', version = version + 1 \
         WHERE id = $1 AND version = $2 AND status = 'awaiting_triage'",
    )
    .bind(&d.referral)
    .bind(expected_version)
    .execute(&mut *conn)
    .await
    .map_err(StoreError::from)?
    .rows_affected();
    if moved != 1 {
        return Err(ReferralError::AlreadyDecided);
    }
    sqlx::query(
        "INSERT INTO triage_decisions (id, referral_id, decided_by, decided_at, agency_checks, \
         worries, working_well, needs_to_happen, scale, outcome, reasons, interventions, \
         monitoring, routed_team, lead_worker, referrer_told_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
    )
    .bind(&d.id)
    .bind(&d.referral)
    .bind(d.decided_by.to_string())
    .bind(d.decided_at)
    .bind(&d.agency_checks)
    .bind(&d.signs_of_safety.worries)
    .bind(&d.signs_of_safety.working_well)
    .bind(&d.signs_of_safety.needs_to_happen)
    .bind(i64::from(d.signs_of_safety.scale))
    .bind(d.outcome.code())
    .bind(&d.reasons)
    .bind(&d.interventions)
    .bind(&d.monitoring)
    .bind(d.routed_team.map(|t| t.to_string()))
    .bind(d.lead_worker.map(|u| u.to_string()))
    .bind(d.referrer_told_at)
    .execute(&mut *conn)
    .await
    .map_err(StoreError::from)?;
    Ok(())
}

fn read_decision(r: &sqlx::any::AnyRow) -> Result<TriageDecision, StoreError> {
    let scale = int(r, "scale")?;
    Ok(TriageDecision {
        id: text(r, "id")?,
        referral: text(r, "referral_id")?,
        decided_by: parsed(&text(r, "decided_by")?, "user id")?,
        decided_at: int(r, "decided_at")?,
        agency_checks: text(r, "agency_checks")?,
        signs_of_safety: SignsOfSafety {
            worries: text(r, "worries")?,
            working_well: text(r, "working_well")?,
            needs_to_happen: text(r, "needs_to_happen")?,
            scale: u8::try_from(scale)
                .map_err(|_| StoreError::Corrupt(format!("scale {scale}")))?,
        },
        outcome: parsed(&text(r, "outcome")?, "outcome")?,
        reasons: text(r, "reasons")?,
        interventions: text(r, "interventions")?,
        monitoring: text(r, "monitoring")?,
        routed_team: opt_text(r, "routed_team")?
            .map(|t| parsed(&t, "team id"))
            .transpose()?,
        lead_worker: opt_text(r, "lead_worker")?
            .map(|u| parsed(&u, "user id"))
            .transpose()?,
        referrer_told_at: opt_int(r, "referrer_told_at")?,
    })
}

/// One line of the MASH queue: the referral with what the queue shows about the child and
/// its most urgent open clock.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueueItem {
    /// The referral.
    pub referral: Referral,
    /// The child's name as the queue shows it.
    pub child_name: String,
    /// The earliest open clock's due time, if any.
    pub next_due_at: Option<i64>,
    /// Its kind code.
    pub next_due_kind: Option<String>,
}

impl Store {
    /// A referral by id.
    pub async fn referral(&self, id: &str) -> Result<Option<Referral>, StoreError> {
        let row = sqlx::query(&format!("{SELECT} WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.reader)
            .await?;
        row.as_ref().map(read).transpose()
    }

    /// A child's referrals, newest first.
    pub async fn referrals_of_child(&self, child: ChildId) -> Result<Vec<Referral>, StoreError> {
        sqlx::query(&format!(
            "{SELECT} WHERE child_id = $1 ORDER BY received_at DESC"
        ))
        .bind(child.to_string())
        .fetch_all(&self.reader)
        .await?
        .iter()
        .map(read)
        .collect()
    }

    /// The decision on a referral, if made.
    pub async fn decision(&self, referral: &str) -> Result<Option<TriageDecision>, StoreError> {
        let row = sqlx::query("SELECT * FROM triage_decisions WHERE referral_id = $1")
            .bind(referral)
            .fetch_optional(&self.reader)
            .await?;
        row.as_ref().map(read_decision).transpose()
    }

    /// The MASH queue of the given MASH agencies (R2.9): referrals awaiting a decision,
    /// the highest category first, then the most urgent clock, then the oldest.
    pub async fn mash_queue(
        &self,
        mash_agencies: &[AgencyId],
        limit: i64,
        offset: i64,
    ) -> Result<Vec<QueueItem>, StoreError> {
        if mash_agencies.is_empty() {
            return Ok(Vec::new());
        }
        // The page of referrals is chosen first, read in order from `referrals_by_queue`
        // (whose expression this ORDER BY must repeat exactly), so the clock look-ups
        // (`clocks_by_referral`) run for its rows only.
        let sql = format!(
            "SELECT r.id, r.child_id, r.area_id, r.route, r.screening_id, r.category, \
             r.received_at, r.referrer_user, r.referrer_agency, r.referrer_name, \
             r.referrer_contact, r.mash_agency, r.summary, r.details, r.status, r.version, \
             c.given_name || ' ' || c.family_name AS child_name, \
             (SELECT MIN(k.due_at) FROM clocks k \
                 WHERE k.referral_id = r.id AND k.ended_at IS NULL) AS next_due_at, \
             (SELECT k.kind FROM clocks k \
                 WHERE k.referral_id = r.id AND k.ended_at IS NULL \
                 ORDER BY k.due_at LIMIT 1) AS next_due_kind \
             FROM (SELECT * FROM referrals \
                 WHERE status = 'awaiting_triage' AND mash_agency IN ({}) \
                 ORDER BY COALESCE(category, 0) DESC, received_at, id \
                 LIMIT {limit} OFFSET {offset}) r \
             JOIN children c ON c.id = r.child_id \
             ORDER BY COALESCE(r.category, 0) DESC, r.received_at, r.id",
            placeholders(mash_agencies.len())
        );
        let mut q = sqlx::query(&sql);
        for a in mash_agencies {
            q = q.bind(a.to_string());
        }
        q.fetch_all(&self.reader)
            .await?
            .iter()
            .map(|r| {
                Ok(QueueItem {
                    referral: read(r)?,
                    child_name: text(r, "child_name")?,
                    next_due_at: opt_int(r, "next_due_at")?,
                    next_due_kind: opt_text(r, "next_due_kind")?,
                })
            })
            .collect()
    }

    /// How many referrals await triage in the given MASH agencies.
    pub async fn mash_queue_length(&self, mash_agencies: &[AgencyId]) -> Result<i64, StoreError> {
        if mash_agencies.is_empty() {
            return Ok(0);
        }
        let sql = format!(
            "SELECT COUNT(*) AS n FROM referrals \
             WHERE status = 'awaiting_triage' AND mash_agency IN ({})",
            placeholders(mash_agencies.len())
        );
        let mut q = sqlx::query(&sql);
        for a in mash_agencies {
            q = q.bind(a.to_string());
        }
        int(&q.fetch_one(&self.reader).await?, "n")
    }
}

/// A person to tell: their id and sign-in e-mail address.
pub type Recipient = (UserId, String);

impl Store {
    /// The MASH for an area: the children's services agency serving it that has MASH
    /// workers (or, failing that, any children's services agency serving it).
    pub async fn mash_agency_for(&self, area: AreaId) -> Result<Option<AgencyId>, StoreError> {
        let row = sqlx::query(
            "SELECT a.id, (SELECT COUNT(*) FROM users u JOIN user_roles r ON r.user_id = u.id \
                 WHERE u.agency_id = a.id AND r.role = 'mash_worker') AS workers \
             FROM agencies a JOIN agency_areas aa ON aa.agency_id = a.id \
             WHERE aa.area_id = $1 AND a.kind = 'childrens_services' \
             ORDER BY workers DESC, a.id LIMIT 1",
        )
        .bind(area.to_string())
        .fetch_optional(&self.reader)
        .await?;
        row.as_ref()
            .map(|r| parsed(&text(r, "id")?, "agency id"))
            .transpose()
    }

    /// Active users holding `role` in agencies that serve `area`.
    pub async fn role_holders_in_area(
        &self,
        role: &str,
        area: AreaId,
    ) -> Result<Vec<Recipient>, StoreError> {
        sqlx::query(
            "SELECT DISTINCT u.id, u.email FROM users u \
             JOIN user_roles r ON r.user_id = u.id \
             JOIN agency_areas aa ON aa.agency_id = u.agency_id \
             WHERE r.role = $1 AND aa.area_id = $2 AND u.disabled_at IS NULL \
             AND u.is_service_account = 0 ORDER BY u.id",
        )
        .bind(role)
        .bind(area.to_string())
        .fetch_all(&self.reader)
        .await?
        .iter()
        .map(|r| Ok((parsed(&text(r, "id")?, "user id")?, text(r, "email")?)))
        .collect()
    }

    /// Active users holding `role` in one agency.
    pub async fn role_holders_in_agency(
        &self,
        role: &str,
        agency: AgencyId,
    ) -> Result<Vec<Recipient>, StoreError> {
        sqlx::query(
            "SELECT u.id, u.email FROM users u JOIN user_roles r ON r.user_id = u.id \
             WHERE r.role = $1 AND u.agency_id = $2 AND u.disabled_at IS NULL \
             AND u.is_service_account = 0 ORDER BY u.id",
        )
        .bind(role)
        .bind(agency.to_string())
        .fetch_all(&self.reader)
        .await?
        .iter()
        .map(|r| Ok((parsed(&text(r, "id")?, "user id")?, text(r, "email")?)))
        .collect()
    }
}

impl Store {
    /// The worker allocated to a child open to children's services, if any and active.
    pub async fn allocated_worker(&self, child: ChildId) -> Result<Option<Recipient>, StoreError> {
        let row = sqlx::query(
            "SELECT u.id, u.email FROM children c JOIN users u ON u.id = c.allocated_worker \
             WHERE c.id = $1 AND u.disabled_at IS NULL",
        )
        .bind(child.to_string())
        .fetch_optional(&self.reader)
        .await?;
        row.as_ref()
            .map(|r| Ok((parsed(&text(r, "id")?, "user id")?, text(r, "email")?)))
            .transpose()
    }

    /// A user as someone to tell, if the account is active.
    pub async fn user_recipient(&self, user: UserId) -> Result<Option<Recipient>, StoreError> {
        let row = sqlx::query("SELECT id, email FROM users WHERE id = $1 AND disabled_at IS NULL")
            .bind(user.to_string())
            .fetch_optional(&self.reader)
            .await?;
        row.as_ref()
            .map(|r| Ok((parsed(&text(r, "id")?, "user id")?, text(r, "email")?)))
            .transpose()
    }
}

impl Store {
    /// The people of an agency who can lead casework (social workers, team managers, MASH
    /// workers and early help practitioners), by name, for allocation lists.
    pub async fn caseworkers(&self, agency: AgencyId) -> Result<Vec<(UserId, String)>, StoreError> {
        sqlx::query(
            "SELECT DISTINCT u.id, u.display_name FROM users u JOIN user_roles r ON r.user_id = u.id \
             WHERE u.agency_id = $1 AND u.disabled_at IS NULL AND u.is_service_account = 0 \
             AND r.role IN ('social_worker', 'team_manager', 'mash_worker', 'referring_practitioner') \
             ORDER BY u.display_name, u.id",
        )
        .bind(agency.to_string())
        .fetch_all(&self.reader)
        .await?
        .iter()
        .map(|r| Ok((parsed(&text(r, "id")?, "user id")?, text(r, "display_name")?)))
        .collect()
    }
}
