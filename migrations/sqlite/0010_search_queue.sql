-- Reports (and reporters' messages) waiting to enter the search index. Filing a report writes
-- its postings here as one row, in the report's own transaction, so that an acknowledged report
-- is never missing from search; the report writer, whenever no submission waits, moves a few
-- dozen at a time into the term index.
-- Inserting postings one report at a time dirtied one index page per posting (hundreds per
-- report) and held every reporter's receipt behind those writes.
CREATE TABLE search_queue (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    report_id TEXT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    postings BLOB NOT NULL
);
