//! Concerns that reach the MASH by the other routes in (R2.5 b-d): a police vulnerable
//! person notification (a taxi driver's call to 101), a placing authority's notice that a
//! looked-after child placed here is at risk, and a parent's or carer's concern recorded with
//! them by a practitioner (WM-21.1). Each lands in the MASH queue through
//! `front_door::receive`; the checks are shared with the API (`api/screenings.rs`).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use safehub_domain::pathway::RouteIn;
use safehub_store::children::Child;
use safehub_store::referrals::{Referral, ReferralError};
use serde::Deserialize;

use super::render;
use super::render_invalid;
use super::screening::{AlreadyPage, MAX_LINE_CHARS, MAX_SUMMARY_CHARS};
use crate::AppState;
use crate::client::Client;
use crate::error::AppError;
use crate::front_door::{self, Intake, IntakeError};
use crate::guard::{self, ConcernsAccess};
use crate::layout::Layout;
use crate::posted::Posted;
use crate::session::SignedIn;

/// The longest free text of a concern.
const MAX_TEXT_CHARS: usize = safehub_domain::screening::MAX_TEXT_CHARS;

/// Which route in a form is for: `?route=police_notification|placing_authority|parent_or_carer`.
#[derive(Debug, Default, Deserialize)]
pub struct RouteQuery {
    #[serde(default)]
    route: String,
}

/// The route named, if it is one of the routes these pages record (a screening has its own).
pub(crate) fn route_in(code: &str) -> Option<RouteIn> {
    RouteIn::from_code(code.trim()).filter(|r| *r != RouteIn::AgencyScreening)
}

/// The fields of every route's form; each route uses its own.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct ConcernForm {
    /// The one-off key of the form, against double submission.
    #[serde(default)]
    pub form_key: String,
    /// (b) Who called, e.g. a taxi driver.
    #[serde(default)]
    pub caller: String,
    /// (b) How they got in touch, e.g. a call to 101.
    #[serde(default)]
    pub call_how: String,
    /// (b) Day of the incident.
    #[serde(default)]
    pub incident_day: String,
    /// (b) Month of the incident.
    #[serde(default)]
    pub incident_month: String,
    /// (b) Year of the incident.
    #[serde(default)]
    pub incident_year: String,
    /// (b) Time of the incident, 24-hour clock.
    #[serde(default)]
    pub incident_time: String,
    /// (b) Where it happened.
    #[serde(default)]
    pub place: String,
    /// (b) What was seen.
    #[serde(default)]
    pub seen: String,
    /// (c) The placing authority.
    #[serde(default)]
    pub placing_authority: String,
    /// (c) Their worker's name.
    #[serde(default)]
    pub worker_name: String,
    /// (c) How to reach their worker in writing.
    #[serde(default)]
    pub worker_contact: String,
    /// (c) The risk they told us of.
    #[serde(default)]
    pub risk: String,
    /// (d) The parent's or carer's name.
    #[serde(default)]
    pub parent_name: String,
    /// (d) Their relationship to the child.
    #[serde(default)]
    pub relationship: String,
    /// (d) How to reach them in writing.
    #[serde(default)]
    pub parent_contact: String,
    /// (d) What worries them.
    #[serde(default)]
    pub worries: String,
}

/// A concern checked and ready for the MASH.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct CheckedConcern {
    /// Who raised it, as the letter will address them.
    pub(crate) referrer_name: String,
    /// How to reach them in writing.
    pub(crate) referrer_contact: String,
    /// One line for the queue.
    pub(crate) summary: String,
    /// What happened.
    pub(crate) details: String,
}

fn clip(text: &str, max: usize) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= max {
        text
    } else {
        let mut short: String = text.chars().take(max.saturating_sub(1)).collect();
        short.push('\u{2026}');
        short
    }
}

