//! Statutory clocks (R3): what must happen by when and who owns it; work trays; the overdue
//! clocks the escalation worker sends to managers; and the days administrators add to the
//! shipped working-day calendar.

use jiff::civil::Date;
use safehub_domain::pathway::{ClockEnd, ClockKind};
use safehub_domain::{AgencyId, ChildId, TeamId, UserId, WorkingCalendar};
use sqlx::AnyConnection;

use crate::db::{int, opt_int, opt_text, parsed, placeholders_from, text};
use crate::{Store, StoreError};

/// One clock.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Clock {
    /// Its id.
    pub id: String,
    /// What must happen.
    pub kind: ClockKind,
    /// The child.
    pub child: ChildId,
    /// The referral that started it, if any.
    pub referral: Option<String>,
    /// When it started (ms UTC).
    pub started_at: i64,
    /// The last instant in time (ms UTC).
    pub due_at: i64,
    /// The day it is due in London (ISO date).
    pub due_day: String,
    /// The agency that owns it.
    pub owner_agency: AgencyId,
    /// The team that owns it, if any.
    pub owner_team: Option<TeamId>,
    /// The person who owns it, if any.
    pub owner_user: Option<UserId>,
    /// When it ended, if it has.
    pub ended_at: Option<i64>,
    /// How it ended.
    pub ended_how: Option<ClockEnd>,
    /// When it was escalated to the owner's manager, if it was.
    pub escalated_at: Option<i64>,
}

const COLUMNS: &str = "k.id, k.kind, k.child_id, k.referral_id, k.started_at, k.due_at, \
     k.due_day, k.owner_agency, k.owner_team, k.owner_user, k.ended_at, k.ended_how, \
     k.escalated_at";

fn read(r: &sqlx::any::AnyRow) -> Result<Clock, StoreError> {
    Ok(Clock {
        id: text(r, "id")?,
        kind: parsed(&text(r, "kind")?, "clock kind")?,
        child: parsed(&text(r, "child_id")?, "child id")?,
        referral: opt_text(r, "referral_id")?,
        started_at: int(r, "started_at")?,
        due_at: int(r, "due_at")?,
        due_day: text(r, "due_day")?,
        owner_agency: parsed(&text(r, "owner_agency")?, "agency id")?,
        owner_team: opt_text(r, "owner_team")?
            .map(|t| parsed(&t, "team id"))
            .transpose()?,
        owner_user: opt_text(r, "owner_user")?
            .map(|u| parsed(&u, "user id"))
            .transpose()?,
        ended_at: opt_int(r, "ended_at")?,
        ended_how: opt_text(r, "ended_how")?
            .map(|h| parsed(&h, "clock end"))
            .transpose()?,
        escalated_at: opt_int(r, "escalated_at")?,
    })
}

/// Starts a clock.
pub async fn start(conn: &mut AnyConnection, c: &Clock) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO clocks (id, kind, child_id, referral_id, started_at, due_at, due_day, \
         owner_agency, owner_team, owner_user, ended_at, ended_how, escalated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, NULL, NULL, NULL)",
    )
    .bind(&c.id)
    .bind(c.kind.code())
    .bind(c.child.to_string())
    .bind(c.referral.clone())
    .bind(c.started_at)
    .bind(c.due_at)
    .bind(&c.due_day)
    .bind(c.owner_agency.to_string())
    .bind(c.owner_team.map(|t| t.to_string()))
    .bind(c.owner_user.map(|u| u.to_string()))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Ends the open clocks of a referral of the given kinds; returns how many ended.
pub async fn end_for_referral(
    conn: &mut AnyConnection,
    referral: &str,
    kinds: &[ClockKind],
    how: ClockEnd,
    at: i64,
) -> Result<u64, StoreError> {
    if kinds.is_empty() {
        return Ok(0);
    }
    let sql = format!(
        "UPDATE clocks SET ended_at = $1, ended_how = $2 \
         WHERE referral_id = $3 AND ended_at IS NULL AND kind IN ({})",
        placeholders_from(4, kinds.len())
    );
    let mut q = sqlx::query(&sql).bind(at).bind(how.code()).bind(referral);
    for k in kinds {
        q = q.bind(k.code());
    }
    Ok(q.execute(&mut *conn).await?.rows_affected())
}

