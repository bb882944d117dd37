//! The MASH decision on a planned referral and what followed it: the clocks it ends and
//! starts (`front_door::decide`), the work each clock's owner did, and the escalation of
//! every clock that ran past its time limit (`worker::escalate_overdue`).

use anyhow::Result;
use rand::Rng;
use rand::rngs::StdRng;
use safehub_domain::ChildId;
use safehub_domain::pathway::{self, ClockEnd, ClockKind, SignsOfSafety, TriageOutcome};
use safehub_store::audit::RecordKind;
use safehub_store::clocks::Clock;
use safehub_store::referrals::{Referral, TriageDecision};
use safehub_store::{AuditAction, AuditOutcome, NewAuditEntry};
use safehub_web::front_door::Notice;

use super::super::phrases::{self, pick};
use super::super::records::DemoChild;
use super::super::staff::{AreaStaff, Staff};
use super::super::weighted;
use super::{DAY, HOUR, MINUTE, Planner, Story, entry, id_at, open_to_childrens_services};

/// The outcome a MASH worker is likely to choose for this category (R2.9).
fn outcome(rng: &mut StdRng, category: Option<u8>, open: bool) -> TriageOutcome {
    use TriageOutcome::*;
    if open && rng.gen_bool(0.6) {
        return KnownToChildrensServices;
    }
    let choices: &[(u32, TriageOutcome)] = match category {
        Some(3) => &[
            (55, StrategyDiscussion),
            (25, Discussion),
            (12, Assessment),
            (8, ChildInNeed),
        ],
        Some(2) => &[
            (12, StrategyDiscussion),
            (38, Discussion),
            (22, Assessment),
            (13, ChildInNeed),
            (8, EarlyHelp),
            (7, NoCseConcern),
        ],
        Some(_) => &[
            (3, StrategyDiscussion),
            (10, Discussion),
            (10, Assessment),
            (5, ChildInNeed),
            (52, EarlyHelp),
            (20, NoCseConcern),
        ],
        None => &[
            (5, StrategyDiscussion),
            (20, Discussion),
            (15, Assessment),
            (5, ChildInNeed),
            (25, EarlyHelp),
            (30, NoCseConcern),
        ],
    };
    weighted(rng, choices)
}

/// The Signs of Safety scale: 0 is certain harm, 10 safe enough to close.
fn scale(rng: &mut StdRng, outcome: TriageOutcome, category: Option<u8>) -> u8 {
    match (outcome, category) {
        (TriageOutcome::NoCseConcern, _) => rng.gen_range(7..=9),
        (TriageOutcome::EarlyHelp, _) => rng.gen_range(5..=8),
        (_, Some(3)) => rng.gen_range(1..=4),
        (_, Some(2)) => rng.gen_range(2..=6),
        _ => rng.gen_range(3..=7),
    }
}

fn one(rng: &mut StdRng, people: &[Staff]) -> Option<Staff> {
    (!people.is_empty()).then(|| people[rng.gen_range(0..people.len())].clone())
}

/// A social worker to lead a case: the first of each area's (the CSE specialist, in
/// Birmingham social.worker@) takes a larger share.
fn social_worker(rng: &mut StdRng, area: &AreaStaff) -> Option<Staff> {
    if rng.gen_bool(0.35) {
        area.social_workers.first().cloned()
    } else {
        one(rng, &area.social_workers)
    }
}

