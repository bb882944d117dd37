//! The information sharing tool in the API (R5.1, WM-25): an agency's system shares what a
//! practitioner knows with the police; police intelligence reads a submission and grades it
//! 3x5x2. The same guard, checks and audit as the pages; an `Idempotency-Key` plays the
//! part of the form's one-off key.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use jiff::civil::Date;
use safehub_domain::AreaId;
use safehub_domain::intelligence::{
    Assessment, Grading, HandlingCode, Item, ItemKind, SourceEvaluation, Submission, ToldBy,
};
use safehub_store::AuditAction;
use safehub_store::audit::{self, RecordKind};
use safehub_store::intelligence::{self, StoredSubmission};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::screenings::{FieldProblem, idempotency_key, invalid, timestamp};
use super::{ApiCaller, ErrorBody};
use crate::AppState;
use crate::client::Client;
use crate::error::{ApiError, AppError};
use crate::guard;
use crate::sharing::{self, Sent};

/// The scope that lets a token share information with the police.
pub const SCOPE_INTELLIGENCE_WRITE: &str = "intelligence:write";
/// The scope that lets a police token read and grade shared information.
pub const SCOPE_INTELLIGENCE_READ: &str = "intelligence:read";

/// One piece of information. Which fields apply depends on `kind`.
#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
pub struct ItemBody {
    /// `person`, `vehicle`, `phone`, `address`, `place` or `caller`.
    pub kind: String,
    /// A name as known, whole or in part.
    #[serde(default)]
    pub name: String,
    /// Nicknames or street names, comma separated.
    #[serde(default)]
    pub nicknames: String,
    /// Approximate age in years.
    #[serde(default)]
    pub approx_age: Option<u8>,
    /// A description.
    #[serde(default)]
    pub description: String,
    /// Tattoos, scars and other marks.
    #[serde(default)]
    pub marks: String,
    /// A registration, whole or partial, `?` for an unknown character.
    #[serde(default)]
    pub vrm: String,
    /// Vehicle make.
    #[serde(default)]
    pub make: String,
    /// Vehicle model.
    #[serde(default)]
    pub model: String,
    /// Vehicle colour.
    #[serde(default)]
    pub colour: String,
    /// A phone number as written.
    #[serde(default)]
    pub phone: String,
    /// An address or locality.
    #[serde(default)]
    pub address: String,
    /// A postcode, whole or in part.
    #[serde(default)]
    pub postcode: String,
    /// When it was seen (`YYYY-MM-DD`).
    #[serde(default)]
    pub seen_on: Option<String>,
}

/// Information to share with the police.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct NewSharing {
    /// The area it is about; needed when the caller's agency serves several.
    #[serde(default)]
    pub area: Option<String>,
    /// `practitioner`, `parent_or_carer`, `child` or `someone_else`.
    pub told_by: String,
    /// When the practitioner learnt it (`YYYY-MM-DD`).
    #[serde(default)]
    pub learnt_on: Option<String>,
    /// Anything else, in the practitioner's words.
    #[serde(default)]
    pub narrative: String,
    /// The pieces of information.
    #[serde(default)]
    pub items: Vec<ItemBody>,
    /// Ids of the children it concerns, each one the caller may open.
    #[serde(default)]
    pub children: Vec<String>,
}

/// The receipt for information shared: never the police grading.
#[derive(Serialize, ToSchema)]
pub struct SharedBody {
    /// The submission's id.
    pub id: String,
    /// When the police received it (RFC 3339).
    pub received_at: String,
    /// `awaiting_assessment` or `assessed`.
    pub status: String,
}

