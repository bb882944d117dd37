//! The enforcement point. Every read and write of case data passes through a function here:
//! it asks the access policies, writes the typed audit entry (allowed or refused, with the
//! deciding policies) and only then hands the data back. A refused single record looks
//! exactly like a missing one (404), so refusals do not reveal that a record exists.

use safehub_access::{Action, ChildFacts, Decision, Principal, Resource, Section};
use safehub_domain::{AreaId, ChildId};
use safehub_store::audit::RecordKind;
use safehub_store::children::{Child, ChildAgencies, RecordState};
use safehub_store::users::User;
use safehub_store::{AuditAction, AuditOutcome, NewAuditEntry};

use crate::AppState;
use crate::client::Client;
use crate::error::AppError;

mod casework;
mod child_record;
mod intelligence;
pub use casework::{
    CaseRecord, concerns_decision, filter_by_concerns, open_case_record, works_in_mash,
};
pub use child_record::{
    ChildRights, DuplicateCheck, FlagView, MergeSide, ShownCandidate, child_rights,
    duplicate_check, edit_child, merge_areas, merge_target, open_duplicate_flags, record_child_in,
    recordable_areas, save_merge, save_new_child, save_undo, view_child_record,
};
pub use intelligence::{
    analyse, analysed_areas, grades_intelligence, may_share_into, name_children, open_submission,
    reads_intelligence, share_into, shareable_areas,
};

