-- Index queue rows the index step cannot read (written by a faulty version, or damaged on disk)
-- are set aside here instead of failing every step after them, which would leave every report
-- filed since unsearchable. An app node, which holds the keys, then derives each such report's
-- postings again from its sealed content and messages and queues them anew. A report set aside
-- again while that is under way counts one generation more, so that the node does not take it
-- off the list with postings derived before the newer row.
CREATE TABLE search_set_aside (
    report_id TEXT PRIMARY KEY REFERENCES reports (id) ON DELETE CASCADE,
    generation BIGINT NOT NULL DEFAULT 0
);
