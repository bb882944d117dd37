//! Account administration: list, add, disable and reset the second factor of the accounts
//! in the administrator's areas. Administrators see no child data through these pages.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use safehub_auth::SecretString;
use safehub_domain::{AgencyId, Role, UserId};
use safehub_store::audit::RecordKind;
use safehub_store::organisations::Agency;
use safehub_store::users::{self, NewUser, User};
use safehub_store::{AuditAction, StoreError};
use serde::Deserialize;

use super::{london_time, render, render_invalid};
use crate::AppState;
use crate::client::Client;
use crate::error::AppError;
use crate::guard;
use crate::layout::Layout;
use crate::posted::Posted;
use crate::session::SignedIn;

/// An account row.
pub struct AccountRow {
    id: UserId,
    name: String,
    email: String,
    agency: String,
    roles: String,
    status: &'static str,
}

#[derive(Template)]
#[template(path = "admin_users.html")]
struct ListPage {
    layout: Layout,
    rows: Vec<AccountRow>,
}

#[derive(Template)]
#[template(path = "admin_user_new.html")]
struct NewPage {
    layout: Layout,
    agencies: Vec<Agency>,
    /// Each team as (id, "Agency: Team").
    teams: Vec<(String, String)>,
    role_choices: Vec<(&'static str, &'static str, bool)>,
    form: NewUserForm,
}

#[derive(Template)]
#[template(path = "admin_user.html")]
struct ShowPage {
    layout: Layout,
    user: User,
    agency: String,
    roles: String,
    created: String,
    status: &'static str,
    team: String,
    role_choices: Vec<(&'static str, &'static str, bool)>,
}

fn role_choices(chosen: &[Role]) -> Vec<(&'static str, &'static str, bool)> {
    Role::ALL
        .iter()
        .map(|r| (r.code(), r.label(), chosen.contains(r)))
        .collect()
}

async fn show_page(
    state: &AppState,
    who: &SignedIn,
    user: User,
    chosen: &[Role],
) -> Result<ShowPage, AppError> {
    let agency = state.store().agency(user.agency).await?.name;
    let team = match user.team {
        Some(id) => state
            .store()
            .teams(user.agency)
            .await?
            .into_iter()
            .find(|t| t.id == id)
            .map_or_else(String::new, |t| t.name),
        None => "No team".to_owned(),
    };
    Ok(ShowPage {
        team,
        layout: who.layout(state, &user.display_name, "/admin/users"),
        agency,
        roles: roles_text(&user),
        created: london_time(user.created_at),
        status: status(&user),
        role_choices: role_choices(chosen),
        user,
    })
}

/// The new-account form. Read from the raw pairs because checkboxes repeat the `role` key.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(from = "Vec<(String, String)>")]
pub struct NewUserForm {
    email: String,
    display_name: String,
    agency: String,
    password: String,
    team: String,
    roles: Vec<String>,
}

impl From<Vec<(String, String)>> for NewUserForm {
    fn from(pairs: Vec<(String, String)>) -> Self {
        let mut form = NewUserForm::default();
        for (key, value) in pairs {
            match key.as_str() {
                "email" => form.email = value,
                "display_name" => form.display_name = value,
                "agency" => form.agency = value,
                "password" => form.password = value,
                "team" => form.team = value,
                "role" => form.roles.push(value),
                _ => {}
            }
        }
        form
    }
}

fn status(u: &User) -> &'static str {
    if u.disabled_at.is_some() {
        "Disabled"
    } else if !u.totp_enrolled {
        "Second factor not set up"
    } else {
        "Active"
    }
}

fn roles_text(u: &User) -> String {
    u.roles
        .iter()
        .map(|r| r.label())
        .collect::<Vec<_>>()
        .join(", ")
}

async fn agencies_administered(state: &AppState, who: &SignedIn) -> Result<Vec<Agency>, AppError> {
    let areas = guard::administered_areas(state, &who.principal);
    Ok(state
        .store()
        .agencies()
        .await?
        .into_iter()
        .filter(|a| a.areas.iter().any(|x| areas.contains(x)))
        .collect())
}

