-- Deadlines of a withdrawn record (projection "deadlines"): a rectification withdrawn (撤销,
-- RectificationWithdrawn: its bad rating was excluded on appeal, 甄别剔除) owes nothing any
-- more. Its open deadline closes (neither met nor missed) and every deadline row of it is
-- marked `withdrawn`; the rows keep their dates and recorded misses, but the operators' counts
-- leave them out (neither open, overdue nor closed late), as the excluded rating counts in no
-- rate. No row written before this file is a withdrawn record's (the event is new).
ALTER TABLE platform_deadlines ADD COLUMN IF NOT EXISTS withdrawn boolean NOT NULL DEFAULT false;
