//! Turning Safehub's facts into the Cedar entities the schema declares.

use std::collections::{HashMap, HashSet};
use std::fmt::Display;
use std::str::FromStr;

use cedar_policy::{Entity, EntityId, EntityTypeName, EntityUid, RestrictedExpression, Schema};
use safehub_domain::{AgencyId, AgencyKind, AreaId, ChildId, Role, UserId};

use crate::{AccessError, Action, ChildFacts, IntelligenceFacts, Principal, Resource, Section};

/// The entity type names of the schema, parsed once.
#[derive(Debug)]
pub(crate) struct Names {
    user: EntityTypeName,
    area: EntityTypeName,
    agency: EntityTypeName,
    child: EntityTypeName,
    section: EntityTypeName,
    intelligence: EntityTypeName,
    user_account: EntityTypeName,
    audit_trail: EntityTypeName,
    action: EntityTypeName,
}

/// An entity could not be built (an attribute did not evaluate). Carries no detail, so that
/// no data of the request can travel on in an error message.
#[derive(Debug)]
pub(crate) struct BuildError;

/// The request's resource and every entity the policies may need to evaluate it.
pub(crate) struct ResourceEntities {
    /// The resource of the request.
    pub(crate) uid: EntityUid,
    /// The resource entity and the entities its attributes point to that policies read.
    pub(crate) entities: Vec<Entity>,
}

fn type_name(name: &str) -> Result<EntityTypeName, AccessError> {
    EntityTypeName::from_str(name).map_err(|_| AccessError::MissingFromSchema(name.to_owned()))
}

impl Names {
    /// Parses the type names and checks that the schema declares every one of them and
    /// every [`Action`], so that a request can only fail for reasons of the data.
    pub(crate) fn for_schema(schema: &Schema) -> Result<Self, AccessError> {
        let names = Names {
            user: type_name("User")?,
            area: type_name("Area")?,
            agency: type_name("Agency")?,
            child: type_name("Child")?,
            section: type_name("Section")?,
            intelligence: type_name("Intelligence")?,
            user_account: type_name("UserAccount")?,
            audit_trail: type_name("AuditTrail")?,
            action: type_name("Action")?,
        };
        let declared: HashSet<&EntityTypeName> = schema.entity_types().collect();
        for ty in [
            &names.user,
            &names.area,
            &names.agency,
            &names.child,
            &names.section,
            &names.intelligence,
            &names.user_account,
            &names.audit_trail,
        ] {
            if !declared.contains(ty) {
                return Err(AccessError::MissingFromSchema(format!("entity type {ty}")));
            }
        }
        let actions: HashSet<&EntityUid> = schema.actions().collect();
        for action in Action::ALL {
            if !actions.contains(&names.action(action)) {
                return Err(AccessError::MissingFromSchema(format!(
                    "action {}",
                    action.code()
                )));
            }
        }
        Ok(names)
    }

    fn uid(ty: &EntityTypeName, id: impl Display) -> EntityUid {
        EntityUid::from_type_name_and_id(ty.clone(), EntityId::new(id.to_string()))
    }

    /// `Action::"View"` and so on.
    pub(crate) fn action(&self, action: Action) -> EntityUid {
        Self::uid(&self.action, action.code())
    }

    fn areas(&self, areas: &[AreaId]) -> RestrictedExpression {
        RestrictedExpression::new_set(
            areas
                .iter()
                .map(|a| RestrictedExpression::new_entity_uid(Self::uid(&self.area, a))),
        )
    }

    fn area(&self, area: AreaId) -> RestrictedExpression {
        RestrictedExpression::new_entity_uid(Self::uid(&self.area, area))
    }

    fn agency(&self, agency: AgencyId) -> RestrictedExpression {
        RestrictedExpression::new_entity_uid(Self::uid(&self.agency, agency))
    }

    fn agencies(&self, agencies: &[AgencyId]) -> RestrictedExpression {
        RestrictedExpression::new_set(agencies.iter().map(|a| self.agency(*a)))
    }

    fn string(s: &str) -> RestrictedExpression {
        RestrictedExpression::new_string(s.to_owned())
    }

