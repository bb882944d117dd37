//! The audit trail: typed entries for every view, change, export, share and refusal, written
//! in the same transaction as the change they describe and chained by SHA-256 so that any
//! alteration, deletion, reordering or insertion is found by [`Store::verify_audit`].
//!
//! Views change nothing, so their entries go through [`AuditWriter`], which commits many at
//! once (group commit): a page is shown only after its entry is durably stored, and the cost
//! of the disk flush is shared by every request waiting at that moment.

use safehub_domain::ChildId;
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::AnyPool;
use tokio::sync::{mpsc, oneshot};

use crate::child_record::MERGED_IN;
use crate::db::{int, opt_text, text};
use crate::{Store, StoreError};

/// The hash that precedes the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

macro_rules! audit_codes {
    ($(#[$doc:meta])* $ty:ident { $( $(#[$vdoc:meta])* $variant:ident => $code:literal ),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $ty { $( $(#[$vdoc])* $variant ),+ }

        impl $ty {
            /// The stable code stored in the trail.
            pub const fn code(self) -> &'static str {
                match self { $($ty::$variant => $code),+ }
            }

            /// Reads a stored code.
            pub fn from_code(code: &str) -> Option<Self> {
                match code { $($code => Some($ty::$variant),)+ _ => None }
            }
        }
    };
}

audit_codes!(
    /// What was done.
    AuditAction {
        /// A record was opened (or a list of records shown).
        View => "view",
        /// A record was created.
        Create => "create",
        /// A record was changed.
        Change => "change",
        /// Data left the system as a file or print.
        Export => "export",
        /// Information was shared with another agency.
        Share => "share",
        /// A user signed in (password and second factor).
        SignIn => "sign_in",
        /// A password or second-factor code was wrong.
        SignInFailed => "sign_in_failed",
        /// Sign-in was refused because of repeated failures.
        SignInThrottled => "sign_in_throttled",
        /// A user signed out or a session was ended.
        SignOut => "sign_out",
        /// A user enrolled a second factor.
        EnrolSecondFactor => "enrol_second_factor",
        /// An administrator reset a user's second factor.
        ResetSecondFactor => "reset_second_factor",
        /// An account was disabled, ending its sessions.
        Disable => "disable",
        /// A request carried a forged or missing CSRF token.
        CsrfRejected => "csrf_rejected",
        /// The audit trail was verified.
        Verify => "verify",
        /// A duplicate child's record was merged into another (R2.1).
        Merge => "merge",
        /// A merge of two children's records was undone.
        UndoMerge => "undo_merge",
    }
);

audit_codes!(
    /// The kind of record an entry is about.
    RecordKind {
        /// A child's record.
        Child => "child",
        /// A list of children (a work tray or search).
        ChildList => "child_list",
        /// A user account.
        User => "user",
        /// A session.
        Session => "session",
        /// An API token.
        ApiToken => "api_token",
        /// A team inside an agency.
        Team => "team",
        /// The audit trail itself.
        AuditTrail => "audit_trail",
        /// A merge of two children's records, and what it moved.
        ChildMerge => "child_merge",
        /// A possible duplicate child's record kept for the MASH to check.
        DuplicateFlag => "duplicate_flag",
        /// A screening with the CSE screening tool.
        Screening => "screening",
        /// A version of the screening tool itself.
        ScreeningTool => "screening_tool",
        /// A contact or referral into the MASH, and its decision.
        Referral => "referral",
        /// The MASH queue.
        MashQueue => "mash_queue",
        /// A statutory clock.
        Clock => "clock",
        /// The working-day calendar.
        Calendar => "calendar",
        /// A letter to a referrer.
        Letter => "letter",
        /// A submission of the information sharing tool, and its police grading.
        IntelSubmission => "intel_submission",
        /// A list of information sharing submissions (the police inbox, a sender's list).
        IntelList => "intel_list",
        /// A subject's profile: a suspected perpetrator as the analysis resolves them.
        IntelSubject => "intel_subject",
        /// An analyst's decision on a link between two persons mentioned.
        IntelLink => "intel_link",
        /// An analysis view: the proposed links, the subjects and networks, the hotspots.
        IntelAnalysis => "intel_analysis",
    }
);

