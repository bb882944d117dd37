//! One referral's life in the demo's history, planned by the same rules as the front door
//! (`safehub_web::front_door`): the screening and its category, the referral, the clocks it
//! starts, the MASH decision and the clocks that starts and ends, the work done (or not) by
//! each clock's owner, the escalation of every clock that ran late, and who was told what.
//! Nothing here touches the database; [`super::write`] stores the result.

use std::collections::{BTreeSet, HashMap};

use anyhow::Result;
use rand::Rng;
use rand::rngs::StdRng;
use safehub_domain::pathway::{self, ClockKind, ReferralStatus, RouteIn};
use safehub_domain::screening::{Indicator, ScreeningTool};
use safehub_domain::{AgencyId, ChildId, LegalStatus, UserId, WorkingCalendar};
use safehub_store::audit::RecordKind;
use safehub_store::clocks::Clock;
use safehub_store::notifications::Notification;
use safehub_store::referrals::{Referral, TriageDecision};
use safehub_store::screenings::{Screening, ScreeningStatus};
use safehub_store::{AuditAction, AuditOutcome, NewAuditEntry};
use safehub_web::front_door::Notice;

use super::phrases::{self, pick};
use super::records::DemoChild;
use super::staff::{Region, Staff};
use super::{FAMILY, GIVEN, weighted};

pub const MINUTE: i64 = 60_000;
pub const HOUR: i64 = 60 * MINUTE;
pub const DAY: i64 = 24 * HOUR;

/// A referral ready to store, with everything that followed it.
pub struct Planned {
    /// The submitted screening it carries, and its form's one-off key.
    pub screening: Option<(Screening, String)>,
    pub referral: Referral,
    pub form_key: String,
    pub decision: Option<TriageDecision>,
    /// Each clock as it stands now: its final owner, and when and how it ended or was
    /// escalated, if it was.
    pub clocks: Vec<Clock>,
    pub notifications: Vec<Notification>,
    /// The audit entries the same steps write in the running system, oldest event first.
    pub audit: Vec<NewAuditEntry>,
}

/// A time-ordered id (UUID v7) for something that happened at `ms`, with random bits from
/// the seeded generator, like the ids the running system gives.
pub fn id_at(rng: &mut StdRng, ms: i64) -> String {
    let mut bytes = [0u8; 10];
    rng.fill(&mut bytes);
    uuid::Builder::from_unix_timestamp_millis(u64::try_from(ms).unwrap_or(0), &bytes)
        .into_uuid()
        .to_string()
}

fn london_day(ms: i64) -> jiff::civil::Date {
    jiff::Timestamp::from_millisecond(ms).map_or_else(
        |_| jiff::civil::date(2026, 1, 1),
        safehub_domain::london_date,
    )
}

/// Plans referrals with the front door's rules.
pub struct Planner<'a> {
    pub region: &'a Region,
    pub tool: &'static ScreeningTool,
    pub calendar: WorkingCalendar,
    pub now: i64,
    by_level: [Vec<&'static Indicator>; 3],
    staff: HashMap<UserId, Staff>,
    /// Birmingham's first social worker (social.worker@), who is behind with some recent
    /// work, so that the demo's tray shows overdue time limits.
    behind: Option<UserId>,
}

