-- An account that can read report content (analyst, supervisor), added or reset by an admin on
-- the web, waits for a supervisor's approval: until then its set-up link and sign-in do not work.
-- `approval_requested_by` is the admin's user id; NULL means nothing waits.
ALTER TABLE staff_users ADD COLUMN approval_requested_by TEXT;
ALTER TABLE staff_users ADD COLUMN approval_requested_at BIGINT;