    fn entity(
        uid: EntityUid,
        attrs: impl IntoIterator<Item = (&'static str, RestrictedExpression)>,
    ) -> Result<Entity, BuildError> {
        let attrs: HashMap<String, RestrictedExpression> =
            attrs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
        Entity::new(uid, attrs, HashSet::new()).map_err(|_| BuildError)
    }

    /// The `User` entity of the principal.
    pub(crate) fn principal(&self, who: &Principal) -> Result<(EntityUid, Entity), BuildError> {
        let uid = Self::uid(&self.user, who.user);
        let roles = RestrictedExpression::new_set(who.roles.iter().map(|r| Self::string(r.code())));
        let entity = Self::entity(
            uid.clone(),
            [
                ("agency", self.agency(who.agency)),
                ("agency_kind", Self::string(who.agency_kind.code())),
                ("areas", self.areas(&who.areas)),
                ("roles", roles),
            ],
        )?;
        Ok((uid, entity))
    }

    fn child(&self, child: &ChildFacts) -> Result<(EntityUid, Entity), BuildError> {
        let uid = Self::uid(&self.child, child.id);
        let entity = Self::entity(
            uid.clone(),
            [
                ("area", self.area(child.area)),
                ("involved_agencies", self.agencies(&child.involved_agencies)),
                ("routed_to", self.agencies(&child.routed_to)),
            ],
        )?;
        Ok((uid, entity))
    }

    /// The resource entity, and for a section also its child.
    ///
    /// Resources without an id of their own (intelligence, accounts) get a fixed id: the
    /// entities live only for one decision.
    pub(crate) fn resource(&self, what: &Resource) -> Result<ResourceEntities, BuildError> {
        Ok(match what {
            Resource::Child(child) => {
                let (uid, entity) = self.child(child)?;
                ResourceEntities {
                    uid,
                    entities: vec![entity],
                }
            }
            Resource::ChildSection {
                child,
                section,
                hidden_from,
            } => {
                let (child_uid, child_entity) = self.child(child)?;
                let uid = Self::uid(&self.section, format!("{}/{}", child.id, section.code()));
                let entity = Self::entity(
                    uid.clone(),
                    [
                        ("child", RestrictedExpression::new_entity_uid(child_uid)),
                        ("section", Self::string(section.code())),
                        ("hidden_from", self.agencies(hidden_from)),
                    ],
                )?;
                ResourceEntities {
                    uid,
                    entities: vec![entity, child_entity],
                }
            }
            Resource::Intelligence(intel) => {
                let uid = Self::uid(&self.intelligence, "intelligence");
                let entity = Self::entity(
                    uid.clone(),
                    [
                        ("area", self.area(intel.area)),
                        ("shared_with", self.agencies(&intel.shared_with)),
                    ],
                )?;
                ResourceEntities {
                    uid,
                    entities: vec![entity],
                }
            }
            Resource::UserAccount { areas } => {
                let uid = Self::uid(&self.user_account, "account");
                let entity = Self::entity(uid.clone(), [("areas", self.areas(areas))])?;
                ResourceEntities {
                    uid,
                    entities: vec![entity],
                }
            }
            Resource::Area { area } => {
                let uid = Self::uid(&self.area, area);
                ResourceEntities {
                    entities: vec![Self::entity(uid.clone(), [])?],
                    uid,
                }
            }
            Resource::AuditTrail { area } => {
                let uid = Self::uid(&self.audit_trail, area);
                let entity = Self::entity(uid.clone(), [("area", self.area(*area))])?;
                ResourceEntities {
                    uid,
                    entities: vec![entity],
                }
            }
        })
    }

    /// One entity of every kind this crate builds, each attribute filled in (every set
    /// non-empty), for checking once at start-up that what [`Names::principal`] and
    /// [`Names::resource`] build conforms to the schema. The attribute names and types
    /// are fixed by this code, not by the facts, so if these conform, every entity built
    /// later does too, and decisions need not check again.
    pub(crate) fn samples(&self) -> Result<Vec<Entity>, BuildError> {
        let (area, agency) = (AreaId::new(), AgencyId::new());
        let principal = Principal {
            user: UserId::new(),
            agency,
            agency_kind: AgencyKind::ALL[0],
            areas: vec![area],
            roles: Role::ALL.to_vec(),
        };
        let child = ChildFacts {
            id: ChildId::new(),
            area,
            involved_agencies: vec![agency],
            routed_to: vec![agency],
        };
        let resources = [
            Resource::ChildSection {
                child,
                section: Section::Summary,
                hidden_from: vec![agency],
            },
            Resource::Intelligence(IntelligenceFacts {
                area,
                shared_with: vec![agency],
            }),
            Resource::UserAccount { areas: vec![area] },
            Resource::Area { area },
            Resource::AuditTrail { area },
        ];
        let mut all = vec![self.principal(&principal)?.1];
        for what in &resources {
            all.extend(self.resource(what)?.entities);
        }
        Ok(all)
    }
}