impl<'a> Planner<'a> {
    pub fn new(region: &'a Region, tool: &'static ScreeningTool, now: i64) -> Self {
        let mut by_level: [Vec<&'static Indicator>; 3] = Default::default();
        for i in tool.indicators() {
            by_level[usize::from(i.points_to().number() - 1)].push(i);
        }
        let mut staff = HashMap::new();
        for a in &region.areas {
            for s in a.social_workers.iter().chain(&a.team_managers) {
                staff.insert(s.id, s.clone());
            }
        }
        Planner {
            region,
            tool,
            calendar: WorkingCalendar::england_and_wales(),
            now,
            by_level,
            staff,
            behind: region
                .areas
                .first()
                .and_then(|a| a.social_workers.first())
                .map(|w| w.id),
        }
    }
}

impl Planner<'_> {
    /// Plans one referral of `child` received at `at` by `route`. `first` says whether it
    /// is the child's first referral (the practitioner who recorded the child then refers).
    pub fn plan(
        &self,
        rng: &mut StdRng,
        child: &DemoChild,
        route: RouteIn,
        at: i64,
        first: bool,
    ) -> Result<Planned> {
        let area = &self.region.areas[child.area];
        let referral_id = id_at(rng, at);
        let (referrer, referrer_name, referrer_contact, summary) = match route {
            RouteIn::AgencyScreening => {
                let s = if first
                    && area
                        .referrers
                        .iter()
                        .any(|(_, r)| r.id == child.recorder.id)
                {
                    child.recorder.clone()
                } else {
                    weighted(rng, &area.referrers)
                };
                let (name, email) = (s.name.clone(), s.email.clone());
                (s, name, email, pick(rng, &phrases::SUMMARIES_SCREENING))
            }
            RouteIn::PoliceNotification => {
                let s = self.region.police[rng.gen_range(0..self.region.police.len())].clone();
                let (name, email) = (s.name.clone(), s.email.clone());
                (s, name, email, pick(rng, &phrases::SUMMARIES_POLICE))
            }
            RouteIn::PlacingAuthority => {
                let s = area.mash_workers[rng.gen_range(0..area.mash_workers.len())].clone();
                let authority = child
                    .record
                    .as_ref()
                    .and_then(|r| r.fields.details.placing_authority.clone())
                    .unwrap_or_else(|| phrases::PLACING_AUTHORITIES[0].to_owned());
                let slug: String = authority
                    .split_whitespace()
                    .next()
                    .unwrap_or("council")
                    .to_lowercase();
                let name = format!("{} {}, {authority}", pick(rng, &GIVEN), pick(rng, &FAMILY));
                let contact = format!("duty.team@{slug}.example.invalid");
                (s, name, contact, pick(rng, &phrases::SUMMARIES_PLACING))
            }
            RouteIn::ParentOrCarer => {
                let s = weighted(rng, &area.referrers);
                let name = format!(
                    "{} {} ({})",
                    pick(rng, &GIVEN),
                    pick(rng, &FAMILY),
                    pick(rng, &phrases::RELATIONSHIPS)
                );
                let contact = format!(
                    "{} {} {}, {}",
                    rng.gen_range(1..220),
                    pick(rng, &phrases::STREETS),
                    pick(rng, &phrases::STREET_KINDS),
                    area.name
                );
                (s, name, contact, pick(rng, &phrases::SUMMARIES_PARENT))
            }
        };
        let (screening, details) = if route == RouteIn::AgencyScreening {
            let (s, details) = self.screening(rng, child, &referrer, at)?;
            (Some((s, id_at(rng, at))), details)
        } else {
            (None, pick(rng, &phrases::DETAILS_OTHER).to_owned())
        };
        let category = screening.as_ref().and_then(|(s, _)| s.category);
        let referral = Referral {
            id: referral_id.clone(),
            child: child.id,
            area: area.id,
            route,
            screening: screening.as_ref().map(|(s, _)| s.id.clone()),
            category,
            received_at: at,
            referrer_user: referrer.id,
            referrer_agency: referrer.agency,
            referrer_name,
            referrer_contact,
            mash_agency: area.mash,
            summary: summary.to_owned(),
            details,
            status: ReferralStatus::AwaitingTriage,
            version: 1,
        };
        let mut story = Story::default();
        let link = format!("/children/{}", child.id);
        // Received (front_door::receive): the co-ordinator hears of every child at risk, the
        // SPOC gets a copy of every form from their agency, an allocated worker is told.
        if category.is_some() {
            story.tell(
                rng,
                &area.coordinators,
                Notice::ChildAtRisk,
                child.id,
                &link,
                at,
            );
        }
        if screening.is_some() {
            let spocs = self.region.spocs.get(&referrer.agency).cloned();
            let spocs = spocs.unwrap_or_default();
            story.tell(rng, &spocs, Notice::FormFromYourAgency, child.id, &link, at);
        }
        if pathway::pathway_for(category, child.legal_status) == pathway::Pathway::AllocatedWorker {
            if let Some(w) = child.allocated.and_then(|w| self.staff.get(&w)) {
                let w = [w.clone()];
                story.tell(
                    rng,
                    &w,
                    Notice::ContactForAllocatedWorker,
                    child.id,
                    &link,
                    at,
                );
            }
        }
        story.audit(
            at,
            entry(
                &referrer,
                AuditAction::Create,
                RecordKind::Referral,
                &referral.id,
                serde_json::json!({
                    "child": child.id.to_string(),
                    "route": route.code(),
                    "category": category,
                    "screening": referral.screening,
                }),
            ),
        );
        if let Some((s, _)) = &screening {
            story.audit(
                at,
                entry(
                    &referrer,
                    AuditAction::Change,
                    RecordKind::Screening,
                    &s.id,
                    serde_json::json!({
                        "child": child.id.to_string(),
                        "status": ScreeningStatus::Submitted.code(),
                        "tool_version": s.tool_version,
                        "proposed_category": s.proposed_category,
                        "category": s.category,
                        "category_changed": s.category != s.proposed_category,
                        "referral": referral.id,
                    }),
                ),
            );
        }
        let mut clocks = Vec::new();
        for kind in pathway::clocks_on_referral(category) {
            clocks.push(self.clock(rng, *kind, child.id, &referral.id, at, (area.mash, None))?);
        }
        let decision = match self.decided_at(rng, at, category) {
            Some(decided_at) => Some(self.decide(
                rng,
                child,
                area,
                &referral,
                &referrer,
                decided_at,
                &mut clocks,
                &mut story,
            )?),
            None => None,
        };
        self.escalate(rng, area, child.id, &mut clocks, &mut story);
        story.events.sort_by_key(|(at, _)| *at);
        Ok(Planned {
            screening,
            form_key: id_at(rng, at),
            referral,
            decision,
            clocks,
            notifications: story.told,
            audit: story.events.into_iter().map(|(_, e)| e).collect(),
        })
    }

