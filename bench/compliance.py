"""Benchmark: the HR dashboard, the officials list and the CSV export at growing head counts.

    .venv/bin/python bench/compliance.py                 # 1,000 and 10,000 officials, SQLite
    .venv/bin/python bench/compliance.py 1000 10000 100000
    BENCH_DATABASE_URL=postgresql://… .venv/bin/python bench/compliance.py 10000

For each size it builds a province of communes (100 officials each, across the job positions)
with a year of lesson marks, course completions, submitted quiz attempts and external training
(:func:`build`, also the data of ``bench/run.py``), then times, as the province's HR (median of
5 runs): the status computation, the dashboard page, the officials list page and the full CSV
export, and counts the SQL statements of each request (they must not grow with the head count).
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event, insert, select  # noqa: E402
from werkzeug.security import generate_password_hash  # noqa: E402

from app import create_app  # noqa: E402
from app.compliance import queries, services  # noqa: E402
from app.content.loader import load_content, read_content  # noqa: E402
from app.models import (  # noqa: E402
    AttemptState,
    Course,
    CourseProgress,
    ExternalTraining,
    Lesson,
    LessonCompletion,
    Position,
    Quiz,
    QuizAttempt,
    Role,
    UnitKind,
    User,
    db,
    local_date,
    utcnow,
)
from app.people.services import create_unit, sync_positions  # noqa: E402
from app.progress.services import refresh_after_load  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench-password"


def build(size: int) -> None:
    """A province of ``size`` officials and its year: every official has some courses started,
    most of them completed (each lesson marked, the course's quiz passed in one attempt), and
    one in ten an external training record."""
    rng = random.Random(size)
    sync_positions()
    content, errors = read_content(ROOT / "courses", ROOT / "quizzes")
    assert not errors, errors
    now = utcnow()
    report = load_content(content, now=now)
    refresh_after_load(report.lesson_course_ids, report.course_ids, now=now)
    province = create_unit("BENCH", "Tỉnh Đo Kiểm", UnitKind.PROVINCE)
    communes = [
        create_unit(f"BENCH-{i}", f"Xã Đo Kiểm {i}", UnitKind.COMMUNE, province)
        for i in range(max(1, size // 100))
    ]
    positions = [p.id for p in db.session.scalars(select(Position).where(Position.is_current))]
    courses = list(db.session.scalars(select(Course)))
    lessons: dict[int, list[int]] = {}
    for lesson_id, course_id in db.session.execute(select(Lesson.id, Lesson.course_id)):
        lessons.setdefault(course_id, []).append(lesson_id)
    quizzes = {q.course_id: q.id for q in db.session.scalars(select(Quiz)) if q.course_id}
    password_hash = generate_password_hash(PASSWORD)
    db.session.add(
        User(
            username="hr.bench",
            full_name="HR",
            role=Role.HR,
            unit=province,
            password_hash=password_hash,
        )
    )
    db.session.flush()
    users = [
        {
            "username": f"cc{i:06d}",
            "full_name": f"Công chức {i}",
            "role": Role.OFFICIAL,
            "unit_id": communes[i % len(communes)].id,
            "position_id": rng.choice(positions),
            "password_hash": password_hash,
            "is_active": True,
            "must_change_password": False,
            "session_version": 1,
            "created_at": utcnow(),
        }
        for i in range(size)
    ]
    db.session.execute(insert(User), users)
    ids = list(db.session.scalars(select(User.id).where(User.role == Role.OFFICIAL)))
    year = local_date(utcnow()).year
    progress, external, marks, attempts = [], [], [], []
    for user_id in ids:
        for course in rng.sample(courses, rng.randint(0, len(courses))):
            done = rng.random() < 0.8
            moment = datetime(year, rng.randint(1, 10), rng.randint(1, 28), 3)
            progress.append(
                {
                    "user_id": user_id,
                    "course_id": course.id,
                    "year": year,
                    "lessons_completed": 5,
                    "started_at": moment,
                    "last_activity_at": moment,
                    "completed_at": moment if done else None,
                    "quiz_grade": Decimal(rng.choice([60, 75, 90])) if done else None,
                    "hours": course.hours if done else 0,
                    "source": "platform",
                }
            )
            for lesson_id in lessons.get(course.id, []) if done else []:
                marks.append(
                    {"user_id": user_id, "lesson_id": lesson_id, "year": year}
                    | {"completed_at": moment, "lesson_revision": 1}
                )
            if done and course.id in quizzes:
                grade = progress[-1]["quiz_grade"]
                attempts.append(
                    {"quiz_id": quizzes[course.id], "user_id": user_id, "year": year}
                    | {"number": 1, "state": AttemptState.SUBMITTED, "started_at": moment}
                    | {"submitted_at": moment, "score": grade, "passed": grade >= 70}
                    | {"auto_submitted": False, "has_essay": False}
                )
        if rng.random() < 0.1:
            external.append(
                {
                    "user_id": user_id,
                    "year": year,
                    "title": "Lớp bồi dưỡng",
                    "provider": "Trường Chính trị",
                    "hours": Decimal(8),
                    "end_date": datetime(year, 5, 5).date(),
                    "note": "",
                    "source": "manual",
                    "created_by_id": ids[0],
                    "created_at": utcnow(),
                }
            )
    for model, rows in (
        (CourseProgress, progress),
        (LessonCompletion, marks),
        (QuizAttempt, attempts),
    ):
        for chunk in range(0, len(rows), 5000):
            db.session.execute(insert(model), rows[chunk : chunk + 5000])
    if external:
        db.session.execute(insert(ExternalTraining), external)
    db.session.commit()
    if db.engine.dialect.name == "postgresql":  # fresh statistics, as autovacuum would gather
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("ANALYZE")


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


def run(size: int) -> dict:
    workdir = tempfile.mkdtemp(prefix="bench-")
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{workdir}/bench.db"
    os.environ["TEST_DATABASE_URL"] = url
    app = create_app("testing")
    app.config.update(SQLALCHEMY_ECHO=False)
    with app.app_context():
        db.drop_all()
        db.create_all()
        started = time.perf_counter()
        build(size)
        built = time.perf_counter() - started
        hr = db.session.scalar(select(User).where(User.username == "hr.bench"))
        standard = queries.standard_for(local_date(utcnow()).year)
        assert standard is not None, "no standard for this year in courses/standards/"
        client = app.test_client()
        client.post("/auth/login", data={"username": "hr.bench", "password": PASSWORD})
        today = local_date(utcnow())
        results = {"officials": size, "build_s": round(built, 1)}
        results["statuses"] = timed(
            lambda: list(services.statuses(standard, services.scope_criterion(hr), today=today))
        )
        results["dashboard"] = timed(lambda: client.get("/hr/").data)
        results["officials_page"] = timed(lambda: client.get("/hr/officials?status=overdue").data)
        results["csv_export"] = timed(lambda: client.get("/hr/export.csv").data, runs=3)
        db.session.remove()
        db.drop_all()
        db.engine.dispose()
    return results


def main(argv: list[str]) -> None:
    sizes = [int(a) for a in argv] or [1000, 10000]
    engine = "PostgreSQL" if os.environ.get("BENCH_DATABASE_URL") else "SQLite"
    print(f"engine: {engine}; median of 5 runs (export: 3); ms and SQL statements per request")
    columns = ("officials", "statuses", "dashboard", "officials page", "CSV export")
    print(f"{columns[0]:>10} " + " ".join(f"{c:>16}" for c in columns[1:]))
    for size in sizes:
        r = run(size)
        cells = [
            f"{r[k][0]:9.0f} ms {r[k][1]:3d}q"
            for k in ("statuses", "dashboard", "officials_page", "csv_export")
        ]
        print(
            f"{size:>10} "
            + " ".join(f"{c:>16}" for c in cells)
            + f"   (data built in {r['build_s']} s)"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
