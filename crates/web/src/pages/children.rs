//! A child's summary page and the list of children a user may see; both go through the
//! enforcement point, which audits them.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use safehub_access::Section;
use safehub_store::children::Child;

use super::render;
use crate::AppState;
use crate::client::Client;
use crate::error::AppError;
use crate::guard::{self, ChildView};
use crate::layout::Layout;
use crate::session::SignedIn;

#[derive(Template)]
#[template(path = "children.html")]
struct ListPage {
    layout: Layout,
    children: Vec<Child>,
}

#[derive(Template)]
#[template(path = "child.html")]
struct ChildPage {
    layout: Layout,
    view: ChildView,
    age: Option<i16>,
    band: Option<&'static str>,
    area: String,
    hidden: Vec<&'static str>,
    show_summary: bool,
    can_audit: bool,
}

/// GET /children.
pub async fn list(
    State(state): State<AppState>,
    who: SignedIn,
    client: Client,
) -> Result<Response, AppError> {
    let children = guard::list_children(&state, &who.principal, &client, 200).await?;
    render(&ListPage {
        layout: who.layout(&state, "Children", "/children"),
        children,
    })
}

fn section_label(s: Section) -> &'static str {
    match s {
        Section::Summary => "Summary",
        Section::Concerns => "Concerns, screenings and referrals",
        Section::Plans => "Meetings and plans",
        Section::Investigation => "Police investigation",
    }
}

/// GET /children/{id}: the child's summary, as far as this user may see it.
pub async fn summary(
    State(state): State<AppState>,
    who: SignedIn,
    client: Client,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let view = guard::view_child(&state, &who.principal, &id, &client).await?;
    let today = jiff::Zoned::now().date();
    let age = view
        .child
        .date_of_birth
        .and_then(|d| safehub_domain::DateOfBirth::check(d, today).ok());
    let area = state
        .directory()
        .area_name(state.store(), view.child.area)
        .await?;
    let title = format!("{} {}", view.child.name.given(), view.child.name.family());
    render(&ChildPage {
        layout: who.layout(&state, &title, "/children"),
        age: age.as_ref().map(|d| d.age_on(today)),
        band: age.as_ref().map(|d| d.band_on(today).label()),
        area,
        hidden: view.hidden.iter().map(|s| section_label(*s)).collect(),
        show_summary: view.visible.contains(&Section::Summary),
        can_audit: who.user.roles.contains(&safehub_domain::Role::QaAuditor),
        view,
    })
}