audit_codes!(
    /// Whether the action was allowed.
    AuditOutcome {
        /// Allowed and done.
        Allowed => "allowed",
        /// Refused by policy, credentials or validation.
        Refused => "refused",
    }
);

/// An entry to append; the sequence number, time and hashes are filled in when it is written.
#[derive(Clone, Debug, PartialEq)]
pub struct NewAuditEntry {
    /// The user who acted, if known.
    pub actor_user: Option<String>,
    /// The roles they acted in (comma-separated codes), or `anonymous` / `system`.
    pub actor_role: String,
    /// Their agency, if known.
    pub actor_agency: Option<String>,
    /// What was done.
    pub action: AuditAction,
    /// What kind of record.
    pub record_kind: RecordKind,
    /// Which record.
    pub record_id: Option<String>,
    /// Allowed or refused.
    pub outcome: AuditOutcome,
    /// The policies that decided (ids, comma-separated).
    pub policies: String,
    /// Where the request came from (client address, or `cli`).
    pub client: String,
    /// Extra facts as a JSON object: field names changed, counts, reasons. Never free text
    /// typed about a child.
    pub detail: serde_json::Value,
}

/// An entry as stored.
#[derive(Clone, Debug, PartialEq)]
pub struct AuditEntry {
    /// Position in the chain, from 1.
    pub seq: i64,
    /// When, in milliseconds since the epoch (UTC).
    pub at: i64,
    /// The entry's content.
    pub entry: NewAuditEntry,
    /// The hash of the previous entry.
    pub prev_hash: String,
    /// This entry's hash.
    pub hash: String,
}

/// The fields that are hashed, in a fixed order.
#[derive(Serialize)]
struct Canonical<'a> {
    seq: i64,
    at: i64,
    actor_user: Option<&'a str>,
    actor_role: &'a str,
    actor_agency: Option<&'a str>,
    action: &'a str,
    record_kind: &'a str,
    record_id: Option<&'a str>,
    outcome: &'a str,
    policies: &'a str,
    client: &'a str,
    detail: &'a str,
}

fn entry_hash(prev_hash: &str, seq: i64, at: i64, e: &RawEntry) -> String {
    let canonical = Canonical {
        seq,
        at,
        actor_user: e.actor_user.as_deref(),
        actor_role: &e.actor_role,
        actor_agency: e.actor_agency.as_deref(),
        action: &e.action,
        record_kind: &e.record_kind,
        record_id: e.record_id.as_deref(),
        outcome: &e.outcome,
        policies: &e.policies,
        client: &e.client,
        detail: &e.detail,
    };
    // Serialising plain strings and integers cannot fail.
    let json = serde_json::to_string(&canonical).unwrap_or_default();
    let mut h = Sha256::new();
    h.update(prev_hash.as_bytes());
    h.update(b"\n");
    h.update(json.as_bytes());
    hex::encode(h.finalize())
}

/// An entry's fields as text, exactly as stored (what verification hashes).
#[derive(Clone, Debug)]
struct RawEntry {
    actor_user: Option<String>,
    actor_role: String,
    actor_agency: Option<String>,
    action: String,
    record_kind: String,
    record_id: Option<String>,
    outcome: String,
    policies: String,
    client: String,
    detail: String,
}

impl From<&NewAuditEntry> for RawEntry {
    fn from(e: &NewAuditEntry) -> Self {
        RawEntry {
            actor_user: e.actor_user.clone(),
            actor_role: e.actor_role.clone(),
            actor_agency: e.actor_agency.clone(),
            action: e.action.code().to_owned(),
            record_kind: e.record_kind.code().to_owned(),
            record_id: e.record_id.clone(),
            outcome: e.outcome.code().to_owned(),
            policies: e.policies.clone(),
            client: e.client.clone(),
            detail: e.detail.to_string(),
        }
    }
}

