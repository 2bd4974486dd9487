-- The audit trail: who viewed, changed, exported or forwarded what and when, never the content.
-- Append-only. Each entry carries mac = HMAC-SHA256(audit key, prev_mac ‖ entry), the audit key
-- being derived from the key directory, so an edited, deleted or re-chained entry is found by
-- `tipline audit verify`. No foreign keys: entries outlive the reports and users they name.
CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    report_id TEXT,
    detail TEXT NOT NULL,
    prev_mac BYTEA NOT NULL,
    mac BYTEA NOT NULL
);
CREATE INDEX audit_log_actor ON audit_log (actor, seq);
CREATE INDEX audit_log_report ON audit_log (report_id, seq);

-- The chain head: the newest sequence number and mac. Every append updates this one row first,
-- which serialises appends (the write lock in SQLite, the row lock in PostgreSQL). The genesis
-- mac (seq 0) is 32 zero bytes.
CREATE TABLE audit_head (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL,
    mac BYTEA NOT NULL
);
INSERT INTO audit_head (id, seq, mac) VALUES (1, 0, decode(repeat('00', 32), 'hex'));
