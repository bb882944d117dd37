//! The work tray of statutory clocks (R3), recording a clock's work as done, the user's
//! notifications, and the administrators' calendar of added non-working days.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use safehub_access::Action;
use safehub_domain::Role;
use safehub_domain::pathway::ClockEnd;
use safehub_store::AuditAction;
use safehub_store::audit::{self, RecordKind};
use safehub_store::clocks::{self, TrayCount, TrayItem, TrayOwner, TrayPart};
use serde::Deserialize;

use super::{london_time, render, render_invalid};
use crate::AppState;
use crate::client::Client;
use crate::error::AppError;
use crate::front_door::Notice;
use crate::guard::{self, CaseRecord};
use crate::layout::Layout;
use crate::posted::Posted;
use crate::session::SignedIn;

/// Clocks shown in each part of the tray, and on each page of one part.
const TRAY_SIZE: i64 = 50;

/// A clock as the tray shows it.
pub struct TrayRow {
    id: String,
    child_id: String,
    child_name: String,
    label: &'static str,
    due: String,
    overdue: bool,
    referral: Option<String>,
    escalated: bool,
}

#[derive(Template)]
#[template(path = "work_tray.html")]
struct TrayPage {
    layout: Layout,
    heading: String,
    sections: Vec<TraySection>,
    overdue: i64,
    /// Whether this is one part of the tray shown page by page.
    paged: bool,
    /// The page shown, of `pages` (0 when not paged).
    page: i64,
    pages: i64,
}

/// One part of the tray: the user's own clocks, their team's, or their agency's not yet
/// given to anyone.
pub struct TraySection {
    title: &'static str,
    id: &'static str,
    rows: Vec<TrayRow>,
    /// Open clocks in this part, shown or not.
    open: i64,
    /// Where to see every clock of this part, when the tray shows only the soonest.
    more: Option<String>,
}

/// The parts of the tray the user has, in the order shown: (title, id in URLs, part).
type TrayParts = Vec<(&'static str, &'static str, TrayPart)>;

/// The parts of a user's tray: their own clocks; their team's not given to one person; and,
/// for MASH workers and team managers, their agency's not yet given to a team. Returns the
/// parts in the order shown and the owner that reads them all.
fn tray_sections(who: &SignedIn) -> (TrayParts, TrayOwner) {
    let mut sections = vec![("Yours", "yours", TrayPart::Yours)];
    let mut owner = TrayOwner {
        user: Some(who.user.id),
        ..TrayOwner::default()
    };
    if let Some(team) = who.user.team {
        sections.push(("Your team's", "team", TrayPart::Team));
        owner.team = Some(team);
    }
    let agency_wide = who
        .user
        .roles
        .iter()
        .any(|r| matches!(r, Role::MashWorker | Role::TeamManager));
    if agency_wide {
        sections.push((
            "Your agency's, not yet allocated",
            "agency",
            TrayPart::Agency,
        ));
        owner.agency = Some(who.user.agency);
    }
    (sections, owner)
}

/// The open clocks of a tray whose child the user may see (the same decision as opening
/// each child), audited as one list view.
pub(crate) async fn visible_tray(
    state: &AppState,
    who: &safehub_access::Principal,
    client: &Client,
    owner: &TrayOwner,
    limit: i64,
    offset: i64,
) -> Result<Vec<TrayItem>, AppError> {
    let items = state.store().work_tray(owner, limit, offset).await?;
    guard::filter_by_concerns(
        state,
        who,
        items,
        |i: &TrayItem| i.clock.child,
        RecordKind::Clock,
        client,
    )
    .await
}

/// GET /work: the open statutory clocks the user owns, in parts (theirs, their team's,
/// their agency's), each its soonest first with overdue marked and a link to the rest. Each
/// child on the tray passes the same decision as opening its record.
pub async fn tray(
    State(state): State<AppState>,
    who: SignedIn,
    client: Client,
) -> Result<Response, AppError> {
    let (parts, owner) = tray_sections(&who);
    let counts = state
        .store()
        .tray_counts(&owner, safehub_store::now_ms())
        .await?;
    // One read, one decision batch and one audit entry for the whole tray.
    let shown = visible_tray(&state, &who.principal, &client, &owner, TRAY_SIZE, 0).await?;
    let mut sections = tray_page_sections(&parts, &counts, shown);
    for s in &mut sections {
        if s.open > TRAY_SIZE {
            s.more = Some(format!("/work/{}", s.id));
        }
    }
    render(&TrayPage {
        layout: who.layout(&state, "Your statutory time limits", "/work"),
        heading: "Your statutory time limits".to_owned(),
        overdue: counts.iter().map(|c| c.overdue).sum(),
        sections,
        paged: false,
        page: 1,
        pages: 0,
    })
}

