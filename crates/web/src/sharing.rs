//! Sending information to the police (R5.1, WM-25), shared by the page and the API: the
//! submission goes to the police force serving the area, with its audit entry, in one
//! transaction. Not a referral: nothing reaches the MASH.

use safehub_access::{Decision, Principal};
use safehub_domain::intelligence::Submission;
use safehub_domain::{AreaId, ChildId};
use safehub_store::AuditAction;
use safehub_store::audit::{self, RecordKind};
use safehub_store::intelligence::{self, IntelError, NewSubmission};

use crate::AppState;
use crate::client::Client;
use crate::error::AppError;
use crate::guard;

/// What became of a submission sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Sent {
    /// Stored, with this id.
    New(String),
    /// The same form or request was sent before: the first one's id.
    Again(String),
    /// No police force serves the area in Safehub.
    NoPoliceForce,
}

/// Sends a checked `submission` about `area` from `who`, whose right to share there is
/// `decision` (from [`guard::share_into`]). `via` says where it came from (`page`, `api`).
#[allow(clippy::too_many_arguments)]
pub async fn send(
    state: &AppState,
    who: &Principal,
    decision: &Decision,
    area: AreaId,
    submission: &Submission,
    children: &[ChildId],
    key: Option<&str>,
    client: &Client,
    via: &str,
) -> Result<Sent, AppError> {
    let Some(police) = state.store().police_force_for(area).await? else {
        return Ok(Sent::NoPoliceForce);
    };
    let id = uuid::Uuid::new_v4().to_string();
    let mut tx = state.store().begin().await?;
    let saved = intelligence::insert(
        &mut tx,
        &NewSubmission {
            id: &id,
            area,
            police_agency: police,
            submitted_by: who.user,
            submitter_agency: who.agency,
            submission,
            children,
            received_at: safehub_store::now_ms(),
            form_key: key.map(str::trim).filter(|k| !k.is_empty()),
        },
    )
    .await;
    match saved {
        Ok(()) => {}
        Err(IntelError::Duplicate(first)) => {
            tx.rollback().await?;
            return Ok(Sent::Again(first));
        }
        Err(IntelError::Store(e)) => return Err(e.into()),
        Err(e @ IntelError::AlreadyAssessed) => return Err(AppError::Conflict(e.to_string())),
    }
    audit::append(
        &mut tx,
        &[guard::entry(
            who,
            AuditAction::Share,
            RecordKind::IntelSubmission,
            Some(id.clone()),
            Some(decision),
            client,
            serde_json::json!({
                "items": submission.items.len(),
                "children": children.iter().map(ToString::to_string).collect::<Vec<_>>(),
                "via": via,
            }),
        )],
    )
    .await?;
    tx.commit().await?;
    Ok(Sent::New(id))
}

/// The agencies serving `area` that a police grading may share information back with:
/// every agency there but the police, by name.
pub async fn share_back_options(
    state: &AppState,
    area: AreaId,
) -> Result<Vec<safehub_store::organisations::Agency>, AppError> {
    Ok(state
        .store()
        .agencies()
        .await?
        .into_iter()
        .filter(|a| a.kind != safehub_domain::AgencyKind::Police && a.areas.contains(&area))
        .collect())
}

/// Reads the agencies chosen to share a submission back with (WM-25.6): the ids among
/// [`share_back_options`], and the positions of any that are not (an agency that does not
/// serve the area, or no agency at all), for the form or the API to name.
pub async fn share_back_choice(
    state: &AppState,
    area: AreaId,
    chosen: &[String],
) -> Result<(Vec<safehub_domain::AgencyId>, Vec<usize>), AppError> {
    let options = share_back_options(state, area).await?;
    let mut agencies = Vec::new();
    let mut refused = Vec::new();
    for (i, raw) in chosen.iter().enumerate() {
        match options.iter().find(|a| a.id.to_string() == raw.trim()) {
            Some(a) => agencies.push(a.id),
            None => refused.push(i),
        }
    }
    Ok((agencies, refused))
}
