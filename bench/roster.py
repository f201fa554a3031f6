"""Benchmark: a roster of N officials uploaded on the page, as a dry run and then for real.

    .venv/bin/python bench/roster.py                  # 20,000 rows, CSV, SQLite
    .venv/bin/python bench/roster.py 2000 20000 --xlsx
    BENCH_DATABASE_URL=postgresql://… .venv/bin/python bench/roster.py 20000

For each size, in a fresh database holding a province of 200 communes and the job positions,
an admin uploads the file at /people/import: first as a dry run, then for real (the answer
being the CSV of new accounts with their temporary passwords), then the same file once more
with a tenth of the officials moved to another commune. It prints the time of each request,
its SQL statements (they grow with chunks of 2,000 rows, not per row) and the process's peak
memory (resident set, whole process). Wall time and this process's CPU time are both printed:
on a shared machine the first depends on the neighbours (the database server's own CPU time is
not in the second).
"""

from __future__ import annotations

import io
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from openpyxl import Workbook  # noqa: E402
from sqlalchemy import event, func, select  # noqa: E402

from app import create_app  # noqa: E402
from app.models import Position, Role, UnitKind, User, db  # noqa: E402
from app.people.services import create_unit, create_user, sync_positions  # noqa: E402

PASSWORD = "bench-password-1"
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng"]
MIDDLE = ["Văn", "Thị", "Hữu", "Minh", "Thu", "Đức", "Ngọc"]
GIVEN = ["An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Khánh", "Lan", "Minh", "Phúc", "Quỳnh"]


def build() -> tuple[list[str], list[str]]:
    sync_positions()
    province = create_unit("BENCH", "Tỉnh Đo Kiểm", UnitKind.PROVINCE)
    communes = [
        create_unit(f"XA-{i:03d}", f"Xã Đo Kiểm {i}", UnitKind.COMMUNE, province)
        for i in range(200)
    ]
    create_user("admin.bench", "Quản trị", PASSWORD, role=Role.ADMIN)
    db.session.commit()
    positions = list(db.session.scalars(select(Position.code).where(Position.is_current)))
    return [c.code for c in communes], positions


def roster_rows(size: int, communes: list[str], positions: list[str], *, moved: float = 0):
    rng = random.Random(size)
    header = ["tên đăng nhập", "họ và tên", "mã đơn vị", "mã vị trí", "thư điện tử"]
    header += ["vai trò", "ngày vào làm", "ngày nghỉ"]
    yield header
    for i in range(size):
        unit = communes[i % len(communes)]
        if rng.random() < moved:
            unit = communes[(i + 1) % len(communes)]
        name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
        yield [
            f"cc{i:06d}",
            name,
            unit,
            rng.choice(positions),
            f"cc{i:06d}@example.vn",
            "official",
            f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.randint(1995, 2025)}",
            "",
        ]


def as_csv(rows) -> bytes:
    return ("\ufeff" + "\n".join(";".join(r) for r in rows) + "\n").encode("utf-8")


def as_xlsx(rows) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Danh sách")
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def timed_post(client, data: bytes, name: str, *, dry_run: bool) -> tuple[float, float, int, int]:
    counter = [0]

    def count(*_args):
        counter[0] += 1

    event.listen(db.engine, "before_cursor_execute", count)
    form = {"file": (io.BytesIO(data), name), "sheet": "csv"}
    if dry_run:
        form["dry_run"] = "y"
    start, cpu = time.perf_counter(), time.process_time()
    try:
        response = client.post("/people/import", data=form, content_type="multipart/form-data")
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    return elapsed, cpu, counter[0], len(response.get_data())


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(size: int, xlsx: bool) -> None:
    workdir = tempfile.mkdtemp(prefix="bench-roster-")
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{workdir}/bench.db"
    os.environ["TEST_DATABASE_URL"] = url
    app = create_app("testing")
    with app.app_context():
        db.drop_all()
        db.create_all()
        communes, positions = build()
        make = as_xlsx if xlsx else as_csv
        name = "ds.xlsx" if xlsx else "ds.csv"
        first = make(roster_rows(size, communes, positions))
        again = make(roster_rows(size, communes, positions, moved=0.1))
        client = app.test_client()
        client.post("/auth/login", data={"username": "admin.bench", "password": PASSWORD})
        before = peak_mb()
        steps = [
            ("dry run", first, True),
            ("import", first, False),
            ("re-import, 10% moved", again, False),
        ]
        for label, data, dry_run in steps:
            seconds, cpu, statements, answer = timed_post(client, data, name, dry_run=dry_run)
            print(
                f"{size:>7} {name[-4:]:>5} {label:<22} {seconds:6.1f} s (CPU {cpu:5.1f} s)"
                f" {statements:4d} statements   answer {answer / 1024:5.0f} KiB"
                f"   file {len(data) / 1024 / 1024:4.1f} MB"
            )
        officials = db.session.scalar(select(func.count(User.id)).where(User.role == "official"))
        assert officials == size, officials
        print(f"{'':>7} peak memory of the process: {peak_mb():.0f} MB (before: {before:.0f} MB)")
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


def main(argv: list[str]) -> None:
    xlsx = "--xlsx" in argv
    sizes = [int(a) for a in argv if a.isdigit()] or [20000]
    engine = "PostgreSQL" if os.environ.get("BENCH_DATABASE_URL") else "SQLite"
    print(f"engine: {engine}; POST /people/import as an admin, whole request")
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    for size in sizes:
        run(size, xlsx)


if __name__ == "__main__":
    main(sys.argv[1:])
