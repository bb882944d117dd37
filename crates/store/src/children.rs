//! The child record as far as Foundation needs it, the agencies involved with each child and
//! confidential-investigation restrictions (R2.1, R8.3).

use safehub_domain::{AgencyId, AreaId, ChildId, ChildName, Gender, LegalStatus, UserId};
use sqlx::AnyConnection;

use crate::db::{int, opt_text, parsed, text};
use crate::{Store, StoreError};

/// A child's record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Child {
    /// Its id.
    pub id: ChildId,
    /// The responsible area.
    pub area: AreaId,
    /// The child's name.
    pub name: ChildName,
    /// Date of birth (ISO), if known.
    pub date_of_birth: Option<jiff::civil::Date>,
    /// Gender.
    pub gender: Gender,
    /// Legal status.
    pub legal_status: LegalStatus,
    /// When the record was made.
    pub created_at: i64,
}

/// How an agency is involved with a child.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Involvement {
    /// The agency recorded or contributed to the record.
    Involved,
    /// A contact or referral was routed to the agency.
    Routed,
}

impl Involvement {
    /// The stored code.
    pub const fn code(self) -> &'static str {
        match self {
            Involvement::Involved => "involved",
            Involvement::Routed => "routed",
        }
    }

    /// Reads a stored code.
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "involved" => Some(Involvement::Involved),
            "routed" => Some(Involvement::Routed),
            _ => None,
        }
    }
}

/// The state of a child's record beside its content: whether the date of birth is an
/// estimate, the change counter that guards against overwriting someone else's edit, and
/// the record it was merged into, if it was (R2.1).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RecordState {
    /// The date of birth is an estimate made from an estimated age.
    pub age_estimated: bool,
    /// Counts changes to the record; an edit names the version it was made on.
    pub version: i64,
    /// The record this one was merged into; it then appears in no list or search.
    pub merged_into: Option<ChildId>,
}

/// A restriction hiding a section of a child's record from one agency (R8.3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Restriction {
    /// The section code (`summary`, `concerns`, `plans`, `investigation`).
    pub section: String,
    /// The agency it is hidden from.
    pub hidden_from: AgencyId,
}

/// What the access policies need to know about a child.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ChildAgencies {
    /// Agencies that recorded or contributed.
    pub involved: Vec<AgencyId>,
    /// Agencies contacts were routed to.
    pub routed: Vec<AgencyId>,
    /// Live restrictions.
    pub restrictions: Vec<Restriction>,
}

/// Creates a child's record, with the creating agency involved. The full record's other
/// parts are added by [`crate::child_record::insert_child_record`].
pub async fn insert_child(
    conn: &mut AnyConnection,
    child: &Child,
    created_by: UserId,
    agency: AgencyId,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO children (id, area_id, given_name, family_name, date_of_birth, gender, \
         legal_status, created_at, created_by, name_key) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(child.id.to_string())
    .bind(child.area.to_string())
    .bind(child.name.given())
    .bind(child.name.family())
    .bind(child.date_of_birth.map(|d| d.to_string()))
    .bind(child.gender.code())
    .bind(child.legal_status.code())
    .bind(child.created_at)
    .bind(created_by.to_string())
    .bind(crate::child_record::name_key(child.name.family()))
    .execute(&mut *conn)
    .await?;
    add_agency(conn, child.id, agency, Involvement::Involved).await
}

/// Records that an agency is involved with a child (does nothing if it already is).
pub async fn add_agency(
    conn: &mut AnyConnection,
    child: ChildId,
    agency: AgencyId,
    how: Involvement,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO child_agencies (child_id, agency_id, how, since) \
         SELECT $1, $2, $3, $4 WHERE NOT EXISTS \
         (SELECT 1 FROM child_agencies WHERE child_id = $1 AND agency_id = $2 AND how = $3)",
    )
    .bind(child.to_string())
    .bind(agency.to_string())
    .bind(how.code())
    .bind(crate::now_ms())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Hides a section of a child's record from an agency (R8.3).
