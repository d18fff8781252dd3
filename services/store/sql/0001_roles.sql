-- Cluster-wide roles of the event store (政务服务大厅 tenants share one cluster).
--
-- Roles are not per database: several databases on one server (e.g. the per-worker test
-- databases) may run this file at the same moment, so every step is guarded against the role
-- or the membership having been created concurrently.

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'yanshen_app') THEN
        CREATE ROLE yanshen_app NOLOGIN NOBYPASSRLS;
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL;  -- created concurrently by another migrate
END
$$;

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'yanshen_worker') THEN
        CREATE ROLE yanshen_worker NOLOGIN NOBYPASSRLS;
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL;
END
$$;

-- The login user (the owner running migrate) may SET ROLE to both.
DO $$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['yanshen_app', 'yanshen_worker'] LOOP
        IF NOT EXISTS (
            SELECT 1
            FROM pg_auth_members m
            JOIN pg_roles g ON g.oid = m.roleid
            JOIN pg_roles u ON u.oid = m.member
            WHERE g.rolname = r AND u.rolname = current_user
        ) THEN
            BEGIN
                EXECUTE format('GRANT %I TO %I', r, current_user);
            EXCEPTION WHEN duplicate_object OR unique_violation THEN
                NULL;
            END;
        END IF;
    END LOOP;
END
$$;
