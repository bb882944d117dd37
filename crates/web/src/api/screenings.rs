//! The screening tool and the routes in over the API (R2.2-R2.5): read the current tool,
//! submit a screening for a child, read a screening, and record a concern by one of the other
//! routes in. The same checks, enforcement point, transaction and audit as the pages; the
//! `Idempotency-Key` header plays the part of the form's one-off key, so a repeated request
//! makes nothing new and answers with what the first one made.

use std::collections::BTreeMap;

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use safehub_domain::screening::{Answer, ScreeningTool};
use safehub_store::audit::RecordKind;
use safehub_store::screenings::{Screening, ScreeningStatus};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ApiCaller, ErrorBody, SCOPE_CHILDREN_READ};
use crate::AppState;
use crate::client::Client;
use crate::error::{ApiError, AppError};
use crate::guard::{self, ScreeningPurpose, ScreeningUse};
use crate::pages::concerns::{self, ConcernForm, ReceiveFailure};
use crate::pages::screening::{
    self as screening_pages, DraftAnswer, DraftAnswers, Field, Problem, ReadyScreening,
    SubmitFailure,
};

/// The scope that lets a token submit screenings.
pub const SCOPE_SCREENINGS_WRITE: &str = "screenings:write";
/// The scope that lets a token record concerns by the other routes in.
pub const SCOPE_REFERRALS_WRITE: &str = "referrals:write";

/// The header carrying a request's one-off key.
const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// The routes of this part of the API.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/screening-tool", get(screening_tool))
        .route("/children/{id}/screenings", post(create_screening))
        .route("/screenings/{id}", get(screening))
        .route("/children/{id}/concerns", post(create_concern))
}

/// One indicator of the tool.
#[derive(Serialize, ToSchema)]
pub struct ToolIndicator {
    /// Its code, the key of its answer.
    code: String,
    /// The question.
    text: String,
    /// The category (1-3) it points to.
    points_to: u8,
    /// Whether it is a sign of sexual activity (the under-13 rule, WM-3.4).
    sexual_activity: bool,
}

/// One section of the tool.
#[derive(Serialize, ToSchema)]
pub struct ToolSection {
    /// Its code.
    code: String,
    /// Its heading.
    title: String,
    /// Where the list comes from, e.g. `WM-10.5`.
    source: String,
    /// Its indicators, in order.
    indicators: Vec<ToolIndicator>,
}

/// A version of the screening tool.
#[derive(Serialize, ToSchema)]
pub struct ToolBody {
    /// The version a screening records.
    version: String,
    /// Its title.
    title: String,
    /// The See Me Hear Me question a screening answers as `signs_not_words`.
    see_me_hear_me_question: String,
    /// The sections.
    sections: Vec<ToolSection>,
}

