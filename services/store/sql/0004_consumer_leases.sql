-- Leases: several processes of one platform-wide consumer (projection workers, relays) share
-- the halls without processing a hall twice. A worker heartbeats; a lease expires when its
-- worker stops renewing it (killed), and another worker takes the hall over.
CREATE TABLE consumer_workers (
    consumer     text        NOT NULL,
    worker_id    text        NOT NULL,
    heartbeat_at timestamptz NOT NULL,
    CONSTRAINT consumer_workers_pkey PRIMARY KEY (consumer, worker_id)
);

CREATE TABLE consumer_leases (
    consumer   text        NOT NULL,
    tenant_id  text        NOT NULL,
    worker_id  text        NOT NULL,
    expires_at timestamptz NOT NULL,
    CONSTRAINT consumer_leases_pkey PRIMARY KEY (consumer, tenant_id)
);
CREATE INDEX consumer_leases_worker ON consumer_leases (consumer, worker_id);

GRANT SELECT, INSERT, UPDATE, DELETE ON consumer_workers, consumer_leases TO yanshen_worker;

ALTER TABLE consumer_leases ENABLE ROW LEVEL SECURITY;
ALTER TABLE consumer_leases FORCE ROW LEVEL SECURITY;
CREATE POLICY consumer_leases_platform_worker ON consumer_leases TO yanshen_worker
    USING (true) WITH CHECK (true);
