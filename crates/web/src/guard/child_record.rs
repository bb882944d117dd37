//! The enforcement point for the full child record (R2.1): recording a child, changing its
//! details, the duplicate check (which never reveals a record the user may not see, R8.1)
//! and merging two records. Each decision is audited, allowed or refused.

use safehub_access::{Action, ChildFacts, Decision, Principal, Resource, Section};
use safehub_domain::{AreaId, ChildId};
use safehub_store::AuditAction;
use safehub_store::audit::RecordKind;
use safehub_store::child_record::{ChildRecord, DuplicateFlag, Probe};
use safehub_store::children::{Child, ChildAgencies, RecordState};

use super::{ChildView, child_facts, entry, section_resource, view_child};
use crate::AppState;
use crate::client::Client;
use crate::error::AppError;

/// Audits a refusal of `action` and answers `answer`.
#[allow(clippy::too_many_arguments)]
async fn refuse_with<T>(
    state: &AppState,
    who: &Principal,
    action: AuditAction,
    kind: RecordKind,
    record_id: Option<String>,
    decision: &Decision,
    client: &Client,
    answer: AppError,
) -> Result<T, AppError> {
    let e = entry(
        who,
        action,
        kind,
        record_id,
        Some(decision),
        client,
        serde_json::json!({}),
    );
    state.store().record(e).await?;
    Err(answer)
}

fn no_such_child() -> Decision {
    Decision {
        allowed: false,
        policies: vec!["no-such-child".into()],
    }
}

/// Loads a child with its facts and state; an unknown or malformed id is `None`.
async fn load(
    state: &AppState,
    raw_id: &str,
) -> Result<Option<(Child, ChildAgencies, RecordState)>, AppError> {
    Ok(match raw_id.parse::<ChildId>() {
        Ok(id) => state.store().child_with_state(id).await?,
        Err(_) => None,
    })
}

fn short(raw_id: &str) -> Option<String> {
    Some(raw_id.chars().take(64).collect())
}

/// The areas in which `who` may record a new child (R2.1). Deciding is not opening a
/// record, so nothing is audited.
pub fn recordable_areas(state: &AppState, who: &Principal) -> Vec<AreaId> {
    who.areas
        .iter()
        .copied()
        .filter(|a| {
            state
                .access()
                .decide(who, Action::Record, &Resource::Area { area: *a })
                .allowed
        })
        .collect()
}

/// Whether `who` may record a child in `area`; a refusal is audited and answers 403 (the
/// area is not a secret).
pub async fn record_child_in(
    state: &AppState,
    who: &Principal,
    area: AreaId,
    client: &Client,
) -> Result<Decision, AppError> {
    let decision = state
        .access()
        .decide(who, Action::Record, &Resource::Area { area });
    if !decision.allowed {
        return refuse_with(
            state,
            who,
            AuditAction::Create,
            RecordKind::Child,
            None,
            &decision,
            client,
            AppError::Forbidden,
        )
        .await;
    }
    Ok(decision)
}

/// What a user may do with one child; decided, not audited, to choose the links a page
/// shows. Each action is decided and audited again when it is asked for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ChildRights {
    /// Change the details (the record and its Summary section, R8.3).
    pub edit: bool,
    /// Merge a duplicate into it, or undo a merge (R2.1).
    pub merge: bool,
}

/// The rights of `who` over a child they are viewing.
pub fn child_rights(
    state: &AppState,
    who: &Principal,
    child: &Child,
    agencies: &ChildAgencies,
) -> ChildRights {
    let facts = child_facts(child, agencies);
    let edit = state
        .access()
        .decide_all(
            who,
            Action::Edit,
            &[
                Resource::Child(facts.clone()),
                section_resource(&facts, agencies, Section::Summary),
            ],
        )
        .iter()
        .all(|d| d.allowed);
    let merge = state
        .access()
        .decide(who, Action::Merge, &Resource::Child(facts))
        .allowed;
    ChildRights { edit, merge }
}