/// Ends one open clock as done; returns false if it was not open.
pub async fn end(
    conn: &mut AnyConnection,
    id: &str,
    how: ClockEnd,
    at: i64,
) -> Result<bool, StoreError> {
    let n = sqlx::query(
        "UPDATE clocks SET ended_at = $1, ended_how = $2 WHERE id = $3 AND ended_at IS NULL",
    )
    .bind(at)
    .bind(how.code())
    .bind(id)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    Ok(n == 1)
}

/// Gives a referral's open clocks to a new owner (after the MASH decision).
pub async fn reassign_for_referral(
    conn: &mut AnyConnection,
    referral: &str,
    agency: AgencyId,
    team: Option<TeamId>,
    user: Option<UserId>,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE clocks SET owner_agency = $1, owner_team = $2, owner_user = $3 \
         WHERE referral_id = $4 AND ended_at IS NULL",
    )
    .bind(agency.to_string())
    .bind(team.map(|t| t.to_string()))
    .bind(user.map(|u| u.to_string()))
    .bind(referral)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Marks clocks as escalated.
pub async fn mark_escalated(
    conn: &mut AnyConnection,
    ids: &[String],
    at: i64,
) -> Result<(), StoreError> {
    for id in ids {
        sqlx::query("UPDATE clocks SET escalated_at = $1 WHERE id = $2 AND escalated_at IS NULL")
            .bind(at)
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// A clock on a work tray, with the child's name for the tray.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrayItem {
    /// The clock.
    pub clock: Clock,
    /// The child's name.
    pub child_name: String,
}

/// The parts of a work tray, each read through its own index.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TrayPart {
    /// Clocks one person owns.
    Yours,
    /// Clocks a team owns and no one person.
    Team,
    /// Clocks an agency owns and no team (the MASH's until it allocates them).
    Agency,
}

/// How many open clocks one part of a tray holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TrayCount {
    /// The part of the tray.
    pub part: TrayPart,
    /// Its open clocks.
    pub open: i64,
    /// Those of them overdue.
    pub overdue: i64,
}

impl TrayOwner {
    /// This owner with only the given part set (none if this owner does not set it).
    pub fn only(&self, part: TrayPart) -> TrayOwner {
        TrayOwner {
            user: self.user.filter(|_| part == TrayPart::Yours),
            team: self.team.filter(|_| part == TrayPart::Team),
            agency: self.agency.filter(|_| part == TrayPart::Agency),
        }
    }

    /// The parts this owner sets: the part, its condition on `clocks k` with `$N` for the
    /// owner's id, and the id.
    fn parts(&self) -> Vec<(TrayPart, &'static str, String)> {
        let mut parts = Vec::new();
        if let Some(user) = self.user {
            parts.push((TrayPart::Yours, "k.owner_user = $N", user.to_string()));
        }
        if let Some(team) = self.team {
            parts.push((
                TrayPart::Team,
                "k.owner_team = $N AND k.owner_user IS NULL",
                team.to_string(),
            ));
        }
        if let Some(agency) = self.agency {
            parts.push((
                TrayPart::Agency,
                "k.owner_agency = $N AND k.owner_team IS NULL AND k.owner_user IS NULL",
                agency.to_string(),
            ));
        }
        parts
    }
}

impl TrayItem {
    /// The part of the tray the clock is on, from who owns it.
    pub fn part(&self) -> TrayPart {
        match (self.clock.owner_user, self.clock.owner_team) {
            (Some(_), _) => TrayPart::Yours,
            (None, Some(_)) => TrayPart::Team,
            (None, None) => TrayPart::Agency,
        }
    }
}

/// Whose clocks a work tray shows; each level that is set is read through its own index.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrayOwner {
    /// Clocks this user owns.
    pub user: Option<UserId>,
    /// Clocks owned by this team and no one person.
    pub team: Option<TeamId>,
    /// Clocks owned by this agency and no team (the MASH's until it allocates them).
    pub agency: Option<AgencyId>,
}

