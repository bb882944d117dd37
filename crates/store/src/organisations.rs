//! Areas (local authorities), agencies and the areas they serve, and teams (R1.1, R1.2).

use safehub_domain::{AgencyId, AgencyKind, AreaId, TeamId};
use sqlx::AnyConnection;

use crate::db::{parsed, text};
use crate::{Store, StoreError};

/// A local authority area served by the deployment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Area {
    /// Its id.
    pub id: AreaId,
    /// A short code, e.g. `BIR`.
    pub code: String,
    /// Its name.
    pub name: String,
}

/// An agency (a police force, a children's services department, a school...).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Agency {
    /// Its id.
    pub id: AgencyId,
    /// Its name.
    pub name: String,
    /// What kind of agency it is.
    pub kind: AgencyKind,
    /// The areas it serves (a police force may serve several).
    pub areas: Vec<AreaId>,
}

/// A team inside an agency.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Team {
    /// Its id.
    pub id: TeamId,
    /// The agency it belongs to.
    pub agency: AgencyId,
    /// Its name.
    pub name: String,
}

/// Adds an area.
pub async fn insert_area(conn: &mut AnyConnection, area: &Area) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO areas (id, code, name) VALUES ($1, $2, $3)")
        .bind(area.id.to_string())
        .bind(&area.code)
        .bind(&area.name)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Adds an agency and the areas it serves.
pub async fn insert_agency(conn: &mut AnyConnection, agency: &Agency) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO agencies (id, name, kind, created_at) VALUES ($1, $2, $3, $4)")
        .bind(agency.id.to_string())
        .bind(&agency.name)
        .bind(agency.kind.code())
        .bind(crate::now_ms())
        .execute(&mut *conn)
        .await?;
    for area in &agency.areas {
        sqlx::query("INSERT INTO agency_areas (agency_id, area_id) VALUES ($1, $2)")
            .bind(agency.id.to_string())
            .bind(area.to_string())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Adds a team.
pub async fn insert_team(conn: &mut AnyConnection, team: &Team) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO teams (id, agency_id, name) VALUES ($1, $2, $3)")
        .bind(team.id.to_string())
        .bind(team.agency.to_string())
        .bind(&team.name)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

impl Store {
    /// Every area, by name.
    pub async fn areas(&self) -> Result<Vec<Area>, StoreError> {
        let rows = sqlx::query("SELECT id, code, name FROM areas ORDER BY name")
            .fetch_all(&self.reader)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(Area {
                    id: parsed(&text(r, "id")?, "area id")?,
                    code: text(r, "code")?,
                    name: text(r, "name")?,
                })
            })
            .collect()
    }

    /// Every agency with the areas it serves, by name.
    pub async fn agencies(&self) -> Result<Vec<Agency>, StoreError> {
        let rows = sqlx::query(
            "SELECT a.id, a.name, a.kind, aa.area_id FROM agencies a \
             LEFT JOIN agency_areas aa ON aa.agency_id = a.id ORDER BY a.name, a.id",
        )
        .fetch_all(&self.reader)
        .await?;
        let mut out: Vec<Agency> = Vec::new();
        for r in &rows {
            let id: AgencyId = parsed(&text(r, "id")?, "agency id")?;
            if out.last().map(|a| a.id) != Some(id) {
                out.push(Agency {
                    id,
                    name: text(r, "name")?,
                    kind: parsed(&text(r, "kind")?, "agency kind")?,
                    areas: Vec::new(),
                });
            }
            if let (Some(agency), Some(area)) = (out.last_mut(), crate::db::opt_text(r, "area_id")?)
            {
                agency.areas.push(parsed(&area, "area id")?);
            }
        }
        Ok(out)
    }

    /// One agency with its areas.
    pub async fn agency(&self, id: AgencyId) -> Result<Agency, StoreError> {
        let row = sqlx::query("SELECT id, name, kind FROM agencies WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&self.reader)
            .await?
            .ok_or(StoreError::NotFound)?;
        let areas =
            sqlx::query("SELECT area_id FROM agency_areas WHERE agency_id = $1 ORDER BY area_id")
                .bind(id.to_string())
                .fetch_all(&self.reader)
                .await?
                .iter()
                .map(|r| parsed(&text(r, "area_id")?, "area id"))
                .collect::<Result<_, _>>()?;
        Ok(Agency {
            id,
            name: text(&row, "name")?,
            kind: parsed(&text(&row, "kind")?, "agency kind")?,
            areas,
        })
    }

    /// The teams of an agency, by name.
    pub async fn teams(&self, agency: AgencyId) -> Result<Vec<Team>, StoreError> {
        let rows = sqlx::query("SELECT id, name FROM teams WHERE agency_id = $1 ORDER BY name")
            .bind(agency.to_string())
            .fetch_all(&self.reader)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(Team {
                    id: parsed(&text(r, "id")?, "team id")?,
                    agency,
                    name: text(r, "name")?,
                })
            })
            .collect()
    }
}
