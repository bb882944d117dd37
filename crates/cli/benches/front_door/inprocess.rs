//! Screening submissions in-process: the front door's transaction against the store, with no
//! HTTP in the way.

use std::sync::Arc;
use std::time::{Duration, Instant};

use safehub_access::Principal;
use safehub_domain::pathway::RouteIn;
use safehub_domain::screening::ScreeningTool;
use safehub_domain::{AreaId, ChildId};
use safehub_store::audit::{self, RecordKind};
use safehub_store::screenings;
use safehub_store::{AuditAction, AuditOutcome, NewAuditEntry, Store};
use safehub_web::AppState;
use safehub_web::client::Client;
use safehub_web::front_door::{self, Intake};

use super::Result;
use super::http::Run;
use super::setup::{answers_json, screening};

/// The front door's submission transaction, in-process: `screenings::submit`, then
/// `front_door::receive` (referral, routing, clocks, notifications, its audit entry) and the
/// screening's audit entry, committed; from `tasks` concurrent tasks for `seconds`.
pub(super) async fn inprocess_submissions(
    state: &AppState,
    store: &Store,
    who: &Principal,
    children: &[(ChildId, AreaId)],
    tasks_n: usize,
    seconds: u64,
) -> Result<Run> {
    let tool = ScreeningTool::default_tool()?;
    let answers = Arc::new(answers_json(tool));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let children = Arc::new(children.to_vec());
    let mut tasks = Vec::new();
    let started = Instant::now();
    for t in 0..tasks_n {
        let (state, store, who, children, answers) = (
            state.clone(),
            store.clone(),
            who.clone(),
            children.clone(),
            answers.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0u64;
            let mut i = t * 17;
            while Instant::now() < deadline {
                let (child, area) = children[i % children.len()];
                i += 1;
                let began = Instant::now();
                let now = safehub_store::now_ms();
                let s = screening(tool, &answers, child, (who.user, who.agency), now);
                let result: Result = async {
                    let mut tx = store.begin().await?;
                    let key = uuid::Uuid::now_v7().to_string();
                    screenings::submit(&mut tx, &s, &key).await?;
                    let intake = Intake {
                        child,
                        area,
                        legal_status: safehub_domain::LegalStatus::None,
                        route: RouteIn::AgencyScreening,
                        screening: Some(s.id.clone()),
                        category: s.category,
                        referrer_name: "Bench referrer".to_owned(),
                        referrer_contact: "bench@demo.safehub.invalid".to_owned(),
                        summary: "New older friends, unexplained gifts.".to_owned(),
                        details: "Submitted by the front-door benchmark.".to_owned(),
                        form_key: key,
                    };
                    let client = Client("bench".to_owned());
                    let referral = front_door::receive(&state, &mut tx, &who, &client, intake)
                        .await
                        .map_err(|e| e.to_string())?;
                    audit::append(
                        &mut tx,
                        &[NewAuditEntry {
                            actor_user: Some(who.user.to_string()),
                            actor_role: "referring_practitioner".to_owned(),
                            actor_agency: Some(who.agency.to_string()),
                            action: AuditAction::Change,
                            record_kind: RecordKind::Screening,
                            record_id: Some(s.id.clone()),
                            outcome: AuditOutcome::Allowed,
                            policies: String::new(),
                            client: "bench".to_owned(),
                            detail: serde_json::json!({
                                "child": child.to_string(),
                                "status": "submitted",
                                "referral": referral.id,
                            }),
                        }],
                    )
                    .await?;
                    tx.commit().await?;
                    Ok(())
                }
                .await;
                match result {
                    Ok(()) => latencies.push(began.elapsed()),
                    Err(e) => {
                        errors += 1;
                        if errors == 1 {
                            eprintln!("in-process submission failed: {e}");
                        }
                    }
                }
            }
            (latencies, errors)
        }));
    }
    let mut run = Run {
        label: format!("in-process submit + receive, {tasks_n} tasks"),
        ok: 0,
        errors: 0,
        elapsed: Duration::ZERO,
        latencies: Vec::new(),
        server_cpu: None,
    };
    for t in tasks {
        let (l, e) = t.await?;
        run.latencies.extend(l);
        run.errors += e;
    }
    run.elapsed = started.elapsed();
    run.latencies.sort();
    run.ok = run.latencies.len();
    Ok(run)
}
