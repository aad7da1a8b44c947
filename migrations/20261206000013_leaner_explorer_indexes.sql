-- Two of the explorer's event indexes cost more than they give (issue 19; BENCHMARKS.md,
-- "Storage per report"). Building the new ones reads `events` under a SHARE lock (writes
-- wait for it), once per index.

-- 1. The batch filter finds a batch's messages by their key (`messages_natural_key` leads
--    with tenant_id, batch_id), then their events by `events_slot_key`
--    (store/src/events/mod.rs), so events need no index of their own by batch: it took
--    59 bytes a report, for a filter seldom used.
DROP INDEX events_batch_idx;

-- 2. The kind filter gets one partial index per kind instead of one led by (tenant_id,
--    kind), which took 100 bytes a report: its entries no longer carry the kind's text,
--    and a kind's newest events no longer land inside the index, before the next kind's,
--    where every page split leaves two half-empty pages (with several tenants, each
--    tenant's range still ends inside the index, as migration 11 notes). The planner
--    picks the index whose kind the filter names: the explorer plans with the filter's
--    values.
DROP INDEX events_kind_idx;
CREATE INDEX events_sent_idx ON events (tenant_id, created_at, id) WHERE kind = 'sent';
CREATE INDEX events_delivered_idx ON events (tenant_id, created_at, id)
    WHERE kind = 'delivered';
CREATE INDEX events_delivery_failed_idx ON events (tenant_id, created_at, id)
    WHERE kind = 'delivery_failed';
