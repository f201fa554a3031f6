"""Benchmark: the HR dashboard, the officials list and the CSV export at growing head counts.

    .venv/bin/python bench/compliance.py                 # 1,000 and 10,000 officials, SQLite
    .venv/bin/python bench/compliance.py 1000 10000 100000
    BENCH_DATABASE_URL=postgresql://… .venv/bin/python bench/compliance.py 10000

Builds one country (``bench/country.py``: the largest size is the country, each other size one
of its provinces), then times, as the HR account that sees each size (median of 5 runs): the
status computation, the dashboard page, the officials list page and the full CSV export, and
counts the SQL statements of each request (they must not grow with the head count). The older,
in-process timings; ``bench/run.py`` is the benchmark of record.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event, select  # noqa: E402

from app import create_app  # noqa: E402
from app.compliance import queries, services  # noqa: E402
from app.models import User, db, local_date, utcnow  # noqa: E402
from bench.country import PASSWORD, build_country  # noqa: E402


def timed(fn, runs: int = 5) -> tuple[float, int]:
    counts = []

    def count(*_args):
        counts[-1] += 1

    event.listen(db.engine, "before_cursor_execute", count)
    durations = []
    try:
        for _ in range(runs):
            counts.append(0)
            db.session.expire_all()
            start = time.perf_counter()
            fn()
            durations.append(time.perf_counter() - start)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return statistics.median(durations) * 1000, counts[-1]


def run(sizes: list[int]) -> list[dict]:
    workdir = tempfile.mkdtemp(prefix="bench-")
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{workdir}/bench.db"
    os.environ["TEST_DATABASE_URL"] = url
    app = create_app("testing")
    app.config.update(SQLALCHEMY_ECHO=False)
    rows = []
    with app.app_context():
        db.drop_all()
        db.create_all()
        started = time.perf_counter()
        country = build_country(sizes)
        built = time.perf_counter() - started
        standard = queries.standard_for(local_date(utcnow()).year)
        assert standard is not None, "no standard for this year in courses/standards/"
        today = local_date(utcnow())
        for size in sorted(set(sizes)):
            username = country.accounts[size]
            hr = db.session.scalar(select(User).where(User.username == username))
            client = app.test_client()
            client.post("/auth/login", data={"username": username, "password": PASSWORD})
            results = {"officials": size, "build_s": round(built, 1)}
            results["statuses"] = timed(
                lambda hr=hr: list(
                    services.statuses(standard, services.scope_criterion(hr), today=today)
                )
            )
            results["dashboard"] = timed(lambda c=client: c.get("/hr/").data)
            results["officials_page"] = timed(
                lambda c=client: c.get("/hr/officials?status=overdue").data
            )
            results["csv_export"] = timed(lambda c=client: c.get("/hr/export.csv").data, runs=3)
            rows.append(results)
        db.session.remove()
        db.drop_all()
        db.engine.dispose()
    return rows


def main(argv: list[str]) -> None:
    sizes = [int(a) for a in argv] or [1000, 10000]
    engine = "PostgreSQL" if os.environ.get("BENCH_DATABASE_URL") else "SQLite"
    print(f"engine: {engine}; median of 5 runs (export: 3); ms and SQL statements per request")
    columns = ("officials", "statuses", "dashboard", "officials page", "CSV export")
    print(f"{columns[0]:>10} " + " ".join(f"{c:>16}" for c in columns[1:]))
    for r in run(sizes):
        cells = [
            f"{r[k][0]:9.0f} ms {r[k][1]:3d}q"
            for k in ("statuses", "dashboard", "officials_page", "csv_export")
        ]
        print(
            f"{r['officials']:>10} "
            + " ".join(f"{c:>16}" for c in cells)
            + f"   (country built in {r['build_s']} s)"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
