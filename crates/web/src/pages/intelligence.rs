//! The information sharing tool (R5.1, WM-25): a practitioner passes to the police what
//! they know about people who may present a risk; the police read it in their inbox and
//! grade it 3x5x2 (WM-25.6). It is not a referral and the pages say so.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use jiff::civil::Date;
use safehub_domain::intelligence::{
    Assessment, Grading, HandlingCode, Item, ItemKind, SourceEvaluation, Submission, ToldBy,
};
use safehub_domain::{AreaId, ChildId};
use safehub_store::AuditAction;
use safehub_store::audit::{self, RecordKind};
use safehub_store::intelligence::{self, IntelError, IntelStatus, StoredSubmission};
use serde::Deserialize;

use super::children::today;
use super::{london_time, render, render_invalid};
use crate::AppState;
use crate::client::Client;
use crate::error::AppError;
use crate::guard;
use crate::layout::Layout;
use crate::posted::Posted;
use crate::session::SignedIn;
use crate::sharing::{self, Sent};

/// The most pieces of information one form holds.
const MAX_ITEMS: usize = 40;
/// Submissions on one page of the police inbox.
const INBOX_SIZE: i64 = 50;

/// One input of an item row.
pub struct ItemInput {
    /// The form field and element id, e.g. `items[2].vrm`.
    field: String,
    label: &'static str,
    hint: &'static str,
    value: String,
    textarea: bool,
}

/// One piece of information on the form.
pub struct ItemRow {
    index: usize,
    kind: ItemKind,
    number: usize,
    inputs: Vec<ItemInput>,
}

/// The fields each kind of item asks for: (field, label, hint, textarea).
fn fields_of(kind: ItemKind) -> &'static [(&'static str, &'static str, &'static str, bool)] {
    const SEEN: (&str, &str, &str, bool) = (
        "seen_on",
        "When seen",
        "The date, for example 20/11/2026",
        false,
    );
    match kind {
        ItemKind::Person => &[
            ("name", "Name", "All or part of it, as you know it", false),
            (
                "nicknames",
                "Nicknames or street names",
                "Separate them with commas",
                false,
            ),
            ("approx_age", "Approximate age", "In years", false),
            ("description", "Description", "What they look like", true),
            ("marks", "Tattoos, scars or other marks", "", false),
            SEEN,
        ],
        ItemKind::Caller => &[
            ("name", "Name", "If known", false),
            ("nicknames", "Nicknames", "", false),
            (
                "description",
                "Description",
                "Who they are, how often they call and when",
                true,
            ),
            SEEN,
        ],
        ItemKind::Vehicle => &[
            (
                "vrm",
                "Registration",
                "Write ? for a character you do not know, for example AB12 C?E",
                false,
            ),
            ("make", "Make", "For example, VW", false),
            ("model", "Model", "", false),
            ("colour", "Colour", "", false),
            SEEN,
        ],
        ItemKind::Phone => &[
            ("phone", "Phone number", "For example, 07700 900123", false),
            ("description", "Whose it is, if known", "", false),
            SEEN,
        ],
        ItemKind::Address => &[
            ("address", "Address", "", true),
            ("postcode", "Postcode", "All or part of it", false),
            ("description", "Whose address it is", "", false),
        ],
        ItemKind::Place => &[
            ("address", "Address or locality", "", true),
            ("postcode", "Postcode", "All or part of it", false),
            ("description", "What happened there", "", true),
            SEEN,
        ],
    }
}

/// One item of the form as typed: its kind and (field, text) pairs.
type TypedItem = (ItemKind, Vec<(String, String)>);

/// The form as typed: every field kept as text so nothing is lost on an error.
#[derive(Clone, Debug, Default)]
pub struct ShareForm {
    form_key: String,
    area: String,
    child: String,
    told_by: String,
    learnt_on: String,
    narrative: String,
    /// Each item, in form order.
    items: Vec<TypedItem>,
}

impl ShareForm {
    /// A new form with one blank row of each kind.
    fn blank(child: String) -> Self {
        ShareForm {
            form_key: uuid::Uuid::new_v4().to_string(),
            child,
            items: ItemKind::ALL.iter().map(|k| (*k, Vec::new())).collect(),
            ..ShareForm::default()
        }
    }

