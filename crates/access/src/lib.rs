//! Safehub's one authorization enforcement point. Every read and write of case data asks
//! [`Authorizer::decide`]; the answer names the policies that made it, for the audit entry.
//!
//! The rules live in Cedar policies (`policies/`), validated against a schema, so that a
//! `forbid` (a confidential investigation, R8.3) always overrides a `permit`.
//!
//! # How it fits together
//!
//! - `policies/safehub.cedarschema` declares what the policies may talk about: a `User`
//!   principal (agency, agency kind code, areas, role codes), the resources (`Child`,
//!   `Section`, `Area`, `Intelligence`, `UserAccount`, `AuditTrail`) and the six actions with
//!   the resources each applies to.
//! - `policies/*.cedar` hold the rules. [`Authorizer::new`] parses the embedded schema and
//!   policies once at start-up and validates the policies against the schema in Cedar's
//!   strict mode; the program refuses to start with a policy that names an unknown
//!   attribute, type or action.
//! - [`Authorizer::decide`] turns a [`Principal`], an [`Action`] and a [`Resource`] into
//!   Cedar entities and asks Cedar. Anything that goes wrong inside is a denial whose
//!   [`Decision::policies`] is one `"error: ..."` entry. Asking for an action on a resource it
//!   does not apply to (say, `Administer` a child) is an ordinary denial by default.
//!
//! # Adding or changing a policy
//!
//! 1. Write it in the `.cedar` file of its subject (`children.cedar`, `sections.cedar`,
//!    `intelligence.cedar`, `administration.cedar`), or in a new file that you add to
//!    [`POLICY_SOURCES`] (a test fails if a file in `policies/` is not embedded).
//! 2. Put a short comment above it saying why, citing the requirement (`// R8.3 (WM-15.3)`),
//!    and give it a unique, descriptive `@id("who-may-do-what")` annotation: that id is what
//!    [`Decision::policies`] and therefore the audit trail name.
//! 3. If it needs a new fact, add the attribute to the schema and fill it in where this crate
//!    builds the entities (`src/entities.rs`); add a field to the public types only if the
//!    fact is not already there.
//! 4. Update the expectation function of the access matrix test
//!    (`tests/access_matrix.rs`), which restates every rule in plain Rust, and run
//!    `cargo test -p safehub-access`. The matrix compares every role against every resource
//!    situation and action, so a policy that grants more (or less) than intended fails it.
//!
//! Policies say who *may*: anything no `permit` allows is denied, and a `forbid` overrides
//! every `permit`. Role codes are [`Role::code`], agency kind codes are [`AgencyKind::code`].

mod authorizer;
mod entities;
mod error;

pub use authorizer::{Authorizer, Decision};
pub use error::AccessError;

/// The Cedar schema the policies are validated against (`policies/safehub.cedarschema`).
pub const SCHEMA_SOURCE: &str = include_str!("../policies/safehub.cedarschema");

/// Every embedded policy file, as `(file name, Cedar text)`, in the order they are loaded.
pub const POLICY_SOURCES: &[(&str, &str)] = &[
    ("children.cedar", include_str!("../policies/children.cedar")),
    ("sections.cedar", include_str!("../policies/sections.cedar")),
    (
        "intelligence.cedar",
        include_str!("../policies/intelligence.cedar"),
    ),
    (
        "administration.cedar",
        include_str!("../policies/administration.cedar"),
    ),
];

use safehub_domain::{AgencyId, AgencyKind, AreaId, ChildId, Role, UserId};

/// Who is asking: the signed-in user with their agency, the areas that agency serves and
/// their roles.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    /// The user.
    pub user: UserId,
    /// The one agency the user works for.
    pub agency: AgencyId,
    /// What kind of agency that is.
    pub agency_kind: AgencyKind,
    /// The areas (local authorities) the user's agency serves.
    pub areas: Vec<AreaId>,
    /// The roles the user holds.
    pub roles: Vec<Role>,
}

/// What a child record looks like to the policies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChildFacts {
    /// The child.
    pub id: ChildId,
    /// The area (local authority) responsible for the child.
    pub area: AreaId,
    /// Agencies involved with the child (they created, contributed or were added).
    pub involved_agencies: Vec<AgencyId>,
    /// Agencies the child's contacts or referrals have been routed to (MASH, children's services).
    pub routed_to: Vec<AgencyId>,
}

/// A part of a child's record that a restriction (R8.3) can hide.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Section {
    /// Names, age, legal status.
    Summary,
    /// Concerns, screenings and referrals.
    Concerns,
    /// Meetings, plans and their minutes.
    Plans,
    /// Police investigation notes.
    Investigation,
}

/// Intelligence as the policies see it: police-only unless a grading shares it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IntelligenceFacts {
    /// The area the intelligence concerns.
    pub area: AreaId,
    /// Agencies a police grading allowed it to be shared with.
    pub shared_with: Vec<AgencyId>,
}

/// The thing being acted on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resource {
    /// A child's record as a whole.
    Child(ChildFacts),
    /// One section of a child's record, with the agencies a restriction hides it from.
    ChildSection {
        /// The child the section belongs to.
        child: ChildFacts,
        /// Which section.
        section: Section,
        /// Agencies a confidential-investigation restriction hides this section from.
        hidden_from: Vec<AgencyId>,
    },
    /// An intelligence submission.
    Intelligence(IntelligenceFacts),
    /// A user account, in the areas its agency serves.
    UserAccount {
        /// Areas of the account's agency.
        areas: Vec<AreaId>,
    },
    /// The audit trail of an area.
    AuditTrail {
        /// The area whose trail is read.
        area: AreaId,
    },
    /// An area itself: where a new child is recorded ([`Action::Record`]), or what
    /// information shared with the police is about ([`Action::Share`]).
    Area {
        /// The area.
        area: AreaId,
    },
}

/// What the principal wants to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    /// Open a child's record or one of its sections.
    View,
    /// Change a child's record.
    Edit,
    /// Hide sections of a child's record from agencies (R8.3).
    Restrict,
    /// Create, change or disable user accounts.
    Administer,
    /// Record a new child in an area (R2.1).
    Record,
    /// Merge a duplicate child's record into another, or undo the merge (R2.1).
    Merge,
    /// Pass information about an area to the police with the information sharing tool
    /// (R5.1, WM-25).
    Share,
}

impl Section {
    /// Every section, in the order a child's record shows them.
    pub const ALL: [Section; 4] = [
        Section::Summary,
        Section::Concerns,
        Section::Plans,
        Section::Investigation,
    ];

    /// The stable machine name the policies see (the `section` attribute of a `Section`).
    pub const fn code(self) -> &'static str {
        match self {
            Section::Summary => "summary",
            Section::Concerns => "concerns",
            Section::Plans => "plans",
            Section::Investigation => "investigation",
        }
    }
}

impl Action {
    /// Every action.
    pub const ALL: [Action; 7] = [
        Action::View,
        Action::Edit,
        Action::Restrict,
        Action::Administer,
        Action::Record,
        Action::Merge,
        Action::Share,
    ];

    /// The name of the Cedar action (`Action::"View"`...) this is.
    pub const fn code(self) -> &'static str {
        match self {
            Action::View => "View",
            Action::Edit => "Edit",
            Action::Restrict => "Restrict",
            Action::Administer => "Administer",
            Action::Record => "Record",
            Action::Merge => "Merge",
            Action::Share => "Share",
        }
    }
}
