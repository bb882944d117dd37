//! "My work": the home page, shaped by the user's roles.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use safehub_domain::Role;
use safehub_store::children::Child;

use super::render;
use crate::AppState;
use crate::client::Client;
use crate::error::AppError;
use crate::layout::Layout;
use crate::session::SignedIn;

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    layout: Layout,
    name: String,
    agency: String,
    roles: Vec<&'static str>,
    children: Option<Vec<Child>>,
    is_admin: bool,
    is_auditor: bool,
    is_board_reader: bool,
    child_count: i64,
    spocs: Vec<(String, String)>,
}

/// GET /.
pub async fn home(
    State(state): State<AppState>,
    who: SignedIn,
    client: Client,
) -> Result<Response, AppError> {
    let roles = &who.user.roles;
    let sees_children = roles
        .iter()
        .any(|r| !matches!(r, Role::Administrator | Role::BoardReader));
    let children = if sees_children {
        Some(crate::guard::list_children(&state, &who.principal, &client, 10).await?)
    } else {
        None
    };
    let is_board_reader = roles.contains(&Role::BoardReader);
    let spocs = state
        .store()
        .agency_spocs(who.agency.id)
        .await?
        .into_iter()
        .map(|u| (u.display_name, u.email))
        .collect();
    let child_count = if is_board_reader {
        state.store().count_children().await?
    } else {
        0
    };
    render(&HomePage {
        layout: who.layout(&state, "My work", "/"),
        name: who.user.display_name.clone(),
        agency: who.agency.name.clone(),
        roles: roles.iter().map(|r| r.label()).collect(),
        children,
        is_admin: roles.contains(&Role::Administrator),
        is_auditor: roles.contains(&Role::QaAuditor),
        is_board_reader,
        child_count,
        spocs,
    })
}
