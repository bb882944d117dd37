//! The regional CSE screening tool (R2.2-R2.4, WM-12, Appendix 1) as versioned data, the
//! answers to one screening, the rule that proposes a category from them, and the
//! practitioner's confirmation of that category.
//!
//! The indicators are not code: each tool version is a JSON file read by
//! [`ScreeningTool::from_json`]; the shipped version is
//! `crates/domain/data/screening-tool-wm-2025.json` ([`ScreeningTool::default_tool`]). A
//! screening records the version it was answered against, so a later version of the tool never
//! changes the meaning of an old screening. The category rule is recorded in
//! `docs/decisions/0009-screening-category-rule.md`.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::str::FromStr;
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use crate::ParseError;
use crate::child::AgeBand;

/// The shipped tool version, in the format [`ScreeningTool::from_json`] reads.
pub const DEFAULT_TOOL_JSON: &str = include_str!("../data/screening-tool-wm-2025.json");

/// The most characters kept as evidence for one indicator, or as the reason for a category.
pub const MAX_TEXT_CHARS: usize = 2_000;

/// The three categories of risk of harm of the screening tool (R2.3, WM-12.2), ordered from
/// the least to the most serious.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Category 1: a child at risk of being groomed for sexual exploitation.
    AtRisk,
    /// Category 2: a child targeted for abuse through the exchange of sex for affection, drugs,
    /// accommodation or goods; the likelihood of coercion and control is significant.
    SignificantRisk,
    /// Category 3: a child entrenched in sexual exploitation, who often does not recognise or
    /// denies the abuse, and where coercion and control are implicit.
    SeriousRisk,
}

impl Category {
    /// Every category, from 1 to 3.
    pub const ALL: [Category; 3] = [
        Category::AtRisk,
        Category::SignificantRisk,
        Category::SeriousRisk,
    ];

    /// The category's number in the procedures: 1, 2 or 3.
    pub const fn number(self) -> u8 {
        match self {
            Category::AtRisk => 1,
            Category::SignificantRisk => 2,
            Category::SeriousRisk => 3,
        }
    }

    /// The category with this number, if it is 1, 2 or 3.
    pub const fn from_number(number: u8) -> Option<Self> {
        match number {
            1 => Some(Category::AtRisk),
            2 => Some(Category::SignificantRisk),
            3 => Some(Category::SeriousRisk),
            _ => None,
        }
    }

    /// The stable machine name used in storage and the API.
    pub const fn code(self) -> &'static str {
        match self {
            Category::AtRisk => "at_risk",
            Category::SignificantRisk => "significant_risk",
            Category::SeriousRisk => "serious_risk",
        }
    }

    /// The category with this machine name.
    pub fn from_code(code: &str) -> Option<Self> {
        Category::ALL.into_iter().find(|c| c.code() == code)
    }

    /// The label practitioners read on screen.
    pub const fn label(self) -> &'static str {
        match self {
            Category::AtRisk => "Category 1: at risk of harm",
            Category::SignificantRisk => "Category 2: significant risk of harm",
            Category::SeriousRisk => "Category 3: serious risk of harm",
        }
    }

    /// The category one step less serious, if there is one.
    const fn lower(self) -> Option<Self> {
        match self {
            Category::AtRisk => None,
            Category::SignificantRisk => Some(Category::AtRisk),
            Category::SeriousRisk => Some(Category::SignificantRisk),
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

impl FromStr for Category {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Category::from_code(s).ok_or_else(|| ParseError {
            what: "screening category",
            value: s.to_owned(),
        })
    }
}

/// A practitioner's answer to one indicator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    /// The indicator is present.
    Yes,
    /// The indicator is absent.
    No,
    /// The practitioner does not know yet.
    Unknown,
}

impl Answer {
    /// Every answer, in the order a form shows them.
    pub const ALL: [Answer; 3] = [Answer::Yes, Answer::No, Answer::Unknown];