impl RawEntry {
    fn read(row: &sqlx::any::AnyRow) -> Result<Self, StoreError> {
        Ok(RawEntry {
            actor_user: opt_text(row, "actor_user")?,
            actor_role: text(row, "actor_role")?,
            actor_agency: opt_text(row, "actor_agency")?,
            action: text(row, "action")?,
            record_kind: text(row, "record_kind")?,
            record_id: opt_text(row, "record_id")?,
            outcome: text(row, "outcome")?,
            policies: text(row, "policies")?,
            client: text(row, "client")?,
            detail: text(row, "detail")?,
        })
    }

    fn typed(self) -> Result<NewAuditEntry, StoreError> {
        let bad = |what: &str, v: &str| StoreError::Corrupt(format!("audit {what} {v:?}"));
        Ok(NewAuditEntry {
            action: AuditAction::from_code(&self.action)
                .ok_or_else(|| bad("action", &self.action))?,
            record_kind: RecordKind::from_code(&self.record_kind)
                .ok_or_else(|| bad("record kind", &self.record_kind))?,
            outcome: AuditOutcome::from_code(&self.outcome)
                .ok_or_else(|| bad("outcome", &self.outcome))?,
            detail: serde_json::from_str(&self.detail).map_err(|_| bad("detail", "(not JSON)"))?,
            actor_user: self.actor_user,
            actor_role: self.actor_role,
            actor_agency: self.actor_agency,
            record_id: self.record_id,
            policies: self.policies,
            client: self.client,
        })
    }
}

/// Appends entries inside an open transaction, returning their sequence numbers.
///
/// The head row is updated first: on PostgreSQL that row lock orders concurrent writers; on
/// SQLite the single writer connection already does.
pub async fn append(
    conn: &mut sqlx::AnyConnection,
    entries: &[NewAuditEntry],
) -> Result<Vec<i64>, StoreError> {
    if entries.is_empty() {
        return Ok(Vec::new());
    }
    let n =
        i64::try_from(entries.len()).map_err(|_| StoreError::Config("batch too large".into()))?;
    let head = sqlx::query("UPDATE audit_head SET seq = seq + $1 WHERE id = 1 RETURNING seq, hash")
        .bind(n)
        .fetch_one(&mut *conn)
        .await?;
    let last = int(&head, "seq")?;
    let mut prev = text(&head, "hash")?;
    let at = crate::now_ms();
    let mut seqs = Vec::with_capacity(entries.len());
    // Hash in order, then write in multi-row statements: one round trip per chunk instead
    // of one per entry keeps the group commit short.
    let mut rows = Vec::with_capacity(entries.len());
    for (i, e) in entries.iter().enumerate() {
        let seq = last - n + 1 + i as i64;
        let raw = RawEntry::from(e);
        let hash = entry_hash(&prev, seq, at, &raw);
        rows.push((seq, raw, std::mem::replace(&mut prev, hash.clone()), hash));
        seqs.push(seq);
    }
    for chunk in chunked(&rows) {
        let values = (0..chunk.len())
            .map(|r| {
                let cols = (1..=14)
                    .map(|c| format!("${}", r * 14 + c))
                    .collect::<Vec<_>>()
                    .join(", ");
                format!("({cols})")
            })
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "INSERT INTO audit_entries (seq, at, actor_user, actor_role, actor_agency, action, \
             record_kind, record_id, outcome, policies, client, detail, prev_hash, hash) VALUES {values}"
        );
        let mut q = sqlx::query(&sql);
        for (seq, raw, prev_hash, hash) in chunk {
            q = q
                .bind(*seq)
                .bind(at)
                .bind(raw.actor_user.clone())
                .bind(raw.actor_role.clone())
                .bind(raw.actor_agency.clone())
                .bind(raw.action.clone())
                .bind(raw.record_kind.clone())
                .bind(raw.record_id.clone())
                .bind(raw.outcome.clone())
                .bind(raw.policies.clone())
                .bind(raw.client.clone())
                .bind(raw.detail.clone())
                .bind(prev_hash.clone())
                .bind(hash.clone());
        }
        q.execute(&mut *conn).await?;
    }
    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
        .bind(prev)
        .execute(&mut *conn)
        .await?;
    Ok(seqs)
}

