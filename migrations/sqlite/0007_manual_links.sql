-- Links an analyst made by hand between two reports: "duplicate of" or "linked".
CREATE TABLE report_links (
    report_id TEXT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    other_id TEXT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES staff_users (id),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (report_id, other_id)
);
CREATE INDEX report_links_other ON report_links (other_id);