    /// The stable machine name used in storage and the API.
    pub const fn code(self) -> &'static str {
        match self {
            Answer::Yes => "yes",
            Answer::No => "no",
            Answer::Unknown => "unknown",
        }
    }

    /// The answer with this machine name.
    pub fn from_code(code: &str) -> Option<Self> {
        Answer::ALL.into_iter().find(|a| a.code() == code)
    }

    /// The label practitioners read on screen.
    pub const fn label(self) -> &'static str {
        match self {
            Answer::Yes => "Yes",
            Answer::No => "No",
            Answer::Unknown => "Not known",
        }
    }
}

impl FromStr for Answer {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Answer::from_code(s).ok_or_else(|| ParseError {
            what: "screening answer",
            value: s.to_owned(),
        })
    }
}

/// Why a tool version was refused. These are errors in the data file, for whoever maintains
/// it, not for practitioners.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ToolError {
    /// The file is not JSON of the expected shape.
    #[error("the screening tool is not valid: {0}")]
    Json(String),
    /// The version is blank.
    #[error("the screening tool has no version")]
    NoVersion,
    /// The title is blank.
    #[error("the screening tool has no title")]
    NoTitle,
    /// The See Me Hear Me question is blank.
    #[error("the screening tool has no See Me Hear Me question")]
    NoSeeMeHearMeQuestion,
    /// There are no sections.
    #[error("the screening tool has no sections")]
    NoSections,
    /// A section's code is blank or not lower-case letters, digits and underscores.
    #[error("section code {0:?} must be lower-case letters, digits and underscores")]
    BadSectionCode(String),
    /// Two sections share a code.
    #[error("section code {0:?} is used more than once")]
    DuplicateSection(String),
    /// A section's title or source is blank.
    #[error("section {0:?} needs a title and a source")]
    SectionUntitled(String),
    /// A section has no indicators.
    #[error("section {0:?} has no indicators")]
    EmptySection(String),
    /// An indicator's code is not lower-case letters, digits, underscores and dots.
    #[error("indicator code {0:?} must be lower-case letters, digits, underscores and dots")]
    BadIndicatorCode(String),
    /// Two indicators share a code.
    #[error("indicator code {0:?} is used more than once")]
    DuplicateIndicator(String),
    /// An indicator's text is blank.
    #[error("indicator {0:?} has no text")]
    BlankIndicatorText(String),
    /// An indicator points to a category other than 1, 2 or 3.
    #[error("indicator {code:?} points to category {points_to}; it must be 1, 2 or 3")]
    BadCategory {
        /// The indicator.
        code: String,
        /// The number found.
        points_to: u8,
    },
}

/// One indicator of the tool: a vulnerability or sign a practitioner answers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Indicator {
    code: String,
    text: String,
    points_to: Category,
    sexual_activity: bool,
}

impl Indicator {
    /// The stable code, unique within the tool version, e.g. `sign.missing_from_home_or_care`.
    pub fn code(&self) -> &str {
        &self.code
    }

    /// The question as practitioners read it.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The category this indicator points to (WM-12.2).
    pub fn points_to(&self) -> Category {
        self.points_to
    }

    /// Whether the indicator is itself a sign of sexual activity or sexual harm, which a child
    /// under 13 cannot consent to (WM-3.4).
    pub fn sexual_activity(&self) -> bool {
        self.sexual_activity
    }
}

/// A group of indicators taken from one list in the source documents.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Section {
    code: String,
    title: String,
    source: String,
    indicators: Vec<Indicator>,
}

impl Section {
    /// The stable code of the section, e.g. `signs`.
    pub fn code(&self) -> &str {
        &self.code
    }

    /// The heading practitioners read.
    pub fn title(&self) -> &str {
        &self.title
    }

    /// Where the list comes from, e.g. `WM-10.5`.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The indicators in the order the form shows them.
    pub fn indicators(&self) -> &[Indicator] {
        &self.indicators
    }
}

