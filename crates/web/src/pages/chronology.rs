//! A child's chronology (R4.9): contacts, concerns, screenings, decisions, time limits and
//! who was told what, in date order, from the audit events; printable.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use safehub_access::{Action, Principal};
use safehub_domain::ChildId;
use safehub_domain::pathway::{ClockKind, RouteIn, TriageOutcome};
use safehub_store::AuditAction;
use safehub_store::audit::RecordKind;
use safehub_store::children::Child;
use safehub_store::chronology::ChronologyEvent;

use super::{london_time, render};
use crate::AppState;
use crate::client::Client;
use crate::error::AppError;
use crate::front_door::Notice;
use crate::guard::{self, CaseRecord};
use crate::layout::Layout;
use crate::session::SignedIn;

/// One line of the chronology as shown.
pub struct Line {
    when: String,
    what: String,
    who: String,
    link: Option<String>,
}

#[derive(Template)]
#[template(path = "chronology.html")]
struct ChronologyPage {
    layout: Layout,
    child_id: String,
    child_name: String,
    lines: Vec<Line>,
}

fn code<'a>(e: &'a ChronologyEvent, key: &str) -> &'a str {
    e.detail.get(key).and_then(|v| v.as_str()).unwrap_or("")
}

/// What an event says, in practitioners' words; `None` for events that are not part of the
/// shared record (a screening's drafts belong to their author until submitted). An event
/// about a duplicate record merged into this one says so.
fn describe(e: &ChronologyEvent) -> Option<(String, Option<String>)> {
    let (what, link) = describe_event(e)?;
    Some(match e.merged_record {
        Some(_) => (
            format!("{what} (on a duplicate record since merged into this one)"),
            link,
        ),
        None => (what, link),
    })
}

fn describe_event(e: &ChronologyEvent) -> Option<(String, Option<String>)> {
    let record = e.record_id.clone().unwrap_or_default();
    Some(match (e.record_kind.as_str(), e.action.as_str()) {
        ("child", "create") => ("Record created".into(), None),
        ("child", "change") if code(e, "what") == "merge" => {
            ("Duplicate records of this child merged".into(), None)
        }
        ("child", "change") if code(e, "what") == "undo_merge" => (
            "Merge of duplicate records undone: the records are separate again".into(),
            None,
        ),
        ("child", "change") => ("Record details changed".into(), None),
        ("child", "restrict") => (
            "Sections restricted for a confidential investigation".into(),
            None,
        ),
        ("child", _) => ("Record updated".into(), None),
        ("screening", "change") if code(e, "status") == "submitted" => {
            let category = e.detail.get("category").and_then(serde_json::Value::as_u64);
            let text = match category {
                Some(c) => format!("Screening submitted: category {c}"),
                None => "Screening submitted: no CSE indicators identified".into(),
            };
            (text, Some(format!("/screenings/{record}")))
        }
        ("screening", _) => return None,
        ("referral", "create") => {
            let route = RouteIn::from_code(code(e, "route")).map_or("Contact", RouteIn::label);
            let category = e.detail.get("category").and_then(serde_json::Value::as_u64);
            let text = match category {
                Some(c) => format!("{route} received by the MASH: category {c}"),
                None => format!("{route} received by the MASH"),
            };
            (text, Some(format!("/mash/referrals/{record}")))
        }
        ("referral", "change") => {
            let outcome = TriageOutcome::from_code(code(e, "outcome"))
                .map_or("recorded", TriageOutcome::label);
            (
                format!("MASH decision: {outcome}; referrer told in writing"),
                Some(format!("/mash/referrals/{record}/letter")),
            )
        }
        ("clock", "change") => {
            let kind = ClockKind::from_code(code(e, "kind")).map_or("Time limit", ClockKind::label);
            if e.detail.get("escalated_to").is_some() {
                (format!("{kind} overdue: escalated to the manager"), None)
            } else {
                (format!("{kind} recorded as done"), None)
            }
        }
        ("notification", _) => {
            let what = Notice::from_code(code(e, "what")).map_or("Told", Notice::label);
            (format!("Told: {what}"), None)
        }
        (kind, action) => (format!("{action} {kind}"), None),
    })
}

/// One event of a child's chronology, described; shared by the page and the API.
pub(crate) struct Entry {
    /// When (ms UTC).
    pub at: i64,
    /// What happened, in practitioners' words.
    pub what: String,
    /// Where the record it is about can be opened, if it has a page.
    pub link: Option<String>,
    /// Who acted, or `None` for Safehub itself.
    pub actor: Option<String>,
    /// Their agency's name.
    pub agency: Option<String>,
    /// The duplicate record it was recorded on, when merged into this child's.
    pub merged_record: Option<ChildId>,
}

/// Opens a child's chronology for `who`: the same right as the child's Concerns section,
/// 404 when refused or missing, and the view audited. Returns the child and the events,
/// oldest first.
pub(crate) async fn open(
    state: &AppState,
    who: &Principal,
    child_id: ChildId,
    client: &Client,
) -> Result<(Child, Vec<Entry>), AppError> {
    let (child, _) = guard::open_case_record(
        state,
        who,
        child_id,
        Action::View,
        CaseRecord {
            kind: RecordKind::Child,
            id: child_id.to_string(),
        },
        AuditAction::View,
        client,
    )
    .await?;
    let entries = state
        .store()
        .chronology(child.id)
        .await?
        .into_iter()
        .filter_map(|e| {
            let (what, link) = describe(&e)?;
            Some(Entry {
                at: e.at,
                what,
                link,
                actor: e.actor,
                agency: e.agency,
                merged_record: e.merged_record,
            })
        })
        .collect();
    Ok((child, entries))
}

/// GET /children/{id}/chronology: needs the same right as the child's Concerns section; the
/// view is audited.
pub async fn chronology(
    State(state): State<AppState>,
    who: SignedIn,
    client: Client,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let Ok(child_id) = id.parse() else {
        return Err(AppError::NotFound);
    };
    let (child, entries) = open(&state, &who.principal, child_id, &client).await?;
    let lines = entries
        .into_iter()
        .map(|e| Line {
            when: london_time(e.at),
            who: match (e.actor, e.agency) {
                (Some(a), Some(g)) => format!("{a}, {g}"),
                (Some(a), None) => a,
                _ => "Safehub".into(),
            },
            what: e.what,
            link: e.link,
        })
        .collect();
    let name = format!("{} {}", child.name.given(), child.name.family());
    render(&ChronologyPage {
        layout: who.layout(&state, &format!("Chronology: {name}"), "/children"),
        child_id: id,
        child_name: name,
        lines,
    })
}
