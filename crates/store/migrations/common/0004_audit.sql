-- The audit trail: one typed entry per view, change, export, share and refusal, hash-chained.
-- audit_head holds the sequence number and hash of the last entry; writers update it in the
-- same transaction as the entry, which serialises appends on both backends and lets
-- verification notice entries cut from the end.

CREATE TABLE audit_entries (
    seq BIGINT PRIMARY KEY,
    at BIGINT NOT NULL,
    actor_user TEXT,
    actor_role TEXT NOT NULL,
    actor_agency TEXT,
    action TEXT NOT NULL,
    record_kind TEXT NOT NULL,
    record_id TEXT,
    outcome TEXT NOT NULL,
    policies TEXT NOT NULL,
    client TEXT NOT NULL,
    detail TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);

CREATE INDEX audit_entries_by_record ON audit_entries (record_kind, record_id, seq);
CREATE INDEX audit_entries_by_actor ON audit_entries (actor_user, seq);

CREATE TABLE audit_head (
    id BIGINT PRIMARY KEY,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);

INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