    /// Reads the posted fields; `items[N].kind` fixes each row's kind.
    fn from_pairs(pairs: &[(String, String)]) -> Self {
        let mut form = ShareForm::default();
        let mut rows: Vec<Option<TypedItem>> = Vec::new();
        for (name, value) in pairs {
            match name.as_str() {
                "form_key" => form.form_key.clone_from(value),
                "area" => form.area.clone_from(value),
                "child" => form.child.clone_from(value),
                "told_by" => form.told_by.clone_from(value),
                "learnt_on" => form.learnt_on.clone_from(value),
                "narrative" => form.narrative.clone_from(value),
                _ => {
                    let Some((index, field)) = item_field(name) else {
                        continue;
                    };
                    if index >= MAX_ITEMS {
                        continue;
                    }
                    if rows.len() <= index {
                        rows.resize_with(index + 1, || None);
                    }
                    if field == "kind" {
                        if let Some(kind) = ItemKind::from_code(value) {
                            let fields = rows[index].take().map(|(_, f)| f).unwrap_or_default();
                            rows[index] = Some((kind, fields));
                        }
                    } else {
                        let row = rows[index].get_or_insert((ItemKind::Person, Vec::new()));
                        row.1.push((field.to_owned(), value.clone()));
                    }
                }
            }
        }
        form.items = rows.into_iter().flatten().collect();
        form
    }

    fn value(&self, index: usize, field: &str) -> String {
        self.items
            .get(index)
            .and_then(|(_, fields)| fields.iter().find(|(f, _)| f == field))
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    fn rows(&self) -> Vec<ItemRow> {
        let mut numbers = std::collections::HashMap::new();
        self.items
            .iter()
            .enumerate()
            .map(|(index, (kind, _))| {
                let number = numbers.entry(*kind).or_insert(0);
                *number += 1;
                ItemRow {
                    index,
                    kind: *kind,
                    number: *number,
                    inputs: fields_of(*kind)
                        .iter()
                        .map(|(field, label, hint, textarea)| ItemInput {
                            field: format!("items[{index}].{field}"),
                            label,
                            hint,
                            value: self.value(index, field),
                            textarea: *textarea,
                        })
                        .collect(),
                }
            })
            .collect()
    }

    /// The submission the form describes, or the problems of the fields that cannot be
    /// read at all (dates and ages); the domain checks the rest.
    fn submission(&self) -> (Submission, Vec<(String, String)>) {
        let mut problems = Vec::new();
        let told_by = ToldBy::from_code(self.told_by.trim());
        let learnt_on = match day(&self.learnt_on) {
            Ok(d) => d,
            Err(()) => {
                problems.push((
                    "learnt_on".to_owned(),
                    "Enter the date you learnt it as day/month/year, like 20/11/2026".to_owned(),
                ));
                None
            }
        };
        let mut items = Vec::new();
        for (index, (kind, _)) in self.items.iter().enumerate() {
            let v = |f: &str| self.value(index, f);
            let seen_on = match day(&v("seen_on")) {
                Ok(d) => d,
                Err(()) => {
                    problems.push((
                        format!("items[{index}].seen_on"),
                        "Enter the date as day/month/year, like 20/11/2026".to_owned(),
                    ));
                    None
                }
            };
            let age = v("approx_age");
            let approx_age = if age.trim().is_empty() {
                None
            } else if let Ok(a) = age.trim().parse::<u8>() {
                Some(a)
            } else {
                problems.push((
                    format!("items[{index}].approx_age"),
                    "Enter the approximate age in years, like 25".to_owned(),
                ));
                None
            };
            items.push((
                index,
                Item {
                    kind: Some(*kind),
                    name: v("name"),
                    nicknames: v("nicknames"),
                    approx_age,
                    description: v("description"),
                    marks: v("marks"),
                    vrm: v("vrm"),
                    make: v("make"),
                    model: v("model"),
                    colour: v("colour"),
                    phone: v("phone"),
                    address: v("address"),
                    postcode: v("postcode"),
                    seen_on,
                },
            ));
        }
        // Blank rows are dropped; the problems of the others keep their form positions.
        let kept: Vec<(usize, Item)> = items.into_iter().filter(|(_, i)| !i.is_blank()).collect();
        let submission = Submission {
            told_by,
            items: kept.iter().map(|(_, i)| i.clone()).collect(),
            narrative: self.narrative.trim().to_owned(),
            learnt_on,
        };
        for p in submission.check(today()) {
            let field = match p
                .field
                .strip_prefix("items[")
                .and_then(|r| r.split_once(']'))
            {
                Some((n, rest)) => match n.parse::<usize>().ok().and_then(|n| kept.get(n)) {
                    Some((index, _)) => format!("items[{index}]{rest}"),
                    None => p.field.clone(),
                },
                None => p.field.clone(),
            };
            if !problems.iter().any(|(f, _)| *f == field) {
                problems.push((field, p.message));
            }
        }
        (submission, problems)
    }
}

/// `items[3].vrm` -> (3, "vrm").
fn item_field(name: &str) -> Option<(usize, &str)> {
    let rest = name.strip_prefix("items[")?;
    let (index, field) = rest.split_once("].")?;
    Some((index.parse().ok()?, field))
}

/// A day written `20/11/2026` (or with `-` or `.`), or nothing.
fn day(text: &str) -> Result<Option<Date>, ()> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let parts: Vec<&str> = t
        .split(['/', '-', '.', ' '])
        .filter(|p| !p.is_empty())
        .collect();
    let [d, m, y] = parts.as_slice() else {
        return Err(());
    };
    let d = d.parse::<i8>().map_err(|_| ())?;
    let m = m.parse::<i8>().map_err(|_| ())?;
    let y = y.parse::<i16>().map_err(|_| ())?;
    if y < 1900 {
        return Err(());
    }
    Date::new(y, m, d).map(Some).map_err(|_| ())
}

