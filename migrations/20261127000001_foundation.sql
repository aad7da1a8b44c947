-- Shared building blocks for the tables that later migrations add.

-- Keeps `updated_at` honest on every UPDATE, whatever code path wrote the row.
CREATE OR REPLACE FUNCTION set_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;