    /// A clock of `kind` counted from `from`, as `front_door` starts one.
    fn clock(
        &self,
        rng: &mut StdRng,
        kind: ClockKind,
        child: ChildId,
        referral: &str,
        from: i64,
        owner: (AgencyId, Option<UserId>),
    ) -> Result<Clock> {
        let due = pathway::due(
            &self.calendar,
            kind,
            jiff::Timestamp::from_millisecond(from)?,
        )?;
        Ok(Clock {
            id: id_at(rng, from),
            kind,
            child,
            referral: Some(referral.to_owned()),
            started_at: from,
            due_at: due.at.as_millisecond(),
            due_day: due.day.to_string(),
            owner_agency: owner.0,
            owner_team: None,
            owner_user: owner.1,
            ended_at: None,
            ended_how: None,
            escalated_at: None,
        })
    }

    /// When the MASH decided, or `None` while the referral still awaits triage. Referrals of
    /// the last four weeks are partly still in the queue, the newest most often.
    fn decided_at(&self, rng: &mut StdRng, at: i64, category: Option<u8>) -> Option<i64> {
        let age = self.now - at;
        if age < 10 * MINUTE {
            return None;
        }
        if age < 28 * DAY {
            let waiting = (1.3 * (1.0 - age as f64 / (28 * DAY) as f64)).clamp(0.0, 1.0);
            if rng.gen_bool(waiting) {
                return None;
            }
        }
        // Category 3 is decided the same day, mostly; the rest within a few working days.
        let delay = match (category, rng.gen_range(0..100)) {
            (Some(3), 0..85) | (_, 0..45) => rng.gen_range(30 * MINUTE..4 * HOUR),
            (Some(3), _) => rng.gen_range(4 * HOUR..20 * HOUR),
            (_, 45..85) => rng.gen_range(18 * HOUR..48 * HOUR),
            _ => rng.gen_range(48 * HOUR..144 * HOUR),
        };
        let latest = age - 5 * MINUTE;
        Some(at + if delay < latest { delay } else { latest / 2 })
    }
}

/// What happened around one referral: who was told, and the audit entries.
#[derive(Default)]
pub struct Story {
    pub told: Vec<Notification>,
    pub events: Vec<(i64, NewAuditEntry)>,
}

impl Story {
    /// Tells each person once, as `front_door::tell` does (in-app only: the demo sends no
    /// e-mail).
    pub fn tell(
        &mut self,
        rng: &mut StdRng,
        to: &[Staff],
        notice: Notice,
        child: ChildId,
        link: &str,
        at: i64,
    ) {
        let mut seen = BTreeSet::new();
        for s in to {
            if seen.insert(s.id) {
                self.told.push(Notification {
                    id: id_at(rng, at),
                    user: s.id,
                    what: notice.code().to_owned(),
                    child: Some(child),
                    link: link.to_owned(),
                    created_at: at,
                    read_at: None,
                });
            }
        }
    }

    pub fn audit(&mut self, at: i64, e: NewAuditEntry) {
        self.events.push((at, e));
    }
}

/// An audit entry for something a demo account did, as `guard::entry` writes it. The client
/// is `cli`: the entry was written by `safehub demo`, at the time it was seeded.
pub fn entry(
    who: &Staff,
    action: AuditAction,
    kind: RecordKind,
    id: &str,
    detail: serde_json::Value,
) -> NewAuditEntry {
    NewAuditEntry {
        actor_user: Some(who.id.to_string()),
        actor_role: who.role_codes(),
        actor_agency: Some(who.agency.to_string()),
        action,
        record_kind: kind,
        record_id: Some(id.to_owned()),
        outcome: AuditOutcome::Allowed,
        policies: String::new(),
        client: "cli".to_owned(),
        detail,
    }
}

/// Whether a child is open to children's services.
pub fn open_to_childrens_services(status: LegalStatus) -> bool {
    matches!(
        status,
        LegalStatus::ChildInNeed | LegalStatus::ChildProtectionPlan | LegalStatus::LookedAfter
    )
}

mod decision;
mod screening;
