//! The full child record (R2.1): the details beyond the summary, other names, address
//! history and professionals; the duplicate check that keeps one record per child and the
//! reversible merge of two records when there are two.
//!
//! Input is parsed once, by [`input`], into the types here; the pages and the API both use it.

mod duplicates;
mod input;
mod merge;

pub use duplicates::{
    Candidate, DuplicateFlag, FlagResolution, Probe, SUGGEST_AT, flag_possible_duplicates,
    match_score, name_key, postcode_key, resolve_duplicate_flag,
};
pub use input::{
    AddressForm, AliasForm, FieldProblem, ProfessionalForm, RecordForm, clean_text,
    estimated_birth_date,
};
pub(crate) use merge::MERGED_IN;
pub use merge::{ChildMerge, MOVED_TABLES, MergeMoves, merge_children, undo_merge};

use jiff::civil::Date;
use safehub_domain::{AgencyId, AreaId, ChildId, ChildName, Gender, LegalStatus, UserId};
use sqlx::AnyConnection;

use crate::children::{self, Child, Involvement, RecordState};
use crate::db::{int, opt_text, parsed, text};
use crate::{Store, StoreError};

macro_rules! coded {
    ($(#[$doc:meta])* $ty:ident, $what:literal { $( $(#[$vdoc:meta])* $variant:ident => $code:literal, $label:literal ),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $ty { $( $(#[$vdoc])* $variant ),+ }

        impl $ty {
            /// Every value, in the order forms offer them.
            pub const ALL: &'static [$ty] = &[$($ty::$variant),+];

            /// The stable code stored and used by the API.
            pub const fn code(self) -> &'static str {
                match self { $($ty::$variant => $code),+ }
            }

            /// What people read.
            pub const fn label(self) -> &'static str {
                match self { $($ty::$variant => $label),+ }
            }
        }

        impl std::str::FromStr for $ty {
            type Err = safehub_domain::ParseError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($code => Ok($ty::$variant),)+
                    _ => Err(safehub_domain::ParseError { what: $what, value: s.to_owned() }),
                }
            }
        }
    };
}

coded!(
    /// Ethnic group, in the categories of the 2021 census of England and Wales, plus "Not
    /// known". [`Ethnicity::group`] gives the heading each belongs to.
    Ethnicity, "ethnicity" {
        /// Asian: Bangladeshi.
        Bangladeshi => "asian_bangladeshi", "Bangladeshi",
        /// Asian: Chinese.
        Chinese => "asian_chinese", "Chinese",
        /// Asian: Indian.
        Indian => "asian_indian", "Indian",
        /// Asian: Pakistani.
        Pakistani => "asian_pakistani", "Pakistani",
        /// Asian: any other.
        OtherAsian => "asian_other", "Any other Asian background",
        /// Black: African.
        African => "black_african", "African",
        /// Black: Caribbean.
        Caribbean => "black_caribbean", "Caribbean",
        /// Black: any other.
        OtherBlack => "black_other", "Any other Black, Black British, or Caribbean background",
        /// Mixed: White and Asian.
        WhiteAndAsian => "mixed_white_asian", "White and Asian",
        /// Mixed: White and Black African.
        WhiteAndBlackAfrican => "mixed_white_black_african", "White and Black African",
        /// Mixed: White and Black Caribbean.
        WhiteAndBlackCaribbean => "mixed_white_black_caribbean", "White and Black Caribbean",
        /// Mixed: any other.
        OtherMixed => "mixed_other", "Any other Mixed or Multiple ethnic background",
        /// White: English, Welsh, Scottish, Northern Irish or British.
        WhiteBritish => "white_british", "English, Welsh, Scottish, Northern Irish or British",
        /// White: Irish.
        WhiteIrish => "white_irish", "Irish",
        /// White: Gypsy or Irish Traveller.
        GypsyOrIrishTraveller => "white_gypsy_irish_traveller", "Gypsy or Irish Traveller",
        /// White: Roma.
        Roma => "white_roma", "Roma",
        /// White: any other.
        OtherWhite => "white_other", "Any other White background",
        /// Other: Arab.
        Arab => "other_arab", "Arab",
        /// Other: any other.
        AnyOther => "other_any", "Any other ethnic group",
        /// Not known or not recorded.
        NotKnown => "not_known", "Not known",
    }
);

