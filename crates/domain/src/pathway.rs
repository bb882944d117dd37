//! The front door's pathway after a screening: how a concern comes in (R2.5), where its
//! category sends it (R2.7, R2.8), what the MASH may decide (R2.9, R4.1) and which statutory
//! clocks each step starts or ends (R3).

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::calendar::{CalendarError, WorkingCalendar, plan_review_due, strategy_discussion_due};
use crate::child::LegalStatus;

/// Defines a code-carrying enum with `ALL`, `code`, `from_code` and `label`.
macro_rules! coded {
    ($(#[$doc:meta])* $ty:ident { $( $(#[$vdoc:meta])* $variant:ident => ($code:literal, $label:literal) ),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $ty { $( $(#[$vdoc])* $variant ),+ }

        impl $ty {
            /// Every value, in the order forms list them.
            pub const ALL: &'static [$ty] = &[$($ty::$variant),+];

            /// The stable machine name used in storage and the API.
            pub const fn code(self) -> &'static str {
                match self { $($ty::$variant => $code),+ }
            }

            /// The value with this machine name.
            pub fn from_code(code: &str) -> Option<Self> {
                match code { $($code => Some($ty::$variant),)+ _ => None }
            }

            /// The words a practitioner sees.
            pub const fn label(self) -> &'static str {
                match self { $($ty::$variant => $label),+ }
            }
        }

        impl std::str::FromStr for $ty {
            type Err = crate::organisation::ParseError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::from_code(s).ok_or_else(|| crate::organisation::ParseError {
                    what: stringify!($ty),
                    value: s.to_owned(),
                })
            }
        }
    };
}

pub(crate) use coded;

coded!(
    /// How a concern reaches the MASH (R2.5).
    RouteIn {
        /// An agency practitioner's screening with a professional referral, after consulting
        /// the agency's designated safeguarding adviser (S: pathway, WM-12.5).
        AgencyScreening => ("agency_screening", "Agency screening and professional referral"),
        /// A police vulnerable person notification, for example after a taxi driver's call to
        /// 101 (S).
        PoliceNotification => ("police_notification", "Police vulnerable person notification"),
        /// Another authority's notice that a looked-after child it placed here is at risk (S).
        PlacingAuthority => ("placing_authority", "Notification from a placing authority"),
        /// A parent's or carer's concern, recorded with them by a practitioner (WM-21.1).
        ParentOrCarer => ("parent_or_carer", "Concern from a parent or carer"),
    }
);

coded!(
    /// Where a referral stands in the MASH.
    ReferralStatus {
        /// Waiting for a MASH decision.
        AwaitingTriage => ("awaiting_triage", "Awaiting MASH decision"),
        /// The MASH has decided.
        Decided => ("decided", "Decided"),
    }
);

coded!(
    /// The one outcome a MASH worker records for a referral (R2.9, WM-14.3).
    TriageOutcome {
        /// Child protection procedures: a strategy discussion within 24 hours of the referral
        /// (WM-14.2, WM-14.5).
        StrategyDiscussion => ("strategy_discussion", "Strategy discussion (child protection procedures)"),
        /// A multi-agency discussion within 3 working days of the referral (WM-14.2).
        Discussion => ("discussion", "Discussion within 3 working days"),
        /// An assessment by children's services (WM-14.3).
        Assessment => ("assessment", "Assessment by children's services"),
        /// Child in need, with the planning template and a referral to the MACSE panel.
        ChildInNeed => ("child_in_need", "Child in need, with referral to the MACSE panel"),
        /// A contact for a child already open to children's services: passed to the
        /// allocated worker and team.
        KnownToChildrensServices => ("known_case_contact", "Contact passed to the allocated worker"),
        /// Focused early intervention with an early help plan (WM-12.4, WM-13).
        EarlyHelp => ("early_help", "Early help"),
        /// No CSE concern identified: returned to the agency SPOC with reasons, proposed
        /// interventions and a request to keep monitoring (S: MASH).
        NoCseConcern => ("no_cse_concern", "No CSE concern identified: returned to the SPOC"),
    }
);

coded!(
    /// A statutory time limit (R3).
    ClockKind {
        /// Strategy discussion within 24 hours of the referral (R3.1, WM-14.2).
        StrategyDiscussion => ("strategy_discussion", "Strategy discussion"),
        /// Discussion within 3 working days of the referral (R3.1, WM-14.2).
        Discussion => ("discussion", "Discussion"),
        /// MASE meeting within 15 working days of the referral (R3.2, WM-15.1).
        Mase => ("mase", "MASE meeting"),
        /// Review of an early help plan within 3 months (R2.7, R3.3, WM-13.4).
        EarlyHelpReview => ("early_help_review", "Early help plan review"),
    }
);

coded!(
    /// How a clock ended.
    ClockEnd {
        /// The work was done.
        Done => ("done", "Done"),
        /// A later decision made the work unnecessary (for example, no CSE concern).
        NotNeeded => ("not_needed", "Not needed after the MASH decision"),
    }
);

/// A category of risk from the screening tool (R2.3, WM-12.2), as a number 1 to 3.
///
/// The screening module owns the full type; routing needs only its number.
pub type CategoryNumber = u8;

/// Where a screening's category sends the child, before the MASH decides (R2.7, R2.8).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Pathway {
    /// Category 1: focused early intervention, a single- or multi-agency early help plan
    /// reviewed within 3 months (R2.7, WM-12.4, WM-13).
    EarlyHelp,
    /// Categories 2 and 3: a referral to children's services (R2.8, WM-12.5, WM-14.1).
    ChildrensServices,
    /// A child already open to children's services (CIN, CP plan, looked after): the
    /// allocated worker and team.
    AllocatedWorker,
}

