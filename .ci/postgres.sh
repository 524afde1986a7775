#!/usr/bin/env bash
# CI: start a throw-away PostgreSQL server for the register tests, then print the
# environment that points the tests at it:
#
#     eval "$(.ci/postgres.sh)"
#
# Only the `export` lines go to stdout (they are eval'd); every message goes to stderr.
# The cluster lives in a fresh temporary directory, trusts loopback connections and
# listens on 127.0.0.1:54329 only, so it never meets a server the machine already runs.
set -euo pipefail

PORT=54329
URL="postgresql://postgres@127.0.0.1:${PORT}/postgres"

say() { echo "CI postgres: $*" >&2; }

# Debian keeps the server binaries off PATH, in /usr/lib/postgresql/<version>/bin.
find_bindir() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -n "$dir" ] && [ -x "$dir/initdb" ]; then
    echo "$dir"
  elif command -v initdb >/dev/null 2>&1; then
    dirname "$(readlink -f "$(command -v initdb)")"
  fi
}

BINDIR=$(find_bindir)
if [ -z "$BINDIR" ]; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    say "installing the PostgreSQL server (apt-get)"
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >&2
    BINDIR=$(find_bindir)
  fi
  if [ -z "$BINDIR" ]; then
    say "no PostgreSQL server binaries (initdb) and no way to install them"
    exit 1
  fi
fi

emit() {
  echo "export ISP_TEST_POSTGRES_URL=${URL}"
  echo "export ISP_REQUIRE_POSTGRES=1"
}

# A server already answering on our port is one this script started earlier: reuse it
# (the tests make a fresh database for each test, so nothing carries over).
if "$BINDIR/pg_isready" -q -h 127.0.0.1 -p "$PORT" -U postgres -d postgres; then
  say "a server already answers on 127.0.0.1:${PORT}; using it"
  emit
  exit 0
fi

# initdb refuses to run as root: as root, the cluster belongs to the postgres user.
if [ "$(id -u)" = 0 ]; then
  if ! id postgres >/dev/null 2>&1; then
    useradd --system --home-dir /nonexistent --shell /usr/sbin/nologin postgres
  fi
  as_owner() { runuser -u postgres -- "$@"; }
else
  as_owner() { "$@"; }
fi

DIR=$(mktemp -d "${TMPDIR:-/tmp}/isp-postgres.XXXXXX")
chmod 755 "$DIR"
if [ "$(id -u)" = 0 ]; then chown postgres: "$DIR"; fi

say "creating a cluster in $DIR with $BINDIR"
# Trust only: the server listens on loopback and in a private socket directory.
as_owner "$BINDIR/initdb" -D "$DIR/data" -U postgres -E UTF8 --auth-host=trust --auth-local=trust \
  --no-sync >"$DIR/initdb.log" 2>&1 || { cat "$DIR/initdb.log" >&2; exit 1; }

# fsync off: a CI server holds nothing worth keeping across a crash.
# stdin/stdout detached: the server must not hold the pipe `$(...)` reads, or eval would wait.
if ! as_owner "$BINDIR/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p ${PORT} -k ${DIR} -c fsync=off -c max_connections=200" \
    start </dev/null >&2; then
  cat "$DIR/server.log" >&2 || true
  exit 1
fi

for _ in $(seq 1 60); do
  if "$BINDIR/pg_isready" -q -h 127.0.0.1 -p "$PORT" -U postgres -d postgres; then
    say "ready on 127.0.0.1:${PORT} (stop with: $BINDIR/pg_ctl -D $DIR/data stop, as the cluster's owner)"
    emit
    exit 0
  fi
  sleep 1
done
say "the server did not answer within 60 seconds"
cat "$DIR/server.log" >&2 || true
exit 1