/// The census headings, in order.
pub const ETHNIC_GROUPS: [&str; 5] = [
    "Asian, Asian British or Asian Welsh",
    "Black, Black British, Black Welsh, Caribbean or African",
    "Mixed or Multiple ethnic groups",
    "White",
    "Other ethnic group",
];

impl Ethnicity {
    /// The census heading this category sits under; `None` for "Not known".
    pub const fn group(self) -> Option<&'static str> {
        use Ethnicity::*;
        match self {
            Bangladeshi | Chinese | Indian | Pakistani | OtherAsian => Some(ETHNIC_GROUPS[0]),
            African | Caribbean | OtherBlack => Some(ETHNIC_GROUPS[1]),
            WhiteAndAsian | WhiteAndBlackAfrican | WhiteAndBlackCaribbean | OtherMixed => {
                Some(ETHNIC_GROUPS[2])
            }
            WhiteBritish | WhiteIrish | GypsyOrIrishTraveller | Roma | OtherWhite => {
                Some(ETHNIC_GROUPS[3])
            }
            Arab | AnyOther => Some(ETHNIC_GROUPS[4]),
            NotKnown => None,
        }
    }

    /// Heading and category, as shown on the record: "White: Irish".
    pub fn full_label(self) -> String {
        match self.group() {
            Some(group) => format!("{group}: {}", self.label()),
            None => self.label().to_owned(),
        }
    }

    /// The categories under one heading.
    pub fn in_group(group: &str) -> Vec<Ethnicity> {
        Self::ALL
            .iter()
            .copied()
            .filter(|e| e.group() == Some(group))
            .collect()
    }
}

coded!(
    /// What kind of other name a child is known by.
    AliasKind, "alias kind" {
        /// A name used instead of the child's own (including a street name).
        Alias => "alias", "Alias",
        /// A nickname.
        Nickname => "nickname", "Nickname",
        /// A name the child had before (e.g. before adoption).
        PreviousName => "previous_name", "Previous name",
    }
);

/// The record's details beyond the summary fields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChildDetails {
    /// Ethnic group.
    pub ethnicity: Ethnicity,
    /// School or college, as typed.
    pub school: String,
    /// GP practice, as typed.
    pub gp: String,
    /// The authority that placed a looked-after child here from elsewhere (R1.1, WM-19.2).
    pub placing_authority: Option<String>,
}

impl Default for ChildDetails {
    fn default() -> Self {
        ChildDetails {
            ethnicity: Ethnicity::NotKnown,
            school: String::new(),
            gp: String::new(),
            placing_authority: None,
        }
    }
}

/// The fields of the "child's details" form: everything on the record one person edits at
/// once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChildFields {
    /// Name.
    pub name: ChildName,
    /// Date of birth, or the estimate made from an estimated age.
    pub date_of_birth: Option<Date>,
    /// Whether `date_of_birth` is an estimate.
    pub age_estimated: bool,
    /// Gender.
    pub gender: Gender,
    /// Legal status.
    pub legal_status: LegalStatus,
    /// The rest.
    pub details: ChildDetails,
}

impl ChildFields {
    /// The fields as stored for a record.
    pub fn of(record: &ChildRecord) -> Self {
        ChildFields {
            name: record.child.name.clone(),
            date_of_birth: record.child.date_of_birth,
            age_estimated: record.state.age_estimated,
            gender: record.child.gender,
            legal_status: record.child.legal_status,
            details: record.details.clone(),
        }
    }

    /// The names of the fields that differ from `other`, for the audit entry (which never
    /// holds the values themselves).
    pub fn changed_from(&self, other: &ChildFields) -> Vec<&'static str> {
        let mut out = Vec::new();
        let mut check = |name: &'static str, same: bool| {
            if !same {
                out.push(name);
            }
        };
        check("given_name", self.name.given() == other.name.given());
        check("family_name", self.name.family() == other.name.family());
        check(
            "date_of_birth",
            self.date_of_birth == other.date_of_birth && self.age_estimated == other.age_estimated,
        );
        check("gender", self.gender == other.gender);
        check("legal_status", self.legal_status == other.legal_status);
        check(
            "ethnicity",
            self.details.ethnicity == other.details.ethnicity,
        );
        check("school", self.details.school == other.details.school);
        check("gp", self.details.gp == other.details.gp);
        check(
            "placing_authority",
            self.details.placing_authority == other.details.placing_authority,
        );
        out
    }
}