impl Pathway {
    /// The stable machine name.
    pub const fn code(self) -> &'static str {
        match self {
            Pathway::EarlyHelp => "early_help",
            Pathway::ChildrensServices => "childrens_services",
            Pathway::AllocatedWorker => "allocated_worker",
        }
    }

    /// What the practitioner is told.
    pub const fn label(self) -> &'static str {
        match self {
            Pathway::EarlyHelp => "Early help: a plan for focused early intervention",
            Pathway::ChildrensServices => "Referral to children's services",
            Pathway::AllocatedWorker => "To the child's allocated worker and team",
        }
    }
}

/// Where a child with this category and legal status goes (R2.7, R2.8). The MASH still
/// receives every form whatever the pathway (R2.9). With no category (no indicators found)
/// the child goes to early help, so that the MASH sees it and the agency keeps monitoring.
pub fn pathway_for(category: Option<CategoryNumber>, legal_status: LegalStatus) -> Pathway {
    let open_to_childrens_services = matches!(
        legal_status,
        LegalStatus::ChildInNeed | LegalStatus::ChildProtectionPlan | LegalStatus::LookedAfter
    );
    if open_to_childrens_services {
        Pathway::AllocatedWorker
    } else if category.is_some_and(|c| c >= 2) {
        Pathway::ChildrensServices
    } else {
        Pathway::EarlyHelp
    }
}

/// The clocks that start when a referral reaches the MASH: a category 2 or 3 referral to
/// children's services needs a discussion within 3 working days (R3.1) and a MASE meeting
/// within 15 (R3.2), both counted from the referral.
pub fn clocks_on_referral(category: Option<CategoryNumber>) -> &'static [ClockKind] {
    if category.is_some_and(|c| c >= 2) {
        &[ClockKind::Discussion, ClockKind::Mase]
    } else {
        &[]
    }
}

/// What a MASH outcome does to the clocks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClockChanges {
    /// Clocks to start (counted from the referral, except reviews counted from the decision).
    pub start: Vec<ClockKind>,
    /// Open clocks of the referral that end as not needed.
    pub end_as_not_needed: Vec<ClockKind>,
}

/// The clocks a MASH outcome starts and ends (R3, WM-14.2, WM-15.1, WM-13.4).
pub fn clock_changes(outcome: TriageOutcome) -> ClockChanges {
    use ClockKind::{Discussion, EarlyHelpReview, Mase, StrategyDiscussion};
    let (start, end_as_not_needed) = match outcome {
        // A discussion held as a strategy discussion: 24 hours, not 3 working days.
        TriageOutcome::StrategyDiscussion => (vec![StrategyDiscussion, Mase], vec![Discussion]),
        TriageOutcome::Discussion
        | TriageOutcome::Assessment
        | TriageOutcome::ChildInNeed
        | TriageOutcome::KnownToChildrensServices => (vec![Discussion, Mase], vec![]),
        TriageOutcome::EarlyHelp => (vec![EarlyHelpReview], vec![Discussion, Mase]),
        TriageOutcome::NoCseConcern => (vec![], vec![Discussion, Mase]),
    };
    ClockChanges {
        start,
        end_as_not_needed,
    }
}

/// When a clock is due: the instant it falls overdue after, and the day shown on work trays.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Due {
    /// The day it is due, in London.
    pub day: Date,
    /// The last instant that is in time (for the 24-hour clock, exactly 24 hours on; for the
    /// others, the end of the due day in London).
    pub at: Timestamp,
}

/// When a clock of `kind` started at `from` is due, on `calendar` (R3.1-R3.3).
///
/// `from` is the referral for the discussion, strategy discussion and MASE clocks, and the
/// MASH decision for an early help plan review.
pub fn due(
    calendar: &WorkingCalendar,
    kind: ClockKind,
    from: Timestamp,
) -> Result<Due, CalendarError> {
    let day_end = |day: Date| -> Due {
        let at = day
            .tomorrow()
            .ok()
            .and_then(|d| d.to_zoned(crate::calendar::london()).ok())
            .map_or(Timestamp::MAX, |z| {
                z.timestamp()
                    .checked_sub(jiff::SignedDuration::from_millis(1))
                    .unwrap_or(Timestamp::MAX)
            });
        Due { day, at }
    };
    Ok(match kind {
        ClockKind::StrategyDiscussion => {
            let at = strategy_discussion_due(from);
            Due {
                day: crate::calendar::london_date(at),
                at,
            }
        }
        ClockKind::Discussion => day_end(calendar.discussion_due(from)?),
        ClockKind::Mase => day_end(calendar.mase_due(from)?),
        ClockKind::EarlyHelpReview => day_end(plan_review_due(crate::calendar::london_date(from))),
    })
}

/// The Signs of Safety record of a MASH decision (S: MASH): what we are worried about, what
/// is working well, what needs to happen, and a scale from 0 (certain the child will be
/// harmed) to 10 (safe enough to close).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignsOfSafety {
    /// What are we worried about?
    pub worries: String,
    /// What is working well?
    pub working_well: String,
    /// What needs to happen?
    pub needs_to_happen: String,
    /// 0 to 10.
    pub scale: u8,
}

/// The section 47 thresholds in cases of CSE (WM-14.5), shown beside the strategy discussion
/// outcome.
pub const SECTION_47_THRESHOLDS: [&str; 3] = [
    "An immediate risk of significant harm",
    "Concern that abuse through sexual exploitation is being actively encouraged by a parent or carer",
    "Concern that a related or unrelated adult, in a position of trust or responsibility to the \
     child, is organising or encouraging abuse through sexual exploitation",
];

#[cfg(test)]
mod tests;
