//! The MASH: the queue ordered by risk and clock, a referral with its agency checks and the
//! decision form (Signs of Safety and one outcome), and the letter to the referrer (R2.9,
//! R4.1, WM-14.3).

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use safehub_access::Action;
use safehub_domain::pathway::{
    ClockKind, ReferralStatus, SECTION_47_THRESHOLDS, SignsOfSafety, TriageOutcome,
};
use safehub_domain::{TeamId, UserId};
use safehub_store::AuditAction;
use safehub_store::audit::RecordKind;
use safehub_store::clocks::Clock;
use safehub_store::referrals::{QueueItem, Referral, ReferralError, TriageDecision};
use serde::Deserialize;

use super::{london_time, render, render_invalid};
use crate::AppState;
use crate::client::Client;
use crate::error::AppError;
use crate::front_door;
use crate::guard::{self, CaseRecord};
use crate::layout::Layout;
use crate::posted::Posted;
use crate::session::SignedIn;

/// What a MASH worker sees when someone else decided first.
const CONFLICT: &str = "Someone else decided this referral while you were working on it. Their \
     decision is shown below; what you typed is kept in the form so nothing is lost.";

/// Referrals on one page of the queue.
const PAGE_SIZE: i64 = 50;

/// A queue line as the page shows it.
pub struct QueueRow {
    id: String,
    child_name: String,
    category: Option<u8>,
    route: &'static str,
    received: String,
    summary: String,
    next_due: Option<(String, &'static str, bool)>,
}

#[derive(Template)]
#[template(path = "mash_queue.html")]
struct QueuePage {
    layout: Layout,
    rows: Vec<QueueRow>,
    total: i64,
    page: i64,
    pages: i64,
}

/// `?page=` on the queue.
#[derive(Deserialize)]
pub struct PageQuery {
    page: Option<i64>,
}

fn due_label(due_at: i64, kind: &str, now: i64) -> (String, &'static str, bool) {
    let label = ClockKind::from_code(kind).map_or("Clock", ClockKind::label);
    (london_time(due_at), label, due_at < now)
}

/// One page of the MASH queue of the user's agency, as far as the user may see each child
/// (the same decision as opening it), audited as one list view: (items, total, page, pages).
pub(crate) async fn visible_queue(
    state: &AppState,
    who: &safehub_access::Principal,
    client: &Client,
    page: i64,
) -> Result<(Vec<QueueItem>, i64, i64, i64), AppError> {
    let store = state.store();
    let agencies = [who.agency];
    let total = store.mash_queue_length(&agencies).await?;
    let pages = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    let page = page.clamp(1, pages);
    let items = store
        .mash_queue(&agencies, PAGE_SIZE, (page - 1) * PAGE_SIZE)
        .await?;
    let shown = guard::filter_by_concerns(
        state,
        who,
        items,
        |i: &QueueItem| i.referral.child,
        RecordKind::MashQueue,
        client,
    )
    .await?;
    Ok((shown, total, page, pages))
}

/// GET /mash: the referrals awaiting a decision in the user's MASH, the highest category
/// first, then the most urgent clock, then the oldest (R2.9).
pub async fn queue(
    State(state): State<AppState>,
    who: SignedIn,
    client: Client,
    Query(q): Query<PageQuery>,
) -> Result<Response, AppError> {
    if !guard::works_in_mash(&who.principal) {
        return Err(AppError::Forbidden);
    }
    let (shown, total, page, pages) =
        visible_queue(&state, &who.principal, &client, q.page.unwrap_or(1)).await?;
    let now = safehub_store::now_ms();
    let rows = shown
        .into_iter()
        .map(|i| QueueRow {
            id: i.referral.id.clone(),
            child_name: i.child_name,
            category: i.referral.category,
            route: i.referral.route.label(),
            received: london_time(i.referral.received_at),
            summary: i.referral.summary,
            next_due: i
                .next_due_at
                .zip(i.next_due_kind)
                .map(|(at, kind)| due_label(at, &kind, now)),
        })
        .collect();
    render(&QueuePage {
        layout: who.layout(&state, "MASH queue", "/mash"),
        rows,
        total,
        page,
        pages,
    })
}

/// The decision form's fields, as typed.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    pub(crate) version: String,
    #[serde(default)]
    pub(crate) check_police: String,
    #[serde(default)]
    pub(crate) check_health: String,
    #[serde(default)]
    pub(crate) check_education: String,
    #[serde(default)]
    pub(crate) check_other: String,
    #[serde(default)]
    pub(crate) worries: String,
    #[serde(default)]
    pub(crate) working_well: String,
    #[serde(default)]
    pub(crate) needs_to_happen: String,
    #[serde(default)]
    pub(crate) scale: String,
    #[serde(default)]
    pub(crate) outcome: String,
    #[serde(default)]
    pub(crate) reasons: String,
    #[serde(default)]
    pub(crate) interventions: String,
    #[serde(default)]
    pub(crate) monitoring: String,
    #[serde(default)]
    pub(crate) lead_worker: String,
}

