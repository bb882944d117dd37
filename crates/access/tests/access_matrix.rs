//! The access matrix: every role (alone and in telling combinations), in every kind of agency,
//! against every kind of resource in the situations the rules distinguish, for every action.
//!
//! The expected outcome comes from [`expected`], a plain-Rust restatement of the access rules
//! written without Cedar; the test fails on any difference from [`Authorizer::decide`]. When
//! you change a policy, change [`expected`] to match the rule you meant.

use safehub_access::{
    Action, Authorizer, ChildFacts, IntelligenceFacts, Principal, Resource, Section,
};
use safehub_domain::{AgencyId, AgencyKind, AreaId, ChildId, Role, UserId};

/// Roles that give a practitioner's access to the children their agency works with: every
/// role except board_reader, administrator, qa_auditor and the two police intelligence roles.
const PRACTITIONER_ROLES: [Role; 12] = [
    Role::ReferringPractitioner,
    Role::DesignatedSafeguardingAdviser,
    Role::AgencySpoc,
    Role::MashWorker,
    Role::SocialWorker,
    Role::TeamManager,
    Role::LaCseCoordinator,
    Role::PoliceCseCoordinator,
    Role::CseBusinessOfficer,
    Role::LicensingSpoc,
    Role::Iro,
    Role::MeetingChair,
];

const SECTION_FORBID: &str = "restricted-section-hidden-from-agency";
const INTELLIGENCE_FORBID: &str = "intelligence-is-police-only-unless-shared";

/// 23 role sets x 8 agency kinds.
const EXPECTED_PRINCIPALS: usize = 184;
/// 5 children + 5 x 4 sections x 3 restrictions + 6 intelligence + 4 accounts + 2 trails
/// + 2 areas.
const EXPECTED_RESOURCES: usize = 79;
/// Principals x resources x 7 actions.
const EXPECTED_DECISIONS: usize = 101_752;

/// What the rules say, in plain Rust. Independent of the Cedar policies on purpose.
fn expected(p: &Principal, action: Action, what: &Resource) -> bool {
    let has = |role: Role| p.roles.contains(&role);
    let practitioner = p.roles.iter().any(|r| PRACTITIONER_ROLES.contains(r));
    let police = p.agency_kind == AgencyKind::Police;
    let serves = |area: &AreaId| p.areas.contains(area);
    let involved = |c: &ChildFacts| c.involved_agencies.contains(&p.agency);
    let works_on = |c: &ChildFacts| involved(c) || c.routed_to.contains(&p.agency);

    let may_view_child = |c: &ChildFacts| {
        // R1.3, R8.1: practitioners see children their agency is involved with or was
        // routed (R2.8, R2.9).
        (practitioner && works_on(c))
            // R2.9: MASH receives every form: any child in their areas.
            || (has(Role::MashWorker) && serves(&c.area))
            // R2.8: the LA CSE co-ordinator is notified of every child at risk.
            || (has(Role::LaCseCoordinator) && serves(&c.area))
            // R2.8: the police CSE co-ordinator, in the areas their force serves.
            || (has(Role::PoliceCseCoordinator) && police && serves(&c.area))
            // R3.4, R7.5: the QA auditor reads the case files of their areas.
            || (has(Role::QaAuditor) && serves(&c.area))
            // R5.2: police analysts and intelligence officers see involved children only.
            || ((has(Role::PoliceAnalyst) || has(Role::PoliceIntelligenceOfficer)) && involved(c))
    };
    // Only practitioners change a record, and only one their agency works on; area-wide
    // reading (MASH, co-ordinators, QA) never gives editing.
    let may_edit_child = |c: &ChildFacts| practitioner && works_on(c);
    // R8.3: a team manager or co-ordinator restricts a child that role lets them see.
    let may_restrict = |c: &ChildFacts| {
        (has(Role::TeamManager) && works_on(c))
            || (has(Role::LaCseCoordinator) && (works_on(c) || serves(&c.area)))
            || (has(Role::PoliceCseCoordinator) && (works_on(c) || (police && serves(&c.area))))
    };

    // R2.1, R2.9: the MASH, team managers and the LA CSE co-ordinator merge duplicate records
    // of the children of their areas (the enforcement point also asks View of both records).
    let may_merge = |c: &ChildFacts| {
        (has(Role::MashWorker) || has(Role::TeamManager) || has(Role::LaCseCoordinator))
            && serves(&c.area)
    };

    match (what, action) {
        (Resource::Child(c), Action::View) => may_view_child(c),
        (Resource::Child(c), Action::Merge) => may_merge(c),
        // R2.1: any practitioner records a child, in an area their agency serves.
        (Resource::Area { area }, Action::Record) => practitioner && serves(area),
        // R5.1: any practitioner shares information with the police about an area their
        // agency serves.
        (Resource::Area { area }, Action::Share) => practitioner && serves(area),
        (Resource::Child(c), Action::Edit) => may_edit_child(c),
        (Resource::Child(c), Action::Restrict) => may_restrict(c),
        // R8.3: a section hidden from the agency is closed to it whatever else holds.
        (
            Resource::ChildSection {
                child, hidden_from, ..
            },
            Action::View,
        ) => !hidden_from.contains(&p.agency) && may_view_child(child),
        (
            Resource::ChildSection {
                child, hidden_from, ..
            },
            Action::Edit,
        ) => !hidden_from.contains(&p.agency) && may_edit_child(child),
        (Resource::Intelligence(i), Action::View) => {
            let shared = i.shared_with.contains(&p.agency);
            // R5.1, R5.2: police intelligence roles of a police force, in their areas.
            let police_reader = police
                && (has(Role::PoliceAnalyst) || has(Role::PoliceIntelligenceOfficer))
                && serves(&i.area);
            // R8.2: practitioners of an agency the grading shared it with.
            let shared_reader = practitioner && shared;
            // R8.2: police-only unless shared.
            (police || shared) && (police_reader || shared_reader)
        }
        // R1.3: administrators manage the accounts of their areas.
        (Resource::UserAccount { areas }, Action::Administer) => {
            has(Role::Administrator) && areas.iter().any(serves)
        }
        // R3.4: the QA auditor reads the audit trail of their areas.
        (Resource::AuditTrail { area }, Action::View) => has(Role::QaAuditor) && serves(area),
        // Default deny: board readers, administrators' child access, any other action.
        _ => false,
    }
}

