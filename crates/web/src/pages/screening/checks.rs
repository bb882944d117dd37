//! The screening's checks, shared by the pages and the API: the tool versions and the stored
//! answers, the checks before a category is proposed (R2.2, R2.5 a), the practitioner's
//! confirmation of the category (R2.3), and the submission that refers the child to the MASH
//! in one transaction (R2.5).

use std::borrow::Cow;
use std::collections::BTreeMap;

use safehub_access::Principal;
use safehub_domain::pathway::RouteIn;
use safehub_domain::screening::{
    Answer, Category, CheckedResponses, ConfirmError, ConfirmedCategory, DEFAULT_TOOL_JSON,
    MAX_TEXT_CHARS, Proposal, ResponseProblem, Responses, ScreeningTool, confirm,
};
use safehub_domain::{AgeBand, DateOfBirth};
use safehub_store::audit::{self, RecordKind};
use safehub_store::children::Child;
use safehub_store::referrals::{Referral, ReferralError};
use safehub_store::screenings::{self, Screening, ScreeningStatus, SubmitError};
use safehub_store::{AuditAction, Tx};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::client::Client;
use crate::error::AppError;
use crate::front_door::{self, Intake, IntakeError};
use crate::guard;

/// The longest one-line summary for the MASH queue.
pub(crate) const MAX_SUMMARY_CHARS: usize = 200;
/// The longest name or contact line.
pub(crate) const MAX_LINE_CHARS: usize = 300;

/// Makes sure the shipped tool version is stored, so that screenings can name it (R2.2).
/// The first version stored becomes the one new screenings use.
pub(crate) async fn ensure_default_tool(state: &AppState) -> Result<(), AppError> {
    let mut tx = state.store().begin().await?;
    ensure_default_tool_in(&mut tx).await?;
    tx.commit().await?;
    Ok(())
}

async fn ensure_default_tool_in(tx: &mut Tx) -> Result<&'static ScreeningTool, AppError> {
    let tool = ScreeningTool::default_tool()
        .map_err(|e| AppError::Internal(format!("shipped screening tool: {e}")))?;
    screenings::ensure_tool(tx, tool.version(), DEFAULT_TOOL_JSON, None).await?;
    Ok(tool)
}

/// One version of the tool, read from its stored body: an old screening is always shown
/// against the version it was answered with (R2.2).
pub(crate) async fn tool(
    state: &AppState,
    version: &str,
) -> Result<Cow<'static, ScreeningTool>, AppError> {
    if let Ok(shipped) = ScreeningTool::default_tool() {
        if shipped.version() == version {
            return Ok(Cow::Borrowed(shipped));
        }
    }
    let body = state
        .store()
        .screening_tool(version)
        .await?
        .ok_or_else(|| AppError::Internal(format!("screening tool {version:?} is not stored")))?;
    ScreeningTool::from_json(&body)
        .map(Cow::Owned)
        .map_err(|e| AppError::Internal(format!("stored screening tool {version:?}: {e}")))
}

/// The tool version new screenings use, storing the shipped one if none is stored yet.
pub(crate) async fn current_tool(
    state: &AppState,
    tx: &mut Tx,
) -> Result<Cow<'static, ScreeningTool>, AppError> {
    match state.store().current_screening_tool().await? {
        Some((version, _)) => tool(state, &version).await,
        None => Ok(Cow::Borrowed(ensure_default_tool_in(tx).await?)),
    }
}

/// One indicator as saved in a draft: the evidence may be typed before an answer is chosen,
/// and is kept either way. A submitted screening's answers read the same way.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct DraftAnswer {
    /// Yes, No or Not known, once chosen.
    #[serde(default)]
    pub(crate) answer: Option<Answer>,
    /// What the practitioner saw or was told.
    #[serde(default)]
    pub(crate) evidence: String,
}

/// A draft's answers, by indicator code.
pub(crate) type DraftAnswers = BTreeMap<String, DraftAnswer>;

/// Reads stored answers (a draft's, or a submitted screening's).
pub(crate) fn read_answers(json: &str) -> DraftAnswers {
    serde_json::from_str(json).unwrap_or_else(|e| {
        tracing::error!(error = %e, "stored screening answers do not read");
        DraftAnswers::new()
    })
}