impl Store {
    /// A clock by id.
    pub async fn clock(&self, id: &str) -> Result<Option<Clock>, StoreError> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM clocks k WHERE k.id = $1"))
            .bind(id)
            .fetch_optional(&self.reader)
            .await?;
        row.as_ref().map(read).transpose()
    }

    /// A child's clocks, open ones first by due time, then ended ones.
    pub async fn clocks_of_child(&self, child: ChildId) -> Result<Vec<Clock>, StoreError> {
        sqlx::query(&format!(
            "SELECT {COLUMNS} FROM clocks k WHERE k.child_id = $1 \
             ORDER BY CASE WHEN k.ended_at IS NULL THEN 0 ELSE 1 END, k.due_at"
        ))
        .bind(child.to_string())
        .fetch_all(&self.reader)
        .await?
        .iter()
        .map(read)
        .collect()
    }

    /// A referral's clocks.
    pub async fn clocks_of_referral(&self, referral: &str) -> Result<Vec<Clock>, StoreError> {
        sqlx::query(&format!(
            "SELECT {COLUMNS} FROM clocks k WHERE k.referral_id = $1 ORDER BY k.due_at"
        ))
        .bind(referral)
        .fetch_all(&self.reader)
        .await?
        .iter()
        .map(read)
        .collect()
    }

    /// The open clocks on a work tray, soonest due first (overdue at the top): from each
    /// part of the tray that `owner` sets (see [`TrayPart`]), up to `limit_per_part` after
    /// skipping the `offset` soonest.
    ///
    /// Each part is its own indexed range, so the page costs the same however many clocks
    /// other people own; the parts are read in one statement.
    pub async fn work_tray(
        &self,
        owner: &TrayOwner,
        limit_per_part: i64,
        offset: i64,
    ) -> Result<Vec<TrayItem>, StoreError> {
        let parts = owner.parts();
        if parts.is_empty() {
            return Ok(Vec::new());
        }
        let sql = parts
            .iter()
            .enumerate()
            .map(|(i, (_, clause, _))| {
                format!(
                    "SELECT * FROM (SELECT {COLUMNS}, \
                     c.given_name || ' ' || c.family_name AS child_name \
                     FROM clocks k JOIN children c ON c.id = k.child_id \
                     WHERE {} AND k.ended_at IS NULL ORDER BY k.due_at, k.id \
                     LIMIT {limit_per_part} OFFSET {offset}) p{i}",
                    clause.replace("$N", &format!("${}", i + 1))
                )
            })
            .collect::<Vec<_>>()
            .join(" UNION ALL ");
        let mut q = sqlx::query(&sql);
        for (_, _, value) in parts {
            q = q.bind(value);
        }
        let mut items = q
            .fetch_all(&self.reader)
            .await?
            .iter()
            .map(|r| {
                Ok(TrayItem {
                    clock: read(r)?,
                    child_name: text(r, "child_name")?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        items.sort_by(|a, b| (a.clock.due_at, &a.clock.id).cmp(&(b.clock.due_at, &b.clock.id)));
        Ok(items)
    }

    /// How many open clocks each part of the tray that `owner` sets holds, and how many of
    /// those are overdue at `now`, in the order of [`TrayPart`].
    pub async fn tray_counts(
        &self,
        owner: &TrayOwner,
        now: i64,
    ) -> Result<Vec<TrayCount>, StoreError> {
        let parts = owner.parts();
        if parts.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {}",
            parts
                .iter()
                .enumerate()
                .map(|(i, (_, clause, _))| {
                    let clause = clause.replace("$N", &format!("${}", i + 1));
                    format!(
                        "(SELECT COUNT(*) FROM clocks k WHERE {clause} AND k.ended_at IS NULL) \
                         AS open{i}, \
                         (SELECT COUNT(*) FROM clocks k WHERE {clause} AND k.ended_at IS NULL \
                         AND k.due_at < {now}) AS overdue{i}"
                    )
                })
                .collect::<Vec<_>>()
                .join(", ")
        );
        let mut q = sqlx::query(&sql);
        for (_, _, value) in &parts {
            q = q.bind(value.clone());
        }
        let row = q.fetch_one(&self.reader).await?;
        parts
            .iter()
            .enumerate()
            .map(|(i, (part, _, _))| {
                Ok(TrayCount {
                    part: *part,
                    open: int(&row, &format!("open{i}"))?,
                    overdue: int(&row, &format!("overdue{i}"))?,
                })
            })
            .collect()
    }

    /// Open clocks overdue at `now` and not yet escalated, oldest first.
    pub async fn overdue_unescalated(
        &self,
        now: i64,
        limit: i64,
    ) -> Result<Vec<Clock>, StoreError> {
        sqlx::query(&format!(
            "SELECT {COLUMNS} FROM clocks k \
             WHERE k.ended_at IS NULL AND k.due_at < $1 AND k.escalated_at IS NULL \
             ORDER BY k.due_at LIMIT {limit}"
        ))
        .bind(now)
        .fetch_all(&self.reader)
        .await?
        .iter()
        .map(read)
        .collect()
    }

    /// The managers a clock escalates to: the team managers of the owning team (or of the
    /// owner's team), or else of the owning agency. Disabled accounts are left out.
    pub async fn managers_for(&self, clock: &Clock) -> Result<Vec<(UserId, String)>, StoreError> {
        let team = match (clock.owner_team, clock.owner_user) {
            (Some(t), _) => Some(t.to_string()),
            (None, Some(u)) => {
                let row = sqlx::query("SELECT team_id FROM users WHERE id = $1")
                    .bind(u.to_string())
                    .fetch_optional(&self.reader)
                    .await?;
                row.as_ref()
                    .map(|r| opt_text(r, "team_id"))
                    .transpose()?
                    .flatten()
            }
            (None, None) => None,
        };
        let base = "SELECT u.id, u.email FROM users u JOIN user_roles r ON r.user_id = u.id \
                    WHERE r.role = 'team_manager' AND u.disabled_at IS NULL";
        let rows = match team {
            Some(team) => {
                let rows = sqlx::query(&format!("{base} AND u.team_id = $1 ORDER BY u.id"))
                    .bind(team)
                    .fetch_all(&self.reader)
                    .await?;
                if rows.is_empty() { None } else { Some(rows) }
            }
            None => None,
        };
        let rows = match rows {
            Some(rows) => rows,
            None => {
                sqlx::query(&format!("{base} AND u.agency_id = $1 ORDER BY u.id"))
                    .bind(clock.owner_agency.to_string())
                    .fetch_all(&self.reader)
                    .await?
            }
        };
        rows.iter()
            .map(|r| Ok((parsed(&text(r, "id")?, "user id")?, text(r, "email")?)))
            .collect()
    }

    /// The non-working days administrators added to the shipped calendar.
    pub async fn extra_closed_days(&self) -> Result<Vec<(String, String)>, StoreError> {
        sqlx::query("SELECT day, name FROM calendar_days WHERE kind = 'closed' ORDER BY day")
            .fetch_all(&self.reader)
            .await?
            .iter()
            .map(|r| Ok((text(r, "day")?, text(r, "name")?)))
            .collect()
    }

    /// The days administrators closed, with their names, in order. A stored day that is
    /// not a date is corrupt data.
    pub async fn closed_days(&self) -> Result<Vec<(Date, String)>, StoreError> {
        self.extra_closed_days()
            .await?
            .into_iter()
            .map(|(day, name)| Ok((parsed(&day, "closed day")?, name)))
            .collect()
    }

    /// The region's working-day calendar: the shipped England and Wales bank holidays plus
    /// the days administrators closed.
    pub async fn working_calendar(&self) -> Result<WorkingCalendar, StoreError> {
        let days = self.closed_days().await?.into_iter().map(|(day, _)| day);
        Ok(WorkingCalendar::england_and_wales().with_extra(days))
    }

    /// How many clocks are open.
    pub async fn open_clock_count(&self) -> Result<i64, StoreError> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM clocks WHERE ended_at IS NULL")
            .fetch_one(&self.reader)
            .await?;
        int(&row, "n")
    }
}

/// Adds a non-working day to the calendar (an extra bank holiday). Returns false if the day
/// was already added.
pub async fn add_closed_day(
    conn: &mut AnyConnection,
    day: &str,
    name: &str,
    by: UserId,
) -> Result<bool, StoreError> {
    let n = sqlx::query(
        "INSERT INTO calendar_days (day, kind, name, added_by, added_at) \
         SELECT $1, 'closed', $2, $3, $4 WHERE NOT EXISTS (SELECT 1 FROM calendar_days WHERE day = $1)",
    )
    .bind(day)
    .bind(name)
    .bind(by.to_string())
    .bind(crate::now_ms())
    .execute(&mut *conn)
    .await?
    .rows_affected();
    Ok(n == 1)
}
