//! One error type for the pages and one for the API, each choosing its status explicitly.
//! Details of server faults are logged with a correlation id and never shown.

use askama::Template;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use safehub_store::StoreError;

use crate::layout::Layout;

/// Why a request could not be served.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// No such page or record, or one the user may not know exists.
    #[error("not found")]
    NotFound,
    /// No session, or it has expired.
    #[error("sign in required")]
    SignInRequired,
    /// The session timed out (idle or absolute limit).
    #[error("session expired")]
    SessionExpired,
    /// Password accepted but the second factor not yet given.
    #[error("second factor required")]
    SecondFactorRequired,
    /// The form's CSRF token was missing or forged.
    #[error("form token rejected")]
    CsrfRejected,
    /// The request is malformed (not a form validation problem: those re-display the form).
    #[error("bad request: {0}")]
    BadRequest(&'static str),
    /// The user may not do this, and knowing the record exists is not sensitive.
    #[error("forbidden")]
    Forbidden,
    /// The request clashes with the state of the records (already done by someone else, or
    /// the region is not set up for it); the message says what to do.
    #[error("conflict: {0}")]
    Conflict(String),
    /// A fault on our side.
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound,
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<safehub_store::DbError> for AppError {
    fn from(e: safehub_store::DbError) -> Self {
        AppError::from(StoreError::from(e))
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        AppError::Internal(format!("template: {e}"))
    }
}

impl From<safehub_auth::AuthError> for AppError {
    fn from(e: safehub_auth::AuthError) -> Self {
        AppError::Internal(format!("credentials: {e}"))
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    layout: Layout,
    heading: &'a str,
    body: &'a str,
    reference: Option<String>,
}

/// What an error page says; attached to the response so [`error_pages`] can render it again
/// inside the full frame (with the demo banner when the deployment is a demo).
#[derive(Clone, Debug)]
struct ErrorPageContent {
    heading: String,
    body: String,
    reference: Option<String>,
}

fn render_error(content: &ErrorPageContent, demo: bool) -> Option<String> {
    let mut layout = Layout::bare(&content.heading);
    layout.demo = demo;
    let page = ErrorPage {
        layout,
        heading: &content.heading,
        body: &content.body,
        reference: content.reference.clone(),
    };
    page.render().ok()
}

fn error_page(
    status: StatusCode,
    heading: &str,
    body: &str,
    reference: Option<String>,
) -> Response {
    let content = ErrorPageContent {
        heading: heading.to_owned(),
        body: body.to_owned(),
        reference,
    };
    let mut response = match render_error(&content, false) {
        Some(html) => (
            status,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            html,
        )
            .into_response(),
        None => (status, heading.to_owned()).into_response(),
    };
    response.extensions_mut().insert(content);
    response
}

/// Middleware giving every error the service's own page: re-renders error pages inside the
/// full frame, and turns a bare "body too large" answer into a page (or a JSON body under
/// `/api/`).
pub async fn error_pages(
    axum::extract::State(state): axum::extract::State<crate::AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let response = next.run(req).await;
    if response.status() == StatusCode::PAYLOAD_TOO_LARGE
        && response.extensions().get::<ErrorPageContent>().is_none()
    {
        if api {
            let body = serde_json::json!({ "error": "too_large", "message": "The request body is too large." });
            return (StatusCode::PAYLOAD_TOO_LARGE, axum::Json(body)).into_response();
        }
        return error_page(
            StatusCode::PAYLOAD_TOO_LARGE,
            "The form is too large",
            "What you sent is larger than this service accepts. Nothing was saved. Go back, shorten it and try again.",
            None,
        );
    }
    if !state.config().demo {
        return response;
    }
    match response
        .extensions()
        .get::<ErrorPageContent>()
        .and_then(|c| render_error(c, true))
    {
        Some(html) => (
            response.status(),
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            html,
        )
            .into_response(),
        None => response,
    }
}

/// Logs a fault with a new correlation id and returns the id to show.
fn log_fault(detail: &str) -> String {
    let reference = uuid::Uuid::new_v4().simple().to_string()[..12].to_owned();
    tracing::error!(reference = %reference, detail = %detail, "request failed");
    reference
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        match self {
            AppError::NotFound => error_page(
                StatusCode::NOT_FOUND,
                "Page not found",
                "If you typed the web address, check it is correct. If you followed a link to a \
                 record, it may not exist or you may not have access to it.",
                None,
            ),
            AppError::SignInRequired => Redirect::to("/sign-in").into_response(),
            AppError::SessionExpired => Redirect::to("/sign-in?timed-out=yes").into_response(),
            AppError::SecondFactorRequired => {
                Redirect::to("/sign-in/second-factor").into_response()
            }
            AppError::CsrfRejected => error_page(
                StatusCode::FORBIDDEN,
                "This form could not be sent",
                "The form had expired or did not come from this service. Go back, reload the page \
                 and try again. Nothing was saved.",
                None,
            ),
            AppError::BadRequest(why) => error_page(
                StatusCode::BAD_REQUEST,
                "There is a problem with the request",
                why,
                None,
            ),
            AppError::Conflict(why) => {
                error_page(StatusCode::CONFLICT, "This could not be done", &why, None)
            }
            AppError::Forbidden => error_page(
                StatusCode::FORBIDDEN,
                "You do not have access to this page",
                "Your role does not allow this. Ask your manager if you think you need access.",
                None,
            ),
            AppError::Internal(detail) => {
                let reference = log_fault(&detail);
                error_page(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Sorry, there is a problem with the service",
                    "Nothing you entered has been lost if the page said it was saved. Try again later.",
                    Some(reference),
                )
            }
        }
    }
}

/// The API's error: the same causes, answered as a JSON body `{"error": code, "message": ...}`.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        ApiError(e)
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code, message) = match self.0 {
            AppError::NotFound => (
                StatusCode::NOT_FOUND,
                "not_found",
                "No such resource.".to_owned(),
            ),
            AppError::SignInRequired
            | AppError::SessionExpired
            | AppError::SecondFactorRequired => (
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "A valid API token is required.".to_owned(),
            ),
            AppError::CsrfRejected | AppError::Forbidden => (
                StatusCode::FORBIDDEN,
                "forbidden",
                "This token may not do that.".to_owned(),
            ),
            AppError::BadRequest(why) => (StatusCode::BAD_REQUEST, "bad_request", why.to_owned()),
            AppError::Conflict(why) => (StatusCode::CONFLICT, "conflict", why),
            AppError::Internal(detail) => {
                let reference = log_fault(&detail);
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    format!("Server fault, reference {reference}."),
                )
            }
        };
        let mut response = (
            status,
            axum::Json(serde_json::json!({ "error": code, "message": message })),
        )
            .into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer"),
            );
        }
        response
    }
}

/// Turns a panic inside a handler into the ordinary fault page; the panic text is logged,
/// never shown.
pub fn panic_response(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let detail = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("panic");
    AppError::Internal(format!("panic: {detail}")).into_response()
}