#[derive(Template)]
#[template(path = "mash_referral.html")]
struct ReferralPage {
    layout: Layout,
    referral: Referral,
    child_name: String,
    category_label: Option<&'static str>,
    received: String,
    clocks: Vec<ClockRow>,
    decision: Option<DecisionView>,
    can_decide: bool,
    form: DecisionForm,
    outcomes: Vec<(&'static str, &'static str)>,
    thresholds: [&'static str; 3],
    workers: Vec<(String, String)>,
    conflict: bool,
}

/// A clock as a referral page shows it.
pub(crate) struct ClockRow {
    pub(crate) label: &'static str,
    pub(crate) due: String,
    pub(crate) state: &'static str,
    pub(crate) overdue: bool,
}

/// A decision as the referral page shows it.
pub struct DecisionView {
    outcome: &'static str,
    decided: String,
    decided_by: String,
    sos: SignsOfSafety,
    checks: Vec<(String, String)>,
    reasons: String,
    interventions: String,
    monitoring: String,
}

fn category_label(c: Option<u8>) -> Option<&'static str> {
    c.and_then(safehub_domain::screening::Category::from_number)
        .map(safehub_domain::screening::Category::label)
}

pub(crate) fn clock_rows(clocks: &[Clock], now: i64) -> Vec<ClockRow> {
    clocks
        .iter()
        .map(|c| ClockRow {
            label: c.kind.label(),
            due: london_time(c.due_at),
            state: match c.ended_how {
                Some(how) => how.label(),
                None if c.due_at < now => "Overdue",
                None => "Open",
            },
            overdue: c.ended_at.is_none() && c.due_at < now,
        })
        .collect()
}

const CHECKS: [(&str, &str); 4] = [
    ("police", "Police"),
    ("health", "Health"),
    ("education", "Education"),
    ("other", "Other agencies"),
];

async fn referral_page(
    state: &AppState,
    who: &SignedIn,
    referral: Referral,
    form: Option<DecisionForm>,
) -> Result<ReferralPage, AppError> {
    let store = state.store();
    let (child, _) = store
        .child(referral.child)
        .await?
        .ok_or(AppError::NotFound)?;
    let now = safehub_store::now_ms();
    let clocks = clock_rows(&store.clocks_of_referral(&referral.id).await?, now);
    let decision = match store.decision(&referral.id).await? {
        Some(d) => {
            let by = store.user(d.decided_by).await?.display_name;
            let checks: HashMap<String, String> =
                serde_json::from_str(&d.agency_checks).unwrap_or_default();
            Some(DecisionView {
                outcome: d.outcome.label(),
                decided: london_time(d.decided_at),
                decided_by: by,
                sos: d.signs_of_safety,
                checks: CHECKS
                    .iter()
                    .filter_map(|(k, l)| {
                        checks
                            .get(*k)
                            .filter(|v| !v.is_empty())
                            .map(|v| ((*l).to_owned(), v.clone()))
                    })
                    .collect(),
                reasons: d.reasons,
                interventions: d.interventions,
                monitoring: d.monitoring,
            })
        }
        None => None,
    };
    let can_decide =
        referral.status == ReferralStatus::AwaitingTriage && guard::works_in_mash(&who.principal);
    let workers = store
        .caseworkers(who.principal.agency)
        .await?
        .into_iter()
        .map(|(id, name)| (id.to_string(), name))
        .collect();
    let form = form.unwrap_or_else(|| DecisionForm {
        version: referral.version.to_string(),
        ..DecisionForm::default()
    });
    Ok(ReferralPage {
        layout: who.layout(state, "Referral", "/mash"),
        child_name: format!("{} {}", child.name.given(), child.name.family()),
        category_label: category_label(referral.category),
        received: london_time(referral.received_at),
        referral,
        clocks,
        decision,
        can_decide,
        form,
        outcomes: TriageOutcome::ALL
            .iter()
            .map(|o| (o.code(), o.label()))
            .collect(),
        thresholds: SECTION_47_THRESHOLDS,
        workers,
        conflict: false,
    })
}

async fn load_referral(state: &AppState, id: &str) -> Result<Referral, AppError> {
    state.store().referral(id).await?.ok_or(AppError::NotFound)
}

