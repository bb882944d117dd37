//! Safehub's domain: the people, organisations, roles and child records that the regional
//! CSE procedures talk about, as plain types and pure rules with no I/O.
//!
//! Everything that crosses into this crate has already been parsed at the edge: a value of
//! one of these types is valid by construction.

pub mod calendar;
pub mod child;
pub mod ids;
pub mod intelligence;
pub mod organisation;
pub mod pathway;
pub mod role;
pub mod screening;

pub use calendar::{
    CalendarDataError, CalendarError, DataProblem, WorkingCalendar, is_overdue, london_date,
    plan_review_due, strategy_discussion_due,
};
pub use child::{AgeBand, ChildFieldError, ChildName, DateOfBirth, Gender, LegalStatus};
pub use ids::{AgencyId, AreaId, ChildId, TeamId, UserId};
pub use organisation::{AgencyKind, ParseError};
pub use role::Role;
pub use screening::{
    Answer, Category, CheckedResponses, ConfirmError, ConfirmedCategory, Indicator, Proposal,
    Response, ResponseProblem, Responses, ScreeningTool, Section, ToolError, confirm,
};
