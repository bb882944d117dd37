//! The child record as far as Foundation needs it, the agencies involved with each child and
//! confidential-investigation restrictions (R2.1, R8.3).

use safehub_domain::{AgencyId, AreaId, ChildId, ChildName, Gender, LegalStatus, UserId};
use sqlx::AnyConnection;

use crate::db::{int, opt_text, parsed, text};
use crate::users::placeholders;
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
    fn code(self) -> &'static str {
        match self {
            Involvement::Involved => "involved",
            Involvement::Routed => "routed",
        }
    }
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

/// Creates a child's record, with the creating agency involved.
pub async fn insert_child(
    conn: &mut AnyConnection,
    child: &Child,
    created_by: UserId,
    agency: AgencyId,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO children (id, area_id, given_name, family_name, date_of_birth, gender, \
         legal_status, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
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

const CHILD_COLUMNS: &str =
    "id, area_id, given_name, family_name, date_of_birth, gender, legal_status, created_at";

fn read_child(r: &sqlx::any::AnyRow) -> Result<Child, StoreError> {
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
        // One round trip: the record, its agencies and its live restrictions, the latter two
        // as `agency:how` and `agency:section` lists.
        let row = sqlx::query(&format!(
            "SELECT {CHILD_COLUMNS}, \
             (SELECT string_agg(a.agency_id || ':' || a.how, ',') FROM child_agencies a \
              WHERE a.child_id = children.id) AS agencies, \
             (SELECT string_agg(r.hidden_from_agency || ':' || r.section, ',') FROM child_restrictions r \
              WHERE r.child_id = children.id AND r.lifted_at IS NULL) AS restrictions \
             FROM children WHERE id = $1"
        ))
        .bind(id.to_string())
        .fetch_optional(&self.reader)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let child = read_child(&row)?;
        let mut facts = ChildAgencies::default();
        for pair in opt_text(&row, "agencies")?
            .unwrap_or_default()
            .split(',')
            .filter(|p| !p.is_empty())
        {
            let (agency, how) = pair
                .split_once(':')
                .ok_or_else(|| StoreError::Corrupt("child agency".into()))?;
            let agency = parsed(agency, "agency id")?;
            match how {
                "involved" => facts.involved.push(agency),
                "routed" => facts.routed.push(agency),
                other => return Err(StoreError::Corrupt(format!("involvement {other:?}"))),
            }
        }
        for pair in opt_text(&row, "restrictions")?
            .unwrap_or_default()
            .split(',')
            .filter(|p| !p.is_empty())
        {
            let (agency, section) = pair
                .split_once(':')
                .ok_or_else(|| StoreError::Corrupt("restriction".into()))?;
            facts.restrictions.push(Restriction {
                section: section.to_owned(),
                hidden_from: parsed(agency, "agency id")?,
            });
        }
        Ok(Some((child, facts)))
    }

    /// The involvement and restrictions of several children, in the order given.
    pub async fn child_agencies(
        &self,
        ids: &[ChildId],
    ) -> Result<Vec<(ChildId, ChildAgencies)>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let list = placeholders(ids.len());
        let sql = format!(
            "SELECT child_id, agency_id, how FROM child_agencies WHERE child_id IN ({list}) \
             UNION ALL SELECT child_id, hidden_from_agency, 'restricted:' || section \
             FROM child_restrictions WHERE lifted_at IS NULL AND child_id IN ({list})"
        );
        let mut q = sqlx::query(&sql);
        for id in ids {
            q = q.bind(id.to_string());
        }
        let rows = q.fetch_all(&self.reader).await?;
        let mut out: Vec<(ChildId, ChildAgencies)> = ids
            .iter()
            .map(|id| (*id, ChildAgencies::default()))
            .collect();
        for r in &rows {
            let child: ChildId = parsed(&text(r, "child_id")?, "child id")?;
            let agency: AgencyId = parsed(&text(r, "agency_id")?, "agency id")?;
            let how = text(r, "how")?;
            let Some((_, facts)) = out.iter_mut().find(|(c, _)| *c == child) else {
                continue;
            };
            match how.as_str() {
                "involved" => facts.involved.push(agency),
                "routed" => facts.routed.push(agency),
                other => {
                    if let Some(section) = other.strip_prefix("restricted:") {
                        facts.restrictions.push(Restriction {
                            section: section.to_owned(),
                            hidden_from: agency,
                        });
                    }
                }
            }
        }
        Ok(out)
    }

    /// Children that may be visible to someone in `agency` serving `areas`: those in the
    /// areas or with the agency involved. A superset; the access policies decide each one.
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
            "SELECT {CHILD_COLUMNS} FROM children WHERE {area_clause} id IN \
             (SELECT child_id FROM child_agencies WHERE agency_id = $1) \
             ORDER BY family_name, given_name, id LIMIT {limit}"
        );
        let mut q = sqlx::query(&sql).bind(agency.to_string());
        for a in areas {
            q = q.bind(a.to_string());
        }
        let children: Vec<Child> = q
            .fetch_all(&self.reader)
            .await?
            .iter()
            .map(read_child)
            .collect::<Result<_, _>>()?;
        let ids: Vec<ChildId> = children.iter().map(|c| c.id).collect();
        let facts = self.child_agencies(&ids).await?;
        Ok(children
            .into_iter()
            .zip(facts.into_iter().map(|(_, f)| f))
            .collect())
    }

    /// The number of children recorded.
    pub async fn count_children(&self) -> Result<i64, StoreError> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM children")
            .fetch_one(&self.reader)
            .await?;
        int(&row, "n")
    }
}