/// GET /admin/users.
pub async fn list(
    State(state): State<AppState>,
    who: SignedIn,
    client: Client,
) -> Result<Response, AppError> {
    let areas = guard::administered_areas(&state, &who.principal);
    if areas.is_empty() {
        return Err(AppError::NotFound);
    }
    let agencies = state.store().agencies().await?;
    let users = state.store().users_in_areas(&areas).await?;
    let e = guard::entry(
        &who.principal,
        AuditAction::View,
        RecordKind::User,
        None,
        None,
        &client,
        serde_json::json!({ "count": users.len() }),
    );
    state.store().record(e).await?;
    let rows = users
        .iter()
        .map(|u| AccountRow {
            id: u.id,
            name: u.display_name.clone(),
            email: u.email.clone(),
            agency: agencies
                .iter()
                .find(|a| a.id == u.agency)
                .map_or_else(String::new, |a| a.name.clone()),
            roles: roles_text(u),
            status: status(u),
        })
        .collect();
    render(&ListPage {
        layout: who.layout(&state, "Accounts", "/admin/users"),
        rows,
    })
}

/// The teams of the given agencies, labelled with their agency.
async fn team_choices(
    state: &AppState,
    agencies: &[Agency],
) -> Result<Vec<(String, String, AgencyId)>, AppError> {
    let mut out = Vec::new();
    for a in agencies {
        for t in state.store().teams(a.id).await? {
            out.push((t.id.to_string(), format!("{}: {}", a.name, t.name), a.id));
        }
    }
    Ok(out)
}

fn new_page(
    state: &AppState,
    who: &SignedIn,
    agencies: Vec<Agency>,
    teams: &[(String, String, AgencyId)],
    form: NewUserForm,
) -> NewPage {
    let chosen: Vec<Role> = form.roles.iter().filter_map(|c| c.parse().ok()).collect();
    NewPage {
        layout: who.layout(state, "Add an account", "/admin/users"),
        agencies,
        teams: teams
            .iter()
            .map(|(id, label, _)| (id.clone(), label.clone()))
            .collect(),
        role_choices: role_choices(&chosen),
        form,
    }
}

/// GET /admin/users/new.
pub async fn new_form(State(state): State<AppState>, who: SignedIn) -> Result<Response, AppError> {
    let agencies = agencies_administered(&state, &who).await?;
    if agencies.is_empty() {
        return Err(AppError::NotFound);
    }
    let teams = team_choices(&state, &agencies).await?;
    render(&new_page(
        &state,
        &who,
        agencies,
        &teams,
        NewUserForm::default(),
    ))
}

/// POST /admin/users/new.
pub async fn create(
    State(state): State<AppState>,
    posted: Posted<SignedIn, NewUserForm>,
) -> Result<Response, AppError> {
    let Posted { who, form, client } = posted;
    let agencies = agencies_administered(&state, &who).await?;
    if agencies.is_empty() {
        return Err(AppError::NotFound);
    }
    let teams = team_choices(&state, &agencies).await?;
    let mut page = new_page(&state, &who, agencies.clone(), &teams, form.clone());
    let email = form.email.trim().to_lowercase();
    if email.is_empty() {
        page.layout
            .error("email", "Enter the person's work email address");
    } else if !email.contains('@') || email.len() > 254 || email.contains(char::is_whitespace) {
        page.layout.error(
            "email",
            "Enter an email address in the correct format, like name@example.org",
        );
    }
    let name = form
        .display_name
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if name.is_empty() {
        page.layout.error("display_name", "Enter the person's name");
    } else if name.chars().count() > 100 {
        page.layout
            .error("display_name", "Name must be 100 characters or fewer");
    }
    let agency = form
        .agency
        .parse::<AgencyId>()
        .ok()
        .filter(|id| agencies.iter().any(|a| a.id == *id));
    if agency.is_none() {
        page.layout.error("agency", "Select the person's agency");
    }
    // A team is optional, but must belong to the chosen agency.
    let team = if form.team.is_empty() {
        None
    } else {
        match teams
            .iter()
            .find(|(id, _, a)| *id == form.team && Some(*a) == agency)
        {
            Some((id, _, _)) => id.parse().ok(),
            None => {
                page.layout
                    .error("team", "Select a team of the person's agency, or no team");
                None
            }
        }
    };
    let roles: Vec<Role> = form.roles.iter().filter_map(|c| c.parse().ok()).collect();
    if roles.is_empty() {
        page.layout.error("role", "Select at least one role");
    }
    if let Err(problem) = safehub_auth::check_new_password(&form.password, &email) {
        page.layout.error("password", problem.message());
    }
    let Some(agency) = agency.filter(|_| !page.layout.has_errors()) else {
        return render_invalid(&page);
    };
    let hash = state
        .config()
        .password_hasher
        .hash(&SecretString::from(form.password.clone()))?;
    let new = NewUser {
        id: UserId::new(),
        email,
        display_name: name,
        agency,
        team,
        roles,
        password_hash: hash,
        is_service_account: false,
    };
    let mut tx = state.store().begin().await?;
    match users::insert_user(&mut tx, &new).await {
        Err(StoreError::Conflict(_)) => {
            page.layout
                .error("email", "An account with this email address already exists");
            return render_invalid(&page);
        }
        other => other?,
    }
    let roles: Vec<&str> = new.roles.iter().map(|r| r.code()).collect();
    let e = guard::entry(
        &who.principal,
        AuditAction::Create,
        RecordKind::User,
        Some(new.id.to_string()),
        None,
        &client,
        serde_json::json!({ "roles": roles, "agency": agency.to_string() }),
    );
    safehub_store::audit::append(&mut tx, &[e]).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/admin/users/{}", new.id)).into_response())
}

