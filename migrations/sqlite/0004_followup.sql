-- The conversation between a reporter and the hotline; bodies are sealed.
CREATE TABLE messages (
    id TEXT PRIMARY KEY,
    report_id TEXT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    author TEXT NOT NULL,
    staff_id TEXT REFERENCES staff_users (id),
    created_at BIGINT NOT NULL,
    body BLOB NOT NULL
);
CREATE INDEX messages_report ON messages (report_id, created_at);

-- Files a reporter adds later belong to the message that brought them.
ALTER TABLE attachments ADD COLUMN message_id TEXT REFERENCES messages (id);

-- A reporter message the hotline has not opened yet; the reporter's wish to get a notice;
-- failed receipt sign-ins per report (no IP address is ever stored).
ALTER TABLE reports ADD COLUMN new_activity BIGINT NOT NULL DEFAULT 0;
ALTER TABLE reports ADD COLUMN notify_by_email BIGINT NOT NULL DEFAULT 0;
ALTER TABLE reports ADD COLUMN receipt_failures BIGINT NOT NULL DEFAULT 0;
ALTER TABLE reports ADD COLUMN receipt_locked_until BIGINT NOT NULL DEFAULT 0;

-- Short-lived reporter sessions, found by a hash of the cookie or API token.
CREATE TABLE reporter_sessions (
    id_hash BLOB PRIMARY KEY,
    report_id TEXT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL
);
