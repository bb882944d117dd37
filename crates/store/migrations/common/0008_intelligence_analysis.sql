-- What the police share back, the analysts' decisions on the engine's proposed links, and
-- where postcodes are (R5.2, R7.2, R8.2, WM-25.6, WM-27.1).

-- The agencies a police grading shares a submission back with (WM-25.6: the police decide
-- what may be shared back and with whom). Without a row here a submission is police-only.
CREATE TABLE intel_shared_with (
    id TEXT PRIMARY KEY,
    submission_id TEXT NOT NULL REFERENCES intel_submissions (id),
    agency_id TEXT NOT NULL REFERENCES agencies (id)
);

CREATE UNIQUE INDEX intel_shared_with_pairs ON intel_shared_with (submission_id, agency_id);
CREATE INDEX intel_shared_with_by_agency ON intel_shared_with (agency_id, submission_id);

-- An analyst's decision that two persons mentioned in submissions are, or are not, the
-- same person (R5.2). Every decision is kept; for a pair the latest wins, and it always
-- wins over the engine. `item_a` sorts before `item_b`.
CREATE TABLE intel_link_decisions (
    id TEXT PRIMARY KEY,
    item_a TEXT NOT NULL REFERENCES intel_items (id),
    item_b TEXT NOT NULL REFERENCES intel_items (id),
    verdict TEXT NOT NULL,
    reason TEXT NOT NULL,
    decided_by TEXT NOT NULL REFERENCES users (id),
    decided_at BIGINT NOT NULL
);

CREATE INDEX intel_link_decisions_by_pair ON intel_link_decisions (item_a, item_b, decided_at);

-- Where each postcode is, in metres on the British National Grid, for the hotspot map
-- (WM-27.1). Loaded from a postcode directory with `safehub postcodes load`. The postcode
-- is stored upper case with one space before the inward code (`B1 1AA`).
CREATE TABLE postcode_locations (
    postcode TEXT PRIMARY KEY,
    easting BIGINT NOT NULL,
    northing BIGINT NOT NULL
);
