"""Benchmark: the accounts pages (/people) at growing head counts.

    .venv/bin/python bench/accounts.py                   # 100,000 accounts, SQLite
    .venv/bin/python bench/accounts.py 10000 100000
    BENCH_DATABASE_URL=postgresql://… .venv/bin/python bench/accounts.py 100000

Builds a province of communes (100 accounts each) with Vietnamese names, then times, as an
admin, as the province's HR and as one commune's HR (median of 5 runs): the list's first page,
a diacritics-free name search ("nguyen van"), a search that finds almost nothing ("dang thi
huong"), a unit filter and the last page; and counts the SQL statements of each request (they
must not grow with the head count).
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select  # noqa: E402
from werkzeug.security import generate_password_hash  # noqa: E402

from app import create_app  # noqa: E402
from app.models import Role, Unit, UnitKind, User, db, utcnow  # noqa: E402
from app.people.services import create_unit  # noqa: E402
from app.text import fold  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from compliance import timed  # noqa: E402

PASSWORD = "bench-password"
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi"]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Quốc"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Hà", "Hương", "Khánh", "Lan", "Minh", "Nam", "Yến"]


def build(size: int) -> None:
    rng = random.Random(size)
    province = create_unit("BENCH", "Tỉnh Đo Kiểm", UnitKind.PROVINCE)
    communes = [
        create_unit(f"BENCH-{i}", f"Xã Đo Kiểm {i}", UnitKind.COMMUNE, province)
        for i in range(max(1, size // 100))
    ]
    password_hash = generate_password_hash(PASSWORD)
    for username, role, unit in (
        ("admin.bench", Role.ADMIN, None),
        ("hr.bench", Role.HR, province),
        ("hr.commune", Role.HR, communes[7 % len(communes)]),
    ):
        db.session.add(
            User(
                username=username,
                full_name=username,
                role=role,
                unit=unit,
                password_hash=password_hash,
            )
        )
    db.session.flush()
    rows = []
    for i in range(size):
        name = f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
        rows.append(
            {
                "username": f"cc{i:06d}",
                "full_name": name,
                "search_name": fold(name),  # what the model keeps in step on every ORM write
                "role": Role.OFFICIAL,
                "unit_id": communes[i % len(communes)].id,
                "password_hash": password_hash,
                "is_active": rng.random() > 0.05,
                "must_change_password": False,
                "session_version": 1,
                "created_at": utcnow(),
            }
        )
    for chunk in range(0, len(rows), 10000):
        db.session.execute(insert(User), rows[chunk : chunk + 10000])
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("ANALYZE")


CASES = {
    "first page": "/people/",
    "search 'nguyen van'": "/people/?q=nguyen+van",
    "search 'dang thi huong'": "/people/?q=dang+thi+huong",
    "unit filter": "/people/?unit=BENCH-7",
    "last page": "/people/?page=100000",
}


def run(size: int) -> list[tuple[str, str, float, int]]:
    workdir = tempfile.mkdtemp(prefix="bench-")
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{workdir}/bench.db"
    os.environ["TEST_DATABASE_URL"] = url
    app = create_app("testing")
    results = []
    with app.app_context():
        db.drop_all()
        db.create_all()
        build(size)
        assert db.session.scalar(select(Unit.id).where(Unit.code == "BENCH-7")) is not None
        for who in ("admin.bench", "hr.bench", "hr.commune"):
            client = app.test_client()
            signed_in = client.post("/auth/login", data={"username": who, "password": PASSWORD})
            assert signed_in.status_code == 302, who
            for label, url in CASES.items():
                response = client.get(url)
                assert response.status_code == 200, (who, url, response.status_code)
                ms, statements = timed(lambda c=client, u=url: c.get(u).data)
                results.append((who, label, ms, statements))
        db.session.remove()
        db.drop_all()
        db.engine.dispose()
    return results


def main(argv: list[str]) -> None:
    sizes = [int(a) for a in argv] or [100000]
    engine = "PostgreSQL" if os.environ.get("BENCH_DATABASE_URL") else "SQLite"
    print(f"engine: {engine}; median of 5 runs; ms and SQL statements per request")
    for size in sizes:
        started = time.perf_counter()
        results = run(size)
        print(f"{size} accounts (built and measured in {time.perf_counter() - started:.0f} s)")
        for who, label, ms, statements in results:
            print(f"  {who:<12} {label:<26} {ms:8.1f} ms {statements:3d} statements")


if __name__ == "__main__":
    main(sys.argv[1:])