/// A child's record as one user may see it.
#[derive(Clone, Debug)]
pub struct ChildView {
    /// The record.
    pub child: Child,
    /// Sections the user may see.
    pub visible: Vec<Section>,
    /// Sections hidden from the user's agency by a restriction (R8.3).
    pub hidden: Vec<Section>,
    /// Estimated age, version, and the record it was merged into, if it was (R2.1).
    pub state: RecordState,
    /// The facts the decision was made on, for deciding what else the page offers.
    pub agencies: ChildAgencies,
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
        Ok(id) => store.child_with_state(id).await?,
        Err(_) => None,
    };
    let Some((child, agencies, record_state)) = found else {
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
        state: record_state,
        agencies,
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

// Screenings and routes in

/// A child whose concerns a user is about to add to (a screening, or a concern by one of the
/// routes in), with the decision that allowed it.
#[derive(Clone, Debug)]
pub struct ConcernsAccess {
    /// The child.
    pub child: Child,
    /// The agencies working with the child and the restrictions on its record.
    pub agencies: ChildAgencies,
    /// The decision that allowed it, for the audit entry of the change.
    pub decision: Decision,
}

/// `action` on a child's record and on its Concerns section, decided together: both must be
/// allowed. A denial names only the policies that denied (or none, for a default denial).
fn decide_child_concerns(
    state: &AppState,
    who: &Principal,
    child: &Child,
    agencies: &ChildAgencies,
    action: Action,
) -> Decision {
    let facts = child_facts(child, agencies);
    let asked = [
        Resource::Child(facts.clone()),
        section_resource(&facts, agencies, Section::Concerns),
    ];
    let answers = state.access().decide_all(who, action, &asked);
    let allowed = answers.len() == asked.len() && answers.iter().all(|d| d.allowed);
    let mut policies: Vec<String> = answers
        .into_iter()
        .filter(|d| d.allowed == allowed)
        .flat_map(|d| d.policies)
        .collect();
    policies.sort_unstable();
    policies.dedup();
    Decision { allowed, policies }
}

/// Audits a refused attempt at `action` on a record and answers 404, as for a missing record.
#[allow(clippy::too_many_arguments)]
async fn refuse_attempt<T>(
    state: &AppState,
    who: &Principal,
    action: AuditAction,
    kind: RecordKind,
    record_id: String,
    decision: &Decision,
    client: &Client,
    detail: serde_json::Value,
) -> Result<T, AppError> {
    let e = entry(
        who,
        action,
        kind,
        Some(record_id),
        Some(decision),
        client,
        detail,
    );
    state.store().record(e).await?;
    Err(AppError::NotFound)
}

/// Opens a child to add a screening or a concern to its record (R2.2, R2.5): the user must be
/// allowed to change both the child's record and its Concerns section. Unknown and refused
/// children both answer 404; a refusal is audited as a refused creation of a `kind` record.
/// The caller audits what it then creates, in the transaction that creates it.
pub async fn work_on_concerns(
    state: &AppState,
    who: &Principal,
    raw_child_id: &str,
    kind: RecordKind,
    client: &Client,
) -> Result<ConcernsAccess, AppError> {
    let found = match raw_child_id.parse::<ChildId>() {
        Ok(id) => state.store().child(id).await?,
        Err(_) => None,
    };
    let record_id: String = raw_child_id.chars().take(64).collect();
    let Some((child, agencies)) = found else {
        let refused = Decision {
            allowed: false,
            policies: vec!["no-such-child".into()],
        };
        let detail = serde_json::json!({ "reason": "unknown child" });
        return refuse_attempt(
            state,
            who,
            AuditAction::Create,
            kind,
            record_id,
            &refused,
            client,
            detail,
        )
        .await;
    };
    let decision = decide_child_concerns(state, who, &child, &agencies, Action::Edit);
    if !decision.allowed {
        let detail = serde_json::json!({ "child": child.id.to_string() });
        return refuse_attempt(
            state,
            who,
            AuditAction::Create,
            kind,
            child.id.to_string(),
            &decision,
            client,
            detail,
        )
        .await;
    }
    Ok(ConcernsAccess {
        child,
        agencies,
        decision,
    })
}

/// The rule, named in the audit trail, that only a police user records a police vulnerable
/// person notification. It is checked here rather than in the Cedar policies because the
/// route a concern comes in by is not a fact the policy schema has.
pub const POLICE_NOTIFICATION_RULE: &str = "police-notification-by-police-users";

/// Opens a child to record a concern that came in by `route` (R2.5): as
/// [`work_on_concerns`], and a police vulnerable person notification only by a user of a
/// police force. A user who may work on the child but is not police is refused with 403
/// (they know the child exists), audited.
pub async fn record_concern(
    state: &AppState,
    who: &Principal,
    raw_child_id: &str,
    route: safehub_domain::pathway::RouteIn,
    client: &Client,
) -> Result<ConcernsAccess, AppError> {
    let access = work_on_concerns(state, who, raw_child_id, RecordKind::Referral, client).await?;
    if route == safehub_domain::pathway::RouteIn::PoliceNotification
        && who.agency_kind != safehub_domain::AgencyKind::Police
    {
        let refused = Decision {
            allowed: false,
            policies: vec![POLICE_NOTIFICATION_RULE.into()],
        };
        let e = entry(
            who,
            AuditAction::Create,
            RecordKind::Referral,
            Some(access.child.id.to_string()),
            Some(&refused),
            client,
            serde_json::json!({ "route": route.code() }),
        );
        state.store().record(e).await?;
        return Err(AppError::Forbidden);
    }
    Ok(access)
}

/// The rule, named in the audit trail, that a draft screening is its author's alone.
pub const DRAFT_RULE: &str = "draft-screening-seen-only-by-its-author";

/// A screening with its child, as one user may use it.
#[derive(Clone, Debug)]
pub struct ScreeningAccess {
    /// The screening.
    pub screening: safehub_store::screenings::Screening,
    /// The child screened.
    pub child: Child,
    /// The decision that allowed it.
    pub decision: Decision,
}

/// What a user may do with one screening.
#[derive(Clone, Debug)]
pub enum ScreeningUse {
    /// Their own draft, which they may still change.
    Draft(ScreeningAccess),
    /// A submitted screening they may read.
    Submitted(ScreeningAccess),
}

/// Why a screening is being opened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScreeningPurpose {
    /// To show it: the view is audited here.
    View,
    /// To change the draft: the caller audits the change in its transaction.
    Change,
}

