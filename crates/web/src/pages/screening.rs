//! The CSE screening tool pages (R2.2-R2.4): a practitioner starts a screening from a child's
//! record, answers it as a draft that keeps whatever was typed, sees the category the tool
//! proposes, confirms or changes it with reasons, and submits it to the MASH with a
//! professional referral (route in (a), R2.5). The checks and the submission are shared with
//! the API (`api/screenings.rs`).

mod checks;
mod view;

use std::collections::BTreeMap;

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use safehub_domain::pathway::{Pathway, pathway_for};
use safehub_domain::screening::{Answer, CheckedResponses, Proposal, ScreeningTool};
use safehub_store::AuditAction;
use safehub_store::audit::{self, RecordKind};
use safehub_store::children::Child;
use safehub_store::screenings::{self, Screening, ScreeningStatus};
use serde::Deserialize;

pub(crate) use self::checks::{
    DraftAnswer, DraftAnswers, Field, MAX_LINE_CHARS, MAX_SUMMARY_CHARS, Problem, ReadyScreening,
    SubmitFailure, age_band, check_referrer, check_screening, confirm_choice, current_tool,
    ensure_default_tool, finish, read_answers, submit_and_refer,
};
use self::checks::{consulted_on, number, referral_details, tool, write_json};
pub(crate) use self::view::AlreadyPage;
use self::view::{
    DraftRow, DraftsPage, SubmittedPage, already_submitted, category_label, child_name,
    choice_value, form_page, proposal_page, view_page,
};
use super::{london_time, render, render_invalid};
use crate::AppState;
use crate::client::Client;
use crate::error::AppError;
use crate::guard::{self, ScreeningAccess, ScreeningPurpose, ScreeningUse};
use crate::posted::Posted;
use crate::session::SignedIn;

/// The screening form's fields as posted. Read from the raw pairs, because the indicator
/// fields are named after the tool's codes (`answer.<code>`, `evidence.<code>`).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(from = "Vec<(String, String)>")]
pub struct ScreeningForm {
    answers: BTreeMap<String, String>,
    evidence: BTreeMap<String, String>,
    signs_not_words: String,
    adviser_consulted: String,
    adviser_day: String,
    adviser_month: String,
    adviser_year: String,
}

impl From<Vec<(String, String)>> for ScreeningForm {
    fn from(pairs: Vec<(String, String)>) -> Self {
        let mut form = ScreeningForm::default();
        for (key, value) in pairs {
            if let Some(code) = key.strip_prefix("answer.") {
                form.answers.insert(code.to_owned(), value);
            } else if let Some(code) = key.strip_prefix("evidence.") {
                form.evidence.insert(code.to_owned(), value);
            } else {
                match key.as_str() {
                    "signs_not_words" => form.signs_not_words = value,
                    "adviser_consulted" => form.adviser_consulted = value,
                    "adviser_day" => form.adviser_day = value,
                    "adviser_month" => form.adviser_month = value,
                    "adviser_year" => form.adviser_year = value,
                    _ => {}
                }
            }
        }
        form
    }
}

/// How a typed consultation date is kept in a draft: as an ISO date when it is one,
/// otherwise as typed (`day/month/year`), so that nothing typed is lost.
fn typed_date(day: &str, month: &str, year: &str) -> Option<String> {
    let (d, m, y) = (day.trim(), month.trim(), year.trim());
    if d.is_empty() && m.is_empty() && y.is_empty() {
        return None;
    }
    let real = || -> Option<jiff::civil::Date> {
        let d = i8::try_from(d.parse::<i16>().ok()?).ok()?;
        let m = i8::try_from(m.parse::<i16>().ok()?).ok()?;
        let y = y.parse::<i16>().ok()?;
        jiff::civil::Date::new(y, m, d).ok()
    };
    Some(match real() {
        Some(date) => date.to_string(),
        None => format!("{d}/{m}/{y}"),
    })
}

impl ScreeningForm {
    /// The answers typed, for the indicators of this tool version only; an indicator with
    /// neither an answer nor evidence is left out.
    fn draft_answers(&self, tool: &ScreeningTool) -> DraftAnswers {
        let mut out = DraftAnswers::new();
        for indicator in tool.indicators() {
            let code = indicator.code();
            let answer = self
                .answers
                .get(code)
                .and_then(|a| Answer::from_code(a.trim()));
            let evidence = self.evidence.get(code).cloned().unwrap_or_default();
            if answer.is_some() || !evidence.trim().is_empty() {
                out.insert(code.to_owned(), DraftAnswer { answer, evidence });
            }
        }
        out
    }

