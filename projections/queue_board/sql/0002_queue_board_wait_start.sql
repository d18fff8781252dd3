-- The visitor's wait start of each ticket (projection "queue_board"): when it was issued, or
-- for a ticket transferred in from another queue, the wait start it carried over
-- (TicketIssued.waiting_since). Waiting times are measured from it, so a transfer no longer
-- cuts a visitor's wait short. Rows written before this file get the best value the table
-- holds (a transfer's waiting_since, unless it was missed since); `yanshen rebuild
-- queue_board` makes every row exact (docs/projections.md, "Changes that need a rebuild").
ALTER TABLE queue_board_tickets ADD COLUMN IF NOT EXISTS wait_started_at timestamptz;
-- The owner fills the existing rows of every hall: row-level security is lifted for that
-- (migrate applies its files in one transaction, so no other session sees the gap).
ALTER TABLE queue_board_tickets NO FORCE ROW LEVEL SECURITY;
UPDATE queue_board_tickets
SET wait_started_at = CASE WHEN channel = 'TRANSFER' AND misses = 0 THEN waiting_since
                           ELSE issued_at END
WHERE wait_started_at IS NULL;
ALTER TABLE queue_board_tickets FORCE ROW LEVEL SECURITY;
ALTER TABLE queue_board_tickets ALTER COLUMN wait_started_at SET NOT NULL;
