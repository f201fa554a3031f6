"""Benchmark: one full batch of the roster upsert through the JSON API.

    .venv/bin/python bench/api_roster.py          # 5,000 officials (the most per call), SQLite
    .venv/bin/python bench/api_roster.py 1000 5000
    BENCH_DATABASE_URL=postgresql://… .venv/bin/python bench/api_roster.py

A province of 50 communes and a write client of the province; then ``POST /api/v1/roster``
with N new officials as a dry run, for real, and again with a tenth of them moved. Prints the
wall and CPU time of each whole request (JSON parsing and validation, the roster import, the
answer) and its SQL statements, which grow with chunks of 2,000 rows, not per row.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event  # noqa: E402

from app import create_app  # noqa: E402
from app.api import clients  # noqa: E402
from app.models import UnitKind, db, utcnow  # noqa: E402
from app.people.services import create_unit, sync_positions  # noqa: E402

COMMUNES = 50


def run(size: int) -> list[tuple[str, int, float, float, int]]:
    workdir = tempfile.mkdtemp(prefix="bench-api-roster-")
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{workdir}/bench.db"
    os.environ["TEST_DATABASE_URL"] = url
    app = create_app("testing")
    app.config.update(SQLALCHEMY_ECHO=False, API_RATE_LIMIT=1_000_000)
    results = []
    with app.app_context():
        db.drop_all()
        db.create_all()
        sync_positions()
        province = create_unit("BENCH", "Tỉnh (thử)", UnitKind.PROVINCE)
        for i in range(COMMUNES):
            create_unit(f"BENCH-{i:02d}", f"Xã {i} (thử)", UnitKind.COMMUNE, province)
        _client, token = clients.create_client(
            "bench", [province], can_write=True, days=None, created_by=None, now=utcnow()
        )
        db.session.commit()
        rows = [
            {
                "username": f"cb.{i:05d}",
                "full_name": f"Nguyễn Văn Thử {i}",
                "unit_code": f"BENCH-{i % COMMUNES:02d}",
                "position_code": "CM-VP",
                "joined_on": "2025-01-01",
            }
            for i in range(size)
        ]
        moved = [
            {**row, "unit_code": f"BENCH-{(i + 1) % COMMUNES:02d}"} if i % 10 == 0 else row
            for i, row in enumerate(rows)
        ]
        client = app.test_client()
        headers = {"Authorization": f"Bearer {token}"}
        statements = [0]

        def count(*_args):
            statements[0] += 1

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            for name, query, batch in (
                ("dry run", "?dry_run=true", rows),
                ("create", "", rows),
                ("again, 10 % moved", "", moved),
            ):
                statements[0] = 0
                start, cpu = time.perf_counter(), time.process_time()
                response = client.post(
                    "/api/v1/roster" + query, json={"officials": batch}, headers=headers
                )
                seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
                assert response.status_code == 200, response.get_data(as_text=True)[:500]
                results.append((name, size, seconds, cpu, statements[0]))
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        db.session.remove()
        db.drop_all()
        db.engine.dispose()
    return results


def main(argv: list[str]) -> None:
    sizes = [int(a) for a in argv] or [5000]
    engine = "PostgreSQL" if os.environ.get("BENCH_DATABASE_URL") else "SQLite"
    print(f"engine: {engine}; POST /api/v1/roster, whole request")
    for size in sizes:
        for name, rows, seconds, cpu, statements in run(size):
            print(
                f"{rows:>6} rows, {name:<18} {seconds:6.2f} s wall ({cpu:.2f} s CPU), "
                f"{statements} statements"
            )


if __name__ == "__main__":
    main(sys.argv[1:])
