"""One page of the "sizes" part, timed in a fresh process so that the process's peak memory is
that page's own (``bench/run.py`` runs this once per size and page).

    .venv/bin/python bench/measure.py DATABASE_URL USERNAME PATH RUNS BUDGET_S

Signs in as USERNAME through Flask's test client, then GETs PATH up to RUNS times, reading the
streamed body chunk by chunk as a client would, and stops early once BUDGET_S seconds are spent
(at least one run). Prints one JSON line: the median and every run in ms, the SQL statements of
the first run (and of each), bytes read, and the process's resident memory in MB:
``rss_before`` (after start-up and sign-in, before the first request), ``peak_rss`` (the highest
VmHWM of /proc/self/status after a request, the high-water mark having been reset to the
current size with /proc/self/clear_refs just before it: the peak of the whole process while it
served the request) and ``maxrss`` (``ru_maxrss``: the process's peak since it started,
start-up included).
"""

from __future__ import annotations

import json
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event  # noqa: E402

from app import create_app  # noqa: E402
from app.models import db  # noqa: E402
from bench.country import PASSWORD  # noqa: E402
from config import TestingConfig, database_url  # noqa: E402


def status_mb(field: str) -> float:
    """VmRSS (resident now) or VmHWM (resident peak) of this process, in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def reset_peak() -> None:
    """VmHWM := VmRSS (Linux 4.0+)."""
    Path("/proc/self/clear_refs").write_text("5")


def measure(url: str, username: str, path: str, runs: int, budget: float) -> dict:
    config = type(
        "BenchConfig",
        (TestingConfig,),
        {"SQLALCHEMY_DATABASE_URI": database_url(url), "SQLALCHEMY_ENGINE_OPTIONS": {}},
    )
    app = create_app(config)
    with app.app_context():
        client = app.test_client()
        reply = client.post("/auth/login", data={"username": username, "password": PASSWORD})
        assert reply.status_code == 302, (username, reply.status_code)
        statements = [0]

        def count(*_args):
            statements[0] += 1

        before = status_mb("VmRSS")
        durations, counts, size, peak = [], [], 0, 0.0
        event.listen(db.engine, "before_cursor_execute", count)
        spent = time.perf_counter()
        while len(durations) < runs:
            statements[0] = 0
            db.session.expire_all()
            reset_peak()
            started = time.perf_counter()
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            size = sum(len(chunk) for chunk in response.iter_encoded())
            response.close()
            durations.append((time.perf_counter() - started) * 1000)
            counts.append(statements[0])
            peak = max(peak, status_mb("VmHWM"))
            if time.perf_counter() - spent + durations[-1] / 1000 > budget:
                break
        event.remove(db.engine, "before_cursor_execute", count)
    return {
        "ms": statistics.median(durations),
        "runs": [round(d) for d in durations],
        "statements": counts[0],  # every size has a first request; later ones may read less
        "statements_runs": counts,
        "bytes": size,
        "rss_before": before,
        "peak_rss": peak,
        "maxrss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


if __name__ == "__main__":
    url_, username_, path_, runs_, budget_ = sys.argv[1:6]
    print(json.dumps(measure(url_, username_, path_, int(runs_), float(budget_))))
