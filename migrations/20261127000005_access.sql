-- Admin access: the people who use the console, what they may see, who did what, and the
-- throttle that slows down password guessing, and the console's sessions.

CREATE TABLE users (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- Stored lower-cased and trimmed (domain::access::Email), so one address is one user.
    email               text NOT NULL CONSTRAINT users_email_key UNIQUE CHECK (email = lower(btrim(email))),
    -- argon2id in the PHC string format: algorithm, parameters and salt travel with it.
    password_hash       text NOT NULL,
    role                text NOT NULL CHECK (role IN ('admin', 'support', 'viewer')),
    -- Sessions remember the epoch they were created in; bumping it ends every session of
    -- the user at once ("log out everywhere", password reset, disabling).
    session_epoch       integer NOT NULL DEFAULT 0,
    disabled_at         timestamptz,
    password_changed_at timestamptz NOT NULL DEFAULT now(),
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now()
);

CREATE TRIGGER users_set_updated_at BEFORE UPDATE ON users
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- The tenants a viewer may see. Admins and support see every tenant and have no rows here.
CREATE TABLE user_tenants (
    user_id   bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    tenant_id bigint NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, tenant_id)
);

CREATE INDEX user_tenants_tenant_idx ON user_tenants (tenant_id);

-- Failed sign-ins per throttle key ('account:<email>' or 'ip:<address>'). A row exists only
-- while someone is failing; a successful sign-in deletes the account's row.
CREATE TABLE login_throttle (
    key             text PRIMARY KEY,
    failures        integer NOT NULL CHECK (failures > 0),
    last_failure_at timestamptz NOT NULL,
    -- No attempt under this key is checked before this time.
    blocked_until   timestamptz NOT NULL
);

-- Every change a person makes, and every sign-in. Never updated, only appended.
CREATE TABLE audit_log (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at            timestamptz NOT NULL DEFAULT now(),
    -- The signed-in user, when there is one (NULL for the command line and for failed
    -- sign-ins); `actor` is kept as text so entries survive the user's removal.
    actor_user_id bigint REFERENCES users (id) ON DELETE SET NULL,
    actor         text NOT NULL,
    action        text NOT NULL,
    -- What was acted on, for people: a workspace id, an email, an event id.
    target        text,
    tenant_id     bigint REFERENCES tenants (id) ON DELETE SET NULL,
    before        jsonb,
    after         jsonb,
    -- Where the request came from (empty for the command line).
    source_ip     text
);

CREATE INDEX audit_log_at_idx ON audit_log (at DESC, id DESC);
CREATE INDEX audit_log_action_idx ON audit_log (action, at DESC, id DESC);
CREATE INDEX audit_log_actor_idx ON audit_log (actor, at DESC, id DESC);

-- Console sessions (tower-sessions records): the id is the cookie's value, `data` what the
-- session remembers. Rows past `expires_at` are never loaded and are deleted hourly.
CREATE TABLE sessions (
    id         text PRIMARY KEY,
    data       jsonb NOT NULL,
    expires_at timestamptz NOT NULL
);

CREATE INDEX sessions_expires_at_idx ON sessions (expires_at);
