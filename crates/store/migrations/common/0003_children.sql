-- The part of the child record Foundation needs to prove access and audit (R2.1), the
-- agencies involved with each child, and confidential-investigation restrictions (R8.3).

CREATE TABLE children (
    id TEXT PRIMARY KEY,
    area_id TEXT NOT NULL REFERENCES areas (id),
    given_name TEXT NOT NULL,
    family_name TEXT NOT NULL,
    date_of_birth TEXT,
    gender TEXT NOT NULL,
    legal_status TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users (id)
);

CREATE INDEX children_by_area ON children (area_id);

-- How an agency comes to be involved: it recorded or contributed ('involved'), or a contact
-- was routed to it ('routed', e.g. the MASH or the allocated children's services team).
CREATE TABLE child_agencies (
    child_id TEXT NOT NULL REFERENCES children (id),
    agency_id TEXT NOT NULL REFERENCES agencies (id),
    how TEXT NOT NULL,
    since BIGINT NOT NULL,
    PRIMARY KEY (child_id, agency_id, how)
);

CREATE INDEX child_agencies_by_agency ON child_agencies (agency_id, child_id);

CREATE TABLE child_restrictions (
    id TEXT PRIMARY KEY,
    child_id TEXT NOT NULL REFERENCES children (id),
    section TEXT NOT NULL,
    hidden_from_agency TEXT NOT NULL REFERENCES agencies (id),
    reason TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at BIGINT NOT NULL,
    lifted_at BIGINT
);

CREATE INDEX child_restrictions_by_child ON child_restrictions (child_id);