fn tool_body(tool: &ScreeningTool) -> ToolBody {
    ToolBody {
        version: tool.version().to_owned(),
        title: tool.title().to_owned(),
        see_me_hear_me_question: tool.see_me_hear_me_question().to_owned(),
        sections: tool
            .sections()
            .iter()
            .map(|s| ToolSection {
                code: s.code().to_owned(),
                title: s.title().to_owned(),
                source: s.source().to_owned(),
                indicators: s
                    .indicators()
                    .iter()
                    .map(|i| ToolIndicator {
                        code: i.code().to_owned(),
                        text: i.text().to_owned(),
                        points_to: i.points_to().number(),
                        sexual_activity: i.sexual_activity(),
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// The current version of the screening tool, the one new screenings use (R2.2).
#[utoipa::path(get, path = "/api/v1/screening-tool",
    responses((status = 200, body = ToolBody), (status = 401, body = ErrorBody)))]
pub async fn screening_tool(
    State(state): State<AppState>,
    _caller: ApiCaller,
) -> Result<Json<ToolBody>, ApiError> {
    let mut tx = state.store().begin().await?;
    let tool = screening_pages::current_tool(&state, &mut tx).await?;
    tx.commit().await.map_err(AppError::from)?;
    Ok(Json(tool_body(&tool)))
}

/// One answer in a request.
#[derive(Deserialize, ToSchema)]
pub struct AnswerBody {
    /// `yes`, `no` or `unknown`.
    answer: String,
    /// What was seen or said; required for `yes`.
    #[serde(default)]
    evidence: String,
}

/// A screening to submit: the answers, the questions around them, the category and the
/// referral's details.
#[derive(Deserialize, ToSchema)]
pub struct NewScreening {
    /// Answers by indicator code (see `GET /api/v1/screening-tool`).
    answers: BTreeMap<String, AnswerBody>,
    /// The answer to the tool's See Me Hear Me question.
    #[serde(default)]
    signs_not_words: String,
    /// The designated safeguarding adviser consulted.
    #[serde(default)]
    adviser_consulted: String,
    /// When they were consulted (ISO 8601 date).
    #[serde(default)]
    adviser_consulted_on: Option<String>,
    /// The confirmed category, 1-3; leave out to confirm the tool's proposal.
    #[serde(default)]
    category: Option<u8>,
    /// Reasons for the category; required when it differs from the proposal.
    #[serde(default)]
    category_reason: String,
    /// Who the MASH writes to; the token's account name if left out.
    #[serde(default)]
    referrer_name: Option<String>,
    /// How to reach them in writing; the token's account e-mail if left out.
    #[serde(default)]
    referrer_contact: Option<String>,
    /// One line for the MASH queue.
    #[serde(default)]
    summary: String,
}

/// One stored answer.
#[derive(Serialize, ToSchema)]
pub struct StoredAnswer {
    /// `yes`, `no` or `unknown`, or absent in a draft not yet answered.
    answer: Option<String>,
    /// What was seen or said.
    evidence: String,
}

/// A screening.
#[derive(Serialize, ToSchema)]
pub struct ScreeningBody {
    /// Its id.
    id: String,
    /// The child's id.
    child: String,
    /// The tool version it was answered with.
    tool_version: String,
    /// `draft` or `submitted`.
    status: String,
    /// The agency that completed it.
    agency: String,
    /// The practitioner's user id.
    created_by: String,
    /// When it was submitted (RFC 3339, UTC).
    submitted_at: Option<String>,
    /// Answers by indicator code.
    answers: BTreeMap<String, StoredAnswer>,
    /// The See Me Hear Me answer.
    signs_not_words: String,
    /// The designated safeguarding adviser consulted.
    adviser_consulted: String,
    /// When (ISO 8601 date).
    adviser_consulted_on: Option<String>,
    /// The category the tool proposed, 1-3.
    proposed_category: Option<u8>,
    /// The confirmed category, 1-3.
    category: Option<u8>,
    /// Reasons for the category.
    category_reason: String,
    /// The referral it made, once submitted.
    referral: Option<String>,
}

/// The problems with a request, each by field.
#[derive(Serialize, ToSchema)]
pub struct InvalidBody {
    /// One entry per problem.
    errors: Vec<FieldProblem>,
}

/// One problem.
#[derive(Serialize, ToSchema)]
pub struct FieldProblem {
    /// The field, e.g. `answers.sign.missing_from_home_or_care.evidence`.
    pub(crate) field: String,
    /// What is wrong, for people.
    pub(crate) message: String,
}

pub(crate) fn invalid(problems: Vec<FieldProblem>) -> Response {
    (
        StatusCode::UNPROCESSABLE_ENTITY,
        Json(InvalidBody { errors: problems }),
    )
        .into_response()
}

pub(crate) fn timestamp(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| t.to_string())
        .unwrap_or_default()
}

async fn screening_body(state: &AppState, s: &Screening) -> Result<ScreeningBody, ApiError> {
    let referral = if s.status == ScreeningStatus::Submitted {
        state
            .store()
            .referrals_of_child(s.child)
            .await?
            .into_iter()
            .find(|r| r.screening.as_deref() == Some(s.id.as_str()))
            .map(|r| r.id)
    } else {
        None
    };
    Ok(ScreeningBody {
        id: s.id.clone(),
        child: s.child.to_string(),
        tool_version: s.tool_version.clone(),
        status: s.status.code().to_owned(),
        agency: s.agency.to_string(),
        created_by: s.created_by.to_string(),
        submitted_at: s.submitted_at.map(timestamp),
        answers: screening_pages::read_answers(&s.answers)
            .into_iter()
            .map(|(code, a)| {
                (
                    code,
                    StoredAnswer {
                        answer: a.answer.map(|a| a.code().to_owned()),
                        evidence: a.evidence,
                    },
                )
            })
            .collect(),
        signs_not_words: s.signs_not_words.clone(),
        adviser_consulted: s.adviser_consulted.clone(),
        adviser_consulted_on: s.adviser_consulted_on.clone(),
        proposed_category: s.proposed_category,
        category: s.category,
        category_reason: s.category_reason.clone(),
        referral,
    })
}

/// The request's one-off key.
pub(crate) fn idempotency_key(headers: &HeaderMap) -> Result<String, ApiError> {
    let key = headers
        .get(IDEMPOTENCY_KEY)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .unwrap_or_default();
    if key.is_empty() || key.len() > 100 {
        return Err(ApiError(AppError::BadRequest(
            "An Idempotency-Key header of 1 to 100 characters is required.",
        )));
    }
    Ok(format!("api:{key}"))
}

/// The screening an earlier request with this key made, answered again (200); another
/// caller's key is a conflict.
async fn replayed_screening(
    state: &AppState,
    caller: &ApiCaller,
    key: &str,
    client: &Client,
) -> Result<Option<Response>, ApiError> {
    let Some(earlier) = state.store().screening_by_form_key(key).await? else {
        return Ok(None);
    };
    if earlier.created_by != caller.principal.user {
        return Err(ApiError(AppError::Conflict(
            "This Idempotency-Key was already used.".to_owned(),
        )));
    }
    let s = match guard::open_screening(
        state,
        &caller.principal,
        &earlier.id,
        ScreeningPurpose::View,
        client,
    )
    .await?
    {
        ScreeningUse::Draft(a) | ScreeningUse::Submitted(a) => a.screening,
    };
    Ok(Some(
        (StatusCode::OK, Json(screening_body(state, &s).await?)).into_response(),
    ))
}

fn problems_out(problems: Vec<Problem>) -> Vec<FieldProblem> {
    problems
        .into_iter()
        .map(|p| FieldProblem {
            field: p.field.api_name(),
            message: p.message,
        })
        .collect()
}

/// Submits a screening of a child and refers the child to the MASH (R2.2-R2.5, route (a)).
/// 201 with the screening; 422 with every problem; a repeated `Idempotency-Key` answers 200
/// with the screening the first request made.
#[utoipa::path(post, path = "/api/v1/children/{id}/screenings",
    params(("id" = String, Path, description = "The child's id"),
        ("Idempotency-Key" = String, Header, description = "A one-off key for this submission")),
    request_body = NewScreening,
    responses((status = 201, body = ScreeningBody), (status = 200, body = ScreeningBody),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = InvalidBody)))]