/// One version of the screening tool, checked when it was read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScreeningTool {
    version: String,
    title: String,
    see_me_hear_me_question: String,
    sections: Vec<Section>,
    /// Indicator code to (section index, indicator index).
    index: HashMap<String, (usize, usize)>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ToolFile {
    version: String,
    title: String,
    see_me_hear_me_question: String,
    sections: Vec<SectionFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SectionFile {
    code: String,
    title: String,
    source: String,
    indicators: Vec<IndicatorFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IndicatorFile {
    code: String,
    text: String,
    points_to: u8,
    #[serde(default)]
    sexual_activity: bool,
}

fn is_code(code: &str, extra: &[char]) -> bool {
    !code.is_empty()
        && code
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || extra.contains(&c))
}

fn blank(text: &str) -> bool {
    text.trim().is_empty()
}

static DEFAULT_TOOL: LazyLock<Result<ScreeningTool, ToolError>> =
    LazyLock::new(|| ScreeningTool::from_json(DEFAULT_TOOL_JSON));

impl ScreeningTool {
    /// The shipped tool version (`wm-2025-1`). It is embedded at compile time and its tests
    /// prove it reads, so the error is only there to keep a broken data file from panicking.
    pub fn default_tool() -> Result<&'static ScreeningTool, ToolError> {
        DEFAULT_TOOL.as_ref().map_err(Clone::clone)
    }

    /// Reads and checks one tool version: a non-blank version, title and See Me Hear Me
    /// question; at least one section; every section with a unique code, a title, a source and
    /// at least one indicator; every indicator with a code unique across the tool, text, and a
    /// category of 1, 2 or 3.
    pub fn from_json(json: &str) -> Result<Self, ToolError> {
        let file: ToolFile =
            serde_json::from_str(json).map_err(|e| ToolError::Json(e.to_string()))?;
        if blank(&file.version) {
            return Err(ToolError::NoVersion);
        }
        if blank(&file.title) {
            return Err(ToolError::NoTitle);
        }
        if blank(&file.see_me_hear_me_question) {
            return Err(ToolError::NoSeeMeHearMeQuestion);
        }
        if file.sections.is_empty() {
            return Err(ToolError::NoSections);
        }
        let mut section_codes = BTreeSet::new();
        let mut index = HashMap::new();
        let mut sections = Vec::with_capacity(file.sections.len());
        for (s, section) in file.sections.into_iter().enumerate() {
            if !is_code(&section.code, &[]) {
                return Err(ToolError::BadSectionCode(section.code));
            }
            if !section_codes.insert(section.code.clone()) {
                return Err(ToolError::DuplicateSection(section.code));
            }
            if blank(&section.title) || blank(&section.source) {
                return Err(ToolError::SectionUntitled(section.code));
            }
            if section.indicators.is_empty() {
                return Err(ToolError::EmptySection(section.code));
            }
            let mut indicators = Vec::with_capacity(section.indicators.len());
            for (i, indicator) in section.indicators.into_iter().enumerate() {
                if !is_code(&indicator.code, &['.']) {
                    return Err(ToolError::BadIndicatorCode(indicator.code));
                }
                if index.insert(indicator.code.clone(), (s, i)).is_some() {
                    return Err(ToolError::DuplicateIndicator(indicator.code));
                }
                if blank(&indicator.text) {
                    return Err(ToolError::BlankIndicatorText(indicator.code));
                }
                let Some(points_to) = Category::from_number(indicator.points_to) else {
                    return Err(ToolError::BadCategory {
                        code: indicator.code,
                        points_to: indicator.points_to,
                    });
                };
                indicators.push(Indicator {
                    code: indicator.code,
                    text: indicator.text.trim().to_owned(),
                    points_to,
                    sexual_activity: indicator.sexual_activity,
                });
            }
            sections.push(Section {
                code: section.code,
                title: section.title.trim().to_owned(),
                source: section.source.trim().to_owned(),
                indicators,
            });
        }
        Ok(Self {
            version: file.version.trim().to_owned(),
            title: file.title.trim().to_owned(),
            see_me_hear_me_question: file.see_me_hear_me_question.trim().to_owned(),
            sections,
            index,
        })
    }

    /// The version a screening records, e.g. `wm-2025-1`.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The tool's title.
    pub fn title(&self) -> &str {
        &self.title
    }

    /// The sections in the order the form shows them.
    pub fn sections(&self) -> &[Section] {
        &self.sections
    }

    /// Every indicator, section by section.
    pub fn indicators(&self) -> impl Iterator<Item = &Indicator> {
        self.sections.iter().flat_map(|s| s.indicators.iter())
    }

    /// The indicator with this code.
    pub fn indicator(&self, code: &str) -> Option<&Indicator> {
        let &(s, i) = self.index.get(code)?;
        self.sections.get(s)?.indicators.get(i)
    }

    /// How many indicators the tool has.
    pub fn indicator_count(&self) -> usize {
        self.index.len()
    }

    /// The See Me Hear Me question practitioners ask themselves while answering (WM-2.4,
    /// question 1).
    pub fn see_me_hear_me_question(&self) -> &str {
        &self.see_me_hear_me_question
    }

    /// Checks one screening's answers against this tool (R2.2): every code must be an
    /// indicator of this tool, at least one indicator must be answered, every Yes needs
    /// evidence, and no evidence may be longer than [`MAX_TEXT_CHARS`]. Evidence is trimmed.
    /// Problems come in the order of the form, then unknown codes.
    pub fn check(&self, responses: &Responses) -> Result<CheckedResponses, Vec<ResponseProblem>> {
        let mut problems = Vec::new();
        if responses.is_empty() {
            problems.push(ResponseProblem::NothingAnswered);
        }
        let mut answers = BTreeMap::new();
        for indicator in self.indicators() {
            let Some(response) = responses.get(indicator.code()) else {
                continue;
            };
            let evidence = response.evidence.trim();
            if response.answer == Answer::Yes && evidence.is_empty() {
                problems.push(ResponseProblem::EvidenceNeeded {
                    code: indicator.code.clone(),
                    text: indicator.text.clone(),
                });
            } else if evidence.chars().count() > MAX_TEXT_CHARS {
                problems.push(ResponseProblem::EvidenceTooLong {
                    code: indicator.code.clone(),
                    text: indicator.text.clone(),
                });
            }
            answers.insert(
                indicator.code.clone(),
                Response {
                    answer: response.answer,
                    evidence: evidence.to_owned(),
                },
            );
        }
        for (code, _) in responses.iter() {
            if self.indicator(code).is_none() {
                problems.push(ResponseProblem::UnknownIndicator {
                    code: code.to_owned(),
                });
            }
        }
        if problems.is_empty() {
            Ok(CheckedResponses {
                tool_version: self.version.clone(),
                answers,
            })
        } else {
            Err(problems)
        }
    }

    /// Proposes a category from checked answers (R2.3, WM-12.2). Take the most serious
    /// category that any indicator answered Yes points to. If at least two Yes indicators point
    /// to it, propose it; if only one does, propose the category one step below it (category 1
    /// at the least), because no single indicator is conclusive (WM-10.2). So one Yes proposes
    /// at least category 1, answering another Yes never lowers the proposal, and No or Not
    /// known never raises it. For a child under 13, any Yes to an indicator marked as sexual
    /// activity proposes category 3, because a child under 13 cannot consent (WM-3.4). With no
    /// Yes at all nothing is proposed: no CSE indicators identified. The practitioner then
    /// confirms or changes the proposal with reasons ([`confirm`], WM-12.3).
    ///
    /// The answers must have been checked against this tool version; answers to codes this
    /// tool does not have are ignored.
    pub fn propose(&self, checked: &CheckedResponses, age: Option<AgeBand>) -> Proposal {
        debug_assert_eq!(
            checked.tool_version, self.version,
            "checked by another tool"
        );
        let yes: Vec<&Indicator> = self
            .indicators()
            .filter(|i| checked.answer(i.code()) == Some(Answer::Yes))
            .collect();
        let unknown = self
            .indicators()
            .filter(|i| checked.answer(i.code()) == Some(Answer::Unknown))
            .count();
        let mut reasons = Vec::new();
        let mut driven_by = Vec::new();

        let Some(top) = yes.iter().map(|i| i.points_to).max() else {
            reasons.push("No CSE indicators identified: no indicator was answered Yes.".to_owned());
            push_unknown_reason(&mut reasons, unknown);
            return Proposal {
                tool_version: self.version.clone(),
                category: None,
                reasons,
                driven_by,
            };
        };
        let at_top: Vec<&Indicator> = yes.iter().copied().filter(|i| i.points_to == top).collect();
        driven_by.extend(at_top.iter().map(|i| i.code.clone()));
        let mut category = if at_top.len() >= 2 {
            reasons.push(format!(
                "{} indicators answered Yes point to {}: {}.",
                at_top.len(),
                in_sentence(top),
                quoted(&at_top),
            ));
            top
        } else {
            match top.lower() {
                Some(below) => {
                    reasons.push(format!(
                        "{} points to {}, but it is the only indicator at that level and no \
                         single indicator is conclusive (WM-10.2), so {} is proposed.",
                        quoted(&at_top),
                        in_sentence(top),
                        in_sentence(below),
                    ));
                    below
                }
                None => {
                    reasons.push(format!(
                        "{} points to {}.",
                        quoted(&at_top),
                        in_sentence(top)
                    ));
                    top
                }
            }
        };
        let others: Vec<&Indicator> = yes.iter().copied().filter(|i| i.points_to < top).collect();
        if !others.is_empty() {
            reasons.push(format!(
                "Also answered Yes, pointing to a lower category: {}.",
                quoted(&others)
            ));
        }

        let sexual: Vec<&Indicator> = yes.iter().copied().filter(|i| i.sexual_activity).collect();
        match age {
            Some(AgeBand::Under13) if !sexual.is_empty() => {
                if category < Category::SeriousRisk {
                    category = Category::SeriousRisk;
                    for i in &sexual {
                        if !driven_by.contains(&i.code) {
                            driven_by.push(i.code.clone());
                        }
                    }
                }
                reasons.push(format!(
                    "The child is under 13 and cannot consent to sexual activity (WM-3.4), so \
                     {} proposes {}.",
                    quoted(&sexual),
                    in_sentence(Category::SeriousRisk),
                ));
            }
            Some(AgeBand::Under16) if !sexual.is_empty() => reasons.push(format!(
                "The child is under 16 and cannot legally consent to sexual activity (WM-3.4): \
                 consider this with {}.",
                quoted(&sexual),
            )),
            Some(AgeBand::SixteenOrSeventeen) => reasons.push(
                "The child is 16 or 17: still a child, and being over the age of consent does \
                 not lower the risk (WM-11.1)."
                    .to_owned(),
            ),
            Some(AgeBand::Adult) => reasons.push(
                "The person is 18 or over: these procedures are about children under 18 (WM-3.1)."
                    .to_owned(),
            ),
            None if !sexual.is_empty() => reasons.push(
                "The child's age is not known, so the rule for children under 13 (WM-3.4) was \
                 not applied."
                    .to_owned(),
            ),
            _ => {}
        }
        push_unknown_reason(&mut reasons, unknown);
        Proposal {
            tool_version: self.version.clone(),
            category: Some(category),
            reasons,
            driven_by,
        }
    }
}