pub(super) fn write_json<T: Serialize>(value: &T) -> Result<String, AppError> {
    serde_json::to_string(value).map_err(|e| AppError::Internal(format!("answers: {e}")))
}

/// The age-of-consent flag of a child today (R2.4), if the date of birth is known.
pub(crate) fn age_band(child: &Child) -> Option<AgeBand> {
    let today = safehub_domain::london_date(jiff::Timestamp::now());
    child
        .date_of_birth
        .and_then(|d| DateOfBirth::check(d, today).ok())
        .map(|d| d.band_on(today))
}

/// The flag and what it means for the screening (R2.4, WM-3.4, WM-11.1).
pub(crate) fn age_flag(band: Option<AgeBand>) -> (&'static str, &'static str) {
    match band {
        Some(AgeBand::Under13) => (
            "Under 13",
            "A child under 13 cannot consent to sexual activity in law (WM-3.4). Any sign of \
             sexual activity is sexual abuse, and the tool proposes category 3 for it.",
        ),
        Some(AgeBand::Under16) => (
            "Under 16",
            "A child under 16 is below the age of consent and cannot legally consent to \
             sexual activity (WM-3.4).",
        ),
        Some(AgeBand::SixteenOrSeventeen) => (
            "16-17",
            "Over the age of consent but still a child: being 16 or 17 does not lower the risk \
             of exploitation, and these procedures apply in full (WM-11.1).",
        ),
        Some(AgeBand::Adult) => (
            "18 or over",
            "These procedures are about children under 18 (WM-3.1). A care leaver may still be \
             supported: ask the MASH.",
        ),
        None => (
            "Age not known",
            "The child's date of birth is not recorded, so the rule for children under 13 \
             (WM-3.4) cannot be applied. Add the date of birth to the child's record if you \
             know it.",
        ),
    }
}

/// A category as a number, for storage.
pub(super) fn number(category: Option<Category>) -> Option<u8> {
    category.map(Category::number)
}

// ---------------------------------------------------------------------------------------
// Checking answers and the confirmation: shared with the API
// ---------------------------------------------------------------------------------------

/// A field a problem is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Field {
    /// The indicators as a whole ("answer at least one").
    Indicators,
    /// One indicator's answer.
    Answer(String),
    /// One indicator's evidence.
    Evidence(String),
    /// The See Me Hear Me answer.
    SignsNotWords,
    /// The designated safeguarding adviser consulted.
    AdviserConsulted,
    /// When they were consulted.
    AdviserConsultedOn,
    /// The confirmed category.
    Category,
    /// The reasons for the category.
    CategoryReason,
    /// The referrer's name.
    ReferrerName,
    /// How to reach the referrer in writing.
    ReferrerContact,
    /// The one-line summary.
    Summary,
}

impl Field {
    /// The id of the input on the page, for the error summary's link. Indicator codes are
    /// lower-case letters, digits, underscores and dots; the dots become hyphens.
    pub(crate) fn html_id(&self, tool: &ScreeningTool) -> String {
        match self {
            Field::Indicators => tool
                .indicators()
                .next()
                .map_or_else(|| "indicators".to_owned(), |i| answer_id(i.code())),
            Field::Answer(code) => answer_id(code),
            Field::Evidence(code) => evidence_id(code),
            Field::SignsNotWords => "signs_not_words".to_owned(),
            Field::AdviserConsulted => "adviser_consulted".to_owned(),
            Field::AdviserConsultedOn => "adviser_day".to_owned(),
            Field::Category => "category".to_owned(),
            Field::CategoryReason => "category_reason".to_owned(),
            Field::ReferrerName => "referrer_name".to_owned(),
            Field::ReferrerContact => "referrer_contact".to_owned(),
            Field::Summary => "summary".to_owned(),
        }
    }

    /// The field's name in the API's JSON body.
    pub(crate) fn api_name(&self) -> String {
        match self {
            Field::Indicators => "answers".to_owned(),
            Field::Answer(code) => format!("answers.{code}.answer"),
            Field::Evidence(code) => format!("answers.{code}.evidence"),
            Field::SignsNotWords => "signs_not_words".to_owned(),
            Field::AdviserConsulted => "adviser_consulted".to_owned(),
            Field::AdviserConsultedOn => "adviser_consulted_on".to_owned(),
            Field::Category => "category".to_owned(),
            Field::CategoryReason => "category_reason".to_owned(),
            Field::ReferrerName => "referrer_name".to_owned(),
            Field::ReferrerContact => "referrer_contact".to_owned(),
            Field::Summary => "summary".to_owned(),
        }
    }
}

