//! What every page's frame needs: title, banner, navigation, the signed-in user and the form
//! errors shown in the GOV.UK error summary.

use safehub_domain::Role;

/// One link in the service navigation.
#[derive(Clone, Debug)]
pub struct NavItem {
    /// Where it goes.
    pub href: &'static str,
    /// What it says.
    pub label: &'static str,
    /// Whether it is the current section.
    pub active: bool,
}

/// A form field's error: the field's id (for the summary link) and the message.
#[derive(Clone, Debug)]
pub struct FieldError {
    /// The id of the input to link to.
    pub field: std::borrow::Cow<'static, str>,
    /// The message, written for the user.
    pub message: String,
}

/// The page frame.
#[derive(Clone, Debug, Default)]
pub struct Layout {
    /// The page title (without the service name).
    pub title: String,
    /// Show the demo data banner.
    pub demo: bool,
    /// The signed-in user's name and agency, if any.
    pub user: Option<(String, String)>,
    /// The CSRF token for the sign-out form.
    pub csrf: String,
    /// The service navigation.
    pub nav: Vec<NavItem>,
    /// Errors to summarise at the top of the page.
    pub errors: Vec<FieldError>,
}

impl Layout {
    /// A frame with no user (sign-in and error pages).
    pub fn bare(title: &str) -> Self {
        Layout {
            title: title.to_owned(),
            ..Layout::default()
        }
    }

    /// The message for one field, if it has an error.
    pub fn error_for(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }

    /// Adds an error.
    pub fn error(
        &mut self,
        field: impl Into<std::borrow::Cow<'static, str>>,
        message: impl Into<String>,
    ) {
        self.errors.push(FieldError {
            field: field.into(),
            message: message.into(),
        });
    }

    /// True when the form has errors (the title then starts "Error: ").
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }
}

/// Roles that complete screenings (everyone who works with children, not the oversight roles).
const PRACTITIONER: [Role; 12] = [
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

/// The sections of the service a user's roles give them, in the navigation.
pub fn navigation(roles: &[Role], current: &str) -> Vec<NavItem> {
    let mut items = vec![("/", "My work")];
    let sees_children = roles
        .iter()
        .any(|r| !matches!(r, Role::Administrator | Role::BoardReader));
    if sees_children {
        items.push(("/children", "Children"));
    }
    if sees_children && roles.iter().any(|r| PRACTITIONER.contains(r)) {
        items.push(("/screenings", "Drafts"));
    }
    if roles.contains(&Role::MashWorker) {
        items.push(("/mash", "MASH queue"));
    }
    if roles.contains(&Role::AgencySpoc) {
        items.push(("/spoc", "SPOC"));
    }
    if roles
        .iter()
        .any(|r| matches!(r, Role::PoliceIntelligenceOfficer | Role::PoliceAnalyst))
    {
        items.push(("/intelligence", "Shared information"));
        items.push(("/intelligence/subjects", "Analysis"));
    } else if sees_children && roles.iter().any(|r| PRACTITIONER.contains(r)) {
        items.push(("/intelligence/new", "Share information"));
    }
    let owns_clocks = roles.iter().any(|r| {
        matches!(
            r,
            Role::MashWorker | Role::SocialWorker | Role::TeamManager | Role::ReferringPractitioner
        )
    });
    if owns_clocks {
        items.push(("/work", "Time limits"));
    }
    items.push(("/notifications", "Notifications"));
    if roles.contains(&Role::QaAuditor) {
        items.push(("/audit", "Audit"));
    }
    if roles.contains(&Role::Administrator) {
        items.push(("/admin/users", "Accounts"));
        items.push(("/admin/agencies", "Agencies"));
        items.push(("/admin/calendar", "Calendar"));
    }
    // The item whose address is the longest start of the current one is the current section.
    let active = items
        .iter()
        .map(|(href, _)| *href)
        .filter(|href| {
            if *href == "/" {
                current == "/"
            } else {
                current.starts_with(href)
            }
        })
        .max_by_key(|href| href.len());
    items
        .into_iter()
        .map(|(href, label)| NavItem {
            href,
            label,
            active: Some(href) == active,
        })
        .collect()
}
