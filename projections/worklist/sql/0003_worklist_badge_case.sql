-- Staff worklists are read whatever the badge's case (工号: s001 is S001; the view compares
-- upper(badge), projections/worklist/view.py): the readers' indexes are on the upper-case
-- badge, or every worklist request would read all of the hall's worklist rows. Same names,
-- so they stay the projection's reader_indexes; no rows change (no rebuild needed).
DROP INDEX IF EXISTS worklist_cases_responsible;
CREATE INDEX worklist_cases_responsible ON worklist_cases (tenant_id, upper(responsible));
DROP INDEX IF EXISTS worklist_complaints_assignee;
CREATE INDEX worklist_complaints_assignee ON worklist_complaints (tenant_id, upper(assignee));
DROP INDEX IF EXISTS worklist_tickets_staff;
CREATE INDEX worklist_tickets_staff ON worklist_tickets (tenant_id, upper(staff_badge));
DROP INDEX IF EXISTS worklist_rectifications_responsible;
CREATE INDEX worklist_rectifications_responsible
    ON worklist_rectifications (tenant_id, upper(responsible));