/// Opens one screening (R2.2, R2.6). A draft is its author's alone, and only while they may
/// still change the child's record and Concerns section. A submitted screening is part of the
/// child's Concerns section: whoever may open that section reads it, which includes the MASH
/// and every agency working with the child, so also the referring agency and its SPOC (the
/// front door makes the referring agency involved with the child). Unknown and refused
/// screenings both answer 404, and the refusal is audited; a view is audited when `purpose`
/// is [`ScreeningPurpose::View`].
pub async fn open_screening(
    state: &AppState,
    who: &Principal,
    raw_id: &str,
    purpose: ScreeningPurpose,
    client: &Client,
) -> Result<ScreeningUse, AppError> {
    use safehub_store::screenings::ScreeningStatus;
    let store = state.store();
    let record_id: String = raw_id.chars().take(64).collect();
    let attempted = match purpose {
        ScreeningPurpose::View => AuditAction::View,
        ScreeningPurpose::Change => AuditAction::Change,
    };
    let found = match uuid::Uuid::parse_str(raw_id) {
        Ok(_) => match store.screening(raw_id).await? {
            Some(s) => store.child(s.child).await?.map(|c| (s, c)),
            None => None,
        },
        Err(_) => None,
    };
    let Some((screening, (child, agencies))) = found else {
        let refused = Decision {
            allowed: false,
            policies: vec!["no-such-screening".into()],
        };
        let detail = serde_json::json!({ "reason": "unknown screening" });
        return refuse_attempt(
            state,
            who,
            attempted,
            RecordKind::Screening,
            record_id,
            &refused,
            client,
            detail,
        )
        .await;
    };
    let detail = serde_json::json!({
        "child": child.id.to_string(),
        "status": screening.status.code(),
        "tool_version": screening.tool_version,
    });
    let draft = screening.status == ScreeningStatus::Draft;
    let decision = if draft && screening.created_by != who.user {
        Decision {
            allowed: false,
            policies: vec![DRAFT_RULE.into()],
        }
    } else if draft {
        decide_child_concerns(state, who, &child, &agencies, Action::Edit)
    } else {
        decide_child_concerns(state, who, &child, &agencies, Action::View)
    };
    if !decision.allowed {
        return refuse_attempt(
            state,
            who,
            attempted,
            RecordKind::Screening,
            screening.id.clone(),
            &decision,
            client,
            detail,
        )
        .await;
    }
    if purpose == ScreeningPurpose::View {
        let e = entry(
            who,
            AuditAction::View,
            RecordKind::Screening,
            Some(screening.id.clone()),
            Some(&decision),
            client,
            detail,
        );
        store.record(e).await?;
    }
    let access = ScreeningAccess {
        screening,
        child,
        decision,
    };
    Ok(if draft {
        ScreeningUse::Draft(access)
    } else {
        ScreeningUse::Submitted(access)
    })
}

/// Loads the children of some screenings with their policy facts, in one query per 200.
async fn children_of_screenings(
    state: &AppState,
    screenings: &[safehub_store::screenings::Screening],
) -> Result<std::collections::HashMap<ChildId, (Child, ChildAgencies)>, AppError> {
    let ids: Vec<ChildId> = screenings.iter().map(|s| s.child).collect();
    Ok(state
        .store()
        .children_with_facts(&ids)
        .await?
        .into_iter()
        .map(|(c, a)| (c.id, (c, a)))
        .collect())
}

/// The screenings submitted by the user's agency since `since` (milliseconds), newest first,
/// with their children (R2.6): the agency SPOC's copy of every form from their agency. Only
/// a user with the agency SPOC role gets the list (others get 404, audited), and of it only
/// the screenings whose child's Concerns section the SPOC may open (a confidential
/// investigation can hide it, R8.3). The list is audited as one view.
pub async fn spoc_screenings(
    state: &AppState,
    who: &Principal,
    since: i64,
    client: &Client,
) -> Result<Vec<(safehub_store::screenings::Screening, Child)>, AppError> {
    if !who.roles.contains(&safehub_domain::Role::AgencySpoc) {
        let refused = Decision {
            allowed: false,
            policies: vec!["agency-spoc-role-needed".into()],
        };
        let e = entry(
            who,
            AuditAction::View,
            RecordKind::Screening,
            None,
            Some(&refused),
            client,
            serde_json::json!({ "list": "agency_screenings" }),
        );
        state.store().record(e).await?;
        return Err(AppError::NotFound);
    }
    let screenings = state
        .store()
        .screenings_of_agency(who.agency, since, 1000)
        .await?;
    let children = children_of_screenings(state, &screenings).await?;
    let mut candidates = Vec::new();
    for s in screenings {
        if let Some((child, agencies)) = children.get(&s.child) {
            candidates.push((s, child.clone(), agencies.clone()));
        }
    }
    let asked: Vec<Resource> = candidates
        .iter()
        .map(|(_, c, a)| section_resource(&child_facts(c, a), a, Section::Concerns))
        .collect();
    let answers = state.access().decide_all(who, Action::View, &asked);
    let shown: Vec<(safehub_store::screenings::Screening, Child)> = candidates
        .into_iter()
        .zip(answers)
        .filter(|(_, d)| d.allowed)
        .map(|((s, c, _), _)| (s, c))
        .collect();
    record_screening_list(state, who, client, "agency_screenings", &shown).await?;
    Ok(shown)
}

