-- Data keys, wrapped (sealed) by the master key that lives in the key directory.
CREATE TABLE data_keys (
    id TEXT PRIMARY KEY,
    wrapped BLOB NOT NULL,
    created_at BIGINT NOT NULL
);

-- Reports. Only what triage sorts and counts is in clear; every other column is sealed.
CREATE TABLE reports (
    id TEXT PRIMARY KEY,
    receipt_lookup TEXT NOT NULL UNIQUE,
    receipt_salt BLOB NOT NULL,
    receipt_hash BLOB NOT NULL,
    submission_hash BLOB NOT NULL UNIQUE,
    category TEXT NOT NULL,
    country TEXT,
    received_at BIGINT NOT NULL,
    incident_month TEXT,
    status TEXT NOT NULL,
    urgency TEXT NOT NULL,
    child_involved TEXT NOT NULL,
    age_groups TEXT NOT NULL,
    channel TEXT NOT NULL,
    campaign_id TEXT,
    language TEXT NOT NULL,
    narrative BLOB,
    place BLOB,
    incident BLOB,
    people BLOB,
    signs BLOB,
    identifiers BLOB,
    contact BLOB,
    abuse_material BLOB
);
CREATE INDEX reports_queue ON reports (status, urgency, received_at);

-- Attachments, sealed, stored with their report in one transaction.
CREATE TABLE attachments (
    id TEXT PRIMARY KEY,
    report_id TEXT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    meta BLOB NOT NULL,
    content BLOB NOT NULL
);
CREATE INDEX attachments_report ON attachments (report_id);