/// Which page of one part of the tray.
#[derive(Deserialize)]
pub struct PartQuery {
    page: Option<i64>,
}

/// GET /work/{part}: every open clock of one part of the user's tray (`yours`, `team` or
/// `agency`), soonest first, a page at a time.
pub async fn tray_part(
    State(state): State<AppState>,
    Path(part): Path<String>,
    Query(q): Query<PartQuery>,
    who: SignedIn,
    client: Client,
) -> Result<Response, AppError> {
    let (parts, owner) = tray_sections(&who);
    let Some(&(title, id, part)) = parts.iter().find(|(_, id, _)| *id == part) else {
        return Err(AppError::NotFound);
    };
    let owner = owner.only(part);
    let counts = state
        .store()
        .tray_counts(&owner, safehub_store::now_ms())
        .await?;
    let open = counts.first().map_or(0, |c| c.open);
    let pages = ((open + TRAY_SIZE - 1) / TRAY_SIZE).max(1);
    let page = q.page.unwrap_or(1).clamp(1, pages);
    let shown = visible_tray(
        &state,
        &who.principal,
        &client,
        &owner,
        TRAY_SIZE,
        (page - 1) * TRAY_SIZE,
    )
    .await?;
    let sections = tray_page_sections(&[(title, id, part)], &counts, shown);
    let heading = format!("Your statutory time limits: {}", title.to_lowercase());
    render(&TrayPage {
        layout: who.layout(&state, &heading, "/work"),
        heading,
        overdue: counts.iter().map(|c| c.overdue).sum(),
        sections,
        paged: true,
        page,
        pages,
    })
}

/// The tray's parts with their rows and counts.
fn tray_page_sections(
    parts: &[(&'static str, &'static str, TrayPart)],
    counts: &[TrayCount],
    shown: Vec<TrayItem>,
) -> Vec<TraySection> {
    let now = safehub_store::now_ms();
    let mut sections: Vec<TraySection> = parts
        .iter()
        .map(|&(title, id, part)| TraySection {
            title,
            id,
            rows: Vec::new(),
            open: counts.iter().find(|c| c.part == part).map_or(0, |c| c.open),
            more: None,
        })
        .collect();
    for i in shown {
        let Some(at) = parts.iter().position(|&(_, _, part)| part == i.part()) else {
            continue;
        };
        sections[at].rows.push(TrayRow {
            id: i.clock.id.clone(),
            child_id: i.clock.child.to_string(),
            child_name: i.child_name,
            label: i.clock.kind.label(),
            due: london_time(i.clock.due_at),
            overdue: i.clock.due_at < now,
            referral: i.clock.referral,
            escalated: i.clock.escalated_at.is_some(),
        });
    }
    sections
}

/// The empty form behind a "done" button (the CSRF token is all it carries).
#[derive(Deserialize)]
pub struct Nothing {}

/// POST /work/clocks/{id}/done: the owner records that the work the clock asked for was
/// done; the clock leaves the tray. Needs the right to change the child's record.
pub async fn clock_done(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted<SignedIn, Nothing>,
) -> Result<Response, AppError> {
    let Posted { who, client, .. } = posted;
    let Some(clock) = state.store().clock(&id).await? else {
        return Err(AppError::NotFound);
    };
    guard::open_case_record(
        &state,
        &who.principal,
        clock.child,
        Action::Edit,
        CaseRecord {
            kind: RecordKind::Clock,
            id: clock.id.clone(),
        },
        AuditAction::Change,
        &client,
    )
    .await?;
    let mut tx = state.store().begin().await?;
    let ended = clocks::end(&mut tx, &clock.id, ClockEnd::Done, safehub_store::now_ms()).await?;
    if ended {
        audit::append(
            &mut tx,
            &[guard::entry(
                &who.principal,
                AuditAction::Change,
                RecordKind::Clock,
                Some(clock.id.clone()),
                None,
                &client,
                serde_json::json!({
                    "child": clock.child.to_string(),
                    "kind": clock.kind.code(),
                    "ended": ClockEnd::Done.code(),
                }),
            )],
        )
        .await?;
    }
    tx.commit().await?;
    Ok(Redirect::to("/work").into_response())
}

