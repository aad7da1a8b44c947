-- The explorer's uid, phone number and category filters find events by an index of the
-- value alone (issue 19; BENCHMARKS.md, "Storage per report").
--
-- Led by (tenant_id, value) and followed by (created_at, id), each of the three held one
-- entry of up to 48 bytes per event, inserted inside the index where pages split in half:
-- 64, 103 and 95 bytes a report. With the value alone, PostgreSQL's B-tree deduplication
-- (on by default since PostgreSQL 13) keeps each value once per page with the list of its
-- events, six bytes each. What the order cost: a uid or a phone number has few events,
-- read and sorted in a moment; a category has many, and the planner walks the events
-- newest first (`events_created_at_idx`) keeping those of the category, as it chooses
-- with the filter's values (the explorer plans each search with them).
--
-- Building the new indexes reads `events` under a SHARE lock (writes wait for it), once
-- per index.

DROP INDEX events_customer_idx;
DROP INDEX events_recipient_idx;
DROP INDEX events_category_idx;
CREATE INDEX events_customer_idx ON events (tenant_id, customer_id);
CREATE INDEX events_recipient_idx ON events (tenant_id, recipient);
CREATE INDEX events_category_idx ON events (tenant_id, category) WHERE category IS NOT NULL;
