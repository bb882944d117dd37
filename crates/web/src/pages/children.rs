//! A child's record page and the list of children a user may see; both go through the
//! enforcement point, which audits them. Recording and changing a child are in `record`,
//! duplicates and merges in `merge` (R2.1).

mod merge;
mod record;

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use jiff::civil::Date;
use safehub_access::Section;
use safehub_domain::{ChildId, DateOfBirth};
use safehub_store::child_record::{ChildRecord, Ethnicity};
use safehub_store::children::{Child, Involvement, RecordState};

use super::{london_time, render};
use crate::AppState;
use crate::client::Client;
use crate::error::AppError;
use crate::guard::{self, ChildRights, ChildView};
use crate::layout::Layout;
use crate::session::SignedIn;

/// The routes of the full child record, beside `/children` and `/children/{id}`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/children/new", get(record::new_form).post(record::create))
        .route("/children/duplicates", get(merge::duplicates))
        .route(
            "/children/duplicates/{flag}/resolve",
            post(merge::resolve_flag),
        )
        .route("/children/merges/{merge}/undo", post(merge::undo))
        .route(
            "/children/{id}/edit",
            get(record::edit_form).post(record::edit),
        )
        .route(
            "/children/{id}/aliases",
            get(record::alias_form).post(record::add_alias),
        )
        .route(
            "/children/{id}/addresses",
            get(record::address_form).post(record::add_address),
        )
        .route(
            "/children/{id}/professionals",
            get(record::professional_form).post(record::add_professional),
        )
        .route(
            "/children/{id}/merge",
            get(merge::merge_form).post(merge::merge),
        )
}

/// Today in England, for dates of birth and ages.
pub(crate) fn today() -> Date {
    safehub_domain::london_date(jiff::Timestamp::now())
}

/// A date as people read it: 3 April 2012.
pub(crate) fn long_date(d: Date) -> String {
    d.strftime("%-d %B %Y").to_string()
}

/// The date of birth as shown: the date, "Not known", or for an estimate "Not known".
pub(crate) fn birth_text(child: &Child, state: &RecordState) -> String {
    match child.date_of_birth {
        Some(d) if !state.age_estimated => long_date(d),
        _ => "Not known".to_owned(),
    }
}

/// The age as shown: "12 (Under 13)", "About 14 years old (estimated)", or "Not known".
pub(crate) fn age_text(child: &Child, state: &RecordState, today: Date) -> String {
    let Some(born) = child
        .date_of_birth
        .and_then(|d| DateOfBirth::check(d, today).ok())
    else {
        return "Not known".to_owned();
    };
    let age = born.age_on(today);
    let band = born.band_on(today).label();
    if state.age_estimated {
        format!("About {age} years old (estimated; {band})")
    } else {
        format!("{age} ({band})")
    }
}

/// One row of a summary list.
pub(crate) struct Row {
    pub key: &'static str,
    pub value: String,
}

/// One address as shown.
pub(crate) struct AddressRow {
    pub lines: Vec<String>,
    pub postcode: String,
    pub dates: String,
    pub current: bool,
}

/// One professional as shown.
pub(crate) struct ProfessionalRow {
    pub name: String,
    pub role: String,
    pub agency: String,
    pub contact: String,
}

