-- Forwarding at MoEngage's own cap, however many worker processes run (issue 15).
--
-- MoEngage's limits are per workspace, so a tenant's rate only holds if one process at a
-- time sends its events: each tenant's forwarding is driven under a lease, renewed by its
-- holder every few seconds and taken over by another process once it lapses (the holder
-- died). What the holder measures is kept beside the lease, for the console.
CREATE TABLE forwarding_leases (
    tenant_id     bigint PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    holder        text NOT NULL,
    expires_at    timestamptz NOT NULL,
    acquired_at   timestamptz NOT NULL DEFAULT now(),
    -- Events MoEngage accepted per second over the holder's last few seconds.
    rate_now      real NOT NULL DEFAULT 0,
    -- Set while the holder's circuit breaker is open: MoEngage has been failing (5xx or
    -- no answer) for this workspace since then, and only one request at a time probes it.
    failing_since timestamptz,
    measured_at   timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX forwarding_leases_holder_idx ON forwarding_leases (holder);

-- The processes running forwarding workers, by heartbeat: tenants are shared out among
-- the live ones. Rows of processes gone for an hour are deleted by the others.
CREATE TABLE forwarding_workers (
    name    text PRIMARY KEY,
    seen_at timestamptz NOT NULL
);

-- Each tenant's waiting events, sampled every few seconds, with two earlier samples moved
-- up every five minutes (so the earliest is five to ten minutes old): whether the backlog
-- grows, for the console.
CREATE TABLE forwarding_backlog (
    tenant_id       bigint PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    waiting         bigint NOT NULL,
    measured_at     timestamptz NOT NULL,
    mid_waiting     bigint NOT NULL,
    mid_at          timestamptz NOT NULL,
    earlier_waiting bigint NOT NULL,
    earlier_at      timestamptz NOT NULL
);

-- Four requests in flight capped a tenant at a sixth of MoEngage's allowance even against
-- a fast MoEngage (BENCHMARKS.md, forwarding run 3). Tenants still on the old default get
-- the new one; a value someone chose stays.
ALTER TABLE tenants ALTER COLUMN forward_concurrency SET DEFAULT 64;
UPDATE tenants SET forward_concurrency = 64 WHERE forward_concurrency = 4;
