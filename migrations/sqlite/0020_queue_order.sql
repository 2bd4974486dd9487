-- The triage queue's order, as the queue query writes it (store::cases::QUEUE_ORDER): possible
-- junk last, then urgency, new activity or a new link first, the oldest first, the id last. The
-- first page of the queue is read in this index's order instead of sorting every open report.
CREATE INDEX reports_queue_order ON reports (
    (CASE WHEN suspect IS NULL THEN 0 ELSE 1 END),
    (CASE urgency WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 ELSE 3 END),
    (CASE WHEN new_activity <> 0 OR new_link <> 0 THEN 0 ELSE 1 END),
    received_at,
    id
);