/// A submission as police intelligence reads it.
#[derive(Serialize, ToSchema)]
pub struct SubmissionBody {
    /// Its id.
    pub id: String,
    /// The area it is about.
    pub area: String,
    /// The sender's agency.
    pub submitter_agency: String,
    /// Who the information came from.
    pub told_by: String,
    /// When the practitioner learnt it.
    pub learnt_on: Option<String>,
    /// When the police received it (RFC 3339).
    pub received_at: String,
    /// `awaiting_assessment` or `assessed`.
    pub status: String,
    /// The pieces of information.
    pub items: Vec<ItemBody>,
    /// The free text.
    pub narrative: String,
    /// The children it concerns.
    pub children: Vec<String>,
    /// The 3x5x2 grade, e.g. `2/C/P`, once graded.
    pub grade: Option<String>,
    /// The conditions of sharing, for handling code C.
    pub conditions: Option<String>,
    /// The agencies the grading shared it back with (none: police only).
    pub shared_with: Vec<String>,
    /// Send it back with a grading, for the concurrent-edit check.
    pub version: i64,
}

/// A 3x5x2 grading.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct GradingBody {
    /// The version read, for the concurrent-edit check.
    pub version: i64,
    /// Source evaluation: `1`, `2` or `3`.
    pub source: String,
    /// Intelligence assessment: `A` to `E`.
    pub assessment: String,
    /// Handling code: `P` or `C`.
    pub handling: String,
    /// Conditions of sharing; required with `C`, refused with `P`.
    #[serde(default)]
    pub conditions: Option<String>,
    /// Agencies serving the area to share it back with (WM-25.6); none keeps it with the
    /// police.
    #[serde(default)]
    pub shared_with: Vec<String>,
}

fn problem(field: impl Into<String>, message: impl Into<String>) -> FieldProblem {
    FieldProblem {
        field: field.into(),
        message: message.into(),
    }
}

fn iso_day(text: Option<&str>, field: &str, problems: &mut Vec<FieldProblem>) -> Option<Date> {
    let text = text.map(str::trim).filter(|t| !t.is_empty())?;
    match text.parse::<Date>() {
        Ok(d) => Some(d),
        Err(_) => {
            problems.push(problem(field, "The date must be written YYYY-MM-DD"));
            None
        }
    }
}

fn item_out(i: &Item) -> ItemBody {
    ItemBody {
        kind: i.kind.map_or("", ItemKind::code).to_owned(),
        name: i.name.clone(),
        nicknames: i.nicknames.clone(),
        approx_age: i.approx_age,
        description: i.description.clone(),
        marks: i.marks.clone(),
        vrm: i.vrm.clone(),
        make: i.make.clone(),
        model: i.model.clone(),
        colour: i.colour.clone(),
        phone: i.phone.clone(),
        address: i.address.clone(),
        postcode: i.postcode.clone(),
        seen_on: i.seen_on.map(|d| d.to_string()),
    }
}

fn receipt(s: &StoredSubmission) -> SharedBody {
    SharedBody {
        id: s.id.clone(),
        received_at: timestamp(s.received_at),
        status: s.status.code().to_owned(),
    }
}

/// Shares information with the police force of the area (R5.1). 201 with the receipt; 422
/// with every problem; a repeated `Idempotency-Key` answers 200 with the first receipt.
/// Not a referral: nothing reaches the MASH.
#[utoipa::path(post, path = "/api/v1/intelligence",
    params(("Idempotency-Key" = String, Header, description = "A one-off key for this submission")),
    request_body = NewSharing,
    responses((status = 201, body = SharedBody), (status = 200, body = SharedBody),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = super::screenings::InvalidBody)))]
