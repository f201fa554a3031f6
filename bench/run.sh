#!/usr/bin/env bash
# The whole benchmark in one command (see bench/README.md): SQLite, then a throw-away PostgreSQL
# cluster started by scripts/test-postgres.sh (which runs the command given as PYTEST).
#   bench/run.sh                      # default sizes (about 12 minutes on the 2-core machine)
#   bench/run.sh --sizes 1000,10000,100000,250000 --pg-sizes 1000,10000,100000,250000
#   bench/run.sh --quick              # seconds-long version (CI)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
SQLITE_ARGS=() PG_ARGS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --sizes) SQLITE_ARGS+=(--sizes "$2"); shift 2 ;;
    --pg-sizes) PG_ARGS+=(--sizes "$2"); shift 2 ;;
    *) SQLITE_ARGS+=("$1"); PG_ARGS+=("$1"); shift ;;
  esac
done
.venv/bin/pybabel compile -d app/translations >/dev/null
echo "# Benchmark $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs, $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
status=0
nice -n 5 "$PY" bench/run.py --engine sqlite "${SQLITE_ARGS[@]}" || status=$?
PG_TEST_PORT=${PG_TEST_PORT:-54371} PYTEST="$PY" nice -n 5 scripts/test-postgres.sh \
  bench/run.py --engine postgresql "${PG_ARGS[@]}" || status=$?
exit $status
