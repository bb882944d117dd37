//! The administrator's view of the agencies in their areas: kind, areas served, the SPOC
//! list (R1.3, R2.6) and teams, with a form to add a team.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use safehub_domain::{AgencyId, TeamId};
use safehub_store::AuditAction;
use safehub_store::audit::RecordKind;
use safehub_store::organisations::{self, Team};
use serde::Deserialize;

use super::{render, render_invalid};
use crate::AppState;
use crate::error::AppError;
use crate::guard;
use crate::layout::Layout;
use crate::posted::Posted;
use crate::session::SignedIn;

/// One agency's row.
pub struct AgencyRow {
    id: AgencyId,
    name: String,
    kind: &'static str,
    areas: String,
    spocs: Vec<String>,
    teams: Vec<String>,
}

#[derive(Template)]
#[template(path = "admin_agencies.html")]
struct AgenciesPage {
    layout: Layout,
    rows: Vec<AgencyRow>,
    team_name: String,
    team_agency: String,
}

/// The add-a-team form.
#[derive(Deserialize)]
pub struct TeamForm {
    #[serde(default)]
    name: String,
}

async fn page(state: &AppState, who: &SignedIn) -> Result<AgenciesPage, AppError> {
    let areas = guard::administered_areas(state, &who.principal);
    if areas.is_empty() {
        return Err(AppError::NotFound);
    }
    let area_names: Vec<(safehub_domain::AreaId, String)> = state
        .store()
        .areas()
        .await?
        .into_iter()
        .map(|a| (a.id, a.name))
        .collect();
    let mut rows = Vec::new();
    for agency in state
        .store()
        .agencies()
        .await?
        .into_iter()
        .filter(|a| a.areas.iter().any(|x| areas.contains(x)))
    {
        let spocs = state
            .store()
            .agency_spocs(agency.id)
            .await?
            .into_iter()
            .map(|u| u.display_name)
            .collect();
        let teams = state
            .store()
            .teams(agency.id)
            .await?
            .into_iter()
            .map(|t| t.name)
            .collect();
        let served = agency
            .areas
            .iter()
            .filter_map(|a| {
                area_names
                    .iter()
                    .find(|(id, _)| id == a)
                    .map(|(_, n)| n.as_str())
            })
            .collect::<Vec<_>>()
            .join(", ");
        rows.push(AgencyRow {
            id: agency.id,
            name: agency.name,
            kind: agency.kind.label(),
            areas: served,
            spocs,
            teams,
        });
    }
    Ok(AgenciesPage {
        layout: who.layout(state, "Agencies", "/admin/agencies"),
        rows,
        team_name: String::new(),
        team_agency: String::new(),
    })
}

/// GET /admin/agencies.
pub async fn list(State(state): State<AppState>, who: SignedIn) -> Result<Response, AppError> {
    render(&page(&state, &who).await?)
}

/// POST /admin/agencies/{id}/teams: adds a team to an agency of the administrator's areas.
pub async fn add_team(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted<SignedIn, TeamForm>,
) -> Result<Response, AppError> {
    let Posted { who, form, client } = posted;
    let agency_id: AgencyId = id.parse().map_err(|_| AppError::NotFound)?;
    let agency = state.store().agency(agency_id).await?;
    let areas = guard::administered_areas(&state, &who.principal);
    if !agency.areas.iter().any(|a| areas.contains(a)) {
        return Err(AppError::NotFound);
    }
    let name = form.name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() || name.chars().count() > 100 {
        let mut p = page(&state, &who).await?;
        p.team_name = form.name;
        p.team_agency = agency_id.to_string();
        let message = if name.is_empty() {
            "Enter the team's name"
        } else {
            "Team name must be 100 characters or fewer"
        };
        p.layout.error("team-name", message);
        return render_invalid(&p);
    }
    let team = Team {
        id: TeamId::new(),
        agency: agency_id,
        name,
    };
    let mut tx = state.store().begin().await?;
    organisations::insert_team(&mut tx, &team).await?;
    let e = guard::entry(
        &who.principal,
        AuditAction::Create,
        RecordKind::Team,
        Some(team.id.to_string()),
        None,
        &client,
        serde_json::json!({ "agency": agency_id.to_string() }),
    );
    safehub_store::audit::append(&mut tx, &[e]).await?;
    tx.commit().await?;
    Ok(Redirect::to("/admin/agencies").into_response())
}
