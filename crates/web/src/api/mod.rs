//! The JSON API under `/api/v1`, for service accounts holding API tokens. The same
//! enforcement point and audit as the pages; errors are `{"error", "message"}` bodies.

use axum::Json;
use axum::Router;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::header;
use axum::http::request::Parts;
use axum::routing::get;
use safehub_access::Principal;
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};

use crate::AppState;
use crate::client::Client;
use crate::error::{ApiError, AppError};
use crate::guard;

/// The OpenAPI description of this API.
#[derive(OpenApi)]
#[openapi(
    info(title = "Safehub API", version = "1", description = "Multi-agency safeguarding records. Every call is authorised by the same policies as the pages and audited."),
    paths(me, children, child),
    components(schemas(Me, ChildSummary, ChildDetail, ErrorBody)),
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
        .route("/openapi.json", get(|| async { Json(ApiDoc::openapi()) }))
        .route("/me", get(me))
        .route("/children", get(children))
        .route("/children/{id}", get(child))
        .fallback(|| async { ApiError(AppError::NotFound) })
}

/// The scope that lets a token read children.
pub const SCOPE_CHILDREN_READ: &str = "children:read";

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