    /// Copies what was typed into the draft.
    fn apply(&self, s: &mut Screening, tool: &ScreeningTool) -> Result<(), AppError> {
        s.answers = write_json(&self.draft_answers(tool))?;
        s.signs_not_words.clone_from(&self.signs_not_words);
        s.adviser_consulted.clone_from(&self.adviser_consulted);
        s.adviser_consulted_on =
            typed_date(&self.adviser_day, &self.adviser_month, &self.adviser_year);
        s.updated_at = safehub_store::now_ms();
        Ok(())
    }
}

/// The proposal page's fields.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct SubmitForm {
    #[serde(default)]
    form_key: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    category_reason: String,
    #[serde(default)]
    referrer_name: String,
    #[serde(default)]
    referrer_contact: String,
    #[serde(default)]
    summary: String,
}

/// Whether the form page was reached after "Save as draft".
#[derive(Debug, Default, Deserialize)]
pub struct ShowQuery {
    #[serde(default)]
    saved: Option<String>,
}

/// The answers of a stored screening, checked against its tool version, with the proposal
/// for the child's age today.
fn propose_for(
    tool: &ScreeningTool,
    s: &Screening,
    child: &Child,
) -> Result<(CheckedResponses, Proposal), Vec<Problem>> {
    let answers = read_answers(&s.answers);
    let checked = check_screening(
        tool,
        &answers,
        &s.signs_not_words,
        &s.adviser_consulted,
        s.adviser_consulted_on.as_deref(),
    )?;
    let proposal = tool.propose(&checked, age_band(child));
    Ok((checked, proposal))
}

/// Saves the draft as typed with its audit entry. False when it is no longer a draft.
async fn save(
    state: &AppState,
    who: &SignedIn,
    client: &Client,
    access: &ScreeningAccess,
    s: &Screening,
    step: &str,
) -> Result<bool, AppError> {
    let mut tx = state.store().begin().await?;
    if !screenings::save_draft(&mut tx, s).await? {
        return Ok(false);
    }
    let e = guard::entry(
        &who.principal,
        AuditAction::Change,
        RecordKind::Screening,
        Some(s.id.clone()),
        Some(&access.decision),
        client,
        serde_json::json!({
            "child": s.child.to_string(),
            "status": ScreeningStatus::Draft.code(),
            "step": step,
            "answered": read_answers(&s.answers).len(),
        }),
    );
    audit::append(&mut tx, &[e]).await?;
    tx.commit().await?;
    Ok(true)
}

/// GET /children/{id}/screenings/new: starts a screening of the child and opens it. The
/// user's open draft for the same child is resumed instead of starting a second one.
pub async fn start(
    State(state): State<AppState>,
    who: SignedIn,
    client: Client,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let access =
        guard::work_on_concerns(&state, &who.principal, &id, RecordKind::Screening, &client)
            .await?;
    let child = access.child.id;
    if let Some(open) = state
        .store()
        .drafts_of(who.user.id)
        .await?
        .into_iter()
        .find(|d| d.child == child)
    {
        return Ok(Redirect::to(&format!("/screenings/{}", open.id)).into_response());
    }
    let mut tx = state.store().begin().await?;
    let tool = current_tool(&state, &mut tx).await?;
    let now = safehub_store::now_ms();
    let s = Screening {
        id: uuid::Uuid::new_v4().to_string(),
        child,
        tool_version: tool.version().to_owned(),
        agency: who.agency.id,
        created_by: who.user.id,
        created_at: now,
        updated_at: now,
        status: ScreeningStatus::Draft,
        answers: "{}".to_owned(),
        signs_not_words: String::new(),
        proposed_category: None,
        category: None,
        category_reason: String::new(),
        adviser_consulted: String::new(),
        adviser_consulted_on: None,
        submitted_at: None,
    };
    screenings::save_draft(&mut tx, &s).await?;
    let e = guard::entry(
        &who.principal,
        AuditAction::Create,
        RecordKind::Screening,
        Some(s.id.clone()),
        Some(&access.decision),
        &client,
        serde_json::json!({ "child": child.to_string(), "tool_version": s.tool_version }),
    );
    audit::append(&mut tx, &[e]).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/screenings/{}", s.id)).into_response())
}

