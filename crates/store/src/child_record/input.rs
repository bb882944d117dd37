//! What people type into the child record's forms (and send to the API), parsed once into
//! the record's types, with a message for each field that is wrong (R2.1). The messages
//! follow the GOV.UK Design System's error message patterns.

use jiff::civil::Date;
use safehub_domain::{AgencyId, ChildFieldError, ChildName, DateOfBirth, Gender, LegalStatus};
use serde::{Deserialize, Serialize};

use super::{
    AliasKind, ChildDetails, ChildFields, Ethnicity, NewAddress, NewAlias, NewProfessional,
};

/// One field's problem: the field (its form name, and the id of the input to link to) and
/// the message for the person typing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldProblem {
    /// The field.
    pub field: &'static str,
    /// What is wrong, written for the user.
    pub message: String,
}

fn problem(field: &'static str, message: impl Into<String>) -> FieldProblem {
    FieldProblem {
        field,
        message: message.into(),
    }
}

/// Trims and collapses whitespace; refuses control characters and more than `max`
/// characters. `what` starts the message ("School must be ...").
pub fn clean_text(
    raw: &str,
    max: usize,
    field: &'static str,
    what: &str,
) -> Result<String, FieldProblem> {
    let value = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if value.chars().count() > max {
        return Err(problem(
            field,
            format!("{what} must be {max} characters or fewer"),
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(problem(
            field,
            format!("{what} must not contain control characters"),
        ));
    }
    Ok(value)
}

/// Like [`clean_text`] but keeps line breaks (an address): each line is cleaned, empty
/// lines are dropped.
fn clean_lines(
    raw: &str,
    max: usize,
    field: &'static str,
    what: &str,
) -> Result<String, FieldProblem> {
    let mut lines = Vec::new();
    for line in raw.lines() {
        let line = clean_text(line, max, field, what)?;
        if !line.is_empty() {
            lines.push(line);
        }
    }
    let value = lines.join("\n");
    if value.chars().count() > max {
        return Err(problem(
            field,
            format!("{what} must be {max} characters or fewer"),
        ));
    }
    Ok(value)
}

/// The date of birth for an estimated age: the middle of that year of age, so the age shown
/// is the one given for the next six months.
pub fn estimated_birth_date(age: i16, today: Date) -> Option<Date> {
    let span = jiff::Span::new().years(age).months(6);
    today.checked_sub(span).ok()
}

/// A date typed into a GOV.UK date input that may be left blank: blank is `None`; anything
/// typed must be a real date no later than today.
fn optional_date(
    day: &str,
    month: &str,
    year: &str,
    field: &'static str,
    what: &str,
    today: Date,
) -> Result<Option<Date>, FieldProblem> {
    if [day, month, year].iter().all(|p| p.trim().is_empty()) {
        return Ok(None);
    }
    let num = |s: &str| s.trim().parse::<i16>().ok();
    let date = match (num(day), num(month), num(year)) {
        (Some(d), Some(m), Some(y)) if (1000..=9999).contains(&y) => {
            match (i8::try_from(d), i8::try_from(m)) {
                (Ok(d), Ok(m)) => Date::new(y, m, d).ok(),
                _ => None,
            }
        }
        _ => None,
    };
    let Some(date) = date else {
        return Err(problem(field, format!("{what} must be a real date")));
    };
    if date > today {
        return Err(problem(
            field,
            format!("{what} must be today or in the past"),
        ));
    }
    Ok(Some(date))
}

/// The child's details as typed into the "record a child" and "change details" forms.
/// Every field is text, so that whatever was typed can be shown again.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default)]
pub struct RecordForm {
    /// First name.
    pub given_name: String,
    /// Last name.
    pub family_name: String,
    /// `yes` (date known), `estimate` (age estimated) or `no` (not known).
    pub dob_known: String,
    /// Date of birth: day.
    pub dob_day: String,
    /// Date of birth: month.
    pub dob_month: String,
    /// Date of birth: year.
    pub dob_year: String,
    /// Estimated age in whole years.
    pub estimated_age: String,
    /// [`Gender`] code.
    pub gender: String,
    /// [`Ethnicity`] code.
    pub ethnicity: String,
    /// School or college.
    pub school: String,
    /// GP practice.
    pub gp: String,
    /// [`LegalStatus`] code.
    pub legal_status: String,
    /// `yes` when a looked-after child was placed here by another authority.
    pub placed_elsewhere: String,
    /// The placing authority.
    pub placing_authority: String,
}

impl RecordForm {
    /// The form filled in from a stored record, for changing it.
    pub fn of(f: &ChildFields, today: Date) -> Self {
        let (dob_known, (dob_day, dob_month, dob_year), estimated_age) =
            match (f.date_of_birth, f.age_estimated) {
                (Some(d), false) => (
                    "yes",
                    (
                        d.day().to_string(),
                        d.month().to_string(),
                        d.year().to_string(),
                    ),
                    String::new(),
                ),
                (Some(d), true) => (
                    "estimate",
                    Default::default(),
                    DateOfBirth::check(d, today)
                        .map(|b| b.age_on(today).to_string())
                        .unwrap_or_default(),
                ),
                (None, _) => ("no", Default::default(), String::new()),
            };
        RecordForm {
            given_name: f.name.given().to_owned(),
            family_name: f.name.family().to_owned(),
            dob_known: dob_known.to_owned(),
            dob_day,
            dob_month,
            dob_year,
            estimated_age,
            gender: f.gender.code().to_owned(),
            ethnicity: f.details.ethnicity.code().to_owned(),
            school: f.details.school.clone(),
            gp: f.details.gp.clone(),
            legal_status: f.legal_status.code().to_owned(),
            placed_elsewhere: if f.details.placing_authority.is_some() {
                "yes".into()
            } else {
                String::new()
            },
            placing_authority: f.details.placing_authority.clone().unwrap_or_default(),
        }
    }

    /// Parses the form against today's date. `previous` is the record being changed: an
    /// estimated age that still gives the same age keeps its stored estimate, so saving an
    /// unchanged form changes nothing.
    pub fn parse(
        &self,
        today: Date,
        previous: Option<&ChildFields>,
    ) -> Result<ChildFields, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        let name = match ChildName::parse(&self.given_name, &self.family_name) {
            Ok(name) => Some(name),
            Err(e) => {
                let given_bad = ChildName::parse(&self.given_name, "x").is_err();
                if given_bad {
                    problems.push(problem("given_name", e.to_string()));
                }
                if let Err(e) = ChildName::parse("x", &self.family_name) {
                    problems.push(problem("family_name", e.to_string()));
                }
                None
            }
        };

        let mut age_estimated = false;
        let date_of_birth = match self.dob_known.as_str() {
            "yes" => {
                let parts = [&self.dob_day, &self.dob_month, &self.dob_year];
                if parts.iter().all(|p| p.trim().is_empty()) {
                    problems.push(problem("date_of_birth", "Enter the child's date of birth"));
                    None
                } else {
                    match DateOfBirth::parse(&self.dob_day, &self.dob_month, &self.dob_year, today)
                    {
                        Ok(d) => Some(d.date()),
                        Err(e) => {
                            problems.push(problem("date_of_birth", dob_message(&e)));
                            None
                        }
                    }
                }
            }
            "estimate" => {
                age_estimated = true;
                match self.estimated_age.trim().parse::<i16>() {
                    Ok(age) if (0..=24).contains(&age) => {
                        let kept = previous
                            .filter(|p| p.age_estimated)
                            .and_then(|p| p.date_of_birth)
                            .filter(|d| {
                                DateOfBirth::check(*d, today).is_ok_and(|b| b.age_on(today) == age)
                            });
                        kept.or_else(|| estimated_birth_date(age, today))
                    }
                    _ => {
                        problems.push(problem(
                            "estimated_age",
                            "Estimated age must be a whole number of years from 0 to 24",
                        ));
                        None
                    }
                }
            }
            "no" => None,
            _ => {
                problems.push(problem(
                    "dob_known",
                    "Select whether you know the child's date of birth",
                ));
                None
            }
        };

        let gender = self.gender.parse::<Gender>().ok();
        if gender.is_none() {
            problems.push(problem("gender", "Select the child's gender, or Not known"));
        }
        let ethnicity = self.ethnicity.parse::<Ethnicity>().ok();
        if ethnicity.is_none() {
            problems.push(problem(
                "ethnicity",
                "Select the child's ethnic group, or Not known",
            ));
        }
        let legal_status = self.legal_status.parse::<LegalStatus>().ok();
        if legal_status.is_none() {
            problems.push(problem("legal_status", "Select the child's legal status"));
        }
        let mut text = |raw: &str, field, what| match clean_text(raw, 200, field, what) {
            Ok(v) => v,
            Err(p) => {
                problems.push(p);
                String::new()
            }
        };
        let school = text(&self.school, "school", "School");
        let gp = text(&self.gp, "gp", "GP practice");
        let authority = text(
            &self.placing_authority,
            "placing_authority",
            "Placing authority",
        );
        // R1.1 (WM-19.2): a looked-after child placed here from elsewhere names the
        // authority that placed them. The question belongs to "looked after" only.
        let placing_authority = if legal_status == Some(LegalStatus::LookedAfter)
            && self.placed_elsewhere == "yes"
        {
            if authority.is_empty() && !problems.iter().any(|p| p.field == "placing_authority") {
                problems.push(problem(
                    "placing_authority",
                    "Enter the name of the authority that placed the child here",
                ));
            }
            Some(authority)
        } else {
            None
        };

        match (name, gender, ethnicity, legal_status) {
            (Some(name), Some(gender), Some(ethnicity), Some(legal_status))
                if problems.is_empty() =>
            {
                Ok(ChildFields {
                    name,
                    date_of_birth,
                    age_estimated: age_estimated && date_of_birth.is_some(),
                    gender,
                    legal_status,
                    details: ChildDetails {
                        ethnicity,
                        school,
                        gp,
                        placing_authority,
                    },
                })
            }
            _ => Err(problems),
        }
    }
}

fn dob_message(e: &ChildFieldError) -> String {
    match e {
        ChildFieldError::TooOld => {
            "Date of birth must be within the last 25 years: Safehub records children and care leavers"
                .to_owned()
        }
        other => other.to_string(),
    }
}

/// An address as typed into the address form (and the optional address of the "record a
/// child" form).
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default)]
pub struct AddressForm {
    /// The address lines.
    pub address: String,
    /// The postcode.
    pub postcode: String,
    /// Moved in: day.
    pub since_day: String,
    /// Moved in: month.
    pub since_month: String,
    /// Moved in: year.
    pub since_year: String,
    /// Moved out: day.
    pub until_day: String,
    /// Moved out: month.
    pub until_month: String,
    /// Moved out: year.
    pub until_year: String,
    /// `yes` when the child lives here now (they have moved here), `no` for a past address.
    pub current: String,
}

