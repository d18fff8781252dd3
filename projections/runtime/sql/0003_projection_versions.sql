-- The version of the code each read model's live tables were built with (Projection.version,
-- projections/runtime/versions.py). A projection worker whose code is newer rebuilds the read
-- model online (shadow tables, swap) and the swap records the new version in its transaction;
-- a worker whose code is older than the recorded version stops applying events to it.
--
-- Written by: the swap of a full rebuild (owner: `yanshen rebuild`, or a worker's automatic
-- rebuild on the owner connection), and a worker's first look at a read model with no row
-- yet (yanshen_worker, INSERT only: the code's version for a read model never built, 1 for
-- one built before versions were recorded).
CREATE TABLE IF NOT EXISTS projection_versions (
    projection   text        NOT NULL PRIMARY KEY,
    version      integer     NOT NULL CHECK (version >= 1),
    recorded_at  timestamptz NOT NULL DEFAULT now()
);

-- Read models in use before this file were built by the code before versions: version 1.
-- (A read model with positions only at 0 has applied nothing: the worker records the code's
-- version for it.) The owner reads every hall's positions: row-level security is lifted for
-- that (migrate applies its files in one transaction, so no other session sees the gap).
ALTER TABLE consumer_positions NO FORCE ROW LEVEL SECURITY;
INSERT INTO projection_versions (projection, version)
SELECT DISTINCT substr(consumer, 12), 1 FROM consumer_positions
WHERE consumer LIKE 'projection:%' AND consumer NOT LIKE '%@%' AND position > 0
ON CONFLICT (projection) DO NOTHING;
ALTER TABLE consumer_positions FORCE ROW LEVEL SECURITY;

GRANT SELECT, INSERT ON projection_versions TO yanshen_worker;
