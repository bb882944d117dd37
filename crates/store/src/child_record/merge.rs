//! Merging a duplicate child's record into the record kept, and undoing it exactly (R2.1).
//!
//! A merge moves every row that belongs to the duplicate to the kept record with
//! `UPDATE ... SET child_id`, and writes down the id of every row it moved, so that an undo
//! moves back exactly those rows and nothing that was added to the kept record since. The
//! duplicate itself stays, marked `merged_into`, so old links lead to the kept record.

use std::collections::BTreeMap;

use safehub_domain::{ChildId, UserId};
use safehub_intel::normalise::normalise_name;
use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;

use super::{AliasKind, NewAlias, add_alias};
use crate::db::{int, opt_int, opt_text, parsed, text};
use crate::{Store, StoreError};

/// Every table whose rows belong to one child through a `child_id` column, moved by a
/// merge. A store test checks that no table with a `child_id` column is missing, so a new
/// part of the record cannot be left behind on the duplicate. `child_agencies` is not
/// here: its rows are copied (see [`MergeMoves::agencies_copied`]).
pub const MOVED_TABLES: &[&str] = &[
    "child_aliases",
    "child_addresses",
    "child_professionals",
    "child_restrictions",
    "screenings",
    "referrals",
    "clocks",
    "notifications",
    "intel_children",
];

/// Exactly what a merge changed, stored with it as JSON so that it can be undone.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MergeMoves {
    /// For each table of [`MOVED_TABLES`], the ids of the rows moved to the kept record.
    pub rows: BTreeMap<String, Vec<String>>,
    /// Agencies involved with the duplicate that the kept record gained, as (agency id, how).
    /// Copied rather than moved, so everyone who could open the duplicate still can, and is
    /// sent on to the kept record.
    pub agencies_copied: Vec<(String, String)>,
    /// The alias made from the duplicate's name, if it was not already one of the kept
    /// record's names.
    pub alias_added: Option<String>,
    /// Possible-duplicate flags between the two records that the merge resolved.
    pub flags_resolved: Vec<String>,
}

impl MergeMoves {
    /// How many rows of each kind moved, for the audit entry and the page.
    pub fn counts(&self) -> BTreeMap<String, usize> {
        let mut out: BTreeMap<String, usize> = self
            .rows
            .iter()
            .map(|(table, ids)| (table.clone(), ids.len()))
            .collect();
        out.insert("child_agencies".into(), self.agencies_copied.len());
        out
    }
}

/// A merge of two records.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChildMerge {
    /// Its id.
    pub id: String,
    /// The record kept.
    pub kept: ChildId,
    /// The duplicate merged into it.
    pub merged: ChildId,
    /// What moved.
    pub moves: MergeMoves,
    /// Why, as given by the person who merged.
    pub reason: String,
    /// Who merged.
    pub merged_by: UserId,
    /// When.
    pub merged_at: i64,
    /// Who undid it and when, if it was undone.
    pub undone: Option<(UserId, i64)>,
}

/// Moves ids back in statements of at most this many parameters.
/// The records merged into the child `$1`, directly or through records merged into them, by
/// merges not undone: `merged_in(kept, merged)`. The same text on both databases.
pub(crate) const MERGED_IN: &str = "WITH RECURSIVE merged_in(kept, merged) AS ( \
       SELECT kept_id, merged_id FROM child_merges WHERE kept_id = $1 AND undone_at IS NULL \
       UNION SELECT m.kept_id, m.merged_id FROM child_merges m \
       JOIN merged_in i ON m.kept_id = i.merged WHERE m.undone_at IS NULL) ";

const CHUNK: usize = 500;

