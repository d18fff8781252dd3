-- The invitations still unrated, by the day their default rating (系统默认评价, BASIC) is due:
-- the deadline scheduler (services/scheduler/evaluations.py) reads them here, every hall at
-- once, oldest default day first.
CREATE INDEX IF NOT EXISTS evaluation_ratings_default_due
    ON evaluation_ratings (default_on, tenant_id, evaluation_id) WHERE status = 'INVITED';
