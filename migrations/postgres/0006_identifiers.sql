-- Identifiers found in reports, for linking: a keyed blind index (HMAC under a key of the key
-- directory, separate from the sealing keys) for exact matching, and the identifier sealed for
-- display. The index reveals which reports share an identifier, never the identifier.
CREATE TABLE identifiers (
    report_id TEXT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    mac BYTEA NOT NULL,
    sealed BYTEA NOT NULL,
    PRIMARY KEY (report_id, kind, mac)
);
CREATE INDEX identifiers_mac ON identifiers (mac);

-- A newer report shares an identifier with this case and no one has opened it since.
ALTER TABLE reports ADD COLUMN new_link BIGINT NOT NULL DEFAULT 0;
