-- The information sharing tool (R5.1, WM-25): what practitioners pass to the police about
-- people who may present a risk, and the police grading of it (3x5x2). Not a referral: none
-- of this reaches the MASH queue or a child's record unless the police share it back.

-- One submission, sent to the police force serving the area. `form_key` is the one-off key
-- of the form that sent it, so a double click stores it once. The grading columns stay
-- empty until a police intelligence officer assesses it (WM-25.6).
CREATE TABLE intel_submissions (
    id TEXT PRIMARY KEY,
    area_id TEXT NOT NULL REFERENCES areas (id),
    police_agency TEXT NOT NULL REFERENCES agencies (id),
    submitted_by TEXT NOT NULL REFERENCES users (id),
    submitter_agency TEXT NOT NULL REFERENCES agencies (id),
    told_by TEXT NOT NULL,
    narrative TEXT NOT NULL,
    learnt_on TEXT,
    received_at BIGINT NOT NULL,
    form_key TEXT UNIQUE,
    status TEXT NOT NULL,
    source_evaluation TEXT,
    assessment TEXT,
    handling_code TEXT,
    handling_conditions TEXT,
    graded_by TEXT REFERENCES users (id),
    graded_at BIGINT,
    version BIGINT NOT NULL
);

CREATE INDEX intel_submissions_by_force ON intel_submissions (police_agency, status, received_at);
CREATE INDEX intel_submissions_by_submitter ON intel_submissions (submitted_by, received_at);

-- Each piece of information in a submission, in the order given. The columns follow the
-- linker's input (`safehub link`): names, phone, vehicle, address and postcode.
CREATE TABLE intel_items (
    id TEXT PRIMARY KEY,
    submission_id TEXT NOT NULL REFERENCES intel_submissions (id),
    position BIGINT NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    nicknames TEXT NOT NULL,
    approx_age BIGINT,
    description TEXT NOT NULL,
    marks TEXT NOT NULL,
    vrm TEXT NOT NULL,
    make TEXT NOT NULL,
    model TEXT NOT NULL,
    colour TEXT NOT NULL,
    phone TEXT NOT NULL,
    address TEXT NOT NULL,
    postcode TEXT NOT NULL,
    seen_on TEXT
);

CREATE UNIQUE INDEX intel_items_by_submission ON intel_items (submission_id, position);

-- The children a submission concerns. Rows have their own id, and the pair is not unique,
-- so that merging two records of one child moves these rows like the child's others (and
-- undoing the merge moves exactly them back); reads take each child once.
CREATE TABLE intel_children (
    id TEXT PRIMARY KEY,
    submission_id TEXT NOT NULL REFERENCES intel_submissions (id),
    child_id TEXT NOT NULL REFERENCES children (id)
);

CREATE INDEX intel_children_by_submission ON intel_children (submission_id);
CREATE INDEX intel_children_by_child ON intel_children (child_id);
