//! The agency SPOC's page (R2.6): a copy of every screening submitted by their agency, and
//! how completely the agency's practitioners use the screening tool.

use std::collections::HashMap;

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use safehub_domain::UserId;
use safehub_domain::screening::Category;
use safehub_store::screenings::CompletionFigures;

use super::{london_time, render};
use crate::AppState;
use crate::client::Client;
use crate::error::AppError;
use crate::guard;
use crate::layout::Layout;
use crate::session::SignedIn;

/// The SPOC's window: the last 12 months.
const WINDOW_MS: i64 = 365 * 24 * 3_600_000;

/// One submitted screening in the SPOC's list.
struct Row {
    id: String,
    child_name: String,
    submitted_at: String,
    submitted_by: String,
    category: &'static str,
    changed: bool,
}

#[derive(Template)]
#[template(path = "spoc.html")]
struct SpocPage {
    layout: Layout,
    agency: String,
    rows: Vec<Row>,
    figures: CompletionFigures,
    completion: String,
}

fn category_label(n: Option<u8>) -> &'static str {
    match n.and_then(Category::from_number) {
        Some(c) => c.label(),
        None => "No CSE indicators identified",
    }
}

/// The share of screenings started that were submitted, as a whole percentage.
fn completion(f: &CompletionFigures) -> String {
    if f.started == 0 {
        "No screenings started".to_owned()
    } else {
        format!("{}%", (f.submitted * 100 + f.started / 2) / f.started)
    }
}

/// GET /spoc: the agency's submitted screenings, newest first, and its completion figures
/// for the last 12 months.
pub async fn page(
    State(state): State<AppState>,
    who: SignedIn,
    client: Client,
) -> Result<Response, AppError> {
    let now = safehub_store::now_ms();
    let since = now - WINDOW_MS;
    let shown = guard::spoc_screenings(&state, &who.principal, since, &client).await?;
    let figures = state
        .store()
        .completion_figures(who.agency.id, since, now)
        .await?;
    let mut names: HashMap<UserId, String> = HashMap::new();
    let mut rows = Vec::with_capacity(shown.len());
    for (s, child) in shown {
        let submitted_by = match names.get(&s.created_by) {
            Some(name) => name.clone(),
            None => {
                let name = state.store().user(s.created_by).await?.display_name;
                names.insert(s.created_by, name.clone());
                name
            }
        };
        rows.push(Row {
            child_name: format!("{} {}", child.name.given(), child.name.family()),
            submitted_at: s.submitted_at.map_or_else(String::new, london_time),
            submitted_by,
            category: category_label(s.category),
            changed: s.category != s.proposed_category,
            id: s.id,
        });
    }
    render(&SpocPage {
        layout: who.layout(&state, "Screenings from your agency", "/spoc"),
        agency: who.agency.name.clone(),
        rows,
        completion: completion(&figures),
        figures,
    })
}