pub(super) fn dom(code: &str) -> String {
    code.replace('.', "-")
}

fn answer_id(code: &str) -> String {
    format!("answer-{}", dom(code))
}

fn evidence_id(code: &str) -> String {
    format!("evidence-{}", dom(code))
}

/// A problem with what was typed, written for the practitioner.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Problem {
    /// The field.
    pub(crate) field: Field,
    /// What to do about it.
    pub(crate) message: String,
}

fn problem(field: Field, message: impl Into<String>) -> Problem {
    Problem {
        field,
        message: message.into(),
    }
}

/// Reads a stored adviser consultation date, if it is a real date.
pub(super) fn consulted_on(stored: Option<&str>) -> Option<jiff::civil::Date> {
    stored.and_then(|s| s.parse::<jiff::civil::Date>().ok())
}

/// Checks a screening's answers and the questions around them before its category is
/// proposed (R2.2, R2.5 a): at least one indicator answered, an answer for every indicator
/// with evidence, evidence for every Yes, the See Me Hear Me question answered, and the
/// designated safeguarding adviser consulted (name, and a real date not in the future).
/// Problems come in the order of the form.
pub(crate) fn check_screening(
    tool: &ScreeningTool,
    answers: &DraftAnswers,
    signs_not_words: &str,
    adviser_consulted: &str,
    adviser_consulted_on: Option<&str>,
) -> Result<CheckedResponses, Vec<Problem>> {
    let mut responses = Responses::new();
    let mut unanswered = Vec::new();
    for indicator in tool.indicators() {
        let Some(typed) = answers.get(indicator.code()) else {
            continue;
        };
        match typed.answer {
            Some(answer) => responses.set(indicator.code(), answer, typed.evidence.clone()),
            None if !typed.evidence.trim().is_empty() => unanswered.push(problem(
                Field::Answer(indicator.code().to_owned()),
                format!(
                    "Select Yes, No or Not known for \u{201c}{}\u{201d}",
                    indicator.text()
                ),
            )),
            None => {}
        }
    }
    let mut by_code: BTreeMap<String, Vec<Problem>> = BTreeMap::new();
    for p in unanswered {
        if let Field::Answer(code) = &p.field {
            by_code.entry(code.clone()).or_default().push(p.clone());
        }
    }
    let mut problems = Vec::new();
    let checked = match tool.check(&responses) {
        Ok(checked) => Some(checked),
        Err(found) => {
            for p in found {
                match &p {
                    ResponseProblem::NothingAnswered => {
                        problems.push(problem(Field::Indicators, "Answer at least one indicator"));
                    }
                    ResponseProblem::EvidenceNeeded { code, .. }
                    | ResponseProblem::EvidenceTooLong { code, .. } => {
                        by_code
                            .entry(code.clone())
                            .or_default()
                            .push(problem(Field::Evidence(code.clone()), p.to_string()));
                    }
                    ResponseProblem::UnknownIndicator { code } => {
                        problems.push(problem(Field::Answer(code.clone()), p.to_string()));
                    }
                }
            }
            None
        }
    };
    for indicator in tool.indicators() {
        if let Some(found) = by_code.remove(indicator.code()) {
            problems.extend(found);
        }
    }
    let signs = signs_not_words.trim();
    if signs.is_empty() {
        problems.push(problem(
            Field::SignsNotWords,
            "Answer the See Me Hear Me question: what is this child telling you, through signs \
             and not just words?",
        ));
    } else if signs.chars().count() > MAX_TEXT_CHARS {
        problems.push(problem(
            Field::SignsNotWords,
            "Your answer to the See Me Hear Me question must be 2,000 characters or fewer",
        ));
    }
    let adviser = adviser_consulted.trim();
    if adviser.is_empty() {
        problems.push(problem(
            Field::AdviserConsulted,
            "Enter the name of the designated safeguarding adviser you consulted",
        ));
    } else if adviser.chars().count() > MAX_LINE_CHARS {
        problems.push(problem(
            Field::AdviserConsulted,
            "The adviser's name must be 300 characters or fewer",
        ));
    }
    match (adviser_consulted_on, consulted_on(adviser_consulted_on)) {
        (None, _) => problems.push(problem(
            Field::AdviserConsultedOn,
            "Enter the date you consulted the designated safeguarding adviser",
        )),
        (Some(_), None) => problems.push(problem(
            Field::AdviserConsultedOn,
            "The date you consulted the adviser must be a real date, like 27 3 2025",
        )),
        (Some(_), Some(day)) if day > safehub_domain::london_date(jiff::Timestamp::now()) => {
            problems.push(problem(
                Field::AdviserConsultedOn,
                "The date you consulted the adviser must be today or in the past",
            ))
        }
        _ => {}
    }
    match checked {
        Some(checked) if problems.is_empty() => Ok(checked),
        _ => Err(problems),
    }
}