fn push_unknown_reason(reasons: &mut Vec<String>, unknown: usize) {
    match unknown {
        0 => {}
        1 => reasons.push(
            "1 indicator was answered Not known: find out more, as it may change the category."
                .to_owned(),
        ),
        n => reasons.push(format!(
            "{n} indicators were answered Not known: find out more, as they may change the \
             category."
        )),
    }
}

/// A category as it reads inside a sentence: "category 1 (at risk of harm)".
fn in_sentence(category: Category) -> String {
    let what = match category {
        Category::AtRisk => "at risk of harm",
        Category::SignificantRisk => "significant risk of harm",
        Category::SeriousRisk => "serious risk of harm",
    };
    format!("category {} ({what})", category.number())
}

fn quoted(indicators: &[&Indicator]) -> String {
    indicators
        .iter()
        .map(|i| format!("\u{201c}{}\u{201d}", i.text))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One answer with the practitioner's evidence: what they saw or were told.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Response {
    /// The answer.
    pub answer: Answer,
    /// What the practitioner saw or was told; required for Yes.
    pub evidence: String,
}

/// The answers of one screening as submitted, keyed by indicator code; not yet checked.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Responses(BTreeMap<String, Response>);

impl Responses {
    /// No answers yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records the answer to one indicator, replacing any earlier answer to it.
    pub fn set(&mut self, code: impl Into<String>, answer: Answer, evidence: impl Into<String>) {
        self.0.insert(
            code.into(),
            Response {
                answer,
                evidence: evidence.into(),
            },
        );
    }

