//! The front door's steps that change several records at once, each inside the caller's
//! transaction with its audit entries: receiving a referral (R2.5-R2.8), recording the MASH
//! decision (R2.9), and telling people (notifications and e-mails).

use safehub_access::Principal;
use safehub_domain::pathway::{self, ClockEnd, ClockKind, ReferralStatus, RouteIn};
use safehub_domain::{AgencyId, AreaId, ChildId, TeamId, UserId, WorkingCalendar};
use safehub_store::audit::{self, RecordKind};
use safehub_store::children::{self, Involvement};
use safehub_store::clocks::{self, Clock};
use safehub_store::notifications::{self, Notification, OutgoingEmail};
use safehub_store::referrals::{self, Recipient, Referral, ReferralError, TriageDecision};
use safehub_store::{AuditAction, StoreError, Tx};

use crate::AppState;
use crate::client::Client;
use crate::error::AppError;
use crate::guard;

/// What people are told about. The wording is made here; the store keeps only the code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Notice {
    /// R2.8 (WM-12.6): the area's CSE co-ordinator hears of every child at risk.
    ChildAtRisk,
    /// R2.6: an agency SPOC gets a copy of every form from their agency.
    FormFromYourAgency,
    /// R2.7: a child already open to children's services: the allocated worker is told.
    ContactForAllocatedWorker,
    /// R2.9 (WM-14.3): the referrer is told the outcome in writing.
    OutcomeOfYourReferral,
    /// R2.9: no CSE concern identified: returned to the SPOC with reasons.
    ReturnedToSpoc,
    /// R2.7, R2.9: a case was passed to a lead worker or team.
    CaseAllocated,
    /// R3: a statutory clock went overdue; the owner's manager is told.
    ClockOverdue,
}

impl Notice {
    /// Every notice.
    pub const ALL: [Notice; 7] = [
        Notice::ChildAtRisk,
        Notice::FormFromYourAgency,
        Notice::ContactForAllocatedWorker,
        Notice::OutcomeOfYourReferral,
        Notice::ReturnedToSpoc,
        Notice::CaseAllocated,
        Notice::ClockOverdue,
    ];

    /// The stored code.
    pub const fn code(self) -> &'static str {
        match self {
            Notice::ChildAtRisk => "child_at_risk",
            Notice::FormFromYourAgency => "form_from_your_agency",
            Notice::ContactForAllocatedWorker => "contact_for_allocated_worker",
            Notice::OutcomeOfYourReferral => "outcome_of_your_referral",
            Notice::ReturnedToSpoc => "returned_to_spoc",
            Notice::CaseAllocated => "case_allocated",
            Notice::ClockOverdue => "clock_overdue",
        }
    }

    /// The notice with this code.
    pub fn from_code(code: &str) -> Option<Notice> {
        Notice::ALL.into_iter().find(|n| n.code() == code)
    }

    /// What the notification list says. No names: the link shows the rest to whoever may
    /// see it.
    pub const fn label(self) -> &'static str {
        match self {
            Notice::ChildAtRisk => "A child at risk of CSE has been referred in your area",
            Notice::FormFromYourAgency => "A screening was submitted by someone in your agency",
            Notice::ContactForAllocatedWorker => {
                "A new contact has come in about a child allocated to you or your team"
            }
            Notice::OutcomeOfYourReferral => "The MASH has decided on a referral you made",
            Notice::ReturnedToSpoc => {
                "A referral from your agency was returned: no CSE concern identified"
            }
            Notice::CaseAllocated => "A case has been passed to you or your team",
            Notice::ClockOverdue => "A statutory time limit owned by your team has been missed",
        }
    }
}

/// Tells each recipient in-app, and by e-mail when the server sends e-mail. The e-mail says
/// only that there is something to see and where (no personal data).
pub async fn tell(
    state: &AppState,
    tx: &mut Tx,
    recipients: &[Recipient],
    notice: Notice,
    child: Option<ChildId>,
    link: &str,
) -> Result<(), StoreError> {
    let now = safehub_store::now_ms();
    let mut seen = std::collections::HashSet::new();
    for (user, email) in recipients {
        if !seen.insert(*user) {
            continue;
        }
        let n = Notification {
            id: uuid::Uuid::now_v7().to_string(),
            user: *user,
            what: notice.code().to_owned(),
            child,
            link: link.to_owned(),
            created_at: now,
            read_at: None,
        };
        let mail = state.config().smtp.is_some().then(|| OutgoingEmail {
            id: uuid::Uuid::now_v7().to_string(),
            to: email.clone(),
            subject: "Safehub: you have something new to see".to_owned(),
            body: format!(
                "{}.\n\nSign in to Safehub to see it:\n{}/notifications\n\n\
                 This message contains no details on purpose. Do not reply to it.\n",
                notice.label(),
                state.config().public_url.trim_end_matches('/'),
            ),
            created_at: now,
            attempts: 0,
        });
        notifications::notify(tx, &n, mail.as_ref()).await?;
    }
    Ok(())
}

