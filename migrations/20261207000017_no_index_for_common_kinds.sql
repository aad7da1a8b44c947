-- The explorer's kind filter keeps an index only for the rare kind (issue 19; BENCHMARKS.md,
-- "Storage per report").
--
-- Migration 13 gave each event kind a partial index. Most events are SMS Delivered, and in
-- live traffic about as many are SMS Sent (a Dispatched and a final status per message):
-- the newest events of a common kind are found as fast by walking all events newest first
-- (`events_created_at_idx`) and keeping that kind's, a few rows skipped for each one kept,
-- and the delivered kind's index took 34.5 bytes a report, nearly a second copy of
-- `events_created_at_idx`. The planner picks the walk with the filter's value (the explorer
-- plans each search with it). SMS Delivery Failed, a few events in a hundred, keeps its
-- index: walking for it would skip too many. Dropping an index takes a moment's lock.

DROP INDEX events_delivered_idx;
DROP INDEX events_sent_idx;
