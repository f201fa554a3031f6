#!/bin/sh
# `make run`: prepare the database, load the courses and a demo, then serve with gunicorn on
# 127.0.0.1:5000. Each step prints one line; what the commands say goes to instance/run.log
# (shown when a step fails). Ctrl+C stops the server.
set -u
BIN=${BIN:-.venv/bin}
FLASK="$BIN/flask --app run.py"
INSTANCE=${INSTANCE_DIR:-instance}
mkdir -p "$INSTANCE"
LOG="$INSTANCE/run.log"
: >"$LOG"

step() {
	label=$1
	shift
	printf '  %-44s' "$label…"
	if "$@" >>"$LOG" 2>&1; then
		echo " done"
	else
		echo " FAILED"
		echo
		tail -n 25 "$LOG"
		echo
		echo "The whole output is in $LOG."
		exit 1
	fi
}

echo "Preparing the site (details in $LOG):"
step "Compiling the translations" "$BIN/pybabel" compile -d app/translations
step "Preparing the database" $FLASK db upgrade
step "Job positions" $FLASK org sync-positions
step "Courses, quizzes and standards" $FLASK content load
step "Demo province, accounts and progress" $FLASK demo seed
echo
sed -n '/^Demo logins/,$p' "$LOG"
echo
WORKERS=${WORKERS:-2}
PORT=${RUN_PORT:-5000}
echo "Serving on http://127.0.0.1:$PORT with gunicorn ($WORKERS workers). Ctrl+C stops it."
# Only warnings and errors from here on, from gunicorn and from the app.
LOG_LEVEL=${LOG_LEVEL:-WARNING} exec "$BIN/gunicorn" --bind "127.0.0.1:$PORT" \
	--workers "$WORKERS" --log-level warning --graceful-timeout 5 run:app
