//! What the screening pages show: the form with its answers and problems, the proposed
//! category, a submitted screening read-only, the confirmation and "Your drafts".

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use safehub_domain::pathway::pathway_for;
use safehub_domain::screening::{Answer, Category, Proposal, ScreeningTool};
use safehub_store::children::Child;
use safehub_store::screenings::Screening;

use super::SubmitForm;
use super::checks::{
    Field, Problem, age_band, age_flag, consulted_on, dom, number, read_answers, tool,
};
use crate::AppState;
use crate::error::AppError;
use crate::guard::ScreeningAccess;
use crate::layout::Layout;
use crate::pages::london_time;
use crate::session::SignedIn;

/// The three answers, in the order the form shows them: (value, label).
pub(super) const ANSWER_CHOICES: [(&str, &str); 3] =
    [("yes", "Yes"), ("no", "No"), ("unknown", "Not known")];

/// One indicator on the form.
pub(super) struct IndicatorRow {
    pub(super) code: String,
    pub(super) dom: String,
    pub(super) text: String,
    pub(super) answer: &'static str,
    pub(super) evidence: String,
    pub(super) answer_error: Option<String>,
    pub(super) evidence_error: Option<String>,
}

/// One section of the tool on the form.
pub(super) struct SectionRows {
    pub(super) title: String,
    pub(super) source: String,
    pub(super) indicators: Vec<IndicatorRow>,
}

/// An entry of the error summary: the id to link to and the message.
pub(super) struct SummaryLink {
    pub(super) id: String,
    pub(super) message: String,
}

#[derive(Template)]
#[template(path = "screening_form.html")]
pub(super) struct FormPage {
    pub(super) layout: Layout,
    pub(super) id: String,
    pub(super) child_id: String,
    pub(super) child_name: String,
    pub(super) age_flag: &'static str,
    pub(super) age_note: &'static str,
    pub(super) tool_title: String,
    pub(super) tool_version: String,
    pub(super) question: String,
    pub(super) answer_choices: [(&'static str, &'static str); 3],
    pub(super) sections: Vec<SectionRows>,
    pub(super) signs_not_words: String,
    pub(super) adviser_consulted: String,
    pub(super) adviser_day: String,
    pub(super) adviser_month: String,
    pub(super) adviser_year: String,
    pub(super) problems: Vec<SummaryLink>,
    pub(super) signs_error: Option<String>,
    pub(super) adviser_error: Option<String>,
    pub(super) adviser_date_error: Option<String>,
    pub(super) saved: bool,
    pub(super) idle_minutes: u64,
}

/// A category the practitioner may choose on the proposal page.
pub(super) struct CategoryChoice {
    pub(super) value: &'static str,
    pub(super) label: &'static str,
    pub(super) pathway: &'static str,
    pub(super) proposed: bool,
    pub(super) checked: bool,
}

#[derive(Template)]
#[template(path = "screening_proposal.html")]
pub(super) struct ProposalPage {
    pub(super) layout: Layout,
    pub(super) id: String,
    pub(super) child_id: String,
    pub(super) child_name: String,
    pub(super) age_flag: &'static str,
    pub(super) age_note: &'static str,
    pub(super) tool_version: String,
    pub(super) proposed: &'static str,
    pub(super) reasons: Vec<String>,
    pub(super) choices: Vec<CategoryChoice>,
    pub(super) form: SubmitForm,
}

/// A stored answer as the read-only page shows it.
pub(super) struct AnsweredRow {
    pub(super) text: String,
    pub(super) answer: &'static str,
    pub(super) evidence: String,
}

/// A section of a submitted screening.
pub(super) struct AnsweredSection {
    pub(super) title: String,
    pub(super) source: String,
    pub(super) rows: Vec<AnsweredRow>,
}

#[derive(Template)]
#[template(path = "screening_view.html")]
pub(super) struct ViewPage {
    pub(super) layout: Layout,
    pub(super) child_id: String,
    pub(super) child_name: String,
    pub(super) age_flag: &'static str,
    pub(super) tool_title: String,
    pub(super) tool_version: String,
    pub(super) submitted_at: String,
    pub(super) submitted_by: String,
    pub(super) agency: String,
    pub(super) proposed: &'static str,
    pub(super) category: &'static str,
    pub(super) changed: bool,
    pub(super) reason: String,
    pub(super) question: String,
    pub(super) signs_not_words: String,
    pub(super) adviser_consulted: String,
    pub(super) adviser_consulted_on: String,
    pub(super) sections: Vec<AnsweredSection>,
    pub(super) unanswered: usize,
}

#[derive(Template)]
#[template(path = "screening_submitted.html")]
pub(super) struct SubmittedPage {
    pub(super) layout: Layout,
    pub(super) id: String,
    pub(super) child_id: String,
    pub(super) child_name: String,
    pub(super) category: &'static str,
    pub(super) pathway: &'static str,
    pub(super) children_services: bool,
    pub(super) early_help: bool,
    pub(super) allocated_worker: bool,
}

