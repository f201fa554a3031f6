"""Benchmark: every official's compliance through the JSON API, page by page (500 a page).

    .venv/bin/python bench/api.py                 # 10,000 officials, SQLite
    .venv/bin/python bench/api.py 1000 10000
    BENCH_DATABASE_URL=postgresql://… .venv/bin/python bench/api.py 10000

Builds the country of bench/country.py with ``size`` officials, creates an API client of its 34
provinces (every official) and
walks ``/api/v1/compliance/{year}/officials?limit=500`` from the first page to the last
(median of 3 walks), then ``/api/v1/officials`` the same way. Prints the total time and the SQL
statements per page: they must not grow with the page number (no OFFSET). Target: 10,000
officials under 3 s on SQLite.
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
from app.api import clients  # noqa: E402
from app.models import Unit, db, local_date, utcnow  # noqa: E402
from bench.country import build_country  # noqa: E402

PAGE = 500


def walk(client, url: str, token: str) -> tuple[float, float, list[int], int]:
    """(wall seconds, CPU seconds of this process, statements per page, items) for one walk
    from the first page to the last. On a shared machine the CPU time is the fairer figure:
    SQLite runs in this process, so it counts the database's work too."""
    counts: list[int] = []

    def count(*_args):
        counts[-1] += 1

    event.listen(db.engine, "before_cursor_execute", count)
    items = 0
    cursor = None
    start, cpu = time.perf_counter(), time.process_time()
    try:
        while True:
            counts.append(0)
            db.session.expire_all()
            page_url = f"{url}?limit={PAGE}" + (f"&cursor={cursor}" if cursor else "")
            response = client.get(page_url, headers={"Authorization": f"Bearer {token}"})
            assert response.status_code == 200, response.get_data(as_text=True)
            body = response.get_json()
            items += len(body["items"])
            cursor = body["next_cursor"]
            if not cursor:
                break
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return time.perf_counter() - start, time.process_time() - cpu, counts, items


def run(size: int) -> dict:
    workdir = tempfile.mkdtemp(prefix="bench-api-")
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{workdir}/bench.db"
    os.environ["TEST_DATABASE_URL"] = url
    app = create_app("testing")
    app.config.update(SQLALCHEMY_ECHO=False, API_RATE_LIMIT=1_000_000)
    with app.app_context():
        db.drop_all()
        db.create_all()
        build_country([size])
        provinces = list(db.session.scalars(select(Unit).where(Unit.parent_id.is_(None))))
        _client, token = clients.create_client(
            "bench", provinces, can_write=False, days=None, created_by=None, now=utcnow()
        )
        db.session.commit()
        year = local_date(utcnow()).year
        client = app.test_client()
        results = {}
        for name, path in (
            ("compliance", f"/api/v1/compliance/{year}/officials"),
            ("officials", "/api/v1/officials"),
        ):
            walks = [walk(client, path, token) for _ in range(3)]
            seconds = statistics.median(w[0] for w in walks)
            cpu = statistics.median(w[1] for w in walks)
            results[name] = (seconds, cpu, walks[0][2], walks[0][3])
        db.session.remove()
        db.drop_all()
        db.engine.dispose()
    return results


def main(argv: list[str]) -> None:
    sizes = [int(a) for a in argv] or [10000]
    engine = "PostgreSQL" if os.environ.get("BENCH_DATABASE_URL") else "SQLite"
    print(f"engine: {engine}; {PAGE} a page; median of 3 walks from the first page to the last")
    for size in sizes:
        results = run(size)
        for name, (seconds, cpu, counts, items) in results.items():
            pages = len(counts)
            print(
                f"{size:>7} officials  {name:<11} {items:>6} items in {pages:>3} pages: "
                f"{seconds:6.2f} s wall, {cpu:6.2f} s CPU; SQL statements per page: "
                f"first {counts[0]}, middle {counts[pages // 2]}, last {counts[-1]}, "
                f"max {max(counts)}"
            )


if __name__ == "__main__":
    main(sys.argv[1:])
