-- Migration 0012 meant a kind, country and date filter to be read from an index alone, as it is
-- on SQLite, whose indexes all end with the row's id (here the document number). PostgreSQL's
-- do not: each report the filter left was looked up in the table for its number. The filter
-- indexes now carry the number with them.
DROP INDEX search_docs_category;
CREATE INDEX search_docs_category ON search_docs (category, received_at, restricted, assignee_id) INCLUDE (doc);
DROP INDEX search_docs_category_country;
CREATE INDEX search_docs_category_country ON search_docs (category, country, received_at, restricted, assignee_id) INCLUDE (doc);