pub async fn create_screening(
    State(state): State<AppState>,
    caller: ApiCaller,
    client: Client,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Json<NewScreening>, JsonRejection>,
) -> Result<Response, ApiError> {
    caller.require(SCOPE_SCREENINGS_WRITE)?;
    let key = idempotency_key(&headers)?;
    let Json(body) = body.map_err(|_| {
        ApiError(AppError::BadRequest(
            "The body must be a JSON screening (see the OpenAPI description).",
        ))
    })?;
    if let Some(earlier) = replayed_screening(&state, &caller, &key, &client).await? {
        return Ok(earlier);
    }
    let access = guard::work_on_concerns(
        &state,
        &caller.principal,
        &id,
        RecordKind::Screening,
        &client,
    )
    .await?;
    let mut tx = state.store().begin().await?;
    let tool = screening_pages::current_tool(&state, &mut tx).await?;
    tx.commit().await.map_err(AppError::from)?;

    let mut problems = Vec::new();
    let mut answers = DraftAnswers::new();
    for (code, a) in &body.answers {
        if tool.indicator(code).is_none() {
            problems.push(FieldProblem {
                field: format!("answers.{code}"),
                message: format!(
                    "There is no indicator {code:?} in version {} of the screening tool",
                    tool.version()
                ),
            });
            continue;
        }
        let Some(answer) = Answer::from_code(a.answer.trim()) else {
            problems.push(FieldProblem {
                field: Field::Answer(code.clone()).api_name(),
                message: "The answer must be yes, no or unknown".to_owned(),
            });
            continue;
        };
        answers.insert(
            code.clone(),
            DraftAnswer {
                answer: Some(answer),
                evidence: a.evidence.clone(),
            },
        );
    }
    let checked = screening_pages::check_screening(
        &tool,
        &answers,
        &body.signs_not_words,
        &body.adviser_consulted,
        body.adviser_consulted_on.as_deref(),
    );
    let referrer_name = body
        .referrer_name
        .clone()
        .unwrap_or_else(|| caller.name.clone());
    let referrer_contact = match body.referrer_contact.clone() {
        Some(c) => c,
        None => state.store().user(caller.principal.user).await?.email,
    };
    let referrer_problems =
        screening_pages::check_referrer(&referrer_name, &referrer_contact, &body.summary);
    let checked = match checked {
        Ok(c) => c,
        Err(found) => {
            problems.extend(problems_out(found));
            problems.extend(problems_out(referrer_problems));
            return Ok(invalid(problems));
        }
    };
    let proposal = tool.propose(&checked, screening_pages::age_band(&access.child));
    let choice = match body.category {
        Some(n) => n.to_string(),
        None => proposal
            .category()
            .map_or_else(|| "none".to_owned(), |c| c.number().to_string()),
    };
    let confirmed = match screening_pages::confirm_choice(&proposal, &choice, &body.category_reason)
    {
        Ok(c) => c,
        Err(p) => {
            problems.extend(problems_out(vec![p]));
            None
        }
    };
    problems.extend(problems_out(referrer_problems));
    if !problems.is_empty() {
        return Ok(invalid(problems));
    }
    let now = safehub_store::now_ms();
    let draft = Screening {
        id: uuid::Uuid::new_v4().to_string(),
        child: access.child.id,
        tool_version: tool.version().to_owned(),
        agency: caller.principal.agency,
        created_by: caller.principal.user,
        created_at: now,
        updated_at: now,
        status: ScreeningStatus::Draft,
        answers: String::new(),
        signs_not_words: body.signs_not_words.clone(),
        proposed_category: None,
        category: None,
        category_reason: String::new(),
        adviser_consulted: body.adviser_consulted.clone(),
        adviser_consulted_on: body.adviser_consulted_on.clone(),
        submitted_at: None,
    };
    let details = format!(
        "Screening submitted through the API by {}.\n\n{}\n{}\n",
        caller.name,
        tool.see_me_hear_me_question(),
        body.signs_not_words.trim()
    );
    let done = screening_pages::finish(draft, &checked, &proposal, confirmed.as_ref())?;
    let ready = ReadyScreening {
        screening: done.clone(),
        child: &access.child,
        referrer_name,
        referrer_contact,
        summary: body.summary.clone(),
        details,
        form_key: key.clone(),
    };
    match screening_pages::submit_and_refer(
        &state,
        &caller.principal,
        &access.decision,
        &client,
        ready,
    )
    .await
    {
        Ok(_) => {
            let stored = state
                .store()
                .screening(&done.id)
                .await?
                .ok_or(ApiError(AppError::NotFound))?;
            Ok((
                StatusCode::CREATED,
                Json(screening_body(&state, &stored).await?),
            )
                .into_response())
        }
        Err(SubmitFailure::AlreadySubmitted) => {
            match replayed_screening(&state, &caller, &key, &client).await? {
                Some(earlier) => Ok(earlier),
                None => Err(ApiError(AppError::Conflict(
                    "This screening was already submitted.".to_owned(),
                ))),
            }
        }
        Err(SubmitFailure::App(e)) => Err(ApiError(e)),
    }
}

