//! `safehub demo`: a synthetic West Midlands-style region with seven areas, their agencies,
//! about 170 accounts across every role, and some 3,300 children with three years of the
//! front door's history: screenings, referrals by every route, MASH decisions, statutory
//! clocks and notifications. All names are invented. Every demo account shares one password
//! and one TOTP secret, printed at start, and every page shows a "demo data" banner.

mod history;
mod intelligence;
mod phrases;
mod records;
mod referral;
mod staff;
mod summary;
mod write;

use std::net::SocketAddr;

use anyhow::{Context, Result};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use safehub_auth::SecretString;
use safehub_domain::{
    AgencyId, AgencyKind, AreaId, ChildId, ChildName, Gender, LegalStatus, Role, UserId,
};
use safehub_store::Store;
use safehub_store::children::{self, Child, Involvement};
use safehub_store::organisations::{self, Agency, Area};
use safehub_store::users::{self, NewUser};

use crate::config::Settings;
use records::DemoChild;
use referral::DAY;
use staff::Region;
use summary::Summary;

/// How much front-door history the demo region holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DemoSize {
    /// Children added with full records, besides the region's first 45 per area.
    pub children: usize,
    /// Referrals over the last three years.
    pub referrals: usize,
}

impl DemoSize {
    /// The full demo: about 3,000 more children and 5,000 referrals.
    pub const DEFAULT_CHILDREN: usize = 3_000;

    /// `children` more children, and five referrals for every three of them.
    pub fn with_children(children: usize) -> Self {
        DemoSize {
            children,
            referrals: children * 5 / 3,
        }
    }
}

/// How children and referrals are shared between the areas: Birmingham, the largest
/// authority, half as much again as each of the others.
fn area_weights(areas: usize) -> Vec<(u32, usize)> {
    (0..areas)
        .map(|i| (if i == 0 { 3 } else { 2 }, i))
        .collect()
}

/// One of `choices`, each as likely as its weight.
fn weighted<T: Clone>(rng: &mut StdRng, choices: &[(u32, T)]) -> T {
    let total: u32 = choices.iter().map(|(w, _)| *w).sum();
    let mut roll = rng.gen_range(0..total.max(1));
    for (w, v) in choices {
        if roll < *w {
            return v.clone();
        }
        roll -= w;
    }
    choices[choices.len() - 1].1.clone()
}

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "safehub-demo-password";
/// A demo account that has not yet set up its second factor.
pub const NEW_STARTER: &str = "new.starter@demo.safehub.invalid";
/// The TOTP secret of every demo account (base32).
pub const DEMO_TOTP_SECRET: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

const AREAS: [(&str, &str); 7] = [
    ("BIR", "Birmingham"),
    ("COV", "Coventry"),
    ("DUD", "Dudley"),
    ("SAN", "Sandwell"),
    ("SOL", "Solihull"),
    ("WAL", "Walsall"),
    ("WLV", "Wolverhampton"),
];

const GIVEN: [&str; 24] = [
    "Amara", "Bethany", "Caleb", "Dylan", "Ellie", "Farah", "Grace", "Harvey", "Imani", "Jaden",
    "Kira", "Leon", "Maya", "Nathan", "Olivia", "Priya", "Quinn", "Reece", "Sofia", "Tariq",
    "Umar", "Violet", "Wren", "Zara",
];
const FAMILY: [&str; 24] = [
    "Ashdown",
    "Brightwell",
    "Carrow",
    "Dunmore",
    "Elmstead",
    "Fairholme",
    "Greaves",
    "Hollin",
    "Ivesley",
    "Jarrow",
    "Kettering",
    "Larkin",
    "Merrow",
    "Northey",
    "Oakridge",
    "Pellow",
    "Quarrell",
    "Rushby",
    "Stenning",
    "Tolley",
    "Upward",
    "Vellacott",
    "Winslade",
    "Yardley",
];

/// An agency to create: its name, kind, and how many staff hold each role.
type AgencyPlan = (String, AgencyKind, Vec<(Role, usize)>);

