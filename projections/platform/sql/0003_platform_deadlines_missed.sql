-- Whether a deadline's round missed a due date (projection "deadlines"): `missed_on` is the
-- day the first miss of the round was recorded (…Overdue). `overdue_on` stays the recorded
-- miss of the current due date (what the deadline scheduler looks at); `missed_on` is what
-- the operators' counts read: a complaint's extension moves the due date (clearing
-- `overdue_on`) but does not undo an earlier miss, as in the complaint register. Rows written
-- before this file get `overdue_on` (exact unless an extension cleared a miss since); `yanshen
-- rebuild deadlines` makes every row exact (docs/projections.md, "Changes that need a
-- rebuild").
ALTER TABLE platform_deadlines ADD COLUMN IF NOT EXISTS missed_on date;
-- The owner fills the existing rows of every hall: row-level security is lifted for that
-- (migrate applies its files in one transaction, so no other session sees the gap).
ALTER TABLE platform_deadlines NO FORCE ROW LEVEL SECURITY;
UPDATE platform_deadlines SET missed_on = overdue_on
WHERE missed_on IS NULL AND overdue_on IS NOT NULL;
ALTER TABLE platform_deadlines FORCE ROW LEVEL SECURITY;
