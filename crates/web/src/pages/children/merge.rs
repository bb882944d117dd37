//! Possible duplicate records and merging them (R2.1): the MASH's list of possible
//! duplicates, comparing two records side by side, the merge itself and its undo. Each
//! change is one transaction with its audit entries.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use safehub_domain::ChildId;
use safehub_store::audit::{self, RecordKind};
use safehub_store::child_record::{self, ChildRecord, FlagResolution, Probe, clean_text};
use safehub_store::{AuditAction, StoreError};
use serde::Deserialize;

use super::record::CandidateRow;
use super::{RecordDisplay, display, today};
use crate::AppState;
use crate::client::Client;
use crate::error::AppError;
use crate::guard::{self, MergeSide};
use crate::layout::Layout;
use crate::pages::{london_time, render, render_invalid};
use crate::posted::Posted;
use crate::session::SignedIn;

/// The longest reason for a merge.
const MAX_REASON_CHARS: usize = 1000;

/// Two records side by side.
struct Compare {
    dup_id: ChildId,
    dup_name: String,
    kept: RecordDisplay,
    dup: RecordDisplay,
}

#[derive(Template)]
#[template(path = "child_merge.html")]
struct MergePage {
    layout: Layout,
    kept_id: ChildId,
    kept_name: String,
    candidates: Vec<CandidateRow>,
    compare: Option<Compare>,
    reason: String,
}

/// `?duplicate=ID`.
#[derive(Debug, Default, Deserialize)]
pub struct MergeQuery {
    #[serde(default)]
    duplicate: String,
}

/// The merge form.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct MergeForm {
    duplicate: String,
    reason: String,
}

async fn compare(
    state: &AppState,
    kept: &ChildRecord,
    dup: &ChildRecord,
) -> Result<Compare, AppError> {
    let today = today();
    Ok(Compare {
        dup_id: dup.child.id,
        dup_name: dup.child.name.to_string(),
        kept: display(state, kept, today).await?,
        dup: display(state, dup, today).await?,
    })
}

fn page(state: &AppState, who: &SignedIn, kept: &ChildRecord) -> MergePage {
    MergePage {
        layout: who.layout(state, "Merge duplicate records", "/children"),
        kept_id: kept.child.id,
        kept_name: kept.child.name.to_string(),
        candidates: Vec::new(),
        compare: None,
        reason: String::new(),
    }
}

/// GET /children/{id}/merge: the records that may be the same child (flags kept for the
/// MASH, and a fresh duplicate check), or with `?duplicate=ID` the two side by side with
/// the merge form.
pub async fn merge_form(
    State(state): State<AppState>,
    who: SignedIn,
    client: Client,
    Path(id): Path<String>,
    Query(query): Query<MergeQuery>,
) -> Result<Response, AppError> {
    let (kept, _) =
        guard::merge_target(&state, &who.principal, &id, MergeSide::Kept, &client).await?;
    let mut p = page(&state, &who, &kept);
    if !query.duplicate.is_empty() {
        let (dup, _) = guard::merge_target(
            &state,
            &who.principal,
            &query.duplicate,
            MergeSide::Duplicate,
            &client,
        )
        .await?;
        if dup.child.id == kept.child.id {
            return Err(AppError::BadRequest(
                "A record cannot be merged into itself.",
            ));
        }
        p.compare = Some(compare(&state, &kept, &dup).await?);
        return render(&p);
    }
    let probe = Probe {
        given: kept.child.name.given().to_owned(),
        family: kept.child.name.family().to_owned(),
        date_of_birth: kept.child.date_of_birth,
        age_estimated: kept.state.age_estimated,
        postcodes: kept.addresses.iter().map(|a| a.postcode.clone()).collect(),
    };
    let check =
        guard::duplicate_check(&state, &who.principal, &probe, Some(kept.child.id), &client)
            .await?;
    let mut seen = Vec::new();
    for c in &check.shown {
        if guard::child_rights(&state, &who.principal, &c.child, &c.agencies).merge {
            seen.push(c.child.id);
            p.candidates.push(CandidateRow::of(c));
        }
    }
    // Flags name records the duplicate check may no longer find (since changed).
    for f in
        guard::open_duplicate_flags(&state, &who.principal, Some(kept.child.id), &client).await?
    {
        let other = if f.child.id == kept.child.id {
            f.candidate
        } else {
            f.child
        };
        if !seen.contains(&other.id) {
            seen.push(other.id);
            p.candidates.push(CandidateRow {
                id: other.id,
                name: other.name.to_string(),
                born: String::new(),
                age: String::new(),
                postcode: String::new(),
                school: String::new(),
                summary: false,
            });
        }
    }
    render(&p)
}