/// Opens a child's record as [`view_child`] does (deciding and auditing), and with it the
/// full record when the user may see its Summary section (R2.1, R8.3).
pub async fn view_child_record(
    state: &AppState,
    who: &Principal,
    raw_id: &str,
    client: &Client,
) -> Result<(ChildView, Option<ChildRecord>), AppError> {
    let view = view_child(state, who, raw_id, client).await?;
    let record = if view.visible.contains(&Section::Summary) {
        state.store().child_record(view.child.id).await?
    } else {
        None
    };
    Ok((view, record))
}

/// Loads a child the user may see, for an `action` about to be decided on it: an unknown
/// id and a record the user may not see are both audited as refusals of `action` and
/// answered 404 alike.
async fn load_visible(
    state: &AppState,
    who: &Principal,
    raw_id: &str,
    action: AuditAction,
    client: &Client,
) -> Result<(Child, ChildAgencies, RecordState), AppError> {
    let Some((child, agencies, record_state)) = load(state, raw_id).await? else {
        return refuse_with(
            state,
            who,
            action,
            RecordKind::Child,
            short(raw_id),
            &no_such_child(),
            client,
            AppError::NotFound,
        )
        .await;
    };
    let view = state.access().decide(
        who,
        Action::View,
        &Resource::Child(child_facts(&child, &agencies)),
    );
    if !view.allowed {
        return refuse_with(
            state,
            who,
            action,
            RecordKind::Child,
            Some(child.id.to_string()),
            &view,
            client,
            AppError::NotFound,
        )
        .await;
    }
    Ok((child, agencies, record_state))
}

