-- The queue's filters read in the queue's order. A page is read in index order and stops after
-- 51 rows; its total is counted up to 1,001. With only 0020's order index a filter that keeps few
-- reports (a category in one country) made both read every open report, and the role rule
-- (`restricted`, `assignee_id`) sent each of them to the table: 0.9 s at 100,000 reports.
-- Each index below starts with the filter's columns, follows the order of 0020, and ends with
-- the columns the other conditions test (status, role rule, the other filters), so a page and its
-- count are decided inside the index and only the rows shown are read from the table.
DROP INDEX reports_queue;
DROP INDEX reports_queue_order;

CREATE INDEX reports_queue_order ON reports (
    (CASE WHEN suspect IS NULL THEN 0 ELSE 1 END),
    (CASE urgency WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 ELSE 3 END),
    (CASE WHEN new_activity <> 0 OR new_link <> 0 THEN 0 ELSE 1 END),
    received_at, id, status, restricted, assignee_id
);

CREATE INDEX reports_queue_category ON reports (
    category,
    (CASE WHEN suspect IS NULL THEN 0 ELSE 1 END),
    (CASE urgency WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 ELSE 3 END),
    (CASE WHEN new_activity <> 0 OR new_link <> 0 THEN 0 ELSE 1 END),
    received_at, id, status, restricted, assignee_id
);

CREATE INDEX reports_queue_country ON reports (
    country,
    (CASE WHEN suspect IS NULL THEN 0 ELSE 1 END),
    (CASE urgency WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 ELSE 3 END),
    (CASE WHEN new_activity <> 0 OR new_link <> 0 THEN 0 ELSE 1 END),
    received_at, id, status, category, restricted, assignee_id
);

CREATE INDEX reports_queue_place ON reports (
    category, country,
    (CASE WHEN suspect IS NULL THEN 0 ELSE 1 END),
    (CASE urgency WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 ELSE 3 END),
    (CASE WHEN new_activity <> 0 OR new_link <> 0 THEN 0 ELSE 1 END),
    received_at, id, status, restricted, assignee_id
);

CREATE INDEX reports_queue_assignee ON reports (
    assignee_id,
    (CASE WHEN suspect IS NULL THEN 0 ELSE 1 END),
    (CASE urgency WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 ELSE 3 END),
    (CASE WHEN new_activity <> 0 OR new_link <> 0 THEN 0 ELSE 1 END),
    received_at, id, status, category, country, restricted
);
