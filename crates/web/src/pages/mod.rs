//! The server-rendered pages.

mod admin;
mod agencies;
mod analysis;
mod audit;
mod children;
pub(crate) mod chronology;
pub(crate) mod concerns;
mod home;
mod intelligence;
pub(crate) mod mash;
pub(crate) mod screening;
pub(crate) mod sign_in;
mod spoc;
pub(crate) mod work;

use askama::Template;
use axum::Router;
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};

use crate::AppState;
use crate::error::AppError;

/// Every page route.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home::home))
        .route("/sign-in", get(sign_in::form).post(sign_in::submit))
        .route(
            "/sign-in/second-factor",
            get(sign_in::second_factor_form).post(sign_in::second_factor_submit),
        )
        .route(
            "/sign-in/enrol",
            get(sign_in::enrol_form).post(sign_in::enrol_submit),
        )
        .route(
            "/sign-in/recovery-code",
            get(sign_in::recovery_form).post(sign_in::recovery_submit),
        )
        .route("/sign-out", post(sign_in::sign_out))
        .route("/children", get(children::list))
        .route("/children/{id}", get(children::summary))
        .merge(children::routes())
        .merge(screening::routes())
        .route("/children/{id}/chronology", get(chronology::chronology))
        .route("/mash", get(mash::queue))
        .route("/mash/referrals/{id}", get(mash::referral))
        .route("/mash/referrals/{id}/decision", post(mash::decide))
        .route("/mash/referrals/{id}/letter", get(mash::letter))
        .route("/intelligence", get(intelligence::inbox))
        .route(
            "/intelligence/new",
            get(intelligence::new_form).post(intelligence::submit),
        )
        .route("/intelligence/sent", get(intelligence::sent))
        .route("/intelligence/links", get(analysis::links))
        .route("/intelligence/links/decision", post(analysis::decide))
        .route("/intelligence/subjects", get(analysis::subjects))
        .route("/intelligence/subjects/{id}", get(analysis::subject))
        .route("/intelligence/hotspots", get(analysis::hotspots))
        .route("/intelligence/{id}", get(intelligence::show))
        .route("/intelligence/{id}/grading", post(intelligence::grade))
        .route("/work", get(work::tray))
        .route("/work/{part}", get(work::tray_part))
        .route("/work/clocks/{id}/done", post(work::clock_done))
        .route("/notifications", get(work::notifications))
        .route("/notifications/{id}", get(work::open_notification))
        .route(
            "/admin/calendar",
            get(work::calendar).post(work::add_calendar_day),
        )
        .route("/audit", get(audit::trail))
        .route("/audit/verify", post(audit::verify))
        .route("/audit/children/{id}", get(audit::child_access))
        .route("/admin/agencies", get(agencies::list))
        .route("/admin/agencies/{id}/teams", post(agencies::add_team))
        .route("/admin/users", get(admin::list))
        .route("/admin/users/new", get(admin::new_form).post(admin::create))
        .route("/admin/users/{id}", get(admin::show))
        .route("/admin/users/{id}/roles", post(admin::set_roles))
        .route("/admin/users/{id}/disable", post(admin::disable))
        .route(
            "/admin/users/{id}/reset-second-factor",
            post(admin::reset_second_factor),
        )
}

/// Renders a template as an HTML response.
pub(crate) fn render(page: &impl Template) -> Result<Response, AppError> {
    Ok(Html(page.render()?).into_response())
}

/// Renders a form page again with its errors, as 422 so tools and tests can tell.
pub(crate) fn render_invalid(page: &impl Template) -> Result<Response, AppError> {
    let html = page.render()?;
    Ok((
        axum::http::StatusCode::UNPROCESSABLE_ENTITY,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        html,
    )
        .into_response())
}

/// The page for any unknown address.
pub async fn not_found() -> AppError {
    AppError::NotFound
}

/// Formats a stored time for people: Europe/London, day month year and time.
pub(crate) fn london_time(ms: i64) -> String {
    let Ok(ts) = jiff::Timestamp::from_millisecond(ms) else {
        return "unknown".into();
    };
    let tz = jiff::tz::TimeZone::get("Europe/London").unwrap_or(jiff::tz::TimeZone::UTC);
    ts.to_zoned(tz).strftime("%-d %B %Y, %H:%M").to_string()
}