#[derive(Template)]
#[template(path = "screening_already.html")]
pub(crate) struct AlreadyPage {
    pub(crate) layout: Layout,
    pub(crate) heading: &'static str,
    pub(crate) body: &'static str,
    pub(crate) link: String,
    pub(crate) link_text: &'static str,
}

/// One draft in "Your drafts".
pub(super) struct DraftRow {
    pub(super) id: String,
    pub(super) child_name: String,
    pub(super) started: String,
    pub(super) saved: String,
    pub(super) answered: usize,
}

#[derive(Template)]
#[template(path = "screening_drafts.html")]
pub(super) struct DraftsPage {
    pub(super) layout: Layout,
    pub(super) drafts: Vec<DraftRow>,
}

pub(super) fn child_name(child: &Child) -> String {
    format!("{} {}", child.name.given(), child.name.family())
}

/// The day, month and year fields of a kept consultation date.
pub(super) fn date_parts(stored: Option<&str>) -> (String, String, String) {
    let Some(stored) = stored else {
        return Default::default();
    };
    if let Some(date) = consulted_on(Some(stored)) {
        return (
            date.day().to_string(),
            date.month().to_string(),
            date.year().to_string(),
        );
    }
    let mut parts = stored.splitn(3, '/').map(str::to_owned);
    (
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
    )
}

pub(super) fn form_page(
    state: &AppState,
    who: &SignedIn,
    tool: &ScreeningTool,
    s: &Screening,
    child: &Child,
    problems: &[Problem],
    saved: bool,
) -> FormPage {
    let answers = read_answers(&s.answers);
    let message_for = |field: &Field| {
        problems
            .iter()
            .find(|p| p.field == *field)
            .map(|p| p.message.clone())
    };
    let mut sections: Vec<SectionRows> = tool
        .sections()
        .iter()
        .map(|section| SectionRows {
            title: section.title().to_owned(),
            source: section.source().to_owned(),
            indicators: section
                .indicators()
                .iter()
                .map(|i| {
                    let typed = answers.get(i.code());
                    IndicatorRow {
                        code: i.code().to_owned(),
                        dom: dom(i.code()),
                        text: i.text().to_owned(),
                        answer: typed.and_then(|t| t.answer).map_or("", Answer::code),
                        evidence: typed.map(|t| t.evidence.clone()).unwrap_or_default(),
                        answer_error: message_for(&Field::Answer(i.code().to_owned())),
                        evidence_error: message_for(&Field::Evidence(i.code().to_owned())),
                    }
                })
                .collect(),
        })
        .collect();
    // "Answer at least one indicator" is shown by the first indicator, where its link goes.
    if let Some(message) = message_for(&Field::Indicators) {
        if let Some(first) = sections.first_mut().and_then(|s| s.indicators.first_mut()) {
            first.answer_error.get_or_insert(message);
        }
    }
    let (adviser_day, adviser_month, adviser_year) = date_parts(s.adviser_consulted_on.as_deref());
    let (flag, note) = age_flag(age_band(child));
    let name = child_name(child);
    let title = if problems.is_empty() {
        format!("Screening: {name}")
    } else {
        // The frame adds "Error: " only for its own error list; this page keeps its own,
        // because the indicator fields' ids come from the tool.
        format!("Error: Screening: {name}")
    };
    FormPage {
        layout: who.layout(state, &title, "/children"),
        id: s.id.clone(),
        child_id: child.id.to_string(),
        child_name: name,
        age_flag: flag,
        age_note: note,
        tool_title: tool.title().to_owned(),
        tool_version: tool.version().to_owned(),
        question: tool.see_me_hear_me_question().to_owned(),
        answer_choices: ANSWER_CHOICES,
        sections,
        signs_not_words: s.signs_not_words.clone(),
        adviser_consulted: s.adviser_consulted.clone(),
        adviser_day,
        adviser_month,
        adviser_year,
        problems: problems
            .iter()
            .map(|p| SummaryLink {
                id: p.field.html_id(tool),
                message: p.message.clone(),
            })
            .collect(),
        signs_error: message_for(&Field::SignsNotWords),
        adviser_error: message_for(&Field::AdviserConsulted),
        adviser_date_error: message_for(&Field::AdviserConsultedOn),
        saved,
        idle_minutes: state.config().session_idle.as_secs() / 60,
    }
}

pub(super) fn category_label(category: Option<u8>) -> &'static str {
    match category.and_then(Category::from_number) {
        Some(c) => c.label(),
        None => "No CSE indicators identified",
    }
}