#[derive(Template)]
#[template(path = "intel_form.html")]
struct SharePage {
    layout: Layout,
    form: ShareForm,
    rows: Vec<ItemRow>,
    areas: Vec<(String, String)>,
    child_name: Option<String>,
    sources: Vec<(&'static str, &'static str)>,
    kinds: Vec<(&'static str, &'static str)>,
}

async fn share_page(
    state: &AppState,
    who: &SignedIn,
    form: ShareForm,
    child_name: Option<String>,
) -> Result<SharePage, AppError> {
    let mut areas = Vec::new();
    for a in guard::shareable_areas(state, &who.principal) {
        areas.push((
            a.to_string(),
            state.directory().area_name(state.store(), a).await?,
        ));
    }
    Ok(SharePage {
        layout: who.layout(state, "Share information with the police", "/intelligence"),
        rows: form.rows(),
        form,
        areas,
        child_name,
        sources: ToldBy::ALL.iter().map(|t| (t.code(), t.label())).collect(),
        kinds: ItemKind::ALL
            .iter()
            .map(|k| (k.code(), k.label()))
            .collect(),
    })
}

/// `?child=ID`: the child the information concerns, when the form is opened from their record.
#[derive(Debug, Default, Deserialize)]
pub struct ChildQuery {
    #[serde(default)]
    child: String,
}

/// The child named on the form, if any, as the user may see them (the view is audited).
async fn named_child(
    state: &AppState,
    who: &SignedIn,
    raw: &str,
    client: &Client,
) -> Result<Option<(ChildId, String)>, AppError> {
    if raw.trim().is_empty() {
        return Ok(None);
    }
    let view = guard::view_child(state, &who.principal, raw.trim(), client).await?;
    Ok(Some((view.child.id, view.child.name.to_string())))
}

/// GET /intelligence/new: the information sharing tool, with one row of each kind.
pub async fn new_form(
    State(state): State<AppState>,
    who: SignedIn,
    client: Client,
    Query(q): Query<ChildQuery>,
) -> Result<Response, AppError> {
    if guard::shareable_areas(&state, &who.principal).is_empty() {
        return Err(AppError::Forbidden);
    }
    let child = named_child(&state, &who, &q.child, &client).await?;
    let form = ShareForm::blank(
        child
            .as_ref()
            .map(|(id, _)| id.to_string())
            .unwrap_or_default(),
    );
    render(&share_page(&state, &who, form, child.map(|(_, n)| n)).await?)
}