/// One screening: the caller's own draft, or a submitted screening of a child whose concerns
/// the caller may read; 404 otherwise.
#[utoipa::path(get, path = "/api/v1/screenings/{id}",
    params(("id" = String, Path, description = "The screening's id")),
    responses((status = 200, body = ScreeningBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn screening(
    State(state): State<AppState>,
    caller: ApiCaller,
    client: Client,
    Path(id): Path<String>,
) -> Result<Json<ScreeningBody>, ApiError> {
    caller.require(SCOPE_CHILDREN_READ)?;
    let s = match guard::open_screening(
        &state,
        &caller.principal,
        &id,
        ScreeningPurpose::View,
        &client,
    )
    .await?
    {
        ScreeningUse::Draft(a) | ScreeningUse::Submitted(a) => a.screening,
    };
    Ok(Json(screening_body(&state, &s).await?))
}

/// A concern by one of the other routes in (R2.5 b-d). Only the fields of the route are read.
#[derive(Deserialize, ToSchema)]
pub struct NewConcern {
    /// `police_notification`, `placing_authority` or `parent_or_carer`.
    route: String,
    /// (police) Who called, e.g. a taxi driver.
    #[serde(default)]
    caller: String,
    /// (police) How they got in touch, e.g. a call to 101.
    #[serde(default)]
    call_how: String,
    /// (police) When the incident happened, as an ISO 8601 civil date-time in London time,
    /// e.g. `2025-03-27T21:30`.
    #[serde(default)]
    incident_at: String,
    /// (police) Where it happened.
    #[serde(default)]
    place: String,
    /// (police) What was seen.
    #[serde(default)]
    seen: String,
    /// (placing authority) The placing authority.
    #[serde(default)]
    placing_authority: String,
    /// (placing authority) Their worker's name.
    #[serde(default)]
    worker_name: String,
    /// (placing authority) How to reach their worker in writing.
    #[serde(default)]
    worker_contact: String,
    /// (placing authority) The risk.
    #[serde(default)]
    risk: String,
    /// (parent or carer) Their name.
    #[serde(default)]
    parent_name: String,
    /// (parent or carer) Their relationship to the child.
    #[serde(default)]
    relationship: String,
    /// (parent or carer) How to reach them in writing.
    #[serde(default)]
    parent_contact: String,
    /// (parent or carer) What worries them.
    #[serde(default)]
    worries: String,
}

impl NewConcern {
    fn form(&self) -> ConcernForm {
        let at = self
            .incident_at
            .trim()
            .parse::<jiff::civil::DateTime>()
            .ok();
        let (day, month, year, time) = match at {
            Some(at) => (
                at.day().to_string(),
                at.month().to_string(),
                at.year().to_string(),
                at.strftime("%H:%M").to_string(),
            ),
            // Not a date-time: passed on as typed so that the check names the problem.
            None => (
                self.incident_at.clone(),
                String::new(),
                String::new(),
                String::new(),
            ),
        };
        ConcernForm {
            form_key: String::new(),
            caller: self.caller.clone(),
            call_how: self.call_how.clone(),
            incident_day: day,
            incident_month: month,
            incident_year: year,
            incident_time: time,
            place: self.place.clone(),
            seen: self.seen.clone(),
            placing_authority: self.placing_authority.clone(),
            worker_name: self.worker_name.clone(),
            worker_contact: self.worker_contact.clone(),
            risk: self.risk.clone(),
            parent_name: self.parent_name.clone(),
            relationship: self.relationship.clone(),
            parent_contact: self.parent_contact.clone(),
            worries: self.worries.clone(),
        }
    }
}

/// A concern received.
#[derive(Serialize, ToSchema)]
pub struct ConcernReceived {
    /// The referral's id.
    referral: String,
    /// The route it came in by.
    route: String,
}

/// The form field a concern problem is about, as the API names it.
fn concern_field(field: &str) -> String {
    match field {
        "incident_day" | "incident_time" => "incident_at".to_owned(),
        other => other.to_owned(),
    }
}

/// Records a concern by one of the other routes in and puts it into the MASH queue (R2.5
/// b-d). A police notification only from a police account. 201 with the referral; 422 with
/// every problem; a repeated `Idempotency-Key` answers 200 with the same referral.
#[utoipa::path(post, path = "/api/v1/children/{id}/concerns",
    params(("id" = String, Path, description = "The child's id"),
        ("Idempotency-Key" = String, Header, description = "A one-off key for this concern")),
    request_body = NewConcern,
    responses((status = 201, body = ConcernReceived), (status = 200, body = ConcernReceived),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = InvalidBody)))]
