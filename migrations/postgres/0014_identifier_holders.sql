-- The case view lists, for each identifier of a report, how many other reports hold it and the
-- most recently filed of them (report ids are UUIDv7: they sort in filing order). Both are read
-- from this index alone, in key order, and stop early: an identifier named in thousands of
-- reports (a big hotel, a station) costs no more than a rare one. It replaces the index on the
-- blind index alone, which every lookup by blind index can use as before.
DROP INDEX identifiers_mac;
CREATE INDEX identifiers_holders ON identifiers (mac, report_id);
