-- Leaner storage per report (issue 19).
--
-- 1. Sinch's raw report leaves `reports` for `raw_reports`: compressed by dlrhub (codec 1,
--    zstd with a dictionary built into dlrhub; rows copied here stay plain, codec 0) and
--    partitioned by UTC day, so that the raw reports, kept for a shorter period than the
--    parsed events (DLRHUB_RAW_RETENTION_DAYS), are purged by dropping whole days: the
--    same cost at a thousand rows a day or twenty million, and no dead rows to vacuum.
-- 2. `reports.batch_id` goes: nothing reads it, the message and its events hold it.
-- 3. The explorer's indexes are rebuilt ascending (read backwards, newest first, as fast).
--    A descending index takes each newer row at the left end of its tenant's range, where
--    every page split leaves two half-empty pages; ascending, the rows of the tenant with
--    the highest id land at the index's right end, where PostgreSQL packs pages full. Other
--    tenants' ranges end inside the index and split in half either way (BENCHMARKS.md,
--    "Storage per report"): only whole days, dropped or rebuilt, would pack those.
--
-- Moving an existing deployment's raw reports takes a short maintenance window: no report
-- is stored while this runs (BENCHMARKS.md, "Storage per report", gives its length).

-- The partitions of a table partitioned by UTC day are named <table>_pYYYYMMDD. Creating
-- and dropping them has one home, these two functions, used by this migration and by
-- dlrhub (store/src/raw_reports.rs) alike.
CREATE FUNCTION create_daily_partitions(parent regclass, first_day date, last_day date)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    day date;
    name text;
    made integer := 0;
BEGIN
    -- Processes preparing the same days take turns instead of failing on the same name.
    PERFORM pg_advisory_xact_lock(hashtext('daily partitions of ' || parent::text));
    FOR day IN SELECT generate_series(first_day, last_day, interval '1 day')::date LOOP
        name := parent::text || '_p' || to_char(day, 'YYYYMMDD');
        IF to_regclass(name) IS NULL THEN
            -- Made apart, then attached: attaching locks the parent only against other
            -- schema changes, where CREATE TABLE ... PARTITION OF would lock ingestion
            -- out for a moment (and behind any long read of the table).
            EXECUTE format('CREATE TABLE %I (LIKE %s INCLUDING ALL)', name, parent);
            EXECUTE format('ALTER TABLE %s ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)',
                           parent, name, day::timestamp AT TIME ZONE 'UTC',
                           (day + 1)::timestamp AT TIME ZONE 'UTC');
            made := made + 1;
        END IF;
    END LOOP;
    RETURN made;
END
$$;

-- Drops the daily partitions of `parent` whose whole day is before `cutoff`.
CREATE FUNCTION drop_daily_partitions_before(parent regclass, cutoff timestamptz)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    part regclass;
    dropped integer := 0;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('daily partitions of ' || parent::text));
    FOR part IN
        SELECT c.oid::regclass
        FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = parent
          AND c.relname ~ '_p[0-9]{8}$'
          AND (to_date(right(c.relname, 8), 'YYYYMMDD') + 1)::timestamp AT TIME ZONE 'UTC'
              <= cutoff
        ORDER BY c.relname
    LOOP
        EXECUTE format('DROP TABLE %s', part);
        dropped := dropped + 1;
    END LOOP;
    RETURN dropped;
END
$$;

-- Each report's body exactly as Sinch sent it, kept for DLRHUB_RAW_RETENTION_DAYS. No
-- foreign key to `reports`: a day goes as a whole, never row by row behind a cascade.
CREATE TABLE raw_reports (
    tenant_id   bigint NOT NULL,
    report_id   bigint NOT NULL,
    received_at timestamptz NOT NULL,
    -- 0: the UTF-8 text as received; 1: zstd with dlrhub's dictionary v1.
    codec       smallint NOT NULL CHECK (codec IN (0, 1)),
    body        bytea NOT NULL,
    PRIMARY KEY (tenant_id, report_id, received_at)
) PARTITION BY RANGE (received_at);

-- No report is written while the bodies move: none is left behind in the dropped column.
LOCK TABLE reports IN SHARE MODE;

SELECT create_daily_partitions(
    'raw_reports',
    coalesce((SELECT (min(received_at) AT TIME ZONE 'UTC')::date FROM reports),
             (now() AT TIME ZONE 'UTC')::date),
    (now() AT TIME ZONE 'UTC')::date + 7);

INSERT INTO raw_reports (tenant_id, report_id, received_at, codec, body)
SELECT tenant_id, id, received_at, 0, convert_to(body, 'UTF8') FROM reports;

ALTER TABLE reports DROP COLUMN body, DROP COLUMN batch_id;

DROP INDEX events_created_at_idx;
DROP INDEX events_customer_idx;
DROP INDEX events_recipient_idx;
DROP INDEX events_category_idx;
DROP INDEX events_kind_idx;
DROP INDEX events_state_idx;
DROP INDEX rejections_received_at_idx;
CREATE INDEX events_created_at_idx ON events (tenant_id, created_at, id);
CREATE INDEX events_customer_idx ON events (tenant_id, customer_id, created_at, id);
CREATE INDEX events_recipient_idx ON events (tenant_id, recipient, created_at, id);
CREATE INDEX events_category_idx ON events (tenant_id, category, created_at, id)
    WHERE category IS NOT NULL;
CREATE INDEX events_kind_idx ON events (tenant_id, kind, created_at, id);
CREATE INDEX events_state_idx ON events (tenant_id, forward_state, created_at, id)
    WHERE forward_state <> 'forwarded';
CREATE INDEX rejections_received_at_idx ON rejections (tenant_id, received_at);