pub async fn share(
    State(state): State<AppState>,
    caller: ApiCaller,
    client: Client,
    headers: HeaderMap,
    body: Result<Json<NewSharing>, JsonRejection>,
) -> Result<Response, ApiError> {
    caller.require(SCOPE_INTELLIGENCE_WRITE)?;
    let key = idempotency_key(&headers)?;
    let Json(body) = body.map_err(|_| {
        ApiError(AppError::BadRequest(
            "The body must be JSON information to share (see the OpenAPI description).",
        ))
    })?;
    let who = &caller.principal;
    let mut problems = Vec::new();
    let areas = guard::shareable_areas(&state, who);
    let area = match body
        .area
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty())
    {
        Some(a) => a.parse::<AreaId>().ok().filter(|a| areas.contains(a)),
        None if areas.len() == 1 => Some(areas[0]),
        None => None,
    };
    if area.is_none() {
        problems.push(problem(
            "area",
            "Give an area your agency serves that you may share information about",
        ));
    }
    let mut children = Vec::new();
    for (n, raw) in body.children.iter().enumerate() {
        match guard::view_child(&state, who, raw, &client).await {
            Ok(view) => children.push(view.child.id),
            Err(_) => problems.push(problem(
                format!("children[{n}]"),
                "There is no child with this id that you may open",
            )),
        }
    }
    let learnt_on = iso_day(body.learnt_on.as_deref(), "learnt_on", &mut problems);
    let mut items = Vec::new();
    for (n, i) in body.items.iter().enumerate() {
        let kind = ItemKind::from_code(i.kind.trim());
        if kind.is_none() {
            problems.push(problem(
                format!("items[{n}].kind"),
                "The kind must be person, vehicle, phone, address, place or caller",
            ));
        }
        items.push(Item {
            kind,
            name: i.name.clone(),
            nicknames: i.nicknames.clone(),
            approx_age: i.approx_age,
            description: i.description.clone(),
            marks: i.marks.clone(),
            vrm: i.vrm.clone(),
            make: i.make.clone(),
            model: i.model.clone(),
            colour: i.colour.clone(),
            phone: i.phone.clone(),
            address: i.address.clone(),
            postcode: i.postcode.clone(),
            seen_on: iso_day(
                i.seen_on.as_deref(),
                &format!("items[{n}].seen_on"),
                &mut problems,
            ),
        });
    }
    let submission = Submission {
        told_by: ToldBy::from_code(body.told_by.trim()),
        items,
        narrative: body.narrative.trim().to_owned(),
        learnt_on,
    };
    for p in submission.check(safehub_domain::london_date(jiff::Timestamp::now())) {
        if p.field.ends_with(".kind") || problems.iter().any(|q| q.field == p.field) {
            continue;
        }
        problems.push(problem(p.field, p.message));
    }
    let Some(area) = area.filter(|_| problems.is_empty()) else {
        return Ok(invalid(problems));
    };
    let decision = guard::share_into(&state, who, area, &client).await?;
    let sent = sharing::send(
        &state,
        who,
        &decision,
        area,
        &submission,
        &children,
        Some(&key),
        &client,
        "api",
    )
    .await?;
    let (status, id) = match sent {
        Sent::New(id) => (StatusCode::CREATED, id),
        Sent::Again(first) => (StatusCode::OK, first),
        Sent::NoPoliceForce => {
            return Err(ApiError(AppError::Conflict(
                "No police force serves this area in Safehub yet.".to_owned(),
            )));
        }
    };
    let stored = state
        .store()
        .intel_submission(&id)
        .await?
        .ok_or(ApiError(AppError::NotFound))?;
    if stored.submitted_by != who.user {
        return Err(ApiError(AppError::Conflict(
            "This Idempotency-Key was already used.".to_owned(),
        )));
    }
    Ok((status, Json(receipt(&stored))).into_response())
}

fn submission_body(s: &StoredSubmission) -> SubmissionBody {
    SubmissionBody {
        id: s.id.clone(),
        area: s.area.to_string(),
        submitter_agency: s.submitter_agency.to_string(),
        told_by: s.submission.told_by.map_or("", ToldBy::code).to_owned(),
        learnt_on: s.submission.learnt_on.map(|d| d.to_string()),
        received_at: timestamp(s.received_at),
        status: s.status.code().to_owned(),
        items: s.submission.items.iter().map(item_out).collect(),
        narrative: s.submission.narrative.clone(),
        children: s.children.iter().map(ToString::to_string).collect(),
        grade: s.grading.as_ref().map(Grading::code),
        conditions: s.grading.as_ref().and_then(|g| g.conditions.clone()),
        shared_with: s.shared_with.iter().map(ToString::to_string).collect(),
        version: s.version,
    }
}