pub async fn create_concern(
    State(state): State<AppState>,
    caller: ApiCaller,
    client: Client,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Json<NewConcern>, JsonRejection>,
) -> Result<Response, ApiError> {
    caller.require(SCOPE_REFERRALS_WRITE)?;
    let key = idempotency_key(&headers)?;
    let Json(body) = body.map_err(|_| {
        ApiError(AppError::BadRequest(
            "The body must be a JSON concern (see the OpenAPI description).",
        ))
    })?;
    let Some(route) = concerns::route_in(&body.route) else {
        return Ok(invalid(vec![FieldProblem {
            field: "route".to_owned(),
            message: "The route must be police_notification, placing_authority or \
                      parent_or_carer"
                .to_owned(),
        }]));
    };
    let replay = |referral: String| -> Result<Response, ApiError> {
        Ok((
            StatusCode::OK,
            Json(ConcernReceived {
                referral,
                route: route.code().to_owned(),
            }),
        )
            .into_response())
    };
    if let Some(earlier) = earlier_referral(&state, &caller, &key).await? {
        return replay(earlier);
    }
    let access = guard::record_concern(&state, &caller.principal, &id, route, &client).await?;
    let email = state.store().user(caller.principal.user).await?.email;
    let concern = match concerns::check_concern(
        route,
        &body.form(),
        (caller.name.as_str(), email.as_str()),
    ) {
        Ok(c) => c,
        Err(problems) => {
            let mut out: Vec<FieldProblem> = Vec::new();
            for (field, message) in problems {
                let field = concern_field(field);
                if !out.iter().any(|p| p.field == field) {
                    out.push(FieldProblem { field, message });
                }
            }
            return Ok(invalid(out));
        }
    };
    match concerns::receive_concern(
        &state,
        &caller.principal,
        &client,
        &access,
        route,
        concern,
        &key,
    )
    .await
    {
        Ok(referral) => Ok((
            StatusCode::CREATED,
            Json(ConcernReceived {
                referral: referral.id,
                route: route.code().to_owned(),
            }),
        )
            .into_response()),
        Err(ReceiveFailure::Duplicate) => match earlier_referral(&state, &caller, &key).await? {
            Some(earlier) => replay(earlier),
            None => Err(ApiError(AppError::Conflict(
                "This concern was already received.".to_owned(),
            ))),
        },
        Err(ReceiveFailure::App(e)) => Err(ApiError(e)),
    }
}

/// The referral an earlier request with this key made, if it was this caller's.
async fn earlier_referral(
    state: &AppState,
    caller: &ApiCaller,
    key: &str,
) -> Result<Option<String>, ApiError> {
    let Some(id) = state.store().referral_id_by_form_key(key).await? else {
        return Ok(None);
    };
    match state.store().referral(&id).await? {
        Some(r) if r.referrer_user == caller.principal.user => Ok(Some(r.id)),
        _ => Err(ApiError(AppError::Conflict(
            "This Idempotency-Key was already used.".to_owned(),
        ))),
    }
}