/// Another name a child is known by.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Alias {
    /// Its id.
    pub id: String,
    /// The name as typed.
    pub name: String,
    /// What kind of name.
    pub kind: AliasKind,
    /// When it was added.
    pub created_at: i64,
}

/// An alias to add.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewAlias {
    /// The name, cleaned.
    pub name: String,
    /// What kind of name.
    pub kind: AliasKind,
}

/// One address in the child's address history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Address {
    /// Its id.
    pub id: String,
    /// The address lines.
    pub address: String,
    /// The postcode in its standard form (`B1 1AA`), or empty when not known.
    pub postcode: String,
    /// When the child moved in, if known.
    pub since: Option<Date>,
    /// When the child moved out; `None` for a current address.
    pub until: Option<Date>,
    /// When it was recorded.
    pub created_at: i64,
}

impl Address {
    /// Whether the child lives here now.
    pub fn is_current(&self) -> bool {
        self.until.is_none()
    }
}

/// An address to add.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewAddress {
    /// The address lines.
    pub address: String,
    /// The postcode in its standard form, or empty.
    pub postcode: String,
    /// When the child moved in, if known.
    pub since: Option<Date>,
    /// When the child moved out; `None` for where the child lives now.
    pub until: Option<Date>,
}

/// A professional working with the child.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Professional {
    /// Its id.
    pub id: String,
    /// Their name.
    pub name: String,
    /// Their role ("Designated safeguarding lead", "School nurse").
    pub role: String,
    /// Their agency, when it is one of the region's.
    pub agency: Option<AgencyId>,
    /// How to reach them.
    pub contact: String,
    /// When it was recorded.
    pub created_at: i64,
}

/// A professional to add.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewProfessional {
    /// Their name.
    pub name: String,
    /// Their role.
    pub role: String,
    /// Their agency, when it is one of the region's.
    pub agency: Option<AgencyId>,
    /// How to reach them.
    pub contact: String,
}

/// An agency involved with the child (R1.2), and how.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvolvedAgency {
    /// The agency.
    pub agency: AgencyId,
    /// Recorded or contributed, or had a contact routed to it.
    pub how: Involvement,
    /// Since when.
    pub since: i64,
}

/// Everything on a child's record (R2.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChildRecord {
    /// The summary fields.
    pub child: Child,
    /// Estimated age, version, merged into.
    pub state: RecordState,
    /// Ethnicity, school, GP, placing authority.
    pub details: ChildDetails,
    /// Other names, oldest first.
    pub aliases: Vec<Alias>,
    /// Address history: the current address first, then the latest first.
    pub addresses: Vec<Address>,
    /// Professionals, oldest first.
    pub professionals: Vec<Professional>,
    /// Agencies involved, in the order they became involved.
    pub agencies: Vec<InvolvedAgency>,
}

impl ChildRecord {
    /// The address the child lives at now, if one is recorded.
    pub fn current_address(&self) -> Option<&Address> {
        self.addresses.iter().find(|a| a.is_current())
    }
}

/// A new child's record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewChildRecord {
    /// Its id.
    pub id: ChildId,
    /// The responsible area.
    pub area: AreaId,
    /// The details.
    pub fields: ChildFields,
    /// Where the child lives now, if known.
    pub address: Option<NewAddress>,
    /// When it is recorded.
    pub created_at: i64,
}