/// Opens a child's record to change its details: the user must be able to see it (else 404)
/// and to change it and its Summary section (else 403); refusals are audited. A record
/// merged into another cannot be changed.
pub async fn edit_child(
    state: &AppState,
    who: &Principal,
    raw_id: &str,
    client: &Client,
) -> Result<(ChildRecord, Decision), AppError> {
    let (child, agencies, record_state) =
        load_visible(state, who, raw_id, AuditAction::Change, client).await?;
    let facts = child_facts(&child, &agencies);
    let id = Some(child.id.to_string());
    let mut edits = state
        .access()
        .decide_all(
            who,
            Action::Edit,
            &[
                Resource::Child(facts.clone()),
                section_resource(&facts, &agencies, Section::Summary),
            ],
        )
        .into_iter();
    let (record_edit, summary_edit) = (edits.next(), edits.next());
    let (Some(decision), Some(summary)) = (record_edit, summary_edit) else {
        return Err(AppError::Internal("no edit decision".into()));
    };
    if !decision.allowed || !summary.allowed {
        let refused = if decision.allowed { summary } else { decision };
        return refuse_with(
            state,
            who,
            AuditAction::Change,
            RecordKind::Child,
            id,
            &refused,
            client,
            AppError::Forbidden,
        )
        .await;
    }
    if record_state.merged_into.is_some() {
        return Err(AppError::Conflict(
            "This record was merged into another record. Make the change on the record it \
             was merged into."
                .into(),
        ));
    }
    let record = state
        .store()
        .child_record(child.id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((record, decision))
}

/// A possible duplicate the user may see.
#[derive(Clone, Debug)]
pub struct ShownCandidate {
    /// Its summary fields.
    pub child: Child,
    /// Its state (estimated age).
    pub state: RecordState,
    /// Its policy facts, for deciding what else the user may do with it.
    pub agencies: ChildAgencies,
    /// Whether the user may see its Summary section (date of birth, school, address); when
    /// a restriction hides it, only the name is shown (R8.3).
    pub summary: bool,
    /// School.
    pub school: String,
    /// Postcode of the current address.
    pub postcode: Option<String>,
    /// The match score, 0 to 1.
    pub score: f64,
}

/// The outcome of a duplicate check.
#[derive(Clone, Debug, Default)]
pub struct DuplicateCheck {
    /// Records the user may see, best first.
    pub shown: Vec<ShownCandidate>,
    /// Records the user may not see, with their scores: never shown or hinted at (R8.1,
    /// need to know), but kept as flags for the MASH when the new record is made.
    pub hidden: Vec<(ChildId, f64)>,
}

/// Looks for records that may be the child described by `probe` (R2.1), in the areas of
/// `who`'s agency, and splits them by the same View decision as opening each record. The
/// records shown are audited as a list view.
pub async fn duplicate_check(
    state: &AppState,
    who: &Principal,
    probe: &Probe,
    exclude: Option<ChildId>,
    client: &Client,
) -> Result<DuplicateCheck, AppError> {
    let candidates = state
        .store()
        .possible_duplicates(probe, &who.areas, exclude)
        .await?;
    if candidates.is_empty() {
        return Ok(DuplicateCheck::default());
    }
    let mut asked = Vec::with_capacity(candidates.len() * 2);
    for c in &candidates {
        let facts = child_facts(&c.child, &c.facts);
        asked.push(section_resource(&facts, &c.facts, Section::Summary));
        asked.push(Resource::Child(facts));
    }
    let answers = state.access().decide_all(who, Action::View, &asked);
    let mut check = DuplicateCheck::default();
    for (c, pair) in candidates.into_iter().zip(answers.chunks(2)) {
        let (summary, record) = (pair[0].allowed, pair[1].allowed);
        if record {
            check.shown.push(ShownCandidate {
                child: c.child,
                state: c.state,
                agencies: c.facts,
                summary,
                school: c.school,
                postcode: c.postcode,
                score: c.score,
            });
        } else {
            check.hidden.push((c.child.id, c.score));
        }
    }
    if !check.shown.is_empty() {
        let detail = serde_json::json!({
            "purpose": "duplicate_check",
            "count": check.shown.len(),
            "children": check.shown.iter().map(|c| c.child.id.to_string()).collect::<Vec<_>>(),
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
    }
    Ok(check)
}

/// The areas in which `who` may merge children's records (the possible-duplicates list is
/// for them). Decided, not audited.
pub fn merge_areas(state: &AppState, who: &Principal) -> Vec<AreaId> {
    who.areas
        .iter()
        .copied()
        .filter(|a| {
            let any_child = ChildFacts {
                id: ChildId::new(),
                area: *a,
                involved_agencies: Vec::new(),
                routed_to: Vec::new(),
            };
            state
                .access()
                .decide(who, Action::Merge, &Resource::Child(any_child))
                .allowed
        })
        .collect()
}

/// Which side of a merge a record is on; it decides the answer to a refusal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MergeSide {
    /// The record kept, whose page the user is on: a user who may see it but not merge is
    /// told so (403).
    Kept,
    /// The duplicate, chosen by id: any refusal looks like a missing record (404).
    Duplicate,
    /// A record merged already, for undoing the merge: as [`MergeSide::Duplicate`], and a
    /// merged record is expected.
    Undo,
}

/// Opens one record of a merge (R2.1): the user must see it and may merge it (both records
/// of a merge are asked in turn); refusals are audited as refused merges.
pub async fn merge_target(
    state: &AppState,
    who: &Principal,
    raw_id: &str,
    side: MergeSide,
    client: &Client,
) -> Result<(ChildRecord, Decision), AppError> {
    let action = if side == MergeSide::Undo {
        AuditAction::UndoMerge
    } else {
        AuditAction::Merge
    };
    let (child, agencies, record_state) = load_visible(state, who, raw_id, action, client).await?;
    let facts = child_facts(&child, &agencies);
    let id = Some(child.id.to_string());
    let merge = state
        .access()
        .decide(who, Action::Merge, &Resource::Child(facts));
    if !merge.allowed {
        let answer = if side == MergeSide::Kept {
            AppError::Forbidden
        } else {
            AppError::NotFound
        };
        return refuse_with(
            state,
            who,
            action,
            RecordKind::Child,
            id,
            &merge,
            client,
            answer,
        )
        .await;
    }
    if side != MergeSide::Undo && record_state.merged_into.is_some() {
        return Err(AppError::Conflict(
            "This record has already been merged into another record.".into(),
        ));
    }
    let record = state
        .store()
        .child_record(child.id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((record, merge))
}

/// A possible duplicate kept for the MASH, with both records' summary fields.
#[derive(Clone, Debug)]
pub struct FlagView {
    /// The flag.
    pub flag: DuplicateFlag,
    /// The record that was being made.
    pub child: Child,
    /// The existing record it may duplicate.
    pub candidate: Child,
}

/// Open possible duplicates the user may resolve: those of one child, or of every child of
/// the user's areas; only flags whose two records the user may both see and merge. The
/// records named are audited as a list view.
pub async fn open_duplicate_flags(
    state: &AppState,
    who: &Principal,
    child: Option<ChildId>,
    client: &Client,
) -> Result<Vec<FlagView>, AppError> {
    let flags = match child {
        Some(id) => state.store().open_duplicate_flags_for(id).await?,
        None => {
            state
                .store()
                .open_duplicate_flags_in(&who.areas, 500)
                .await?
        }
    };
    if flags.is_empty() {
        return Ok(Vec::new());
    }
    let mut ids: Vec<ChildId> = flags.iter().flat_map(|f| [f.child, f.candidate]).collect();
    ids.sort_by_key(|id| id.to_string());
    ids.dedup();
    let rows = state.store().children_with_state(&ids).await?;
    let resources: Vec<Resource> = rows
        .iter()
        .map(|(c, a, _)| Resource::Child(child_facts(c, a)))
        .collect();
    let views = state.access().decide_all(who, Action::View, &resources);
    let merges = state.access().decide_all(who, Action::Merge, &resources);
    let allowed: std::collections::HashMap<ChildId, Child> = rows
        .into_iter()
        .zip(views.iter().zip(&merges))
        .filter(|(_, (v, m))| v.allowed && m.allowed)
        .map(|((c, _, _), _)| (c.id, c))
        .collect();
    let shown: Vec<FlagView> = flags
        .into_iter()
        .filter_map(|flag| {
            let child = allowed.get(&flag.child)?.clone();
            let candidate = allowed.get(&flag.candidate)?.clone();
            Some(FlagView {
                flag,
                child,
                candidate,
            })
        })
        .collect();
    if !shown.is_empty() {
        let mut named: Vec<String> = shown
            .iter()
            .flat_map(|f| [f.child.id.to_string(), f.candidate.id.to_string()])
            .collect();
        named.sort();
        named.dedup();
        let detail = serde_json::json!({
            "purpose": "possible_duplicates",
            "count": shown.len(),
            "children": named,
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
    }
    Ok(shown)
}

/// Makes a new child's record (R2.1) with the possible duplicates the user could not be
/// shown kept as flags for the MASH, and the audit entries, in one transaction. `decision`
/// is the [`record_child_in`] decision; `offered` how many matches the user was shown.
#[allow(clippy::too_many_arguments)]
pub async fn save_new_child(
    state: &AppState,
    who: &Principal,
    decision: &Decision,
    new: &safehub_store::child_record::NewChildRecord,
    hidden: &[(ChildId, f64)],
    offered: usize,
    via: &str,
    client: &Client,
) -> Result<(), AppError> {
    use safehub_store::child_record;
    let mut tx = state.store().begin().await?;
    child_record::insert_child_record(&mut tx, new, who.user, who.agency).await?;
    let flags = child_record::flag_possible_duplicates(&mut tx, new.id, who.user, hidden).await?;
    let mut entries = vec![entry(
        who,
        AuditAction::Create,
        RecordKind::Child,
        Some(new.id.to_string()),
        Some(decision),
        client,
        serde_json::json!({
            "area": new.area.to_string(),
            "address": new.address.is_some(),
            "offered": offered,
            "flagged": flags.len(),
            "via": via,
        }),
    )];
    for (flag, (candidate, score)) in flags.iter().zip(hidden) {
        entries.push(entry(
            who,
            AuditAction::Create,
            RecordKind::DuplicateFlag,
            Some(flag.clone()),
            None,
            client,
            serde_json::json!({
                "child": new.id.to_string(),
                "candidate": candidate.to_string(),
                "score": format!("{score:.2}"),
            }),
        ));
    }
    safehub_store::audit::append(&mut tx, &entries).await?;
    tx.commit().await?;
    Ok(())
}

/// Merges `dup` into `kept` (both opened with [`merge_target`]) with its audit entries in
/// one transaction: the merge itself (what moved, never the reason's text) and a change to
/// each record. A record merged meanwhile is [`AppError::Conflict`].
#[allow(clippy::too_many_arguments)]
pub async fn save_merge(
    state: &AppState,
    who: &Principal,
    kept: (ChildId, &Decision),
    dup: (ChildId, &Decision),
    reason: &str,
    via: &str,
    client: &Client,
) -> Result<safehub_store::child_record::ChildMerge, AppError> {
    use safehub_store::StoreError;
    use safehub_store::child_record;
    let mut tx = state.store().begin().await?;
    let done = match child_record::merge_children(&mut tx, kept.0, dup.0, reason, who.user).await {
        Err(StoreError::Conflict(_)) => {
            return Err(AppError::Conflict(
                "One of the records has just been merged by someone else. Nothing was changed."
                    .into(),
            ));
        }
        other => other?,
    };
    let entries = merge_entries(who, client, AuditAction::Merge, &done, kept.1, dup.1, via);
    safehub_store::audit::append(&mut tx, &entries).await?;
    tx.commit().await?;
    Ok(done)
}

/// Undoes a merge (both records opened with [`merge_target`] as [`MergeSide::Undo`]) with
/// its audit entries in one transaction.
pub async fn save_undo(
    state: &AppState,
    who: &Principal,
    merge_id: &str,
    decisions: (&Decision, &Decision),
    via: &str,
    client: &Client,
) -> Result<safehub_store::child_record::ChildMerge, AppError> {
    use safehub_store::StoreError;
    use safehub_store::child_record;
    let mut tx = state.store().begin().await?;
    let undone = match child_record::undo_merge(&mut tx, merge_id, who.user).await {
        Err(StoreError::Conflict(_)) => {
            return Err(AppError::Conflict(
                "This merge has already been undone, or the record it kept has since been \
                 merged into another record: undo that merge first."
                    .into(),
            ));
        }
        other => other?,
    };
    let entries = merge_entries(
        who,
        client,
        AuditAction::UndoMerge,
        &undone,
        decisions.0,
        decisions.1,
        via,
    );
    safehub_store::audit::append(&mut tx, &entries).await?;
    tx.commit().await?;
    Ok(undone)
}

fn merge_entries(
    who: &Principal,
    client: &Client,
    action: AuditAction,
    m: &safehub_store::child_record::ChildMerge,
    kept: &Decision,
    merged: &Decision,
    via: &str,
) -> Vec<safehub_store::NewAuditEntry> {
    let (k, d) = (m.kept.to_string(), m.merged.to_string());
    vec![
        entry(
            who,
            action,
            RecordKind::ChildMerge,
            Some(m.id.clone()),
            Some(kept),
            client,
            serde_json::json!({
                "kept": k,
                "merged": d,
                "moved": m.moves.counts(),
                "alias_added": m.moves.alias_added.is_some(),
                "flags": m.moves.flags_resolved.len(),
                "via": via,
            }),
        ),
        entry(
            who,
            AuditAction::Change,
            RecordKind::Child,
            Some(k.clone()),
            Some(kept),
            client,
            serde_json::json!({ "what": action.code(), "merge": m.id, "other": d }),
        ),
        entry(
            who,
            AuditAction::Change,
            RecordKind::Child,
            Some(d),
            Some(merged),
            client,
            serde_json::json!({ "what": action.code(), "merge": m.id, "other": k }),
        ),
    ]
}
