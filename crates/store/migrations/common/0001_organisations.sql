-- Areas (local authorities), agencies, the areas each agency serves, and teams (R1.1, R1.2).
-- Written once for SQLite and PostgreSQL: TEXT ids made by the application, BIGINT numbers,
-- times as milliseconds since the Unix epoch (UTC).

CREATE TABLE areas (
    id TEXT PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL
);

CREATE TABLE agencies (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE agency_areas (
    agency_id TEXT NOT NULL REFERENCES agencies (id),
    area_id TEXT NOT NULL REFERENCES areas (id),
    PRIMARY KEY (agency_id, area_id)
);

CREATE TABLE teams (
    id TEXT PRIMARY KEY,
    agency_id TEXT NOT NULL REFERENCES agencies (id),
    name TEXT NOT NULL
);

CREATE INDEX teams_by_agency ON teams (agency_id);
