//! Who works where in the demo region, as the seeded history needs them: the MASH and its
//! social workers and managers in each area, the practitioners who screen and refer, and the
//! people each kind of notification goes to.

use std::collections::HashMap;

use safehub_domain::{AgencyId, AgencyKind, AreaId, Role, UserId};
use safehub_store::users::NewUser;

/// One demo account.
#[derive(Clone, Debug)]
pub struct Staff {
    pub id: UserId,
    pub name: String,
    pub email: String,
    pub roles: Vec<Role>,
    pub agency: AgencyId,
    pub agency_kind: AgencyKind,
}

impl Staff {
    fn of(u: &NewUser, kind: AgencyKind) -> Self {
        Staff {
            id: u.id,
            name: u.display_name.clone(),
            email: u.email.clone(),
            roles: u.roles.clone(),
            agency: u.agency,
            agency_kind: kind,
        }
    }

    fn holds(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// The roles as the audit trail records them.
    pub fn role_codes(&self) -> String {
        self.roles
            .iter()
            .map(|r| r.code())
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// One area's people.
#[derive(Clone, Debug)]
pub struct AreaStaff {
    pub id: AreaId,
    pub name: String,
    /// The area's children's services agency, which runs its MASH.
    pub mash: AgencyId,
    /// The area's school (its education agency), for children's records.
    pub school: String,
    pub mash_workers: Vec<Staff>,
    pub social_workers: Vec<Staff>,
    pub team_managers: Vec<Staff>,
    /// LA CSE co-ordinators: told of every child at risk in the area (R2.8).
    pub coordinators: Vec<Staff>,
    /// Practitioners who screen and refer, each with a weight: schools refer most.
    pub referrers: Vec<(u32, Staff)>,
}

/// The whole region's people.
#[derive(Clone, Debug)]
pub struct Region {
    pub areas: Vec<AreaStaff>,
    /// Police officers who send vulnerable person notifications.
    pub police: Vec<Staff>,
    /// Agency SPOCs by agency: a copy of every form from their agency (R2.6).
    pub spocs: HashMap<AgencyId, Vec<Staff>>,
    /// Designated safeguarding advisers by agency, consulted before a screening (WM-12.4).
    pub advisers: HashMap<AgencyId, Vec<Staff>>,
}

/// How often practitioners of each kind of agency refer, relative to one another.
fn referral_weight(kind: AgencyKind) -> u32 {
    match kind {
        AgencyKind::Education => 35,
        AgencyKind::Health => 25,
        AgencyKind::Police => 15,
        AgencyKind::YouthOffending => 10,
        AgencyKind::VoluntarySector => 10,
        AgencyKind::Housing => 5,
        _ => 0,
    }
}

impl Region {
    /// Sorts the demo accounts into the region. `per_area` holds each area's agencies;
    /// `regional` the agencies serving every area (police, partnership, housing).
    pub fn new(
        areas: &[(AreaId, String)],
        per_area: &[Vec<(AgencyId, AgencyKind, String)>],
        regional: &[(AgencyId, AgencyKind)],
        users: &[NewUser],
    ) -> Self {
        let mut kind_of: HashMap<AgencyId, AgencyKind> = regional.iter().copied().collect();
        for agencies in per_area {
            for (id, kind, _) in agencies {
                kind_of.insert(*id, *kind);
            }
        }
        let staff: Vec<Staff> = users
            .iter()
            .filter_map(|u| Some(Staff::of(u, *kind_of.get(&u.agency)?)))
            .collect();
        let practitioner = |s: &Staff| {
            s.holds(Role::ReferringPractitioner) || s.holds(Role::DesignatedSafeguardingAdviser)
        };
        let regional_referrers: Vec<(u32, Staff)> = staff
            .iter()
            .filter(|s| regional.iter().any(|(a, _)| *a == s.agency) && practitioner(s))
            .map(|s| (referral_weight(s.agency_kind), s.clone()))
            .filter(|(w, _)| *w > 0)
            .collect();
        let mut out = Vec::new();
        for ((id, name), agencies) in areas.iter().zip(per_area) {
            let mine: Vec<&Staff> = staff
                .iter()
                .filter(|s| agencies.iter().any(|(a, _, _)| *a == s.agency))
                .collect();
            let cs = agencies
                .iter()
                .find(|(_, k, _)| *k == AgencyKind::ChildrensServices)
                .map_or_else(AgencyId::new, |(a, _, _)| *a);
            let school = agencies
                .iter()
                .find(|(_, k, _)| *k == AgencyKind::Education)
                .map_or_else(String::new, |(_, _, n)| n.clone());
            let with = |role: Role| -> Vec<Staff> {
                mine.iter()
                    .filter(|s| s.agency == cs && s.holds(role))
                    .map(|s| (*s).clone())
                    .collect()
            };
            let mut referrers: Vec<(u32, Staff)> = mine
                .iter()
                .filter(|s| practitioner(s))
                .map(|s| (referral_weight(s.agency_kind), (*s).clone()))
                .filter(|(w, _)| *w > 0)
                .collect();
            referrers.extend(regional_referrers.iter().cloned());
            out.push(AreaStaff {
                id: *id,
                name: name.clone(),
                mash: cs,
                school,
                mash_workers: with(Role::MashWorker),
                social_workers: with(Role::SocialWorker),
                team_managers: with(Role::TeamManager),
                coordinators: with(Role::LaCseCoordinator),
                referrers,
            });
        }
        let by_role = |role: Role| {
            let mut map: HashMap<AgencyId, Vec<Staff>> = HashMap::new();
            for s in staff.iter().filter(|s| s.holds(role)) {
                map.entry(s.agency).or_default().push(s.clone());
            }
            map
        };
        Region {
            areas: out,
            police: staff
                .iter()
                .filter(|s| {
                    s.agency_kind == AgencyKind::Police
                        && (s.holds(Role::ReferringPractitioner)
                            || s.holds(Role::PoliceCseCoordinator))
                })
                .cloned()
                .collect(),
            spocs: by_role(Role::AgencySpoc),
            advisers: by_role(Role::DesignatedSafeguardingAdviser),
        }
    }
}