/// One submission, for police intelligence of its area (R8.2). Audited; 404 alike for an
/// unknown submission and one the caller may not read.
#[utoipa::path(get, path = "/api/v1/intelligence/{id}",
    params(("id" = String, Path, description = "The submission's id")),
    responses((status = 200, body = SubmissionBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn submission(
    State(state): State<AppState>,
    caller: ApiCaller,
    client: Client,
    Path(id): Path<String>,
) -> Result<Json<SubmissionBody>, ApiError> {
    caller.require(SCOPE_INTELLIGENCE_READ)?;
    let (s, _) = guard::open_submission(&state, &caller.principal, &id, &client).await?;
    Ok(Json(submission_body(&s)))
}

/// Grades a submission 3x5x2 (WM-25.6): police intelligence officers only. 200 with the
/// submission; 422 with every problem; 409 if someone graded it first.
#[utoipa::path(post, path = "/api/v1/intelligence/{id}/grading",
    params(("id" = String, Path, description = "The submission's id")),
    request_body = GradingBody,
    responses((status = 200, body = SubmissionBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody),
        (status = 422, body = super::screenings::InvalidBody)))]
pub async fn grade(
    State(state): State<AppState>,
    caller: ApiCaller,
    client: Client,
    Path(id): Path<String>,
    body: Result<Json<GradingBody>, JsonRejection>,
) -> Result<Response, ApiError> {
    caller.require(SCOPE_INTELLIGENCE_READ)?;
    let Json(body) = body.map_err(|_| {
        ApiError(AppError::BadRequest(
            "The body must be a JSON grading (see the OpenAPI description).",
        ))
    })?;
    let who = &caller.principal;
    let (s, decision) = guard::open_submission(&state, who, &id, &client).await?;
    if !guard::grades_intelligence(who) {
        return Err(ApiError(AppError::Forbidden));
    }
    let mut problems = Vec::new();
    let source = SourceEvaluation::from_code(body.source.trim());
    let assessment = Assessment::from_code(body.assessment.trim());
    let handling = HandlingCode::from_code(body.handling.trim());
    if source.is_none() {
        problems.push(problem("source", "The source evaluation must be 1, 2 or 3"));
    }
    if assessment.is_none() {
        problems.push(problem(
            "assessment",
            "The intelligence assessment must be A to E",
        ));
    }
    if handling.is_none() {
        problems.push(problem("handling", "The handling code must be P or C"));
    }
    let (Some(source), Some(assessment), Some(handling)) = (source, assessment, handling) else {
        return Ok(invalid(problems));
    };
    let grading = Grading {
        source,
        assessment,
        handling,
        conditions: body
            .conditions
            .map(|c| c.trim().to_owned())
            .filter(|c| !c.is_empty()),
    };
    if let Err(p) = grading.check() {
        problems.push(problem(p.field, p.message));
    }
    let (share_with, refused) =
        crate::sharing::share_back_choice(&state, s.area, &body.shared_with).await?;
    for i in refused {
        problems.push(problem(
            format!("shared_with[{i}]"),
            "Not an agency serving the area the information is about",
        ));
    }
    if !problems.is_empty() {
        return Ok(invalid(problems));
    }
    let mut tx = state.store().begin().await?;
    match intelligence::grade(
        &mut tx,
        &s.id,
        body.version,
        &grading,
        who.user,
        safehub_store::now_ms(),
    )
    .await
    {
        Ok(()) => {}
        Err(e) => {
            tx.rollback().await.map_err(AppError::from)?;
            return Err(ApiError(AppError::Conflict(e.to_string())));
        }
    }
    intelligence::share_back(&mut tx, &s.id, &share_with).await?;
    audit::append(
        &mut tx,
        &[guard::entry(
            who,
            AuditAction::Change,
            RecordKind::IntelSubmission,
            Some(s.id.clone()),
            Some(&decision),
            &client,
            serde_json::json!({
                "grade": grading.code(),
                "shared_with": share_with.iter().map(ToString::to_string).collect::<Vec<_>>(),
                "via": "api",
            }),
        )],
    )
    .await?;
    tx.commit().await.map_err(AppError::from)?;
    let fresh = state
        .store()
        .intel_submission(&s.id)
        .await?
        .ok_or(ApiError(AppError::NotFound))?;
    Ok((StatusCode::OK, Json(submission_body(&fresh))).into_response())
}
