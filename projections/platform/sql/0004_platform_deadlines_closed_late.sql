-- A deadline closed late (`met` false) with no miss recorded by a scheduler round before it
-- closed (projection "deadlines"): the round missed its due date on the day it closed (in
-- China), so the operators' counts, which read `missed_on`, count it as closed late, as the
-- registers show it. The handlers set it from now on; this fills the rows written before, the
-- same way (exact). A case resumed with its moved due date already past keeps its miss as
-- well; those rows are exact only after `yanshen rebuild deadlines` (docs/projections.md,
-- "Changes that need a rebuild").
-- The owner fills the existing rows of every hall: row-level security is lifted for that
-- (migrate applies its files in one transaction, so no other session sees the gap).
ALTER TABLE platform_deadlines NO FORCE ROW LEVEL SECURITY;
UPDATE platform_deadlines SET missed_on = (closed_at AT TIME ZONE 'Asia/Shanghai')::date
WHERE met = false AND missed_on IS NULL AND closed_at IS NOT NULL;
ALTER TABLE platform_deadlines FORCE ROW LEVEL SECURITY;