/// The practitioner's confirmation of the category (R2.3, WM-12.3). `choice` is `1`, `2`,
/// `3`, or `none` (only when the tool identified no CSE indicators: the MASH still receives
/// the form, R2.9). A category other than the proposal needs reasons.
pub(crate) fn confirm_choice(
    proposal: &Proposal,
    choice: &str,
    reason: &str,
) -> Result<Option<ConfirmedCategory>, Problem> {
    let choice = choice.trim();
    if choice == "none" && proposal.category().is_none() {
        if reason.trim().chars().count() > MAX_TEXT_CHARS {
            return Err(problem(
                Field::CategoryReason,
                "Your reasons must be 2,000 characters or fewer",
            ));
        }
        return Ok(None);
    }
    let chosen = choice
        .parse::<u8>()
        .ok()
        .and_then(Category::from_number)
        .ok_or_else(|| problem(Field::Category, "Select the category for this child"))?;
    confirm(proposal, chosen, reason)
        .map(Some)
        .map_err(|e| match e {
            ConfirmError::ReasonNeeded { .. } => problem(
                Field::CategoryReason,
                "Give your reasons for changing the category",
            ),
            ConfirmError::ReasonTooLong => problem(
                Field::CategoryReason,
                "Your reasons must be 2,000 characters or fewer",
            ),
        })
}

/// Checks the referrer's details and the summary that go with a referral.
pub(crate) fn check_referrer(name: &str, contact: &str, summary: &str) -> Vec<Problem> {
    let mut problems = Vec::new();
    for (field, value, empty, max, long) in [
        (
            Field::ReferrerName,
            name,
            "Enter your name as the MASH should address you",
            MAX_LINE_CHARS,
            "Your name must be 300 characters or fewer",
        ),
        (
            Field::ReferrerContact,
            contact,
            "Enter how the MASH can reach you in writing (an email or postal address)",
            MAX_LINE_CHARS,
            "How to reach you must be 300 characters or fewer",
        ),
        (
            Field::Summary,
            summary,
            "Enter a one-line summary for the MASH",
            MAX_SUMMARY_CHARS,
            "The summary must be 200 characters or fewer",
        ),
    ] {
        let value = value.trim();
        if value.is_empty() {
            problems.push(problem(field, empty));
        } else if value.chars().count() > max {
            problems.push(problem(field, long));
        }
    }
    problems
}

/// What the MASH reads as the referral's details: the See Me Hear Me answer and every
/// indicator answered Yes with its evidence.
pub(super) fn referral_details(
    tool: &ScreeningTool,
    checked: &CheckedResponses,
    signs: &str,
) -> String {
    let mut out = format!(
        "Screening with the CSE screening tool, version {}.\n\n{}\n{}\n",
        tool.version(),
        tool.see_me_hear_me_question(),
        signs.trim()
    );
    let yes: Vec<String> = tool
        .indicators()
        .filter_map(|i| {
            let r = checked.get(i.code())?;
            (r.answer == Answer::Yes).then(|| format!("- {}: {}", i.text(), r.evidence))
        })
        .collect();
    if yes.is_empty() {
        out.push_str("\nNo indicator was answered Yes.\n");
    } else {
        out.push_str("\nAnswered Yes:\n");
        out.push_str(&yes.join("\n"));
        out.push('\n');
    }
    out
}

