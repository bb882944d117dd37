//! The JSON API under `/api/v1`, for service accounts holding API tokens. The same
//! enforcement point and audit as the pages; errors are `{"error", "message"}` bodies.

use axum::Json;
use axum::Router;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::header;
use axum::http::request::Parts;
use axum::routing::{get, post};
use safehub_access::Principal;
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};

use crate::AppState;
use crate::client::Client;
use crate::error::{ApiError, AppError};
use crate::guard;

mod casework;
mod child_record;
mod intelligence;
mod screenings;

/// The OpenAPI description of this API.
#[derive(OpenApi)]
#[openapi(
    info(title = "Safehub API", version = "1", description = "Multi-agency safeguarding records. Every call is authorised by the same policies as the pages and audited."),
    paths(me, children, child, child_access, accounts, casework::queue, casework::referral, casework::decide, casework::clocks,
        casework::chronology,
        screenings::screening_tool, screenings::create_screening, screenings::screening,
        screenings::create_concern, intelligence::share, intelligence::submission,
        intelligence::grade),
    components(schemas(Me, ChildSummary, ChildDetail, AccessEntry, Account, ErrorBody, casework::ReferralBody, casework::ClockBody, casework::QueueBody, casework::ReferralDetail, casework::DecisionBody, casework::AgencyChecks,
        casework::ChronologyEntry,
        screenings::ToolBody, screenings::ToolSection, screenings::ToolIndicator,
        screenings::NewScreening, screenings::AnswerBody, screenings::ScreeningBody,
        screenings::StoredAnswer, screenings::InvalidBody, screenings::FieldProblem,
        screenings::NewConcern, screenings::ConcernReceived, intelligence::ItemBody,
        intelligence::NewSharing, intelligence::SharedBody, intelligence::SubmissionBody,
        intelligence::GradingBody)),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        openapi.security = Some(vec![utoipa::openapi::security::SecurityRequirement::new(
            "token",
            Vec::<String>::new(),
        )]);
    }
}

/// The API routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(openapi))
        .route("/me", get(me))
        .route("/children", get(children).post(child_record::create_child))
        .route("/children/{id}", get(child))
        .route("/children/{id}/access", get(child_access))
        .route("/children/{id}/chronology", get(casework::chronology))
        .route("/accounts", get(accounts))
        .merge(screenings::routes())
        .route("/mash/queue", get(casework::queue))
        .route("/referrals/{id}", get(casework::referral))
        .route(
            "/referrals/{id}/decision",
            axum::routing::post(casework::decide),
        )
        .route("/clocks", get(casework::clocks))
        .route("/intelligence", post(intelligence::share))
        .route("/intelligence/{id}", get(intelligence::submission))
        .route("/intelligence/{id}/grading", post(intelligence::grade))
        .merge(child_record::routes())
        .fallback(|| async { ApiError(AppError::NotFound) })
}

/// The OpenAPI document: this module's calls and those of its submodules.
async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    let mut doc = ApiDoc::openapi();
    doc.merge(child_record::ChildRecordApi::openapi());
    Json(doc)
}

/// The scope that lets a token read children.
pub const SCOPE_CHILDREN_READ: &str = "children:read";
/// The scope that lets a token read the audit trail.
pub const SCOPE_AUDIT_READ: &str = "audit:read";
/// The scope that lets a token read accounts.
pub const SCOPE_ACCOUNTS_READ: &str = "accounts:read";

/// A caller authenticated by an API token.
pub struct ApiCaller {
    principal: Principal,
    name: String,
    scopes: Vec<String>,
}

impl ApiCaller {
    fn require(&self, scope: &str) -> Result<(), ApiError> {
        if self.scopes.iter().any(|s| s == scope) {
            Ok(())
        } else {
            Err(ApiError(AppError::Forbidden))
        }
    }
}