/// POST /intelligence/new: either adds a row ("Add another ...") and shows the form again
/// with everything typed, or checks and sends the submission to the police force of the
/// area, with its audit entry, in one transaction.
pub async fn submit(
    State(state): State<AppState>,
    posted: Posted<SignedIn, Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let Posted { who, form, client } = posted;
    let mut typed = ShareForm::from_pairs(&form);
    let child = named_child(&state, &who, &typed.child, &client).await?;
    let child_name = child.as_ref().map(|(_, n)| n.clone());
    let add = form
        .iter()
        .find(|(k, _)| k == "add")
        .and_then(|(_, v)| ItemKind::from_code(v));
    if let Some(kind) = add {
        if typed.items.len() < MAX_ITEMS {
            typed.items.push((kind, Vec::new()));
        }
        let mut page = share_page(&state, &who, typed, child_name).await?;
        if page.form.items.len() >= MAX_ITEMS {
            page.layout.error(
                "narrative",
                format!("A form holds {MAX_ITEMS} pieces of information at most; send this one and start another"),
            );
        }
        return render(&page);
    }
    let areas = guard::shareable_areas(&state, &who.principal);
    let area = if areas.len() == 1 {
        Some(areas[0])
    } else {
        typed
            .area
            .trim()
            .parse::<AreaId>()
            .ok()
            .filter(|a| areas.contains(a))
    };
    let (submission, mut problems) = typed.submission();
    if typed.told_by.trim().is_empty() {
        problems.retain(|(f, _)| f != "told_by");
        problems.insert(
            0,
            ("told_by".into(), "Say who the information came from".into()),
        );
    }
    if area.is_none() {
        problems.insert(
            0,
            (
                "area".into(),
                "Choose the area the information is about".into(),
            ),
        );
    }
    let (Some(area), true) = (area, problems.is_empty()) else {
        let mut page = share_page(&state, &who, typed, child_name).await?;
        for (field, message) in problems {
            page.layout.error(field, message);
        }
        return render_invalid(&page);
    };
    let decision = guard::share_into(&state, &who.principal, area, &client).await?;
    let children: Vec<ChildId> = child.iter().map(|(c, _)| *c).collect();
    let sent = sharing::send(
        &state,
        &who.principal,
        &decision,
        area,
        &submission,
        &children,
        Some(&typed.form_key),
        &client,
        "page",
    )
    .await?;
    match sent {
        Sent::New(id) | Sent::Again(id) => {
            Ok(Redirect::to(&format!("/intelligence/sent?sent={id}")).into_response())
        }
        Sent::NoPoliceForce => {
            let mut page = share_page(&state, &who, typed, child_name).await?;
            page.layout.error(
                "area",
                "No police force serves this area in Safehub yet; ask an administrator",
            );
            render_invalid(&page)
        }
    }
}

/// One line of a list of submissions.
pub struct Line {
    id: String,
    received: String,
    from: String,
    area: String,
    items: i64,
    status: &'static str,
    grade: Option<String>,
}

async fn lines(
    state: &AppState,
    found: Vec<safehub_store::intelligence::SubmissionLine>,
) -> Result<Vec<Line>, AppError> {
    let mut out = Vec::with_capacity(found.len());
    for l in found {
        out.push(Line {
            from: state
                .directory()
                .agency(state.store(), l.submitter_agency)
                .await?
                .name,
            area: state.directory().area_name(state.store(), l.area).await?,
            id: l.id,
            received: london_time(l.received_at),
            items: l.items,
            status: l.status.label(),
            grade: l.grade,
        });
    }
    Ok(out)
}

#[derive(Template)]
#[template(path = "intel_sent.html")]
struct SentPage {
    layout: Layout,
    just_sent: bool,
    lines: Vec<Line>,
    /// What the police shared back with the user's agency (WM-25.6).
    shared: Vec<Line>,
}

/// `?sent=ID` after sending.
#[derive(Debug, Default, Deserialize)]
pub struct SentQuery {
    #[serde(default)]
    sent: String,
}

