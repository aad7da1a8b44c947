-- The messages' key, (tenant_id, batch_id, recipient) as text, was their largest index:
-- 77 bytes a report of the 1,228 that one costs (BENCHMARKS.md). It no longer has to be
-- unique: ingestion serialises a message's reports with an advisory lock and looks for the
-- message before making it (migration 18, `lock_messages`, `store_messages`). Days made
-- from now on index two 32-bit hashes instead (about 30 bytes a report), and every query
-- names the columns as well, so a collision costs a row read, never a wrong message.
-- Days that already hold messages keep their unique key until retention drops them; the
-- same queries use either. Nothing is rebuilt, so the upgrade takes no time.

-- As in migration 18, but a day of messages gets the hashed key, not a unique one.
CREATE OR REPLACE FUNCTION create_daily_partitions(parent regclass, first_day date, last_day date)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    day date;
    name text;
    made integer := 0;
    by_id boolean;
    day_key text;
    message_key constant text := '(tenant_id, hashtext(batch_id), hashtext(recipient))';
BEGIN
    -- Processes preparing the same days take turns instead of failing on the same name.
    PERFORM pg_advisory_xact_lock(hashtext('daily partitions of ' || parent::text));
    SELECT a.atttypid = 'bigint'::regtype INTO by_id
    FROM pg_partitioned_table p
    JOIN pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0]
    WHERE p.partrelid = parent;
    day_key := CASE parent::text WHEN 'events' THEN '(tenant_id, message_id, slot)' END;
    FOR day IN SELECT generate_series(first_day, last_day, interval '1 day')::date LOOP
        name := parent::text || '_p' || to_char(day, 'YYYYMMDD');
        CONTINUE WHEN to_regclass(name) IS NOT NULL;
        -- Made apart, then attached: attaching locks the parent only against other
        -- schema changes, where CREATE TABLE ... PARTITION OF would lock ingestion out
        -- for a moment (and behind any long read of the table).
        EXECUTE format('CREATE TABLE %I (LIKE %s INCLUDING ALL)', name, parent);
        IF day_key IS NOT NULL THEN
            EXECUTE format('ALTER TABLE %I ADD UNIQUE %s', name, day_key);
        END IF;
        IF parent = 'messages'::regclass THEN
            EXECUTE format('CREATE INDEX %I ON %I %s', name || '_key_idx', name, message_key);
        END IF;
        BEGIN
            IF by_id THEN
                EXECUTE format('ALTER TABLE %s ATTACH PARTITION %I FOR VALUES FROM (%s) TO (%s)',
                               parent, name, day_id_floor(day), day_id_floor(day + 1));
            ELSE
                EXECUTE format('ALTER TABLE %s ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)',
                               parent, name, to_char(day, 'YYYY-MM-DD') || ' 00:00:00+00',
                               to_char(day + 1, 'YYYY-MM-DD') || ' 00:00:00+00');
            END IF;
            made := made + 1;
        EXCEPTION WHEN invalid_object_definition THEN
            -- The day overlaps the partition of rows kept from before the upgrade.
            EXECUTE format('DROP TABLE %I', name);
        END;
    END LOOP;
    RETURN made;
END
$$;

-- The days made ahead that are still empty take the new key now.
DO $$
DECLARE
    day regclass;
    unique_key text;
    used boolean;
BEGIN
    FOR day IN
        SELECT c.oid::regclass FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'messages'::regclass AND c.relname <> 'messages_legacy'
    LOOP
        EXECUTE format('LOCK TABLE %s IN SHARE MODE', day);
        EXECUTE format('SELECT EXISTS (SELECT FROM %s)', day) INTO used;
        CONTINUE WHEN used;
        SELECT conname INTO unique_key FROM pg_constraint
        WHERE conrelid = day AND contype = 'u';
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', day, unique_key);
        EXECUTE format('CREATE INDEX %I ON %s (tenant_id, hashtext(batch_id), hashtext(recipient))',
                       day::text || '_key_idx', day);
    END LOOP;
END
$$;
