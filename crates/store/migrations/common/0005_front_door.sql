-- The front door (R2, R3): the full child record, screenings, referrals by every route in,
-- MASH triage decisions, statutory clocks, notifications and the e-mail outbox.

-- R2.1: the rest of the child record. `age_estimated` is 1 when the date of birth is an
-- estimate (a child whose date of birth is not known). `merged_into` points at the record
-- this one was merged into (it then no longer appears in lists). `version` counts changes,
-- so an edit made on an out-of-date page is refused instead of overwriting someone else's.
ALTER TABLE children ADD COLUMN age_estimated BIGINT NOT NULL DEFAULT 0;
ALTER TABLE children ADD COLUMN ethnicity TEXT NOT NULL DEFAULT '';
ALTER TABLE children ADD COLUMN school TEXT NOT NULL DEFAULT '';
ALTER TABLE children ADD COLUMN gp TEXT NOT NULL DEFAULT '';
ALTER TABLE children ADD COLUMN placing_authority TEXT NOT NULL DEFAULT '';
ALTER TABLE children ADD COLUMN allocated_worker TEXT REFERENCES users (id);
ALTER TABLE children ADD COLUMN merged_into TEXT REFERENCES children (id);
ALTER TABLE children ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
-- Phonetic key (Soundex) of the family name's first word for the duplicate check's first
-- pass; see docs/decisions/0010-duplicate-records-and-merge.md.
ALTER TABLE children ADD COLUMN name_key TEXT NOT NULL DEFAULT '';

CREATE INDEX children_by_name_key ON children (area_id, name_key);
CREATE INDEX children_by_birth ON children (date_of_birth);

