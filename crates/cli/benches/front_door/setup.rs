//! The front-door benchmark's data: the demo region as the benchmark needs it, and the
//! referrals and clocks added in bulk until 100,000 clocks are open.

use std::process::Command;

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use safehub_domain::pathway::{
    self, ClockKind, ReferralStatus, RouteIn, SignsOfSafety, TriageOutcome,
};
use safehub_domain::screening::ScreeningTool;
use safehub_domain::{AgencyId, AgencyKind, AreaId, ChildId, Role, UserId, WorkingCalendar};
use safehub_store::Store;
use safehub_store::children::{self, Involvement};
use safehub_store::clocks::{self, Clock};
use safehub_store::referrals::{self, Referral, TriageDecision};
use safehub_store::screenings::{self, Screening, ScreeningStatus};

use super::{DAY, Result};

/// One area of the demo region, as the bench needs it.
pub(super) struct Area {
    pub(super) id: AreaId,
    pub(super) mash: AgencyId,
    pub(super) mash_workers: Vec<(UserId, String)>,
    /// Social workers and team managers: the people who lead cases.
    pub(super) leads: Vec<(UserId, String)>,
    pub(super) referrers: Vec<(UserId, AgencyId)>,
    pub(super) children: Vec<ChildId>,
}

/// The areas of the demo region with their MASH, its people and the area's children.
pub(super) async fn load_region(store: &Store) -> Result<Vec<Area>> {
    let mut out = Vec::new();
    for a in store.areas().await? {
        let mash = store.mash_agency_for(a.id).await?.ok_or("no MASH")?;
        let users = store.users_in_areas(&[a.id]).await?;
        let in_mash = |role: Role| {
            users
                .iter()
                .filter(|u| u.agency == mash && u.roles.contains(&role))
                .map(|u| (u.id, u.email.clone()))
                .collect::<Vec<_>>()
        };
        let mut leads = in_mash(Role::SocialWorker);
        leads.extend(in_mash(Role::TeamManager));
        let referrers = users
            .iter()
            .filter(|u| u.roles.contains(&Role::ReferringPractitioner) && !u.is_service_account)
            .map(|u| (u.id, u.agency))
            .collect();
        let children = store
            .candidate_children(mash, &[a.id], 100_000)
            .await?
            .into_iter()
            .filter(|(c, _)| c.area == a.id)
            .map(|(c, _)| c.id)
            .collect();
        out.push(Area {
            id: a.id,
            mash,
            mash_workers: in_mash(Role::MashWorker),
            leads,
            referrers,
            children,
        });
    }
    Ok(out)
}

/// Answers to the screening tool that propose category 2: two indicators pointing to it.
pub(super) fn answers_json(tool: &ScreeningTool) -> String {
    let mut answers = serde_json::Map::new();
    for i in tool
        .indicators()
        .filter(|i| i.points_to().number() == 2)
        .take(2)
    {
        answers.insert(
            i.code().to_owned(),
            serde_json::json!({"answer": "yes", "evidence": "Seen by school staff; recorded in the safeguarding log."}),
        );
    }
    for i in tool
        .indicators()
        .filter(|i| i.points_to().number() == 1)
        .take(4)
    {
        answers.insert(
            i.code().to_owned(),
            serde_json::json!({"answer": "no", "evidence": ""}),
        );
    }
    serde_json::Value::Object(answers).to_string()
}

/// A submitted screening of `child` by `by` (user, agency) at `at`, proposing category 2.
pub(super) fn screening(
    tool: &ScreeningTool,
    answers: &str,
    child: ChildId,
    by: (UserId, AgencyId),
    at: i64,
) -> Screening {
    Screening {
        id: uuid::Uuid::now_v7().to_string(),
        child,
        tool_version: tool.version().to_owned(),
        agency: by.1,
        created_by: by.0,
        created_at: at - 600_000,
        updated_at: at,
        status: ScreeningStatus::Draft,
        answers: answers.to_owned(),
        signs_not_words: "Withdrawn and tired in lessons.".to_owned(),
        proposed_category: Some(2),
        category: Some(2),
        category_reason: String::new(),
        adviser_consulted: "Designated safeguarding adviser".to_owned(),
        adviser_consulted_on: None,
        submitted_at: Some(at),
    }
}