/// GET /screenings/{id}: the user's draft as a form, or a submitted screening read-only.
pub async fn show(
    State(state): State<AppState>,
    who: SignedIn,
    client: Client,
    Path(id): Path<String>,
    Query(q): Query<ShowQuery>,
) -> Result<Response, AppError> {
    match guard::open_screening(&state, &who.principal, &id, ScreeningPurpose::View, &client)
        .await?
    {
        ScreeningUse::Draft(a) => {
            let tool = tool(&state, &a.screening.tool_version).await?;
            render(&form_page(
                &state,
                &who,
                &tool,
                &a.screening,
                &a.child,
                &[],
                q.saved.is_some(),
            ))
        }
        ScreeningUse::Submitted(a) => render(&view_page(&state, &who, &a).await?),
    }
}

/// Opens the user's draft to change it; a screening already submitted answers with the
/// "already submitted" page.
async fn open_draft(
    state: &AppState,
    who: &SignedIn,
    client: &Client,
    id: &str,
) -> Result<Result<ScreeningAccess, Response>, AppError> {
    Ok(
        match guard::open_screening(state, &who.principal, id, ScreeningPurpose::Change, client)
            .await?
        {
            ScreeningUse::Draft(a) => Ok(a),
            ScreeningUse::Submitted(a) => Err(already_submitted(state, who, &a.screening.id)),
        },
    )
}

/// POST /screenings/{id}/draft: saves whatever was typed, even if it is not complete.
pub async fn save_draft(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted<SignedIn, ScreeningForm>,
) -> Result<Response, AppError> {
    let Posted { who, form, client } = posted;
    let a = match open_draft(&state, &who, &client, &id).await? {
        Ok(a) => a,
        Err(done) => return Ok(done),
    };
    let tool = tool(&state, &a.screening.tool_version).await?;
    let mut s = a.screening.clone();
    form.apply(&mut s, &tool)?;
    if !save(&state, &who, &client, &a, &s, "draft").await? {
        return Ok(already_submitted(&state, &who, &s.id));
    }
    Ok(Redirect::to(&format!("/screenings/{}?saved=draft", s.id)).into_response())
}

/// POST /screenings/{id}/check: saves the draft, then checks it; the form again with its
/// problems, or the proposed category.
pub async fn check(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted<SignedIn, ScreeningForm>,
) -> Result<Response, AppError> {
    let Posted { who, form, client } = posted;
    let a = match open_draft(&state, &who, &client, &id).await? {
        Ok(a) => a,
        Err(done) => return Ok(done),
    };
    let tool = tool(&state, &a.screening.tool_version).await?;
    let mut s = a.screening.clone();
    form.apply(&mut s, &tool)?;
    if !save(&state, &who, &client, &a, &s, "check").await? {
        return Ok(already_submitted(&state, &who, &s.id));
    }
    match propose_for(&tool, &s, &a.child) {
        Err(problems) => render_invalid(&form_page(
            &state, &who, &tool, &s, &a.child, &problems, false,
        )),
        Ok((_, proposal)) => {
            let form = SubmitForm {
                form_key: uuid::Uuid::new_v4().to_string(),
                category: match s.category {
                    Some(n) => choice_value(Some(n)),
                    None => choice_value(number(proposal.category())),
                },
                category_reason: s.category_reason.clone(),
                referrer_name: who.user.display_name.clone(),
                referrer_contact: format!("{}, {}", who.user.email, who.agency.name),
                summary: String::new(),
            };
            render(&proposal_page(
                &state,
                &who,
                &s,
                &a.child,
                &proposal,
                form,
                &[],
                &tool,
            ))
        }
    }
}

