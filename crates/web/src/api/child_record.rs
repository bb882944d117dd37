//! The full child record through the API (R2.1): record a child (with the same duplicate
//! check as the page), read the full record, look for possible duplicates and merge two
//! records. The same enforcement point, validation and audit as the pages; an invalid body
//! answers 422 with one entry per field.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use safehub_access::Section;
use safehub_domain::{AreaId, ChildId};
use safehub_store::child_record::{
    AddressForm, ChildRecord, FieldProblem, NewChildRecord, Probe, RecordForm, clean_text,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use super::{ApiCaller, ErrorBody, SCOPE_CHILDREN_READ};
use crate::AppState;
use crate::client::Client;
use crate::error::{ApiError, AppError};
use crate::guard::{self, MergeSide, ShownCandidate};

/// The scope that lets a token record children and merge their records.
pub const SCOPE_CHILDREN_WRITE: &str = "children:write";

/// The OpenAPI description of these calls, merged into the API's.
#[derive(OpenApi)]
#[openapi(
    paths(create_child, record, merge, duplicates),
    components(schemas(
        NewChildBody,
        AddressBody,
        CreatedBody,
        CandidateBody,
        RecordBody,
        DetailsBody,
        AliasBody,
        AddressRecordBody,
        ProfessionalBody,
        AgencyBody,
        MergeBody,
        MergedBody,
        InvalidBody,
        FieldErrorBody,
        DuplicatesBody
    ))
)]
pub struct ChildRecordApi;

/// The routes; `POST /children` is added to the `/children` route in `api/mod.rs`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/children/duplicates", get(duplicates))
        .route("/children/{id}/record", get(record))
        .route("/children/{id}/merge", post(merge))
}

/// One field's problem.
#[derive(Serialize, ToSchema)]
pub struct FieldErrorBody {
    /// The field, as named in the request.
    field: String,
    /// What is wrong, for people.
    message: String,
}

/// The answer to an invalid request (422).
#[derive(Serialize, ToSchema)]
pub struct InvalidBody {
    /// Always `invalid`.
    error: String,
    /// A sentence for people.
    message: String,
    /// One entry per field that is wrong.
    errors: Vec<FieldErrorBody>,
}

