-- Messages, their statuses, events and forwarding attempts kept by the UTC day, like the
-- reports: retention drops a day of each whole instead of deleting its rows one by one
-- (three dead rows a report, BENCHMARKS.md).
--
-- Their ids carry their day: the UTC day number in the high 32 bits, a sequence's low 32
-- bits below (about 8.7e13 today, well inside what JavaScript counts exactly). Each table
-- is partitioned by the id it is found by, so primary keys and every by-id lookup stay as
-- they were, and reach one day: messages by `id`, events by `id` (stamped with their
-- message's day, so a message and all its events share a day), statuses by `message_id`,
-- attempts by `event_id`.
--
-- A partitioned table's unique keys must hold its partition key. A message's key
-- (tenant, batch, recipient) and an event's slot (message, slot) are unique per day
-- instead: ingestion serialises reports about one message with an advisory lock and
-- looks for it in the last days (store::ingest), and an event's slot lives in its
-- message's day. There are no foreign keys among the four, so their days can go together.
--
-- Existing rows are not copied: each old table becomes its new table's partition for every
-- id before today (`<table>_legacy`, old ids are all below 2^32), with its keys, indexes
-- and foreign keys as they were, and retention deletes from it row by row as before until
-- it is empty, then drops it (`purge_legacy_messages`). The window is the scans that
-- check those partitions' bounds and the events' new foreign key to tenants.

LOCK TABLE messages, message_statuses, events, forward_attempts IN ACCESS EXCLUSIVE MODE;

-- The first id of a UTC day.
CREATE FUNCTION day_id_floor(day date) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT (day - date '1970-01-01')::bigint << 32 $$;

-- An id of `at`'s UTC day, from a sequence's next value.
CREATE FUNCTION day_stamped_id(at timestamptz, seq bigint) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT day_id_floor((at AT TIME ZONE 'UTC')::date) | (seq & 4294967295) $$;

-- An id of the same day as `owner`'s (an event's, from its message's).
CREATE FUNCTION same_day_id(owner bigint, seq bigint) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT ((owner >> 32) << 32) | (seq & 4294967295) $$;

-- The sequences carry on from the old identities, so that the events and attempts of
-- messages kept from before (day 0 in their ids) never meet an old id.
CREATE SEQUENCE message_ids;
CREATE SEQUENCE event_ids;
CREATE SEQUENCE forward_attempt_seqs;
SELECT setval('message_ids', last_value, is_called) FROM messages_id_seq;
SELECT setval('event_ids', last_value, is_called) FROM events_id_seq;
SELECT setval('forward_attempt_seqs', last_value, is_called) FROM forward_attempts_seq_seq;

ALTER TABLE messages RENAME TO messages_legacy;
ALTER TABLE message_statuses RENAME TO message_statuses_legacy;
ALTER TABLE events RENAME TO events_legacy;
ALTER TABLE forward_attempts RENAME TO forward_attempts_legacy;
ALTER TABLE messages_legacy ALTER COLUMN id DROP IDENTITY;
ALTER TABLE events_legacy ALTER COLUMN id DROP IDENTITY;
ALTER TABLE forward_attempts_legacy ALTER COLUMN seq DROP IDENTITY;
-- Index and foreign key names are the schema's: the old tables' make way for the new
-- tables' (events_pkey becomes events_legacy_pkey, and so on).
DO $$
DECLARE
    table_name text;
    index_name text;
    constraint_name text;
BEGIN
    FOREACH table_name IN ARRAY ARRAY['messages', 'message_statuses', 'events',
                                      'forward_attempts'] LOOP
        FOR index_name IN
            SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
            WHERE i.indrelid = (table_name || '_legacy')::regclass
        LOOP
            EXECUTE format('ALTER INDEX %I RENAME TO %I', index_name,
                           table_name || '_legacy' || substr(index_name, length(table_name) + 1));
        END LOOP;
        FOR constraint_name IN
            SELECT conname FROM pg_constraint
            WHERE conrelid = (table_name || '_legacy')::regclass AND contype = 'f'
              AND starts_with(conname, table_name || '_')
        LOOP
            EXECUTE format('ALTER TABLE %I RENAME CONSTRAINT %I TO %I', table_name || '_legacy',
                           constraint_name,
                           table_name || '_legacy' || substr(constraint_name, length(table_name) + 1));
        END LOOP;
    END LOOP;
END
$$;

CREATE TABLE messages (
    tenant_id bigint NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id bigint NOT NULL DEFAULT day_stamped_id(now(), nextval('message_ids')),
    batch_id text NOT NULL,
    recipient text NOT NULL,
    customer_id text NOT NULL,
    category text,
    first_seen_at timestamptz NOT NULL DEFAULT now(),
    final_status text,
    PRIMARY KEY (tenant_id, id)
) PARTITION BY RANGE (id);
ALTER SEQUENCE message_ids OWNED BY messages.id;

CREATE TABLE message_statuses (
    tenant_id bigint NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    message_id bigint NOT NULL,
    report_id bigint NOT NULL,
    status text NOT NULL,
    code integer NOT NULL,
    count bigint NOT NULL DEFAULT 1 CONSTRAINT message_statuses_count_check CHECK (count > 0),
    reported_at timestamptz NOT NULL,
    operator text,
    PRIMARY KEY (tenant_id, message_id, report_id, status, code)
) PARTITION BY RANGE (message_id);

-- `id` has no default: it is its message's day (`same_day_id`), which every insert names.
CREATE TABLE events (
    tenant_id bigint NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id bigint NOT NULL,
    message_id bigint NOT NULL,
    report_id bigint NOT NULL,
    kind text NOT NULL CONSTRAINT events_kind_check
        CHECK (kind = ANY (ARRAY['sent', 'delivered', 'delivery_failed'])),
    slot text NOT NULL,
    customer_id text NOT NULL,
    category text,
    batch_id text NOT NULL,
    recipient text NOT NULL,
    sinch_status text NOT NULL,
    sinch_code integer NOT NULL,
    count bigint NOT NULL DEFAULT 1 CONSTRAINT events_count_check CHECK (count > 0),
    operator text,
    extra jsonb NOT NULL DEFAULT '{}',
    reported_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    forward_state text NOT NULL DEFAULT 'pending' CONSTRAINT events_forward_state_check
        CHECK (forward_state = ANY (ARRAY['pending', 'retrying', 'forwarded', 'dead',
                                          'suppressed', 'discarded'])),
    next_attempt_at timestamptz,
    attempts integer NOT NULL DEFAULT 0,
    claimed_by text,
    forwarded_at timestamptz,
    last_error text,
    discarded_at timestamptz,
    discarded_by text,
    discard_reason text,
    dead_reason text,
    replayed_at timestamptz,
    forward_http_status smallint,
    forward_latency_ms integer,
    PRIMARY KEY (tenant_id, id)
) PARTITION BY RANGE (id);
ALTER SEQUENCE event_ids OWNED BY events.id;

CREATE TABLE forward_attempts (
    tenant_id bigint NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    event_id bigint NOT NULL,
    attempt integer NOT NULL,
    attempted_at timestamptz NOT NULL DEFAULT now(),
    http_status smallint,
    latency_ms integer NOT NULL,
    outcome text NOT NULL CONSTRAINT forward_attempts_outcome_check
        CHECK (outcome = ANY (ARRAY['forwarded', 'retry', 'dead', 'paused'])),
    error text,
    seq bigint NOT NULL DEFAULT nextval('forward_attempt_seqs'),
    PRIMARY KEY (tenant_id, event_id, seq)
) PARTITION BY RANGE (event_id);
ALTER SEQUENCE forward_attempt_seqs OWNED BY forward_attempts.seq;

-- The indexes the old tables had, but `messages_first_seen_at_idx`: retention no longer
-- looks for old messages by their time (the old table keeps its own until it goes).
CREATE INDEX events_category_idx ON events (tenant_id, category) WHERE category IS NOT NULL;
CREATE INDEX events_created_at_idx ON events (tenant_id, created_at, id);
CREATE INDEX events_customer_idx ON events (tenant_id, customer_id);
CREATE INDEX events_dead_idx ON events (tenant_id, created_at) WHERE forward_state = 'dead';
CREATE INDEX events_delivery_failed_idx ON events (tenant_id, created_at, id)
    WHERE kind = 'delivery_failed';
CREATE INDEX events_forwarded_at_idx ON events (tenant_id, forwarded_at)
    WHERE forward_latency_ms IS NOT NULL;
CREATE INDEX events_recipient_idx ON events (tenant_id, recipient);
CREATE INDEX events_replayed_idx ON events (tenant_id, replayed_at)
    WHERE replayed_at IS NOT NULL;
CREATE INDEX events_state_idx ON events (tenant_id, forward_state, created_at, id)
    WHERE forward_state <> 'forwarded';
CREATE INDEX events_tenant_due_idx ON events (tenant_id, next_attempt_at)
    WHERE forward_state = ANY (ARRAY['pending', 'retrying']);
CREATE INDEX forward_attempts_attempted_at_idx ON forward_attempts (tenant_id, attempted_at);

-- Days of tables keyed by a day-stamped id span that day's ids. Messages and events get
-- their unique key per day. A day that rows kept from before the upgrade already cover is
-- skipped.
CREATE OR REPLACE FUNCTION create_daily_partitions(parent regclass, first_day date, last_day date)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    day date;
    name text;
    made integer := 0;
    by_id boolean;
    day_key text;
BEGIN
    -- Processes preparing the same days take turns instead of failing on the same name.
    PERFORM pg_advisory_xact_lock(hashtext('daily partitions of ' || parent::text));
    SELECT a.atttypid = 'bigint'::regtype INTO by_id
    FROM pg_partitioned_table p
    JOIN pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0]
    WHERE p.partrelid = parent;
    day_key := CASE parent::text
        WHEN 'messages' THEN '(tenant_id, batch_id, recipient)'
        WHEN 'events' THEN '(tenant_id, message_id, slot)'
    END;
    FOR day IN SELECT generate_series(first_day, last_day, interval '1 day')::date LOOP
        name := parent::text || '_p' || to_char(day, 'YYYYMMDD');
        CONTINUE WHEN to_regclass(name) IS NOT NULL;
        -- Made apart, then attached: attaching locks the parent only against other
        -- schema changes, where CREATE TABLE ... PARTITION OF would lock ingestion out
        -- for a moment (and behind any long read of the table).
        EXECUTE format('CREATE TABLE %I (LIKE %s INCLUDING ALL)', name, parent);
        IF day_key IS NOT NULL THEN
            EXECUTE format('ALTER TABLE %I ADD UNIQUE %s', name, day_key);
        END IF;
        BEGIN
            IF by_id THEN
                EXECUTE format('ALTER TABLE %s ATTACH PARTITION %I FOR VALUES FROM (%s) TO (%s)',
                               parent, name, day_id_floor(day), day_id_floor(day + 1));
            ELSE
                EXECUTE format('ALTER TABLE %s ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)',
                               parent, name, to_char(day, 'YYYY-MM-DD') || ' 00:00:00+00',
                               to_char(day + 1, 'YYYY-MM-DD') || ' 00:00:00+00');
            END IF;
            made := made + 1;
        EXCEPTION WHEN invalid_object_definition THEN
            -- The day overlaps the partition of rows kept from before the upgrade.
            EXECUTE format('DROP TABLE %I', name);
        END;
    END LOOP;
    RETURN made;
