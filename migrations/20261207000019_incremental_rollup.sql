-- The console's hourly counts are added to, not recomputed. A roll-up pass counts only
-- the rows written since the tenant's watermark (`activity_rollup.rolled_until`) and
-- adds them to their hours, so a pass costs what arrived since the last one, not what
-- the current hour holds (which, at 2,000 reports a second, is millions of rows by the
-- hour's end, read again every ten seconds).

-- The rule for "an id of this message's day", in one place: the event page's timeline
-- and the delivery-time roll-up both look for a message's events in its day. A plain
-- SQL expression, so that it is inlined and prunes the partitions.
CREATE FUNCTION in_day_of(id bigint, owner bigint) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT id BETWEEN same_day_id(owner, 0) AND same_day_id(owner, 4294967295) $$;

-- Percentiles do not add up, so delivery times are kept as a histogram: element b + 1
-- counts the messages that took [2^(b/8) - 1, 2^((b+1)/8) - 1) ms. Each bucket is 9%
-- wider than the one before, so a percentile read back from the midpoint of its bucket is
-- within about 4.5% of the exact one. Times past 2^50 ms share the last bucket.
CREATE FUNCTION delivery_bucket(ms double precision) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT least(floor(8 * ln(greatest(ms, 0) + 1) / ln(2)), 399)::integer $$;

-- The histogram of `buckets` (0-based) holding `counts`, as an array up to the highest.
CREATE FUNCTION delivery_histogram(buckets integer[], counts bigint[]) RETURNS bigint[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT array_agg(coalesce(c.n, 0) ORDER BY i)
    FROM generate_series(0, (SELECT max(b) FROM unnest(buckets) AS b)) AS i
    LEFT JOIN (SELECT b, sum(n) AS n FROM unnest(buckets, counts) AS u (b, n) GROUP BY b) c
        ON c.b = i
$$;

-- Two histograms' sum (either may be NULL, or shorter).
CREATE FUNCTION delivery_histogram_add(a bigint[], b bigint[]) RETURNS bigint[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT array_agg(coalesce(a[i], 0) + coalesce(b[i], 0) ORDER BY i)
    FROM generate_series(1, greatest(coalesce(cardinality(a), 0), coalesce(cardinality(b), 0)))
        AS i
$$;

-- The q-th quantile (nearest rank) of a histogram, placed within its bucket by its rank
-- among the bucket's messages; NULL for an empty or missing histogram.
CREATE FUNCTION delivery_quantile(h bigint[], q double precision) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    WITH buckets AS (
        SELECT i - 1 AS b, n, sum(n) OVER (ORDER BY i) AS upto, sum(n) OVER () AS total
        FROM unnest(h) WITH ORDINALITY AS u (n, i)
    )
    SELECT round(lo + (hi - lo) * (greatest(ceil(q * total), 1) - (upto - n) - 0.5) / n)::bigint
    FROM buckets
    CROSS JOIN LATERAL (
        SELECT power(2, b / 8.0) - 1 AS lo, power(2, (b + 1) / 8.0) - 1 AS hi
    ) edges
    WHERE n > 0 AND upto >= greatest(ceil(q * total), 1)
    ORDER BY b
    LIMIT 1
$$;

-- Hours rolled up before this migration keep the percentiles they were given; the roll-up
-- adds histograms from here on.
ALTER TABLE hourly_delivery_times
    ADD COLUMN histogram bigint[],
    ALTER COLUMN p50_ms DROP NOT NULL,
    ALTER COLUMN p95_ms DROP NOT NULL;

-- The watermark now means "rows stamped before this are counted". The hours from it on
-- were recomputed by the old pass, and would be counted twice: they are cleared, and the
-- next pass counts them again from the rows.
DELETE FROM hourly_traffic h USING activity_rollup r
WHERE h.tenant_id = r.tenant_id AND h.hour >= r.rolled_until;
DELETE FROM hourly_outcomes h USING activity_rollup r
WHERE h.tenant_id = r.tenant_id AND h.hour >= r.rolled_until;
DELETE FROM hourly_delivery_times h USING activity_rollup r
WHERE h.tenant_id = r.tenant_id AND h.hour >= r.rolled_until;

COMMENT ON COLUMN activity_rollup.rolled_until IS
    'Rows stamped before this time are counted in the hourly tables; a missing row means '
    'the tenant''s hours are rebuilt from its registration.';
