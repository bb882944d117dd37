//! What the intelligence analysis reads and keeps (R5.2, R7.2, WM-27.1): every piece of
//! information of the submissions about some areas, the children they concern, analysts'
//! decisions on links between persons, and where postcodes are.
//!
//! The linking itself is the `safehub_intel` engine's; this module only reads its input and
//! stores what analysts decide.

use std::collections::HashMap;

use safehub_domain::intelligence::Item;
use safehub_domain::{AreaId, ChildId, UserId};
use sqlx::AnyConnection;

use super::read_item;
use crate::db::{int, parsed, placeholders, text};
use crate::{Store, StoreError};

/// One piece of information with where it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnalysisItem {
    /// The item's id (`{submission}/{position}`).
    pub id: String,
    /// The submission it is part of.
    pub submission_id: String,
    /// The area the submission concerns.
    pub area: AreaId,
    /// When the submission was received (ms UTC).
    pub received_at: i64,
    /// What was shared.
    pub item: Item,
}

/// An analyst's verdict on two persons mentioned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The same person: the link is accepted, or two subjects are merged.
    Same,
    /// Different people: the link is rejected.
    Different,
}

impl Verdict {
    /// The stored code.
    pub const fn code(self) -> &'static str {
        match self {
            Verdict::Same => "same",
            Verdict::Different => "different",
        }
    }

    /// Parses a stored code.
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "same" => Some(Verdict::Same),
            "different" => Some(Verdict::Different),
            _ => None,
        }
    }
}

/// A kept decision about two persons mentioned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkDecision {
    /// Its id.
    pub id: String,
    /// The item that sorts first.
    pub item_a: String,
    /// The other item.
    pub item_b: String,
    /// Same person or not.
    pub verdict: Verdict,
    /// Why, in the analyst's words.
    pub reason: String,
    /// Who decided.
    pub decided_by: UserId,
    /// When (ms UTC).
    pub decided_at: i64,
}

/// Everything the analysis of some areas reads, in one consistent order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AnalysisInput {
    /// The items, by id.
    pub items: Vec<AnalysisItem>,
    /// (submission, child) for every child a submission concerns.
    pub children: Vec<(String, ChildId)>,
    /// Every decision about two of these items, oldest first.
    pub decisions: Vec<LinkDecision>,
    /// Where each postcode of these items is, by postcode (`B1 1AA`): (easting, northing).
    pub locations: HashMap<String, (f64, f64)>,
}