/// Per area: the agencies, and which roles their staff hold.
fn area_agencies(area: &str) -> Vec<AgencyPlan> {
    use Role::*;
    vec![
        (
            format!("{area} Children's Services"),
            AgencyKind::ChildrensServices,
            vec![
                (MashWorker, 3),
                (SocialWorker, 4),
                (TeamManager, 1),
                (LaCseCoordinator, 1),
                (Iro, 1),
                (MeetingChair, 1),
                (CseBusinessOfficer, 1),
                (AgencySpoc, 1),
            ],
        ),
        (
            format!("{area} Community Health Trust"),
            AgencyKind::Health,
            vec![
                (ReferringPractitioner, 1),
                (DesignatedSafeguardingAdviser, 1),
                (AgencySpoc, 1),
            ],
        ),
        (
            format!("{area} Park Academy"),
            AgencyKind::Education,
            vec![
                (ReferringPractitioner, 1),
                (DesignatedSafeguardingAdviser, 1),
            ],
        ),
        (
            format!("{area} Youth Offending Service"),
            AgencyKind::YouthOffending,
            vec![(ReferringPractitioner, 1)],
        ),
        (
            format!("{area} Licensing Service"),
            AgencyKind::Licensing,
            vec![(LicensingSpoc, 1)],
        ),
        (
            format!("{area} Young People's Project"),
            AgencyKind::VoluntarySector,
            vec![(ReferringPractitioner, 1)],
        ),
    ]
}