    /// [`Responses::set`] for building answers in one expression.
    #[must_use]
    pub fn with(
        mut self,
        code: impl Into<String>,
        answer: Answer,
        evidence: impl Into<String>,
    ) -> Self {
        self.set(code, answer, evidence);
        self
    }

    /// The answer to one indicator.
    pub fn get(&self, code: &str) -> Option<&Response> {
        self.0.get(code)
    }

    /// Every answer, by indicator code.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Response)> {
        self.0.iter().map(|(code, r)| (code.as_str(), r))
    }

    /// How many indicators were answered.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether nothing was answered.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Why submitted answers were refused. Each problem about one indicator carries its code, so
/// a form can show the message by that indicator; the message is written for the practitioner.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ResponseProblem {
    /// The code is not an indicator of this tool version.
    #[error("There is no indicator {code:?} in this version of the screening tool")]
    UnknownIndicator {
        /// The code submitted.
        code: String,
    },
    /// No indicator was answered.
    #[error("Answer at least one indicator")]
    NothingAnswered,
    /// A Yes has no evidence.
    #[error("Say what you saw or were told for \u{201c}{text}\u{201d}")]
    EvidenceNeeded {
        /// The indicator.
        code: String,
        /// The indicator's text.
        text: String,
    },
    /// The evidence is longer than [`MAX_TEXT_CHARS`].
    #[error(
        "What you saw or were told for \u{201c}{text}\u{201d} must be 2,000 characters or fewer"
    )]
    EvidenceTooLong {
        /// The indicator.
        code: String,
        /// The indicator's text.
        text: String,
    },
}

