-- Staff accounts. The TOTP secret is sealed; the password is an Argon2id hash.
CREATE TABLE staff_users (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL,
    password_hash TEXT,
    totp_secret BYTEA,
    totp_last_step BIGINT,
    language TEXT NOT NULL,
    disabled BIGINT NOT NULL DEFAULT 0,
    setup_token_hash BYTEA,
    setup_expires_at BIGINT,
    failed_sign_ins BIGINT NOT NULL DEFAULT 0,
    locked_until BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);

-- Server-side sessions, found by a hash of the cookie value. `stage` is 'enrol' until the
-- second factor is set up, then 'full'.
CREATE TABLE staff_sessions (
    id_hash BYTEA PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES staff_users (id) ON DELETE CASCADE,
    stage TEXT NOT NULL,
    csrf_token TEXT NOT NULL,
    pending_totp BYTEA,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL
);
CREATE INDEX staff_sessions_user ON staff_sessions (user_id);

-- Case handling on reports.
ALTER TABLE reports ADD COLUMN assignee_id TEXT REFERENCES staff_users (id);
ALTER TABLE reports ADD COLUMN restricted BIGINT NOT NULL DEFAULT 0;
ALTER TABLE reports ADD COLUMN acknowledged_at BIGINT;
ALTER TABLE reports ADD COLUMN closed_reason TEXT;
ALTER TABLE reports ADD COLUMN updated_at BIGINT;

-- Internal notes, sealed.
CREATE TABLE report_notes (
    id TEXT PRIMARY KEY,
    report_id TEXT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    author_id TEXT NOT NULL REFERENCES staff_users (id),
    created_at BIGINT NOT NULL,
    body BYTEA NOT NULL
);
CREATE INDEX report_notes_report ON report_notes (report_id);
