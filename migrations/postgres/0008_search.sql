-- Full-text search over sealed reports. Each report has a small document number and a copy of
-- the clear columns search filters on (kept in step with the report by a trigger, so a search
-- never reads the wide report rows); its terms are stored as keyed hashes (HMAC under a key of
-- the key directory) with an impact (BM25 term weight, 1-255), never as words. Postings are
-- keyed by document (appends stay cheap) and indexed by term in impact order, so a query reads
-- the best postings of a term first.
CREATE TABLE search_docs (
    doc BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    report_id TEXT NOT NULL UNIQUE REFERENCES reports (id) ON DELETE CASCADE,
    category TEXT NOT NULL,
    country TEXT,
    received_at BIGINT NOT NULL,
    status TEXT NOT NULL,
    urgency TEXT NOT NULL,
    restricted BIGINT NOT NULL,
    assignee_id TEXT
);
CREATE INDEX search_docs_category ON search_docs (category, received_at);
CREATE INDEX search_docs_country ON search_docs (country, received_at);
CREATE INDEX search_docs_received ON search_docs (received_at);
CREATE INDEX search_docs_status ON search_docs (status, urgency);

CREATE FUNCTION search_docs_follow_report() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE search_docs SET status = NEW.status, urgency = NEW.urgency,
        restricted = NEW.restricted, assignee_id = NEW.assignee_id
    WHERE report_id = NEW.id;
    RETURN NEW;
END;
$$;
CREATE TRIGGER search_docs_follow_report AFTER UPDATE OF status, urgency, restricted, assignee_id ON reports
    FOR EACH ROW EXECUTE FUNCTION search_docs_follow_report();

CREATE TABLE search_postings (
    doc BIGINT NOT NULL,
    term BIGINT NOT NULL,
    impact BIGINT NOT NULL,
    PRIMARY KEY (doc, term)
);
CREATE INDEX search_postings_term ON search_postings (term, impact, doc);

-- How many reports hold each term (for ranking: rare terms weigh more), kept by the writer.
CREATE TABLE search_terms (
    term BIGINT PRIMARY KEY,
    df BIGINT NOT NULL
);
