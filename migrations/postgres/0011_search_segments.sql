-- The term index as posting lists in segments, replacing one row per posting (migration 0008).
-- Each step of the report writer (or batch of a bulk load) writes one new segment: one row per
-- term it holds, with the packed list of its reports, appended at the end of the table. A few
-- pages per step, where the per-posting index took one page per posting, scattered. Segments
-- of one level are merged, eight at a time, into one of the next level, so a query reads a few
-- dozen lists per term. A term's document frequency is the sum of its lists' `docs`.
-- The old rows are converted by the application at start (`store::search::convert_legacy`),
-- which then drops `search_postings`.
CREATE TABLE search_segments (
    segment BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    level BIGINT NOT NULL
);
CREATE INDEX search_segments_level ON search_segments (level, segment);

CREATE TABLE search_lists (
    segment BIGINT NOT NULL REFERENCES search_segments (segment) ON DELETE CASCADE,
    term BIGINT NOT NULL,
    docs BIGINT NOT NULL,
    postings BYTEA NOT NULL,
    PRIMARY KEY (segment, term)
);
-- Packed lists do not compress; stored out of line as they are, a query reads them without
-- trying to decompress them.
ALTER TABLE search_lists ALTER COLUMN postings SET STORAGE EXTERNAL;

DROP TABLE search_terms;
DROP INDEX IF EXISTS search_postings_term;
