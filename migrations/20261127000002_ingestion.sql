-- Sinch delivery report ingestion: tenants, reports as received, messages with their status
-- history, the MoEngage events derived from them (which are also the forwarding queue),
-- rejections, malformed calls and refused calls.
--
-- Scaling: every tenant-owned table has tenant_id first in its primary key and in every
-- unique key, and no foreign key crosses tenants, so the tables can be distributed by
-- tenant_id (Citus) with `tenants` as a reference table. Old rows go by batched deletes on
-- time indexes (see the retention job), not by partitions: unique keys stay simple.

CREATE TABLE tenants (
    id                         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- The MoEngage workspace id; the last segment of the callback URL.
    app_key                    text NOT NULL CONSTRAINT tenants_app_key_key UNIQUE,
    name                       text NOT NULL CHECK (btrim(name) <> ''),
    -- MoEngage data center DC-01 .. DC-06 (api-0N.moengage.com).
    data_center                smallint NOT NULL CHECK (data_center BETWEEN 1 AND 6),
    -- MoEngage Data API key, AEAD-encrypted under the master key; last 4 kept for display.
    moengage_api_key_encrypted bytea NOT NULL,
    moengage_api_key_last4     text NOT NULL,
    -- The Sinch integration is enabled on demand; until then callbacks answer 403.
    integration_enabled        boolean NOT NULL DEFAULT false,
    integration_changed_by     text,
    integration_changed_at     timestamptz,
    -- HTTP Basic credentials Sinch presents; the password is encrypted so that the console
    -- can show the whole callback URL again.
    callback_username          text NOT NULL,
    callback_password_encrypted bytea NOT NULL,
    -- Optional HMAC signing secret (encrypted); when set, signatures are verified.
    hmac_secret_encrypted      bytea,
    created_at                 timestamptz NOT NULL DEFAULT now(),
    updated_at                 timestamptz NOT NULL DEFAULT now()
);

CREATE TRIGGER tenants_set_updated_at BEFORE UPDATE ON tenants
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- Every report exactly as Sinch sent it. A retry of the same report has the same body,
-- so the body's digest makes a retry a no-op.
CREATE TABLE reports (
    tenant_id        bigint NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id               bigint GENERATED ALWAYS AS IDENTITY,
    received_at      timestamptz NOT NULL DEFAULT now(),
    body_sha256      bytea NOT NULL,
    body             text NOT NULL,
    report_type      text NOT NULL,
    batch_id         text NOT NULL,
    client_reference text,
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT reports_body_key UNIQUE (tenant_id, body_sha256)
);

CREATE INDEX reports_received_at_idx ON reports (tenant_id, received_at);

-- Reports whose uid cannot be used: stored and explained, never forwarded.
CREATE TABLE rejections (
    tenant_id        bigint NOT NULL,
    report_id        bigint NOT NULL,
    received_at      timestamptz NOT NULL DEFAULT now(),
    reason           text NOT NULL CHECK (reason IN ('missing_uid', 'refused_uid', 'uid_too_long')),
    detail           text NOT NULL,
    client_reference text,
    PRIMARY KEY (tenant_id, report_id),
    FOREIGN KEY (tenant_id, report_id) REFERENCES reports (tenant_id, id) ON DELETE CASCADE
);

CREATE INDEX rejections_received_at_idx ON rejections (tenant_id, received_at DESC);

-- One row per message: tenant + batch + normalised recipient. A summary batch report has
-- no recipients; its counts belong to the batch's aggregate row, whose recipient is ''.
CREATE TABLE messages (
    tenant_id        bigint NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id               bigint GENERATED ALWAYS AS IDENTITY,
    batch_id         text NOT NULL,
    recipient        text NOT NULL,
    customer_id      text NOT NULL,
    category         text,
    first_seen_at    timestamptz NOT NULL DEFAULT now(),
    -- The first final status wins: later ones are history only.
    final_status     text,
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT messages_natural_key UNIQUE (tenant_id, batch_id, recipient)
);

CREATE INDEX messages_first_seen_at_idx ON messages (tenant_id, first_seen_at);

