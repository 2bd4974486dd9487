-- Issue 15: messages, notes and assessments sealed with associated data bound to their report
-- and author (envelope version 2); a sealed manifest of which groups a report has; what triage
-- does not need moves from clear columns into sealed ones. Values written before are sealed
-- again by a resumable pass at start-up, which records here how far it has come.
CREATE TABLE reseal_progress (
    kind TEXT PRIMARY KEY,
    last_id TEXT NOT NULL,
    done BIGINT NOT NULL DEFAULT 0
);

-- The sealed list of a report's sealed groups, written at filing: a group listed but missing,
-- or present but not listed, shows the report as damaged.
ALTER TABLE reports ADD COLUMN manifest BYTEA;
-- Sealed in place of the clear incident_month and age_groups (left empty).
ALTER TABLE reports ADD COLUMN profile BYTEA;
-- Sealed in place of the clear urgency_reasons (left empty).
ALTER TABLE reports ADD COLUMN urgency_why BYTEA;
-- Assessments keep their presumption and trafficking status inside the sealed detail; the
-- clear trafficking_status and presumed columns are left NULL and 0.