/// Fills the database, unless it already holds a region.
pub async fn seed(store: &Store, settings: &Settings, size: DemoSize) -> Result<()> {
    if !store.areas().await?.is_empty() {
        tracing::info!("the database already holds a region; leaving it as it is");
        return Ok(());
    }
    let started = std::time::Instant::now();
    let mut rng = StdRng::seed_from_u64(2026);
    let hash = settings
        .password_hasher()?
        .hash(&SecretString::from(DEMO_PASSWORD.to_owned()))?;
    let mut tx = store.begin().await?;
    let mut user_n = 0usize;
    let mut add_user =
        |agency: AgencyId, roles: Vec<Role>, email: Option<&str>, rng: &mut StdRng| {
            user_n += 1;
            let given = GIVEN[rng.gen_range(0..GIVEN.len())];
            let family = FAMILY[rng.gen_range(0..FAMILY.len())];
            NewUser {
                id: UserId::new(),
                email: email.map_or_else(
                    || {
                        format!(
                            "{}.{}.{user_n}@demo.safehub.invalid",
                            given.to_lowercase(),
                            family.to_lowercase()
                        )
                    },
                    str::to_owned,
                ),
                display_name: format!("{given} {family}"),
                agency,
                team: None,
                roles,
                password_hash: hash.clone(),
                is_service_account: false,
            }
        };
    let mut new_users: Vec<NewUser> = Vec::new();
    let areas: Vec<Area> = AREAS
        .iter()
        .map(|(code, name)| Area {
            id: AreaId::new(),
            code: (*code).into(),
            name: (*name).into(),
        })
        .collect();
    for a in &areas {
        organisations::insert_area(&mut tx, a).await?;
    }
    let all_areas: Vec<AreaId> = areas.iter().map(|a| a.id).collect();
    let police = Agency {
        id: AgencyId::new(),
        name: "Midlands Regional Police (demo)".into(),
        kind: AgencyKind::Police,
        areas: all_areas.clone(),
    };
    let partnership = Agency {
        id: AgencyId::new(),
        name: "Regional Safeguarding Partnership".into(),
        kind: AgencyKind::ChildrensServices,
        areas: all_areas.clone(),
    };
    let housing = Agency {
        id: AgencyId::new(),
        name: "Midlands Housing Group".into(),
        kind: AgencyKind::Housing,
        areas: all_areas.clone(),
    };
    for agency in [&police, &partnership, &housing] {
        organisations::insert_agency(&mut tx, agency).await?;
    }
    let mut intelligence_officer = None;
    for (role, n) in [
        (Role::PoliceCseCoordinator, 2),
        (Role::PoliceAnalyst, 3),
        (Role::PoliceIntelligenceOfficer, 3),
        (Role::ReferringPractitioner, 3),
        (Role::AgencySpoc, 1),
    ] {
        for k in 0..n {
            let named = role == Role::PoliceIntelligenceOfficer && k == 0;
            let email = match (role, k) {
                (Role::PoliceIntelligenceOfficer, 0) => Some("intelligence@demo.safehub.invalid"),
                (Role::PoliceAnalyst, 0) => Some("analyst@demo.safehub.invalid"),
                _ => None,
            };
            let user = add_user(police.id, vec![role], email, &mut rng);
            if named {
                intelligence_officer = Some(user.id);
            }
            new_users.push(user);
        }
    }
    new_users.push(add_user(
        partnership.id,
        vec![Role::Administrator],
        Some("admin@demo.safehub.invalid"),
        &mut rng,
    ));
    new_users.push(add_user(
        partnership.id,
        vec![Role::BoardReader],
        Some("board@demo.safehub.invalid"),
        &mut rng,
    ));
    new_users.push(add_user(
        housing.id,
        vec![Role::ReferringPractitioner],
        None,
        &mut rng,
    ));
    // One account that has never signed in, to try second-factor enrolment.
    let new_starter = add_user(
        housing.id,
        vec![Role::ReferringPractitioner],
        Some(NEW_STARTER),
        &mut rng,
    );

    // Children: recorded by an agency of their area, some routed to the MASH, some known to
    // the police, a few with a confidential-investigation restriction.
    let mut per_area = Vec::new();
    for (i, area) in areas.iter().enumerate() {
        let mut ids = Vec::new();
        for (name, kind, staff) in area_agencies(&area.name) {
            let agency = Agency {
                id: AgencyId::new(),
                name,
                kind,
                areas: vec![area.id],
            };
            organisations::insert_agency(&mut tx, &agency).await?;
            for (role, n) in staff {
                for k in 0..n {
                    let email = match (i, role, k) {
                        (0, Role::MashWorker, 0) => Some("mash@demo.safehub.invalid"),
                        (0, Role::ReferringPractitioner, 0) if kind == AgencyKind::Education => {
                            Some("practitioner@demo.safehub.invalid")
                        }
                        (0, Role::SocialWorker, 0) => Some("social.worker@demo.safehub.invalid"),
                        (0, Role::TeamManager, 0) => Some("team.manager@demo.safehub.invalid"),
                        _ => None,
                    };
                    new_users.push(add_user(agency.id, vec![role], email, &mut rng));
                }
            }
            if kind == AgencyKind::ChildrensServices {
                new_users.push(add_user(
                    agency.id,
                    vec![Role::QaAuditor],
                    (i == 0).then_some("auditor@demo.safehub.invalid"),
                    &mut rng,
                ));
            }
            ids.push((agency.id, kind, agency.name));
        }
        per_area.push(ids);
    }
    let demo_creator = new_users[0].id;
    users::insert_user(&mut tx, &new_starter).await?;
    for u in &new_users {
        users::insert_user(&mut tx, u).await?;
        users::begin_totp_enrolment(&mut tx, u.id, DEMO_TOTP_SECRET).await?;
        users::use_totp_step(&mut tx, u.id, 0).await?;
    }
    let region = Region::new(
        &areas
            .iter()
            .map(|a| (a.id, a.name.clone()))
            .collect::<Vec<_>>(),
        &per_area,
        &[
            (police.id, police.kind),
            (partnership.id, partnership.kind),
            (housing.id, housing.kind),
        ],
        &new_users,
    );
    let now = safehub_store::now_ms();
    let today = jiff::Zoned::now().date();
    let mut demo_children = Vec::new();
    for (a, (area, agencies)) in areas.iter().zip(&per_area).enumerate() {
        let cs = agencies[0].0;
        for n in 0..45 {
            let given = GIVEN[rng.gen_range(0..GIVEN.len())];
            let family = FAMILY[rng.gen_range(0..FAMILY.len())];
            let age_days = rng.gen_range(11 * 365..18 * 365);
            let dob = today.checked_sub(jiff::Span::new().days(age_days)).ok();
            let child = Child {
                id: ChildId::new(),
                area: area.id,
                name: ChildName::parse(given, family)?,
                date_of_birth: if n % 9 == 8 { None } else { dob },
                gender: [
                    Gender::Female,
                    Gender::Female,
                    Gender::Male,
                    Gender::NotKnown,
                ][n % 4],
                legal_status: [
                    LegalStatus::None,
                    LegalStatus::ChildInNeed,
                    LegalStatus::ChildProtectionPlan,
                    LegalStatus::LookedAfter,
                    LegalStatus::None,
                ][n % 5],
                // Known to agencies since before the three years of history.
                created_at: now - history::YEARS * 365 * DAY - rng.gen_range(30..400) * DAY,
            };
            let recorder = agencies[1 + n % (agencies.len() - 1)].0;
            children::insert_child(&mut tx, &child, demo_creator, recorder).await?;
            let staff = &region.areas[a];
            let allocated = referral::open_to_childrens_services(child.legal_status)
                .then(|| &staff.social_workers[n % staff.social_workers.len()]);
            if let Some(worker) = allocated {
                // No store function sets the allocated worker yet; the record pages will.
                sqlx::query("UPDATE children SET allocated_worker = $1 WHERE id = $2")
                    .bind(worker.id.to_string())
                    .bind(child.id.to_string())
                    .execute(&mut *tx)
                    .await?;
            }
            demo_children.push(DemoChild {
                id: child.id,
                area: a,
                date_of_birth: child.date_of_birth,
                legal_status: child.legal_status,
                placed_from_elsewhere: false,
                allocated: allocated.map(|w| w.id),
                recorder: staff.referrers[0].1.clone(),
                created_at: Some(child.created_at),
                stored: true,
                record: None,
            });
            if n % 3 != 2 {
                children::add_agency(&mut tx, child.id, cs, Involvement::Routed).await?;
            }
            if n % 4 == 0 {
                children::add_agency(&mut tx, child.id, police.id, Involvement::Involved).await?;
            }
            if n % 15 == 0 {
                children::add_restriction(
                    &mut tx,
                    child.id,
                    "investigation",
                    recorder,
                    "Confidential police investigation (demo)",
                    demo_creator,
                )
                .await?;
                children::add_restriction(
                    &mut tx,
                    child.id,
                    "plans",
                    recorder,
                    "Confidential police investigation (demo)",
                    demo_creator,
                )
                .await?;
            }
        }
    }
    tx.commit().await?;

    // The front door's history: more children, and three years of referrals about them.
    demo_children.extend(records::plan(&mut rng, &region, size.children, today)?);
    let planned = history::plan(&mut rng, &region, &mut demo_children, size.referrals, now)?;
    records::insert(store, &region, &demo_children).await?;
    write::ensure_tool(store).await?;
    write::referrals(store, &planned, now).await?;
    let officer = intelligence_officer.context("the demo has an intelligence officer")?;
    let shared = intelligence::seed(
        store,
        &mut rng,
        &region,
        &demo_children,
        police.id,
        officer,
        now,
    )
    .await?;

    let summary = Summary::of(&region, &planned, now);
    let open_clocks = store.open_clock_count().await?;
    tracing::info!(
        areas = areas.len(),
        users = new_users.len() + 1, // and the new starter
        children = demo_children.len(),
        referrals = planned.len(),
        shared_with_police = shared,
        awaiting_triage = summary.awaiting,
        open_clocks,
        overdue_clocks = summary.overdue,
        seconds = started.elapsed().as_secs_f64(),
        "demo region created"
    );
    summary.print(
        [
            areas.len(),
            new_users.len() + 1,
            demo_children.len(),
            planned.len(),
        ],
        open_clocks,
        started.elapsed().as_secs_f64(),
    );
    Ok(())
}