/// POST /children/{id}/merge: merges the chosen duplicate into this record (R2.1).
pub async fn merge(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted<SignedIn, MergeForm>,
) -> Result<Response, AppError> {
    let Posted { who, form, client } = posted;
    let (kept, decision) =
        guard::merge_target(&state, &who.principal, &id, MergeSide::Kept, &client).await?;
    let (dup, dup_decision) = guard::merge_target(
        &state,
        &who.principal,
        &form.duplicate,
        MergeSide::Duplicate,
        &client,
    )
    .await?;
    if dup.child.id == kept.child.id {
        return Err(AppError::BadRequest(
            "A record cannot be merged into itself.",
        ));
    }
    let reason = match clean_text(&form.reason, MAX_REASON_CHARS, "reason", "The reason") {
        Ok(r) if !r.is_empty() => r,
        other => {
            let mut p = page(&state, &who, &kept);
            p.compare = Some(compare(&state, &kept, &dup).await?);
            p.reason = form.reason.clone();
            let message = other.err().map_or_else(
                || "Enter why these records are the same child".to_owned(),
                |e| e.message,
            );
            p.layout.error("reason", message);
            return render_invalid(&p);
        }
    };
    guard::save_merge(
        &state,
        &who.principal,
        (kept.child.id, &decision),
        (dup.child.id, &dup_decision),
        &reason,
        "page",
        &client,
    )
    .await?;
    Ok(Redirect::to(&format!("/children/{}", kept.child.id)).into_response())
}

/// POST /children/merges/{merge}/undo: puts back exactly what the merge moved.
pub async fn undo(
    State(state): State<AppState>,
    Path(merge_id): Path<String>,
    posted: Posted<SignedIn, crate::pages::sign_in::EmptyForm>,
) -> Result<Response, AppError> {
    let Posted { who, client, .. } = posted;
    let m = state
        .store()
        .child_merge(merge_id.trim())
        .await?
        .ok_or(AppError::NotFound)?;
    let (_, kept_decision) = guard::merge_target(
        &state,
        &who.principal,
        &m.kept.to_string(),
        MergeSide::Undo,
        &client,
    )
    .await?;
    let (_, merged_decision) = guard::merge_target(
        &state,
        &who.principal,
        &m.merged.to_string(),
        MergeSide::Undo,
        &client,
    )
    .await?;
    guard::save_undo(
        &state,
        &who.principal,
        &m.id,
        (&kept_decision, &merged_decision),
        "page",
        &client,
    )
    .await?;
    Ok(Redirect::to(&format!("/children/{}", m.merged)).into_response())
}

/// A possible duplicate in the MASH's list.
struct FlagRow {
    id: String,
    child: ChildId,
    child_name: String,
    candidate: ChildId,
    candidate_name: String,
    score: i64,
    flagged: String,
}

#[derive(Template)]
#[template(path = "child_duplicates.html")]
struct DuplicatesPage {
    layout: Layout,
    flags: Vec<FlagRow>,
}

/// GET /children/duplicates: possible duplicate records in the user's areas that the person
/// recording could not be shown, for those who may merge them (the MASH, R2.9).
pub async fn duplicates(
    State(state): State<AppState>,
    who: SignedIn,
    client: Client,
) -> Result<Response, AppError> {
    if guard::merge_areas(&state, &who.principal).is_empty() {
        return Err(AppError::NotFound);
    }
    let flags = guard::open_duplicate_flags(&state, &who.principal, None, &client)
        .await?
        .into_iter()
        .map(|f| FlagRow {
            id: f.flag.id,
            child: f.child.id,
            child_name: f.child.name.to_string(),
            candidate: f.candidate.id,
            candidate_name: f.candidate.name.to_string(),
            score: (f.flag.score + 5) / 10,
            flagged: london_time(f.flag.flagged_at),
        })
        .collect();
    render(&DuplicatesPage {
        layout: who.layout(&state, "Possible duplicate records", "/children"),
        flags,
    })
}

/// POST /children/duplicates/{flag}/resolve: someone checked, and the two records are
/// different children.
pub async fn resolve_flag(
    State(state): State<AppState>,
    Path(flag_id): Path<String>,
    posted: Posted<SignedIn, crate::pages::sign_in::EmptyForm>,
) -> Result<Response, AppError> {
    let Posted { who, client, .. } = posted;
    let flag = state
        .store()
        .duplicate_flag(flag_id.trim())
        .await?
        .ok_or(AppError::NotFound)?;
    for child in [flag.child, flag.candidate] {
        guard::merge_target(
            &state,
            &who.principal,
            &child.to_string(),
            MergeSide::Duplicate,
            &client,
        )
        .await?;
    }
    let mut tx = state.store().begin().await?;
    match child_record::resolve_duplicate_flag(
        &mut tx,
        &flag.id,
        who.user.id,
        FlagResolution::NotTheSameChild,
    )
    .await
    {
        Err(StoreError::Conflict(_)) => {
            return Err(AppError::Conflict(
                "Someone else has already dealt with this possible duplicate.".into(),
            ));
        }
        other => other?,
    }
    let e = guard::entry(
        &who.principal,
        AuditAction::Change,
        RecordKind::DuplicateFlag,
        Some(flag.id.clone()),
        None,
        &client,
        serde_json::json!({
            "resolution": FlagResolution::NotTheSameChild.code(),
            "child": flag.child.to_string(),
            "candidate": flag.candidate.to_string(),
        }),
    );
    audit::append(&mut tx, &[e]).await?;
    tx.commit().await?;
    Ok(Redirect::to("/children/duplicates").into_response())
}
