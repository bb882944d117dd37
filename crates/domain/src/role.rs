//! The roles the procedures name (R1.3). A user holds one or more roles within their agency;
//! what each role may see and do is decided by the access policies, not here.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::ParseError;

/// A role named by the documents (R1.3), plus the system administrator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A practitioner in any agency who spots signs and completes the screening tool.
    ReferringPractitioner,
    /// The agency's designated safeguarding adviser (DSL), consulted before referring (WM-12.1).
    DesignatedSafeguardingAdviser,
    /// The agency's CSE single point of contact, who receives a copy of every form (S: pathway).
    AgencySpoc,
    /// A worker in the Multi-Agency Safeguarding Hub who triages contacts.
    MashWorker,
    /// A social worker, usually the lead professional for the child's plan (WM-15.8).
    SocialWorker,
    /// A team manager who oversees workers and receives escalations.
    TeamManager,
    /// The local authority's CSE co-ordinator, notified of every child at risk (WM-9, WM-12.6).
    LaCseCoordinator,
    /// The police CSE co-ordinator (WM-9).
    PoliceCseCoordinator,
    /// A police intelligence analyst.
    PoliceAnalyst,
    /// A police intelligence officer who grades submitted intelligence (3x5x2).
    PoliceIntelligenceOfficer,
    /// The CSE business officer or analyst who supports the MACSE panel (S: MACSE).
    CseBusinessOfficer,
    /// The licensing service's CSE single point of contact (S: licensed premises).
    LicensingSpoc,
    /// An Independent Reviewing Officer for a looked after child (WM-18.3).
    Iro,
    /// The chair of MASE meetings or the MACSE panel (WM-15.1, WM-27.5).
    MeetingChair,
    /// A quality assurance auditor who audits case files (S: QA sub group).
    QaAuditor,
    /// A safeguarding board or DCS reader of reports (S: reporting); sees no child records.
    BoardReader,
    /// A system administrator: manages accounts and organisations, sees no child data.
    Administrator,
}

impl Role {
    /// Every role, in the order screens list them.
    pub const ALL: [Role; 17] = [
        Role::ReferringPractitioner,
        Role::DesignatedSafeguardingAdviser,
        Role::AgencySpoc,
        Role::MashWorker,
        Role::SocialWorker,
        Role::TeamManager,
        Role::LaCseCoordinator,
        Role::PoliceCseCoordinator,
        Role::PoliceAnalyst,
        Role::PoliceIntelligenceOfficer,
        Role::CseBusinessOfficer,
        Role::LicensingSpoc,
        Role::Iro,
        Role::MeetingChair,
        Role::QaAuditor,
        Role::BoardReader,
        Role::Administrator,
    ];

    /// The stable machine name used in storage, policies and the API.
    pub const fn code(self) -> &'static str {
        match self {
            Role::ReferringPractitioner => "referring_practitioner",
            Role::DesignatedSafeguardingAdviser => "designated_safeguarding_adviser",
            Role::AgencySpoc => "agency_spoc",
            Role::MashWorker => "mash_worker",
            Role::SocialWorker => "social_worker",
            Role::TeamManager => "team_manager",
            Role::LaCseCoordinator => "la_cse_coordinator",
            Role::PoliceCseCoordinator => "police_cse_coordinator",
            Role::PoliceAnalyst => "police_analyst",
            Role::PoliceIntelligenceOfficer => "police_intelligence_officer",
            Role::CseBusinessOfficer => "cse_business_officer",
            Role::LicensingSpoc => "licensing_spoc",
            Role::Iro => "iro",
            Role::MeetingChair => "meeting_chair",
            Role::QaAuditor => "qa_auditor",
            Role::BoardReader => "board_reader",
            Role::Administrator => "administrator",
        }
    }

    /// The label practitioners read on screen.
    pub const fn label(self) -> &'static str {
        match self {
            Role::ReferringPractitioner => "Referring practitioner",
            Role::DesignatedSafeguardingAdviser => "Designated safeguarding adviser",
            Role::AgencySpoc => "Agency CSE SPOC",
            Role::MashWorker => "MASH worker",
            Role::SocialWorker => "Social worker",
            Role::TeamManager => "Team manager",
            Role::LaCseCoordinator => "LA CSE co-ordinator",
            Role::PoliceCseCoordinator => "Police CSE co-ordinator",
            Role::PoliceAnalyst => "Police analyst",
            Role::PoliceIntelligenceOfficer => "Police intelligence officer",
            Role::CseBusinessOfficer => "CSE business officer",
            Role::LicensingSpoc => "Licensing CSE SPOC",
            Role::Iro => "Independent reviewing officer",
            Role::MeetingChair => "Meeting chair",
            Role::QaAuditor => "QA auditor",
            Role::BoardReader => "Safeguarding board reader",
            Role::Administrator => "Administrator",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

impl FromStr for Role {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.code() == s)
            .ok_or_else(|| ParseError {
                what: "role",
                value: s.to_owned(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_of_r1_3_round_trips_and_codes_are_unique() {
        // R1.3
        let mut codes: Vec<_> = Role::ALL.iter().map(|r| r.code()).collect();
        for role in Role::ALL {
            assert_eq!(role.code().parse::<Role>(), Ok(role));
        }
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), Role::ALL.len());
    }
}