/// GET /intelligence/sent: what the user has shared, newest first, and whether the police
/// have assessed it (never the grading itself, which is police information).
pub async fn sent(
    State(state): State<AppState>,
    who: SignedIn,
    client: Client,
    Query(q): Query<SentQuery>,
) -> Result<Response, AppError> {
    let found = state.store().intel_sent_by(who.user.id, 100).await?;
    let just_sent = !q.sent.is_empty() && found.iter().any(|l| l.id == q.sent);
    let shared = state
        .store()
        .intel_shared_with(who.user.agency, 100)
        .await?;
    let e = guard::entry(
        &who.principal,
        AuditAction::View,
        RecordKind::IntelList,
        None,
        None,
        &client,
        serde_json::json!({
            "list": "sent",
            "shown": found.len(),
            "shared_back": shared.iter().map(|l| l.id.clone()).collect::<Vec<_>>(),
        }),
    );
    state.store().record(e).await?;
    let mut lines = lines(&state, found).await?;
    for l in &mut lines {
        l.grade = None;
    }
    render(&SentPage {
        layout: who.layout(&state, "Information you have shared", "/intelligence"),
        just_sent,
        lines,
        shared: self::lines(&state, shared).await?,
    })
}

#[derive(Template)]
#[template(path = "intel_inbox.html")]
struct InboxPage {
    layout: Layout,
    awaiting: Vec<Line>,
    awaiting_total: i64,
    assessed: Vec<Line>,
}

/// GET /intelligence: the police force's submissions, those awaiting assessment oldest
/// first, then the latest assessed (WM-25.6). Police intelligence only; audited.
pub async fn inbox(
    State(state): State<AppState>,
    who: SignedIn,
    client: Client,
) -> Result<Response, AppError> {
    if !guard::reads_intelligence(&who.principal) {
        return Err(AppError::Forbidden);
    }
    let store = state.store();
    let agency = who.user.agency;
    let (awaiting, awaiting_total) = store
        .intel_inbox(agency, &[IntelStatus::AwaitingAssessment], INBOX_SIZE, 0)
        .await?;
    let (assessed, _) = store
        .intel_inbox(agency, &[IntelStatus::Assessed], INBOX_SIZE, 0)
        .await?;
    // Each line is checked as opening the submission would be, so an area the user does
    // not serve is never listed.
    let may_read = |area| {
        state
            .access()
            .decide(
                &who.principal,
                safehub_access::Action::View,
                &safehub_access::Resource::Intelligence(safehub_access::IntelligenceFacts {
                    area,
                    shared_with: Vec::new(),
                }),
            )
            .allowed
    };
    let awaiting: Vec<_> = awaiting.into_iter().filter(|l| may_read(l.area)).collect();
    let assessed: Vec<_> = assessed.into_iter().filter(|l| may_read(l.area)).collect();
    let e = guard::entry(
        &who.principal,
        AuditAction::View,
        RecordKind::IntelList,
        None,
        None,
        &client,
        serde_json::json!({ "list": "inbox", "shown": awaiting.len() + assessed.len() }),
    );
    store.record(e).await?;
    render(&InboxPage {
        layout: who.layout(
            &state,
            "Information shared with the police",
            "/intelligence",
        ),
        awaiting: lines(&state, awaiting).await?,
        awaiting_total,
        assessed: lines(&state, assessed).await?,
    })
}

/// The grading form as typed. Read from the raw pairs because the checkboxes of the
/// agencies to share back with repeat the `share_with` key.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(from = "Vec<(String, String)>")]
pub struct GradingForm {
    version: String,
    source: String,
    assessment: String,
    handling: String,
    conditions: String,
    share_with: Vec<String>,
}

impl From<Vec<(String, String)>> for GradingForm {
    fn from(pairs: Vec<(String, String)>) -> Self {
        let mut form = GradingForm::default();
        for (key, value) in pairs {
            match key.as_str() {
                "version" => form.version = value,
                "source" => form.source = value,
                "assessment" => form.assessment = value,
                "handling" => form.handling = value,
                "conditions" => form.conditions = value,
                "share_with" => form.share_with.push(value),
                _ => {}
            }
        }
        form
    }
}

#[derive(Template)]
#[template(path = "intel_view.html")]
struct ViewPage {
    layout: Layout,
    s: StoredSubmission,
    told_by: &'static str,
    from: String,
    area: String,
    received: String,
    learnt_on: String,
    items: Vec<(&'static str, Vec<(&'static str, String)>)>,
    children: Vec<(String, String)>,
    grade: Option<String>,
    may_grade: bool,
    form: GradingForm,
    /// The three parts of the grade: (field, legend, options as (code, label), chosen).
    groups: Vec<GradeGroup>,
    /// Agencies it may be shared back with: (id, name, chosen).
    share_options: Vec<(String, String, bool)>,
    /// The names of the agencies it was shared back with.
    shared_with: Vec<String>,
}