/// POST /screenings/{id}/submit: keeps the category and reasons typed, checks them, then
/// submits the screening and refers the child to the MASH in one transaction. The same form
/// sent twice makes one referral.
pub async fn submit(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted<SignedIn, SubmitForm>,
) -> Result<Response, AppError> {
    let Posted { who, form, client } = posted;
    let form_key = form.form_key.trim().to_owned();
    if form_key.is_empty() || form_key.len() > 100 {
        return Err(AppError::BadRequest(
            "The form is missing its key. Go back, reload the page and try again.",
        ));
    }
    let a = match open_draft(&state, &who, &client, &id).await? {
        Ok(a) => a,
        Err(done) => return Ok(done),
    };
    let tool = tool(&state, &a.screening.tool_version).await?;
    let mut s = a.screening.clone();
    s.category = form
        .category
        .trim()
        .parse::<u8>()
        .ok()
        .filter(|n| (1..=3).contains(n));
    s.category_reason.clone_from(&form.category_reason);
    s.updated_at = safehub_store::now_ms();
    if !save(&state, &who, &client, &a, &s, "submit").await? {
        return Ok(already_submitted(&state, &who, &s.id));
    }
    let (checked, proposal) = match propose_for(&tool, &s, &a.child) {
        Ok(found) => found,
        // Changed in another tab since "Continue": back to the answers.
        Err(problems) => {
            return render_invalid(&form_page(
                &state, &who, &tool, &s, &a.child, &problems, false,
            ));
        }
    };
    let mut problems = Vec::new();
    let confirmed = match confirm_choice(&proposal, &form.category, &form.category_reason) {
        Ok(c) => c,
        Err(p) => {
            problems.push(p);
            None
        }
    };
    problems.extend(check_referrer(
        &form.referrer_name,
        &form.referrer_contact,
        &form.summary,
    ));
    if !problems.is_empty() {
        return render_invalid(&proposal_page(
            &state, &who, &s, &a.child, &proposal, form, &problems, &tool,
        ));
    }
    let details = referral_details(&tool, &checked, &s.signs_not_words);
    let mut done = finish(s, &checked, &proposal, confirmed.as_ref())?;
    done.adviser_consulted_on =
        consulted_on(done.adviser_consulted_on.as_deref()).map(|d| d.to_string());
    let ready = ReadyScreening {
        screening: done,
        child: &a.child,
        referrer_name: form.referrer_name,
        referrer_contact: form.referrer_contact,
        summary: form.summary,
        details,
        form_key,
    };
    match submit_and_refer(&state, &who.principal, &a.decision, &client, ready).await {
        Ok(_) => Ok(Redirect::to(&format!("/screenings/{id}/submitted")).into_response()),
        Err(SubmitFailure::AlreadySubmitted) => Ok(already_submitted(&state, &who, &id)),
        Err(SubmitFailure::App(e)) => Err(e),
    }
}

/// GET /screenings/{id}/submitted: the confirmation, with what happens next.
pub async fn submitted(
    State(state): State<AppState>,
    who: SignedIn,
    client: Client,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let a =
        match guard::open_screening(&state, &who.principal, &id, ScreeningPurpose::View, &client)
            .await?
        {
            ScreeningUse::Submitted(a) => a,
            ScreeningUse::Draft(a) => {
                return Ok(Redirect::to(&format!("/screenings/{}", a.screening.id)).into_response());
            }
        };
    let pathway = pathway_for(a.screening.category, a.child.legal_status);
    render(&SubmittedPage {
        layout: who.layout(&state, "Screening submitted to the MASH", "/children"),
        id: a.screening.id.clone(),
        child_id: a.child.id.to_string(),
        child_name: child_name(&a.child),
        category: category_label(a.screening.category),
        pathway: pathway.label(),
        children_services: pathway == Pathway::ChildrensServices,
        early_help: pathway == Pathway::EarlyHelp,
        allocated_worker: pathway == Pathway::AllocatedWorker,
    })
}

/// GET /screenings: "Your drafts", so that a screening left when a session timed out is
/// found again after signing in.
pub async fn drafts(
    State(state): State<AppState>,
    who: SignedIn,
    client: Client,
) -> Result<Response, AppError> {
    let drafts = guard::own_drafts(&state, &who.principal, &client).await?;
    render(&DraftsPage {
        layout: who.layout(&state, "Your draft screenings", "/children"),
        drafts: drafts
            .into_iter()
            .map(|(s, child)| DraftRow {
                answered: read_answers(&s.answers).len(),
                id: s.id,
                child_name: child_name(&child),
                started: london_time(s.created_at),
                saved: london_time(s.updated_at),
            })
            .collect(),
    })
}

/// The routes of the screening tool, the other routes in and the SPOC's page.
pub(crate) fn routes() -> axum::Router<AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/children/{id}/screenings/new", get(start))
        .route("/screenings", get(drafts))
        .route("/screenings/{id}", get(show))
        .route("/screenings/{id}/draft", post(save_draft))
        .route("/screenings/{id}/check", post(check))
        .route("/screenings/{id}/submit", post(submit))
        .route("/screenings/{id}/submitted", get(submitted))
        .route(
            "/children/{id}/concerns/new",
            get(super::concerns::new_form).post(super::concerns::create),
        )
        .route("/concerns/{id}/received", get(super::concerns::received))
        .route("/spoc", get(super::spoc::page))
}