-- Other names the child is known by: aliases, nicknames, previous names. `name_key` is the
-- phonetic key of the name's last word, so the duplicate check finds a child by an alias too.
CREATE TABLE child_aliases (
    id TEXT PRIMARY KEY,
    child_id TEXT NOT NULL REFERENCES children (id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    name_key TEXT NOT NULL DEFAULT ''
);

CREATE INDEX child_aliases_by_child ON child_aliases (child_id);
CREATE INDEX child_aliases_by_name_key ON child_aliases (name_key);

-- Where the child has lived; the current address has no `until`.
CREATE TABLE child_addresses (
    id TEXT PRIMARY KEY,
    child_id TEXT NOT NULL REFERENCES children (id),
    address TEXT NOT NULL,
    postcode TEXT NOT NULL,
    since TEXT,
    until TEXT,
    created_at BIGINT NOT NULL
);

CREATE INDEX child_addresses_by_child ON child_addresses (child_id);
CREATE INDEX child_addresses_by_postcode ON child_addresses (postcode);

-- Professionals working with the child, beyond the agencies (a named teacher, a school nurse).
CREATE TABLE child_professionals (
    id TEXT PRIMARY KEY,
    child_id TEXT NOT NULL REFERENCES children (id),
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    agency_id TEXT REFERENCES agencies (id),
    contact TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE INDEX child_professionals_by_child ON child_professionals (child_id);

-- A merge of one record into another, and what it moved, so that it can be undone.
CREATE TABLE child_merges (
    id TEXT PRIMARY KEY,
    kept_id TEXT NOT NULL REFERENCES children (id),
    merged_id TEXT NOT NULL REFERENCES children (id),
    moved TEXT NOT NULL,
    reason TEXT NOT NULL,
    merged_by TEXT NOT NULL REFERENCES users (id),
    merged_at BIGINT NOT NULL,
    undone_by TEXT REFERENCES users (id),
    undone_at BIGINT
);

CREATE INDEX child_merges_by_kept ON child_merges (kept_id);
CREATE INDEX child_merges_by_merged ON child_merges (merged_id);

-- A possible duplicate the person recording `child_id` could not be shown, because they may
-- not see `candidate_id`: kept for the MASH to check (merge, or resolve as not the same
-- child). `score` is the match score in thousandths.
CREATE TABLE child_duplicate_flags (
    id TEXT PRIMARY KEY,
    child_id TEXT NOT NULL REFERENCES children (id),
    candidate_id TEXT NOT NULL REFERENCES children (id),
    score BIGINT NOT NULL,
    flagged_at BIGINT NOT NULL,
    flagged_by TEXT NOT NULL REFERENCES users (id),
    resolved_at BIGINT,
    resolved_by TEXT REFERENCES users (id),
    resolution TEXT
);

CREATE INDEX child_duplicate_flags_by_child ON child_duplicate_flags (child_id, resolved_at);
CREATE INDEX child_duplicate_flags_by_candidate ON child_duplicate_flags (candidate_id, resolved_at);

-- Versions of the screening tool (R2.2): the tool is data; a screening keeps its version.
CREATE TABLE screening_tools (
    version TEXT PRIMARY KEY,
    body TEXT NOT NULL,
    loaded_at BIGINT NOT NULL,
    loaded_by TEXT,
    is_current BIGINT NOT NULL
);

-- A screening (R2.2-R2.4): a draft until submitted. Answers are JSON keyed by indicator
-- code. `form_key` is the one-off key of the form that submitted it, so a double click
-- cannot submit twice.
CREATE TABLE screenings (
    id TEXT PRIMARY KEY,
    child_id TEXT NOT NULL REFERENCES children (id),
    tool_version TEXT NOT NULL REFERENCES screening_tools (version),
    agency_id TEXT NOT NULL REFERENCES agencies (id),
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    status TEXT NOT NULL,
    answers TEXT NOT NULL,
    signs_not_words TEXT NOT NULL,
    proposed_category BIGINT,
    category BIGINT,
    category_reason TEXT NOT NULL,
    adviser_consulted TEXT NOT NULL,
    adviser_consulted_on TEXT,
    submitted_at BIGINT,
    form_key TEXT UNIQUE
);

CREATE INDEX screenings_by_child ON screenings (child_id, created_at);
CREATE INDEX screenings_by_agency ON screenings (agency_id, status, created_at);
CREATE INDEX screenings_by_author ON screenings (created_by, status, updated_at);

-- A contact or referral into the MASH (R2.5, R2.9). `route` is how it came in; `status`
-- is awaiting_triage or decided; `version` guards against two MASH workers deciding at once.
CREATE TABLE referrals (
    id TEXT PRIMARY KEY,
    child_id TEXT NOT NULL REFERENCES children (id),
    area_id TEXT NOT NULL REFERENCES areas (id),
    route TEXT NOT NULL,
    screening_id TEXT REFERENCES screenings (id),
    category BIGINT,
    received_at BIGINT NOT NULL,
    referrer_user TEXT NOT NULL REFERENCES users (id),
    referrer_agency TEXT NOT NULL REFERENCES agencies (id),
    referrer_name TEXT NOT NULL,
    referrer_contact TEXT NOT NULL,
    mash_agency TEXT NOT NULL REFERENCES agencies (id),
    summary TEXT NOT NULL,
    details TEXT NOT NULL,
    status TEXT NOT NULL,
    version BIGINT NOT NULL,
    form_key TEXT UNIQUE
);

CREATE INDEX referrals_by_queue ON referrals (mash_agency, status, category, received_at);
CREATE INDEX referrals_by_child ON referrals (child_id, received_at);
CREATE INDEX referrals_by_referrer_agency ON referrals (referrer_agency, received_at);

-- The MASH decision on a referral (R2.9, R4.1), with the Signs of Safety record.
CREATE TABLE triage_decisions (
    id TEXT PRIMARY KEY,
    referral_id TEXT NOT NULL UNIQUE REFERENCES referrals (id),
    decided_by TEXT NOT NULL REFERENCES users (id),
    decided_at BIGINT NOT NULL,
    agency_checks TEXT NOT NULL,
    worries TEXT NOT NULL,
    working_well TEXT NOT NULL,
    needs_to_happen TEXT NOT NULL,
    scale BIGINT NOT NULL,
    outcome TEXT NOT NULL,
    reasons TEXT NOT NULL,
    interventions TEXT NOT NULL,
    monitoring TEXT NOT NULL,
    routed_team TEXT REFERENCES teams (id),
    lead_worker TEXT REFERENCES users (id),
    referrer_told_at BIGINT
);

-- A statutory clock (R3): what must happen by when, who owns it, when and how it ended (done,
-- or not needed after the MASH decision) and whether it was escalated to the owner's manager.
CREATE TABLE clocks (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    child_id TEXT NOT NULL REFERENCES children (id),
    referral_id TEXT REFERENCES referrals (id),
    started_at BIGINT NOT NULL,
    due_at BIGINT NOT NULL,
    due_day TEXT NOT NULL,
    owner_agency TEXT NOT NULL REFERENCES agencies (id),
    owner_team TEXT REFERENCES teams (id),
    owner_user TEXT REFERENCES users (id),
    ended_at BIGINT,
    ended_how TEXT,
    escalated_at BIGINT
);

CREATE INDEX clocks_open_by_due ON clocks (ended_at, due_at);
CREATE INDEX clocks_by_owner_user ON clocks (owner_user, ended_at, due_at);
CREATE INDEX clocks_by_owner_team ON clocks (owner_team, ended_at, due_at);
CREATE INDEX clocks_by_owner_agency ON clocks (owner_agency, ended_at, due_at);
CREATE INDEX clocks_by_child ON clocks (child_id);

-- Days an administrator adds to the shipped calendar: an extra bank holiday, or a day that
-- is a working day after all.
CREATE TABLE calendar_days (
    day TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    added_by TEXT NOT NULL REFERENCES users (id),
    added_at BIGINT NOT NULL
);

-- In-app notifications. `what` is a code; the text is made when shown. Never free text.
CREATE TABLE notifications (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    what TEXT NOT NULL,
    child_id TEXT REFERENCES children (id),
    link TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    read_at BIGINT
);

CREATE INDEX notifications_by_user ON notifications (user_id, read_at, created_at);

-- E-mails waiting to be sent. They carry no personal data: only that there is something to
-- see and where.
CREATE TABLE email_outbox (
    id TEXT PRIMARY KEY,
    to_address TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    sent_at BIGINT,
    last_error TEXT NOT NULL
);

CREATE INDEX email_outbox_pending ON email_outbox (sent_at, next_attempt_at);
