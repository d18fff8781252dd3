-- The ratings behind the evaluation statistics (projection "evaluation_ratings", 好差评): one
-- row per invitation (一次一评 / 一事一评) with where it was served (window, staff, item), the
-- month of the service (China), whether and how it was rated (by the applicant, or by default
-- as BASIC), voluntary (主动评价) or not, the appeal and whether the rating was excluded, and
-- the rectification a bad rating opened. Statistics are exact counts over these rows. No
-- personal data: comments stay in the events; applicants are opaque ids.
CREATE TABLE IF NOT EXISTS evaluation_ratings (
    tenant_id          text        NOT NULL,
    evaluation_id      uuid        NOT NULL,
    invited_position   bigint      NOT NULL,
    subject_kind       text        NOT NULL,
    subject_ref        text        NOT NULL,
    channel            text        NOT NULL,
    applicant_id       text        NOT NULL,
    rater_id           text,
    window_code        text        NOT NULL,
    staff_badge        text        NOT NULL,
    item_code          text        NOT NULL,
    invited_at         timestamptz NOT NULL,
    invited_on         date        NOT NULL,
    month              text        NOT NULL,
    default_on         date        NOT NULL,
    status             text        NOT NULL,
    level              text,
    voluntary          boolean,
    rated_at           timestamptz,
    appended           boolean     NOT NULL,
    appeal_state       text        NOT NULL,
    appeal_reason      text,
    excluded           boolean     NOT NULL,
    rectification_id   uuid,
    updated_at         timestamptz NOT NULL,
    version            integer     NOT NULL,
    position           bigint      NOT NULL,
    PRIMARY KEY (tenant_id, evaluation_id)
);
CREATE UNIQUE INDEX IF NOT EXISTS evaluation_ratings_newest
    ON evaluation_ratings (tenant_id, invited_position);
CREATE INDEX IF NOT EXISTS evaluation_ratings_month ON evaluation_ratings (tenant_id, month);
CREATE INDEX IF NOT EXISTS evaluation_ratings_rectification
    ON evaluation_ratings (tenant_id, rectification_id) WHERE rectification_id IS NOT NULL;

ALTER TABLE evaluation_ratings ENABLE ROW LEVEL SECURITY;
ALTER TABLE evaluation_ratings FORCE ROW LEVEL SECURITY;
-- The app role sees one hall (the tenant set per transaction); projection workers see all.
DROP POLICY IF EXISTS evaluation_ratings_tenant ON evaluation_ratings;
CREATE POLICY evaluation_ratings_tenant ON evaluation_ratings TO yanshen_app
    USING (tenant_id = current_setting('yanshen.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('yanshen.tenant_id', true));
DROP POLICY IF EXISTS evaluation_ratings_worker ON evaluation_ratings;
CREATE POLICY evaluation_ratings_worker ON evaluation_ratings TO yanshen_worker
    USING (true) WITH CHECK (true);
GRANT SELECT ON evaluation_ratings TO yanshen_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON evaluation_ratings TO yanshen_worker;
