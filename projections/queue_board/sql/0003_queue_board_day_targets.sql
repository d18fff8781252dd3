-- The waiting-time target of each service day (projection "queue_board"): the hall's target
-- when the first of its queues started the day (QueueDayStarted: the day's first ticket, or a
-- reset), kept with the day. A day's tickets are measured against it, so a later change of
-- the hall's policies (HallPoliciesChanged) applies from the next day started and leaves the
-- days before as they were.
CREATE TABLE IF NOT EXISTS queue_board_day_targets (
    tenant_id               text    NOT NULL,
    service_day             date    NOT NULL,
    waiting_target_minutes  integer NOT NULL,
    position                bigint  NOT NULL,
    PRIMARY KEY (tenant_id, service_day)
);

ALTER TABLE queue_board_day_targets ENABLE ROW LEVEL SECURITY;
ALTER TABLE queue_board_day_targets FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS queue_board_day_targets_tenant ON queue_board_day_targets;
CREATE POLICY queue_board_day_targets_tenant ON queue_board_day_targets TO yanshen_app
    USING (tenant_id = current_setting('yanshen.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('yanshen.tenant_id', true));
DROP POLICY IF EXISTS queue_board_day_targets_worker ON queue_board_day_targets;
CREATE POLICY queue_board_day_targets_worker ON queue_board_day_targets TO yanshen_worker
    USING (true) WITH CHECK (true);
GRANT SELECT ON queue_board_day_targets TO yanshen_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON queue_board_day_targets TO yanshen_worker;

-- The days on the board before this file get the hall's current target, the one the board
-- measured them against until now (which target was in force when each started is in the
-- log only): `yanshen rebuild queue_board` gives every day its own (docs/projections.md,
-- "Changes that need a rebuild"). The owner fills the rows of every hall, row-level security
-- lifted (migrate applies its files in one transaction, so no other session sees the gap).
ALTER TABLE queue_board_days NO FORCE ROW LEVEL SECURITY;
ALTER TABLE queue_board_halls NO FORCE ROW LEVEL SECURITY;
ALTER TABLE queue_board_day_targets NO FORCE ROW LEVEL SECURITY;
INSERT INTO queue_board_day_targets (tenant_id, service_day, waiting_target_minutes, position)
SELECT d.tenant_id, d.service_day, h.waiting_target_minutes, min(d.position)
FROM queue_board_days d JOIN queue_board_halls h ON h.tenant_id = d.tenant_id
GROUP BY d.tenant_id, d.service_day, h.waiting_target_minutes
ON CONFLICT (tenant_id, service_day) DO NOTHING;
ALTER TABLE queue_board_day_targets FORCE ROW LEVEL SECURITY;
ALTER TABLE queue_board_halls FORCE ROW LEVEL SECURITY;
ALTER TABLE queue_board_days FORCE ROW LEVEL SECURITY;
