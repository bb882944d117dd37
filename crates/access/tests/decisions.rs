//! What a decision says: allowed or not, and which policies made it (for the audit entry).

use safehub_access::{
    AccessError, Action, Authorizer, ChildFacts, IntelligenceFacts, POLICY_SOURCES, Principal,
    Resource, SCHEMA_SOURCE, Section,
};
use safehub_domain::{AgencyId, AgencyKind, AreaId, ChildId, Role, UserId};

fn authorizer() -> Authorizer {
    Authorizer::new().expect("the embedded policies validate")
}

fn user(agency: AgencyId, kind: AgencyKind, area: AreaId, roles: &[Role]) -> Principal {
    Principal {
        user: UserId::new(),
        agency,
        agency_kind: kind,
        areas: vec![area],
        roles: roles.to_vec(),
    }
}

fn child_involving(agency: AgencyId, area: AreaId) -> ChildFacts {
    ChildFacts {
        id: ChildId::new(),
        area,
        involved_agencies: vec![agency],
        routed_to: vec![],
    }
}

#[test]
fn a_denial_by_default_names_no_policy_and_an_allowed_decision_names_its_permit() {
    // Architecture: each decision names the policies that made it, for the audit entry.
    let (agency, area) = (AgencyId::new(), AreaId::new());
    let child = Resource::Child(child_involving(agency, area));

    // R1.3: a board reader sees aggregates only, never a child.
    let reader = user(
        agency,
        AgencyKind::ChildrensServices,
        area,
        &[Role::BoardReader],
    );
    let denied = authorizer().decide(&reader, Action::View, &child);
    assert!(!denied.allowed);
    assert!(denied.policies.is_empty(), "{denied:?}");
    assert_eq!(denied.policy_list(), "");
    assert!(!denied.is_error());

    // R8.1: a social worker whose agency is involved opens the record.
    let worker = user(
        agency,
        AgencyKind::ChildrensServices,
        area,
        &[Role::SocialWorker],
    );
    let allowed = authorizer().decide(&worker, Action::View, &child);
    assert!(allowed.allowed);
    assert_eq!(allowed.policies, ["practitioner-sees-involved-children"]);
    assert_eq!(allowed.policy_list(), "practitioner-sees-involved-children");
}

#[test]
fn policy_list_joins_every_policy_that_allowed_it_with_commas() {
    // R2.9: a MASH worker whose agency the case was routed to is allowed by two policies.
    let (agency, area) = (AgencyId::new(), AreaId::new());
    let mut facts = child_involving(AgencyId::new(), area);
    facts.routed_to.push(agency);
    let mash = user(
        agency,
        AgencyKind::ChildrensServices,
        area,
        &[Role::MashWorker],
    );
    let decision = authorizer().decide(&mash, Action::View, &Resource::Child(facts));
    assert!(decision.allowed);
    assert_eq!(
        decision.policy_list(),
        "mash-worker-sees-children-in-area,practitioner-sees-routed-children"
    );
}

#[test]
fn r8_3_a_hidden_section_is_denied_by_the_forbid_which_the_decision_names() {
    // R8.3 (WM-15.3): a confidential investigation hides the section from the agency, and
    // the forbid overrides the permit the agency's involvement would give.
    let (agency, area) = (AgencyId::new(), AreaId::new());
    let worker = user(
        agency,
        AgencyKind::Health,
        area,
        &[Role::SocialWorker, Role::TeamManager],
    );
    let child = child_involving(agency, area);
    let section = |hidden_from: Vec<AgencyId>| Resource::ChildSection {
        child: child.clone(),
        section: Section::Investigation,
        hidden_from,
    };

    for action in [Action::View, Action::Edit] {
        let open = authorizer().decide(&worker, action, &section(vec![AgencyId::new()]));
        assert!(open.allowed, "{open:?}");

        let hidden = authorizer().decide(&worker, action, &section(vec![agency]));
        assert!(!hidden.allowed);
        assert_eq!(hidden.policies, ["restricted-section-hidden-from-agency"]);
        assert_eq!(
            hidden.policy_list(),
            "restricted-section-hidden-from-agency"
        );
    }
    // The restriction hides the section, not the child: the rest of the record stays open.
    assert!(
        authorizer()
            .decide(&worker, Action::View, &Resource::Child(child.clone()))
            .allowed
    );
}

