//! The background worker that runs beside the web server: it escalates overdue statutory
//! clocks to the owner's manager (R3) and sends the e-mail outbox over SMTP.
//!
//! Each step is a short transaction, so stopping the worker at any point loses nothing: an
//! unfinished escalation is rolled back and done again on the next pass, and an e-mail is
//! marked sent only after the SMTP server accepted it.

use std::time::Duration;

use safehub_mail::{Mailer, Notice as MailNotice};
use safehub_store::audit::{self, RecordKind};
use safehub_store::clocks;
use safehub_store::{AuditAction, AuditOutcome, NewAuditEntry, StoreError};

use crate::AppState;
use crate::front_door::{Notice, tell};

/// How often the worker looks for work.
pub const PASS_EVERY: Duration = Duration::from_secs(30);

/// How many clocks or e-mails one pass takes at a time.
const BATCH: i64 = 200;

/// Escalates every clock overdue at `now` (ms UTC) that has not been escalated yet: the
/// owner's managers are told in-app and by e-mail, and the clock is marked, with an audit
/// entry, in one transaction per clock. Returns how many clocks were escalated.
pub async fn escalate_overdue(state: &AppState, now: i64) -> Result<usize, StoreError> {
    let store = state.store();
    let mut done = 0;
    loop {
        let overdue = store.overdue_unescalated(now, BATCH).await?;
        if overdue.is_empty() {
            return Ok(done);
        }
        for clock in &overdue {
            let managers = store.managers_for(clock).await?;
            let mut tx = store.begin().await?;
            tell(
                state,
                &mut tx,
                &managers,
                Notice::ClockOverdue,
                Some(clock.child),
                "/work",
            )
            .await?;
            clocks::mark_escalated(&mut tx, std::slice::from_ref(&clock.id), now).await?;
            audit::append(
                &mut tx,
                &[NewAuditEntry {
                    actor_user: None,
                    actor_role: "system".to_owned(),
                    actor_agency: None,
                    action: AuditAction::Change,
                    record_kind: RecordKind::Clock,
                    record_id: Some(clock.id.clone()),
                    outcome: AuditOutcome::Allowed,
                    policies: String::new(),
                    client: "worker".to_owned(),
                    detail: serde_json::json!({
                        "child": clock.child.to_string(),
                        "escalated_to": managers.len(),
                        "kind": clock.kind.code(),
                    }),
                }],
            )
            .await?;
            tx.commit().await?;
            done += 1;
        }
        if overdue.len() < usize::try_from(BATCH).unwrap_or(usize::MAX) {
            return Ok(done);
        }
    }
}

/// Sends the e-mails due at `now`. A failure is recorded and retried later with a growing
/// wait; the reason is logged without the address. Returns (sent, failed).
pub async fn send_due_emails(
    state: &AppState,
    mailer: &Mailer,
    now: i64,
) -> Result<(usize, usize), StoreError> {
    let store = state.store();
    let (mut sent, mut failed) = (0, 0);
    for email in store.due_emails(now, BATCH).await? {
        let notice = MailNotice {
            to: email.to.clone(),
            subject: email.subject.clone(),
            body: email.body.clone(),
        };
        match mailer.send(&notice).await {
            Ok(()) => {
                store.email_sent(&email.id, safehub_store::now_ms()).await?;
                sent += 1;
            }
            Err(e) => {
                tracing::warn!(email = %email.id, error = %e, "notification e-mail not sent");
                store
                    .email_failed(&email, &e.to_string(), safehub_store::now_ms())
                    .await?;
                failed += 1;
            }
        }
    }
    Ok((sent, failed))
}

/// Runs the worker until the task is dropped: a pass every [`PASS_EVERY`].
pub async fn run(state: AppState) {
    let mailer = match state.config().smtp.as_ref().map(Mailer::new) {
        Some(Ok(m)) => Some(m),
        Some(Err(e)) => {
            tracing::error!(error = %e, "SMTP settings are not usable; e-mails will wait in the outbox");
            None
        }
        None => None,
    };
    let mut tick = tokio::time::interval(PASS_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let now = safehub_store::now_ms();
        match escalate_overdue(&state, now).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(clocks = n, "overdue clocks escalated"),
            Err(e) => tracing::error!(error = %e, "escalation pass failed"),
        }
        if let Some(mailer) = &mailer {
            match send_due_emails(&state, mailer, now).await {
                Ok((0, 0)) => {}
                Ok((sent, failed)) => tracing::info!(sent, failed, "e-mail pass"),
                Err(e) => tracing::error!(error = %e, "e-mail pass failed"),
            }
        }
    }
}