enum Message {
    Append(Box<NewAuditEntry>, oneshot::Sender<Result<i64, String>>),
    Stop(oneshot::Sender<()>),
}

/// Commits audit entries that stand alone (views, refusals, sign-ins) in groups.
#[derive(Clone)]
pub struct AuditWriter {
    tx: mpsc::Sender<Message>,
}

/// Rows per multi-row `INSERT`, largest first (14 parameters each, well inside both engines'
/// limits). A few fixed sizes keep the prepared-statement cache to four statements instead
/// of one per batch size.
const INSERT_CHUNKS: [usize; 4] = [64, 16, 4, 1];

/// Splits rows into chunks of the sizes in [`INSERT_CHUNKS`].
fn chunked<T>(rows: &[T]) -> Vec<&[T]> {
    let mut out = Vec::new();
    let mut rest = rows;
    for size in INSERT_CHUNKS {
        while rest.len() >= size {
            let (head, tail) = rest.split_at(size);
            out.push(head);
            rest = tail;
        }
    }
    out
}

#[cfg(test)]
mod chunk_tests {
    use super::*;

    #[test]
    fn batches_are_cut_into_the_fixed_statement_sizes() {
        for n in 0..300 {
            let rows: Vec<usize> = (0..n).collect();
            let chunks = chunked(&rows);
            assert_eq!(chunks.concat(), rows, "every row once, in order");
            assert!(chunks.iter().all(|c| INSERT_CHUNKS.contains(&c.len())));
        }
    }
}

/// The most entries committed in one transaction.
const GROUP_LIMIT: usize = 512;

impl AuditWriter {
    pub(crate) fn start(pool: AnyPool) -> Self {
        let (tx, mut rx) = mpsc::channel::<Message>(4096);
        tokio::spawn(async move {
            let mut stop_reply = None;
            while stop_reply.is_none() {
                let Some(first) = rx.recv().await else { break };
                let mut group = Vec::new();
                let mut next = Some(first);
                while let Some(message) = next.take() {
                    match message {
                        Message::Append(e, reply) => group.push((*e, reply)),
                        Message::Stop(reply) => stop_reply = Some(reply),
                    }
                    if group.len() < GROUP_LIMIT && stop_reply.is_none() {
                        next = rx.try_recv().ok();
                    }
                }
                if !group.is_empty() {
                    write_group(&pool, group).await;
                }
            }
            if let Some(reply) = stop_reply {
                let _ = reply.send(());
            }
        });
        AuditWriter { tx }
    }

    pub(crate) async fn stop(&self) {
        let (reply, done) = oneshot::channel();
        if self.tx.send(Message::Stop(reply)).await.is_ok() {
            let _ = done.await;
        }
    }
}

async fn write_group(
    pool: &AnyPool,
    group: Vec<(NewAuditEntry, oneshot::Sender<Result<i64, String>>)>,
) {
    let (entries, replies): (Vec<_>, Vec<_>) = group.into_iter().unzip();
    let result = async {
        let mut tx = pool.begin().await?;
        let seqs = append(&mut tx, &entries).await?;
        tx.commit().await?;
        Ok::<_, StoreError>(seqs)
    }
    .await;
    match result {
        Ok(seqs) => {
            for (reply, seq) in replies.into_iter().zip(seqs) {
                let _ = reply.send(Ok(seq));
            }
        }
        Err(e) => {
            tracing::error!(error = %e, "audit group commit failed");
            for reply in replies {
                let _ = reply.send(Err(e.to_string()));
            }
        }
    }
}