async fn target(
    state: &AppState,
    who: &SignedIn,
    client: &Client,
    id: &str,
) -> Result<User, AppError> {
    let id: UserId = id.parse().map_err(|_| AppError::NotFound)?;
    let user = state.store().user(id).await?;
    guard::administer_user(state, &who.principal, &user, client).await?;
    Ok(user)
}

/// GET /admin/users/{id}.
pub async fn show(
    State(state): State<AppState>,
    who: SignedIn,
    client: Client,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let user = target(&state, &who, &client, &id).await?;
    let e = guard::entry(
        &who.principal,
        AuditAction::View,
        RecordKind::User,
        Some(user.id.to_string()),
        None,
        &client,
        serde_json::json!({}),
    );
    state.store().record(e).await?;
    let chosen = user.roles.clone();
    render(&show_page(&state, &who, user, &chosen).await?)
}

/// POST /admin/users/{id}/roles: replaces the account's roles; effective on its next request.
pub async fn set_roles(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted<SignedIn, NewUserForm>,
) -> Result<Response, AppError> {
    let Posted { who, form, client } = posted;
    let user = target(&state, &who, &client, &id).await?;
    let roles: Vec<Role> = form.roles.iter().filter_map(|c| c.parse().ok()).collect();
    if roles.is_empty() {
        let mut page = show_page(&state, &who, user, &roles).await?;
        page.layout.error("role", "Select at least one role");
        return render_invalid(&page);
    }
    let before: Vec<&str> = user.roles.iter().map(|r| r.code()).collect();
    let after: Vec<&str> = roles.iter().map(|r| r.code()).collect();
    let mut tx = state.store().begin().await?;
    users::set_roles(&mut tx, user.id, &roles).await?;
    let e = guard::entry(
        &who.principal,
        AuditAction::Change,
        RecordKind::User,
        Some(user.id.to_string()),
        None,
        &client,
        serde_json::json!({ "roles_before": before, "roles_after": after }),
    );
    safehub_store::audit::append(&mut tx, &[e]).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/admin/users/{}", user.id)).into_response())
}

/// What an administrator can do to an account with one button.
#[derive(Clone, Copy)]
enum AccountAction {
    Disable,
    ResetSecondFactor,
}

/// Applies an account action and its audit entry in one transaction.
async fn apply(
    state: &AppState,
    posted: Posted<SignedIn, crate::pages::sign_in::EmptyForm>,
    id: &str,
    action: AccountAction,
) -> Result<Response, AppError> {
    let Posted { who, client, .. } = posted;
    let user = target(state, &who, &client, id).await?;
    let mut tx = state.store().begin().await?;
    let audited = match action {
        AccountAction::Disable => {
            if user.id == who.user.id {
                return Err(AppError::BadRequest("You cannot disable your own account."));
            }
            users::disable_user(&mut tx, user.id).await?;
            AuditAction::Disable
        }
        AccountAction::ResetSecondFactor => {
            users::reset_second_factor(&mut tx, user.id).await?;
            AuditAction::ResetSecondFactor
        }
    };
    let e = guard::entry(
        &who.principal,
        audited,
        RecordKind::User,
        Some(user.id.to_string()),
        None,
        &client,
        serde_json::json!({}),
    );
    safehub_store::audit::append(&mut tx, &[e]).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/admin/users/{}", user.id)).into_response())
}

/// POST /admin/users/{id}/disable: disables the account and ends its sessions at once.
pub async fn disable(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted<SignedIn, crate::pages::sign_in::EmptyForm>,
) -> Result<Response, AppError> {
    apply(&state, posted, &id, AccountAction::Disable).await
}

/// POST /admin/users/{id}/reset-second-factor: the person enrols again at next sign-in.
pub async fn reset_second_factor(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted<SignedIn, crate::pages::sign_in::EmptyForm>,
) -> Result<Response, AppError> {
    apply(&state, posted, &id, AccountAction::ResetSecondFactor).await
}
