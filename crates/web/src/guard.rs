//! The enforcement point. Every read and write of case data passes through a function here:
//! it asks the access policies, writes the typed audit entry (allowed or refused, with the
//! deciding policies) and only then hands the data back. A refused single record looks
//! exactly like a missing one (404), so refusals do not reveal that a record exists.

use safehub_access::{Action, ChildFacts, Decision, Principal, Resource, Section};
use safehub_domain::{AreaId, ChildId};
use safehub_store::audit::RecordKind;
use safehub_store::children::{Child, ChildAgencies};
use safehub_store::users::User;
use safehub_store::{AuditAction, AuditOutcome, NewAuditEntry};

use crate::AppState;
use crate::client::Client;
use crate::error::AppError;

/// A child's record as one user may see it.
#[derive(Clone, Debug)]
pub struct ChildView {
    /// The record.
    pub child: Child,
    /// Sections the user may see.
    pub visible: Vec<Section>,
    /// Sections hidden from the user's agency by a restriction (R8.3).
    pub hidden: Vec<Section>,
}

/// The policy facts of a child.
pub fn child_facts(child: &Child, agencies: &ChildAgencies) -> ChildFacts {
    ChildFacts {
        id: child.id,
        area: child.area,
        involved_agencies: agencies.involved.clone(),
        routed_to: agencies.routed.clone(),
    }
}

fn section_resource(facts: &ChildFacts, agencies: &ChildAgencies, section: Section) -> Resource {
    Resource::ChildSection {
        child: facts.clone(),
        section,
        hidden_from: agencies
            .restrictions
            .iter()
            .filter(|r| r.section == section.code())
            .map(|r| r.hidden_from)
            .collect(),
    }
}

/// An audit entry for something `who` did.
pub fn entry(
    who: &Principal,
    action: AuditAction,
    kind: RecordKind,
    record_id: Option<String>,
    decision: Option<&Decision>,
    client: &Client,
    detail: serde_json::Value,
) -> NewAuditEntry {
    NewAuditEntry {
        actor_user: Some(who.user.to_string()),
        actor_role: who
            .roles
            .iter()
            .map(|r| r.code())
            .collect::<Vec<_>>()
            .join(","),
        actor_agency: Some(who.agency.to_string()),
        action,
        record_kind: kind,
        record_id,
        outcome: match decision {
            Some(d) if !d.allowed => AuditOutcome::Refused,
            _ => AuditOutcome::Allowed,
        },
        policies: decision.map(Decision::policy_list).unwrap_or_default(),
        client: client.0.clone(),
        detail,
    }
}

/// Audits a refused view of one record and answers 404, exactly as for a missing record.
async fn refuse<T>(
    state: &AppState,
    who: &Principal,
    kind: RecordKind,
    record_id: String,
    decision: &Decision,
    client: &Client,
    detail: serde_json::Value,
) -> Result<T, AppError> {
    let e = entry(
        who,
        AuditAction::View,
        kind,
        Some(record_id),
        Some(decision),
        client,
        detail,
    );
    state.store().record(e).await?;
    Err(AppError::NotFound)
}

/// Opens a child's record: decides, audits (allowed or refused) and returns what may be
/// shown. Unknown and refused children both answer [`AppError::NotFound`].
pub async fn view_child(
    state: &AppState,
    who: &Principal,
    raw_id: &str,
    client: &Client,
) -> Result<ChildView, AppError> {
    let store = state.store();
    let found = match raw_id.parse::<ChildId>() {
        Ok(id) => store.child(id).await?,
        Err(_) => None,
    };
    let Some((child, agencies)) = found else {
        let refused = Decision {
            allowed: false,
            policies: vec!["no-such-child".into()],
        };
        let detail = serde_json::json!({ "reason": "unknown child" });
        return refuse(
            state,
            who,
            RecordKind::Child,
            raw_id.chars().take(64).collect(),
            &refused,
            client,
            detail,
        )
        .await;
    };
    // The child and each of its sections, decided together against one set of entities.
    let facts = child_facts(&child, &agencies);
    let mut asked = vec![Resource::Child(facts.clone())];
    asked.extend(
        Section::ALL
            .iter()
            .map(|s| section_resource(&facts, &agencies, *s)),
    );
    let mut answers = state
        .access()
        .decide_all(who, Action::View, &asked)
        .into_iter();
    let decision = answers.next().unwrap_or(Decision {
        allowed: false,
        policies: vec!["error: no answer".into()],
    });
    if !decision.allowed {
        return refuse(
            state,
            who,
            RecordKind::Child,
            child.id.to_string(),
            &decision,
            client,
            serde_json::json!({}),
        )
        .await;
    }
    let (mut visible, mut hidden) = (Vec::new(), Vec::new());
    for (section, d) in Section::ALL.into_iter().zip(answers) {
        if d.allowed {
            visible.push(section)
        } else {
            hidden.push(section)
        }
    }
    let detail = serde_json::json!({
        "sections": visible.iter().map(|s| s.code()).collect::<Vec<_>>(),
        "hidden": hidden.iter().map(|s| s.code()).collect::<Vec<_>>(),
    });
    let e = entry(
        who,
        AuditAction::View,
        RecordKind::Child,
        Some(child.id.to_string()),
        Some(&decision),
        client,
        detail,
    );
    store.record(e).await?;
    Ok(ChildView {
        child,
        visible,
        hidden,
    })
}

