-- Reports and rejections kept by the UTC day (issue 19), as the raw reports already are:
-- retention drops a whole day of them, which costs the same at a thousand reports a day or
-- twenty million and leaves no dead rows for the vacuum (store/src/partitions.rs).
--
-- A partitioned table's unique keys must hold its partition key, so a report's digest is
-- unique per tenant and day: (tenant_id, body_sha256, received_on). Sinch retries a report
-- for about 23 hours, so ingestion also looks for a retry in the day before
-- (store/src/ingest/statements.rs, `insert_reports`). Nothing points at a report by foreign
-- key any more: rejections go by the same day as their report.
--
-- Digests stored whole (32 bytes, before migration 14) are cut to their first 16 here, as
-- their key compared them, and every digest is 16 bytes from now on. The report's type
-- becomes an enum.
--
-- Maintenance window: `reports` and `rejections` are locked while their rows are copied
-- into the days, then the keys are built on the days: the webhook answers 503 meanwhile
-- and Sinch retries (BENCHMARKS.md, "Storage per report", gives its length).

-- The bounds are written as UTC midnights in text, which a `timestamptz` key reads as that
-- instant and a `date` key as that day, so one function serves `raw_reports` (partitioned
-- by `received_at`) and the tables partitioned by their UTC day.
CREATE OR REPLACE FUNCTION create_daily_partitions(parent regclass, first_day date, last_day date)
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
                           parent, name, to_char(day, 'YYYY-MM-DD') || ' 00:00:00+00',
                           to_char(day + 1, 'YYYY-MM-DD') || ' 00:00:00+00');
            made := made + 1;
        END IF;
    END LOOP;
    RETURN made;
END
$$;

-- Sinch's four report types, as the `type` field names them: four bytes a report instead
-- of the name's thirty.
CREATE TYPE sinch_report_type AS ENUM (
    'recipient_delivery_report_sms', 'recipient_delivery_report_mms',
    'delivery_report_sms', 'delivery_report_mms');

ALTER TABLE reports RENAME TO reports_unpartitioned;
ALTER TABLE rejections RENAME TO rejections_unpartitioned;

-- Report ids stay unique across days (events and statuses name their report by id alone):
-- one sequence, carrying on from the identity it replaces.
CREATE SEQUENCE report_ids;
SELECT setval('report_ids', coalesce((SELECT max(id) FROM reports_unpartitioned), 0) + 1, false);

CREATE TABLE reports (
    tenant_id        bigint NOT NULL,
    id               bigint NOT NULL DEFAULT nextval('report_ids'),
    received_at      timestamptz NOT NULL DEFAULT now(),
    -- received_at's UTC day (the partition key). now() is the transaction's start, so both
    -- defaults name the same instant.
    received_on      date NOT NULL DEFAULT (now() AT TIME ZONE 'UTC')::date,
    -- The first 128 bits of the body's SHA-256 (store/src/ingest/mod.rs, `body_digest`).
    body_sha256      bytea NOT NULL CHECK (length(body_sha256) = 16),
    report_type      sinch_report_type NOT NULL,
    client_reference text
) PARTITION BY RANGE (received_on);

-- Reports whose uid cannot be used: stored and explained, never forwarded. Written in the
-- transaction of their report, so on its day.
CREATE TABLE rejections (
    tenant_id        bigint NOT NULL,
    report_id        bigint NOT NULL,
    received_at      timestamptz NOT NULL DEFAULT now(),
    received_on      date NOT NULL DEFAULT (now() AT TIME ZONE 'UTC')::date,
    reason           text NOT NULL CHECK (reason IN ('missing_uid', 'refused_uid', 'uid_too_long')),
    detail           text NOT NULL,
    client_reference text
) PARTITION BY RANGE (received_on);

SELECT create_daily_partitions(
    t,
    coalesce((SELECT (min(received_at) AT TIME ZONE 'UTC')::date FROM reports_unpartitioned),
             (now() AT TIME ZONE 'UTC')::date),
    (now() AT TIME ZONE 'UTC')::date + 7)
FROM unnest(ARRAY['reports', 'rejections']::regclass[]) AS t;

INSERT INTO reports (tenant_id, id, received_at, received_on, body_sha256, report_type,
                     client_reference)
SELECT tenant_id, id, received_at, (received_at AT TIME ZONE 'UTC')::date,
       substr(body_sha256, 1, 16), report_type::sinch_report_type, client_reference
FROM reports_unpartitioned;

-- A rejection's day is its report's.
INSERT INTO rejections (tenant_id, report_id, received_at, received_on, reason, detail,
                        client_reference)
SELECT j.tenant_id, j.report_id, j.received_at, (r.received_at AT TIME ZONE 'UTC')::date,
       j.reason, j.detail, j.client_reference
FROM rejections_unpartitioned j
JOIN reports_unpartitioned r ON r.tenant_id = j.tenant_id AND r.id = j.report_id;

DROP TABLE rejections_unpartitioned;
DROP TABLE reports_unpartitioned;
ALTER SEQUENCE report_ids OWNED BY reports.id;

-- Built on the days once they are filled: faster than maintaining them row by row.
ALTER TABLE reports
    ADD PRIMARY KEY (tenant_id, id, received_on),
    ADD CONSTRAINT reports_digest_key UNIQUE (tenant_id, body_sha256, received_on),
    ADD FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE;
CREATE INDEX reports_received_at_idx ON reports (tenant_id, received_at);

ALTER TABLE rejections
    ADD PRIMARY KEY (tenant_id, report_id, received_on),
    ADD FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE;
CREATE INDEX rejections_received_at_idx ON rejections (tenant_id, received_at);
