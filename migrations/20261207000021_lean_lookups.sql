-- Four indexes that cost more than their look-ups were worth (BENCHMARKS.md, "Storage
-- per report", 1,185 bytes a report before this migration):
--
-- * A report and its raw body are looked up by id for one event at a time, on its page;
--   ingestion finds reports by their digest (reports_digest_key), never by id. Their
--   primary keys took 41 and 47 bytes a report. Report ids come from one sequence and both
--   tables are written in their order, so a BRIN index of each day's ids (a few kilobytes
--   a day) narrows a look-up to 16 pages a day. No key is lost: the ids come from the
--   sequence alone, and the report's digest stays its idempotency key.
-- * The explorer finds a uid's or a phone number's events by their value's index (52 and
--   44 bytes a report). Indexed as one 64-bit hash of the value seeded with the tenant,
--   an entry takes 20 bytes instead of up to 48. The explorer names the value as well, so
--   a collision costs a row read, never a wrong event.
--
-- Nothing is copied: the window is the index builds, a read of every kept day of events,
-- reports and raw bodies, during which ingestion and forwarding wait (BENCHMARKS.md has it
-- timed at 1,000,000 and 10,000,000 reports).

-- The 64-bit hash of `value` within `tenant`: what the explorer's value indexes hold.
CREATE FUNCTION tenant_value_key(tenant bigint, value text) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT hashtextextended(value, tenant) $$;

CREATE INDEX events_customer_key_idx ON events (tenant_value_key(tenant_id, customer_id));
CREATE INDEX events_recipient_key_idx ON events (tenant_value_key(tenant_id, recipient));
DROP INDEX events_customer_idx, events_recipient_idx;

-- Days made from now on get them too: they copy their parent's indexes.
CREATE INDEX reports_id_idx ON reports USING brin (id) WITH (pages_per_range = 16);
ALTER TABLE reports DROP CONSTRAINT reports_pkey;
CREATE INDEX raw_reports_report_idx ON raw_reports USING brin (report_id)
    WITH (pages_per_range = 16);
ALTER TABLE raw_reports DROP CONSTRAINT raw_reports_pkey;