impl ResponseProblem {
    /// The indicator the problem is about, if it is about one.
    pub fn indicator_code(&self) -> Option<&str> {
        match self {
            ResponseProblem::UnknownIndicator { code }
            | ResponseProblem::EvidenceNeeded { code, .. }
            | ResponseProblem::EvidenceTooLong { code, .. } => Some(code),
            ResponseProblem::NothingAnswered => None,
        }
    }
}

/// Answers checked against one tool version by [`ScreeningTool::check`]: every code is an
/// indicator of that version, at least one is answered, and every Yes has evidence.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CheckedResponses {
    tool_version: String,
    answers: BTreeMap<String, Response>,
}

impl CheckedResponses {
    /// The tool version the answers were checked against.
    pub fn tool_version(&self) -> &str {
        &self.tool_version
    }

    /// The answer to one indicator, if it was answered.
    pub fn answer(&self, code: &str) -> Option<Answer> {
        self.answers.get(code).map(|r| r.answer)
    }

    /// The answer and trimmed evidence for one indicator.
    pub fn get(&self, code: &str) -> Option<&Response> {
        self.answers.get(code)
    }

    /// Every answer, by indicator code.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Response)> {
        self.answers.iter().map(|(code, r)| (code.as_str(), r))
    }
}

/// The category the tool proposes, with the reasons in plain English (R2.3).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Proposal {
    tool_version: String,
    category: Option<Category>,
    reasons: Vec<String>,
    driven_by: Vec<String>,
}