/// The full record, ready for a template (R2.1).
pub(crate) struct RecordDisplay {
    pub details: Vec<Row>,
    /// (name, kind)
    pub aliases: Vec<(String, &'static str)>,
    pub addresses: Vec<AddressRow>,
    pub professionals: Vec<ProfessionalRow>,
    /// (agency, how, since)
    pub agencies: Vec<(String, &'static str, String)>,
}

async fn agency_name(state: &AppState, id: safehub_domain::AgencyId) -> Result<String, AppError> {
    Ok(state.directory().agency(state.store(), id).await?.name)
}

/// Lays a full record out for a page.
pub(crate) async fn display(
    state: &AppState,
    r: &ChildRecord,
    today: Date,
) -> Result<RecordDisplay, AppError> {
    let area = state
        .directory()
        .area_name(state.store(), r.child.area)
        .await?;
    let mut details = vec![
        Row {
            key: "Date of birth",
            value: birth_text(&r.child, &r.state),
        },
        Row {
            key: "Age",
            value: age_text(&r.child, &r.state, today),
        },
        Row {
            key: "Gender",
            value: r.child.gender.label().to_owned(),
        },
        Row {
            key: "Ethnicity",
            value: if r.details.ethnicity == Ethnicity::NotKnown {
                "Not known".to_owned()
            } else {
                r.details.ethnicity.full_label()
            },
        },
        Row {
            key: "Legal status",
            value: r.child.legal_status.label().to_owned(),
        },
    ];
    if let Some(authority) = &r.details.placing_authority {
        details.push(Row {
            key: "Placed here by",
            value: authority.clone(),
        });
    }
    details.extend([
        Row {
            key: "Responsible area",
            value: area,
        },
        Row {
            key: "School or college",
            value: or_not_known(&r.details.school),
        },
        Row {
            key: "GP practice",
            value: or_not_known(&r.details.gp),
        },
    ]);
    let aliases = r
        .aliases
        .iter()
        .map(|a| (a.name.clone(), a.kind.label()))
        .collect();
    let addresses = r
        .addresses
        .iter()
        .map(|a| AddressRow {
            lines: a.address.lines().map(str::to_owned).collect(),
            postcode: a.postcode.clone(),
            dates: match (a.since, a.until) {
                (Some(s), Some(u)) => format!("{} to {}", long_date(s), long_date(u)),
                (Some(s), None) => format!("Since {}", long_date(s)),
                (None, Some(u)) => format!("Until {}", long_date(u)),
                (None, None) => "Dates not known".to_owned(),
            },
            current: a.is_current(),
        })
        .collect();
    let mut professionals = Vec::new();
    for p in &r.professionals {
        professionals.push(ProfessionalRow {
            name: p.name.clone(),
            role: p.role.clone(),
            agency: match p.agency {
                Some(a) => agency_name(state, a).await?,
                None => "Not listed".to_owned(),
            },
            contact: or_not_known(&p.contact),
        });
    }
    let mut agencies = Vec::new();
    for a in &r.agencies {
        agencies.push((
            agency_name(state, a.agency).await?,
            match a.how {
                Involvement::Involved => "Involved",
                Involvement::Routed => "Contact or referral routed to them",
            },
            london_time(a.since),
        ));
    }
    Ok(RecordDisplay {
        details,
        aliases,
        addresses,
        professionals,
        agencies,
    })
}

fn or_not_known(s: &str) -> String {
    if s.is_empty() {
        "Not known".to_owned()
    } else {
        s.to_owned()
    }
}

/// A row of the list of children.
struct ListRow {
    id: ChildId,
    name: String,
    born: String,
    legal_status: &'static str,
}

#[derive(Template)]
#[template(path = "children.html")]
struct ListPage {
    layout: Layout,
    children: Vec<ListRow>,
    can_record: bool,
    can_merge: bool,
}

/// GET /children.
pub async fn list(
    State(state): State<AppState>,
    who: SignedIn,
    client: Client,
) -> Result<Response, AppError> {
    let children = guard::list_children(&state, &who.principal, &client, 200).await?;
    let ids: Vec<ChildId> = children.iter().map(|c| c.id).collect();
    let estimated: std::collections::HashSet<ChildId> = state
        .store()
        .children_with_state(&ids)
        .await?
        .into_iter()
        .filter(|(_, _, s)| s.age_estimated)
        .map(|(c, _, _)| c.id)
        .collect();
    let today = today();
    let children = children
        .iter()
        .map(|c| {
            let state = RecordState {
                age_estimated: estimated.contains(&c.id),
                ..RecordState::default()
            };
            ListRow {
                id: c.id,
                name: format!("{}, {}", c.name.family(), c.name.given()),
                born: if state.age_estimated {
                    age_text(c, &state, today)
                } else {
                    birth_text(c, &state)
                },
                legal_status: c.legal_status.label(),
            }
        })
        .collect();
    render(&ListPage {
        layout: who.layout(&state, "Children", "/children"),
        children,
        can_record: !guard::recordable_areas(&state, &who.principal).is_empty(),
        can_merge: !guard::merge_areas(&state, &who.principal).is_empty(),
    })
}

pub(crate) fn section_label(s: Section) -> &'static str {
    match s {
        Section::Summary => "Summary",
        Section::Concerns => "Concerns, screenings and referrals",
        Section::Plans => "Meetings and plans",
        Section::Investigation => "Police investigation",
    }
}

/// A possible duplicate on the child's page.
struct FlagRow {
    flag: String,
    other: ChildId,
    other_name: String,
}

/// A merge into this record, on its page.
struct MergeRow {
    id: String,
    merged: ChildId,
    when: String,
}

#[derive(Template)]
#[template(path = "child.html")]
struct ChildPage {
    layout: Layout,
    view: ChildView,
    record: Option<RecordDisplay>,
    hidden: Vec<&'static str>,
    show_summary: bool,
    can_audit: bool,
    rights: ChildRights,
    flags: Vec<FlagRow>,
    merges: Vec<MergeRow>,
    concerns: Option<ConcernsDisplay>,
    /// Whether the user may share information about the child's area with the police.
    may_share: bool,
}

/// The child's concerns, screenings, referrals and time limits as the record page lists them
/// (the Concerns section, R2, R3).
struct ConcernsDisplay {
    referrals: Vec<(String, String, &'static str, Option<u8>, &'static str)>,
    screenings: Vec<(String, String, Option<u8>)>,
    clocks: Vec<super::mash::ClockRow>,
    may_add: bool,
    police: bool,
}

async fn concerns_display(
    state: &AppState,
    who: &SignedIn,
    view: &ChildView,
) -> Result<Option<ConcernsDisplay>, AppError> {
    if !view.visible.contains(&Section::Concerns) {
        return Ok(None);
    }
    let store = state.store();
    let id = view.child.id;
    let referrals = store
        .referrals_of_child(id)
        .await?
        .into_iter()
        .map(|r| {
            (
                r.id,
                london_time(r.received_at),
                r.route.label(),
                r.category,
                r.status.label(),
            )
        })
        .collect();
    let screenings = store
        .screenings_of_child(id)
        .await?
        .into_iter()
        .map(|s| {
            (
                s.id,
                london_time(s.submitted_at.unwrap_or(s.updated_at)),
                s.category,
            )
        })
        .collect();
    let now = safehub_store::now_ms();
    let clocks = super::mash::clock_rows(&store.clocks_of_child(id).await?, now);
    let may_add = guard::concerns_decision(
        state,
        &who.principal,
        &view.child,
        &view.agencies,
        safehub_access::Action::Edit,
    )
    .allowed;
    Ok(Some(ConcernsDisplay {
        referrals,
        screenings,
        clocks,
        may_add,
        police: who.principal.agency_kind == safehub_domain::AgencyKind::Police,
    }))
}

#[derive(Template)]
#[template(path = "child_merged.html")]
struct MergedPage {
    layout: Layout,
    view: ChildView,
    kept: Option<ChildId>,
    merge: Option<(String, String)>,
    can_undo: bool,
}

/// GET /children/{id}: the child's record, as far as this user may see it.
pub async fn summary(
    State(state): State<AppState>,
    who: SignedIn,
    client: Client,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let (view, record) = guard::view_child_record(&state, &who.principal, &id, &client).await?;
    let title = format!("{} {}", view.child.name.given(), view.child.name.family());
    let rights = guard::child_rights(&state, &who.principal, &view.child, &view.agencies);
    if let Some(kept) = view.state.merged_into {
        return merged(&state, &who, view, kept, rights, &title).await;
    }
    let today = today();
    let record = match &record {
        Some(r) => Some(display(&state, r, today).await?),
        None => None,
    };
    let (mut flags, mut merges) = (Vec::new(), Vec::new());
    if rights.merge {
        let this = view.child.id;
        for f in guard::open_duplicate_flags(&state, &who.principal, Some(this), &client).await? {
            let other = if f.child.id == this {
                f.candidate
            } else {
                f.child
            };
            flags.push(FlagRow {
                flag: f.flag.id,
                other: other.id,
                other_name: other.name.to_string(),
            });
        }
        for m in state.store().merges_involving(this).await? {
            if m.kept == this && m.undone.is_none() {
                merges.push(MergeRow {
                    id: m.id,
                    merged: m.merged,
                    when: london_time(m.merged_at),
                });
            }
        }
    }
    let concerns = concerns_display(&state, &who, &view).await?;
    let may_share = guard::may_share_into(&state, &who.principal, view.child.area);
    render(&ChildPage {
        may_share,
        layout: who.layout(&state, &title, "/children"),
        record,
        concerns,
        hidden: view.hidden.iter().map(|s| section_label(*s)).collect(),
        show_summary: view.visible.contains(&Section::Summary),
        can_audit: who.user.roles.contains(&safehub_domain::Role::QaAuditor),
        rights,
        flags,
        merges,
        view,
    })
}

/// The page of a record merged into another: where to go instead, and (for those who may
/// merge both) the button that undoes the merge.
async fn merged(
    state: &AppState,
    who: &SignedIn,
    view: ChildView,
    kept: ChildId,
    rights: ChildRights,
    title: &str,
) -> Result<Response, AppError> {
    let kept_rights = match state.store().child(kept).await? {
        Some((child, agencies)) => {
            let may_view = state
                .access()
                .decide(
                    &who.principal,
                    safehub_access::Action::View,
                    &safehub_access::Resource::Child(guard::child_facts(&child, &agencies)),
                )
                .allowed;
            Some((
                may_view,
                guard::child_rights(state, &who.principal, &child, &agencies),
            ))
        }
        None => None,
    };
    let merge = state
        .store()
        .merges_involving(view.child.id)
        .await?
        .into_iter()
        .find(|m| m.merged == view.child.id && m.undone.is_none());
    let can_undo =
        rights.merge && kept_rights.is_some_and(|(v, r)| v && r.merge) && merge.is_some();
    render(&MergedPage {
        layout: who.layout(state, title, "/children"),
        kept: kept_rights.filter(|(v, _)| *v).map(|_| kept),
        merge: merge.map(|m| (m.id, london_time(m.merged_at))),
        can_undo,
        view,
    })
}
