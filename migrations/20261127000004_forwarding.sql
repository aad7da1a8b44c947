-- Forwarding events to MoEngage's Data API: per-tenant settings, the claim lease on
-- events, and every attempt.

ALTER TABLE tenants
    -- Events per second this tenant's events are sent at (MoEngage allows about 500 per
    -- workspace), and how many requests may be in flight for it at once.
    ADD COLUMN forward_rate_per_s     integer NOT NULL DEFAULT 450 CHECK (forward_rate_per_s > 0),
    ADD COLUMN forward_concurrency    integer NOT NULL DEFAULT 4 CHECK (forward_concurrency > 0),
    -- Send the full recipient number to MoEngage, or only its last digits.
    ADD COLUMN forward_full_recipient boolean NOT NULL DEFAULT false,
    -- Send through MoEngage's bulk API (/v1/transition): fewer requests, but it answers 200
    -- whatever it does with each event, so refusals are invisible (README, "Bulk mode").
    ADD COLUMN forward_bulk           boolean NOT NULL DEFAULT false,
    -- Set when MoEngage answers 401: forwarding waits for new credentials instead of
    -- burning retries. Cleared when the Data API key is replaced.
    ADD COLUMN forwarding_paused_at   timestamptz,
    ADD COLUMN forwarding_paused_reason text;

ALTER TABLE events
    -- A claimed event's next_attempt_at is its lease: if the worker dies, the event is due
    -- again when the lease ends. These say who holds it, for the console and for release
    -- on shutdown.
    ADD COLUMN claimed_by   text,
    ADD COLUMN forwarded_at timestamptz,
    -- Why the event is dead (or why its last attempt failed).
    ADD COLUMN last_error   text;

-- Every request made for an event: one row per event and attempt.
CREATE TABLE forward_attempts (
    tenant_id    bigint NOT NULL,
    event_id     bigint NOT NULL,
    attempt      integer NOT NULL,
    attempted_at timestamptz NOT NULL DEFAULT now(),
    -- NULL when no HTTP answer came (timeout, connection refused).
    http_status  smallint,
    latency_ms   integer NOT NULL,
    -- 'forwarded', 'retry', 'dead' or 'paused'.
    outcome      text NOT NULL CHECK (outcome IN ('forwarded', 'retry', 'dead', 'paused')),
    error        text,
    PRIMARY KEY (tenant_id, event_id, attempt),
    FOREIGN KEY (tenant_id, event_id) REFERENCES events (tenant_id, id) ON DELETE CASCADE
);

CREATE INDEX forward_attempts_attempted_at_idx ON forward_attempts (tenant_id, attempted_at);

-- The queue, per tenant: workers take turns between tenants and claim each one's due
-- events oldest first.
DROP INDEX events_due_idx;
CREATE INDEX events_tenant_due_idx ON events (tenant_id, next_attempt_at)
    WHERE forward_state IN ('pending', 'retrying');

-- Dead letters per tenant and time, for replay and the console.
CREATE INDEX events_dead_idx ON events (tenant_id, created_at) WHERE forward_state = 'dead';