/// One part of the 3x5x2 grade on the form.
pub struct GradeGroup {
    name: &'static str,
    legend: &'static str,
    options: Vec<(&'static str, &'static str)>,
    chosen: String,
}

async fn view_page(
    state: &AppState,
    who: &SignedIn,
    s: StoredSubmission,
    form: GradingForm,
    client: &Client,
) -> Result<ViewPage, AppError> {
    let items = s
        .submission
        .items
        .iter()
        .map(|i| {
            let kind = i.kind.unwrap_or(ItemKind::Person);
            let mut shown = Vec::new();
            for (field, label, _, _) in fields_of(kind) {
                let value = match *field {
                    "name" => i.name.clone(),
                    "nicknames" => i.nicknames.clone(),
                    "approx_age" => i.approx_age.map(|a| a.to_string()).unwrap_or_default(),
                    "description" => i.description.clone(),
                    "marks" => i.marks.clone(),
                    "vrm" => i.vrm.clone(),
                    "make" => i.make.clone(),
                    "model" => i.model.clone(),
                    "colour" => i.colour.clone(),
                    "phone" => i.phone.clone(),
                    "address" => i.address.clone(),
                    "postcode" => i.postcode.clone(),
                    "seen_on" => i
                        .seen_on
                        .map(|d| d.strftime("%-d %B %Y").to_string())
                        .unwrap_or_default(),
                    _ => String::new(),
                };
                if !value.trim().is_empty() {
                    shown.push((*label, value));
                }
            }
            (kind.label(), shown)
        })
        .collect();
    // A child is named only to someone who may open their record; the check is audited.
    let mut children = Vec::new();
    for c in &s.children {
        if let Ok(view) = guard::view_child(state, &who.principal, &c.to_string(), client).await {
            children.push((c.to_string(), view.child.name.to_string()));
        }
    }
    let share_options = sharing::share_back_options(state, s.area)
        .await?
        .into_iter()
        .map(|a| {
            let id = a.id.to_string();
            let chosen = form.share_with.contains(&id);
            (id, a.name, chosen)
        })
        .collect();
    let mut shared_with = Vec::new();
    for a in &s.shared_with {
        shared_with.push(state.directory().agency(state.store(), *a).await?.name);
    }
    Ok(ViewPage {
        layout: who.layout(state, "Shared information", "/intelligence"),
        share_options,
        shared_with,
        told_by: s.submission.told_by.map_or("", ToldBy::label),
        from: state
            .directory()
            .agency(state.store(), s.submitter_agency)
            .await?
            .name,
        area: state.directory().area_name(state.store(), s.area).await?,
        received: london_time(s.received_at),
        learnt_on: s
            .submission
            .learnt_on
            .map(|d| d.strftime("%-d %B %Y").to_string())
            .unwrap_or_default(),
        items,
        children,
        grade: s.grading.as_ref().map(|g| {
            let mut text = format!(
                "{} ({}; {}; {})",
                g.code(),
                g.source.label(),
                g.assessment.label(),
                g.handling.label()
            );
            if let Some(c) = &g.conditions {
                text.push_str(&format!(". Conditions: {c}"));
            }
            text
        }),
        may_grade: guard::grades_intelligence(&who.principal)
            && s.status == IntelStatus::AwaitingAssessment,
        groups: vec![
            GradeGroup {
                name: "source",
                legend: "Source evaluation",
                options: SourceEvaluation::ALL
                    .iter()
                    .map(|v| (v.code(), v.label()))
                    .collect(),
                chosen: form.source.clone(),
            },
            GradeGroup {
                name: "assessment",
                legend: "Intelligence assessment",
                options: Assessment::ALL
                    .iter()
                    .map(|v| (v.code(), v.label()))
                    .collect(),
                chosen: form.assessment.clone(),
            },
            GradeGroup {
                name: "handling",
                legend: "Handling code",
                options: HandlingCode::ALL
                    .iter()
                    .map(|v| (v.code(), v.label()))
                    .collect(),
                chosen: form.handling.clone(),
            },
        ],
        form: GradingForm {
            version: if form.version.is_empty() {
                s.version.to_string()
            } else {
                form.version
            },
            ..form
        },
        s,
    })
}

