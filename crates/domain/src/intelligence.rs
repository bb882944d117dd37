//! The information sharing tool (R5.1, WM-25) and the police grading of what it brings in
//! (3x5x2).
//!
//! Any practitioner, or a parent or carer through a practitioner, passes to the police what
//! they know about people who may present a risk: persons with their names and nicknames,
//! vehicles, phone numbers, addresses, places a child was taken, and unusual or regular
//! callers to children's homes, with dates, the children concerned and free text. It is not
//! a referral (WM-25.4): a worry about a child goes through the screening tool. The police
//! assess each submission (WM-25.6) and grade it 3x5x2.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::pathway::coded;

coded!(
    /// Who the information came from, as the practitioner records it.
    ToldBy {
        /// The practitioner saw or heard it themselves.
        Practitioner => ("practitioner", "I saw or heard it myself"),
        /// A parent or carer told the practitioner (WM-25: through a practitioner).
        ParentOrCarer => ("parent_or_carer", "A parent or carer told me"),
        /// The child told the practitioner.
        Child => ("child", "The child told me"),
        /// Someone else told the practitioner (a neighbour, a taxi driver, another child).
        SomeoneElse => ("someone_else", "Someone else told me"),
    }
);

coded!(
    /// What one piece of information is about (WM-25.2).
    ItemKind {
        /// A suspected perpetrator: names, nicknames, approximate age, description, tattoos.
        Person => ("person", "Person"),
        /// A vehicle: registration (whole or partial), make, model, colour.
        Vehicle => ("vehicle", "Vehicle"),
        /// A phone number of a suspected perpetrator.
        Phone => ("phone", "Phone number"),
        /// An address of a suspected perpetrator.
        Address => ("address", "Address"),
        /// An address or locality where a child may have been taken.
        Place => ("place", "Place a child was taken"),
        /// An unusual or regular caller to a children's home.
        Caller => ("caller", "Caller to a children's home"),
    }
);

coded!(
    /// 3x5x2 source evaluation: how far the source can be relied on.
    SourceEvaluation {
        /// 1: reliable.
        Reliable => ("1", "1: Reliable"),
        /// 2: untested.
        Untested => ("2", "2: Untested"),
        /// 3: not reliable.
        NotReliable => ("3", "3: Not reliable"),
    }
);

coded!(
    /// 3x5x2 intelligence assessment: how the source came to know it.
    Assessment {
        /// A: known directly to the source.
        KnownDirectly => ("A", "A: Known directly to the source"),
        /// B: known indirectly to the source but corroborated.
        Corroborated => ("B", "B: Known indirectly but corroborated"),
        /// C: known indirectly to the source.
        KnownIndirectly => ("C", "C: Known indirectly to the source"),
        /// D: not known.
        NotKnown => ("D", "D: Not known"),
        /// E: suspected to be false.
        SuspectedFalse => ("E", "E: Suspected to be false"),
    }
);

coded!(
    /// 3x5x2 handling code: whether it may be shared beyond the police.
    HandlingCode {
        /// P: lawful sharing permitted.
        Permitted => ("P", "P: Lawful sharing permitted"),
        /// C: lawful sharing permitted subject to conditions.
        Conditional => ("C", "C: Lawful sharing subject to conditions"),
    }
);

/// A police intelligence officer's 3x5x2 grading of a submission.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grading {
    /// How far the source can be relied on.
    pub source: SourceEvaluation,
    /// How the source came to know it.
    pub assessment: Assessment,
    /// Whether it may be shared.
    pub handling: HandlingCode,
    /// The conditions of sharing; required for handling code C.
    pub conditions: Option<String>,
}

impl Grading {
    /// The grade as police write it, e.g. `2/C/P`.
    pub fn code(&self) -> String {
        format!(
            "{}/{}/{}",
            self.source.code(),
            self.assessment.code(),
            self.handling.code()
        )
    }

    /// Checks the grading: conditions are required with handling code C and refused with P,
    /// so that nobody reads conditions that do not apply.
    pub fn check(&self) -> Result<(), IntelProblem> {
        let conditions = self.conditions.as_deref().map(str::trim).unwrap_or("");
        match (self.handling, conditions.is_empty()) {
            (HandlingCode::Conditional, true) => Err(IntelProblem {
                field: "conditions".into(),
                message: "Say on what conditions it may be shared".into(),
            }),
            (HandlingCode::Permitted, false) => Err(IntelProblem {
                field: "conditions".into(),
                message: "Conditions go with handling code C only; choose C or remove them".into(),
            }),
            _ => Ok(()),
        }
    }
}