/// The result of checking the whole chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifyReport {
    /// Entries checked.
    pub entries: i64,
    /// The hash of the last entry (to record elsewhere and compare next time).
    pub head_hash: String,
    /// The first bad entry and what is wrong with it, if any.
    pub first_problem: Option<(i64, String)>,
}

impl VerifyReport {
    /// True when the chain is intact.
    pub fn is_intact(&self) -> bool {
        self.first_problem.is_none()
    }
}

/// An entry with the names a reader needs, for the auditor's pages.
#[derive(Clone, Debug, PartialEq)]
pub struct AuditView {
    /// The stored entry.
    pub entry: AuditEntry,
    /// The acting user's display name, if any.
    pub actor_name: Option<String>,
    /// The acting agency's name, if any.
    pub agency_name: Option<String>,
}

const PAGE: i64 = 5000;

impl Store {
    /// Appends one stand-alone entry (a view, a refusal, a sign-in) and waits until it is
    /// durably committed. Entries describing a change are written with [`append`] inside the
    /// change's own transaction instead.
    pub async fn record(&self, entry: NewAuditEntry) -> Result<i64, StoreError> {
        let (reply, answer) = oneshot::channel();
        self.audit
            .tx
            .send(Message::Append(Box::new(entry), reply))
            .await
            .map_err(|_| StoreError::AuditWriterStopped)?;
        match answer.await {
            Ok(Ok(seq)) => Ok(seq),
            Ok(Err(message)) => Err(StoreError::Config(format!(
                "audit entry not written: {message}"
            ))),
            Err(_) => Err(StoreError::AuditWriterStopped),
        }
    }

    /// Walks the whole chain and reports the first entry that is missing, altered, out of
    /// order or not covered by the head.
    pub async fn verify_audit(&self) -> Result<VerifyReport, StoreError> {
        let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_one(&self.reader)
            .await?;
        let (head_seq, head_hash) = (int(&head, "seq")?, text(&head, "hash")?);
        let mut expected_seq = 1;
        let mut prev = GENESIS_HASH.to_owned();
        let problem = |seq: i64, what: String, checked: i64, prev: &str| VerifyReport {
            entries: checked,
            head_hash: prev.to_owned(),
            first_problem: Some((seq, what)),
        };
        loop {
            let rows = sqlx::query(
                "SELECT seq, at, actor_user, actor_role, actor_agency, action, record_kind, \
                 record_id, outcome, policies, client, detail, prev_hash, hash \
                 FROM audit_entries WHERE seq >= $1 ORDER BY seq LIMIT $2",
            )
            .bind(expected_seq)
            .bind(PAGE)
            .fetch_all(&self.reader)
            .await?;
            if rows.is_empty() {
                break;
            }
            for row in &rows {
                let seq = int(row, "seq")?;
                let checked = expected_seq - 1;
                if seq != expected_seq {
                    return Ok(problem(
                        expected_seq,
                        format!("entry {expected_seq} is missing (the next entry is {seq})"),
                        checked,
                        &prev,
                    ));
                }
                if text(row, "prev_hash")? != prev {
                    return Ok(problem(
                        seq,
                        format!("entry {seq} does not follow entry {}", seq - 1),
                        checked,
                        &prev,
                    ));
                }
                let raw = RawEntry::read(row)?;
                let stored = text(row, "hash")?;
                if entry_hash(&prev, seq, int(row, "at")?, &raw) != stored {
                    return Ok(problem(
                        seq,
                        format!(
                            "entry {seq} has been altered (its content does not match its hash)"
                        ),
                        checked,
                        &prev,
                    ));
                }
                prev = stored;
                expected_seq += 1;
            }
        }
        let checked = expected_seq - 1;
        if checked != head_seq || prev != head_hash {
            let at = checked.min(head_seq) + 1;
            let what = if checked < head_seq {
                format!("entry {at} is missing: the chain head records {head_seq} entries")
            } else {
                format!("entry {at} is not covered by the chain head ({head_seq} entries)")
            };
            return Ok(problem(at, what, checked, &prev));
        }
        Ok(VerifyReport {
            entries: checked,
            head_hash: prev,
            first_problem: None,
        })
    }

