//! The enforcement point: load and validate the policies once, then answer questions.

use std::collections::HashSet;
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use cedar_policy::{
    AuthorizationError, Context, Entities, PolicyId, PolicySet, Request, RequestValidationError,
    Schema, ValidationMode, Validator,
};

use crate::entities::Names;
use crate::{AccessError, Action, POLICY_SOURCES, Principal, Resource, SCHEMA_SOURCE};

/// The prefix of the one entry in [`Decision::policies`] when a decision failed internally.
const ERROR_PREFIX: &str = "error: ";

/// The outcome of one authorization question.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    /// Whether the action is allowed.
    pub allowed: bool,
    /// The `@id`s of the policies that determined the outcome (Cedar's reason set), sorted:
    /// the permits that allowed it, or the forbids that denied it. Empty when nothing
    /// permitted it (denied by default). When the decision failed internally it is a denial
    /// with a single `"error: ..."` entry, which never holds personal data.
    pub policies: Vec<String>,
}

impl Decision {
    /// The policy ids joined with `,`, e.g. for the audit entry.
    pub fn policy_list(&self) -> String {
        self.policies.join(",")
    }

    /// Whether this is a denial because something went wrong inside the decision (not
    /// because of the policies).
    pub fn is_error(&self) -> bool {
        !self.allowed && self.policies.iter().any(|p| p.starts_with(ERROR_PREFIX))
    }

    fn default_deny() -> Self {
        Decision {
            allowed: false,
            policies: Vec::new(),
        }
    }

    fn error(failure: Failure) -> Self {
        Decision {
            allowed: false,
            policies: vec![format!("{ERROR_PREFIX}{failure}")],
        }
    }
}

/// What went wrong inside a decision. The messages are fixed texts or policy ids, so no
/// personal data (nor an identifier of a person) can reach the audit trail or logs.
#[derive(Clone, Debug)]
enum Failure {
    Entity,
    Entities,
    Request,
    Evaluation(Vec<String>),
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Entity => f.write_str("an entity could not be built"),
            Failure::Entities => f.write_str("the entities could not be put together"),
            Failure::Request => f.write_str("the request does not conform to the schema"),
            Failure::Evaluation(ids) => {
                write!(f, "policy evaluation failed in {}", ids.join(","))
            }
        }
    }
}

/// Safehub's authorization enforcement point: the validated Cedar policies and schema.
///
/// Build it once at start-up with [`Authorizer::new`] and share it: it is cheap to clone
/// (the policies are behind an [`Arc`]) and `Send + Sync`.
#[derive(Clone)]
pub struct Authorizer {
    inner: Arc<Inner>,
}

struct Inner {
    schema: Schema,
    policies: PolicySet,
    engine: cedar_policy::Authorizer,
    names: Names,
    policy_ids: Vec<String>,
}

impl fmt::Debug for Authorizer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Authorizer")
            .field("policies", &self.inner.policy_ids)
            .finish()
    }
}

impl Authorizer {
    /// Parses the embedded schema ([`SCHEMA_SOURCE`]) and policies ([`POLICY_SOURCES`]) and
    /// validates the policies against the schema in Cedar's strict mode.
    ///
    /// # Errors
    /// If the schema or a policy does not parse, a policy lacks a unique `@id`, or the
    /// policies do not validate (with no warnings) against the schema.
    pub fn new() -> Result<Self, AccessError> {
        Self::from_sources(SCHEMA_SOURCE, POLICY_SOURCES)
    }

    /// Like [`Authorizer::new`], from a schema and policy files given as
    /// `(file name, Cedar text)`: for tests and for checking policies before deploying them.
    ///
    /// # Errors
    /// As [`Authorizer::new`].
    pub fn from_sources(schema: &str, policies: &[(&str, &str)]) -> Result<Self, AccessError> {
        let (schema, warnings) =
            Schema::from_cedarschema_str(schema).map_err(|e| AccessError::Schema(e.to_string()))?;
        let warnings: Vec<String> = warnings.map(|w| w.to_string()).collect();
        if !warnings.is_empty() {
            return Err(AccessError::Schema(warnings.join("; ")));
        }
        let names = Names::for_schema(&schema)?;
        // What `names` builds is checked against the schema here, once, instead of in every
        // decision (which was a quarter of the cost of deciding a page of children).
        let samples = names.samples().map_err(|_| {
            AccessError::EntitiesDoNotConform("an entity could not be built".into())
        })?;
        Entities::from_entities(samples, Some(&schema))
            .map_err(|e| AccessError::EntitiesDoNotConform(with_causes(&e)))?;

        let mut set = PolicySet::new();
        let mut policy_ids = Vec::new();
        for (file, text) in policies {
            let parsed = PolicySet::from_str(text).map_err(|e| AccessError::Parse {
                file: (*file).to_owned(),
                message: e.to_string(),
            })?;
            if parsed.templates().next().is_some() {
                return Err(AccessError::Template {
                    file: (*file).to_owned(),
                });
            }
            for policy in parsed.policies() {
                let id = match policy.annotation("id") {
                    Some(id) if !id.trim().is_empty() => id.to_owned(),
                    _ => {
                        let text = policy.to_string();
                        let start: String = text
                            .split_whitespace()
                            .collect::<Vec<_>>()
                            .join(" ")
                            .chars()
                            .take(80)
                            .collect();
                        return Err(AccessError::MissingId {
                            file: (*file).to_owned(),
                            policy_start: start,
                        });
                    }
                };
                if policy_ids.contains(&id) {
                    return Err(AccessError::DuplicateId(id));
                }
                set.add(policy.new_id(PolicyId::new(&id)))
                    .map_err(|_| AccessError::DuplicateId(id.clone()))?;
                policy_ids.push(id);
            }
        }

        let result = Validator::new(schema.clone()).validate(&set, ValidationMode::Strict);
        let problems: Vec<String> = result
            .validation_errors()
            .map(|e| e.to_string())
            .chain(
                result
                    .validation_warnings()
                    .map(|w| format!("warning: {w}")),
            )
            .collect();
        if !problems.is_empty() {
            return Err(AccessError::Validation(problems));
        }

        Ok(Authorizer {
            inner: Arc::new(Inner {
                schema,
                policies: set,
                engine: cedar_policy::Authorizer::new(),
                names,
                policy_ids,
            }),
        })
    }

