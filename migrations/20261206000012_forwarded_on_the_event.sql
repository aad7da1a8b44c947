-- A forwarding that succeeded is recorded on its event, not as a row of its own (issue 19).
--
-- Almost every event is forwarded at its first attempt, and a row in `forward_attempts`
-- for that attempt took 172 bytes a report (BENCHMARKS.md, "Storage per report"): more
-- than the answer it records. The event already says when it was forwarded; it now also
-- keeps MoEngage's answer and how long it took, and `forward_attempts` keeps only the
-- attempts that did not forward (retries, dead letters, pauses): the ones support reads.
-- The event page lists the success after them, from the event (store/src/events/detail.rs).
--
-- Rows written before this migration stay as they are: an event forwarded before it has
-- its success as an attempt row and no answer on the event, so nothing is counted twice.
-- They leave with retention.
--
-- Only nullable columns are added and the new index covers no existing row, so this takes
-- one scan of `events` under a SHARE lock (writes wait for it), not a rewrite.

ALTER TABLE events
    -- MoEngage's HTTP status and the request's time, for a forwarded event.
    ADD COLUMN forward_http_status smallint,
    ADD COLUMN forward_latency_ms  integer;

-- Events forwarded per hour, for the console's traffic chart (the hourly roll-up): what
-- `forward_attempts_attempted_at_idx` gave when successes were rows there.
CREATE INDEX events_forwarded_at_idx ON events (tenant_id, forwarded_at)
    WHERE forward_latency_ms IS NOT NULL;
