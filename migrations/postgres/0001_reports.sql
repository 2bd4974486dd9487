-- Data keys, wrapped (sealed) by the master key that lives in the key directory.
CREATE TABLE data_keys (
    id TEXT PRIMARY KEY,
    wrapped BYTEA NOT NULL,
    created_at BIGINT NOT NULL
);

-- Reports. Only what triage sorts and counts is in clear; every other column is sealed.
CREATE TABLE reports (
    id TEXT PRIMARY KEY,
    receipt_lookup TEXT NOT NULL UNIQUE,
    receipt_salt BYTEA NOT NULL,
    receipt_hash BYTEA NOT NULL,
    submission_hash BYTEA NOT NULL UNIQUE,
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
    narrative BYTEA,
    place BYTEA,
    incident BYTEA,
    people BYTEA,
    signs BYTEA,
    identifiers BYTEA,
    contact BYTEA,
    abuse_material BYTEA
);
CREATE INDEX reports_queue ON reports (status, urgency, received_at);

-- Attachments, sealed, stored with their report in one transaction.
CREATE TABLE attachments (
    id TEXT PRIMARY KEY,
    report_id TEXT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    meta BYTEA NOT NULL,
    content BYTEA NOT NULL
);
CREATE INDEX attachments_report ON attachments (report_id);