    /// The `@id`s of every loaded policy, in load order.
    pub fn policy_ids(&self) -> &[String] {
        &self.inner.policy_ids
    }

    /// May `who` do `action` to `what`?
    ///
    /// Never panics. An action that does not apply to the kind of resource (say,
    /// [`Action::Administer`] a child) is denied by default. Anything that goes wrong inside
    /// is a denial whose [`Decision::policies`] is one `"error: ..."` entry.
    pub fn decide(&self, who: &Principal, action: Action, what: &Resource) -> Decision {
        self.try_decide(who, action, what)
            .unwrap_or_else(Decision::error)
    }

    /// Decides one action on several resources for the same principal at once, e.g. every
    /// section of a child's record. The answers are exactly those [`Authorizer::decide`]
    /// gives one at a time; the entities are built once.
    pub fn decide_all(&self, who: &Principal, action: Action, whats: &[Resource]) -> Vec<Decision> {
        self.try_decide_all(who, action, whats)
            .unwrap_or_else(|failure| {
                whats
                    .iter()
                    .map(|_| Decision::error(failure.clone()))
                    .collect()
            })
    }

    fn try_decide(
        &self,
        who: &Principal,
        action: Action,
        what: &Resource,
    ) -> Result<Decision, Failure> {
        let mut all = self.try_decide_all(who, action, std::slice::from_ref(what))?;
        all.pop().ok_or(Failure::Request)
    }

    fn try_decide_all(
        &self,
        who: &Principal,
        action: Action,
        whats: &[Resource],
    ) -> Result<Vec<Decision>, Failure> {
        let inner = &*self.inner;
        let (principal, user) = inner.names.principal(who).map_err(|_| Failure::Entity)?;
        let mut uids = Vec::with_capacity(whats.len());
        let mut entities = vec![user];
        let mut seen = HashSet::new();
        for what in whats {
            let resource = inner.names.resource(what).map_err(|_| Failure::Entity)?;
            uids.push(resource.uid);
            // A child shared by several sections is one entity.
            for e in resource.entities {
                if seen.insert(e.uid()) {
                    entities.push(e);
                }
            }
        }
        // Their conformance to the schema was checked at start-up (`Names::samples`).
        let entities = Entities::from_entities(entities, None).map_err(|_| Failure::Entities)?;
        uids.into_iter()
            .map(|uid| {
                let request = match Request::new(
                    principal.clone(),
                    inner.names.action(action),
                    uid,
                    Context::empty(),
                    Some(&inner.schema),
                ) {
                    Ok(request) => request,
                    // The schema says which resources each action applies to; asking for
                    // another is not a fault, just something no policy can permit.
                    Err(RequestValidationError::InvalidResourceType(_)) => {
                        return Ok(Decision::default_deny());
                    }
                    Err(_) => return Err(Failure::Request),
                };
                self.evaluate(&request, &entities)
            })
            .collect()
    }

    fn evaluate(&self, request: &Request, entities: &Entities) -> Result<Decision, Failure> {
        let inner = &*self.inner;
        let response = inner
            .engine
            .is_authorized(request, &inner.policies, entities);
        let diagnostics = response.diagnostics();
        // Cedar skips a policy whose evaluation errors, so an erroring `forbid` would silently
        // stop protecting: treat any evaluation error as a failure, hence a denial.
        let failed: HashSet<String> = diagnostics
            .errors()
            .map(|e| match e {
                AuthorizationError::PolicyEvaluationError(e) => e.policy_id().to_string(),
            })
            .collect();
        if !failed.is_empty() {
            let mut failed: Vec<String> = failed.into_iter().collect();
            failed.sort_unstable();
            return Err(Failure::Evaluation(failed));
        }
        let mut policies: Vec<String> = diagnostics.reason().map(ToString::to_string).collect();
        policies.sort_unstable();
        Ok(Decision {
            allowed: response.decision() == cedar_policy::Decision::Allow,
            policies,
        })
    }
}

/// An error's message followed by those of its causes, e.g. "entity does not conform to the
/// schema: ... attribute `pin` ... is missing".
fn with_causes(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}