/// GET /mash/referrals/{id}: the referral, its clocks, and the decision or the form.
pub async fn referral(
    State(state): State<AppState>,
    who: SignedIn,
    client: Client,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let referral = match state.store().referral(&id).await? {
        Some(r) => r,
        None => return Err(AppError::NotFound),
    };
    guard::open_case_record(
        &state,
        &who.principal,
        referral.child,
        Action::View,
        CaseRecord {
            kind: RecordKind::Referral,
            id: referral.id.clone(),
        },
        AuditAction::View,
        &client,
    )
    .await?;
    render(&referral_page(&state, &who, referral, None).await?)
}

/// Reads and checks the decision form; the errors go on the page's layout.
pub(crate) fn check_decision(
    form: &DecisionForm,
    layout: &mut Layout,
    workers: &[(String, String)],
) -> Option<(SignsOfSafety, TriageOutcome, Option<UserId>)> {
    let limit = |layout: &mut Layout, field: &'static str, value: &str, what: &str| {
        if value.chars().count() > 4000 {
            layout.error(field, format!("{what} must be 4,000 characters or fewer"));
        }
    };
    for (field, value) in [
        ("check_police", &form.check_police),
        ("check_health", &form.check_health),
        ("check_education", &form.check_education),
        ("check_other", &form.check_other),
    ] {
        limit(layout, field, value, "An agency check");
    }
    let required = [
        ("worries", &form.worries, "Say what you are worried about"),
        (
            "working_well",
            &form.working_well,
            "Say what is working well",
        ),
        (
            "needs_to_happen",
            &form.needs_to_happen,
            "Say what needs to happen",
        ),
    ];
    for (field, value, message) in required {
        if value.trim().is_empty() {
            layout.error(field, message);
        } else {
            limit(layout, field, value, "This answer");
        }
    }
    let scale = form.scale.trim().parse::<u8>().ok().filter(|s| *s <= 10);
    if scale.is_none() {
        layout.error("scale", "Choose a number from 0 to 10 on the scale");
    }
    let outcome = TriageOutcome::from_code(&form.outcome);
    if outcome.is_none() {
        layout.error("outcome", "Choose one outcome");
    }
    if outcome == Some(TriageOutcome::NoCseConcern) {
        for (field, value, message) in [
            (
                "reasons",
                &form.reasons,
                "Give the reasons no CSE concern was identified",
            ),
            (
                "interventions",
                &form.interventions,
                "Propose interventions for the referring agency",
            ),
            (
                "monitoring",
                &form.monitoring,
                "Say what the referring agency should keep monitoring",
            ),
        ] {
            if value.trim().is_empty() {
                layout.error(field, message);
            }
        }
    } else if form.reasons.trim().is_empty() && outcome.is_some() {
        layout.error("reasons", "Give the reasons for the outcome");
    }
    for (field, value) in [
        ("reasons", &form.reasons),
        ("interventions", &form.interventions),
        ("monitoring", &form.monitoring),
    ] {
        limit(layout, field, value, "This answer");
    }
    let lead = if form.lead_worker.is_empty() {
        None
    } else {
        match workers.iter().find(|(id, _)| *id == form.lead_worker) {
            Some((id, _)) => id.parse::<UserId>().ok(),
            None => {
                layout.error(
                    "lead_worker",
                    "Choose a worker from the list, or nobody yet",
                );
                None
            }
        }
    };
    if outcome == Some(TriageOutcome::EarlyHelp) && lead.is_none() && !layout.has_errors() {
        layout.error("lead_worker", "Choose the early help lead worker");
    }
    if layout.has_errors() {
        return None;
    }
    let sos = SignsOfSafety {
        worries: form.worries.trim().to_owned(),
        working_well: form.working_well.trim().to_owned(),
        needs_to_happen: form.needs_to_happen.trim().to_owned(),
        scale: scale?,
    };
    Some((sos, outcome?, lead))
}

/// The decision a checked form describes: the Signs of Safety record, the agency checks and
/// the outcome, with the lead worker's team as the team the case goes to.
pub(crate) async fn build_decision(
    state: &AppState,
    who: &safehub_access::Principal,
    referral: &Referral,
    form: &DecisionForm,
    (sos, outcome, lead): (SignsOfSafety, TriageOutcome, Option<UserId>),
) -> Result<TriageDecision, AppError> {
    let routed_team: Option<TeamId> = match lead {
        Some(u) => state.store().user(u).await?.team,
        None => None,
    };
    let checks: HashMap<&str, &str> = [
        ("police", form.check_police.trim()),
        ("health", form.check_health.trim()),
        ("education", form.check_education.trim()),
        ("other", form.check_other.trim()),
    ]
    .into_iter()
    .collect();
    let now = safehub_store::now_ms();
    Ok(TriageDecision {
        id: uuid::Uuid::now_v7().to_string(),
        referral: referral.id.clone(),
        decided_by: who.user,
        decided_at: now,
        agency_checks: serde_json::to_string(&checks).unwrap_or_else(|_| "{}".into()),
        signs_of_safety: sos,
        outcome,
        reasons: form.reasons.trim().to_owned(),
        interventions: form.interventions.trim().to_owned(),
        monitoring: form.monitoring.trim().to_owned(),
        routed_team,
        lead_worker: lead,
        referrer_told_at: Some(now),
    })
}