/// Merges `merged` into `kept`: moves the duplicate's rows in every table of
/// [`MOVED_TABLES`], gives the kept record the duplicate's agencies and its name as an
/// alias, resolves the flags between the two, marks the duplicate `merged_into` and bumps
/// both versions. Run it in the transaction that writes the audit entry.
///
/// A record merged already (on either side) or merged into itself is
/// [`StoreError::Conflict`].
pub async fn merge_children(
    conn: &mut AnyConnection,
    kept: ChildId,
    merged: ChildId,
    reason: &str,
    by: UserId,
) -> Result<ChildMerge, StoreError> {
    if kept == merged {
        return Err(StoreError::Conflict(
            "a record cannot be merged into itself",
        ));
    }
    let (k, m) = (kept.to_string(), merged.to_string());
    // Takes both rows (so a concurrent merge of either waits) and checks neither is merged.
    let locked = sqlx::query(
        "UPDATE children SET version = version + 1 \
         WHERE id IN ($1, $2) AND merged_into IS NULL",
    )
    .bind(&k)
    .bind(&m)
    .execute(&mut *conn)
    .await?;
    if locked.rows_affected() != 2 {
        return Err(StoreError::Conflict("record already merged"));
    }

    let mut moves = MergeMoves::default();
    for table in MOVED_TABLES {
        let sql = format!("UPDATE {table} SET child_id = $1 WHERE child_id = $2 RETURNING id");
        let mut ids: Vec<String> = sqlx::query(&sql)
            .bind(&k)
            .bind(&m)
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| text(r, "id"))
            .collect::<Result<_, _>>()?;
        ids.sort();
        moves.rows.insert((*table).to_owned(), ids);
    }

    let theirs =
        sqlx::query("SELECT agency_id, how, since FROM child_agencies WHERE child_id = $1")
            .bind(&m)
            .fetch_all(&mut *conn)
            .await?;
    for r in &theirs {
        let (agency, how) = (text(r, "agency_id")?, text(r, "how")?);
        let added = sqlx::query(
            "INSERT INTO child_agencies (child_id, agency_id, how, since) \
             SELECT $1, $2, $3, $4 WHERE NOT EXISTS \
             (SELECT 1 FROM child_agencies WHERE child_id = $1 AND agency_id = $2 AND how = $3)",
        )
        .bind(&k)
        .bind(&agency)
        .bind(&how)
        .bind(int(r, "since")?)
        .execute(&mut *conn)
        .await?;
        if added.rows_affected() == 1 {
            moves.agencies_copied.push((agency, how));
        }
    }
    moves.agencies_copied.sort();

    // The duplicate's name becomes an alias of the kept record, unless it is one already.
    let names =
        sqlx::query("SELECT id, given_name, family_name FROM children WHERE id IN ($1, $2)")
            .bind(&k)
            .bind(&m)
            .fetch_all(&mut *conn)
            .await?;
    let mut theirs_name = String::new();
    let mut known = Vec::new();
    for r in &names {
        let full = format!("{} {}", text(r, "given_name")?, text(r, "family_name")?);
        if text(r, "id")? == m {
            theirs_name = full;
        } else {
            known.push(normalise_name(&full));
        }
    }
    for r in sqlx::query("SELECT name FROM child_aliases WHERE child_id = $1")
        .bind(&k)
        .fetch_all(&mut *conn)
        .await?
    {
        known.push(normalise_name(&text(&r, "name")?));
    }
    if !known.contains(&normalise_name(&theirs_name)) {
        let alias = NewAlias {
            name: theirs_name,
            kind: AliasKind::Alias,
        };
        moves.alias_added = Some(add_alias(conn, kept, &alias).await?);
    }

    let now = crate::now_ms();
    let mut flags: Vec<String> = sqlx::query(
        "UPDATE child_duplicate_flags SET resolved_at = $1, resolved_by = $2, resolution = 'merged' \
         WHERE resolved_at IS NULL AND ((child_id = $3 AND candidate_id = $4) \
         OR (child_id = $4 AND candidate_id = $3)) RETURNING id",
    )
    .bind(now)
    .bind(by.to_string())
    .bind(&k)
    .bind(&m)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| text(r, "id"))
    .collect::<Result<_, _>>()?;
    flags.sort();
    moves.flags_resolved = flags;

    sqlx::query("UPDATE children SET merged_into = $1 WHERE id = $2")
        .bind(&k)
        .bind(&m)
        .execute(&mut *conn)
        .await?;

    let id = uuid::Uuid::now_v7().to_string();
    let moved = serde_json::to_string(&moves)
        .map_err(|e| StoreError::Corrupt(format!("merge moves: {e}")))?;
    sqlx::query(
        "INSERT INTO child_merges (id, kept_id, merged_id, moved, reason, merged_by, merged_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&id)
    .bind(&k)
    .bind(&m)
    .bind(moved)
    .bind(reason)
    .bind(by.to_string())
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(ChildMerge {
        id,
        kept,
        merged,
        moves,
        reason: reason.to_owned(),
        merged_by: by,
        merged_at: now,
        undone: None,
    })
}