/// The forbid policies that must be named when the answer is a denial.
fn expected_forbids(p: &Principal, action: Action, what: &Resource) -> Vec<String> {
    match (what, action) {
        (Resource::ChildSection { hidden_from, .. }, Action::View | Action::Edit)
            if hidden_from.contains(&p.agency) =>
        {
            vec![SECTION_FORBID.to_owned()]
        }
        (Resource::Intelligence(i), Action::View)
            if p.agency_kind != AgencyKind::Police && !i.shared_with.contains(&p.agency) =>
        {
            vec![INTELLIGENCE_FORBID.to_owned()]
        }
        _ => Vec::new(),
    }
}

struct World {
    agency: AgencyId,
    other: AgencyId,
    north: AreaId,
    south: AreaId,
}

fn role_sets() -> Vec<Vec<Role>> {
    let mut sets: Vec<Vec<Role>> = Role::ALL.iter().map(|r| vec![*r]).collect();
    sets.extend([
        // Rights come from each role: the practitioner role brings child access.
        vec![Role::Administrator, Role::SocialWorker],
        vec![Role::BoardReader, Role::SocialWorker],
        vec![Role::QaAuditor, Role::SocialWorker],
        // Restrict comes with the manager's own access, not with what the QA role reads.
        vec![Role::TeamManager, Role::QaAuditor],
        vec![Role::PoliceAnalyst, Role::TeamManager],
        // No roles at all: nothing.
        vec![],
    ]);
    sets
}

fn principals(w: &World) -> Vec<(String, Principal)> {
    let mut out = Vec::new();
    for roles in role_sets() {
        for kind in AgencyKind::ALL {
            let codes: Vec<&str> = roles.iter().map(|r| r.code()).collect();
            out.push((
                format!("[{}] in {}", codes.join("+"), kind.code()),
                Principal {
                    user: UserId::new(),
                    agency: w.agency,
                    agency_kind: kind,
                    areas: vec![w.north],
                    roles: roles.clone(),
                },
            ));
        }
    }
    out
}

fn child(area: AreaId, involved: Vec<AgencyId>, routed: Vec<AgencyId>) -> ChildFacts {
    ChildFacts {
        id: ChildId::new(),
        area,
        involved_agencies: involved,
        routed_to: routed,
    }
}

