-- Index queue rows the index step cannot read (written by a faulty version, or damaged on disk)
-- are set aside here instead of failing every step after them, which would leave every report
-- filed since unsearchable. An app node, which holds the keys, then derives each such report's
-- postings again from its sealed content and queues them anew.
CREATE TABLE search_set_aside (
    report_id TEXT PRIMARY KEY REFERENCES reports (id) ON DELETE CASCADE
);
