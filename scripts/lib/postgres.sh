# The database for scripts/run and scripts/test.
#
# With DATABASE_URL set, that server is used as it is. Without it, a project-local cluster
# is created under .local/postgres (git-ignored) from the system's PostgreSQL server
# binaries, on its own port, and reused on every later run.

EMBEDDED_PG_PORT="${DLRHUB_EMBEDDED_PG_PORT:-54329}"
EMBEDDED_PG_DATA="$LOCAL/postgres/data"
EMBEDDED_PG_LOG="$LOCAL/postgres/server.log"

# The newest installed server's bin directory (initdb, pg_ctl, psql), or nothing.
postgres_bindir() {
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [ -x "$dir/initdb" ] && { echo "$dir"; return; }
  done
  if have pg_config && [ -x "$(pg_config --bindir)/initdb" ]; then pg_config --bindir; fi
}

# Runs a server binary as the cluster's owner: initdb and postgres refuse to run as root.
as_cluster_owner() {
  if is_root; then runuser -u postgres -- "$@"; else "$@"; fi
}

start_embedded_postgres() {
  local bin
  bin=$(postgres_bindir)
  if [ -z "$bin" ]; then
    have apt-get || die "PostgreSQL's server binaries (initdb, pg_ctl) were not found: install PostgreSQL 13 or newer, or set DATABASE_URL"
    apt_install postgresql
    bin=$(postgres_bindir)
    [ -n "$bin" ] || die "installed postgresql but found no initdb under /usr/lib/postgresql"
  fi

  mkdir -p "$LOCAL/postgres"
  if is_root; then
    id postgres >/dev/null 2>&1 || die "the 'postgres' system user is missing: reinstall the postgresql package"
    chown postgres: "$LOCAL/postgres"
    as_cluster_owner test -w "$LOCAL/postgres" ||
      die "the postgres user cannot write $LOCAL/postgres (a parent folder is private?): move the checkout or set DATABASE_URL"
  fi

  if [ ! -f "$EMBEDDED_PG_DATA/PG_VERSION" ]; then
    say "creating a local PostgreSQL cluster in .local/postgres (port $EMBEDDED_PG_PORT)"
    as_cluster_owner "$bin/initdb" -D "$EMBEDDED_PG_DATA" -U postgres --auth=trust \
      -E UTF8 --locale=C.UTF-8 >/dev/null
  fi
  if ! as_cluster_owner "$bin/pg_ctl" -D "$EMBEDDED_PG_DATA" status >/dev/null 2>&1; then
    say "starting the local PostgreSQL cluster on port $EMBEDDED_PG_PORT"
    as_cluster_owner "$bin/pg_ctl" -D "$EMBEDDED_PG_DATA" -l "$EMBEDDED_PG_LOG" -w start \
      -o "-p $EMBEDDED_PG_PORT -k $LOCAL/postgres -c listen_addresses=127.0.0.1" >/dev/null ||
      die "the local PostgreSQL cluster did not start; see $EMBEDDED_PG_LOG"
  fi
  export DATABASE_URL="postgres://postgres@127.0.0.1:$EMBEDDED_PG_PORT/dlrhub"
}

# Exports DATABASE_URL, starting the embedded cluster when none is configured.
ensure_database() {
  if [ -n "${DATABASE_URL:-}" ]; then
    say "using the database at DATABASE_URL"
  else
    start_embedded_postgres
  fi
}

# Creates the database DATABASE_URL names, if it does not exist yet.
create_database() {
  sqlx database create --database-url "${1:-$DATABASE_URL}"
}