/// Creates a child's full record, with the creating agency involved.
pub async fn insert_child_record(
    conn: &mut AnyConnection,
    new: &NewChildRecord,
    created_by: UserId,
    agency: AgencyId,
) -> Result<(), StoreError> {
    let f = &new.fields;
    let child = Child {
        id: new.id,
        area: new.area,
        name: f.name.clone(),
        date_of_birth: f.date_of_birth,
        gender: f.gender,
        legal_status: f.legal_status,
        created_at: new.created_at,
    };
    children::insert_child(conn, &child, created_by, agency).await?;
    sqlx::query(
        "UPDATE children SET age_estimated = $1, ethnicity = $2, school = $3, gp = $4, \
         placing_authority = $5 WHERE id = $6",
    )
    .bind(i64::from(f.age_estimated))
    .bind(f.details.ethnicity.code())
    .bind(&f.details.school)
    .bind(&f.details.gp)
    .bind(f.details.placing_authority.clone().unwrap_or_default())
    .bind(new.id.to_string())
    .execute(&mut *conn)
    .await?;
    if let Some(address) = &new.address {
        add_address(conn, new.id, address, None).await?;
    }
    Ok(())
}

/// Changes a record's details if it is still at `expected_version`, and returns the new
/// version. Someone else's change since (or a merge) is [`StoreError::Conflict`], so an edit
/// made on an out-of-date page never overwrites theirs.
pub async fn update_child_fields(
    conn: &mut AnyConnection,
    id: ChildId,
    expected_version: i64,
    f: &ChildFields,
) -> Result<i64, StoreError> {
    let done = sqlx::query(
        "UPDATE children SET given_name = $1, family_name = $2, name_key = $3, \
         date_of_birth = $4, age_estimated = $5, gender = $6, legal_status = $7, \
         ethnicity = $8, school = $9, gp = $10, placing_authority = $11, version = version + 1 \
         WHERE id = $12 AND version = $13 AND merged_into IS NULL",
    )
    .bind(f.name.given())
    .bind(f.name.family())
    .bind(name_key(f.name.family()))
    .bind(f.date_of_birth.map(|d| d.to_string()))
    .bind(i64::from(f.age_estimated))
    .bind(f.gender.code())
    .bind(f.legal_status.code())
    .bind(f.details.ethnicity.code())
    .bind(&f.details.school)
    .bind(&f.details.gp)
    .bind(f.details.placing_authority.clone().unwrap_or_default())
    .bind(id.to_string())
    .bind(expected_version)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::Conflict("child record version"));
    }
    Ok(expected_version + 1)
}

