//! The MASH half of the front door in the API: the queue, a referral with its clocks and
//! decision, recording a decision, the caller's statutory clocks, and a child's chronology.
//! The same enforcement point, validation and audit as the pages.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use safehub_access::Action;
use safehub_domain::pathway::ReferralStatus;
use safehub_store::AuditAction;
use safehub_store::audit::RecordKind;
use safehub_store::clocks::{Clock, TrayOwner};
use safehub_store::referrals::{Referral, ReferralError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ApiCaller, ErrorBody};
use crate::AppState;
use crate::client::Client;
use crate::error::{ApiError, AppError};
use crate::front_door;
use crate::guard::{self, CaseRecord};
use crate::layout::Layout;
use crate::pages::mash::{DecisionForm, build_decision, check_decision, visible_queue};
use crate::pages::work::visible_tray;

/// The most clocks `GET /api/v1/clocks` returns, soonest first.
const API_TRAY_SIZE: i64 = 500;

/// The scope that lets a token read referrals, clocks and chronologies.
pub const SCOPE_REFERRALS_READ: &str = "referrals:read";
/// The scope that lets a token record MASH decisions.
pub const SCOPE_REFERRALS_WRITE: &str = "referrals:write";

fn rfc3339(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| t.to_string())
        .unwrap_or_default()
}

/// A referral as the API shows it.
#[derive(Serialize, ToSchema)]
pub struct ReferralBody {
    /// Its id.
    id: String,
    /// The child's id.
    child: String,
    /// `agency_screening`, `police_notification`, `placing_authority` or `parent_or_carer`.
    route: String,
    /// The confirmed category (1-3), if a screening set one.
    category: Option<u8>,
    /// When it was received (RFC 3339, UTC).
    received_at: String,
    /// `awaiting_triage` or `decided`.
    status: String,
    /// Give this back when recording a decision.
    version: i64,
    /// One line for the queue.
    summary: String,
    /// The screening it carries, if any.
    screening: Option<String>,
}

impl From<&Referral> for ReferralBody {
    fn from(r: &Referral) -> Self {
        ReferralBody {
            id: r.id.clone(),
            child: r.child.to_string(),
            route: r.route.code().to_owned(),
            category: r.category,
            received_at: rfc3339(r.received_at),
            status: r.status.code().to_owned(),
            version: r.version,
            summary: r.summary.clone(),
            screening: r.screening.clone(),
        }
    }
}

/// A statutory clock.
#[derive(Serialize, ToSchema)]
pub struct ClockBody {
    /// Its id.
    id: String,
    /// `strategy_discussion`, `discussion`, `mase` or `early_help_review`.
    kind: String,
    /// The child's id.
    child: String,
    /// The referral that started it.
    referral: Option<String>,
    /// The last instant in time (RFC 3339, UTC).
    due_at: String,
    /// The day it is due in London.
    due_day: String,
    /// Whether it is overdue now.
    overdue: bool,
    /// `done` or `not_needed` once ended.
    ended: Option<String>,
}

impl ClockBody {
    fn new(c: &Clock, now: i64) -> Self {
        ClockBody {
            id: c.id.clone(),
            kind: c.kind.code().to_owned(),
            child: c.child.to_string(),
            referral: c.referral.clone(),
            due_at: rfc3339(c.due_at),
            due_day: c.due_day.clone(),
            overdue: c.ended_at.is_none() && c.due_at < now,
            ended: c.ended_how.map(|h| h.code().to_owned()),
        }
    }
}

/// `?page=` for the queue.
#[derive(Deserialize)]
pub struct PageParam {
    page: Option<i64>,
}

/// One page of the queue.
#[derive(Serialize, ToSchema)]
pub struct QueueBody {
    /// Referrals awaiting a decision in the caller's MASH.
    total: i64,
    /// This page (from 1).
    page: i64,
    /// Pages in all.
    pages: i64,
    /// The referrals, highest category first, then the most urgent clock, then the oldest.
    referrals: Vec<ReferralBody>,
}