/// A notification as the list shows it.
pub struct NoticeRow {
    id: String,
    text: &'static str,
    when: String,
    unread: bool,
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct NotificationsPage {
    layout: Layout,
    rows: Vec<NoticeRow>,
}

/// GET /notifications: what the user has been told, unread first.
pub async fn notifications(
    State(state): State<AppState>,
    who: SignedIn,
) -> Result<Response, AppError> {
    let rows = state
        .store()
        .notifications_of(who.user.id, 100)
        .await?
        .into_iter()
        .map(|n| NoticeRow {
            text: Notice::from_code(&n.what).map_or("Something new", Notice::label),
            when: london_time(n.created_at),
            unread: n.read_at.is_none(),
            id: n.id,
        })
        .collect();
    render(&NotificationsPage {
        layout: who.layout(&state, "Notifications", "/notifications"),
        rows,
    })
}

/// GET /notifications/{id}: marks it read and goes to what it is about (whose page then
/// decides, as always, what this user may see).
pub async fn open_notification(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    match state.store().open_notification(who.user.id, &id).await? {
        Some(link) if link.starts_with('/') && !link.starts_with("//") => {
            Ok(Redirect::to(&link).into_response())
        }
        _ => Err(AppError::NotFound),
    }
}

/// The calendar form as typed.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct CalendarForm {
    #[serde(default)]
    day: String,
    #[serde(default)]
    name: String,
}

#[derive(Template)]
#[template(path = "admin_calendar.html")]
struct CalendarPage {
    layout: Layout,
    upcoming: Vec<(String, String)>,
    added: Vec<(String, String)>,
    covered: String,
    form: CalendarForm,
}

async fn calendar_page(
    state: &AppState,
    who: &SignedIn,
    form: CalendarForm,
) -> Result<CalendarPage, AppError> {
    let calendar = state.calendar();
    let today = safehub_domain::london_date(jiff::Timestamp::now());
    let upcoming = calendar
        .bank_holidays()
        .filter(|(d, _)| *d >= today)
        .take(12)
        .map(|(d, name)| (d.strftime("%A %-d %B %Y").to_string(), name.to_owned()))
        .collect();
    let added = state.store().extra_closed_days().await?;
    Ok(CalendarPage {
        layout: who.layout(state, "Working-day calendar", "/admin/calendar"),
        upcoming,
        added,
        covered: format!(
            "{} to {}",
            calendar.first_covered_year(),
            calendar.last_covered_year()
        ),
        form,
    })
}

fn administers(who: &SignedIn) -> bool {
    who.user.roles.contains(&Role::Administrator)
}

/// GET /admin/calendar: the bank holidays the statutory clocks skip, and the days added.
pub async fn calendar(State(state): State<AppState>, who: SignedIn) -> Result<Response, AppError> {
    if !administers(&who) {
        return Err(AppError::NotFound);
    }
    render(&calendar_page(&state, &who, CalendarForm::default()).await?)
}

/// POST /admin/calendar: adds a special non-working day (for example a one-off bank
/// holiday), audited; clocks started from then on skip it (R3).
pub async fn add_calendar_day(
    State(state): State<AppState>,
    posted: Posted<SignedIn, CalendarForm>,
) -> Result<Response, AppError> {
    let Posted { who, form, client } = posted;
    if !administers(&who) {
        return Err(AppError::NotFound);
    }
    let mut page = calendar_page(&state, &who, form.clone()).await?;
    let calendar = state.calendar();
    let day = form.day.trim().parse::<jiff::civil::Date>().ok();
    match day {
        None => page.layout.error(
            "day",
            "Enter the date as year-month-day, for example 2027-06-07",
        ),
        Some(d) if !calendar.covers(d) => page.layout.error(
            "day",
            format!(
                "Enter a date in the years the calendar covers ({})",
                page.covered
            ),
        ),
        Some(d) if !calendar.is_working_day(d).unwrap_or(false) => page
            .layout
            .error("day", "That day is already not a working day"),
        Some(_) => {}
    }
    let name = form.name.trim();
    if name.is_empty() {
        page.layout.error(
            "name",
            "Enter what the day is, for example 'Extra bank holiday'",
        );
    } else if name.chars().count() > 100 {
        page.layout
            .error("name", "The name must be 100 characters or fewer");
    }
    let Some(day) = day.filter(|_| !page.layout.has_errors()) else {
        return render_invalid(&page);
    };
    let mut tx = state.store().begin().await?;
    clocks::add_closed_day(&mut tx, &day.to_string(), name, who.user.id).await?;
    audit::append(
        &mut tx,
        &[guard::entry(
            &who.principal,
            AuditAction::Change,
            RecordKind::Calendar,
            Some(day.to_string()),
            None,
            &client,
            serde_json::json!({ "added_closed_day": day.to_string() }),
        )],
    )
    .await?;
    tx.commit().await?;
    state.reload_calendar().await?;
    Ok(Redirect::to("/admin/calendar").into_response())
}