impl Proposal {
    /// The tool version that made the proposal.
    pub fn tool_version(&self) -> &str {
        &self.tool_version
    }

    /// The proposed category; `None` when no CSE indicators were identified.
    pub fn category(&self) -> Option<Category> {
        self.category
    }

    /// Why, naming the indicators, one sentence each.
    pub fn reasons(&self) -> &[String] {
        &self.reasons
    }

    /// The codes of the indicators that decided the category.
    pub fn driven_by(&self) -> &[String] {
        &self.driven_by
    }
}

/// Why a confirmation was refused; the message is written for the practitioner.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ConfirmError {
    /// The chosen category differs from the proposal and no reason was given (WM-12.3).
    #[error("{}", reason_needed(*proposed, *chosen))]
    ReasonNeeded {
        /// What the tool proposed.
        proposed: Option<Category>,
        /// What the practitioner chose.
        chosen: Category,
    },
    /// The reason is longer than [`MAX_TEXT_CHARS`].
    #[error("The reason must be 2,000 characters or fewer")]
    ReasonTooLong,
}

fn reason_needed(proposed: Option<Category>, chosen: Category) -> String {
    match proposed {
        Some(p) => format!(
            "Say why you chose category {} when the screening tool proposed category {}",
            chosen.number(),
            p.number()
        ),
        None => format!(
            "Say why you chose category {} when the screening tool identified no CSE indicators",
            chosen.number()
        ),
    }
}

/// The category as confirmed by the practitioner's professional judgement (R2.3, WM-12.3).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "ConfirmedCategoryFields")]
pub struct ConfirmedCategory {
    proposed: Option<Category>,
    chosen: Category,
    reason: Option<String>,
}

#[derive(Deserialize)]
struct ConfirmedCategoryFields {
    proposed: Option<Category>,
    chosen: Category,
    reason: Option<String>,
}

impl TryFrom<ConfirmedCategoryFields> for ConfirmedCategory {
    type Error = ConfirmError;

    fn try_from(f: ConfirmedCategoryFields) -> Result<Self, Self::Error> {
        ConfirmedCategory::new(f.proposed, f.chosen, f.reason.as_deref().unwrap_or(""))
    }
}

impl ConfirmedCategory {
    /// Records a confirmation from its parts, e.g. when read back from storage, under the
    /// same rule as [`confirm`].
    pub fn new(
        proposed: Option<Category>,
        chosen: Category,
        reason: &str,
    ) -> Result<Self, ConfirmError> {
        let reason = reason.trim();
        if reason.chars().count() > MAX_TEXT_CHARS {
            return Err(ConfirmError::ReasonTooLong);
        }
        if reason.is_empty() && proposed != Some(chosen) {
            return Err(ConfirmError::ReasonNeeded { proposed, chosen });
        }
        Ok(Self {
            proposed,
            chosen,
            reason: (!reason.is_empty()).then(|| reason.to_owned()),
        })
    }

    /// What the tool proposed.
    pub fn proposed(&self) -> Option<Category> {
        self.proposed
    }

    /// The category the practitioner chose: the child's category.
    pub fn chosen(&self) -> Category {
        self.chosen
    }

    /// The practitioner's reason, if they gave one; always present when [`changed`](Self::changed).
    pub fn reason(&self) -> Option<&str> {
        self.reason.as_deref()
    }

    /// Whether the practitioner chose a category other than the proposal.
    pub fn changed(&self) -> bool {
        self.proposed != Some(self.chosen)
    }
}

/// The practitioner confirms the proposed category or chooses another (R2.3, WM-12.3). A
/// category other than the proposal, or any category when nothing was proposed, needs a
/// reason; a reason is kept whenever one is given. Reasons are trimmed and at most
/// [`MAX_TEXT_CHARS`] characters.
pub fn confirm(
    proposal: &Proposal,
    chosen: Category,
    reason: &str,
) -> Result<ConfirmedCategory, ConfirmError> {
    ConfirmedCategory::new(proposal.category, chosen, reason)
}

#[cfg(test)]
mod tests;