/// The most characters a free-text answer may hold.
pub const MAX_TEXT: usize = 4_000;

/// One piece of information in a submission. Which fields apply depends on the kind; the
/// others stay empty.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    /// What it is about (`None` only in a form not yet checked).
    pub kind: Option<ItemKind>,
    /// A person's or caller's name as known, whole or in part.
    pub name: String,
    /// Nicknames or street names, comma separated.
    pub nicknames: String,
    /// Approximate age in years.
    pub approx_age: Option<u8>,
    /// What they look like, or what the place or vehicle is like.
    pub description: String,
    /// Tattoos, scars and other marks.
    pub marks: String,
    /// A vehicle registration, whole or partial (unknown characters as `?`).
    pub vrm: String,
    /// Vehicle make.
    pub make: String,
    /// Vehicle model.
    pub model: String,
    /// Vehicle colour.
    pub colour: String,
    /// A phone number as written.
    pub phone: String,
    /// An address or locality.
    pub address: String,
    /// Its postcode, whole or in part.
    pub postcode: String,
    /// When it was seen or happened.
    pub seen_on: Option<Date>,
}

/// A problem with one field of a submission or grading, in words for the form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct IntelProblem {
    /// The field, e.g. `items[2].vrm` or `narrative`.
    pub field: String,
    /// What to do about it.
    pub message: String,
}

/// What a practitioner shares: who told them, what, about which children, and when.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Submission {
    /// Who the information came from.
    pub told_by: Option<ToldBy>,
    /// The pieces of information.
    pub items: Vec<Item>,
    /// Anything else, in the practitioner's words.
    pub narrative: String,
    /// When the practitioner learnt it.
    pub learnt_on: Option<Date>,
}

impl Item {
    /// A suspected perpetrator known by `name` (whole or part) and `nicknames`.
    pub fn person(name: &str, nicknames: &str) -> Item {
        Item {
            kind: Some(ItemKind::Person),
            name: name.into(),
            nicknames: nicknames.into(),
            ..Item::default()
        }
    }

    /// A phone number as written.
    pub fn phone(number: &str) -> Item {
        Item {
            kind: Some(ItemKind::Phone),
            phone: number.into(),
            ..Item::default()
        }
    }

    /// A vehicle by its registration, whole or partial.
    pub fn vehicle(vrm: &str) -> Item {
        Item {
            kind: Some(ItemKind::Vehicle),
            vrm: vrm.into(),
            ..Item::default()
        }
    }

    /// A place a child may have been taken.
    pub fn place(address: &str, postcode: &str) -> Item {
        Item {
            kind: Some(ItemKind::Place),
            address: address.into(),
            postcode: postcode.into(),
            ..Item::default()
        }
    }

    /// Whether nothing was typed into this item (a blank row of the form).
    pub fn is_blank(&self) -> bool {
        self.name.trim().is_empty()
            && self.nicknames.trim().is_empty()
            && self.approx_age.is_none()
            && self.description.trim().is_empty()
            && self.marks.trim().is_empty()
            && self.vrm.trim().is_empty()
            && self.make.trim().is_empty()
            && self.model.trim().is_empty()
            && self.colour.trim().is_empty()
            && self.phone.trim().is_empty()
            && self.address.trim().is_empty()
            && self.postcode.trim().is_empty()
            && self.seen_on.is_none()
    }