/// Tells the person who ran `safehub demo` where to go and how to sign in.
pub fn print_welcome(addr: SocketAddr) {
    println!();
    println!("Safehub demo is running at http://{addr}/  (Ctrl+C to stop)");
    println!();
    println!("Sign in as any demo account with:");
    println!("  password:          {DEMO_PASSWORD}");
    println!(
        "  authenticator key: {DEMO_TOTP_SECRET}  (add it to any TOTP app, or run: oathtool --totp -b {DEMO_TOTP_SECRET})"
    );
    println!();
    println!("Accounts to try:");
    println!("  admin@demo.safehub.invalid          administrator (accounts, no child data)");
    println!("  mash@demo.safehub.invalid           MASH worker, Birmingham (the MASH queue)");
    println!(
        "  social.worker@demo.safehub.invalid  social worker, Birmingham (clocks on the work tray)"
    );
    println!("  team.manager@demo.safehub.invalid   team manager, Birmingham");
    println!("  practitioner@demo.safehub.invalid   referring practitioner at a Birmingham school");
    println!("  auditor@demo.safehub.invalid        QA auditor, Birmingham");
    println!(
        "  intelligence@demo.safehub.invalid   police intelligence officer (shared information)"
    );
    println!(
        "  analyst@demo.safehub.invalid        police analyst (subjects, networks, proposed links, hotspots)"
    );
    println!("  board@demo.safehub.invalid          safeguarding board reader");
    println!("  {NEW_STARTER}    has not set up a second factor yet (shows enrolment)");
    println!();
}