    /// The entries about one record, newest first: "who has seen this child's record, and
    /// when".
    pub async fn audit_for_record(
        &self,
        kind: RecordKind,
        record_id: &str,
        limit: i64,
    ) -> Result<Vec<AuditView>, StoreError> {
        let rows = sqlx::query(
            "SELECT e.seq, e.at, e.actor_user, e.actor_role, e.actor_agency, e.action, \
             e.record_kind, e.record_id, e.outcome, e.policies, e.client, e.detail, \
             e.prev_hash, e.hash, u.display_name, a.name AS agency_name \
             FROM audit_entries e \
             LEFT JOIN users u ON u.id = e.actor_user \
             LEFT JOIN agencies a ON a.id = e.actor_agency \
             WHERE e.record_kind = $1 AND e.record_id = $2 ORDER BY e.seq DESC LIMIT $3",
        )
        .bind(kind.code())
        .bind(record_id)
        .bind(limit)
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(read_view).collect()
    }

    /// The entries about a child's record and the duplicate records merged into it by
    /// merges in force, newest first: "who has seen this child's record, and when". An
    /// entry's `record_id` says which record it was about.
    pub async fn audit_for_child(
        &self,
        child: ChildId,
        limit: i64,
    ) -> Result<Vec<AuditView>, StoreError> {
        let rows = sqlx::query(&format!(
            "{MERGED_IN}SELECT e.seq, e.at, e.actor_user, e.actor_role, e.actor_agency, \
             e.action, e.record_kind, e.record_id, e.outcome, e.policies, e.client, e.detail, \
             e.prev_hash, e.hash, u.display_name, a.name AS agency_name \
             FROM audit_entries e \
             LEFT JOIN users u ON u.id = e.actor_user \
             LEFT JOIN agencies a ON a.id = e.actor_agency \
             WHERE e.record_kind = 'child' \
               AND e.record_id IN (SELECT $1 UNION ALL SELECT merged FROM merged_in) \
             ORDER BY e.seq DESC LIMIT $2"
        ))
        .bind(child.to_string())
        .bind(limit)
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(read_view).collect()
    }

    /// The most recent entries across the trail, newest first, optionally only one action.
    pub async fn recent_audit(
        &self,
        action: Option<AuditAction>,
        before_seq: Option<i64>,
        limit: i64,
    ) -> Result<Vec<AuditView>, StoreError> {
        let rows = sqlx::query(
            "SELECT e.seq, e.at, e.actor_user, e.actor_role, e.actor_agency, e.action, \
             e.record_kind, e.record_id, e.outcome, e.policies, e.client, e.detail, \
             e.prev_hash, e.hash, u.display_name, a.name AS agency_name \
             FROM audit_entries e \
             LEFT JOIN users u ON u.id = e.actor_user \
             LEFT JOIN agencies a ON a.id = e.actor_agency \
             WHERE ($1 = '' OR e.action = $1) AND e.seq < $2 ORDER BY e.seq DESC LIMIT $3",
        )
        .bind(action.map_or("", AuditAction::code))
        .bind(before_seq.unwrap_or(i64::MAX))
        .bind(limit)
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(read_view).collect()
    }
}

fn read_view(row: &sqlx::any::AnyRow) -> Result<AuditView, StoreError> {
    Ok(AuditView {
        entry: AuditEntry {
            seq: int(row, "seq")?,
            at: int(row, "at")?,
            entry: RawEntry::read(row)?.typed()?,
            prev_hash: text(row, "prev_hash")?,
            hash: text(row, "hash")?,
        },
        actor_name: opt_text(row, "display_name")?,
        agency_name: opt_text(row, "agency_name")?,
    })
}
