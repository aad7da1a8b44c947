-- What makes a Sinch retry a duplicate: the first 128 bits of its body's SHA-256, not all
-- 256 (store/src/ingest/mod.rs, `body_digest`). The unique key on the digest took 105
-- bytes a report, as much as the report's row, its keys arriving in random order
-- (BENCHMARKS.md, "Storage per report"). The key is per tenant, and only Sinch, with the
-- tenant's credentials, can send a tenant reports. By the birthday bound, two different
-- reports among the two billion a big tenant keeps over 90 days share 128 bits with a
-- probability of about 10^-20.
--
-- Rows stored before keep their 256-bit digest and are compared by their first 128 bits,
-- so a retry that straddles this migration is still found. Building the index reads
-- `reports` under a SHARE lock (writes wait for it).
CREATE UNIQUE INDEX reports_digest_key ON reports (tenant_id, substr(body_sha256, 1, 16));
ALTER TABLE reports DROP CONSTRAINT reports_body_key;
