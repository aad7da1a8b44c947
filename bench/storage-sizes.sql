-- Bytes per stored report, table by table (a partitioned table's days counted as one):
-- heap with TOAST, indexes and both, divided by the reports stored. Run by
-- scripts/bench-storage after VACUUM ANALYZE.
WITH rel AS (
    SELECT coalesce(i.inhparent, c.oid)::regclass::text AS tbl, c.oid
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN pg_inherits i ON i.inhrelid = c.oid
    WHERE n.nspname = 'public' AND c.relkind = 'r'
), total AS (SELECT count(*) AS reports FROM reports),
per AS (
    SELECT tbl, round(sum(pg_table_size(oid))::numeric / max(reports), 1) AS heap,
           round(sum(pg_indexes_size(oid))::numeric / max(reports), 1) AS indexes,
           round(sum(pg_total_relation_size(oid))::numeric / max(reports), 1) AS all_per_report
    FROM rel CROSS JOIN total GROUP BY tbl
)
SELECT * FROM per WHERE all_per_report > 1
UNION ALL SELECT 'total', sum(heap), sum(indexes), sum(all_per_report) FROM per
ORDER BY 4 DESC;