/// The children a user may see, filtered by the same decision as [`view_child`], and the
/// audit entry for having listed them.
pub async fn list_children(
    state: &AppState,
    who: &Principal,
    client: &Client,
    limit: usize,
) -> Result<Vec<Child>, AppError> {
    let candidates = state
        .store()
        .candidate_children(who.agency, &who.areas, 2000)
        .await?;
    // Every candidate decided against one set of entities, as single records are.
    let asked: Vec<Resource> = candidates
        .iter()
        .map(|(c, a)| Resource::Child(child_facts(c, a)))
        .collect();
    let answers = state.access().decide_all(who, Action::View, &asked);
    let visible: Vec<Child> = candidates
        .into_iter()
        .zip(answers)
        .filter(|(_, d)| d.allowed)
        .map(|((child, _), _)| child)
        .take(limit)
        .collect();
    let detail = serde_json::json!({
        "count": visible.len(),
        "children": visible.iter().map(|c| c.id.to_string()).collect::<Vec<_>>(),
    });
    let e = entry(
        who,
        AuditAction::View,
        RecordKind::ChildList,
        None,
        None,
        client,
        detail,
    );
    state.store().record(e).await?;
    Ok(visible)
}

/// Whether `who` may administer `target`'s account; a refusal is audited and answers 404.
pub async fn administer_user(
    state: &AppState,
    who: &Principal,
    target: &User,
    client: &Client,
) -> Result<Decision, AppError> {
    let agency = state.store().agency(target.agency).await?;
    let decision = state.access().decide(
        who,
        Action::Administer,
        &Resource::UserAccount {
            areas: agency.areas,
        },
    );
    if !decision.allowed {
        return refuse(
            state,
            who,
            RecordKind::User,
            target.id.to_string(),
            &decision,
            client,
            serde_json::json!({}),
        )
        .await;
    }
    Ok(decision)
}

/// The areas whose accounts `who` may administer.
pub fn administered_areas(state: &AppState, who: &Principal) -> Vec<AreaId> {
    who.areas
        .iter()
        .copied()
        .filter(|a| {
            state
                .access()
                .decide(
                    who,
                    Action::Administer,
                    &Resource::UserAccount { areas: vec![*a] },
                )
                .allowed
        })
        .collect()
}

/// Whether `who` may read the audit trail (of at least one of their areas); refusals are
/// audited.
pub async fn read_audit_trail(
    state: &AppState,
    who: &Principal,
    client: &Client,
) -> Result<Decision, AppError> {
    let mut last = None;
    for area in &who.areas {
        let d = state
            .access()
            .decide(who, Action::View, &Resource::AuditTrail { area: *area });
        if d.allowed {
            return Ok(d);
        }
        last = Some(d);
    }
    let refused = last.unwrap_or(Decision {
        allowed: false,
        policies: Vec::new(),
    });
    let e = entry(
        who,
        AuditAction::View,
        RecordKind::AuditTrail,
        None,
        Some(&refused),
        client,
        serde_json::json!({}),
    );
    state.store().record(e).await?;
    Err(AppError::NotFound)
}

/// Records a forged or missing CSRF token. Best effort: the request is refused either way.
pub async fn record_csrf_rejection(state: &AppState, client: &Client) {
    let e = NewAuditEntry {
        actor_user: None,
        actor_role: "anonymous".into(),
        actor_agency: None,
        action: AuditAction::CsrfRejected,
        record_kind: RecordKind::Session,
        record_id: None,
        outcome: AuditOutcome::Refused,
        policies: String::new(),
        client: client.0.clone(),
        detail: serde_json::json!({}),
    };
    if let Err(e) = state.store().record(e).await {
        tracing::error!(error = %e, "could not audit a CSRF rejection");
    }
}
