-- The events' time index, which lists a tenant's events newest first in the explorer and
-- counts them by the hour, held each event's id after its time, to order events of the same
-- instant. Ingestion stamps every event of a batch with its transaction's time, so whole
-- batches share an instant: without the id, B-tree deduplication keeps the instant once
-- with its events' row pointers, and the events that share it (a batch's, of one tenant)
-- are sorted by id after they are read (an incremental sort; `dlrhub dev seed` stamps each event apart, so
-- BENCHMARKS.md gives both). On events stored through the webhook the index took 44
-- bytes an event with the id and 11 without (BENCHMARKS.md, "Storage per report"). The
-- explorer's queries are unchanged.
--
-- The upgrade's window: the new index is built while writes to events wait (reads go on),
-- then the old one is dropped.
CREATE INDEX events_created_at_key ON events (tenant_id, created_at);
DROP INDEX events_created_at_idx;
ALTER INDEX events_created_at_key RENAME TO events_created_at_idx;
