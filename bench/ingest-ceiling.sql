-- pgbench script: the raw PostgreSQL ceiling for what ingesting 100 recipient reports
-- writes (a report with its compressed raw body, a message and an event, which holds the
-- report's status, each),
-- in one transaction, on the same schema and indexes as dlrhub. Run by scripts/bench-ingest.
\set t random(1, 2000000000)
WITH r AS (
    INSERT INTO reports (tenant_id, body_sha256, report_type)
    SELECT :tenant, substr(sha256(convert_to(:t || '-' || g || '-' || clock_timestamp(), 'UTF8')), 1, 16),
           'recipient_delivery_report_sms'
    FROM generate_series(1, 100) AS g
    RETURNING id, received_at, 'B' || :t || '-' || id AS batch_id
), raw AS (
    -- A recipient report of about 360 bytes compresses to about 120 (store::raw_reports).
    INSERT INTO raw_reports (tenant_id, report_id, received_at, codec, body)
    SELECT :tenant, id, received_at, 1, decode(repeat('5a', 120), 'hex') FROM r
), m AS (
    INSERT INTO messages (tenant_id, batch_id, recipient, customer_id, category, final_status)
    SELECT :tenant, batch_id, '+447700900123', '123456789759339206', 'otp', 'Delivered' FROM r
    RETURNING id, batch_id
)
INSERT INTO events (tenant_id, id, message_id, report_id, kind, slot, customer_id, category,
                    batch_id, recipient, sinch_status, sinch_code, count, operator, reported_at,
                    forward_state, next_attempt_at)
SELECT :tenant, same_day_id(m.id, nextval('event_ids')), m.id, r.id, 'delivered', 'final',
       '123456789759339206', 'otp', m.batch_id,
       '+447700900123', 'Delivered', 0, 1, '23410', now(), 'pending', now()
FROM m JOIN r USING (batch_id);