fn resources(w: &World) -> Vec<(String, Resource)> {
    let children = [
        (
            "child involved, own area",
            child(w.north, vec![w.agency, w.other], vec![]),
        ),
        (
            "child routed to agency, own area",
            child(w.north, vec![w.other], vec![w.agency]),
        ),
        (
            "child in own area, not involved",
            child(w.north, vec![w.other], vec![w.other]),
        ),
        (
            "child in other area, not involved",
            child(w.south, vec![w.other], vec![]),
        ),
        // R1.1: a cross-border child the agency works with.
        (
            "child involved, other area",
            child(w.south, vec![w.agency], vec![]),
        ),
    ];
    let mut out: Vec<(String, Resource)> = Vec::new();
    for (label, c) in &children {
        out.push(((*label).to_owned(), Resource::Child(c.clone())));
    }
    for (label, c) in &children {
        for section in Section::ALL {
            for (restriction, hidden_from) in [
                ("unrestricted", vec![]),
                ("hidden from another agency", vec![w.other]),
                ("hidden from own agency", vec![w.other, w.agency]),
            ] {
                out.push((
                    format!("{label}: {} section, {restriction}", section.code()),
                    Resource::ChildSection {
                        child: c.clone(),
                        section,
                        hidden_from,
                    },
                ));
            }
        }
    }
    for (area_label, area) in [("own area", w.north), ("other area", w.south)] {
        for (share_label, shared_with) in [
            ("not shared", vec![]),
            ("shared with another agency", vec![w.other]),
            ("shared with own agency", vec![w.agency]),
        ] {
            out.push((
                format!("intelligence, {area_label}, {share_label}"),
                Resource::Intelligence(IntelligenceFacts { area, shared_with }),
            ));
        }
    }
    for (label, areas) in [
        ("account in own area", vec![w.north]),
        ("account in other area", vec![w.south]),
        ("account in both areas", vec![w.south, w.north]),
        ("account with no area", vec![]),
    ] {
        out.push((label.to_owned(), Resource::UserAccount { areas }));
    }
    out.push((
        "audit trail of own area".to_owned(),
        Resource::AuditTrail { area: w.north },
    ));
    out.push((
        "audit trail of other area".to_owned(),
        Resource::AuditTrail { area: w.south },
    ));
    out.push((
        "new child in own area".to_owned(),
        Resource::Area { area: w.north },
    ));
    out.push((
        "new child in other area".to_owned(),
        Resource::Area { area: w.south },
    ));
    out
}

#[test]
fn access_matrix_every_role_every_resource_every_action_matches_the_rules() {
    // R1.3 (roles), R2.1 (recording and merging children), R2.8, R2.9 (co-ordinator and
    // MASH), R3.4 (QA), R5.1, R5.2, R8.1, R8.2 (intelligence police-only unless shared), R8.3
    // (restricted sections).
    let authorizer = Authorizer::new().expect("the embedded policies validate");
    let world = World {
        agency: AgencyId::new(),
        other: AgencyId::new(),
        north: AreaId::new(),
        south: AreaId::new(),
    };
    let principals = principals(&world);
    let resources = resources(&world);
    assert_eq!(principals.len(), EXPECTED_PRINCIPALS);
    assert_eq!(resources.len(), EXPECTED_RESOURCES);

    let forbids = [SECTION_FORBID, INTELLIGENCE_FORBID];
    let mut checked = 0usize;
    let mut allowed = 0usize;
    let mut failures = Vec::new();
    for (who_label, who) in &principals {
        for (what_label, what) in &resources {
            for action in Action::ALL {
                checked += 1;
                let decision = authorizer.decide(who, action, what);
                let want = expected(who, action, what);
                let problem = if decision.allowed != want {
                    Some(format!("expected allowed={want}, got {decision:?}"))
                } else if decision.is_error() {
                    Some(format!("internal error: {decision:?}"))
                } else if want {
                    allowed += 1;
                    // An allowed decision names the permits that allowed it.
                    if decision.policies.is_empty()
                        || decision
                            .policies
                            .iter()
                            .any(|p| forbids.contains(&p.as_str()))
                    {
                        Some(format!("allowed without naming a permit: {decision:?}"))
                    } else {
                        None
                    }
                } else {
                    // A denial names exactly the forbids that apply; otherwise it is a
                    // denial by default and names nothing.
                    let want_forbids = expected_forbids(who, action, what);
                    (decision.policies != want_forbids).then(|| {
                        format!(
                            "denied naming {:?}, expected {want_forbids:?}",
                            decision.policies
                        )
                    })
                };
                if let Some(problem) = problem {
                    failures.push(format!("{who_label} {action:?} {what_label}: {problem}"));
                }
            }
        }
    }

    eprintln!("access matrix: {checked} decisions checked, {allowed} allowed");
    assert!(
        failures.is_empty(),
        "{} of {checked} decisions differ from the rules, e.g.:\n{}",
        failures.len(),
        failures
            .iter()
            .take(25)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert_eq!(checked, EXPECTED_DECISIONS, "the matrix must not shrink");
    assert_eq!(
        checked,
        EXPECTED_PRINCIPALS * EXPECTED_RESOURCES * Action::ALL.len()
    );
    assert!(allowed > 0 && allowed < checked);
}
