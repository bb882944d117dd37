//! The enforcement point for the information sharing tool (R5.1, WM-25): who may pass
//! information to the police about an area, and who may read and grade what was passed.
//! Submissions are police-only (R8.2): a refused submission looks exactly like a missing
//! one, and every reading is audited.

use std::collections::HashMap;
use std::sync::Arc;

use safehub_access::{Action, Decision, IntelligenceFacts, Principal, Resource};
use safehub_domain::{AgencyKind, AreaId, ChildId, Role};
use safehub_store::AuditAction;
use safehub_store::audit::RecordKind;
use safehub_store::intelligence::StoredSubmission;

use super::entry;
use crate::AppState;
use crate::analysis::Picture;
use crate::client::Client;
use crate::error::AppError;

/// The areas about which `who` may share information (R5.1). Deciding is not reading a
/// record, so nothing is audited.
pub fn shareable_areas(state: &AppState, who: &Principal) -> Vec<AreaId> {
    who.areas
        .iter()
        .copied()
        .filter(|a| may_share_into(state, who, *a))
        .collect()
}

/// Whether `who` may share information about `area`, one of the areas they work in (R5.1):
/// one decision, where [`shareable_areas`] makes one per area. Not audited, as above.
pub fn may_share_into(state: &AppState, who: &Principal, area: AreaId) -> bool {
    who.areas.contains(&area)
        && state
            .access()
            .decide(who, Action::Share, &Resource::Area { area })
            .allowed
}

/// Whether `who` may share information about `area`; a refusal is audited and answers 403
/// (the area is not a secret).
pub async fn share_into(
    state: &AppState,
    who: &Principal,
    area: AreaId,
    client: &Client,
) -> Result<Decision, AppError> {
    let decision = state
        .access()
        .decide(who, Action::Share, &Resource::Area { area });
    if !decision.allowed {
        let e = entry(
            who,
            AuditAction::Share,
            RecordKind::IntelSubmission,
            None,
            Some(&decision),
            client,
            serde_json::json!({}),
        );
        state.store().record(e).await?;
        return Err(AppError::Forbidden);
    }
    Ok(decision)
}

/// Whether `who` works in police intelligence (intelligence officers and analysts of a
/// police force), so has an inbox of submissions.
pub fn reads_intelligence(who: &Principal) -> bool {
    who.agency_kind == AgencyKind::Police
        && who
            .roles
            .iter()
            .any(|r| matches!(r, Role::PoliceIntelligenceOfficer | Role::PoliceAnalyst))
}

/// Whether `who` grades submissions 3x5x2 (WM-25.6): a police intelligence officer. The
/// grading is also a reading of the submission, which the policies decide.
pub fn grades_intelligence(who: &Principal) -> bool {
    who.agency_kind == AgencyKind::Police && who.roles.contains(&Role::PoliceIntelligenceOfficer)
}

/// Opens a submission for `who`: loads it, asks the policies whether they may read it
/// (police intelligence of the area, R8.2) and audits the reading, allowed or refused. An
/// unknown or refused submission is 404 alike.
pub async fn open_submission(
    state: &AppState,
    who: &Principal,
    raw_id: &str,
    client: &Client,
) -> Result<(StoredSubmission, Decision), AppError> {
    let id: String = raw_id.chars().take(64).collect();
    let found = state.store().intel_submission(&id).await?;
    let decision = match &found {
        Some(s) => state.access().decide(
            who,
            Action::View,
            &Resource::Intelligence(IntelligenceFacts {
                area: s.area,
                shared_with: s.shared_with.clone(),
            }),
        ),
        None => Decision {
            allowed: false,
            policies: vec!["no-such-submission".into()],
        },
    };
    let e = entry(
        who,
        AuditAction::View,
        RecordKind::IntelSubmission,
        Some(id),
        Some(&decision),
        client,
        serde_json::json!({}),
    );
    state.store().record(e).await?;
    match found {
        Some(s) if decision.allowed => Ok((s, decision)),
        _ => Err(AppError::NotFound),
    }
}

/// The areas whose intelligence `who` may analyse: a police intelligence officer's or
/// analyst's areas where the policies let them read intelligence (R5.2, R8.2).
pub fn analysed_areas(state: &AppState, who: &Principal) -> Vec<AreaId> {
    if !reads_intelligence(who) {
        return Vec::new();
    }
    who.areas
        .iter()
        .copied()
        .filter(|area| {
            state
                .access()
                .decide(
                    who,
                    Action::View,
                    &Resource::Intelligence(IntelligenceFacts {
                        area: *area,
                        shared_with: Vec::new(),
                    }),
                )
                .allowed
        })
        .collect()
}

/// Builds the analysis picture of the intelligence `who` may read (R5.2, WM-27.1). Someone
/// who may not analyse is refused with 403, and the refusal is audited; the page audits
/// what it shows.
pub async fn analyse(
    state: &AppState,
    who: &Principal,
    client: &Client,
) -> Result<Arc<Picture>, AppError> {
    let areas = analysed_areas(state, who);
    if areas.is_empty() {
        let refused = Decision {
            allowed: false,
            policies: vec!["not-police-intelligence".into()],
        };
        let e = entry(
            who,
            AuditAction::View,
            RecordKind::IntelAnalysis,
            None,
            Some(&refused),
            client,
            serde_json::json!({}),
        );
        state.store().record(e).await?;
        return Err(AppError::Forbidden);
    }
    let mut areas = areas;
    areas.sort_unstable();
    let fingerprint = state.store().intel_fingerprint().await?;
    if let Some(kept) = state.pictures().get(&areas, fingerprint) {
        return Ok(kept);
    }
    let input = state
        .store()
        .intel_analysis_input(&areas, crate::analysis::postcode_key)
        .await?;
    // Building is seconds of computation for a large force: off the request threads.
    let picture = tokio::task::spawn_blocking(move || Picture::build(input))
        .await
        .map_err(|e| AppError::Internal(format!("building the analysis picture: {e}")))?;
    let picture = Arc::new(picture);
    state
        .pictures()
        .keep(areas, fingerprint, Arc::clone(&picture));
    Ok(picture)
}

/// The names of those `children` that `who` may open, decided as opening each record would
/// be. A child left out is shown without a name; the page's audit entry lists who was named.
pub async fn name_children(
    state: &AppState,
    who: &Principal,
    children: &[ChildId],
) -> Result<HashMap<ChildId, String>, AppError> {
    let found = state.store().children_with_facts(children).await?;
    let asked: Vec<Resource> = found
        .iter()
        .map(|(c, a)| Resource::Child(super::child_facts(c, a)))
        .collect();
    let answers = state.access().decide_all(who, Action::View, &asked);
    Ok(found
        .into_iter()
        .zip(answers)
        .filter(|(_, d)| d.allowed)
        .map(|((c, _), _)| (c.id, c.name.to_string()))
        .collect())
}