fn invalid(problems: Vec<FieldProblem>) -> Response {
    let body = InvalidBody {
        error: "invalid".into(),
        message: "The request has fields that are not valid.".into(),
        errors: problems
            .into_iter()
            .map(|p| FieldErrorBody {
                field: api_field(p.field).to_owned(),
                message: p.message,
            })
            .collect(),
    };
    (StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response()
}

/// The API's name for a field the forms name differently.
fn api_field(form_field: &'static str) -> &'static str {
    match form_field {
        "dob_known" => "date_of_birth",
        "placing_authority" | "placed_elsewhere" => "placing_authority",
        "since" => "address.since",
        "address" => "address.address",
        "postcode" => "address.postcode",
        other => other,
    }
}

fn conflict(message: &str) -> Response {
    (
        StatusCode::CONFLICT,
        Json(serde_json::json!({ "error": "conflict", "message": message })),
    )
        .into_response()
}

fn body<T>(parsed: Result<Json<T>, JsonRejection>) -> Result<T, ApiError> {
    parsed.map(|Json(b)| b).map_err(|_| {
        ApiError(AppError::BadRequest(
            "The body is not JSON of the shape this call takes.",
        ))
    })
}

/// Splits an ISO date (`2012-04-03`) into the day, month and year the forms parse, so that
/// the API and the pages give the same messages; `None` when it is not written that way.
fn date_parts(iso: &str) -> Option<(String, String, String)> {
    let mut parts = iso.trim().splitn(3, '-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    (digits(y, 4) && digits(m, 2) && digits(d, 2)).then(|| (d.into(), m.into(), y.into()))
}

/// A child to record.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(default)]
pub struct NewChildBody {
    /// A new UUID for the record, chosen by the caller so that repeating the call (after a
    /// timeout, say) makes one record: when the caller has already made a record with this
    /// id, the answer is 200 with it and nothing else is done; when someone else has, 409
    /// `conflict`. Without it Safehub chooses the id.
    id: Option<String>,
    /// The responsible area's id; one the caller's agency serves.
    area: String,
    /// First name.
    given_name: String,
    /// Last name.
    family_name: String,
    /// Date of birth, `YYYY-MM-DD`, if known.
    date_of_birth: Option<String>,
    /// Estimated age in whole years (0 to 24), when the date of birth is not known.
    estimated_age: Option<i64>,
    /// `female`, `male`, `other` or `not_known`.
    gender: String,
    /// A 2021 census ethnic group code (`white_irish`...), or `not_known`.
    ethnicity: String,
    /// School or college.
    school: String,
    /// GP practice.
    gp: String,
    /// `none`, `child_in_need`, `child_protection_plan`, `looked_after` or `care_leaver`.
    legal_status: String,
    /// For a looked-after child placed here by another authority: that authority.
    placing_authority: Option<String>,
    /// Where the child lives now.
    address: Option<AddressBody>,
    /// True once the caller has seen the possible duplicates (409) and none is the child.
    confirm_new: bool,
}

/// An address.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(default)]
pub struct AddressBody {
    /// The address lines, separated by new lines.
    address: String,
    /// A UK postcode.
    postcode: String,
    /// When the child moved in, `YYYY-MM-DD`.
    since: Option<String>,
}

impl NewChildBody {
    /// The same form the page parses, and any problem only the API can have.
    fn to_forms(&self) -> (RecordForm, Option<AddressForm>, Vec<FieldProblem>) {
        let mut problems = Vec::new();
        let mut form = RecordForm {
            given_name: self.given_name.clone(),
            family_name: self.family_name.clone(),
            gender: self.gender.clone(),
            ethnicity: self.ethnicity.clone(),
            school: self.school.clone(),
            gp: self.gp.clone(),
            legal_status: self.legal_status.clone(),
            ..RecordForm::default()
        };
        form.dob_known = match (&self.date_of_birth, self.estimated_age) {
            (Some(_), Some(_)) => {
                problems.push(FieldProblem {
                    field: "estimated_age",
                    message: "Give a date of birth or an estimated age, not both".into(),
                });
                "yes".into()
            }
            (Some(d), None) => {
                match date_parts(d) {
                    Some((day, month, year)) => {
                        (form.dob_day, form.dob_month, form.dob_year) = (day, month, year);
                    }
                    None => problems.push(FieldProblem {
                        field: "date_of_birth",
                        message: "Date of birth must be a real date written YYYY-MM-DD".into(),
                    }),
                }
                "yes".into()
            }
            (None, Some(age)) => {
                form.estimated_age = age.to_string();
                "estimate".into()
            }
            (None, None) => "no".into(),
        };
        if let Some(authority) = &self.placing_authority {
            form.placed_elsewhere = "yes".into();
            form.placing_authority = authority.clone();
        }
        let address = self.address.as_ref().map(|a| {
            let mut f = AddressForm {
                address: a.address.clone(),
                postcode: a.postcode.clone(),
                current: "yes".into(),
                ..AddressForm::default()
            };
            if let Some(since) = &a.since {
                match date_parts(since) {
                    Some((d, m, y)) => (f.since_day, f.since_month, f.since_year) = (d, m, y),
                    None => problems.push(FieldProblem {
                        field: "since",
                        message: "Date moved in must be a real date written YYYY-MM-DD".into(),
                    }),
                }
            }
            f
        });
        (form, address, problems)
    }
}

/// A record that may be the same child.
#[derive(Serialize, ToSchema)]
pub struct CandidateBody {
    /// Its id.
    id: String,
    /// First name.
    given_name: String,
    /// Last name.
    family_name: String,
    /// Date of birth (`YYYY-MM-DD`); absent when not known or when its Summary section is
    /// hidden from the caller's agency.
    date_of_birth: Option<String>,
    /// Whether the date of birth is an estimate.
    age_estimated: bool,
    /// Postcode of the current address, when known and not hidden.
    postcode: Option<String>,
    /// School, when known and not hidden.
    school: Option<String>,
    /// How alike, from 0 to 1.
    score: f64,
}

fn candidate(c: &ShownCandidate) -> CandidateBody {
    CandidateBody {
        id: c.child.id.to_string(),
        given_name: c.child.name.given().to_owned(),
        family_name: c.child.name.family().to_owned(),
        date_of_birth: c
            .child
            .date_of_birth
            .filter(|_| c.summary)
            .map(|d| d.to_string()),
        age_estimated: c.state.age_estimated,
        postcode: c.postcode.clone().filter(|_| c.summary),
        school: Some(c.school.clone()).filter(|s| c.summary && !s.is_empty()),
        score: (c.score * 100.0).round() / 100.0,
    }
}

/// Possible duplicates found before recording (409).
#[derive(Serialize, ToSchema)]
pub struct DuplicatesBody {
    /// `possible_duplicates`.
    error: String,
    /// A sentence for people.
    message: String,
    /// The records the caller may see that may be the same child.
    candidates: Vec<CandidateBody>,
}

/// The new record.
#[derive(Serialize, ToSchema)]
pub struct CreatedBody {
    /// The new child's id.
    id: String,
}

/// Records a child (R2.1). Records the caller may see that may be the same child answer 409
/// with them, until the call is repeated with `confirm_new`.
#[utoipa::path(post, path = "/api/v1/children", request_body = NewChildBody,
    responses((status = 201, body = CreatedBody), (status = 200, description = "A repeated call: the record this caller already made with this id", body = CreatedBody),
        (status = 409, body = DuplicatesBody),
        (status = 422, body = InvalidBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn create_child(
    State(state): State<AppState>,
    caller: ApiCaller,
    client: Client,
    parsed: Result<Json<NewChildBody>, JsonRejection>,
) -> Result<Response, ApiError> {
    caller.require(SCOPE_CHILDREN_WRITE)?;
    let body = body(parsed)?;
    let who = &caller.principal;
    let today = safehub_domain::london_date(jiff::Timestamp::now());
    let (form, address_form, mut problems) = body.to_forms();
    let fields = form.parse(today, None).map_err(|p| problems.extend(p)).ok();
    let area = body.area.parse::<AreaId>().ok();
    if area.is_none() {
        problems.push(FieldProblem {
            field: "area",
            message: "Give the id of the area responsible for the child".into(),
        });
    }
    let chosen = match body.id.as_deref().map(str::parse::<ChildId>) {
        None => None,
        Some(Ok(id)) => Some(id),
        Some(Err(_)) => {
            problems.push(FieldProblem {
                field: "id",
                message: "Give a UUID for the new record, or leave the id out".into(),
            });
            None
        }
    };
    let address = match address_form {
        Some(a) => a
            .parse(today)
            .map_err(|p| problems.extend(p))
            .ok()
            .map(|(a, _)| a),
        None => None,
    };
    let (Some(fields), Some(area)) = (fields, area) else {
        return Ok(invalid(problems));
    };
    if !problems.is_empty() {
        return Ok(invalid(problems));
    }
    // An area the caller's agency does not serve is refused (403) and audited.
    let decision = guard::record_child_in(&state, who, area, &client).await?;
    if let Some(id) = chosen
        && let Some(repeat) = made_already(&state, who, id).await?
    {
        return Ok(repeat);
    }
    let id = chosen.unwrap_or_else(ChildId::new);
    let probe = Probe {
        given: fields.name.given().to_owned(),
        family: fields.name.family().to_owned(),
        date_of_birth: fields.date_of_birth,
        age_estimated: fields.age_estimated,
        postcodes: address.iter().map(|a| a.postcode.clone()).collect(),
    };
    let check = guard::duplicate_check(&state, who, &probe, None, &client).await?;
    if !body.confirm_new && !check.shown.is_empty() {
        let answer = DuplicatesBody {
            error: "possible_duplicates".into(),
            message: "These records may be the same child. Use one of them, or send the \
                      request again with confirm_new set to true."
                .into(),
            candidates: check.shown.iter().map(candidate).collect(),
        };
        return Ok((StatusCode::CONFLICT, Json(answer)).into_response());
    }
    let new = NewChildRecord {
        id,
        area,
        fields,
        address,
        created_at: safehub_store::now_ms(),
    };
    let saved = guard::save_new_child(
        &state,
        who,
        &decision,
        &new,
        &check.hidden,
        check.shown.len(),
        "api",
        &client,
    )
    .await;
    if let Err(e) = saved {
        // Two copies of the call racing: the second fails on the record's id.
        return match made_already(&state, who, id).await? {
            Some(repeat) => Ok(repeat),
            None => Err(e.into()),
        };
    }
    let created = CreatedBody { id: id.to_string() };
    Ok((StatusCode::CREATED, Json(created)).into_response())
}

/// The answer to a call naming the id of a record that exists: 200 with it when the caller
/// made it (the call is a repeat), else 409 `conflict`; `None` when there is no such record.
async fn made_already(
    state: &AppState,
    who: &safehub_access::Principal,
    id: ChildId,
) -> Result<Option<Response>, ApiError> {
    Ok(match state.store().child_made_by(id).await? {
        None => None,
        Some(maker) if maker == who.user => {
            Some((StatusCode::OK, Json(CreatedBody { id: id.to_string() })).into_response())
        }
        Some(_) => {
            return Err(ApiError(AppError::Conflict(
                "A record with this id already exists; choose a new UUID.".into(),
            )));
        }
    })
}

/// Another name.
#[derive(Serialize, ToSchema)]
pub struct AliasBody {
    /// The name.
    name: String,
    /// `alias`, `nickname` or `previous_name`.
    kind: String,
}

/// An address in the history.
#[derive(Serialize, ToSchema)]
pub struct AddressRecordBody {
    /// The address lines.
    address: String,
    /// The postcode, or empty.
    postcode: String,
    /// Moved in (`YYYY-MM-DD`).
    since: Option<String>,
    /// Moved out; absent for where the child lives now.
    until: Option<String>,
    /// Whether the child lives here now.
    current: bool,
}

/// A professional working with the child.
#[derive(Serialize, ToSchema)]
pub struct ProfessionalBody {
    /// Name.
    name: String,
    /// Role.
    role: String,
    /// Agency id, when one of the region's.
    agency: Option<String>,
    /// How to reach them.
    contact: String,
}

/// An agency involved.
#[derive(Serialize, ToSchema)]
pub struct AgencyBody {
    /// Agency id.
    agency: String,
    /// `involved` or `routed`.
    how: String,
    /// Since (RFC 3339, UTC).
    since: String,
}

/// The details of the Summary section.
#[derive(Serialize, ToSchema)]
pub struct DetailsBody {
    /// Date of birth (`YYYY-MM-DD`), or an estimate.
    date_of_birth: Option<String>,
    /// Whether the date of birth is an estimate made from an estimated age.
    age_estimated: bool,
    /// Gender code.
    gender: String,
    /// 2021 census ethnic group code, or `not_known`.
    ethnicity: String,
    /// School or college.
    school: String,
    /// GP practice.
    gp: String,
    /// Legal status code.
    legal_status: String,
    /// The authority that placed a looked-after child here.
    placing_authority: Option<String>,
    /// Other names.
    aliases: Vec<AliasBody>,
    /// Address history, the current address first.
    addresses: Vec<AddressRecordBody>,
    /// Professionals.
    professionals: Vec<ProfessionalBody>,
    /// Agencies involved.
    agencies: Vec<AgencyBody>,
}

/// A child's full record as far as the caller may see it.
#[derive(Serialize, ToSchema)]
pub struct RecordBody {
    /// The child's id.
    id: String,
    /// First name.
    given_name: String,
    /// Last name.
    family_name: String,
    /// The responsible area's id.
    area: String,
    /// The record's version, which counts its changes.
    version: i64,
    /// The record this one was merged into, if it was.
    merged_into: Option<String>,
    /// Sections the caller may see.
    visible_sections: Vec<String>,
    /// Sections hidden from the caller's agency by a restriction (R8.3).
    restricted_sections: Vec<String>,
    /// The details; absent when the Summary section is hidden from the caller's agency.
    details: Option<DetailsBody>,
}

fn details(r: &ChildRecord) -> DetailsBody {
    DetailsBody {
        date_of_birth: r.child.date_of_birth.map(|d| d.to_string()),
        age_estimated: r.state.age_estimated,
        gender: r.child.gender.code().to_owned(),
        ethnicity: r.details.ethnicity.code().to_owned(),
        school: r.details.school.clone(),
        gp: r.details.gp.clone(),
        legal_status: r.child.legal_status.code().to_owned(),
        placing_authority: r.details.placing_authority.clone(),
        aliases: r
            .aliases
            .iter()
            .map(|a| AliasBody {
                name: a.name.clone(),
                kind: a.kind.code().to_owned(),
            })
            .collect(),
        addresses: r
            .addresses
            .iter()
            .map(|a| AddressRecordBody {
                address: a.address.clone(),
                postcode: a.postcode.clone(),
                since: a.since.map(|d| d.to_string()),
                until: a.until.map(|d| d.to_string()),
                current: a.is_current(),
            })
            .collect(),
        professionals: r
            .professionals
            .iter()
            .map(|p| ProfessionalBody {
                name: p.name.clone(),
                role: p.role.clone(),
                agency: p.agency.map(|a| a.to_string()),
                contact: p.contact.clone(),
            })
            .collect(),
        agencies: r
            .agencies
            .iter()
            .map(|a| AgencyBody {
                agency: a.agency.to_string(),
                how: a.how.code().to_owned(),
                since: jiff::Timestamp::from_millisecond(a.since)
                    .map(|t| t.to_string())
                    .unwrap_or_default(),
            })
            .collect(),
    }
}

/// A child's full record (R2.1); 404 when it does not exist or the caller may not see it.
#[utoipa::path(get, path = "/api/v1/children/{id}/record", params(("id" = String, Path, description = "The child's id")),
    responses((status = 200, body = RecordBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn record(
    State(state): State<AppState>,
    caller: ApiCaller,
    client: Client,
    Path(id): Path<String>,
) -> Result<Json<RecordBody>, ApiError> {
    caller.require(SCOPE_CHILDREN_READ)?;
    let (view, full) = guard::view_child_record(&state, &caller.principal, &id, &client).await?;
    Ok(Json(RecordBody {
        id: view.child.id.to_string(),
        given_name: view.child.name.given().to_owned(),
        family_name: view.child.name.family().to_owned(),
        area: view.child.area.to_string(),
        version: view.state.version,
        merged_into: view.state.merged_into.map(|k| k.to_string()),
        visible_sections: view.visible.iter().map(|s| s.code().to_owned()).collect(),
        restricted_sections: view.hidden.iter().map(|s| s.code().to_owned()).collect(),
        details: full
            .as_ref()
            .filter(|_| view.visible.contains(&Section::Summary))
            .map(details),
    }))
}

/// A merge request.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(default)]
pub struct MergeBody {
    /// The id of the duplicate record to merge into this one.
    duplicate: String,
    /// Why the two records are the same child.
    reason: String,
}

/// A merge done.
#[derive(Serialize, ToSchema)]
pub struct MergedBody {
    /// The merge's id (for undoing it on the child's page).
    merge: String,
    /// The record kept.
    kept: String,
    /// The duplicate, now merged into the record kept.
    merged: String,
    /// How many rows of each kind moved.
    moved: std::collections::BTreeMap<String, usize>,
}

/// Merges a duplicate record into this one (R2.1): for MASH workers, team managers and the
/// LA CSE co-ordinator, for children of their areas that they may see.
#[utoipa::path(post, path = "/api/v1/children/{id}/merge", params(("id" = String, Path, description = "The id of the record kept")),
    request_body = MergeBody,
    responses((status = 200, body = MergedBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = InvalidBody)))]
pub async fn merge(
    State(state): State<AppState>,
    caller: ApiCaller,
    client: Client,
    Path(id): Path<String>,
    parsed: Result<Json<MergeBody>, JsonRejection>,
) -> Result<Response, ApiError> {
    caller.require(SCOPE_CHILDREN_WRITE)?;
    let body = body(parsed)?;
    let who = &caller.principal;
    let (kept, kept_decision) =
        guard::merge_target(&state, who, &id, MergeSide::Kept, &client).await?;
    let (dup, dup_decision) =
        guard::merge_target(&state, who, &body.duplicate, MergeSide::Duplicate, &client).await?;
    if dup.child.id == kept.child.id {
        return Err(ApiError(AppError::BadRequest(
            "A record cannot be merged into itself.",
        )));
    }
    let reason = match clean_text(&body.reason, 1000, "reason", "The reason") {
        Ok(r) if !r.is_empty() => r,
        Ok(_) => {
            return Ok(invalid(vec![FieldProblem {
                field: "reason",
                message: "Give the reason these records are the same child".into(),
            }]));
        }
        Err(p) => return Ok(invalid(vec![p])),
    };
    let done = match guard::save_merge(
        &state,
        who,
        (kept.child.id, &kept_decision),
        (dup.child.id, &dup_decision),
        &reason,
        "api",
        &client,
    )
    .await
    {
        Err(AppError::Conflict(why)) => return Ok(conflict(&why)),
        other => other?,
    };
    Ok(Json(MergedBody {
        merge: done.id.clone(),
        kept: done.kept.to_string(),
        merged: done.merged.to_string(),
        moved: done.moves.counts(),
    })
    .into_response())
}

/// What to look for.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default)]
pub struct DuplicatesQuery {
    /// First name.
    given_name: String,
    /// Last name.
    family_name: String,
    /// Date of birth, `YYYY-MM-DD`.
    date_of_birth: String,
    /// A postcode.
    postcode: String,
}

/// Records the caller may see that may be the child described (R2.1); records the caller
/// may not see are never mentioned.
#[utoipa::path(get, path = "/api/v1/children/duplicates", params(DuplicatesQuery),
    responses((status = 200, body = [CandidateBody]), (status = 401, body = ErrorBody), (status = 422, body = InvalidBody)))]
pub async fn duplicates(
    State(state): State<AppState>,
    caller: ApiCaller,
    client: Client,
    Query(q): Query<DuplicatesQuery>,
) -> Result<Response, ApiError> {
    caller.require(SCOPE_CHILDREN_READ)?;
    let mut problems = Vec::new();
    let mut text = |raw: &str, field: &'static str, what: &str| {
        clean_text(raw, 100, field, what).unwrap_or_else(|p| {
            problems.push(p);
            String::new()
        })
    };
    let given = text(&q.given_name, "given_name", "The first name");
    let family = text(&q.family_name, "family_name", "The last name");
    let date_of_birth = if q.date_of_birth.trim().is_empty() {
        None
    } else {
        let parsed = date_parts(&q.date_of_birth)
            .and_then(|(d, m, y)| {
                safehub_domain::DateOfBirth::parse(
                    &d,
                    &m,
                    &y,
                    safehub_domain::london_date(jiff::Timestamp::now()),
                )
                .ok()
            })
            .map(|d| d.date());
        if parsed.is_none() {
            problems.push(FieldProblem {
                field: "date_of_birth",
                message:
                    "Date of birth must be a real date in the last 25 years, written YYYY-MM-DD"
                        .into(),
            });
        }
        parsed
    };
    if given.is_empty() && family.is_empty() && date_of_birth.is_none() && q.postcode.is_empty() {
        problems.push(FieldProblem {
            field: "family_name",
            message: "Give a name, a date of birth or a postcode to look for".into(),
        });
    }
    if !problems.is_empty() {
        return Ok(invalid(problems));
    }
    let probe = Probe {
        given,
        family,
        date_of_birth,
        age_estimated: false,
        postcodes: vec![q.postcode.clone()],
    };
    let check = guard::duplicate_check(&state, &caller.principal, &probe, None, &client).await?;
    let found: Vec<CandidateBody> = check.shown.iter().map(candidate).collect();
    Ok(Json(found).into_response())
}