/// POST /mash/referrals/{id}/decision: records the decision, or re-displays the form with
/// its errors (nothing typed is lost); a referral decided meanwhile by someone else shows
/// their decision and keeps what this user typed.
pub async fn decide(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted<SignedIn, DecisionForm>,
) -> Result<Response, AppError> {
    let Posted { who, form, client } = posted;
    let referral = load_referral(&state, &id).await?;
    if !guard::works_in_mash(&who.principal) {
        return Err(AppError::Forbidden);
    }
    guard::open_case_record(
        &state,
        &who.principal,
        referral.child,
        Action::Edit,
        CaseRecord {
            kind: RecordKind::Referral,
            id: referral.id.clone(),
        },
        AuditAction::Change,
        &client,
    )
    .await?;
    let mut page = referral_page(&state, &who, referral.clone(), Some(form.clone())).await?;
    let stale = form.version.parse::<i64>().ok() != Some(referral.version)
        || referral.status != ReferralStatus::AwaitingTriage;
    if stale {
        page.conflict = true;
        page.layout.error("outcome", CONFLICT);
        page.can_decide = false;
        return render_invalid(&page);
    }
    let Some((sos, outcome, lead)) = check_decision(&form, &mut page.layout, &page.workers) else {
        return render_invalid(&page);
    };
    let decision = build_decision(
        &state,
        &who.principal,
        &referral,
        &form,
        (sos, outcome, lead),
    )
    .await?;
    let mut tx = state.store().begin().await?;
    match front_door::decide(
        &state,
        &mut tx,
        &who.principal,
        &client,
        &referral,
        &decision,
    )
    .await
    {
        Ok(()) => {}
        Err(ReferralError::AlreadyDecided) => {
            drop(tx);
            let fresh = load_referral(&state, &id).await?;
            let mut page = referral_page(&state, &who, fresh, Some(form)).await?;
            page.conflict = true;
            page.can_decide = false;
            page.layout.error("outcome", CONFLICT);
            return render_invalid(&page);
        }
        Err(e) => return Err(AppError::Internal(e.to_string())),
    }
    tx.commit().await?;
    Ok(Redirect::to(&format!("/mash/referrals/{id}/letter")).into_response())
}

#[derive(Template)]
#[template(path = "mash_letter.html")]
struct LetterPage {
    layout: Layout,
    referrer_name: String,
    referrer_contact: String,
    date: String,
    child_name: String,
    date_of_birth: Option<String>,
    received: String,
    outcome: &'static str,
    no_concern: bool,
    reasons: String,
    interventions: String,
    monitoring: String,
    decided_by: String,
    mash_name: String,
}

/// GET /mash/referrals/{id}/letter: the letter telling the referrer the outcome in writing
/// (WM-14.3), to print or send. Open to whoever may see the referral, which includes the
/// referrer's agency (it is involved with the child).
pub async fn letter(
    State(state): State<AppState>,
    who: SignedIn,
    client: Client,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let referral = load_referral(&state, &id).await?;
    let (child, _) = guard::open_case_record(
        &state,
        &who.principal,
        referral.child,
        Action::View,
        CaseRecord {
            kind: RecordKind::Letter,
            id: referral.id.clone(),
        },
        AuditAction::View,
        &client,
    )
    .await?;
    let store = state.store();
    let Some(decision) = store.decision(&referral.id).await? else {
        return Err(AppError::NotFound);
    };
    let decided_by = store.user(decision.decided_by).await?.display_name;
    let mash = state
        .directory()
        .agency(store, referral.mash_agency)
        .await?;
    render(&LetterPage {
        layout: who.layout(&state, "Outcome of your referral", "/mash"),
        referrer_name: referral.referrer_name.clone(),
        referrer_contact: referral.referrer_contact.clone(),
        date: london_time(decision.decided_at),
        child_name: format!("{} {}", child.name.given(), child.name.family()),
        date_of_birth: child
            .date_of_birth
            .map(|d| d.strftime("%-d %B %Y").to_string()),
        received: london_time(referral.received_at),
        outcome: decision.outcome.label(),
        no_concern: decision.outcome == TriageOutcome::NoCseConcern,
        reasons: decision.reasons,
        interventions: decision.interventions,
        monitoring: decision.monitoring,
        decided_by,
        mash_name: mash.name,
    })
}