/// Checks one required field, adding its problem.
fn required(
    problems: &mut Vec<(&'static str, String)>,
    field: &'static str,
    value: &str,
    empty: &str,
    max: usize,
) {
    let value = value.trim();
    if value.is_empty() {
        problems.push((field, empty.to_owned()));
    } else if value.chars().count() > max {
        problems.push((field, format!("This must be {max} characters or fewer")));
    }
}

/// Reads a time in the 24-hour clock: `21:30`, `21.30` or `0930`.
fn time_of_day(text: &str) -> Option<jiff::civil::Time> {
    let t = text.trim();
    let (h, m) = match t.split_once([':', '.']) {
        Some((h, m)) => (h, m),
        None if t.len() == 4 && t.is_ascii() => t.split_at(2),
        None => return None,
    };
    let h = i8::try_from(h.trim().parse::<u8>().ok()?).ok()?;
    let m = i8::try_from(m.trim().parse::<u8>().ok()?).ok()?;
    jiff::civil::Time::new(h, m, 0, 0).ok()
}

/// The incident's date and time, checked (R2.5 b).
fn incident_at(
    form: &ConcernForm,
    problems: &mut Vec<(&'static str, String)>,
) -> Option<jiff::civil::DateTime> {
    let (d, m, y) = (
        form.incident_day.trim(),
        form.incident_month.trim(),
        form.incident_year.trim(),
    );
    let today = safehub_domain::london_date(jiff::Timestamp::now());
    let date = if d.is_empty() && m.is_empty() && y.is_empty() {
        problems.push(("incident_day", "Enter the date of the incident".to_owned()));
        None
    } else {
        let parse = || -> Option<jiff::civil::Date> {
            let d = i8::try_from(d.parse::<u8>().ok()?).ok()?;
            let m = i8::try_from(m.parse::<u8>().ok()?).ok()?;
            jiff::civil::Date::new(y.parse::<i16>().ok()?, m, d).ok()
        };
        match parse() {
            None => {
                problems.push((
                    "incident_day",
                    "The date of the incident must be a real date, like 27 3 2025".to_owned(),
                ));
                None
            }
            Some(date) if date > today => {
                problems.push((
                    "incident_day",
                    "The date of the incident must be today or in the past".to_owned(),
                ));
                None
            }
            Some(date) => Some(date),
        }
    };
    let time = if form.incident_time.trim().is_empty() {
        problems.push((
            "incident_time",
            "Enter the time of the incident, like 21:30".to_owned(),
        ));
        None
    } else {
        let t = time_of_day(&form.incident_time);
        if t.is_none() {
            problems.push((
                "incident_time",
                "Enter the time of the incident in the 24-hour clock, like 21:30".to_owned(),
            ));
        }
        t
    };
    Some(date?.to_datetime(time?))
}

/// Checks a concern by `route` (R2.5 b-d). `recorder` is the signed-in user's name and
/// e-mail address: a police notification's letter goes to the officer who recorded it.
pub(crate) fn check_concern(
    route: RouteIn,
    form: &ConcernForm,
    recorder: (&str, &str),
) -> Result<CheckedConcern, Vec<(&'static str, String)>> {
    let mut problems = Vec::new();
    let p = &mut problems;
    let checked = match route {
        RouteIn::PoliceNotification => {
            required(
                p,
                "caller",
                &form.caller,
                "Enter who called, for example a taxi driver",
                MAX_LINE_CHARS,
            );
            required(
                p,
                "call_how",
                &form.call_how,
                "Enter how they got in touch, for example a call to 101",
                MAX_LINE_CHARS,
            );
            let when = incident_at(form, p);
            required(
                p,
                "place",
                &form.place,
                "Enter where it happened",
                MAX_LINE_CHARS,
            );
            required(p, "seen", &form.seen, "Enter what was seen", MAX_TEXT_CHARS);
            let when = when.map_or_else(String::new, |w| {
                w.strftime("%-d %B %Y at %H:%M").to_string()
            });
            CheckedConcern {
                referrer_name: recorder.0.to_owned(),
                referrer_contact: recorder.1.to_owned(),
                summary: clip(
                    &format!(
                        "Police vulnerable person notification: {} ({}), {}",
                        form.caller.trim(),
                        form.call_how.trim(),
                        form.place.trim()
                    ),
                    MAX_SUMMARY_CHARS,
                ),
                details: format!(
                    "Who called: {}\nHow: {}\nWhen: {}\nWhere: {}\nWhat was seen:\n{}\n",
                    form.caller.trim(),
                    form.call_how.trim(),
                    when,
                    form.place.trim(),
                    form.seen.trim()
                ),
            }
        }
        RouteIn::PlacingAuthority => {
            required(
                p,
                "placing_authority",
                &form.placing_authority,
                "Enter the name of the placing authority",
                MAX_LINE_CHARS,
            );
            required(
                p,
                "worker_name",
                &form.worker_name,
                "Enter the name of their worker",
                MAX_LINE_CHARS,
            );
            required(
                p,
                "worker_contact",
                &form.worker_contact,
                "Enter how to reach their worker in writing (an email or postal address)",
                MAX_LINE_CHARS,
            );
            required(
                p,
                "risk",
                &form.risk,
                "Enter the risk they told you about",
                MAX_TEXT_CHARS,
            );
            CheckedConcern {
                referrer_name: format!(
                    "{}, {}",
                    form.worker_name.trim(),
                    form.placing_authority.trim()
                ),
                referrer_contact: form.worker_contact.trim().to_owned(),
                summary: clip(
                    &format!(
                        "Notification from {}: a looked-after child placed here is at risk",
                        form.placing_authority.trim()
                    ),
                    MAX_SUMMARY_CHARS,
                ),
                details: format!(
                    "Placing authority: {}\nTheir worker: {} ({})\nThe risk:\n{}\n",
                    form.placing_authority.trim(),
                    form.worker_name.trim(),
                    form.worker_contact.trim(),
                    form.risk.trim()
                ),
            }
        }
        RouteIn::ParentOrCarer | RouteIn::AgencyScreening => {
            required(
                p,
                "parent_name",
                &form.parent_name,
                "Enter the parent's or carer's name",
                MAX_LINE_CHARS,
            );
            required(
                p,
                "relationship",
                &form.relationship,
                "Enter their relationship to the child, for example mother or foster carer",
                MAX_LINE_CHARS,
            );
            required(
                p,
                "parent_contact",
                &form.parent_contact,
                "Enter how to reach them in writing (an email or postal address)",
                MAX_LINE_CHARS,
            );
            required(
                p,
                "worries",
                &form.worries,
                "Enter what worries them",
                MAX_TEXT_CHARS,
            );
            CheckedConcern {
                referrer_name: form.parent_name.trim().to_owned(),
                referrer_contact: form.parent_contact.trim().to_owned(),
                summary: clip(
                    &format!(
                        "Concern from the child's {}, recorded with them",
                        form.relationship.trim()
                    ),
                    MAX_SUMMARY_CHARS,
                ),
                details: format!(
                    "Parent or carer: {} ({})\nHow to reach them in writing: {}\nRecorded with \
                     them by: {}\nWhat worries them:\n{}\n",
                    form.parent_name.trim(),
                    form.relationship.trim(),
                    form.parent_contact.trim(),
                    recorder.0,
                    form.worries.trim()
                ),
            }
        }
    };
    if problems.is_empty() {
        Ok(checked)
    } else {
        Err(problems)
    }
}

/// Why a concern was not received.
pub(crate) enum ReceiveFailure {
    /// The same form (or API request) was already received.
    Duplicate,
    /// Anything else.
    App(AppError),
}

/// Puts a checked concern into the MASH queue in one transaction with its audit entry.
pub(crate) async fn receive_concern(
    state: &AppState,
    who: &safehub_access::Principal,
    client: &Client,
    access: &ConcernsAccess,
    route: RouteIn,
    concern: CheckedConcern,
    form_key: &str,
) -> Result<Referral, ReceiveFailure> {
    let app = |e: AppError| ReceiveFailure::App(e);
    let mut tx = state.store().begin().await.map_err(|e| app(e.into()))?;
    let intake = Intake {
        child: access.child.id,
        area: access.child.area,
        legal_status: access.child.legal_status,
        route,
        screening: None,
        category: None,
        referrer_name: concern.referrer_name,
        referrer_contact: concern.referrer_contact,
        summary: concern.summary,
        details: concern.details,
        form_key: form_key.to_owned(),
    };
    let referral = match front_door::receive(state, &mut tx, who, client, intake).await {
        Ok(r) => r,
        Err(IntakeError::Referral(ReferralError::Duplicate)) => {
            return Err(ReceiveFailure::Duplicate);
        }
        Err(e) => return Err(app(e.into())),
    };
    tx.commit().await.map_err(|e| app(e.into()))?;
    Ok(referral)
}

#[derive(Template)]
#[template(path = "concern_form.html")]
struct FormPage {
    layout: Layout,
    child_id: String,
    child_name: String,
    route: &'static str,
    heading: &'static str,
    form: ConcernForm,
    police: bool,
    placing: bool,
    parent: bool,
}

#[derive(Template)]
#[template(path = "concern_received.html")]
struct ReceivedPage {
    layout: Layout,
    child_id: String,
    child_name: String,
    route_label: &'static str,
    parent: bool,
}

fn heading(route: RouteIn) -> &'static str {
    match route {
        RouteIn::PoliceNotification => "Record a police vulnerable person notification",
        RouteIn::PlacingAuthority => "Record a notification from a placing authority",
        RouteIn::ParentOrCarer | RouteIn::AgencyScreening => "Record a parent's or carer's concern",
    }
}

fn child_name(child: &Child) -> String {
    format!("{} {}", child.name.given(), child.name.family())
}

fn form_page(
    state: &AppState,
    who: &SignedIn,
    child: &Child,
    route: RouteIn,
    form: ConcernForm,
) -> FormPage {
    FormPage {
        layout: who.layout(state, heading(route), "/children"),
        child_id: child.id.to_string(),
        child_name: child_name(child),
        route: route.code(),
        heading: heading(route),
        form,
        police: route == RouteIn::PoliceNotification,
        placing: route == RouteIn::PlacingAuthority,
        parent: route == RouteIn::ParentOrCarer,
    }
}

/// GET /children/{id}/concerns/new?route=...: the form for one route in.
pub async fn new_form(
    State(state): State<AppState>,
    who: SignedIn,
    client: Client,
    Path(id): Path<String>,
    Query(q): Query<RouteQuery>,
) -> Result<Response, AppError> {
    let route = route_in(&q.route).ok_or(AppError::NotFound)?;
    let access = guard::record_concern(&state, &who.principal, &id, route, &client).await?;
    let form = ConcernForm {
        form_key: uuid::Uuid::new_v4().to_string(),
        ..ConcernForm::default()
    };
    render(&form_page(&state, &who, &access.child, route, form))
}

/// POST /children/{id}/concerns/new?route=...: checks the concern and puts it into the MASH
/// queue; the same form sent twice makes one referral.
pub async fn create(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<RouteQuery>,
    posted: Posted<SignedIn, ConcernForm>,
) -> Result<Response, AppError> {
    let Posted { who, form, client } = posted;
    let route = route_in(&q.route).ok_or(AppError::NotFound)?;
    let access = guard::record_concern(&state, &who.principal, &id, route, &client).await?;
    let form_key = form.form_key.trim().to_owned();
    if form_key.is_empty() || form_key.len() > 100 {
        return Err(AppError::BadRequest(
            "The form is missing its key. Go back, reload the page and try again.",
        ));
    }
    let recorder = (who.user.display_name.as_str(), who.user.email.as_str());
    let concern = match check_concern(route, &form, recorder) {
        Ok(c) => c,
        Err(problems) => {
            let mut page = form_page(&state, &who, &access.child, route, form);
            for (field, message) in problems {
                page.layout.error(field, message);
            }
            return render_invalid(&page);
        }
    };
    match receive_concern(
        &state,
        &who.principal,
        &client,
        &access,
        route,
        concern,
        &form_key,
    )
    .await
    {
        Ok(referral) => {
            Ok(Redirect::to(&format!("/concerns/{}/received", referral.id)).into_response())
        }
        Err(ReceiveFailure::Duplicate) => Ok(already_received(&state, &who, &access.child)),
        Err(ReceiveFailure::App(e)) => Err(e),
    }
}

/// "This concern was already received": the form was sent twice; nothing new was made.
fn already_received(state: &AppState, who: &SignedIn, child: &Child) -> Response {
    let page = AlreadyPage {
        layout: who.layout(state, "This concern was already received", "/children"),
        heading: "This concern was already received",
        body: "The MASH received it once. Nothing was sent again.",
        link: format!("/children/{}", child.id),
        link_text: "Back to the child's record",
    };
    match page.render() {
        Ok(html) => (StatusCode::CONFLICT, Html(html)).into_response(),
        Err(e) => AppError::from(e).into_response(),
    }
}

/// GET /concerns/{referral}/received: the confirmation for whoever recorded the concern.
pub async fn received(
    State(state): State<AppState>,
    who: SignedIn,
    client: Client,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let (referral, child) = guard::own_referral(&state, &who.principal, &id, &client).await?;
    render(&ReceivedPage {
        layout: who.layout(&state, "Concern sent to the MASH", "/children"),
        child_id: child.id.to_string(),
        child_name: child_name(&child),
        route_label: referral.route.label(),
        parent: referral.route == RouteIn::ParentOrCarer,
    })
}
