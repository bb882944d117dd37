//! Recording a child and changing the record (R2.1): the details form with the duplicate
//! check before a record is made, optimistic concurrency on edits, and the small forms that
//! add another name, an address or a professional. Every form shows its errors in the GOV.UK
//! error summary and keeps what was typed.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use safehub_domain::{AreaId, ChildId, Gender, LegalStatus};
use safehub_store::audit::{self, RecordKind};
use safehub_store::child_record::{
    self, AddressForm, AliasForm, AliasKind, ChildFields, ChildRecord, ETHNIC_GROUPS, Ethnicity,
    FieldProblem, NewChildRecord, Probe, ProfessionalForm, RecordForm,
};
use safehub_store::{AuditAction, StoreError};
use serde::Deserialize;

use super::{Row, age_text, birth_text, display, today};
use crate::AppState;
use crate::client::Client;
use crate::error::AppError;
use crate::guard::{self, ShownCandidate};
use crate::layout::Layout;
use crate::pages::{render, render_invalid};
use crate::posted::Posted;
use crate::session::SignedIn;

/// One radio button or select option: (value, label, `" checked"`/`" selected"` or `""`).
type Choice = (&'static str, &'static str, &'static str);

fn mark(on: bool, attr: &'static str) -> &'static str {
    if on { attr } else { "" }
}

/// The choices the details form offers, with what was chosen marked.
pub(crate) struct DetailOptions {
    dob: Vec<Choice>,
    gender: Vec<Choice>,
    ethnicity: Vec<(&'static str, Vec<Choice>)>,
    ethnicity_not_known: &'static str,
    legal_status: Vec<Choice>,
    placed_elsewhere: bool,
}

impl DetailOptions {
    pub(crate) fn for_form(f: &RecordForm) -> Self {
        let dob = [
            ("yes", "Yes"),
            ("estimate", "No, but I can estimate their age"),
            ("no", "No, and I cannot estimate it"),
        ]
        .into_iter()
        .map(|(code, label)| (code, label, mark(f.dob_known == code, " checked")))
        .collect();
        DetailOptions {
            dob,
            gender: Gender::ALL
                .iter()
                .map(|g| (g.code(), g.label(), mark(f.gender == g.code(), " checked")))
                .collect(),
            ethnicity: ETHNIC_GROUPS
                .iter()
                .map(|group| {
                    let items = Ethnicity::in_group(group)
                        .into_iter()
                        .map(|e| {
                            (
                                e.code(),
                                e.label(),
                                mark(f.ethnicity == e.code(), " selected"),
                            )
                        })
                        .collect();
                    (*group, items)
                })
                .collect(),
            ethnicity_not_known: mark(f.ethnicity == Ethnicity::NotKnown.code(), " selected"),
            legal_status: LegalStatus::ALL
                .iter()
                .map(|s| {
                    (
                        s.code(),
                        s.label(),
                        mark(f.legal_status == s.code(), " checked"),
                    )
                })
                .collect(),
            placed_elsewhere: f.placed_elsewhere == "yes",
        }
    }
}

fn show_problems(layout: &mut Layout, problems: Vec<FieldProblem>) {
    for p in problems {
        layout.error(p.field, p.message);
    }
}

/// A possible duplicate as the "record a child" page shows it.
pub(crate) struct CandidateRow {
    pub id: ChildId,
    pub name: String,
    pub born: String,
    pub age: String,
    pub postcode: String,
    pub school: String,
    /// Whether the Summary section may be shown (date of birth, postcode, school).
    pub summary: bool,
}

impl CandidateRow {
    pub(crate) fn of(c: &ShownCandidate) -> Self {
        let today = today();
        CandidateRow {
            id: c.child.id,
            name: c.child.name.to_string(),
            born: birth_text(&c.child, &c.state),
            age: age_text(&c.child, &c.state, today),
            postcode: c.postcode.clone().unwrap_or_else(|| "Not known".into()),
            school: if c.school.is_empty() {
                "Not known".into()
            } else {
                c.school.clone()
            },
            summary: c.summary,
        }
    }
}

/// The "record a child" form: the details, the responsible area, where the child lives now
/// and, once possible duplicates were shown, the confirmation that none of them is the child.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewChildForm {
    #[serde(flatten)]
    fields: RecordForm,
    #[serde(flatten)]
    address: AddressForm,
    area: String,
    confirmed: String,
    /// The new record's id, fixed when the form is first shown, so that sending the same
    /// form twice (a double click, the back button) cannot make two records.
    record_id: String,
}

impl NewChildForm {
    /// Every field as it was typed, for carrying through the duplicate check as hidden
    /// inputs.
    fn hidden(&self) -> Vec<(String, String)> {
        let mut out = vec![
            ("area".to_owned(), self.area.clone()),
            ("record_id".to_owned(), self.record_id.clone()),
        ];
        for value in [
            serde_json::to_value(&self.fields),
            serde_json::to_value(&self.address),
        ]
        .into_iter()
        .flatten()
        {
            if let serde_json::Value::Object(map) = value {
                for (k, v) in map {
                    if let serde_json::Value::String(s) = v {
                        out.push((k, s));
                    }
                }
            }
        }
        out
    }
}

#[derive(Template)]
#[template(path = "child_new.html")]
struct NewPage {
    layout: Layout,
    fields: RecordForm,
    options: DetailOptions,
    address: AddressForm,
    /// (id, name, selected)
    areas: Vec<(String, String, &'static str)>,
    candidates: Vec<CandidateRow>,
    hidden: Vec<(String, String)>,
    record_id: String,
}

async fn new_page(
    state: &AppState,
    who: &SignedIn,
    areas: &[AreaId],
    form: &NewChildForm,
) -> Result<NewPage, AppError> {
    let mut choices = Vec::new();
    for a in areas {
        let name = state.directory().area_name(state.store(), *a).await?;
        let selected = form.area == a.to_string() || areas.len() == 1;
        choices.push((a.to_string(), name, mark(selected, " selected")));
    }
    Ok(NewPage {
        layout: who.layout(state, "Record a child", "/children"),
        options: DetailOptions::for_form(&form.fields),
        fields: form.fields.clone(),
        address: form.address.clone(),
        areas: choices,
        candidates: Vec::new(),
        hidden: Vec::new(),
        record_id: form
            .record_id
            .parse::<ChildId>()
            .unwrap_or_else(|_| ChildId::new())
            .to_string(),
    })
}

/// GET /children/new.
pub async fn new_form(State(state): State<AppState>, who: SignedIn) -> Result<Response, AppError> {
    let areas = guard::recordable_areas(&state, &who.principal);
    if areas.is_empty() {
        return Err(AppError::NotFound);
    }
    let form = NewChildForm {
        fields: RecordForm {
            dob_known: "yes".into(),
            ..RecordForm::default()
        },
        ..NewChildForm::default()
    };
    render(&new_page(&state, &who, &areas, &form).await?)
}

/// POST /children/new: checks the form, then looks for records of the same child; a match
/// the user may see is offered instead ("Use this record"), and the new record is made only
/// when there is none or the user confirms that none is the child. Matches the user may not
/// see are never mentioned, but kept as flags for the MASH (R2.1, R8.1).
pub async fn create(
    State(state): State<AppState>,
    posted: Posted<SignedIn, NewChildForm>,
) -> Result<Response, AppError> {
    let Posted { who, form, client } = posted;
    let areas = guard::recordable_areas(&state, &who.principal);
    if areas.is_empty() {
        return Err(AppError::NotFound);
    }
    let today = today();
    let mut page = new_page(&state, &who, &areas, &form).await?;
    let fields = form
        .fields
        .parse(today, None)
        .map_err(|p| show_problems(&mut page.layout, p))
        .ok();
    let area = form
        .area
        .parse::<AreaId>()
        .ok()
        .filter(|a| areas.contains(a))
        .or_else(|| (areas.len() == 1).then(|| areas[0]));
    if area.is_none() {
        page.layout
            .error("area", "Select the area responsible for the child");
    }
    let address = if form.address.is_blank() {
        None
    } else {
        let mut typed = form.address.clone();
        typed.current = "yes".into();
        typed
            .parse(today)
            .map_err(|p| show_problems(&mut page.layout, p))
            .ok()
            .map(|(a, _)| a)
    };
    let (Some(fields), Some(area)) = (fields, area) else {
        return render_invalid(&page);
    };
    if page.layout.has_errors() {
        return render_invalid(&page);
    }
    let decision = guard::record_child_in(&state, &who.principal, area, &client).await?;
    // The same form sent again: the record it made is already there.
    let id = page
        .record_id
        .parse::<ChildId>()
        .unwrap_or_else(|_| ChildId::new());
    if state.store().child(id).await?.is_some() {
        return Ok(Redirect::to(&format!("/children/{id}")).into_response());
    }

    let probe = Probe {
        given: fields.name.given().to_owned(),
        family: fields.name.family().to_owned(),
        date_of_birth: fields.date_of_birth,
        age_estimated: fields.age_estimated,
        postcodes: address.iter().map(|a| a.postcode.clone()).collect(),
    };
    let check = guard::duplicate_check(&state, &who.principal, &probe, None, &client).await?;
    if form.confirmed != "yes" && !check.shown.is_empty() {
        page.layout.title = "Is this child already recorded?".into();
        page.candidates = check.shown.iter().map(CandidateRow::of).collect();
        page.hidden = form.hidden();
        return render(&page);
    }

    let new = NewChildRecord {
        id,
        area,
        fields,
        address,
        created_at: safehub_store::now_ms(),
    };
    let saved = guard::save_new_child(
        &state,
        &who.principal,
        &decision,
        &new,
        &check.hidden,
        check.shown.len(),
        "page",
        &client,
    )
    .await;
    // Two copies of the form racing: the second fails on the record's id, and the user is
    // sent to the record the first one made.
    if saved.is_err() && state.store().child(id).await?.is_none() {
        saved?;
    }
    Ok(Redirect::to(&format!("/children/{}", new.id)).into_response())
}

/// The details form when changing a record: what was typed and the version it was made on.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct EditForm {
    #[serde(flatten)]
    fields: RecordForm,
    version: String,
}

#[derive(Template)]
#[template(path = "child_edit.html")]
struct EditPage {
    layout: Layout,
    id: ChildId,
    name: String,
    fields: RecordForm,
    options: DetailOptions,
    version: i64,
    /// The record as it is now, when someone else changed it meanwhile.
    their_changes: Vec<Row>,
}

fn edit_page(
    state: &AppState,
    who: &SignedIn,
    record: &ChildRecord,
    fields: RecordForm,
    version: i64,
) -> EditPage {
    EditPage {
        layout: who.layout(state, "Change the child's details", "/children"),
        id: record.child.id,
        name: record.child.name.to_string(),
        options: DetailOptions::for_form(&fields),
        fields,
        version,
        their_changes: Vec::new(),
    }
}

/// GET /children/{id}/edit.
pub async fn edit_form(
    State(state): State<AppState>,
    who: SignedIn,
    client: Client,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let (record, _) = guard::edit_child(&state, &who.principal, &id, &client).await?;
    let fields = RecordForm::of(&ChildFields::of(&record), today());
    let version = record.state.version;
    render(&edit_page(&state, &who, &record, fields, version))
}

/// POST /children/{id}/edit: saves the details if nobody changed the record since the form
/// was opened; otherwise shows their changes beside what this user typed (R2.1).
pub async fn edit(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted<SignedIn, EditForm>,
) -> Result<Response, AppError> {
    let Posted { who, form, client } = posted;
    let (record, decision) = guard::edit_child(&state, &who.principal, &id, &client).await?;
    let expected: i64 = form
        .version
        .trim()
        .parse()
        .map_err(|_| AppError::BadRequest("The form was not one this service made."))?;
    let before = ChildFields::of(&record);
    let today = today();
    let mut page = edit_page(&state, &who, &record, form.fields.clone(), expected);
    let fields = match form.fields.parse(today, Some(&before)) {
        Ok(f) => f,
        Err(problems) => {
            show_problems(&mut page.layout, problems);
            return render_invalid(&page);
        }
    };
    if expected != record.state.version {
        return conflict(&state, page, &record).await;
    }
    let changed = fields.changed_from(&before);
    if changed.is_empty() {
        return Ok(Redirect::to(&format!("/children/{}", record.child.id)).into_response());
    }
    let mut tx = state.store().begin().await?;
    match child_record::update_child_fields(&mut tx, record.child.id, expected, &fields).await {
        Err(StoreError::Conflict(_)) => {
            drop(tx);
            let now = state
                .store()
                .child_record(record.child.id)
                .await?
                .ok_or(AppError::NotFound)?;
            return conflict(&state, page, &now).await;
        }
        other => other?,
    };
    commit_change(
        tx,
        &who,
        &record,
        &decision,
        &client,
        serde_json::json!({ "fields": changed }),
    )
    .await
}

/// The edit form again after someone else's change: their version of the record below, the
/// user's typed values kept in the fields, and the form now carrying the current version so
/// that submitting again saves it (409).
async fn conflict(
    state: &AppState,
    mut page: EditPage,
    now: &ChildRecord,
) -> Result<Response, AppError> {
    page.layout.error(
        "their-changes",
        "Someone else changed this record while you were editing it; check their changes \
         below and submit again",
    );
    page.version = now.state.version;
    page.their_changes = display(state, now, today()).await?.details;
    page.their_changes.insert(
        0,
        Row {
            key: "Name",
            value: now.child.name.to_string(),
        },
    );
    let html = page.render()?;
    Ok((
        StatusCode::CONFLICT,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        html,
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "child_alias.html")]
struct AliasPage {
    layout: Layout,
    id: ChildId,
    name: String,
    form: AliasForm,
    kinds: Vec<Choice>,
}

fn alias_page(state: &AppState, who: &SignedIn, r: &ChildRecord, form: AliasForm) -> AliasPage {
    AliasPage {
        layout: who.layout(state, "Add another name", "/children"),
        id: r.child.id,
        name: r.child.name.to_string(),
        kinds: AliasKind::ALL
            .iter()
            .map(|k| (k.code(), k.label(), mark(form.kind == k.code(), " checked")))
            .collect(),
        form,
    }
}

/// GET /children/{id}/aliases: the form for another name the child is known by.
pub async fn alias_form(
    State(state): State<AppState>,
    who: SignedIn,
    client: Client,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let (record, _) = guard::edit_child(&state, &who.principal, &id, &client).await?;
    render(&alias_page(&state, &who, &record, AliasForm::default()))
}

/// POST /children/{id}/aliases.
pub async fn add_alias(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted<SignedIn, AliasForm>,
) -> Result<Response, AppError> {
    let Posted { who, form, client } = posted;
    let (record, decision) = guard::edit_child(&state, &who.principal, &id, &client).await?;
    let alias = match form.parse() {
        Ok(a) => a,
        Err(problems) => {
            let mut page = alias_page(&state, &who, &record, form);
            show_problems(&mut page.layout, problems);
            return render_invalid(&page);
        }
    };
    let mut tx = state.store().begin().await?;
    let added = child_record::add_alias(&mut tx, record.child.id, &alias).await?;
    commit_change(
        tx,
        &who,
        &record,
        &decision,
        &client,
        serde_json::json!({ "added": "alias", "alias": added, "kind": alias.kind.code() }),
    )
    .await
}

#[derive(Template)]
#[template(path = "child_address.html")]
struct AddressPage {
    layout: Layout,
    id: ChildId,
    name: String,
    form: AddressForm,
    current: Vec<Choice>,
    has_current: bool,
}

fn address_page(
    state: &AppState,
    who: &SignedIn,
    r: &ChildRecord,
    form: AddressForm,
) -> AddressPage {
    AddressPage {
        layout: who.layout(state, "Add an address", "/children"),
        id: r.child.id,
        name: r.child.name.to_string(),
        current: [
            ("yes", "Yes, the child has moved here"),
            ("no", "No, this is a previous address"),
        ]
        .into_iter()
        .map(|(c, l)| (c, l, mark(form.current == c, " checked")))
        .collect(),
        has_current: r.current_address().is_some(),
        form,
    }
}

/// GET /children/{id}/addresses: the form for an address in the child's history.
pub async fn address_form(
    State(state): State<AppState>,
    who: SignedIn,
    client: Client,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let (record, _) = guard::edit_child(&state, &who.principal, &id, &client).await?;
    render(&address_page(&state, &who, &record, AddressForm::default()))
}

/// POST /children/{id}/addresses: adds the address; when the child has moved there, the
/// address they lived at until then closes on the day they moved (or today).
pub async fn add_address(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted<SignedIn, AddressForm>,
) -> Result<Response, AppError> {
    let Posted { who, form, client } = posted;
    let (record, decision) = guard::edit_child(&state, &who.principal, &id, &client).await?;
    let today = today();
    let (address, moving) = match form.parse(today) {
        Ok(a) => a,
        Err(problems) => {
            let mut page = address_page(&state, &who, &record, form);
            show_problems(&mut page.layout, problems);
            return render_invalid(&page);
        }
    };
    let moved_on =
        (moving && record.current_address().is_some()).then(|| address.since.unwrap_or(today));
    let mut tx = state.store().begin().await?;
    let added = child_record::add_address(&mut tx, record.child.id, &address, moved_on).await?;
    commit_change(
        tx,
        &who,
        &record,
        &decision,
        &client,
        serde_json::json!({
            "added": "address",
            "address": added,
            "previous_closed": moved_on.is_some(),
        }),
    )
    .await
}

#[derive(Template)]
#[template(path = "child_professional.html")]
struct ProfessionalPage {
    layout: Layout,
    id: ChildId,
    name: String,
    form: ProfessionalForm,
    /// (id, name, selected)
    agencies: Vec<(String, String, &'static str)>,
}

async fn professional_page(
    state: &AppState,
    who: &SignedIn,
    r: &ChildRecord,
    form: ProfessionalForm,
) -> Result<ProfessionalPage, AppError> {
    let agencies = state
        .store()
        .agencies()
        .await?
        .into_iter()
        .map(|a| {
            let id = a.id.to_string();
            let selected = mark(form.agency == id, " selected");
            (id, a.name, selected)
        })
        .collect();
    Ok(ProfessionalPage {
        layout: who.layout(state, "Add a professional", "/children"),
        id: r.child.id,
        name: r.child.name.to_string(),
        form,
        agencies,
    })
}

/// GET /children/{id}/professionals: the form for a professional working with the child.
pub async fn professional_form(
    State(state): State<AppState>,
    who: SignedIn,
    client: Client,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let (record, _) = guard::edit_child(&state, &who.principal, &id, &client).await?;
    let page = professional_page(&state, &who, &record, ProfessionalForm::default()).await?;
    render(&page)
}

/// POST /children/{id}/professionals.
pub async fn add_professional(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted<SignedIn, ProfessionalForm>,
) -> Result<Response, AppError> {
    let Posted { who, form, client } = posted;
    let (record, decision) = guard::edit_child(&state, &who.principal, &id, &client).await?;
    let known: Vec<_> = state
        .store()
        .agencies()
        .await?
        .into_iter()
        .map(|a| a.id)
        .collect();
    let professional = match form.parse(|a| known.contains(&a)) {
        Ok(p) => p,
        Err(problems) => {
            let mut page = professional_page(&state, &who, &record, form).await?;
            show_problems(&mut page.layout, problems);
            return render_invalid(&page);
        }
    };
    let mut tx = state.store().begin().await?;
    let added = child_record::add_professional(&mut tx, record.child.id, &professional).await?;
    commit_change(
        tx,
        &who,
        &record,
        &decision,
        &client,
        serde_json::json!({ "added": "professional", "professional": added }),
    )
    .await
}

/// Writes the audit entry of a change to the child's record in the change's transaction,
/// commits both, and sends the user back to the record.
async fn commit_change(
    mut tx: safehub_store::Tx,
    who: &SignedIn,
    record: &ChildRecord,
    decision: &safehub_access::Decision,
    client: &Client,
    detail: serde_json::Value,
) -> Result<Response, AppError> {
    let e = guard::entry(
        &who.principal,
        AuditAction::Change,
        RecordKind::Child,
        Some(record.child.id.to_string()),
        Some(decision),
        client,
        detail,
    );
    audit::append(&mut tx, &[e]).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/children/{}", record.child.id)).into_response())
}
