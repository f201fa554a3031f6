"""The benchmark's data: one country per database, built by bulk inserts.

    from bench.country import build_country
    country = build_country([1_000, 10_000, 100_000, 250_000])

The two-tier tree of 2025 (DOMAIN.md §2.2): 34 provincial units (28 provinces, 6 cities), each
with its home affairs department (an agency, where the province's HR account sits) and its
communes, wards and special zones of 40 to 150 officials. The head counts given decide the
provinces' sizes: every size but the largest is one province (1,000, 10,000, 100,000), the other
provinces share the rest, and the largest is the whole country, seen by a national HR account
whose scope covers every province. So "the dashboard at N officials" is one HR account's view of
N officials, all from one build (``Country.accounts``).

A year of training, as the app records it (``app/progress``, ``app/quiz``, ``app/compliance``):
for each official, lesson marks (LessonCompletion), one CourseProgress per course started (hours
and the quiz grade once completed), submitted quiz attempts (one in seven fails once and passes
on the second attempt), and for one in ten an external training record. About 72 % have
completed the 2026 standard's courses and hours by early December, 20 % are on the way, 8 % have
not started; a few are exempt, on leave, have left, moved commune in April, joined in October
(exempt by the standard's rule) or have a later deadline.

Rows are generated a chunk at a time and written with the driver's bulk path: ``executemany``
of plain tuples on SQLite (each value through SQLAlchemy's own bind processor, so the stored
text is what the ORM writes), ``COPY ... FROM STDIN`` on PostgreSQL. Accounts and units get
their ids here (the tree's paths need them); the sequences are moved past them afterwards.
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Table, select
from werkzeug.security import generate_password_hash

from app.compliance import kept
from app.content.loader import load_content, read_content
from app.models import (
    Course,
    CourseProgress,
    DeadlineExtension,
    Exemption,
    ExternalTraining,
    HrScope,
    LeavePeriod,
    Lesson,
    LessonCompletion,
    Position,
    Quiz,
    QuizAttempt,
    Unit,
    UnitMembership,
    User,
    db,
    local_date,
    utcnow,
)
from app.people.services import sync_positions
from app.progress.services import refresh_after_load
from app.text import fold

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench-password"
CHUNK = 50_000  # rows per executemany / COPY batch

# The 34 provincial units from 1 July 2025 (Resolution 202/2025/QH15); cities first.
CITIES = ["Hà Nội", "Hồ Chí Minh", "Hải Phòng", "Đà Nẵng", "Cần Thơ", "Huế"]
PROVINCES = [
    "Tuyên Quang", "Lào Cai", "Thái Nguyên", "Phú Thọ", "Bắc Ninh", "Hưng Yên", "Ninh Bình",
    "Quảng Trị", "Quảng Ngãi", "Gia Lai", "Khánh Hòa", "Lâm Đồng", "Đắk Lắk", "Đồng Nai",
    "Tây Ninh", "Vĩnh Long", "Đồng Tháp", "Cà Mau", "An Giang", "Cao Bằng", "Điện Biên",
    "Hà Tĩnh", "Lai Châu", "Lạng Sơn", "Nghệ An", "Quảng Ninh", "Thanh Hóa", "Sơn La",
]  # fmt: skip
FAMILY = [("Nguyễn", 38), ("Trần", 11), ("Lê", 9), ("Phạm", 7), ("Hoàng", 5), ("Huỳnh", 4)]
FAMILY += [(n, 2) for n in ("Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương")]
FAMILY += [(n, 1) for n in ("Lý", "Đinh", "Lương", "Mai", "Trịnh", "Hà", "Lò", "Quàng")]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Quang", "Thu", "Xuân", "Công"]
GIVEN = (
    "An Anh Bình Chi Cường Dũng Dung Duy Giang Hà Hải Hạnh Hiền Hiếu Hoa Hòa Hùng Hương Huy "
    "Khánh Lan Linh Long Mai Minh Nam Nga Ngọc Nhung Phong Phúc Phương Quân Sơn Tâm Thảo Thắng "
    "Thủy Trang Trung Tú Tuấn Vân Việt Yến"
).split()


@dataclass
class Country:
    """What the build made: HR accounts by the head count they see, and plain officials (active,
    no HR record, in the province of ``plain_province``) for the HTTP part and the rush."""

    officials: int
    accounts: dict[int, str] = field(default_factory=dict)  # head count -> HR username
    plain: dict[int, list[str]] = field(default_factory=dict)  # head count -> some usernames
    rows: dict[str, int] = field(default_factory=dict)  # table -> rows written
    seconds: dict[str, float] = field(default_factory=dict)  # phase -> seconds

    def account_near(self, size: int) -> tuple[int, str]:
        """The HR account whose view is closest to ``size`` officials: (head count, username)."""
        best = min(self.accounts, key=lambda n: abs(n - size))
        return best, self.accounts[best]


def province_sizes(sizes: Sequence[int], provinces: int = 34) -> list[tuple[int, int | None]]:
    """(officials, the size it stands for or None) per province: each size but the largest is one
    province; the others share what is left of the largest, unevenly (a 1:3 range)."""
    ordered = sorted(set(sizes))
    total, named = ordered[-1], ordered[:-1]
    if len(named) >= provinces:
        raise ValueError(f"at most {provinces - 1} sizes below the largest")
    rest = total - sum(named)
    if rest < 0:
        raise ValueError(f"the sizes below {total:,} add up to more than it")
    others = provinces - len(named)
    rng = random.Random(total)
    weights = [rng.uniform(1, 3) for _ in range(others)]
    shares = [int(rest * w / sum(weights)) for w in weights]
    shares[0] += rest - sum(shares)
    return [(n, n) for n in named] + [(n, None) for n in shares]


def rebuild_kept(year: int) -> None:
    """Recompute the kept statuses after the bulk build (written past the session, so nothing
    marked them), as ``flask compliance rebuild`` does."""
    kept.rebuild(year)


class Writer:
    """Bulk writes on the session's connection: executemany (SQLite) or COPY (PostgreSQL)."""

    def __init__(self):
        self.connection = db.session.connection()
        self.dialect = self.connection.dialect
        self.raw = self.connection.connection.driver_connection
        self.pending: dict[str, tuple[Table, tuple[str, ...], list[tuple]]] = {}
        self.counts: dict[str, int] = {}

    def add(self, model, columns: tuple[str, ...], row: tuple) -> None:
        table = model.__table__
        entry = self.pending.setdefault(table.name, (table, columns, []))
        entry[2].append(row)
        if len(entry[2]) >= CHUNK:
            self.flush()

    def flush(self) -> None:
        """Every table's pending rows, parents first (foreign keys are checked on PostgreSQL)."""
        for table in db.metadata.sorted_tables:
            key = table.name
            if key not in self.pending:
                continue
            table, columns, rows = self.pending[key]
            if rows:
                self.write(table, columns, rows)
                self.counts[key] = self.counts.get(key, 0) + len(rows)
                rows.clear()

    def write(self, table: Table, columns: tuple[str, ...], rows: list[tuple]) -> None:
        quote = self.dialect.identifier_preparer.quote
        names = ", ".join(quote(c) for c in columns)
        if self.dialect.name == "postgresql":
            with self.raw.cursor() as cursor:
                with cursor.copy(f"COPY {quote(table.name)} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            return
        processors = [
            table.c[c].type.dialect_impl(self.dialect).bind_processor(self.dialect) for c in columns
        ]
        if any(processors):
            convert = [(i, p) for i, p in enumerate(processors) if p]
            converted = []
            for row in rows:
                values = list(row)
                for i, process in convert:
                    if values[i] is not None:
                        values[i] = process(values[i])
                converted.append(values)
            rows = converted
        marks = ", ".join("?" for _ in columns)
        self.raw.executemany(f"INSERT INTO {quote(table.name)} ({names}) VALUES ({marks})", rows)


@lru_cache(maxsize=65536)
def _search_name(full_name: str) -> str:
    return fold(full_name)[:200]


USER_COLUMNS = (
    "id", "username", "full_name", "search_name", "password_hash", "role", "unit_id",
    "position_id", "is_active", "must_change_password", "session_version", "joined_on",
    "left_on", "created_at", "updated_at",
)  # fmt: skip
UNIT_COLUMNS = (
    "id", "code", "name", "kind", "parent_id", "path", "depth", "is_active", "valid_from",
    "updated_at",
)  # fmt: skip
PROGRESS_COLUMNS = (
    "user_id", "course_id", "year", "lessons_completed", "started_at", "last_activity_at",
    "quiz_passed_at", "quiz_grade", "completed_at", "hours", "source",
)  # fmt: skip
MARK_COLUMNS = ("user_id", "lesson_id", "year", "completed_at", "lesson_revision")
ATTEMPT_COLUMNS = (
    "quiz_id", "user_id", "year", "number", "state", "started_at", "submitted_at",
    "auto_submitted", "score", "max_marks", "marks", "passed", "has_essay",
)  # fmt: skip
EXTERNAL_COLUMNS = (
    "user_id", "year", "title", "provider", "hours", "start_date", "end_date", "note",
    "source", "created_by_id", "created_at",
)  # fmt: skip


class Generator:
    """One country's rows, province by province, into a :class:`Writer`."""

    def __init__(self, writer: Writer, rng: random.Random, now: datetime):
        self.w, self.rng, self.now = writer, rng, now
        self.today = local_date(now)
        self.year = self.today.year
        self.year_start = datetime(self.year, 1, 1, 1)
        self.next_unit = (db.session.scalar(select(db.func.max(Unit.id))) or 0) + 1
        self.next_user = (db.session.scalar(select(db.func.max(User.id))) or 0) + 1
        self.password_hash = generate_password_hash(PASSWORD)
        self.positions = list(
            db.session.execute(
                select(Position.id, Position.code, Position.group).where(Position.is_current)
            )
        )
        weights = [1 if group == "leadership" else 3 for _id, _code, group in self.positions]
        self.position_weights = weights
        self.courses = {c.id: c for c in db.session.scalars(select(Course).order_by(Course.id))}
        self.lessons: dict[int, list[int]] = {}
        for lesson_id, course_id in db.session.execute(
            select(Lesson.id, Lesson.course_id).order_by(Lesson.course_id, Lesson.position)
        ):
            self.lessons.setdefault(course_id, []).append(lesson_id)
        self.quizzes = {
            q.course_id: (q.id, q.pass_mark or Decimal(70))
            for q in db.session.scalars(select(Quiz))
            if q.course_id
        }
        self.required = self._required_courses()
        self.families = [name for name, weight in FAMILY for _ in range(weight)]

    def _required_courses(self) -> dict[int | None, list[int]]:
        """Course ids the year's standard requires: ``None`` -> everyone's, position id -> its
        own (read from the loaded standard, so the data follow it)."""
        from app.models import Standard, StandardCourse  # noqa: PLC0415

        standard = db.session.scalar(select(Standard).where(Standard.year == self.year))
        required: dict[int | None, list[int]] = {None: []}
        if standard is None:
            return required
        for course_id, position_id in db.session.execute(
            select(StandardCourse.course_id, StandardCourse.position_id).where(
                StandardCourse.standard_id == standard.id
            )
        ):
            required.setdefault(position_id, []).append(course_id)
        return required

    # -- units and accounts ------------------------------------------------------------------

    def unit(self, code: str, name: str, kind: str, parent: tuple[int, str] | None) -> tuple:
        unit_id = self.next_unit
        self.next_unit += 1
        path = f"{parent[1] if parent else '/'}{unit_id}/"
        depth = path.count("/") - 2
        self.w.add(
            Unit,
            UNIT_COLUMNS,
            (unit_id, code, name, kind, parent[0] if parent else None, path, depth, True)
            + (date(2025, 7, 1), self.now),
        )
        return unit_id, path

    def account(self, username, full_name, role, unit_id, position_id=None, **extra) -> int:
        user_id = self.next_user
        self.next_user += 1
        active = extra.get("left_on") is None
        self.w.add(
            User,
            USER_COLUMNS,
            (user_id, username, full_name, _search_name(full_name))
            + (self.password_hash if active else "", role, unit_id, position_id, active)
            + (False, 1, extra.get("joined_on"), extra.get("left_on"), self.now, self.now),
        )
        return user_id

    def name(self) -> str:
        rng = self.rng
        return f"{rng.choice(self.families)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"

    # -- a province ----------------------------------------------------------------------------

    def province(self, number: int, name: str, size: int, country: Country, stands_for):
        kind = "city" if name in CITIES else "province"
        label = f"Thành phố {name}" if kind == "city" else f"Tỉnh {name}"
        province = self.unit(f"P{number:02d}", label, kind, None)
        agency = self.unit(f"P{number:02d}-SNV", f"Sở Nội vụ {label}", "agency", province)
        hr_username = f"hr.p{number:02d}"
        hr_id = self.account(hr_username, f"Cán bộ Sở Nội vụ {name}", "hr", agency[0])
        self.w.add(HrScope, ("user_id", "unit_id"), (hr_id, province[0]))
        if stands_for is not None:
            country.accounts[stands_for] = hr_username
        communes, left, index = [], size, 0
        while left > 0:
            index += 1
            people = min(left, self.rng.randint(40, 150))
            if 0 < left - people < 40 and communes:  # no commune smaller than 40 at the end
                people = left
            roll = self.rng.random()
            ckind, cname = (
                ("ward", "Phường") if roll < 0.25 else
                ("special_zone", "Đặc khu") if roll < 0.27 else ("commune", "Xã")
            )  # fmt: skip
            unit = self.unit(
                f"P{number:02d}-{index:04d}", f"{cname} {name} {index}", ckind, province
            )
            communes.append((unit[0], people))
            left -= people
        plain = country.plain.setdefault(stands_for or 0, [])
        for position, (commune_id, people) in enumerate(communes):
            previous = communes[position - 1][0] if position else None
            for _ in range(people):
                username = f"cc{self.next_user:07d}"
                if self.official(username, commune_id, previous, hr_id) and len(plain) < 200:
                    plain.append(username)

    def official(self, username: str, unit_id: int, previous: int | None, hr_id: int) -> bool:
        """One official and their year; True for a plain one (active, no HR record)."""
        rng = self.rng
        position_id = rng.choices(self.positions, self.position_weights)[0][0]
        special = rng.random()
        joined = date(rng.randint(1995, self.year - 1), rng.randint(1, 12), rng.randint(1, 28))
        left_on = None
        if special < 0.01:  # joined this autumn: exempt by the standard's rule
            joined = min(self.today, date(self.year, 10, rng.randint(2, 28)))
        elif special < 0.02:  # left during the year
            left_on = min(self.today, date(self.year, rng.randint(2, 10), rng.randint(1, 28)))
        user_id = self.account(
            username,
            self.name(),
            "official",
            unit_id,
            position_id,
            joined_on=joined,
            left_on=left_on,
        )
        moved_on = date(self.year, 4, 1)
        if 0.02 <= special < 0.04 and previous is not None:  # moved commune on 1 April
            self.w.add(
                UnitMembership,
                ("user_id", "unit_id", "start_on", "end_on"),
                (user_id, previous, joined, moved_on - timedelta(days=1)),
            )
            joined = moved_on
        self.w.add(
            UnitMembership,
            ("user_id", "unit_id", "start_on", "end_on"),
            (user_id, unit_id, joined, None),
        )
        if 0.04 <= special < 0.045:
            self.w.add(
                Exemption,
                ("user_id", "year", "reason", "granted_by_id", "created_at"),
                (user_id, self.year, "Biệt phái cả năm", hr_id, self.now),
            )
        elif 0.045 <= special < 0.055:
            start = date(self.year, rng.randint(1, 6), 1)
            self.w.add(
                LeavePeriod,
                ("user_id", "start_date", "end_date", "kind", "created_by_id", "created_at"),
                (user_id, start, start + timedelta(days=180), "Nghỉ thai sản", hr_id, self.now),
            )
        elif 0.055 <= special < 0.06:
            self.w.add(
                DeadlineExtension,
                ("user_id", "year", "deadline", "reason", "granted_by_id", "created_at"),
                (
                    user_id,
                    self.year,
                    date(self.year + 1, 1, 31),
                    "Điều trị dài ngày",
                    hr_id,
                    self.now,
                ),
            )
        self.training(user_id, position_id, joined)
        return special >= 0.06

    # -- a year of training --------------------------------------------------------------------

    def moment(self, after: datetime) -> datetime:
        end = datetime.combine(self.today, clock_time(1))
        if after >= end:
            return after
        return after + (end - after) * self.rng.random() ** 2  # early in the window, mostly

    def training(self, user_id: int, position_id: int, joined: date) -> None:
        rng = self.rng
        required = self.required[None] + self.required.get(position_id, [])
        others = [c for c in self.courses if c not in required]
        rng.shuffle(others)
        profile = rng.random()
        if profile < 0.72:  # done: what is required, and enough hours (16 = four courses)
            done = required + others[: max(0, 4 - len(required)) + (rng.random() < 0.3)]
            started = others[len(done) - len(required) :][: rng.random() < 0.2]
        elif profile < 0.92:  # on the way
            done = rng.sample(required, rng.randint(0, len(required) - 1)) if required else []
            pool = [c for c in required + others if c not in done]
            started = pool[: rng.randint(1, 2)]
        else:  # not started
            done, started = [], []
        cursor = max(self.year_start, datetime.combine(joined, clock_time(1)))
        for course_id in done + started:
            cursor = self.course(user_id, course_id, cursor, complete=course_id in done)
        if rng.random() < 0.1:
            end = date(self.year, rng.randint(1, max(1, self.today.month)), rng.randint(1, 28))
            end = min(end, self.today)
            self.w.add(
                ExternalTraining,
                EXTERNAL_COLUMNS,
                (user_id, self.year, "Lớp bồi dưỡng kiến thức quản lý nhà nước")
                + ("Trường Chính trị tỉnh", Decimal(8), end - timedelta(days=4), end, "")
                + ("manual", None, self.now),
            )

    def course(self, user_id: int, course_id: int, after: datetime, complete: bool) -> datetime:
        rng = self.rng
        lessons = self.lessons.get(course_id, [])
        start = self.moment(after)
        marked = lessons if complete else lessons[: rng.randint(0, max(0, len(lessons) - 1))]
        at = start
        for lesson_id in marked:
            at = at + timedelta(minutes=rng.randint(10, 90))
            self.w.add(LessonCompletion, MARK_COLUMNS, (user_id, lesson_id, self.year, at, 1))
        passed_at = grade = completed_at = None
        quiz = self.quizzes.get(course_id)
        if complete and quiz is not None:
            quiz_id, pass_mark = quiz
            number = 1
            if rng.random() < 1 / 7:  # failed once
                at += timedelta(minutes=20)
                score = Decimal(rng.choice([40, 50, 60]))
                self.w.add(
                    QuizAttempt,
                    ATTEMPT_COLUMNS,
                    self.attempt(quiz_id, user_id, 1, at, score, False),
                )
                number = 2
            at += timedelta(minutes=20)
            grade = Decimal(rng.choice([70, 75, 80, 85, 90, 100]))
            grade = max(grade, pass_mark)
            self.w.add(
                QuizAttempt,
                ATTEMPT_COLUMNS,
                self.attempt(quiz_id, user_id, number, at, grade, True),
            )
            passed_at = completed_at = at
        elif complete:
            completed_at = at
        hours = self.courses[course_id].hours if completed_at else Decimal(0)
        self.w.add(
            CourseProgress,
            PROGRESS_COLUMNS,
            (user_id, course_id, self.year, len(marked), start, at, passed_at, grade)
            + (completed_at, hours, "platform"),
        )
        return at

    def attempt(self, quiz_id, user_id, number, at, score, passed) -> tuple:
        return (
            quiz_id,
            user_id,
            self.year,
            number,
            "submitted",
            at - timedelta(minutes=15),
            at,
        ) + (False, score, 10, score / 10, passed, False)


def build_country(sizes: Sequence[int], seed: int = 2026) -> Country:
    """The content loaded as in production, then the country (see the module's docstring);
    committed. Call inside an app context on an empty schema."""
    timings: dict[str, float] = {}
    started = time.perf_counter()
    sync_positions()
    content, errors = read_content(ROOT / "courses", ROOT / "quizzes")
    assert not errors, errors
    now = utcnow()
    report = load_content(content, now=now)
    refresh_after_load(report.lesson_course_ids, report.course_ids, now=now)
    # Committed on its own: the kept statuses' upkeep (issue 11) settles the new standard at
    # this commit, while nobody is enrolled, instead of rebuilding the year a second time at the
    # end (the bulk rows below go through the driver, which marks nothing).
    db.session.commit()
    timings["content"] = time.perf_counter() - started

    started = time.perf_counter()
    plan = province_sizes(sizes)
    country = Country(officials=sum(n for n, _ in plan))
    writer = Writer()
    generator = Generator(writer, random.Random(seed), now)
    names = CITIES + PROVINCES
    national = generator.account("hr.quocgia", "Cán bộ Bộ Nội vụ", "hr", None)
    first_unit = generator.next_unit
    for number, ((size, stands_for), name) in enumerate(zip(plan, names, strict=False), start=1):
        generator.province(number, name, size, country, stands_for)
    writer.flush()
    for number in range(len(plan)):  # the national account: every province in its scope
        unit_id = db.session.scalar(select(Unit.id).where(Unit.code == f"P{number + 1:02d}"))
        writer.add(HrScope, ("user_id", "unit_id"), (national, unit_id))
    writer.flush()
    country.accounts[max(sizes)] = "hr.quocgia"
    country.plain[max(sizes)] = [u for names_ in country.plain.values() for u in names_][:200]
    assert first_unit > 0
    if writer.dialect.name == "postgresql":  # past the ids given here
        for table in ("unit", "user"):
            db.session.execute(
                db.text(
                    f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                    f'(SELECT max(id) FROM "{table}"))'
                )
            )
    country.rows = dict(writer.counts)
    timings["rows"] = time.perf_counter() - started

    started = time.perf_counter()
    rebuild_kept(generator.year)
    db.session.commit()
    timings["kept statuses and commit"] = time.perf_counter() - started
    if writer.dialect.name == "postgresql":  # fresh statistics, as autovacuum would gather
        started = time.perf_counter()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("ANALYZE")
        timings["analyze"] = time.perf_counter() - started
    country.seconds = timings
    return country


def plain_officials(country: Country, size: int, count: int) -> list[str]:
    """``count`` plain officials from the view of the account standing for ``size``."""
    names = country.plain.get(size) or []
    if len(names) < count:
        names = [u for group in country.plain.values() for u in group]
    return names[:count]


def describe(country: Country) -> str:
    rows = ", ".join(f"{name} {count:,}" for name, count in sorted(country.rows.items()))
    phases = ", ".join(f"{name} {s:.0f} s" for name, s in country.seconds.items())
    return f"{country.officials:,} officials; rows: {rows}; {phases}"
