-- Users, their roles, second factors, sessions, sign-in throttling and API tokens (R1.3).
-- Only hashes of secrets that are presented back to us (passwords, session and API tokens,
-- recovery codes) are stored; the TOTP secret must be kept to check codes.

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    agency_id TEXT NOT NULL REFERENCES agencies (id),
    team_id TEXT REFERENCES teams (id),
    password_hash TEXT NOT NULL,
    totp_secret TEXT,
    totp_enrolled BIGINT NOT NULL DEFAULT 0,
    totp_last_step BIGINT,
    is_service_account BIGINT NOT NULL DEFAULT 0,
    disabled_at BIGINT,
    created_at BIGINT NOT NULL
);

CREATE INDEX users_by_agency ON users (agency_id);

CREATE TABLE user_roles (
    user_id TEXT NOT NULL REFERENCES users (id),
    role TEXT NOT NULL,
    PRIMARY KEY (user_id, role)
);

CREATE TABLE recovery_codes (
    user_id TEXT NOT NULL REFERENCES users (id),
    code_hash TEXT NOT NULL,
    used_at BIGINT,
    PRIMARY KEY (user_id, code_hash)
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    second_factor_at BIGINT,
    ended_at BIGINT
);

CREATE INDEX sessions_by_user ON sessions (user_id);

-- Keyed by a hash of the normalised email so that known and unknown accounts are throttled
-- identically and the table names no one.
CREATE TABLE sign_in_throttle (
    key_hash TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    window_started_at BIGINT NOT NULL,
    locked_until BIGINT
);

CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    user_id TEXT NOT NULL REFERENCES users (id),
    name TEXT NOT NULL,
    scopes TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at BIGINT
);