    /// The problems with this item (at position `at` of the submission), seen on `today`.
    fn problems(&self, at: usize, today: Date) -> Vec<IntelProblem> {
        let field = |name: &str| format!("items[{at}].{name}");
        let mut problems = Vec::new();
        let Some(kind) = self.kind else {
            problems.push(IntelProblem {
                field: field("kind"),
                message: "Choose what this piece of information is about".into(),
            });
            return problems;
        };
        let has = |s: &str| !s.trim().is_empty();
        let (enough, message) = match kind {
            ItemKind::Person | ItemKind::Caller => (
                has(&self.name)
                    || has(&self.nicknames)
                    || has(&self.description)
                    || has(&self.marks),
                "Give a name, nickname, description or marks",
            ),
            ItemKind::Vehicle => (
                has(&self.vrm) || has(&self.make) || has(&self.model) || has(&self.colour),
                "Give the registration (or the part you know), make, model or colour",
            ),
            ItemKind::Phone => (has(&self.phone), "Give the phone number"),
            ItemKind::Address | ItemKind::Place => (
                has(&self.address) || has(&self.postcode) || has(&self.description),
                "Give the address, postcode or a description of the place",
            ),
        };
        if !enough {
            problems.push(IntelProblem {
                field: field(match kind {
                    ItemKind::Person | ItemKind::Caller => "name",
                    ItemKind::Vehicle => "vrm",
                    ItemKind::Phone => "phone",
                    ItemKind::Address | ItemKind::Place => "address",
                }),
                message: message.into(),
            });
        }
        if kind == ItemKind::Phone && has(&self.phone) {
            let digits = self.phone.chars().filter(char::is_ascii_digit).count();
            let allowed = self
                .phone
                .chars()
                .all(|c| c.is_ascii_digit() || " +()-.".contains(c));
            if !allowed || !(6..=15).contains(&digits) {
                problems.push(IntelProblem {
                    field: field("phone"),
                    message: "Enter the phone number in digits, like 07700 900123".into(),
                });
            }
        }
        if kind == ItemKind::Vehicle && has(&self.vrm) {
            let ok = self
                .vrm
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '?');
            if !ok || self.vrm.trim().chars().filter(|c| *c != ' ').count() > 8 {
                problems.push(IntelProblem {
                    field: field("vrm"),
                    message: "Enter the registration in letters and numbers, with ? for a \
                              character you do not know"
                        .into(),
                });
            }
        }
        if let Some(age) = self.approx_age
            && !(8..=100).contains(&age)
        {
            problems.push(IntelProblem {
                field: field("approx_age"),
                message: "Approximate age must be between 8 and 100".into(),
            });
        }
        if let Some(day) = self.seen_on
            && day > today
        {
            problems.push(IntelProblem {
                field: field("seen_on"),
                message: "The date it was seen must be today or in the past".into(),
            });
        }
        for (name, text) in [
            ("name", &self.name),
            ("nicknames", &self.nicknames),
            ("description", &self.description),
            ("marks", &self.marks),
            ("make", &self.make),
            ("model", &self.model),
            ("colour", &self.colour),
            ("address", &self.address),
            ("postcode", &self.postcode),
        ] {
            if text.chars().count() > MAX_TEXT {
                problems.push(IntelProblem {
                    field: field(name),
                    message: format!("Keep this to {MAX_TEXT} characters"),
                });
            }
        }
        problems
    }
}

impl Submission {
    /// Drops the rows of the form nothing was typed into (whatever kind they are for),
    /// keeping the order of the rest.
    pub fn without_blank_items(mut self) -> Self {
        self.items.retain(|i| !i.is_blank());
        self
    }

    /// Checks a submission seen on `today`; every problem found, in form order. A
    /// submission needs who told the practitioner and at least one piece of information or
    /// some free text.
    pub fn check(&self, today: Date) -> Vec<IntelProblem> {
        let mut problems = Vec::new();
        if self.told_by.is_none() {
            problems.push(IntelProblem {
                field: "told_by".into(),
                message: "Say who the information came from".into(),
            });
        }
        if self.items.is_empty() && self.narrative.trim().is_empty() {
            problems.push(IntelProblem {
                field: "narrative".into(),
                message: "Add at least one person, vehicle, phone number, address, place or \
                          caller, or describe what you know"
                    .into(),
            });
        }
        for (at, item) in self.items.iter().enumerate() {
            problems.extend(item.problems(at, today));
        }
        if self.narrative.chars().count() > MAX_TEXT {
            problems.push(IntelProblem {
                field: "narrative".into(),
                message: format!("Keep this to {MAX_TEXT} characters"),
            });
        }
        if let Some(day) = self.learnt_on
            && day > today
        {
            problems.push(IntelProblem {
                field: "learnt_on".into(),
                message: "The date you learnt it must be today or in the past".into(),
            });
        }
        problems
    }
}

#[cfg(test)]
mod tests;
