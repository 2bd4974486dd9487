-- Possible junk: the signs a submission showed (a filled hidden field, a form sent faster than
-- anyone reads it, the same text again and again), comma-separated; NULL for none. Such a report
-- is kept and listed after the others, never deleted.
ALTER TABLE reports ADD COLUMN suspect TEXT;
