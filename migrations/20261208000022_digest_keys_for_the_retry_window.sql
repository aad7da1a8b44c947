-- A report's digest makes a Sinch retry a no-op, and Sinch retries a report for about 23
-- hours: ingestion looks for a retry in today's and yesterday's reports only. The digest
-- key was nonetheless kept on every day for the whole retention, the largest index of all
-- (69 bytes a report; BENCHMARKS.md, "Storage per report"). It is now kept on the days a
-- retry can still arrive for: each day of reports gets its own key when it is made, and
-- the hourly pass drops it once the day is older than yesterday
-- (`drop_expired_report_digest_keys`). Over the default 90 days of reports that spares
-- about 67 bytes a report.
--
-- The upgrade's window: the keys of today, yesterday and the empty coming days are built
-- while writes to `reports` wait, then the parent's key goes with every day's copy of it.

-- The first day a retry of a report can still be found in: yesterday, UTC. The days' keys
-- and the pass that drops them name it here; ingestion's look-up writes the same day out
-- (store/src/ingest/statements.rs, which also runs on databases from before this one).
CREATE FUNCTION oldest_retry_day() RETURNS date LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT (now() AT TIME ZONE 'UTC')::date - 1 $$;

-- As in migration 20, but a day of reports that a retry can still arrive for gets the
-- digest key (a day made in the past, by `dlrhub dev seed`, gets none).
CREATE OR REPLACE FUNCTION create_daily_partitions(parent regclass, first_day date, last_day date)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    day date;
    name text;
    made integer := 0;
    by_id boolean;
    day_key text;
    message_key constant text := '(tenant_id, hashtext(batch_id), hashtext(recipient))';
BEGIN
    -- Processes preparing the same days take turns instead of failing on the same name.
    PERFORM pg_advisory_xact_lock(hashtext('daily partitions of ' || parent::text));
    SELECT a.atttypid = 'bigint'::regtype INTO by_id
    FROM pg_partitioned_table p
    JOIN pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0]
    WHERE p.partrelid = parent;
    day_key := CASE parent::text WHEN 'events' THEN '(tenant_id, message_id, slot)' END;
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
        IF parent = 'messages'::regclass THEN
            EXECUTE format('CREATE INDEX %I ON %I %s', name || '_key_idx', name, message_key);
        END IF;
        IF parent = 'reports'::regclass AND day >= oldest_retry_day() THEN
            EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I UNIQUE (tenant_id, body_sha256)',
                           name, name || '_digest_key');
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

-- Drops the digest key of every day of reports before `oldest_retry_day()`; returns how
-- many. No retry can arrive for those days, and no insert goes to them.
CREATE FUNCTION drop_expired_report_digest_keys() RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    key record;
    dropped integer := 0;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('daily partitions of reports'));
    FOR key IN
        SELECT k.conrelid::regclass AS day, k.conname
        FROM pg_inherits i
        JOIN pg_class c ON c.oid = i.inhrelid
        JOIN pg_constraint k ON k.conrelid = c.oid AND k.contype = 'u'
        WHERE i.inhparent = 'reports'::regclass
          AND c.relname ~ '_p[0-9]{8}$'
          AND to_date(right(c.relname, 8), 'YYYYMMDD') < oldest_retry_day()
        ORDER BY c.relname
    LOOP
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', key.day, key.conname);
        dropped := dropped + 1;
    END LOOP;
    RETURN dropped;
END
$$;

LOCK TABLE reports IN SHARE MODE;

DO $$
DECLARE
    day record;
BEGIN
    FOR day IN
        SELECT c.relname
        FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'reports'::regclass
          AND c.relname ~ '_p[0-9]{8}$'
          AND to_date(right(c.relname, 8), 'YYYYMMDD') >= oldest_retry_day()
    LOOP
        EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I UNIQUE (tenant_id, body_sha256)',
                       day.relname, day.relname || '_digest_key');
    END LOOP;
END
$$;

ALTER TABLE reports DROP CONSTRAINT reports_digest_key;