impl AddressForm {
    /// Whether nothing was typed (the address is optional when recording a child).
    pub fn is_blank(&self) -> bool {
        self.address.trim().is_empty() && self.postcode.trim().is_empty()
    }

    /// Parses the form: the address and whether the child has moved there (so the previous
    /// current address closes).
    pub fn parse(&self, today: Date) -> Result<(NewAddress, bool), Vec<FieldProblem>> {
        let mut problems = Vec::new();
        let address = match clean_lines(&self.address, 500, "address", "Address") {
            Ok(a) if a.is_empty() => {
                problems.push(problem("address", "Enter the address"));
                a
            }
            Ok(a) => a,
            Err(p) => {
                problems.push(p);
                String::new()
            }
        };
        let postcode = if self.postcode.trim().is_empty() {
            String::new()
        } else {
            match super::postcode_key(&self.postcode) {
                Some(p) => p,
                None => {
                    problems.push(problem(
                        "postcode",
                        "Enter a real postcode, like B1 1AA, or leave it blank",
                    ));
                    String::new()
                }
            }
        };
        let since = optional_date(
            &self.since_day,
            &self.since_month,
            &self.since_year,
            "since",
            "Date moved in",
            today,
        )
        .unwrap_or_else(|p| {
            problems.push(p);
            None
        });
        let until = optional_date(
            &self.until_day,
            &self.until_month,
            &self.until_year,
            "until",
            "Date moved out",
            today,
        )
        .unwrap_or_else(|p| {
            problems.push(p);
            None
        });
        let current = match self.current.as_str() {
            "yes" => true,
            "no" => false,
            _ => {
                problems.push(problem(
                    "current",
                    "Select whether the child lives at this address now",
                ));
                false
            }
        };
        if current && until.is_some() {
            problems.push(problem(
                "until",
                "Leave the date moved out blank for the address the child lives at now",
            ));
        }
        if let (Some(s), Some(u)) = (since, until) {
            if u < s {
                problems.push(problem(
                    "until",
                    "Date moved out must be the same as or after the date moved in",
                ));
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok((
            NewAddress {
                address,
                postcode,
                since,
                until: if current { None } else { until },
            },
            current,
        ))
    }
}

/// Another name, as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default)]
pub struct AliasForm {
    /// The name.
    pub name: String,
    /// [`AliasKind`] code.
    pub kind: String,
}

impl AliasForm {
    /// Parses the form.
    pub fn parse(&self) -> Result<NewAlias, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        let name = match clean_text(&self.name, 100, "name", "The name") {
            Ok(n) if n.is_empty() => {
                problems.push(problem("name", "Enter the other name"));
                n
            }
            Ok(n) => n,
            Err(p) => {
                problems.push(p);
                String::new()
            }
        };
        let kind = self.kind.parse::<AliasKind>().ok();
        if kind.is_none() {
            problems.push(problem("kind", "Select what kind of name this is"));
        }
        match kind {
            Some(kind) if problems.is_empty() => Ok(NewAlias { name, kind }),
            _ => Err(problems),
        }
    }
}

/// A professional, as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default)]
pub struct ProfessionalForm {
    /// Their name.
    pub name: String,
    /// Their role.
    pub role: String,
    /// Their agency's id, or empty when not listed.
    pub agency: String,
    /// Phone number or email address.
    pub contact: String,
}

impl ProfessionalForm {
    /// Parses the form; `known` says whether an agency id is one of the region's.
    pub fn parse(
        &self,
        known: impl Fn(AgencyId) -> bool,
    ) -> Result<NewProfessional, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        let mut required = |raw: &str, max, field, what: &str, missing: &str| match clean_text(
            raw, max, field, what,
        ) {
            Ok(v) if v.is_empty() => {
                problems.push(problem(field, missing));
                v
            }
            Ok(v) => v,
            Err(p) => {
                problems.push(p);
                String::new()
            }
        };
        let name = required(
            &self.name,
            100,
            "name",
            "Name",
            "Enter the professional's name",
        );
        let role = required(
            &self.role,
            100,
            "role",
            "Role",
            "Enter the professional's role, like school nurse",
        );
        let agency = if self.agency.is_empty() {
            None
        } else {
            match self.agency.parse::<AgencyId>() {
                Ok(a) if known(a) => Some(a),
                _ => {
                    problems.push(problem(
                        "agency",
                        "Select the professional's agency, or Not listed",
                    ));
                    None
                }
            }
        };
        let contact =
            clean_text(&self.contact, 200, "contact", "Contact details").unwrap_or_else(|p| {
                problems.push(p);
                String::new()
            });
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(NewProfessional {
            name,
            role,
            agency,
            contact,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn form() -> RecordForm {
        RecordForm {
            given_name: "Amy".into(),
            family_name: "Example".into(),
            dob_known: "yes".into(),
            dob_day: "3".into(),
            dob_month: "4".into(),
            dob_year: "2012".into(),
            gender: "female".into(),
            ethnicity: "white_irish".into(),
            legal_status: "none".into(),
            ..RecordForm::default()
        }
    }

    #[test]
    fn a_complete_form_parses_and_round_trips_r2_1() {
        let today = date(2026, 11, 24);
        let f = form().parse(today, None).expect("valid");
        assert_eq!(f.date_of_birth, Some(date(2012, 4, 3)));
        assert_eq!(RecordForm::of(&f, today).parse(today, None), Ok(f));
    }

    #[test]
    fn impossible_future_and_adult_dates_and_blank_names_are_refused_r2_1() {
        let today = date(2026, 11, 24);
        let fields = |f: RecordForm| -> Vec<&'static str> {
            f.parse(today, None)
                .err()
                .unwrap_or_default()
                .iter()
                .map(|p| p.field)
                .collect()
        };
        for (d, m, y) in [("31", "2", "2012"), ("1", "1", "2027"), ("1", "1", "1990")] {
            let mut f = form();
            (f.dob_day, f.dob_month, f.dob_year) = (d.into(), m.into(), y.into());
            assert_eq!(fields(f), ["date_of_birth"], "{d}/{m}/{y}");
        }
        let mut f = form();
        f.given_name = " ".into();
        f.family_name = String::new();
        assert_eq!(fields(f), ["given_name", "family_name"]);
        let mut f = form();
        f.school = "x".repeat(201);
        assert_eq!(fields(f), ["school"]);
    }

    #[test]
    fn a_looked_after_child_placed_from_elsewhere_needs_the_placing_authority_r1_1() {
        let today = date(2026, 11, 24);
        let mut f = form();
        f.legal_status = "looked_after".into();
        f.placed_elsewhere = "yes".into();
        let problems = f.parse(today, None).err().unwrap_or_default();
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].field, "placing_authority");
        f.placing_authority = " Westshire   Council ".into();
        let parsed = f.parse(today, None).expect("valid");
        assert_eq!(
            parsed.details.placing_authority.as_deref(),
            Some("Westshire Council")
        );
        // The question belongs to "looked after" only.
        f.legal_status = "child_in_need".into();
        assert_eq!(
            f.parse(today, None).map(|p| p.details.placing_authority),
            Ok(None)
        );
    }

