-- Raising a case no longer rewrites every identifier row of it (migration 0009 did, through
-- its trigger: a raised report's rows all went from waiting to not waiting, and most of them
-- would never be looked at again). A row's flag now says its report may be waiting: the raise
-- sets new_link on the report, and clears the flag only on the rows it found, so that the next
-- report naming the same identifier does not visit that case again. Holders already raised by
-- another of their identifiers are skipped by the raise itself, and their row is cleared then.
-- The trigger still sets every row when a case starts waiting again (staff opened it, or it
-- was reopened) and clears them when it is closed, so closed cases never enter the index.
DROP TRIGGER identifiers_follow_report;
CREATE TRIGGER identifiers_follow_report AFTER UPDATE OF new_link, status ON reports
    WHEN (OLD.status = 'closed') IS NOT (NEW.status = 'closed')
        OR (OLD.new_link = 1 AND NEW.new_link = 0)
BEGIN
    UPDATE identifiers SET waiting = CASE WHEN NEW.new_link = 0 AND NEW.status <> 'closed' THEN 1 ELSE 0 END
    WHERE report_id = NEW.id
        AND waiting <> CASE WHEN NEW.new_link = 0 AND NEW.status <> 'closed' THEN 1 ELSE 0 END;
END;
