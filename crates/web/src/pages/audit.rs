//! The auditor's pages: the recent trail, a check of the whole chain, and "who has seen this
//! child's record, and when". Reading the trail is itself audited.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use safehub_store::AuditAction;
use safehub_store::audit::{AuditView, RecordKind};
use serde::Deserialize;

use super::{london_time, render};
use crate::AppState;
use crate::client::Client;
use crate::error::AppError;
use crate::guard;
use crate::layout::Layout;
use crate::posted::Posted;
use crate::session::SignedIn;

/// A row of an audit table, ready to show.
pub struct Row {
    seq: i64,
    when: String,
    who: String,
    agency: String,
    action: &'static str,
    record: String,
    outcome: &'static str,
    policies: String,
}

fn rows(entries: Vec<AuditView>) -> Vec<Row> {
    entries
        .into_iter()
        .map(|v| Row {
            seq: v.entry.seq,
            when: london_time(v.entry.at),
            who: v
                .actor_name
                .unwrap_or_else(|| v.entry.entry.actor_role.clone()),
            agency: v.agency_name.unwrap_or_default(),
            action: v.entry.entry.action.code(),
            record: format!(
                "{} {}",
                v.entry.entry.record_kind.code(),
                v.entry.entry.record_id.unwrap_or_default()
            ),
            outcome: v.entry.entry.outcome.code(),
            policies: v.entry.entry.policies,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "audit_trail.html")]
struct TrailPage {
    layout: Layout,
    heading: String,
    intro: &'static str,
    rows: Vec<Row>,
    verify: Option<String>,
    show_verify: bool,
    older: Option<i64>,
}

/// Query of the trail page.
#[derive(Deserialize)]
pub struct TrailQuery {
    before: Option<i64>,
}

const PAGE: i64 = 100;

/// GET /audit.
pub async fn trail(
    State(state): State<AppState>,
    who: SignedIn,
    client: Client,
    Query(q): Query<TrailQuery>,
) -> Result<Response, AppError> {
    let decision = guard::read_audit_trail(&state, &who.principal, &client).await?;
    let entries = state.store().recent_audit(None, q.before, PAGE).await?;
    let older = (entries.len() as i64 == PAGE)
        .then(|| entries.last().map(|e| e.entry.seq))
        .flatten();
    let e = guard::entry(
        &who.principal,
        AuditAction::View,
        RecordKind::AuditTrail,
        None,
        Some(&decision),
        &client,
        serde_json::json!({ "before": q.before }),
    );
    state.store().record(e).await?;
    render(&TrailPage {
        layout: who.layout(&state, "Audit trail", "/audit"),
        heading: "Audit trail".into(),
        intro: "Every view, change, export, share and refusal, newest first. Each entry is chained to the one before it, so no entry can be altered or removed unnoticed.",
        rows: rows(entries),
        verify: None,
        show_verify: true,
        older,
    })
}

/// POST /audit/verify: checks the whole chain now.
pub async fn verify(
    State(state): State<AppState>,
    posted: Posted<SignedIn, crate::pages::sign_in::EmptyForm>,
) -> Result<Response, AppError> {
    let Posted { who, client, .. } = posted;
    let decision = guard::read_audit_trail(&state, &who.principal, &client).await?;
    let report = state.store().verify_audit().await?;
    let message = match &report.first_problem {
        None => format!(
            "The audit trail is intact: {} entries checked. Last entry's hash: {}.",
            report.entries, report.head_hash
        ),
        Some((seq, why)) => {
            format!("The audit trail has been tampered with. First bad entry: {seq}. {why}.")
        }
    };
    let e = guard::entry(
        &who.principal,
        AuditAction::Verify,
        RecordKind::AuditTrail,
        None,
        Some(&decision),
        &client,
        serde_json::json!({ "entries": report.entries, "intact": report.is_intact() }),
    );
    state.store().record(e).await?;
    let entries = state.store().recent_audit(None, None, PAGE).await?;
    render(&TrailPage {
        layout: who.layout(&state, "Audit trail", "/audit"),
        heading: "Audit trail".into(),
        intro: "Every view, change, export, share and refusal, newest first.",
        rows: rows(entries),
        verify: Some(message),
        show_verify: true,
        older: None,
    })
}

/// GET /audit/children/{id}: who has seen this child's record, and when, including the
/// duplicate records merged into it.
pub async fn child_access(
    State(state): State<AppState>,
    who: SignedIn,
    client: Client,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let decision = guard::read_audit_trail(&state, &who.principal, &client).await?;
    let child: safehub_domain::ChildId = id.parse().map_err(|_| AppError::NotFound)?;
    let entries = state.store().audit_for_child(child, 500).await?;
    let e = guard::entry(
        &who.principal,
        AuditAction::View,
        RecordKind::AuditTrail,
        Some(child.to_string()),
        Some(&decision),
        &client,
        serde_json::json!({ "about": "child" }),
    );
    state.store().record(e).await?;
    render(&TrailPage {
        layout: who.layout(&state, "Who has seen this record", "/audit"),
        heading: "Who has seen this record".into(),
        intro: "Every opening of this child's record, and every refused attempt, newest first, \
                with those of any duplicate record merged into it (the record column gives \
                which record).",
        rows: rows(entries),
        verify: None,
        show_verify: false,
        older: None,
    })
}
