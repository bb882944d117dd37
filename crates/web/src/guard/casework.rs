//! The enforcement point for casework records that hang off a child: referrals, MASH
//! decisions, letters, clocks and the chronology. Each is part of the child's "Concerns"
//! section, so the same decision (including a confidential-investigation restriction, R8.3)
//! governs it; the decision and the record opened are audited before anything is shown.

use safehub_access::{Action, Decision, Principal, Resource, Section};
use safehub_domain::{ChildId, Role};
use safehub_store::AuditAction;
use safehub_store::audit::RecordKind;
use safehub_store::children::{Child, ChildAgencies};

use super::{child_facts, entry, refuse, section_resource};
use crate::AppState;
use crate::client::Client;
use crate::error::AppError;

/// What a casework record is, for the audit entry.
#[derive(Clone, Debug)]
pub struct CaseRecord {
    /// Its kind.
    pub kind: RecordKind,
    /// Its id.
    pub id: String,
}

/// The decision on the Concerns section of `child` for `action`.
pub fn concerns_decision(
    state: &AppState,
    who: &Principal,
    child: &Child,
    agencies: &ChildAgencies,
    action: Action,
) -> Decision {
    let facts = child_facts(child, agencies);
    state.access().decide(
        who,
        action,
        &section_resource(&facts, agencies, Section::Concerns),
    )
}

/// Opens a casework record of a child for `action` (View or Edit): decides on the child's
/// Concerns section, audits the decision against the record, and answers 404 when refused,
/// exactly as for a missing record. `audit_action` is what the entry says was done.
pub async fn open_case_record(
    state: &AppState,
    who: &Principal,
    child: ChildId,
    action: Action,
    record: CaseRecord,
    audit_action: AuditAction,
    client: &Client,
) -> Result<(Child, ChildAgencies), AppError> {
    let Some((child, agencies)) = state.store().child(child).await? else {
        return Err(AppError::NotFound);
    };
    let decision = concerns_decision(state, who, &child, &agencies, action);
    let detail = serde_json::json!({ "child": child.id.to_string() });
    if !decision.allowed {
        return refuse(
            state,
            who,
            record.kind,
            record.id,
            &decision,
            client,
            detail,
        )
        .await;
    }
    if audit_action == AuditAction::View {
        let e = entry(
            who,
            AuditAction::View,
            record.kind,
            Some(record.id),
            Some(&decision),
            client,
            detail,
        );
        state.store().record(e).await?;
    }
    Ok((child, agencies))
}

/// Whether the user works in the MASH: a MASH worker (R2.9). The queue and the decision
/// form need this role as well as the child-level decision.
pub fn works_in_mash(who: &Principal) -> bool {
    who.roles.contains(&Role::MashWorker)
}

/// Keeps the items whose child the user may see: the child's facts are read in one query
/// and each item passes the same decision as opening the child's Concerns section. The
/// list is audited as one entry.
pub async fn filter_by_concerns<T>(
    state: &AppState,
    who: &Principal,
    items: Vec<T>,
    child_of: impl Fn(&T) -> ChildId,
    list: RecordKind,
    client: &Client,
) -> Result<Vec<T>, AppError> {
    let ids: Vec<ChildId> = items.iter().map(&child_of).collect();
    let facts: std::collections::HashMap<ChildId, (Child, ChildAgencies)> = state
        .store()
        .children_with_facts(&ids)
        .await?
        .into_iter()
        .map(|(c, a)| (c.id, (c, a)))
        .collect();
    // One decision per child, however many of the items are about it.
    let (children, asked): (Vec<ChildId>, Vec<Resource>) = facts
        .iter()
        .map(|(id, (c, a))| {
            (
                *id,
                section_resource(&child_facts(c, a), a, Section::Concerns),
            )
        })
        .unzip();
    let answers = state.access().decide_all(who, Action::View, &asked);
    let allowed: std::collections::HashSet<ChildId> = children
        .into_iter()
        .zip(answers)
        .filter(|(_, d)| d.allowed)
        .map(|(id, _)| id)
        .collect();
    let shown: Vec<T> = items
        .into_iter()
        .filter(|i| allowed.contains(&child_of(i)))
        .collect();
    let e = entry(
        who,
        AuditAction::View,
        list,
        None,
        None,
        client,
        serde_json::json!({ "shown": shown.len() }),
    );
    state.store().record(e).await?;
    Ok(shown)
}