/// Records an analyst's decision about two persons mentioned, in the caller's transaction.
/// Earlier decisions about the pair are kept; the latest wins.
pub async fn record_decision(
    conn: &mut AnyConnection,
    a: &str,
    b: &str,
    verdict: Verdict,
    reason: &str,
    by: UserId,
    at: i64,
) -> Result<LinkDecision, StoreError> {
    let (a, b) = if a <= b { (a, b) } else { (b, a) };
    let decision = LinkDecision {
        id: uuid::Uuid::new_v4().to_string(),
        item_a: a.to_owned(),
        item_b: b.to_owned(),
        verdict,
        reason: reason.trim().to_owned(),
        decided_by: by,
        decided_at: at,
    };
    sqlx::query(
        "INSERT INTO intel_link_decisions (id, item_a, item_b, verdict, reason, decided_by, \
         decided_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&decision.id)
    .bind(&decision.item_a)
    .bind(&decision.item_b)
    .bind(verdict.code())
    .bind(&decision.reason)
    .bind(by.to_string())
    .bind(at)
    .execute(&mut *conn)
    .await?;
    Ok(decision)
}

/// Stores postcode locations (easting, northing in metres), replacing any already held for
/// the same postcodes, in the caller's transaction. Returns how many were stored.
pub async fn load_postcode_locations(
    conn: &mut AnyConnection,
    rows: &[(String, i64, i64)],
) -> Result<usize, StoreError> {
    for (postcode, easting, northing) in rows {
        sqlx::query("DELETE FROM postcode_locations WHERE postcode = $1")
            .bind(postcode)
            .execute(&mut *conn)
            .await?;
        sqlx::query(
            "INSERT INTO postcode_locations (postcode, easting, northing) VALUES ($1, $2, $3)",
        )
        .bind(postcode)
        .bind(easting)
        .bind(northing)
        .execute(&mut *conn)
        .await?;
    }
    Ok(rows.len())
}

impl Store {
    /// Reads what the analysis of `areas` needs: the items of every submission about those
    /// areas, the children concerned, the decisions about those items and the locations of
    /// their postcodes (normalised by `postcode_key`).
    pub async fn intel_analysis_input(
        &self,
        areas: &[AreaId],
        postcode_key: impl Fn(&str) -> Option<String>,
    ) -> Result<AnalysisInput, StoreError> {
        if areas.is_empty() {
            return Ok(AnalysisInput::default());
        }
        let mut conn = self.reader.acquire().await?;
        let in_areas = placeholders(areas.len());
        let sql = format!(
            "SELECT i.id, i.submission_id, s.area_id, s.received_at, i.kind, i.name, \
             i.nicknames, i.approx_age, i.description, i.marks, i.vrm, i.make, i.model, \
             i.colour, i.phone, i.address, i.postcode, i.seen_on \
             FROM intel_items i JOIN intel_submissions s ON s.id = i.submission_id \
             WHERE s.area_id IN ({in_areas}) ORDER BY i.id"
        );
        let mut q = sqlx::query(&sql);
        for a in areas {
            q = q.bind(a.to_string());
        }
        let items = q
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| {
                Ok(AnalysisItem {
                    id: text(r, "id")?,
                    submission_id: text(r, "submission_id")?,
                    area: parsed(&text(r, "area_id")?, "area id")?,
                    received_at: int(r, "received_at")?,
                    item: read_item(r)?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let sql = format!(
            "SELECT DISTINCT c.submission_id, c.child_id FROM intel_children c \
             JOIN intel_submissions s ON s.id = c.submission_id \
             WHERE s.area_id IN ({in_areas}) ORDER BY c.submission_id, c.child_id"
        );
        let mut q = sqlx::query(&sql);
        for a in areas {
            q = q.bind(a.to_string());
        }
        let children = q
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| {
                Ok((
                    text(r, "submission_id")?,
                    parsed(&text(r, "child_id")?, "child id")?,
                ))
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        // A decision counts when both its items are in these areas.
        let sql = format!(
            "SELECT d.id, d.item_a, d.item_b, d.verdict, d.reason, d.decided_by, d.decided_at \
             FROM intel_link_decisions d \
             JOIN intel_items ia ON ia.id = d.item_a \
             JOIN intel_submissions sa ON sa.id = ia.submission_id \
             JOIN intel_items ib ON ib.id = d.item_b \
             JOIN intel_submissions sb ON sb.id = ib.submission_id \
             WHERE sa.area_id IN ({in_areas}) AND sb.area_id IN ({}) \
             ORDER BY d.decided_at, d.id",
            crate::db::placeholders_from(areas.len() + 1, areas.len())
        );
        let mut q = sqlx::query(&sql);
        for a in areas.iter().chain(areas) {
            q = q.bind(a.to_string());
        }
        let decisions = q
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(read_decision)
            .collect::<Result<Vec<_>, _>>()?;
        let mut postcodes: Vec<String> = items
            .iter()
            .filter_map(|i| postcode_key(&i.item.postcode))
            .collect();
        postcodes.sort_unstable();
        postcodes.dedup();
        let mut locations = HashMap::new();
        for chunk in postcodes.chunks(200) {
            let sql = format!(
                "SELECT postcode, easting, northing FROM postcode_locations \
                 WHERE postcode IN ({})",
                placeholders(chunk.len())
            );
            let mut q = sqlx::query(&sql);
            for p in chunk {
                q = q.bind(p);
            }
            for r in q.fetch_all(&mut *conn).await? {
                locations.insert(
                    text(&r, "postcode")?,
                    (int(&r, "easting")? as f64, int(&r, "northing")? as f64),
                );
            }
        }
        Ok(AnalysisInput {
            items,
            children,
            decisions,
            locations,
        })
    }

    /// A fingerprint of everything the analysis reads: it changes whenever an item, a
    /// child concerned (a merge of two records moves them), a decision or a postcode
    /// location is added or changed, so a picture built at one fingerprint can be reused
    /// until it changes. Nothing the analysis reads is ever deleted. (PostgreSQL sums big
    /// integers as numerics, hence the cast.)
    pub async fn intel_fingerprint(&self) -> Result<[i64; 6], StoreError> {
        let r = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM intel_items) AS items, \
             (SELECT COUNT(*) FROM intel_children) AS children, \
             (SELECT COUNT(*) FROM intel_link_decisions) AS decisions, \
             (SELECT COUNT(*) FROM child_merges) AS merges, \
             (SELECT COUNT(undone_at) FROM child_merges) AS undone, \
             (SELECT CAST(COALESCE(SUM(easting), 0) + COALESCE(SUM(northing), 0) + COUNT(*) \
              AS BIGINT) FROM postcode_locations) AS places",
        )
        .fetch_one(&self.reader)
        .await?;
        Ok([
            int(&r, "items")?,
            int(&r, "children")?,
            int(&r, "decisions")?,
            int(&r, "merges")?,
            int(&r, "undone")?,
            int(&r, "places")?,
        ])
    }

    /// How many postcode locations are held.
    pub async fn count_postcode_locations(&self) -> Result<i64, StoreError> {
        let r = sqlx::query("SELECT COUNT(*) AS n FROM postcode_locations")
            .fetch_one(&self.reader)
            .await?;
        int(&r, "n")
    }
}

fn read_decision(r: &sqlx::any::AnyRow) -> Result<LinkDecision, StoreError> {
    let verdict = text(r, "verdict")?;
    Ok(LinkDecision {
        id: text(r, "id")?,
        item_a: text(r, "item_a")?,
        item_b: text(r, "item_b")?,
        verdict: Verdict::from_code(&verdict)
            .ok_or_else(|| StoreError::Corrupt(format!("link verdict: {verdict:?}")))?,
        reason: text(r, "reason")?,
        decided_by: parsed(&text(r, "decided_by")?, "user id")?,
        decided_at: int(r, "decided_at")?,
    })
}