/// The caller's MASH queue (R2.9); needs a MASH worker account.
#[utoipa::path(get, path = "/api/v1/mash/queue", params(("page" = Option<i64>, Query, description = "Page, from 1")),
    responses((status = 200, body = QueueBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn queue(
    State(state): State<AppState>,
    caller: ApiCaller,
    client: Client,
    Query(q): Query<PageParam>,
) -> Result<Json<QueueBody>, ApiError> {
    caller.require(SCOPE_REFERRALS_READ)?;
    if !guard::works_in_mash(&caller.principal) {
        return Err(AppError::Forbidden.into());
    }
    let (items, total, page, pages) =
        visible_queue(&state, &caller.principal, &client, q.page.unwrap_or(1)).await?;
    Ok(Json(QueueBody {
        total,
        page,
        pages,
        referrals: items
            .iter()
            .map(|i| ReferralBody::from(&i.referral))
            .collect(),
    }))
}

/// A referral with its clocks and decision.
#[derive(Serialize, ToSchema)]
pub struct ReferralDetail {
    /// The referral.
    referral: ReferralBody,
    /// Its statutory clocks.
    clocks: Vec<ClockBody>,
    /// The MASH outcome code, once decided.
    outcome: Option<String>,
    /// The Signs of Safety scale (0-10), once decided.
    scale: Option<u8>,
}

async fn open_referral(
    state: &AppState,
    caller: &ApiCaller,
    client: &Client,
    id: &str,
    action: Action,
) -> Result<Referral, ApiError> {
    let referral = state
        .store()
        .referral(id)
        .await?
        .ok_or(ApiError(AppError::NotFound))?;
    guard::open_case_record(
        state,
        &caller.principal,
        referral.child,
        action,
        CaseRecord {
            kind: RecordKind::Referral,
            id: referral.id.clone(),
        },
        if action == Action::View {
            AuditAction::View
        } else {
            AuditAction::Change
        },
        client,
    )
    .await?;
    Ok(referral)
}

/// One referral (R2.9); 404 when unknown or not the caller's to see.
#[utoipa::path(get, path = "/api/v1/referrals/{id}", params(("id" = String, Path, description = "The referral's id")),
    responses((status = 200, body = ReferralDetail), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn referral(
    State(state): State<AppState>,
    caller: ApiCaller,
    client: Client,
    Path(id): Path<String>,
) -> Result<Json<ReferralDetail>, ApiError> {
    caller.require(SCOPE_REFERRALS_READ)?;
    let referral = open_referral(&state, &caller, &client, &id, Action::View).await?;
    let now = safehub_store::now_ms();
    let clocks = state.store().clocks_of_referral(&referral.id).await?;
    let decision = state.store().decision(&referral.id).await?;
    Ok(Json(ReferralDetail {
        referral: ReferralBody::from(&referral),
        clocks: clocks.iter().map(|c| ClockBody::new(c, now)).collect(),
        outcome: decision.as_ref().map(|d| d.outcome.code().to_owned()),
        scale: decision.map(|d| d.signs_of_safety.scale),
    }))
}

/// A MASH decision (R2.9, R4.1), with the referral's `version` as read.
#[derive(Deserialize, ToSchema)]
pub struct DecisionBody {
    /// The referral's version as read; a decision on a changed referral is refused (409).
    version: i64,
    /// What each agency's checks found.
    #[serde(default)]
    checks: AgencyChecks,
    /// What are we worried about?
    worries: String,
    /// What is working well?
    working_well: String,
    /// What needs to happen?
    needs_to_happen: String,
    /// 0 to 10.
    scale: i64,
    /// The outcome code, e.g. `strategy_discussion`, `early_help`, `no_cse_concern`.
    outcome: String,
    /// Reasons for the outcome.
    #[serde(default)]
    reasons: String,
    /// Proposed interventions (no CSE concern).
    #[serde(default)]
    interventions: String,
    /// What to keep monitoring (no CSE concern).
    #[serde(default)]
    monitoring: String,
    /// The lead or allocated worker's user id.
    #[serde(default)]
    lead_worker: Option<String>,
}

/// The agency checks of a decision.
#[derive(Default, Deserialize, ToSchema)]
pub struct AgencyChecks {
    #[serde(default)]
    police: String,
    #[serde(default)]
    health: String,
    #[serde(default)]
    education: String,
    #[serde(default)]
    other: String,
}

fn invalid(layout: &Layout) -> Response {
    let errors: Vec<_> = layout
        .errors
        .iter()
        .map(|e| serde_json::json!({ "field": e.field, "message": e.message }))
        .collect();
    (
        StatusCode::UNPROCESSABLE_ENTITY,
        Json(serde_json::json!({
            "error": "invalid",
            "message": "The decision has problems; nothing was recorded.",
            "errors": errors,
        })),
    )
        .into_response()
}

/// Records the MASH decision on a referral; 422 with field errors, 409 when someone else
/// decided first.
#[utoipa::path(post, path = "/api/v1/referrals/{id}/decision", params(("id" = String, Path, description = "The referral's id")),
    request_body = DecisionBody,
    responses((status = 200, body = ReferralDetail), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn decide(
    State(state): State<AppState>,
    caller: ApiCaller,
    client: Client,
    Path(id): Path<String>,
    Json(body): Json<DecisionBody>,
) -> Result<Response, ApiError> {
    caller.require(SCOPE_REFERRALS_WRITE)?;
    if !guard::works_in_mash(&caller.principal) {
        return Err(AppError::Forbidden.into());
    }
    let referral = open_referral(&state, &caller, &client, &id, Action::Edit).await?;
    let conflict = || {
        ApiError(AppError::Conflict(
            "Someone else decided this referral first; read it again.".into(),
        ))
    };
    if body.version != referral.version || referral.status != ReferralStatus::AwaitingTriage {
        return Err(conflict());
    }
    let form = DecisionForm {
        version: body.version.to_string(),
        check_police: body.checks.police,
        check_health: body.checks.health,
        check_education: body.checks.education,
        check_other: body.checks.other,
        worries: body.worries,
        working_well: body.working_well,
        needs_to_happen: body.needs_to_happen,
        scale: body.scale.to_string(),
        outcome: body.outcome,
        reasons: body.reasons,
        interventions: body.interventions,
        monitoring: body.monitoring,
        lead_worker: body.lead_worker.unwrap_or_default(),
    };
    let workers: Vec<(String, String)> = state
        .store()
        .caseworkers(caller.principal.agency)
        .await?
        .into_iter()
        .map(|(id, name)| (id.to_string(), name))
        .collect();
    let mut layout = Layout::bare("decision");
    let Some(checked) = check_decision(&form, &mut layout, &workers) else {
        return Ok(invalid(&layout));
    };
    let decision = build_decision(&state, &caller.principal, &referral, &form, checked).await?;
    let mut tx = state.store().begin().await?;
    match front_door::decide(
        &state,
        &mut tx,
        &caller.principal,
        &client,
        &referral,
        &decision,
    )
    .await
    {
        Ok(()) => {}
        Err(ReferralError::AlreadyDecided) => return Err(conflict()),
        Err(e) => return Err(AppError::Internal(e.to_string()).into()),
    }
    tx.commit().await.map_err(AppError::from)?;
    let fresh = state
        .store()
        .referral(&id)
        .await?
        .ok_or(ApiError(AppError::NotFound))?;
    let now = safehub_store::now_ms();
    let clocks = state.store().clocks_of_referral(&id).await?;
    Ok(Json(ReferralDetail {
        referral: ReferralBody::from(&fresh),
        clocks: clocks.iter().map(|c| ClockBody::new(c, now)).collect(),
        outcome: Some(decision.outcome.code().to_owned()),
        scale: Some(decision.signs_of_safety.scale),
    })
    .into_response())
}

/// The caller's open statutory clocks (R3), soonest first: their own and their agency's
/// (a service account has no team).
#[utoipa::path(get, path = "/api/v1/clocks",
    responses((status = 200, body = [ClockBody]), (status = 401, body = ErrorBody)))]
pub async fn clocks(
    State(state): State<AppState>,
    caller: ApiCaller,
    client: Client,
) -> Result<Json<Vec<ClockBody>>, ApiError> {
    caller.require(SCOPE_REFERRALS_READ)?;
    let owner = TrayOwner {
        user: Some(caller.principal.user),
        team: None,
        agency: Some(caller.principal.agency),
    };
    let mut shown =
        visible_tray(&state, &caller.principal, &client, &owner, API_TRAY_SIZE, 0).await?;
    shown.truncate(API_TRAY_SIZE as usize);
    let now = safehub_store::now_ms();
    Ok(Json(
        shown
            .iter()
            .map(|i| ClockBody::new(&i.clock, now))
            .collect(),
    ))
}

/// One event of a child's chronology (R4.9).
#[derive(Serialize, ToSchema)]
pub struct ChronologyEntry {
    /// When it happened (RFC 3339, UTC).
    at: String,
    /// What happened, in the words the chronology page uses.
    what: String,
    /// Who acted; absent when Safehub itself did (an escalation, a notification).
    actor: Option<String>,
    /// Their agency.
    agency: Option<String>,
    /// The page of the record it is about, if it has one (a path on this server).
    link: Option<String>,
    /// The duplicate record it was recorded on, when that record has since been merged
    /// into this child's.
    merged_record: Option<String>,
}

/// A child's chronology, oldest first (R4.9): the same events, rights and audit as the
/// chronology page; 404 when unknown or not the caller's to see.
#[utoipa::path(get, path = "/api/v1/children/{id}/chronology", params(("id" = String, Path, description = "The child's id")),
    responses((status = 200, body = [ChronologyEntry]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn chronology(
    State(state): State<AppState>,
    caller: ApiCaller,
    client: Client,
    Path(id): Path<String>,
) -> Result<Json<Vec<ChronologyEntry>>, ApiError> {
    caller.require(SCOPE_REFERRALS_READ)?;
    let child = id.parse().map_err(|_| ApiError(AppError::NotFound))?;
    let (_, entries) =
        crate::pages::chronology::open(&state, &caller.principal, child, &client).await?;
    Ok(Json(
        entries
            .into_iter()
            .map(|e| ChronologyEntry {
                at: rfc3339(e.at),
                what: e.what,
                actor: e.actor,
                agency: e.agency,
                link: e.link,
                merged_record: e.merged_record.map(|c| c.to_string()),
            })
            .collect(),
    ))
}
