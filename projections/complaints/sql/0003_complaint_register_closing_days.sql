-- The days of a complaint's acceptance and reply (projection "complaint_register"): the
-- register's monthly figures (complaint_summary in projections/complaints/summary.py) count a
-- reply in the month of its day and measure the days to close from the acceptance, and the
-- events' days were not kept. accepted_on: the day (China) of ComplaintAccepted; a reopening
-- keeps it. replied_on: the day (China) of the current round's ComplaintReplied, cleared by a
-- reopening like replied_on_time. Rows written before stay empty (their replies are in no
-- month) until `yanshen rebuild complaint_register`.
ALTER TABLE complaint_register ADD COLUMN IF NOT EXISTS accepted_on date;
ALTER TABLE complaint_register ADD COLUMN IF NOT EXISTS replied_on date;