/// A concern coming in by one of the routes in (R2.5).
#[derive(Clone, Debug)]
pub struct Intake {
    /// The child.
    pub child: ChildId,
    /// The child's area.
    pub area: AreaId,
    /// The child's legal status, which decides whether an allocated worker is told.
    pub legal_status: safehub_domain::LegalStatus,
    /// How it came in.
    pub route: RouteIn,
    /// The screening it carries.
    pub screening: Option<String>,
    /// The confirmed category.
    pub category: Option<u8>,
    /// Who raised it, as the letter will address them.
    pub referrer_name: String,
    /// How to reach them in writing.
    pub referrer_contact: String,
    /// One line for the queue.
    pub summary: String,
    /// What happened.
    pub details: String,
    /// The one-off key of the form, against double submission.
    pub form_key: String,
}

/// Why a concern could not be received.
#[derive(Debug, thiserror::Error)]
pub enum IntakeError {
    /// No children's services agency serves the child's area.
    #[error("no MASH serves this child's area; ask an administrator to set one up")]
    NoMash,
    /// The referral could not be stored.
    #[error(transparent)]
    Referral(#[from] ReferralError),
}

impl From<StoreError> for IntakeError {
    fn from(e: StoreError) -> Self {
        IntakeError::Referral(ReferralError::Store(e))
    }
}

/// Starts a clock of `kind` for a referral, counted from `from`.
fn new_clock(
    calendar: &WorkingCalendar,
    kind: ClockKind,
    child: ChildId,
    referral: &str,
    from_ms: i64,
    owner: (AgencyId, Option<TeamId>, Option<UserId>),
) -> Result<Clock, StoreError> {
    let from = jiff::Timestamp::from_millisecond(from_ms)
        .map_err(|e| StoreError::Config(format!("clock start: {e}")))?;
    let due = pathway::due(calendar, kind, from)
        .map_err(|e| StoreError::Config(format!("clock due date: {e}")))?;
    Ok(Clock {
        id: uuid::Uuid::now_v7().to_string(),
        kind,
        child,
        referral: Some(referral.to_owned()),
        started_at: from_ms,
        due_at: due.at.as_millisecond(),
        due_day: due.day.to_string(),
        owner_agency: owner.0,
        owner_team: owner.1,
        owner_user: owner.2,
        ended_at: None,
        ended_how: None,
        escalated_at: None,
    })
}

/// Receives a concern into the MASH queue: stores the referral, routes the child to the
/// MASH, starts the statutory clocks and tells the co-ordinator, the SPOC and any allocated
/// worker, all in `tx` with the audit entry (R2.5-R2.9, R3.1, R3.2).
pub async fn receive(
    state: &AppState,
    tx: &mut Tx,
    who: &Principal,
    client: &Client,
    intake: Intake,
) -> Result<Referral, IntakeError> {
    let store = state.store();
    let mash = store
        .mash_agency_for(intake.area)
        .await?
        .ok_or(IntakeError::NoMash)?;
    let now = safehub_store::now_ms();
    let referral = Referral {
        id: uuid::Uuid::now_v7().to_string(),
        child: intake.child,
        area: intake.area,
        route: intake.route,
        screening: intake.screening.clone(),
        category: intake.category,
        received_at: now,
        referrer_user: who.user,
        referrer_agency: who.agency,
        referrer_name: intake.referrer_name,
        referrer_contact: intake.referrer_contact,
        mash_agency: mash,
        summary: intake.summary,
        details: intake.details,
        status: ReferralStatus::AwaitingTriage,
        version: 1,
    };
    referrals::insert_referral(tx, &referral, &intake.form_key).await?;
    children::add_agency(tx, intake.child, who.agency, Involvement::Involved).await?;
    children::add_agency(tx, intake.child, mash, Involvement::Routed).await?;
    let calendar = state.calendar();
    for kind in pathway::clocks_on_referral(intake.category) {
        let clock = new_clock(
            &calendar,
            *kind,
            intake.child,
            &referral.id,
            now,
            (mash, None, None),
        )?;
        clocks::start(tx, &clock).await?;
    }
    let link = format!("/children/{}", intake.child);
    if intake.category.is_some() {
        let coordinators = store
            .role_holders_in_area("la_cse_coordinator", intake.area)
            .await?;
        tell(
            state,
            tx,
            &coordinators,
            Notice::ChildAtRisk,
            Some(intake.child),
            &link,
        )
        .await?;
    }
    if intake.screening.is_some() {
        let spocs = store
            .role_holders_in_agency("agency_spoc", who.agency)
            .await?;
        tell(
            state,
            tx,
            &spocs,
            Notice::FormFromYourAgency,
            Some(intake.child),
            &link,
        )
        .await?;
    }
    if pathway::pathway_for(intake.category, intake.legal_status)
        == pathway::Pathway::AllocatedWorker
    {
        if let Some(worker) = store.allocated_worker(intake.child).await? {
            tell(
                state,
                tx,
                &[worker],
                Notice::ContactForAllocatedWorker,
                Some(intake.child),
                &link,
            )
            .await?;
        }
    }
    audit::append(
        tx,
        &[guard::entry(
            who,
            AuditAction::Create,
            RecordKind::Referral,
            Some(referral.id.clone()),
            None,
            client,
            serde_json::json!({
                "child": intake.child.to_string(),
                "route": referral.route.code(),
                "category": referral.category,
                "screening": referral.screening,
            }),
        )],
    )
    .await?;
    Ok(referral)
}

/// Records a MASH decision (R2.9, R4.1): the decision, the clocks it starts and ends, the
/// new owner of the open clocks, and who is told; in `tx`, with the audit entry.
/// A decision on a referral someone else has already decided is refused.
pub async fn decide(
    state: &AppState,
    tx: &mut Tx,
    who: &Principal,
    client: &Client,
    referral: &Referral,
    decision: &TriageDecision,
) -> Result<(), ReferralError> {
    referrals::decide(tx, referral.version, decision).await?;
    let changes = pathway::clock_changes(decision.outcome);
    clocks::end_for_referral(
        tx,
        &referral.id,
        &changes.end_as_not_needed,
        ClockEnd::NotNeeded,
        decision.decided_at,
    )
    .await?;
    let owner = (
        referral.mash_agency,
        decision.routed_team,
        decision.lead_worker,
    );
    clocks::reassign_for_referral(tx, &referral.id, owner.0, owner.1, owner.2).await?;
    let existing: Vec<ClockKind> = state
        .store()
        .clocks_of_referral(&referral.id)
        .await?
        .into_iter()
        .map(|c| c.kind)
        .collect();
    let calendar = state.calendar();
    for kind in changes.start.iter().filter(|k| !existing.contains(k)) {
        let from = if *kind == ClockKind::EarlyHelpReview {
            decision.decided_at
        } else {
            referral.received_at
        };
        let clock = new_clock(&calendar, *kind, referral.child, &referral.id, from, owner)?;
        clocks::start(tx, &clock).await?;
    }
    let store = state.store();
    let link = format!("/mash/referrals/{}/letter", referral.id);
    let referrer = store.user_recipient(referral.referrer_user).await?;
    tell(
        state,
        tx,
        &referrer.into_iter().collect::<Vec<_>>(),
        Notice::OutcomeOfYourReferral,
        Some(referral.child),
        &link,
    )
    .await?;
    if decision.outcome == pathway::TriageOutcome::NoCseConcern {
        let spocs = store
            .role_holders_in_agency("agency_spoc", referral.referrer_agency)
            .await?;
        tell(
            state,
            tx,
            &spocs,
            Notice::ReturnedToSpoc,
            Some(referral.child),
            &link,
        )
        .await?;
    }
    if let Some(lead) = decision.lead_worker {
        if let Some(r) = store.user_recipient(lead).await? {
            let child_link = format!("/children/{}", referral.child);
            tell(
                state,
                tx,
                &[r],
                Notice::CaseAllocated,
                Some(referral.child),
                &child_link,
            )
            .await?;
        }
    }
    audit::append(
        tx,
        &[guard::entry(
            who,
            AuditAction::Change,
            RecordKind::Referral,
            Some(referral.id.clone()),
            None,
            client,
            serde_json::json!({
                "child": referral.child.to_string(),
                "decision": decision.id,
                "outcome": decision.outcome.code(),
                "scale": decision.signs_of_safety.scale,
            }),
        )],
    )
    .await
    .map_err(ReferralError::Store)?;
    Ok(())
}

/// Turns an intake failure into what the user sees.
impl From<IntakeError> for AppError {
    fn from(e: IntakeError) -> Self {
        match e {
            IntakeError::Referral(ReferralError::Store(s)) => AppError::from(s),
            other => AppError::Conflict(other.to_string()),
        }
    }
}