impl FromRequestParts<AppState> for ApiCaller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let presented = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or(ApiError(AppError::SignInRequired))?;
        let token = state
            .store()
            .api_token_by_hash(&safehub_auth::token_hash(presented.trim()))
            .await?
            .ok_or(ApiError(AppError::SignInRequired))?;
        let user = state.store().user(token.user).await?;
        if user.disabled_at.is_some() {
            return Err(ApiError(AppError::SignInRequired));
        }
        let (_, principal) = crate::session::principal_for(state, &user).await?;
        Ok(ApiCaller {
            principal,
            name: user.display_name,
            scopes: token.scopes,
        })
    }
}

/// An error body.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    /// A stable code: `not_found`, `unauthorized`, `forbidden`, `bad_request`, `invalid`, `internal`.
    error: String,
    /// A sentence for people.
    message: String,
}

/// Who the token acts as.
#[derive(Serialize, ToSchema)]
pub struct Me {
    /// The service account's name.
    name: String,
    /// Its agency id.
    agency: String,
    /// Its role codes.
    roles: Vec<String>,
    /// The token's scopes.
    scopes: Vec<String>,
}

/// A child in a list.
#[derive(Serialize, ToSchema)]
pub struct ChildSummary {
    /// The child's id.
    id: String,
    /// Given name.
    given_name: String,
    /// Family name.
    family_name: String,
    /// Date of birth (ISO 8601), if known.
    date_of_birth: Option<String>,
    /// Legal status code.
    legal_status: String,
}

/// A child's record as far as the caller may see it.
#[derive(Serialize, ToSchema)]
pub struct ChildDetail {
    /// The summary fields.
    #[serde(flatten)]
    summary: ChildSummary,
    /// Gender code.
    gender: String,
    /// The responsible area's id.
    area: String,
    /// Sections the caller may see.
    visible_sections: Vec<String>,
    /// Sections hidden from the caller's agency by a restriction (R8.3).
    restricted_sections: Vec<String>,
}

fn summary(c: &safehub_store::children::Child) -> ChildSummary {
    ChildSummary {
        id: c.id.to_string(),
        given_name: c.name.given().to_owned(),
        family_name: c.name.family().to_owned(),
        date_of_birth: c.date_of_birth.map(|d| d.to_string()),
        legal_status: c.legal_status.code().to_owned(),
    }
}

/// The token's own identity.
#[utoipa::path(get, path = "/api/v1/me", responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
async fn me(caller: ApiCaller) -> Json<Me> {
    Json(Me {
        name: caller.name,
        agency: caller.principal.agency.to_string(),
        roles: caller
            .principal
            .roles
            .iter()
            .map(|r| r.code().to_owned())
            .collect(),
        scopes: caller.scopes,
    })
}

/// The children the caller may see (at most 500).
#[utoipa::path(get, path = "/api/v1/children", responses((status = 200, body = [ChildSummary]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn children(
    State(state): State<AppState>,
    caller: ApiCaller,
    client: Client,
) -> Result<Json<Vec<ChildSummary>>, ApiError> {
    caller.require(SCOPE_CHILDREN_READ)?;
    let list = guard::list_children(&state, &caller.principal, &client, 500).await?;
    Ok(Json(list.iter().map(summary).collect()))
}