/// Undoes a merge: moves back exactly the rows it moved, takes away the agencies and alias
/// it added, reopens the flags it resolved, clears `merged_into` and bumps both versions.
///
/// A merge already undone, or whose kept record has itself been merged since (undo that
/// one first), is [`StoreError::Conflict`]; an unknown merge is [`StoreError::NotFound`].
pub async fn undo_merge(
    conn: &mut AnyConnection,
    merge_id: &str,
    by: UserId,
) -> Result<ChildMerge, StoreError> {
    let row = sqlx::query(&format!("{MERGE_COLUMNS} WHERE id = $1"))
        .bind(merge_id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let mut merge = read_merge(&row)?;
    if merge.undone.is_some() {
        return Err(StoreError::Conflict("merge already undone"));
    }
    let (k, m) = (merge.kept.to_string(), merge.merged.to_string());
    let kept_free = sqlx::query(
        "UPDATE children SET version = version + 1 WHERE id = $1 AND merged_into IS NULL",
    )
    .bind(&k)
    .execute(&mut *conn)
    .await?;
    if kept_free.rows_affected() != 1 {
        return Err(StoreError::Conflict("kept record merged since"));
    }
    let unmerged = sqlx::query(
        "UPDATE children SET merged_into = NULL, version = version + 1 \
         WHERE id = $1 AND merged_into = $2",
    )
    .bind(&m)
    .bind(&k)
    .execute(&mut *conn)
    .await?;
    if unmerged.rows_affected() != 1 {
        return Err(StoreError::Conflict("merge already undone"));
    }

    // Table names come from the fixed list, never from the stored JSON.
    for table in MOVED_TABLES {
        let Some(ids) = merge.moves.rows.get(*table) else {
            continue;
        };
        for chunk in ids.chunks(CHUNK) {
            let list = (3..chunk.len() + 3)
                .map(|i| format!("${i}"))
                .collect::<Vec<_>>()
                .join(", ");
            let sql =
                format!("UPDATE {table} SET child_id = $1 WHERE child_id = $2 AND id IN ({list})");
            let mut q = sqlx::query(&sql).bind(&m).bind(&k);
            for id in chunk {
                q = q.bind(id.clone());
            }
            q.execute(&mut *conn).await?;
        }
    }
    for (agency, how) in &merge.moves.agencies_copied {
        sqlx::query(
            "DELETE FROM child_agencies WHERE child_id = $1 AND agency_id = $2 AND how = $3",
        )
        .bind(&k)
        .bind(agency)
        .bind(how)
        .execute(&mut *conn)
        .await?;
    }
    if let Some(alias) = &merge.moves.alias_added {
        sqlx::query("DELETE FROM child_aliases WHERE id = $1 AND child_id = $2")
            .bind(alias)
            .bind(&k)
            .execute(&mut *conn)
            .await?;
    }
    for id in &merge.moves.flags_resolved {
        sqlx::query(
            "UPDATE child_duplicate_flags SET resolved_at = NULL, resolved_by = NULL, \
             resolution = NULL WHERE id = $1",
        )
        .bind(id)
        .execute(&mut *conn)
        .await?;
    }
    let now = crate::now_ms();
    sqlx::query("UPDATE child_merges SET undone_at = $1, undone_by = $2 WHERE id = $3")
        .bind(now)
        .bind(by.to_string())
        .bind(merge_id)
        .execute(&mut *conn)
        .await?;
    merge.undone = Some((by, now));
    Ok(merge)
}

const MERGE_COLUMNS: &str = "SELECT id, kept_id, merged_id, moved, reason, merged_by, merged_at, \
     undone_by, undone_at FROM child_merges";

fn read_merge(r: &sqlx::any::AnyRow) -> Result<ChildMerge, StoreError> {
    let moves: MergeMoves = serde_json::from_str(&text(r, "moved")?)
        .map_err(|e| StoreError::Corrupt(format!("merge moves: {e}")))?;
    let undone = match (opt_text(r, "undone_by")?, opt_int(r, "undone_at")?) {
        (Some(by), Some(at)) => Some((parsed(&by, "user id")?, at)),
        _ => None,
    };
    Ok(ChildMerge {
        id: text(r, "id")?,
        kept: parsed(&text(r, "kept_id")?, "child id")?,
        merged: parsed(&text(r, "merged_id")?, "child id")?,
        moves,
        reason: text(r, "reason")?,
        merged_by: parsed(&text(r, "merged_by")?, "user id")?,
        merged_at: int(r, "merged_at")?,
        undone,
    })
}

impl Store {
    /// One merge, undone or not.
    pub async fn child_merge(&self, id: &str) -> Result<Option<ChildMerge>, StoreError> {
        sqlx::query(&format!("{MERGE_COLUMNS} WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.reader)
            .await?
            .as_ref()
            .map(read_merge)
            .transpose()
    }

    /// The merges that kept this record or merged it away, newest first.
    pub async fn merges_involving(&self, child: ChildId) -> Result<Vec<ChildMerge>, StoreError> {
        sqlx::query(&format!(
            "{MERGE_COLUMNS} WHERE kept_id = $1 OR merged_id = $1 ORDER BY merged_at DESC, id"
        ))
        .bind(child.to_string())
        .fetch_all(&self.reader)
        .await?
        .iter()
        .map(read_merge)
        .collect()
    }
}