END
$$;

-- The rows kept from before, if any, become the partition of every id before today's.
DO $$
DECLARE
    today_id bigint := day_id_floor((now() AT TIME ZONE 'UTC')::date);
BEGIN
    IF NOT EXISTS (SELECT FROM messages_legacy) THEN
        -- A message's statuses and events refer to it: with no message there are none.
        DROP TABLE forward_attempts_legacy, events_legacy, message_statuses_legacy,
                   messages_legacy;
        RETURN;
    END IF;
    EXECUTE format('ALTER TABLE messages ATTACH PARTITION messages_legacy
                    FOR VALUES FROM (MINVALUE) TO (%s)', today_id);
    EXECUTE format('ALTER TABLE message_statuses ATTACH PARTITION message_statuses_legacy
                    FOR VALUES FROM (MINVALUE) TO (%s)', today_id);
    EXECUTE format('ALTER TABLE events ATTACH PARTITION events_legacy
                    FOR VALUES FROM (MINVALUE) TO (%s)', today_id);
    EXECUTE format('ALTER TABLE forward_attempts ATTACH PARTITION forward_attempts_legacy
                    FOR VALUES FROM (MINVALUE) TO (%s)', today_id);
END
$$;

SELECT create_daily_partitions(t, (now() AT TIME ZONE 'UTC')::date,
                               (now() AT TIME ZONE 'UTC')::date + 7)
FROM unnest(ARRAY['messages', 'message_statuses', 'events',
                  'forward_attempts']::regclass[]) AS t;

-- Rows kept from before the upgrade leave as they did before it, a tenant's oldest
-- messages first, with their statuses, events and attempts (the old tables' foreign keys
-- cascade); returns how many messages went. Once nothing is left the four old tables go.
CREATE FUNCTION purge_legacy_messages(tenant bigint, cutoff timestamptz, batch bigint)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    deleted bigint;
BEGIN
    IF to_regclass('messages_legacy') IS NULL THEN
        RETURN 0;
    END IF;
    DELETE FROM messages_legacy WHERE tenant_id = tenant AND id IN (
        SELECT id FROM messages_legacy
        WHERE tenant_id = tenant AND first_seen_at < cutoff LIMIT batch);
    GET DIAGNOSTICS deleted = ROW_COUNT;
    RETURN deleted;
END
$$;

CREATE FUNCTION drop_legacy_messages_if_empty() RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    -- Apart: PL/pgSQL would plan the second test, naming a table gone, with the first.
    IF to_regclass('messages_legacy') IS NULL THEN
        RETURN false;
    END IF;
    IF EXISTS (SELECT FROM messages_legacy) THEN
        RETURN false;
    END IF;
    DROP TABLE forward_attempts_legacy, events_legacy, message_statuses_legacy,
               messages_legacy;
    RETURN true;
END
$$;