/// The user's own draft screenings with their children, most recently saved first, for "Your
/// drafts"; a draft of a child whose record they may no longer change is left out. Audited as
/// one view.
pub async fn own_drafts(
    state: &AppState,
    who: &Principal,
    client: &Client,
) -> Result<Vec<(safehub_store::screenings::Screening, Child)>, AppError> {
    let drafts = state.store().drafts_of(who.user).await?;
    let children = children_of_screenings(state, &drafts).await?;
    let mut shown = Vec::new();
    for s in drafts {
        if let Some((child, agencies)) = children.get(&s.child) {
            if decide_child_concerns(state, who, child, agencies, Action::Edit).allowed {
                shown.push((s, child.clone()));
            }
        }
    }
    record_screening_list(state, who, client, "own_drafts", &shown).await?;
    Ok(shown)
}

/// Opens the confirmation of a concern the user recorded (R2.5): only its recorder, and only
/// while they may open the child's Concerns section. Audited; otherwise 404.
pub async fn own_referral(
    state: &AppState,
    who: &Principal,
    raw_id: &str,
    client: &Client,
) -> Result<(safehub_store::referrals::Referral, Child), AppError> {
    let store = state.store();
    let found = match uuid::Uuid::parse_str(raw_id) {
        Ok(_) => match store.referral(raw_id).await? {
            Some(r) => store.child(r.child).await?.map(|c| (r, c)),
            None => None,
        },
        Err(_) => None,
    };
    let record_id: String = raw_id.chars().take(64).collect();
    let Some((referral, (child, agencies))) = found else {
        let refused = Decision {
            allowed: false,
            policies: vec!["no-such-referral".into()],
        };
        return refuse(
            state,
            who,
            RecordKind::Referral,
            record_id,
            &refused,
            client,
            serde_json::json!({ "reason": "unknown referral" }),
        )
        .await;
    };
    let decision = if referral.referrer_user == who.user {
        decide_child_concerns(state, who, &child, &agencies, Action::View)
    } else {
        Decision {
            allowed: false,
            policies: vec!["confirmation-seen-only-by-its-recorder".into()],
        }
    };
    let detail = serde_json::json!({ "child": child.id.to_string(), "confirmation": true });
    if !decision.allowed {
        return refuse(
            state,
            who,
            RecordKind::Referral,
            referral.id.clone(),
            &decision,
            client,
            detail,
        )
        .await;
    }
    let e = entry(
        who,
        AuditAction::View,
        RecordKind::Referral,
        Some(referral.id.clone()),
        Some(&decision),
        client,
        detail,
    );
    store.record(e).await?;
    Ok((referral, child))
}

/// Audits a list of screenings shown to `who` as one view naming each screening.
async fn record_screening_list(
    state: &AppState,
    who: &Principal,
    client: &Client,
    list: &str,
    shown: &[(safehub_store::screenings::Screening, Child)],
) -> Result<(), AppError> {
    let e = entry(
        who,
        AuditAction::View,
        RecordKind::Screening,
        None,
        None,
        client,
        serde_json::json!({
            "list": list,
            "screenings": shown.iter().map(|(s, _)| s.id.clone()).collect::<Vec<_>>(),
        }),
    );
    state.store().record(e).await?;
    Ok(())
}