#[allow(clippy::too_many_arguments)]
pub(super) fn proposal_page(
    state: &AppState,
    who: &SignedIn,
    s: &Screening,
    child: &Child,
    proposal: &Proposal,
    form: SubmitForm,
    problems: &[Problem],
    tool: &ScreeningTool,
) -> ProposalPage {
    let name = child_name(child);
    let mut layout = who.layout(state, &format!("Category: {name}"), "/children");
    for p in problems {
        let field = match p.field {
            Field::Category => "category",
            Field::CategoryReason => "category_reason",
            Field::ReferrerName => "referrer_name",
            Field::ReferrerContact => "referrer_contact",
            Field::Summary => "summary",
            _ => "category",
        };
        layout.error(field, p.message.clone());
    }
    let mut choices: Vec<CategoryChoice> = Category::ALL
        .iter()
        .map(|c| CategoryChoice {
            value: match c {
                Category::AtRisk => "1",
                Category::SignificantRisk => "2",
                Category::SeriousRisk => "3",
            },
            label: c.label(),
            pathway: pathway_for(Some(c.number()), child.legal_status).label(),
            proposed: proposal.category() == Some(*c),
            checked: false,
        })
        .collect();
    if proposal.category().is_none() {
        choices.push(CategoryChoice {
            value: "none",
            label: "No category: no CSE indicators identified",
            pathway: pathway_for(None, child.legal_status).label(),
            proposed: true,
            checked: false,
        });
    }
    for c in &mut choices {
        c.checked = c.value == form.category;
    }
    let (flag, note) = age_flag(age_band(child));
    ProposalPage {
        layout,
        id: s.id.clone(),
        child_id: child.id.to_string(),
        child_name: name,
        age_flag: flag,
        age_note: note,
        tool_version: tool.version().to_owned(),
        proposed: category_label(number(proposal.category())),
        reasons: proposal.reasons().to_vec(),
        choices,
        form,
    }
}

pub(super) fn choice_value(category: Option<u8>) -> String {
    match category {
        Some(n @ 1..=3) => n.to_string(),
        _ => "none".to_owned(),
    }
}

/// "This screening was already submitted", with a link to it; nothing new was made.
pub(crate) fn already_submitted(state: &AppState, who: &SignedIn, id: &str) -> Response {
    let page = AlreadyPage {
        layout: who.layout(state, "This screening was already submitted", "/children"),
        heading: "This screening was already submitted",
        body: "It went to the MASH once. Nothing was sent again.",
        link: format!("/screenings/{id}"),
        link_text: "View the submitted screening",
    };
    match page.render() {
        Ok(html) => (StatusCode::CONFLICT, Html(html)).into_response(),
        Err(e) => AppError::from(e).into_response(),
    }
}

pub(super) async fn view_page(
    state: &AppState,
    who: &SignedIn,
    a: &ScreeningAccess,
) -> Result<ViewPage, AppError> {
    let s = &a.screening;
    let tool = tool(state, &s.tool_version).await?;
    let answers = read_answers(&s.answers);
    let sections: Vec<AnsweredSection> = tool
        .sections()
        .iter()
        .map(|section| AnsweredSection {
            title: section.title().to_owned(),
            source: section.source().to_owned(),
            rows: section
                .indicators()
                .iter()
                .filter_map(|i| {
                    let typed = answers.get(i.code())?;
                    Some(AnsweredRow {
                        text: i.text().to_owned(),
                        answer: typed.answer.map_or("Not answered", Answer::label),
                        evidence: typed.evidence.clone(),
                    })
                })
                .collect(),
        })
        .filter(|s| !s.rows.is_empty())
        .collect();
    let answered: usize = sections.iter().map(|s| s.rows.len()).sum();
    let store = state.store();
    let submitted_by = store.user(s.created_by).await?.display_name;
    let agency = state.directory().agency(store, s.agency).await?.name;
    let name = child_name(&a.child);
    Ok(ViewPage {
        layout: who.layout(state, &format!("Screening: {name}"), "/children"),
        child_id: a.child.id.to_string(),
        child_name: name,
        age_flag: age_flag(age_band(&a.child)).0,
        tool_title: tool.title().to_owned(),
        tool_version: tool.version().to_owned(),
        submitted_at: s.submitted_at.map_or_else(String::new, london_time),
        submitted_by,
        agency,
        proposed: category_label(s.proposed_category),
        category: category_label(s.category),
        changed: s.category != s.proposed_category,
        reason: s.category_reason.clone(),
        question: tool.see_me_hear_me_question().to_owned(),
        signs_not_words: s.signs_not_words.clone(),
        adviser_consulted: s.adviser_consulted.clone(),
        adviser_consulted_on: consulted_on(s.adviser_consulted_on.as_deref())
            .map(|d| d.strftime("%-d %B %Y").to_string())
            .unwrap_or_default(),
        unanswered: tool.indicator_count().saturating_sub(answered),
        sections,
    })
}
