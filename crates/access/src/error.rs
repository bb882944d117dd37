//! Why the policies could not be loaded.

/// The embedded (or given) schema and policies could not be turned into an [`Authorizer`].
///
/// These are start-up errors: the program must not serve anything without a valid policy
/// set. Messages name files and policy ids, never personal data.
///
/// [`Authorizer`]: crate::Authorizer
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AccessError {
    /// The Cedar schema does not parse.
    #[error("the access schema is not valid Cedar schema: {0}")]
    Schema(String),
    /// A policy file does not parse.
    #[error("policy file {file} does not parse: {message}")]
    Parse {
        /// The policy file.
        file: String,
        /// What Cedar said.
        message: String,
    },
    /// A policy file holds a template (with `?principal` or `?resource`); only static policies
    /// are supported.
    #[error("policy file {file} holds a template; only static policies are supported")]
    Template {
        /// The policy file.
        file: String,
    },
    /// A policy has no `@id("...")` annotation, or an empty one.
    #[error("a policy in {file} has no @id(\"...\") annotation: {policy_start}")]
    MissingId {
        /// The policy file.
        file: String,
        /// The beginning of the policy's text, to find it.
        policy_start: String,
    },
    /// Two policies share an `@id`.
    #[error("two policies have the id {0:?}")]
    DuplicateId(String),
    /// The policies do not validate against the schema (strict mode), or validation warned.
    #[error("the policies do not validate against the schema: {}", .0.join("; "))]
    Validation(Vec<String>),
    /// The entities this crate builds from Safehub's facts do not conform to the schema
    /// (say, the schema requires an attribute that is never filled in). Checked once at
    /// start-up, so that no decision needs to check it again.
    #[error("the entities Safehub builds do not conform to the schema: {0}")]
    EntitiesDoNotConform(String),
    /// The schema lacks an entity type or action this crate relies on.
    #[error("the schema lacks {0}")]
    MissingFromSchema(String),
}