-- Every status a message went through (Queued -> Dispatched -> Delivered), as reported.
CREATE TABLE message_statuses (
    tenant_id   bigint NOT NULL,
    message_id  bigint NOT NULL,
    report_id   bigint NOT NULL,
    status      text NOT NULL,
    code        integer NOT NULL,
    count       bigint NOT NULL DEFAULT 1 CHECK (count > 0),
    -- Sinch's time for the status, or when the report arrived if it carries none.
    reported_at timestamptz NOT NULL,
    operator    text,
    PRIMARY KEY (tenant_id, message_id, report_id, status, code),
    FOREIGN KEY (tenant_id, message_id) REFERENCES messages (tenant_id, id) ON DELETE CASCADE
);

-- The MoEngage events, which are also the forwarding queue: an event is enqueued in the
-- same transaction that stores its report.
CREATE TABLE events (
    tenant_id       bigint NOT NULL,
    id              bigint GENERATED ALWAYS AS IDENTITY,
    message_id      bigint NOT NULL,
    report_id       bigint NOT NULL,
    kind            text NOT NULL CHECK (kind IN ('sent', 'delivered', 'delivery_failed')),
    -- At most one event per slot and message: 'sent' and 'final' for a recipient's
    -- message; one per status and code for a summary report's aggregate.
    slot            text NOT NULL,
    customer_id     text NOT NULL,
    category        text,
    batch_id        text NOT NULL,
    recipient       text NOT NULL,
    sinch_status    text NOT NULL,
    sinch_code      integer NOT NULL,
    count           bigint NOT NULL DEFAULT 1 CHECK (count > 0),
    operator        text,
    -- client_reference keys other than uid and cat, sent along as attributes.
    extra           jsonb NOT NULL DEFAULT '{}',
    reported_at     timestamptz NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    -- 'suppressed': stored but not forwarded (a Dispatched after a final status).
    forward_state   text NOT NULL DEFAULT 'pending'
        CHECK (forward_state IN ('pending', 'retrying', 'forwarded', 'dead', 'suppressed')),
    next_attempt_at timestamptz,
    attempts        integer NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT events_slot_key UNIQUE (tenant_id, message_id, slot),
    FOREIGN KEY (tenant_id, message_id) REFERENCES messages (tenant_id, id) ON DELETE CASCADE
);

-- The forwarding queue: only due, unfinished events are indexed.
CREATE INDEX events_due_idx ON events (next_attempt_at, tenant_id)
    WHERE forward_state IN ('pending', 'retrying');
-- The event explorer's filters, newest first within a tenant.
CREATE INDEX events_created_at_idx ON events (tenant_id, created_at DESC, id DESC);
CREATE INDEX events_customer_idx ON events (tenant_id, customer_id, created_at DESC);
CREATE INDEX events_recipient_idx ON events (tenant_id, recipient, created_at DESC);
CREATE INDEX events_batch_idx ON events (tenant_id, batch_id);
CREATE INDEX events_category_idx ON events (tenant_id, category, created_at DESC)
    WHERE category IS NOT NULL;
CREATE INDEX events_state_idx ON events (tenant_id, forward_state, created_at DESC)
    WHERE forward_state <> 'forwarded';

-- Calls whose body was not a delivery report, so support can see what Sinch sent. Capped
-- per tenant: the ingestion keeps only the newest rows.
CREATE TABLE malformed_calls (
    tenant_id    bigint NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id           bigint GENERATED ALWAYS AS IDENTITY,
    received_at  timestamptz NOT NULL DEFAULT now(),
    status_code  smallint NOT NULL,
    reason       text NOT NULL,
    content_type text,
    body_excerpt text NOT NULL,
    body_bytes   bigint NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

-- Calls refused before any tenant data was touched (unknown workspace, integration
-- disabled, bad credentials), counted per app_key so the console can show, for instance,
-- "Sinch is calling but the integration is disabled".
CREATE TABLE refused_calls (
    app_key    text NOT NULL,
    reason     text NOT NULL CHECK (reason IN ('unknown_tenant', 'disabled', 'unauthorized')),
    calls      bigint NOT NULL DEFAULT 0,
    first_at   timestamptz NOT NULL DEFAULT now(),
    last_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (app_key, reason)
);
