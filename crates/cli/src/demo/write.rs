//! Stores the planned history through the same store functions the front door uses, a few
//! hundred referrals to a transaction so that seeding stays quick.

use anyhow::Result;
use safehub_domain::screening::{DEFAULT_TOOL_JSON, ScreeningTool};
use safehub_store::children::{self, Involvement};
use safehub_store::{Store, audit, clocks, notifications, referrals, screenings};

use super::referral::{DAY, Planned};

/// Referrals per write transaction.
const BATCH: usize = 250;

/// Makes sure the shipped screening tool is stored, as the screening pages do, so that
/// screenings can name its version.
pub async fn ensure_tool(store: &Store) -> Result<()> {
    let tool = ScreeningTool::default_tool()?;
    let mut tx = store.begin().await?;
    screenings::ensure_tool(&mut tx, tool.version(), DEFAULT_TOOL_JSON, None).await?;
    tx.commit().await?;
    Ok(())
}

/// Writes the referrals with their screenings, decisions, clocks, notifications and audit
/// entries. The audit entries carry the time they were written (the chain is never
/// back-dated), so a seeded child's chronology lists these events at the seeding time.
pub async fn referrals(store: &Store, planned: &[Planned], now: i64) -> Result<()> {
    for chunk in planned.chunks(BATCH) {
        let mut tx = store.begin().await?;
        let mut entries = Vec::new();
        for p in chunk {
            if let Some((s, key)) = &p.screening {
                screenings::submit(&mut tx, s, key).await?;
            }
            let r = &p.referral;
            referrals::insert_referral(&mut tx, r, &p.form_key).await?;
            children::add_agency(&mut tx, r.child, r.referrer_agency, Involvement::Involved)
                .await?;
            children::add_agency(&mut tx, r.child, r.mash_agency, Involvement::Routed).await?;
            for c in &p.clocks {
                clocks::start(&mut tx, c).await?;
            }
            if let Some(d) = &p.decision {
                referrals::decide(&mut tx, r.version, d).await?;
            }
            for c in &p.clocks {
                if let (Some(at), Some(how)) = (c.ended_at, c.ended_how) {
                    clocks::end(&mut tx, &c.id, how, at).await?;
                }
                if let Some(at) = c.escalated_at {
                    clocks::mark_escalated(&mut tx, std::slice::from_ref(&c.id), at).await?;
                }
            }
            for n in &p.notifications {
                notifications::notify(&mut tx, n, None).await?;
            }
            entries.extend(p.audit.iter().cloned());
        }
        audit::append(&mut tx, &entries).await?;
        tx.commit().await?;
    }
    // People have read what they were told more than ten days ago.
    let mut tx = store.begin().await?;
    // The store stamps an agency's involvement and an address with the time they are
    // written; give them the history's times instead: the recording agency from when the
    // child was recorded, the others from their first referral of the child.
    sqlx::query(
        "UPDATE child_agencies SET since = COALESCE( \
           (SELECT c.created_at FROM children c JOIN users u ON u.id = c.created_by \
            WHERE c.id = child_agencies.child_id AND u.agency_id = child_agencies.agency_id), \
           (SELECT MIN(r.received_at) FROM referrals r \
            WHERE r.child_id = child_agencies.child_id \
            AND (r.referrer_agency = child_agencies.agency_id \
                 OR r.mash_agency = child_agencies.agency_id)), \
           (SELECT c.created_at FROM children c WHERE c.id = child_agencies.child_id))",
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "UPDATE child_addresses SET created_at = \
         (SELECT c.created_at FROM children c WHERE c.id = child_addresses.child_id)",
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "UPDATE notifications SET read_at = created_at + 7200000 \
         WHERE read_at IS NULL AND created_at < $1",
    )
    .bind(now - 10 * DAY)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}