impl Planner<'_> {
    /// The decision at `decided_at`, with its clock changes, notices and audit entries.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn decide(
        &self,
        rng: &mut StdRng,
        child: &DemoChild,
        area: &AreaStaff,
        referral: &Referral,
        referrer: &Staff,
        decided_at: i64,
        clocks: &mut Vec<Clock>,
        story: &mut Story,
    ) -> Result<TriageDecision> {
        let outcome = outcome(
            rng,
            referral.category,
            open_to_childrens_services(child.legal_status),
        );
        let lead: Option<Staff> = match outcome {
            TriageOutcome::NoCseConcern => None,
            TriageOutcome::KnownToChildrensServices => child
                .allocated
                .and_then(|w| self.staff.get(&w).cloned())
                .or_else(|| social_worker(rng, area)),
            TriageOutcome::EarlyHelp if rng.gen_bool(0.2) => one(rng, &area.team_managers),
            TriageOutcome::EarlyHelp => social_worker(rng, area),
            _ => match rng.gen_range(0..10) {
                0 => None,
                1 => one(rng, &area.team_managers),
                _ => social_worker(rng, area),
            },
        };
        let decider = one(rng, &area.mash_workers).unwrap_or_else(|| referrer.clone());
        let no_concern = outcome == TriageOutcome::NoCseConcern;
        let checks = serde_json::json!({
            "police": pick(rng, &phrases::CHECKS_POLICE),
            "health": pick(rng, &phrases::CHECKS_HEALTH),
            "education": pick(rng, &phrases::CHECKS_EDUCATION),
            "other": "",
        });
        let decision = TriageDecision {
            id: id_at(rng, decided_at),
            referral: referral.id.clone(),
            decided_by: decider.id,
            decided_at,
            agency_checks: checks.to_string(),
            signs_of_safety: SignsOfSafety {
                worries: pick(rng, &phrases::WORRIES).to_owned(),
                working_well: pick(rng, &phrases::WORKING_WELL).to_owned(),
                needs_to_happen: pick(rng, &phrases::NEEDS_TO_HAPPEN).to_owned(),
                scale: scale(rng, outcome, referral.category),
            },
            outcome,
            reasons: pick(rng, &phrases::REASONS).to_owned(),
            interventions: if no_concern {
                pick(rng, &phrases::INTERVENTIONS).to_owned()
            } else {
                String::new()
            },
            monitoring: if no_concern {
                pick(rng, &phrases::MONITORING).to_owned()
            } else {
                String::new()
            },
            routed_team: None,
            lead_worker: lead.as_ref().map(|l| l.id),
            referrer_told_at: Some(decided_at),
        };

        // The clocks, as front_door::decide changes them.
        let changes = pathway::clock_changes(outcome);
        for c in clocks.iter_mut().filter(|c| c.ended_at.is_none()) {
            if changes.end_as_not_needed.contains(&c.kind) {
                c.ended_at = Some(decided_at);
                c.ended_how = Some(ClockEnd::NotNeeded);
            } else {
                c.owner_user = decision.lead_worker;
            }
        }
        for kind in &changes.start {
            if clocks.iter().any(|c| c.kind == *kind) {
                continue;
            }
            let from = if *kind == ClockKind::EarlyHelpReview {
                decided_at
            } else {
                referral.received_at
            };
            let owner = (area.mash, decision.lead_worker);
            clocks.push(self.clock(rng, *kind, child.id, &referral.id, from, owner)?);
        }

        // The work each open clock asked for: mostly in time, sometimes late, and not yet
        // done where that time is still to come.
        for c in clocks.iter_mut().filter(|c| c.ended_at.is_none()) {
            let start = c.started_at.max(decided_at);
            // The 24-hour strategy discussion is almost always held in time.
            let in_time = if c.kind == ClockKind::StrategyDiscussion {
                0.92
            } else {
                0.85
            };
            let on_time = start < c.due_at && rng.gen_bool(in_time);
            let done_at = match (on_time, c.kind) {
                (true, ClockKind::EarlyHelpReview) => {
                    (c.due_at - rng.gen_range(0..14 * DAY)).max(start + HOUR)
                }
                (true, _) => start + ((c.due_at - start) as f64 * rng.gen_range(0.15..1.0)) as i64,
                (false, _) => c.due_at.max(start) + rng.gen_range(HOUR..12 * DAY),
            };
            let recently_due = c.due_at < self.now && c.due_at > self.now - 21 * DAY;
            let behind = c.owner_user.is_some()
                && c.owner_user == self.behind
                && recently_due
                && rng.gen_bool(0.2);
            if done_at < self.now - MINUTE && !behind {
                c.ended_at = Some(done_at);
                c.ended_how = Some(ClockEnd::Done);
                let by = lead
                    .clone()
                    .or_else(|| one(rng, &area.team_managers))
                    .unwrap_or_else(|| decider.clone());
                story.audit(
                    done_at,
                    entry(
                        &by,
                        AuditAction::Change,
                        RecordKind::Clock,
                        &c.id,
                        serde_json::json!({
                            "child": child.id.to_string(),
                            "kind": c.kind.code(),
                            "ended": ClockEnd::Done.code(),
                        }),
                    ),
                );
            }
        }

        // Who was told (front_door::decide).
        let letter = format!("/mash/referrals/{}/letter", referral.id);
        let me = [referrer.clone()];
        story.tell(
            rng,
            &me,
            Notice::OutcomeOfYourReferral,
            child.id,
            &letter,
            decided_at,
        );
        if no_concern {
            let spocs = self
                .region
                .spocs
                .get(&referral.referrer_agency)
                .cloned()
                .unwrap_or_default();
            story.tell(
                rng,
                &spocs,
                Notice::ReturnedToSpoc,
                child.id,
                &letter,
                decided_at,
            );
        }
        if let Some(l) = &lead {
            let link = format!("/children/{}", child.id);
            let l = [l.clone()];
            story.tell(rng, &l, Notice::CaseAllocated, child.id, &link, decided_at);
        }
        story.audit(
            decided_at,
            entry(
                &decider,
                AuditAction::Change,
                RecordKind::Referral,
                &referral.id,
                serde_json::json!({
                    "child": child.id.to_string(),
                    "decision": decision.id,
                    "outcome": outcome.code(),
                    "scale": decision.signs_of_safety.scale,
                }),
            ),
        );
        Ok(decision)
    }

    /// Every clock that was still open after its time limit was escalated by the worker
    /// within a minute or so: the owner's managers told, the clock marked, a system entry.
    pub(super) fn escalate(
        &self,
        rng: &mut StdRng,
        area: &AreaStaff,
        child: ChildId,
        clocks: &mut [Clock],
        story: &mut Story,
    ) {
        for c in clocks.iter_mut() {
            let until = c.ended_at.unwrap_or(self.now);
            let at = c.due_at + rng.gen_range(20_000..90_000);
            if at > until || at > self.now {
                continue;
            }
            c.escalated_at = Some(at);
            story.tell(
                rng,
                &area.team_managers,
                Notice::ClockOverdue,
                child,
                "/work",
                at,
            );
            story.audit(
                at,
                NewAuditEntry {
                    actor_user: None,
                    actor_role: "system".to_owned(),
                    actor_agency: None,
                    action: AuditAction::Change,
                    record_kind: RecordKind::Clock,
                    record_id: Some(c.id.clone()),
                    outcome: AuditOutcome::Allowed,
                    policies: String::new(),
                    client: "worker".to_owned(),
                    detail: serde_json::json!({
                        "child": child.to_string(),
                        "escalated_to": area.team_managers.len(),
                        "kind": c.kind.code(),
                    }),
                },
            );
        }
    }
}
