-- The event explorer: dead letters that people discard or replay, and the attempt history
-- that replays and pauses must not overwrite.

-- A dead letter someone decided not to send, with who and why. It stays visible (and can
-- still be replayed one by one from its page) until retention removes it.
ALTER TABLE events DROP CONSTRAINT events_forward_state_check;
ALTER TABLE events
    ADD CONSTRAINT events_forward_state_check CHECK (forward_state IN
        ('pending', 'retrying', 'forwarded', 'dead', 'suppressed', 'discarded')),
    ADD COLUMN discarded_at   timestamptz,
    ADD COLUMN discarded_by   text,
    ADD COLUMN discard_reason text,
    -- Why a dead letter died, without what differs per request (MoEngage's request ids),
    -- so that the console groups dead letters of one cause; last_error keeps the detail.
    ADD COLUMN dead_reason    text,
    -- When the event was last queued again by a replay: a replay's progress is the state
    -- of the events carrying its mark.
    ADD COLUMN replayed_at    timestamptz;

CREATE INDEX events_replayed_idx ON events (tenant_id, replayed_at) WHERE replayed_at IS NOT NULL;

-- Attempt numbers restart after a replay, and a pause does not use one up, so
-- (event, attempt) is not unique: every request keeps its own row.
ALTER TABLE forward_attempts DROP CONSTRAINT forward_attempts_pkey;
ALTER TABLE forward_attempts ADD COLUMN seq bigint GENERATED ALWAYS AS IDENTITY;
ALTER TABLE forward_attempts ADD PRIMARY KEY (tenant_id, event_id, seq);

-- How long delivered messages took from Dispatched to Delivered (Sinch's own times), per
-- tenant, hour (of the Delivered event) and category ('' when none), rolled up with the
-- hourly counts. Percentiles do not add up across hours, so each hour keeps its own.
CREATE TABLE hourly_delivery_times (
    tenant_id bigint NOT NULL,
    hour      timestamptz NOT NULL CHECK (hour = date_trunc('hour', hour, 'UTC')),
    category  text NOT NULL,
    messages  bigint NOT NULL,
    p50_ms    bigint NOT NULL,
    p95_ms    bigint NOT NULL,
    PRIMARY KEY (tenant_id, hour, category)
);

-- The explorer lists a tenant's events newest first, (created_at, id) descending, a
-- keyset page at a time. Each filter's index ends with that order, so a page is read
-- straight off the index and stops after 51 rows, whatever the tenant's size.
DROP INDEX events_customer_idx;
DROP INDEX events_recipient_idx;
DROP INDEX events_category_idx;
DROP INDEX events_state_idx;
CREATE INDEX events_customer_idx ON events (tenant_id, customer_id, created_at DESC, id DESC);
CREATE INDEX events_recipient_idx ON events (tenant_id, recipient, created_at DESC, id DESC);
CREATE INDEX events_category_idx ON events (tenant_id, category, created_at DESC, id DESC)
    WHERE category IS NOT NULL;
CREATE INDEX events_kind_idx ON events (tenant_id, kind, created_at DESC, id DESC);
CREATE INDEX events_state_idx ON events (tenant_id, forward_state, created_at DESC, id DESC)
    WHERE forward_state <> 'forwarded';
