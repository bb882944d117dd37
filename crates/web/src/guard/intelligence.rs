//! The enforcement point for the information sharing tool (R5.1, WM-25): who may pass
//! information to the police about an area, and who may read and grade what was passed.
//! Submissions are police-only (R8.2): a refused submission looks exactly like a missing
//! one, and every reading is audited.

use safehub_access::{Action, Decision, IntelligenceFacts, Principal, Resource};
use safehub_domain::{AgencyKind, AreaId, Role};
use safehub_store::AuditAction;
use safehub_store::audit::RecordKind;
use safehub_store::intelligence::StoredSubmission;

use super::entry;
use crate::AppState;
use crate::client::Client;
use crate::error::AppError;

/// The areas about which `who` may share information (R5.1). Deciding is not reading a
/// record, so nothing is audited.
pub fn shareable_areas(state: &AppState, who: &Principal) -> Vec<AreaId> {
    who.areas
        .iter()
        .copied()
        .filter(|a| {
            state
                .access()
                .decide(who, Action::Share, &Resource::Area { area: *a })
                .allowed
        })
        .collect()
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
                shared_with: Vec::new(),
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