    #[test]
    fn an_estimated_age_is_stored_as_an_estimated_date_of_birth_r2_1() {
        let today = date(2026, 11, 24);
        let mut f = form();
        f.dob_known = "estimate".into();
        f.estimated_age = "14".into();
        let parsed = f.parse(today, None).expect("valid");
        assert!(parsed.age_estimated);
        let born = parsed.date_of_birth.expect("an estimate");
        assert_eq!(
            DateOfBirth::check(born, today).map(|b| b.age_on(today)),
            Ok(14)
        );
        // Saved again a month later with the same age, the estimate does not move.
        let later = date(2026, 12, 24);
        let again = RecordForm::of(&parsed, later).parse(later, Some(&parsed));
        assert_eq!(again.map(|a| a.date_of_birth), Ok(Some(born)));
        f.estimated_age = "25".into();
        assert!(f.parse(today, None).is_err());
    }

    #[test]
    fn addresses_need_lines_a_real_postcode_and_dates_in_order() {
        let today = date(2026, 11, 24);
        let ok = AddressForm {
            address: " 1 High Street \r\n\r\n Northtown ".into(),
            postcode: "b11aa".into(),
            current: "yes".into(),
            since_day: "1".into(),
            since_month: "2".into(),
            since_year: "2025".into(),
            ..AddressForm::default()
        };
        let (a, moving) = ok.parse(today).expect("valid");
        assert!(moving);
        assert_eq!(a.address, "1 High Street\nNorthtown");
        assert_eq!(a.postcode, "B1 1AA");
        let bad = AddressForm {
            postcode: "nowhere".into(),
            current: "no".into(),
            since_day: "1".into(),
            since_month: "2".into(),
            since_year: "2025".into(),
            until_day: "1".into(),
            until_month: "1".into(),
            until_year: "2025".into(),
            ..AddressForm::default()
        };
        let fields: Vec<&str> = bad
            .parse(today)
            .err()
            .unwrap_or_default()
            .iter()
            .map(|p| p.field)
            .collect();
        assert_eq!(fields, ["address", "postcode", "until"]);
    }
}