/// One child's record; 404 when it does not exist or the caller may not see it.
#[utoipa::path(get, path = "/api/v1/children/{id}", params(("id" = String, Path, description = "The child's id")),
    responses((status = 200, body = ChildDetail), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn child(
    State(state): State<AppState>,
    caller: ApiCaller,
    client: Client,
    Path(id): Path<String>,
) -> Result<Json<ChildDetail>, ApiError> {
    caller.require(SCOPE_CHILDREN_READ)?;
    let view = guard::view_child(&state, &caller.principal, &id, &client).await?;
    Ok(Json(ChildDetail {
        summary: summary(&view.child),
        gender: view.child.gender.code().to_owned(),
        area: view.child.area.to_string(),
        visible_sections: view.visible.iter().map(|s| s.code().to_owned()).collect(),
        restricted_sections: view.hidden.iter().map(|s| s.code().to_owned()).collect(),
    }))
}

/// One entry of "who has seen this child's record".
#[derive(Serialize, ToSchema)]
pub struct AccessEntry {
    /// Position in the audit chain.
    seq: i64,
    /// When (RFC 3339, UTC).
    at: String,
    /// The record the entry is about: the child's, or a duplicate's merged into it.
    record: String,
    /// The user's id, if known.
    user: Option<String>,
    /// Their name.
    user_name: Option<String>,
    /// Their agency's name.
    agency_name: Option<String>,
    /// `view` and so on.
    action: String,
    /// `allowed` or `refused`.
    outcome: String,
    /// The deciding policies.
    policies: String,
}

/// Who has seen a child's record, and when (newest first, at most 500), with the duplicate
/// records merged into it; for QA auditors.
#[utoipa::path(get, path = "/api/v1/children/{id}/access", params(("id" = String, Path, description = "The child's id")),
    responses((status = 200, body = [AccessEntry]), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn child_access(
    State(state): State<AppState>,
    caller: ApiCaller,
    client: Client,
    Path(id): Path<String>,
) -> Result<Json<Vec<AccessEntry>>, ApiError> {
    caller.require(SCOPE_AUDIT_READ)?;
    let decision = guard::read_audit_trail(&state, &caller.principal, &client).await?;
    let child: safehub_domain::ChildId = id.parse().map_err(|_| ApiError(AppError::NotFound))?;
    let entries = state.store().audit_for_child(child, 500).await?;
    let e = guard::entry(
        &caller.principal,
        safehub_store::AuditAction::View,
        safehub_store::audit::RecordKind::AuditTrail,
        Some(child.to_string()),
        Some(&decision),
        &client,
        serde_json::json!({ "about": "child", "via": "api" }),
    );
    state.store().record(e).await?;
    Ok(Json(
        entries
            .into_iter()
            .map(|v| AccessEntry {
                seq: v.entry.seq,
                at: jiff::Timestamp::from_millisecond(v.entry.at)
                    .map(|t| t.to_string())
                    .unwrap_or_default(),
                record: v.entry.entry.record_id.clone().unwrap_or_default(),
                user: v.entry.entry.actor_user.clone(),
                user_name: v.actor_name,
                agency_name: v.agency_name,
                action: v.entry.entry.action.code().to_owned(),
                outcome: v.entry.entry.outcome.code().to_owned(),
                policies: v.entry.entry.policies,
            })
            .collect(),
    ))
}

/// An account as administrators see it.
#[derive(Serialize, ToSchema)]
pub struct Account {
    /// Its id.
    id: String,
    /// Sign-in email.
    email: String,
    /// Name.
    name: String,
    /// Agency id.
    agency: String,
    /// Role codes.
    roles: Vec<String>,
    /// `active`, `not_enrolled` or `disabled`.
    status: String,
}

/// The accounts of the areas the caller administers.
#[utoipa::path(get, path = "/api/v1/accounts", responses((status = 200, body = [Account]), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn accounts(
    State(state): State<AppState>,
    caller: ApiCaller,
    client: Client,
) -> Result<Json<Vec<Account>>, ApiError> {
    caller.require(SCOPE_ACCOUNTS_READ)?;
    let areas = guard::administered_areas(&state, &caller.principal);
    if areas.is_empty() {
        return Err(ApiError(AppError::NotFound));
    }
    let users = state.store().users_in_areas(&areas).await?;
    let e = guard::entry(
        &caller.principal,
        safehub_store::AuditAction::View,
        safehub_store::audit::RecordKind::User,
        None,
        None,
        &client,
        serde_json::json!({ "count": users.len(), "via": "api" }),
    );
    state.store().record(e).await?;
    Ok(Json(
        users
            .into_iter()
            .map(|u| Account {
                id: u.id.to_string(),
                status: if u.disabled_at.is_some() {
                    "disabled"
                } else if u.totp_enrolled {
                    "active"
                } else {
                    "not_enrolled"
                }
                .to_owned(),
                email: u.email,
                name: u.display_name,
                agency: u.agency.to_string(),
                roles: u.roles.iter().map(|r| r.code().to_owned()).collect(),
            })
            .collect(),
    ))
}
