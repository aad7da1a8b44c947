#!/usr/bin/env bash
# The quick start's embedded-cluster path, tried where new users put a checkout: a copy of
# the scripts in a private (0700) folder, with port 54329 already taken. The cluster must
# start anyway (kept where the postgres user can reach it, when run as root), on another
# port, remembered for the next start, and answer queries. Run by scripts/test.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/scripts/lib/postgres.sh"

private=$(mktemp -d) # 0700, like root's home
listener=""
cluster=""
cleanup() {
  if [ -n "$cluster" ] && [ -f "$cluster/data/PG_VERSION" ]; then
    as_cluster_owner "$(postgres_bindir)/pg_ctl" -D "$cluster/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$cluster"
  fi
  [ -n "$listener" ] && kill "$listener" 2>/dev/null || true
  rm -rf "$private"
}
trap cleanup EXIT

mkdir -p "$private/checkout"
cp -r "$ROOT/scripts" "$private/checkout/"
# Something else holds the first port the cluster would choose.
if ! (exec 3<>/dev/tcp/127.0.0.1/54329) 2>/dev/null; then
  python3 -c 'import socket, time
s = socket.socket(); s.bind(("127.0.0.1", 54329)); s.listen(); time.sleep(600)' &
  listener=$!
  for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/54329) 2>/dev/null && break; sleep 0.1; done
fi

start() {
  env -u DATABASE_URL -u DLRHUB_EMBEDDED_PG_PORT bash -c '
    source scripts/lib/common.sh
    source scripts/lib/postgres.sh
    start_embedded_postgres 2>/dev/null
    echo "$DATABASE_URL"' <&- 2>&1
}
first=$(cd "$private/checkout" && start)
port=$(sed -E 's#.*127\.0\.0\.1:([0-9]+)/.*#\1#' <<<"$first")
[ "$port" != 54329 ] || die "the cluster took the busy port 54329: $first"

if is_root; then
  home=$(getent passwd postgres | cut -d: -f6)
  hash=$(printf '%s' "$private/checkout" | sha256sum | cut -c1-12)
  cluster="$home/dlrhub-clusters/$hash"
  [ -f "$cluster/data/PG_VERSION" ] || die "no cluster in $cluster for a checkout in a private folder"
  [ "$(cat "$cluster/checkout")" = "$private/checkout" ] || die "$cluster/checkout does not name the checkout"
else
  cluster="$private/checkout/.local/postgres"
fi
[ "$(cat "$cluster/port")" = "$port" ] || die "the port $port is not remembered in $cluster/port"
psql "postgres://postgres@127.0.0.1:$port/postgres" -Atc 'SELECT 1' | grep -qx 1 ||
  die "the cluster on port $port does not answer"

# A second start finds it running, on the same port.
second=$(cd "$private/checkout" && start)
[ "$second" = "$first" ] || die "a second start gave $second, not $first"
# Stopped, it starts again on the port it remembers.
as_cluster_owner "$(postgres_bindir)/pg_ctl" -D "$cluster/data" -m fast stop >/dev/null
third=$(cd "$private/checkout" && start)
[ "$third" = "$first" ] || die "a restart gave $third, not $first"
say "embedded PostgreSQL: a private checkout's cluster runs in $cluster on port $port (54329 was busy)"