pub async fn add_restriction(
    conn: &mut AnyConnection,
    child: ChildId,
    section: &str,
    hidden_from: AgencyId,
    reason: &str,
    by: UserId,
) -> Result<String, StoreError> {
    let id = uuid::Uuid::now_v7().to_string();
    sqlx::query(
        "INSERT INTO child_restrictions (id, child_id, section, hidden_from_agency, reason, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&id)
    .bind(child.to_string())
    .bind(section)
    .bind(hidden_from.to_string())
    .bind(reason)
    .bind(by.to_string())
    .bind(crate::now_ms())
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

/// A child's record with the facts the access policies need, in one row: its agencies and
/// live restrictions as `agency:how` and `agency:section` lists. Callers add the `WHERE`.
pub(crate) const CHILD_WITH_FACTS: &str = "SELECT id, area_id, given_name, family_name, \
     date_of_birth, gender, legal_status, created_at, age_estimated, version, merged_into, \
     (SELECT string_agg(a.agency_id || ':' || a.how, ',') FROM child_agencies a \
      WHERE a.child_id = children.id) AS agencies, \
     (SELECT string_agg(r.hidden_from_agency || ':' || r.section, ',') FROM child_restrictions r \
      WHERE r.child_id = children.id AND r.lifted_at IS NULL) AS restrictions \
     FROM children";

/// Splits a stored `a:b,c:d` list into its pairs.
fn pairs(row: &sqlx::any::AnyRow, col: &str) -> Result<Vec<(String, String)>, StoreError> {
    opt_text(row, col)?
        .unwrap_or_default()
        .split(',')
        .filter(|p| !p.is_empty())
        .map(|p| {
            p.split_once(':')
                .map(|(a, b)| (a.to_owned(), b.to_owned()))
                .ok_or_else(|| StoreError::Corrupt(format!("{col} entry {p:?}")))
        })
        .collect()
}

/// Reads the record state columns of a [`CHILD_WITH_FACTS`] row.
pub(crate) fn read_state(row: &sqlx::any::AnyRow) -> Result<RecordState, StoreError> {
    Ok(RecordState {
        age_estimated: int(row, "age_estimated")? != 0,
        version: int(row, "version")?,
        merged_into: opt_text(row, "merged_into")?
            .map(|id| parsed(&id, "child id"))
            .transpose()?,
    })
}

pub(crate) fn read_child_with_facts(
    row: &sqlx::any::AnyRow,
) -> Result<(Child, ChildAgencies), StoreError> {
    let mut facts = ChildAgencies::default();
    for (agency, how) in pairs(row, "agencies")? {
        let agency = parsed(&agency, "agency id")?;
        match how.as_str() {
            "involved" => facts.involved.push(agency),
            "routed" => facts.routed.push(agency),
            other => return Err(StoreError::Corrupt(format!("involvement {other:?}"))),
        }
    }
    for (agency, section) in pairs(row, "restrictions")? {
        facts.restrictions.push(Restriction {
            section,
            hidden_from: parsed(&agency, "agency id")?,
        });
    }
    Ok((read_child(row)?, facts))
}

pub(crate) fn read_child(r: &sqlx::any::AnyRow) -> Result<Child, StoreError> {
    let name = ChildName::parse(&text(r, "given_name")?, &text(r, "family_name")?)
        .map_err(|e| StoreError::Corrupt(format!("child name: {e}")))?;
    Ok(Child {
        id: parsed(&text(r, "id")?, "child id")?,
        area: parsed(&text(r, "area_id")?, "area id")?,
        name,
        date_of_birth: opt_text(r, "date_of_birth")?
            .map(|d| parsed(&d, "date of birth"))
            .transpose()?,
        gender: parsed(&text(r, "gender")?, "gender")?,
        legal_status: parsed(&text(r, "legal_status")?, "legal status")?,
        created_at: int(r, "created_at")?,
    })
}

impl Store {
    /// One child's record with the facts the access policies need; `None` if there is no
    /// such child.
    pub async fn child(&self, id: ChildId) -> Result<Option<(Child, ChildAgencies)>, StoreError> {
        let row = sqlx::query(&format!("{CHILD_WITH_FACTS} WHERE id = $1"))
            .bind(id.to_string())
            .fetch_optional(&self.reader)
            .await?;
        row.as_ref().map(read_child_with_facts).transpose()
    }

    /// Who made the record `id`, if there is one: a repeated request to make it can then
    /// be told from someone else's use of the same id.
    pub async fn child_made_by(&self, id: ChildId) -> Result<Option<UserId>, StoreError> {
        let row = sqlx::query("SELECT created_by FROM children WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&self.reader)
            .await?;
        row.map(|r| parsed(&text(&r, "created_by")?, "user id"))
            .transpose()
    }

    /// One child's record with its policy facts and its record state (estimated age,
    /// version, merged into); `None` if there is no such child.
    pub async fn child_with_state(
        &self,
        id: ChildId,
    ) -> Result<Option<(Child, ChildAgencies, RecordState)>, StoreError> {
        let row = sqlx::query(&format!("{CHILD_WITH_FACTS} WHERE id = $1"))
            .bind(id.to_string())
            .fetch_optional(&self.reader)
            .await?;
        row.as_ref()
            .map(|r| {
                let (child, facts) = read_child_with_facts(r)?;
                Ok((child, facts, read_state(r)?))
            })
            .transpose()
    }

    /// Several children with their policy facts and record state, in no particular order;
    /// unknown ids are left out.
    pub async fn children_with_state(
        &self,
        ids: &[ChildId],
    ) -> Result<Vec<(Child, ChildAgencies, RecordState)>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "{CHILD_WITH_FACTS} WHERE id IN ({})",
            crate::db::placeholders(ids.len())
        );
        let mut q = sqlx::query(&sql);
        for id in ids {
            q = q.bind(id.to_string());
        }
        q.fetch_all(&self.reader)
            .await?
            .iter()
            .map(|r| {
                let (child, facts) = read_child_with_facts(r)?;
                Ok((child, facts, read_state(r)?))
            })
            .collect()
    }

    /// Children that may be visible to someone in `agency` serving `areas`: those in the
    /// areas or with the agency involved. A superset; the access policies decide each one.
    /// Records merged into another are left out (R2.1).
    pub async fn candidate_children(
        &self,
        agency: AgencyId,
        areas: &[AreaId],
        limit: i64,
    ) -> Result<Vec<(Child, ChildAgencies)>, StoreError> {
        let area_list = (2..areas.len() + 2)
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", ");
        let area_clause = if areas.is_empty() {
            String::new()
        } else {
            format!("area_id IN ({area_list}) OR ")
        };
        let sql = format!(
            "{CHILD_WITH_FACTS} WHERE merged_into IS NULL AND ({area_clause} id IN \
             (SELECT child_id FROM child_agencies WHERE agency_id = $1)) \
             ORDER BY family_name, given_name, id LIMIT {limit}"
        );
        let mut q = sqlx::query(&sql).bind(agency.to_string());
        for a in areas {
            q = q.bind(a.to_string());
        }
        q.fetch_all(&self.reader)
            .await?
            .iter()
            .map(read_child_with_facts)
            .collect()
    }

    /// The number of children recorded (a record merged into another counts once).
    pub async fn count_children(&self) -> Result<i64, StoreError> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM children WHERE merged_into IS NULL")
            .fetch_one(&self.reader)
            .await?;
        int(&row, "n")
    }
}

impl Store {
    /// Several children with their policy facts, in no particular order; unknown ids are
    /// left out. For pages that list casework (queues, work trays) and must decide on each
    /// child exactly as when it is opened.
    pub async fn children_with_facts(
        &self,
        ids: &[ChildId],
    ) -> Result<Vec<(Child, ChildAgencies)>, StoreError> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(200) {
            let sql = format!(
                "{CHILD_WITH_FACTS} WHERE id IN ({})",
                crate::db::placeholders(chunk.len())
            );
            let mut q = sqlx::query(&sql);
            for id in chunk {
                q = q.bind(id.to_string());
            }
            for row in q.fetch_all(&self.reader).await? {
                out.push(read_child_with_facts(&row)?);
            }
        }
        Ok(out)
    }
}