#[test]
fn r8_2_non_police_intelligence_denial_names_the_police_only_forbid() {
    // R8.2 (WM-25.1): intelligence is police-only unless a grading shares it.
    let (agency, area) = (AgencyId::new(), AreaId::new());
    let nurse = user(agency, AgencyKind::Health, area, &[Role::AgencySpoc]);
    let unshared = Resource::Intelligence(IntelligenceFacts {
        area,
        shared_with: vec![],
    });
    let shared = Resource::Intelligence(IntelligenceFacts {
        area,
        shared_with: vec![agency],
    });
    let denied = authorizer().decide(&nurse, Action::View, &unshared);
    assert_eq!(
        denied.policies,
        ["intelligence-is-police-only-unless-shared"]
    );
    assert!(!denied.allowed);
    let allowed = authorizer().decide(&nurse, Action::View, &shared);
    assert!(allowed.allowed);
    assert_eq!(
        allowed.policies,
        ["practitioner-sees-intelligence-shared-with-agency"]
    );

    // R5.1: a police analyst reads the intelligence of the force's areas.
    let analyst = user(agency, AgencyKind::Police, area, &[Role::PoliceAnalyst]);
    assert!(
        authorizer()
            .decide(&analyst, Action::View, &unshared)
            .allowed
    );
    // ...but a health worker given the analyst role does not.
    let odd = user(agency, AgencyKind::Health, area, &[Role::PoliceAnalyst]);
    assert!(!authorizer().decide(&odd, Action::View, &unshared).allowed);
}

#[test]
fn r1_3_administrator_and_social_worker_gets_the_social_workers_child_rights() {
    // R1.3: the administrator role gives no child data; a second, practitioner role does.
    let (agency, area) = (AgencyId::new(), AreaId::new());
    let child = child_involving(agency, area);
    let section = Resource::ChildSection {
        child: child.clone(),
        section: Section::Summary,
        hidden_from: vec![],
    };
    let child = Resource::Child(child);
    let intelligence = Resource::Intelligence(IntelligenceFacts {
        area,
        shared_with: vec![agency],
    });
    let account = Resource::UserAccount { areas: vec![area] };
    let both = user(
        agency,
        AgencyKind::ChildrensServices,
        area,
        &[Role::Administrator, Role::SocialWorker],
    );
    let admin = user(
        agency,
        AgencyKind::ChildrensServices,
        area,
        &[Role::Administrator],
    );

    for (action, what) in [
        (Action::View, &child),
        (Action::Edit, &child),
        (Action::View, &section),
        (Action::Edit, &section),
        (Action::View, &intelligence),
        (Action::Administer, &account),
    ] {
        let decision = authorizer().decide(&both, action, what);
        assert!(
            decision.allowed,
            "admin + social worker {action:?} {what:?}: {decision:?}"
        );
    }
    assert_eq!(
        authorizer().decide(&both, Action::Edit, &child).policies,
        ["practitioner-sees-involved-children"]
    );

    for action in Action::ALL {
        for what in [&child, &section, &intelligence] {
            let decision = authorizer().decide(&admin, action, what);
            assert!(!decision.allowed, "administrator alone {action:?} {what:?}");
            assert!(decision.policies.is_empty());
        }
    }
    let decision = authorizer().decide(&admin, Action::Administer, &account);
    assert!(decision.allowed);
    assert_eq!(
        decision.policies,
        ["administrator-administers-accounts-in-area"]
    );
}

#[test]
fn an_action_that_does_not_apply_to_the_resource_is_denied_by_default() {
    // Restrict applies to a child, Administer to accounts: anything else is a plain denial.
    let (agency, area) = (AgencyId::new(), AreaId::new());
    let manager = user(
        agency,
        AgencyKind::ChildrensServices,
        area,
        &[Role::TeamManager, Role::Administrator, Role::QaAuditor],
    );
    let child = child_involving(agency, area);
    for (action, what) in [
        (Action::Administer, Resource::Child(child.clone())),
        (
            Action::Restrict,
            Resource::ChildSection {
                child,
                section: Section::Plans,
                hidden_from: vec![],
            },
        ),
        (Action::Edit, Resource::AuditTrail { area }),
        (Action::View, Resource::UserAccount { areas: vec![area] }),
    ] {
        let decision = authorizer().decide(&manager, action, &what);
        assert!(!decision.allowed, "{action:?} {what:?}");
        assert!(decision.policies.is_empty(), "{decision:?}");
    }
}

