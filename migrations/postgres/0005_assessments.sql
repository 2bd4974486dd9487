-- Trafficking assessments: one row per saved assessment of one person in a report; a later
-- assessment never erases an earlier one. What was ticked and any reason are sealed.
CREATE TABLE assessments (
    id TEXT PRIMARY KEY,
    report_id TEXT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    person BIGINT NOT NULL,
    set_id TEXT NOT NULL,
    presumed BIGINT NOT NULL,
    rule TEXT NOT NULL,
    trafficking_status TEXT,
    detail BYTEA NOT NULL,
    created_by TEXT NOT NULL REFERENCES staff_users (id),
    created_at BIGINT NOT NULL
);
CREATE INDEX assessments_report ON assessments (report_id, person, created_at);

-- Why a report has its urgency (Fluent keys of the reasons, comma-separated).
ALTER TABLE reports ADD COLUMN urgency_reasons TEXT NOT NULL DEFAULT '';