/// Adds another name the child is known by; returns its id.
pub async fn add_alias(
    conn: &mut AnyConnection,
    child: ChildId,
    alias: &NewAlias,
) -> Result<String, StoreError> {
    let id = uuid::Uuid::now_v7().to_string();
    sqlx::query(
        "INSERT INTO child_aliases (id, child_id, name, kind, created_at, name_key) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&id)
    .bind(child.to_string())
    .bind(&alias.name)
    .bind(alias.kind.code())
    .bind(crate::now_ms())
    .bind(duplicates::alias_key(&alias.name))
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

/// Adds an address to the child's history; returns its id. With `moved_on`, the child has
/// moved there: every current address is closed on that day.
pub async fn add_address(
    conn: &mut AnyConnection,
    child: ChildId,
    address: &NewAddress,
    moved_on: Option<Date>,
) -> Result<String, StoreError> {
    if let Some(day) = moved_on {
        sqlx::query("UPDATE child_addresses SET until = $1 WHERE child_id = $2 AND until IS NULL")
            .bind(day.to_string())
            .bind(child.to_string())
            .execute(&mut *conn)
            .await?;
    }
    let id = uuid::Uuid::now_v7().to_string();
    sqlx::query(
        "INSERT INTO child_addresses (id, child_id, address, postcode, since, until, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&id)
    .bind(child.to_string())
    .bind(&address.address)
    .bind(&address.postcode)
    .bind(address.since.map(|d| d.to_string()))
    .bind(address.until.map(|d| d.to_string()))
    .bind(crate::now_ms())
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

/// Adds a professional working with the child; returns its id.
pub async fn add_professional(
    conn: &mut AnyConnection,
    child: ChildId,
    p: &NewProfessional,
) -> Result<String, StoreError> {
    let id = uuid::Uuid::now_v7().to_string();
    sqlx::query(
        "INSERT INTO child_professionals (id, child_id, name, role, agency_id, contact, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&id)
    .bind(child.to_string())
    .bind(&p.name)
    .bind(&p.role)
    .bind(p.agency.map(|a| a.to_string()))
    .bind(&p.contact)
    .bind(crate::now_ms())
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

fn opt_date(row: &sqlx::any::AnyRow, col: &str) -> Result<Option<Date>, StoreError> {
    opt_text(row, col)?
        .filter(|d| !d.is_empty())
        .map(|d| parsed(&d, col))
        .transpose()
}

pub(crate) fn read_details(row: &sqlx::any::AnyRow) -> Result<ChildDetails, StoreError> {
    let ethnicity = text(row, "ethnicity")?;
    Ok(ChildDetails {
        // Records made before the full record have no ethnicity: not known.
        ethnicity: if ethnicity.is_empty() {
            Ethnicity::NotKnown
        } else {
            parsed(&ethnicity, "ethnicity")?
        },
        school: text(row, "school")?,
        gp: text(row, "gp")?,
        placing_authority: Some(text(row, "placing_authority")?).filter(|p| !p.is_empty()),
    })
}

impl Store {
    /// A child's full record; `None` if there is no such child. Callers decide access first.
    pub async fn child_record(&self, id: ChildId) -> Result<Option<ChildRecord>, StoreError> {
        let mut conn = self.reader.acquire().await?;
        let Some(row) = sqlx::query(
            "SELECT id, area_id, given_name, family_name, date_of_birth, gender, legal_status, \
             created_at, age_estimated, version, merged_into, ethnicity, school, gp, \
             placing_authority FROM children WHERE id = $1",
        )
        .bind(id.to_string())
        .fetch_optional(&mut *conn)
        .await?
        else {
            return Ok(None);
        };
        let child = children::read_child(&row)?;
        let state = children::read_state(&row)?;
        let details = read_details(&row)?;
        let key = id.to_string();

        let aliases = sqlx::query(
            "SELECT id, name, kind, created_at FROM child_aliases WHERE child_id = $1 \
             ORDER BY created_at, id",
        )
        .bind(&key)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| {
            Ok(Alias {
                id: text(r, "id")?,
                name: text(r, "name")?,
                kind: parsed(&text(r, "kind")?, "alias kind")?,
                created_at: int(r, "created_at")?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;

        let addresses = sqlx::query(
            "SELECT id, address, postcode, since, until, created_at FROM child_addresses \
             WHERE child_id = $1 ORDER BY CASE WHEN until IS NULL THEN 0 ELSE 1 END, \
             COALESCE(until, '') DESC, COALESCE(since, '') DESC, created_at DESC, id",
        )
        .bind(&key)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| {
            Ok(Address {
                id: text(r, "id")?,
                address: text(r, "address")?,
                postcode: text(r, "postcode")?,
                since: opt_date(r, "since")?,
                until: opt_date(r, "until")?,
                created_at: int(r, "created_at")?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;

        let professionals = sqlx::query(
            "SELECT id, name, role, agency_id, contact, created_at FROM child_professionals \
             WHERE child_id = $1 ORDER BY created_at, id",
        )
        .bind(&key)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| {
            Ok(Professional {
                id: text(r, "id")?,
                name: text(r, "name")?,
                role: text(r, "role")?,
                agency: opt_text(r, "agency_id")?
                    .map(|a| parsed(&a, "agency id"))
                    .transpose()?,
                contact: text(r, "contact")?,
                created_at: int(r, "created_at")?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;

        let agencies = sqlx::query(
            "SELECT agency_id, how, since FROM child_agencies WHERE child_id = $1 \
             ORDER BY since, agency_id, how",
        )
        .bind(&key)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| {
            let how = text(r, "how")?;
            Ok(InvolvedAgency {
                agency: parsed(&text(r, "agency_id")?, "agency id")?,
                how: Involvement::from_code(&how)
                    .ok_or_else(|| StoreError::Corrupt(format!("involvement {how:?}")))?,
                since: int(r, "since")?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;

        Ok(Some(ChildRecord {
            child,
            state,
            details,
            aliases,
            addresses,
            professionals,
            agencies,
        }))
    }
}