#[test]
fn an_internal_error_is_a_denial_naming_the_error_without_personal_data() {
    // A forbid whose evaluation fails (the sum overflows a Long): Cedar would skip it and
    // let the permit through, so the decision must instead be a denial naming the failure.
    const OVERFLOWING: &str = r#"
        @id("forbid-that-overflows")
        forbid (principal, action == Action::"View", resource is Child)
        when { principal.roles.contains("social_worker") && 9223372036854775807 + 1 > 0 };
    "#;
    let mut sources = POLICY_SOURCES.to_vec();
    sources.push(("overflowing.cedar", OVERFLOWING));
    let broken = Authorizer::from_sources(SCHEMA_SOURCE, &sources).expect("policies validate");
    let (agency, area) = (AgencyId::new(), AreaId::new());
    let worker = user(
        agency,
        AgencyKind::ChildrensServices,
        area,
        &[Role::SocialWorker],
    );
    let facts = child_involving(agency, area);
    let child_id = facts.id.to_string();
    assert!(
        authorizer()
            .decide(&worker, Action::View, &Resource::Child(facts.clone()))
            .allowed,
        "without the broken forbid the worker may view the child"
    );
    let decision = broken.decide(&worker, Action::View, &Resource::Child(facts));
    assert!(!decision.allowed);
    assert!(decision.is_error());
    assert_eq!(
        decision.policies,
        ["error: policy evaluation failed in forbid-that-overflows"]
    );
    for id in [worker.user.to_string(), agency.to_string(), child_id] {
        assert!(
            !decision.policy_list().contains(&id),
            "no identifiers in {decision:?}"
        );
    }
}

#[test]
fn a_schema_the_built_entities_do_not_conform_to_is_refused_at_start_up() {
    // A schema that wants a fact the entities never carry: refused when loading, so that no
    // decision has to check the entities against the schema again.
    let schema = SCHEMA_SOURCE.replace(
        "  roles: Set<String>,",
        "  roles: Set<String>,\n  pin: Long,",
    );
    assert_ne!(schema, SCHEMA_SOURCE);
    let refused = Authorizer::from_sources(&schema, POLICY_SOURCES)
        .expect_err("entities without `pin` do not conform");
    assert!(
        matches!(refused, AccessError::EntitiesDoNotConform(_)),
        "{refused:?}"
    );
    assert!(refused.to_string().contains("pin"), "{refused}");
}

#[test]
fn deciding_several_resources_at_once_agrees_with_deciding_each() {
    use safehub_access::{Action, Authorizer, ChildFacts, Principal, Resource, Section};
    use safehub_domain::{AgencyId, AgencyKind, AreaId, ChildId, Role, UserId};
    let access = Authorizer::new().expect("policies load");
    let (area, agency, other) = (AreaId::new(), AgencyId::new(), AgencyId::new());
    let child = ChildFacts {
        id: ChildId::new(),
        area,
        involved_agencies: vec![agency],
        routed_to: vec![],
    };
    for role in Role::ALL {
        let who = Principal {
            user: UserId::new(),
            agency,
            agency_kind: AgencyKind::Education,
            areas: vec![area],
            roles: vec![role],
        };
        let mut whats = vec![Resource::Child(child.clone())];
        for (i, section) in Section::ALL.into_iter().enumerate() {
            // R8.3: alternate sections are hidden from the principal's agency.
            let hidden_from = if i % 2 == 0 {
                vec![agency]
            } else {
                vec![other]
            };
            whats.push(Resource::ChildSection {
                child: child.clone(),
                section,
                hidden_from,
            });
        }
        whats.push(Resource::AuditTrail { area });
        for action in Action::ALL {
            let together = access.decide_all(&who, action, &whats);
            let apart: Vec<_> = whats
                .iter()
                .map(|w| access.decide(&who, action, w))
                .collect();
            assert_eq!(together, apart, "{role:?} {action:?}");
        }
    }
}

#[test]
fn a_teacher_records_a_child_in_their_area_but_only_the_mash_merges_records_r2_1() {
    // R2.1: any practitioner records a child in an area their agency serves; R2.9: merging
    // duplicate records is for the MASH, team managers and the LA CSE co-ordinator.
    let (agency, area, elsewhere) = (AgencyId::new(), AreaId::new(), AreaId::new());
    let teacher = user(
        agency,
        AgencyKind::Education,
        area,
        &[Role::ReferringPractitioner],
    );
    let mash = user(
        agency,
        AgencyKind::ChildrensServices,
        area,
        &[Role::MashWorker],
    );
    let here = Resource::Area { area };
    let there = Resource::Area { area: elsewhere };
    let recorded = authorizer().decide(&teacher, Action::Record, &here);
    assert!(recorded.allowed);
    assert_eq!(recorded.policies, ["practitioner-records-child-in-area"]);
    assert!(
        !authorizer()
            .decide(&teacher, Action::Record, &there)
            .allowed
    );

    let child = Resource::Child(child_involving(agency, area));
    assert!(!authorizer().decide(&teacher, Action::Merge, &child).allowed);
    let merged = authorizer().decide(&mash, Action::Merge, &child);
    assert!(merged.allowed);
    assert_eq!(
        merged.policies,
        ["mash-managers-and-coordinator-merge-children-in-area"]
    );
    let other_area = Resource::Child(child_involving(agency, elsewhere));
    assert!(
        !authorizer()
            .decide(&mash, Action::Merge, &other_area)
            .allowed
    );
}