/// Adds `referrals` referrals, each with a submitted screening and a discussion and a MASE
/// clock: `queue_per_mash` in each MASH still awaiting triage (clocks owned by the MASH),
/// the rest decided with a lead worker who owns both clocks. Clocks already overdue are
/// marked escalated, as the worker would have done, so that it sits idle during the run.
/// Audit entries are left out: this is load, not history.
pub(super) async fn add_open_clocks(
    store: &Store,
    areas: &[Area],
    referrals_n: usize,
    queue_per_mash: usize,
) -> Result<()> {
    let tool = ScreeningTool::default_tool()?;
    let answers = answers_json(tool);
    let calendar = WorkingCalendar::england_and_wales();
    let mut rng = StdRng::seed_from_u64(7);
    let now = safehub_store::now_ms();
    let mut awaiting_left: Vec<usize> = areas.iter().map(|_| queue_per_mash).collect();
    let mut tx = store.begin().await?;
    for k in 0..referrals_n {
        let ai = k % areas.len();
        let area = &areas[ai];
        let awaiting = awaiting_left[ai] > 0;
        if awaiting {
            awaiting_left[ai] -= 1;
        }
        let child = *area.children.choose(&mut rng).ok_or("no children")?;
        let by = *area.referrers.choose(&mut rng).ok_or("no referrers")?;
        let at = now
            - rng.gen_range(if awaiting {
                600_000..10 * DAY
            } else {
                DAY..20 * DAY
            });
        let s = screening(tool, &answers, child, by, at);
        screenings::submit(&mut tx, &s, &uuid::Uuid::now_v7().to_string()).await?;
        let r = Referral {
            id: uuid::Uuid::now_v7().to_string(),
            child,
            area: area.id,
            route: RouteIn::AgencyScreening,
            screening: Some(s.id.clone()),
            category: Some(2),
            received_at: at,
            referrer_user: by.0,
            referrer_agency: by.1,
            referrer_name: "Bench referrer".to_owned(),
            referrer_contact: "bench@demo.safehub.invalid".to_owned(),
            mash_agency: area.mash,
            summary: "New older friends, unexplained gifts and a second phone.".to_owned(),
            details: "Added by the front-door benchmark.".to_owned(),
            status: ReferralStatus::AwaitingTriage,
            version: 1,
        };
        referrals::insert_referral(&mut tx, &r, &uuid::Uuid::now_v7().to_string()).await?;
        children::add_agency(&mut tx, child, area.mash, Involvement::Routed).await?;
        let lead = if awaiting {
            None
        } else {
            let decided_at = at + rng.gen_range(3_600_000..DAY / 2);
            let lead = area.leads.choose(&mut rng).map(|l| l.0);
            let d = TriageDecision {
                id: uuid::Uuid::now_v7().to_string(),
                referral: r.id.clone(),
                decided_by: area.mash_workers[0].0,
                decided_at,
                agency_checks: "{}".to_owned(),
                signs_of_safety: SignsOfSafety {
                    worries: "Repeated missing episodes.".to_owned(),
                    working_well: "Protective parents.".to_owned(),
                    needs_to_happen: "Multi-agency discussion.".to_owned(),
                    scale: 4,
                },
                outcome: TriageOutcome::Discussion,
                reasons: "Threshold met.".to_owned(),
                interventions: String::new(),
                monitoring: String::new(),
                routed_team: None,
                lead_worker: lead,
                referrer_told_at: Some(decided_at),
            };
            referrals::decide(&mut tx, 1, &d).await?;
            lead
        };
        for kind in [ClockKind::Discussion, ClockKind::Mase] {
            let due = pathway::due(&calendar, kind, jiff::Timestamp::from_millisecond(at)?)?;
            let c = Clock {
                id: uuid::Uuid::now_v7().to_string(),
                kind,
                child,
                referral: Some(r.id.clone()),
                started_at: at,
                due_at: due.at.as_millisecond(),
                due_day: due.day.to_string(),
                owner_agency: area.mash,
                owner_team: None,
                owner_user: lead,
                ended_at: None,
                ended_how: None,
                escalated_at: None,
            };
            clocks::start(&mut tx, &c).await?;
            if c.due_at < now {
                clocks::mark_escalated(&mut tx, std::slice::from_ref(&c.id), c.due_at + 60_000)
                    .await?;
            }
        }
        if k % 5_000 == 4_999 {
            tx.commit().await?;
            tx = store.begin().await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// A service account of the Birmingham school with a `screenings:write` token, made with
/// the administrators' commands; its agency, and the children that agency works with.
pub(super) async fn api_account(
    bin: &str,
    url: &str,
    store: &Store,
    area: &Area,
) -> Result<(String, Vec<ChildId>)> {
    let school = store
        .agencies()
        .await?
        .into_iter()
        .find(|a| a.kind == AgencyKind::Education && a.areas == [area.id])
        .ok_or("no school")?;
    let email = "bench.feed@demo.safehub.invalid";
    let add = Command::new(bin)
        .args([
            "user",
            "add",
            "--email",
            email,
            "--name",
            "School records feed",
            "--agency",
        ])
        .arg(&school.name)
        .args(["--role", "referring_practitioner", "--service-account"])
        .env("SAFEHUB_DATABASE_URL", url)
        .output()?;
    if !add.status.success() {
        return Err(String::from_utf8_lossy(&add.stderr).into_owned().into());
    }
    let token = Command::new(bin)
        .args([
            "user",
            "token",
            email,
            "--name",
            "bench",
            "--scope",
            "screenings:write",
        ])
        .env("SAFEHUB_DATABASE_URL", url)
        .output()?;
    let out = String::from_utf8_lossy(&token.stdout).into_owned();
    let token = out
        .split_whitespace()
        .find(|w| w.starts_with("shp_"))
        .ok_or_else(|| format!("no token in {out:?}"))?
        .to_owned();
    let children = store
        .candidate_children(school.id, &[], 10_000)
        .await?
        .into_iter()
        .filter(|(_, f)| f.involved.contains(&school.id))
        .map(|(c, _)| c.id)
        .collect();
    Ok((token, children))
}
