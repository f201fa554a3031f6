#!/usr/bin/env bash
# Run the test suite against a throw-away PostgreSQL cluster.
# Installs PostgreSQL from Debian's packages when it is missing (needs root),
# starts a private cluster on a Unix socket, runs pytest with TEST_DATABASE_URL,
# and removes the cluster whatever the outcome.
set -euo pipefail

PYTEST=${PYTEST:-.venv/bin/pytest}
PORT=${PG_TEST_PORT:-54329}

find_bin() {
  if command -v initdb >/dev/null 2>&1; then dirname "$(readlink -f "$(command -v initdb)")"; return; fi
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

BIN=$(find_bin || true)
if [ -z "$BIN" ] || [ ! -x "$BIN/initdb" ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "PostgreSQL is not installed and this user cannot install it: run 'sudo apt-get install -y postgresql'." >&2
    exit 1
  fi
  echo "Installing PostgreSQL from Debian's packages..." >&2
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  BIN=$(find_bin)
fi

DIR=$(mktemp -d /tmp/boiduong-pg.XXXXXX)
RUN=()
if [ "$(id -u)" -eq 0 ]; then
  id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql postgres
  chown postgres "$DIR"
  RUN=(runuser -u postgres --)
fi
DB_USER=$("${RUN[@]}" whoami 2>/dev/null || whoami)

cleanup() {
  "${RUN[@]}" "$BIN/pg_ctl" -D "$DIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$DIR"
}
trap cleanup EXIT

"${RUN[@]}" "$BIN/initdb" -D "$DIR/data" -U "$DB_USER" --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
"${RUN[@]}" "$BIN/pg_ctl" -D "$DIR/data" -o "-k $DIR -p $PORT -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off" -l "$DIR/log" -w start >/dev/null
"${RUN[@]}" "$BIN/createdb" -h "$DIR" -p "$PORT" -U "$DB_USER" boiduong_test
# One database per pytest-xdist worker (tests/conftest.py adds the worker's name to the URL):
# as many as `-n N` asks for (or PYTEST_WORKERS), plus spares for workers xdist restarts.
WORKERS=${PYTEST_WORKERS:-0}
ARGS=("$@")
for ((i = 0; i < ${#ARGS[@]}; i++)); do
  case "${ARGS[$i]}" in
    -n|--numprocesses) WORKERS=${ARGS[$((i + 1))]:-0} ;;
    -n*) WORKERS=${ARGS[$i]#-n} ;;
    --numprocesses=*) WORKERS=${ARGS[$i]#--numprocesses=} ;;
  esac
done
case "$WORKERS" in auto|logical) WORKERS=$(nproc) ;; esac
[[ "$WORKERS" =~ ^[0-9]+$ ]] || WORKERS=0
[ "$WORKERS" -gt 0 ] && WORKERS=$((WORKERS + 2))
for ((i = 0; i < WORKERS; i++)); do
  "${RUN[@]}" "$BIN/createdb" -h "$DIR" -p "$PORT" -U "$DB_USER" "boiduong_test_gw$i"
done

export TEST_DATABASE_URL="postgresql://$DB_USER@/boiduong_test?host=$DIR&port=$PORT"
echo "PostgreSQL $("$BIN/postgres" --version | awk '{print $3}') at $DIR:$PORT" >&2
"$PYTEST" "$@"
