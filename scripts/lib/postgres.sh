# The database for scripts/run and scripts/test.
#
# With DATABASE_URL set, that server is used as it is. Without it, a cluster of this
# checkout's own is created from the system's PostgreSQL server binaries and reused on
# every later run: under .local/postgres (git-ignored), or, when the checkout sits in a
# folder the `postgres` user cannot enter (root's home, a `mktemp -d` folder), under that
# user's home, in a folder named by a hash of the checkout's path. It listens on a port
# chosen free the first time and remembered beside it (DLRHUB_EMBEDDED_PG_PORT chooses one),
# so two checkouts on one machine each have their own.

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

# Where this checkout's cluster lives: .local/postgres when the cluster's owner can write
# there, else a folder of the postgres user's own (root runs the server as that user).
embedded_pg_dir() {
  local here="$LOCAL/postgres"
  mkdir -p "$here"
  if ! is_root; then
    echo "$here"
    return
  fi
  id postgres >/dev/null 2>&1 || die "the 'postgres' system user is missing: reinstall the postgresql package"
  # A cluster made here before stays here.
  if [ -f "$here/data/PG_VERSION" ] || { chown postgres: "$here" && as_cluster_owner test -w "$here"; }; then
    echo "$here"
    return
  fi
  local home hash
  home=$(getent passwd postgres | cut -d: -f6)
  [ -n "$home" ] && [ -d "$home" ] || die "the postgres user has no home folder to keep this checkout's cluster in: set DATABASE_URL"
  hash=$(printf '%s' "$ROOT" | sha256sum | cut -c1-12)
  as_cluster_owner mkdir -p "$home/dlrhub-clusters/$hash"
  # Which checkout it belongs to, for whoever finds it there.
  printf '%s\n' "$ROOT" | as_cluster_owner tee "$home/dlrhub-clusters/$hash/checkout" >/dev/null
  echo "$home/dlrhub-clusters/$hash"
}

# True when something already listens on 127.0.0.1:$1.
port_taken() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# The cluster's port: DLRHUB_EMBEDDED_PG_PORT, else the one remembered in $1/port, else
# the first free one from 54329 up (remembered from then on).
embedded_pg_port() {
  local dir=$1 port
  if [ -n "${DLRHUB_EMBEDDED_PG_PORT:-}" ]; then
    echo "$DLRHUB_EMBEDDED_PG_PORT"
    return
  fi
  if [ -f "$dir/port" ]; then
    cat "$dir/port"
    return
  fi
  port=54329
  while port_taken "$port"; do
    port=$((port + 1))
    [ "$port" -lt 54429 ] || die "no free port from 54329 to 54428 for the local PostgreSQL cluster: set DLRHUB_EMBEDDED_PG_PORT"
  done
  printf '%s\n' "$port" | as_cluster_owner tee "$dir/port" >/dev/null
  echo "$port"
}

start_embedded_postgres() {
  local bin dir port data log
  bin=$(postgres_bindir)
  if [ -z "$bin" ]; then
    have apt-get || die "PostgreSQL's server binaries (initdb, pg_ctl) were not found: install PostgreSQL 13 or newer, or set DATABASE_URL"
    apt_install postgresql
    bin=$(postgres_bindir)
    [ -n "$bin" ] || die "installed postgresql but found no initdb under /usr/lib/postgresql"
  fi

  dir=$(embedded_pg_dir)
  data="$dir/data"
  log="$dir/server.log"
  if [ ! -f "$data/PG_VERSION" ]; then
    say "creating a local PostgreSQL cluster in $dir"
    as_cluster_owner "$bin/initdb" -D "$data" -U postgres --auth=trust \
      -E UTF8 --locale=C.UTF-8 >/dev/null
  fi
  if as_cluster_owner "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    # Already running: on the port it was started on (line 4 of postmaster.pid).
    port=$(as_cluster_owner sed -n 4p "$data/postmaster.pid")
  else
    port=$(embedded_pg_port "$dir")
    if port_taken "$port"; then
      [ -z "${DLRHUB_EMBEDDED_PG_PORT:-}" ] ||
        die "port $port (DLRHUB_EMBEDDED_PG_PORT) is taken by another program"
      # The remembered port went to someone else meanwhile: choose again.
      as_cluster_owner rm -f "$dir/port"
      port=$(embedded_pg_port "$dir")
    fi
    say "starting the local PostgreSQL cluster ($dir) on port $port"
    as_cluster_owner "$bin/pg_ctl" -D "$data" -l "$log" -w start \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1" >/dev/null ||
      die "the local PostgreSQL cluster did not start; see $log"
  fi
  export DATABASE_URL="postgres://postgres@127.0.0.1:$port/dlrhub"
  say "the local PostgreSQL cluster listens on 127.0.0.1:$port ($dir)"
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
