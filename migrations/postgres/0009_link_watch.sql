-- Raising open cases when a new report shares one of their identifiers. Each identifier row
-- says whether its report is waiting to be told of a new related report (open, and not raised
-- since staff last opened it). A new report raises only the waiting holders of its identifiers,
-- found through a small partial index, instead of walking every report that ever held a common
-- identifier (a big hotel or station named in thousands of reports). The trigger keeps the flag
-- in step with the report's status and new-link mark.
ALTER TABLE identifiers ADD COLUMN waiting BIGINT NOT NULL DEFAULT 0;
UPDATE identifiers SET waiting = 1
    WHERE report_id IN (SELECT id FROM reports WHERE new_link = 0 AND status <> 'closed');
CREATE INDEX identifiers_waiting ON identifiers (mac, report_id) WHERE waiting = 1;

CREATE FUNCTION identifiers_follow_report() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE identifiers SET waiting = CASE WHEN NEW.new_link = 0 AND NEW.status <> 'closed' THEN 1 ELSE 0 END
    WHERE report_id = NEW.id;
    RETURN NEW;
END;
$$;
CREATE TRIGGER identifiers_follow_report AFTER UPDATE OF new_link, status ON reports
    FOR EACH ROW
    WHEN ((OLD.new_link = 0 AND OLD.status <> 'closed') IS DISTINCT FROM (NEW.new_link = 0 AND NEW.status <> 'closed'))
    EXECUTE FUNCTION identifiers_follow_report();
