-- How far each CSV export has got, so that the page that started one can show its
-- progress while the browser downloads the file. Kept in Postgres rather than in memory
-- because the download and the page's polls may reach different dlrhub instances.
CREATE TABLE exports (
    user_id      bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- Chosen by the page (random), so it knows what to ask about before the download
    -- answers; unique per user only, and never readable by anyone else.
    id           text NOT NULL CHECK (id ~ '^[A-Za-z0-9_-]{8,64}$'),
    started_at   timestamptz NOT NULL DEFAULT now(),
    -- The export walks its period newest first: how far back it has reached, against
    -- the period, is its progress.
    period_from  timestamptz NOT NULL,
    period_to    timestamptz NOT NULL,
    rows_written bigint NOT NULL DEFAULT 0,
    reached      timestamptz,
    finished_at  timestamptz,
    failure      text,
    PRIMARY KEY (user_id, id)
);

CREATE INDEX exports_started_idx ON exports (started_at);