/// A screening ready to submit: checked, with its confirmed category.
pub(crate) struct ReadyScreening<'a> {
    /// The screening as it will be stored (answers, category and reasons filled in).
    pub(crate) screening: Screening,
    /// The child.
    pub(crate) child: &'a Child,
    /// The referrer's name.
    pub(crate) referrer_name: String,
    /// How to reach them in writing.
    pub(crate) referrer_contact: String,
    /// The one-line summary.
    pub(crate) summary: String,
    /// The details for the MASH.
    pub(crate) details: String,
    /// The one-off key of the form or API request.
    pub(crate) form_key: String,
}

/// Why a submission did not happen.
pub(crate) enum SubmitFailure {
    /// The screening (or this form) was already submitted: nothing new was made.
    AlreadySubmitted,
    /// Anything else.
    App(AppError),
}

impl From<AppError> for SubmitFailure {
    fn from(e: AppError) -> Self {
        SubmitFailure::App(e)
    }
}

impl From<safehub_store::StoreError> for SubmitFailure {
    fn from(e: safehub_store::StoreError) -> Self {
        SubmitFailure::App(e.into())
    }
}

/// Fills in a checked screening's answers, proposal and confirmed category.
pub(crate) fn finish(
    mut s: Screening,
    checked: &CheckedResponses,
    proposal: &Proposal,
    confirmed: Option<&ConfirmedCategory>,
) -> Result<Screening, AppError> {
    let clean: BTreeMap<&str, &safehub_domain::Response> = checked.iter().collect();
    s.answers = write_json(&clean)?;
    s.signs_not_words = s.signs_not_words.trim().to_owned();
    s.adviser_consulted = s.adviser_consulted.trim().to_owned();
    s.proposed_category = number(proposal.category());
    s.category = confirmed.map(|c| c.chosen().number());
    s.category_reason = confirmed
        .and_then(ConfirmedCategory::reason)
        .unwrap_or_default()
        .to_owned();
    let now = safehub_store::now_ms();
    s.updated_at = now;
    s.submitted_at = Some(now);
    Ok(s)
}

/// Submits a screening and refers the child to the MASH by route (a), all in one
/// transaction with the audit entries (R2.2-R2.5): the submitted screening, the referral
/// with its clocks and notifications (`front_door::receive`), and the screening's change.
pub(crate) async fn submit_and_refer(
    state: &AppState,
    who: &Principal,
    decision: &safehub_access::Decision,
    client: &Client,
    ready: ReadyScreening<'_>,
) -> Result<Referral, SubmitFailure> {
    let s = &ready.screening;
    let mut tx = state.store().begin().await?;
    match screenings::submit(&mut tx, s, &ready.form_key).await {
        Ok(()) => {}
        Err(SubmitError::AlreadySubmitted) => return Err(SubmitFailure::AlreadySubmitted),
        Err(SubmitError::Store(e)) => return Err(e.into()),
    }
    let intake = Intake {
        child: ready.child.id,
        area: ready.child.area,
        legal_status: ready.child.legal_status,
        route: RouteIn::AgencyScreening,
        screening: Some(s.id.clone()),
        category: s.category,
        referrer_name: ready.referrer_name.trim().to_owned(),
        referrer_contact: ready.referrer_contact.trim().to_owned(),
        summary: ready.summary.trim().to_owned(),
        details: ready.details,
        form_key: ready.form_key.clone(),
    };
    let referral = match front_door::receive(state, &mut tx, who, client, intake).await {
        Ok(r) => r,
        Err(IntakeError::Referral(ReferralError::Duplicate)) => {
            return Err(SubmitFailure::AlreadySubmitted);
        }
        Err(e) => return Err(SubmitFailure::App(e.into())),
    };
    let e = guard::entry(
        who,
        AuditAction::Change,
        RecordKind::Screening,
        Some(s.id.clone()),
        Some(decision),
        client,
        serde_json::json!({
            "child": s.child.to_string(),
            "status": ScreeningStatus::Submitted.code(),
            "tool_version": s.tool_version,
            "proposed_category": s.proposed_category,
            "category": s.category,
            "category_changed": s.category != s.proposed_category,
            "referral": referral.id,
        }),
    );
    audit::append(&mut tx, &[e]).await?;
    tx.commit().await.map_err(AppError::from)?;
    Ok(referral)
}
