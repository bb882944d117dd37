//! A child's chronology (R4.9): the events of the audit trail about the child and its
//! screenings, referrals and clocks, and who was told what. It is a view over the same
//! events as the audit trail (`ARCHITECTURE.md`), not a second record that could disagree.
//!
//! A duplicate record merged into the child's (decision 10) brings its history: the merge
//! moved its screenings, referrals, clocks and notifications, so their events follow them,
//! and the events about the duplicate record itself (who made it, when its details changed)
//! are read through the merges still in force, however many records were merged in turn.

use std::collections::HashSet;

use safehub_domain::ChildId;

use crate::child_record::MERGED_IN;
use crate::db::{int, opt_text, parsed, text};
use crate::{Store, StoreError};

/// One event in a child's chronology.
#[derive(Clone, Debug, PartialEq)]
pub struct ChronologyEvent {
    /// When (ms UTC).
    pub at: i64,
    /// Who acted (display name), or `None` for the system.
    pub actor: Option<String>,
    /// Their agency's name.
    pub agency: Option<String>,
    /// The audit action code (`create`, `change`, `share`...), or `told` for a notification.
    pub action: String,
    /// The record kind code (`child`, `screening`, `referral`, `clock`...).
    pub record_kind: String,
    /// The record's id.
    pub record_id: Option<String>,
    /// The audit entry's facts (codes and counts, never free text).
    pub detail: serde_json::Value,
    /// The duplicate record the event was recorded on, when it was not this child's own
    /// record but one merged into it.
    pub merged_record: Option<ChildId>,
}

impl Store {
    /// A child's chronology, oldest first: every allowed change to the child and to its
    /// screenings, referrals and clocks, and every notification about it, with the history
    /// of the duplicate records merged into it. A duplicate's own entry of being merged is
    /// left out: the kept record's entry of the same merge says it.
    pub async fn chronology(&self, child: ChildId) -> Result<Vec<ChronologyEvent>, StoreError> {
        let id = child.to_string();
        let merges = sqlx::query(&format!("{MERGED_IN}SELECT kept, merged FROM merged_in"))
            .bind(&id)
            .fetch_all(&self.reader)
            .await?
            .iter()
            .map(|r| Ok((text(r, "kept")?, text(r, "merged")?)))
            .collect::<Result<HashSet<(String, String)>, StoreError>>()?;
        let rows = sqlx::query(&format!(
            "{MERGED_IN}SELECT a.at, a.action, a.record_kind, a.record_id, a.detail, \
             u.display_name AS actor, g.name AS agency \
             FROM audit_entries a \
             LEFT JOIN users u ON u.id = a.actor_user \
             LEFT JOIN agencies g ON g.id = a.actor_agency \
             WHERE a.action <> 'view' AND a.outcome = 'allowed' AND ( \
               (a.record_kind = 'child' AND a.record_id IN \
                   (SELECT $1 UNION ALL SELECT merged FROM merged_in)) \
               OR (a.record_kind = 'referral' AND a.record_id IN \
                   (SELECT id FROM referrals WHERE child_id = $1)) \
               OR (a.record_kind = 'screening' AND a.record_id IN \
                   (SELECT id FROM screenings WHERE child_id = $1)) \
               OR (a.record_kind = 'clock' AND a.record_id IN \
                   (SELECT id FROM clocks WHERE child_id = $1))) \
             ORDER BY a.seq",
        ))
        .bind(&id)
        .fetch_all(&self.reader)
        .await?;
        let mut events = Vec::with_capacity(rows.len());
        for r in &rows {
            let record_kind = text(r, "record_kind")?;
            let record_id = opt_text(r, "record_id")?;
            let detail: serde_json::Value =
                serde_json::from_str(&text(r, "detail")?).unwrap_or(serde_json::Value::Null);
            let merged_record = match &record_id {
                Some(other) if record_kind == "child" && *other != id => {
                    if is_being_merged(&detail, other, &merges) {
                        continue;
                    }
                    Some(parsed(other, "child id")?)
                }
                _ => None,
            };
            events.push(ChronologyEvent {
                at: int(r, "at")?,
                actor: opt_text(r, "actor")?,
                agency: opt_text(r, "agency")?,
                action: text(r, "action")?,
                record_kind,
                record_id,
                detail,
                merged_record,
            });
        }
        let told = sqlx::query(
            "SELECT n.created_at, n.what, u.display_name AS actor, g.name AS agency \
             FROM notifications n JOIN users u ON u.id = n.user_id \
             JOIN agencies g ON g.id = u.agency_id WHERE n.child_id = $1",
        )
        .bind(&id)
        .fetch_all(&self.reader)
        .await?;
        for r in &told {
            events.push(ChronologyEvent {
                at: int(r, "created_at")?,
                actor: opt_text(r, "actor")?,
                agency: opt_text(r, "agency")?,
                action: "told".to_owned(),
                record_kind: "notification".to_owned(),
                record_id: None,
                detail: serde_json::json!({ "what": text(r, "what")? }),
                merged_record: None,
            });
        }
        // Stable: audit events keep their chain order within the same millisecond.
        events.sort_by_key(|e| e.at);
        Ok(events)
    }
}

/// True when `detail` is the entry on the duplicate `record` of its being merged by one of
/// `merges` (kept, merged): the kept record's own entry of that merge is shown instead.
fn is_being_merged(
    detail: &serde_json::Value,
    record: &str,
    merges: &HashSet<(String, String)>,
) -> bool {
    let field = |k: &str| detail.get(k).and_then(serde_json::Value::as_str);
    field("what") == Some("merge")
        && field("other").is_some_and(|kept| merges.contains(&(kept.to_owned(), record.to_owned())))
}
