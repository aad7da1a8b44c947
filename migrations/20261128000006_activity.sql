-- What the console's overview, tenant list and charts count: per tenant and hour, rolled up
-- from the reports, rejections, events and forwarding attempts by a background pass, so
-- that a 24 h or 7 day view reads a few hundred small rows instead of millions.
-- Tenants can also be deleted (softly) from the console.

-- Traffic per tenant and hour: reports received, reports rejected for their uid, events
-- forwarded and events given up on (dead letters), by when each happened.
CREATE TABLE hourly_traffic (
    tenant_id     bigint NOT NULL,
    hour          timestamptz NOT NULL CHECK (hour = date_trunc('hour', hour, 'UTC')),
    received      bigint NOT NULL DEFAULT 0,
    rejected      bigint NOT NULL DEFAULT 0,
    forwarded     bigint NOT NULL DEFAULT 0,
    dead_lettered bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, hour)
);

-- Messages' outcomes per tenant, hour and category ('' when the report had none): the
-- events derived, weighted by their count (a summary report stands for many messages).
-- Suppressed events (a Dispatched after the final status) are not counted.
CREATE TABLE hourly_outcomes (
    tenant_id bigint NOT NULL,
    hour      timestamptz NOT NULL CHECK (hour = date_trunc('hour', hour, 'UTC')),
    category  text NOT NULL,
    sent      bigint NOT NULL DEFAULT 0,
    delivered bigint NOT NULL DEFAULT 0,
    failed    bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, hour, category)
);

-- How far each tenant's hours are final: the roll-up recomputes from here to now, so a
-- pass that was missed (the process was down) is caught up by the next one.
CREATE TABLE activity_rollup (
    tenant_id    bigint PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    rolled_until timestamptz NOT NULL
);

-- A deleted tenant keeps its rows until retention removes them, but disappears from the
-- console, its callbacks answer 404 and its events are no longer forwarded.
ALTER TABLE tenants
    ADD COLUMN deleted_at timestamptz,
    ADD COLUMN deleted_by text;
