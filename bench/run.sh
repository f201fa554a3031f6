#!/usr/bin/env bash
# The whole benchmark in one command (see bench/README.md): SQLite, then a throw-away PostgreSQL
# cluster started by scripts/test-postgres.sh (which runs the command given as PYTEST), then the
# issue's targets, met or not.
#   bench/run.sh                      # 1,000 / 10,000 / 100,000 / 250,000 officials, both engines
#   bench/run.sh --sizes 1000,10000 --pg-sizes 1000,10000
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
RESULTS=$(mktemp -d /tmp/bench-results.XXXXXX)
trap 'rm -rf "$RESULTS"' EXIT
.venv/bin/pybabel compile -d app/translations >/dev/null
START=$(date +%s)
echo "# Benchmark $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs, $(git rev-parse --short HEAD 2>/dev/null || echo '?'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
status=0
nice -n 5 "$PY" bench/run.py --engine sqlite --results "$RESULTS/sqlite.json" "${SQLITE_ARGS[@]}" || status=$?
PG_TEST_PORT=${PG_TEST_PORT:-54371} PYTEST="$PY" nice -n 5 scripts/test-postgres.sh \
  bench/run.py --engine postgresql --results "$RESULTS/postgresql.json" "${PG_ARGS[@]}" || status=$?
"$PY" bench/targets.py "$RESULTS/sqlite.json" "$RESULTS/postgresql.json"
echo
echo "(whole run: $(( ($(date +%s) - START) / 60 )) min $(( ($(date +%s) - START) % 60 )) s; load average $(cut -d' ' -f1-3 /proc/loadavg))"
exit $status