/// GET /intelligence/{id}: one submission, police-only (R8.2), audited.
pub async fn show(
    State(state): State<AppState>,
    who: SignedIn,
    client: Client,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let (s, _) = guard::open_submission(&state, &who.principal, &id, &client).await?;
    render(&view_page(&state, &who, s, GradingForm::default(), &client).await?)
}

/// POST /intelligence/{id}/grading: a police intelligence officer grades the submission
/// 3x5x2 (WM-25.6). A stale form (someone graded it first) keeps what was typed and shows
/// their grading.
pub async fn grade(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted<SignedIn, GradingForm>,
) -> Result<Response, AppError> {
    let Posted { who, form, client } = posted;
    let (s, decision) = guard::open_submission(&state, &who.principal, &id, &client).await?;
    if !guard::grades_intelligence(&who.principal) {
        return Err(AppError::Forbidden);
    }
    let mut problems: Vec<(&'static str, String)> = Vec::new();
    let source = SourceEvaluation::from_code(form.source.trim());
    let assessment = Assessment::from_code(form.assessment.trim());
    let handling = HandlingCode::from_code(form.handling.trim());
    if source.is_none() {
        problems.push(("source", "Choose the source evaluation".into()));
    }
    if assessment.is_none() {
        problems.push(("assessment", "Choose the intelligence assessment".into()));
    }
    if handling.is_none() {
        problems.push(("handling", "Choose the handling code".into()));
    }
    let grading = match (source, assessment, handling) {
        (Some(source), Some(assessment), Some(handling)) => {
            let g = Grading {
                source,
                assessment,
                handling,
                conditions: Some(form.conditions.trim().to_owned()).filter(|c| !c.is_empty()),
            };
            if let Err(p) = g.check() {
                problems.push(("conditions", p.message));
            }
            Some(g)
        }
        _ => None,
    };
    let (share_with, refused) =
        sharing::share_back_choice(&state, s.area, &form.share_with).await?;
    if !refused.is_empty() {
        problems.push((
            "share_with",
            "Choose only agencies that serve the area the information is about".into(),
        ));
    }
    let version = form.version.trim().parse::<i64>().unwrap_or(-1);
    let (Some(grading), true) = (grading, problems.is_empty()) else {
        let mut page = view_page(&state, &who, s, form, &client).await?;
        for (field, message) in problems {
            page.layout.error(field, message);
        }
        return render_invalid(&page);
    };
    let mut tx = state.store().begin().await?;
    match intelligence::grade(
        &mut tx,
        &s.id,
        version,
        &grading,
        who.user.id,
        safehub_store::now_ms(),
    )
    .await
    {
        Ok(()) => {}
        Err(IntelError::AlreadyAssessed) => {
            tx.rollback().await?;
            let fresh = state
                .store()
                .intel_submission(&s.id)
                .await?
                .ok_or(AppError::NotFound)?;
            let mut page = view_page(&state, &who, fresh, form, &client).await?;
            page.may_grade = true;
            page.layout.error(
                "source",
                "Someone else graded this first; their grading is shown. What you chose is kept below",
            );
            return Ok((
                axum::http::StatusCode::CONFLICT,
                axum::response::Html(page.render()?),
            )
                .into_response());
        }
        Err(IntelError::Store(e)) => return Err(e.into()),
        Err(e @ IntelError::Duplicate(_)) => return Err(AppError::Conflict(e.to_string())),
    }
    intelligence::share_back(&mut tx, &s.id, &share_with).await?;
    audit::append(
        &mut tx,
        &[guard::entry(
            &who.principal,
            AuditAction::Change,
            RecordKind::IntelSubmission,
            Some(s.id.clone()),
            Some(&decision),
            &client,
            serde_json::json!({
                "grade": grading.code(),
                "shared_with": share_with.iter().map(ToString::to_string).collect::<Vec<_>>(),
            }),
        )],
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/intelligence/{}", s.id)).into_response())
}
