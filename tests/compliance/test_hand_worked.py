"""Compliance cases worked out by hand from the README's rules and the legal facts.

Each test builds the few officials it needs on a common world, says in its docstring how the
answer was worked out, and checks that the single-official view, the whole-tree computation, the
unit summary and the export all give that answer (``seen``).

The world's 2026 standard has the rules of ``courses/standards/2026.yml`` (checked by
``test_the_world_uses_the_rules_of_the_shipped_2026_standard``) with test courses:

- deadline 15/12/2026; covers communes, wards and special zones;
- everyone: K1 Một cửa (4 h, two lessons, a quiz: 20 questions, its own pass mark 60 %),
  K2 Văn hóa công vụ (4 h), K3 An toàn thông tin (4 h): 12 hours in all;
- CM-MC also K4 Dịch vụ công (4 h) and K5 Văn bản điện tử (2 h); LD-GDTT also K1 (already
  required of everyone: counted once) and K4; K6 Tự chọn (3 h) is required of nobody;
- at least 16 hours; external training counted up to 8 hours; quiz grade at least 70 for a
  required course to count; exempt below 6 months of work or when joined after 01/10/2026.

The 2025 standard requires K1 only, has no minimum of hours, does not count external training,
declares no exemption and covers every unit.

Times: completions are stored in naive UTC; ``vn(day, h, m)`` is a wall-clock time in Vietnam
(UTC+7), so 23:30 in Vietnam is 16:30 UTC the same day and 00:30 is 17:30 UTC the day before.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from flask_babel import force_locale
from sqlalchemy import select

from app.compliance import exports, queries, services
from app.compliance.rules import STATUS_ORDER
from app.compliance.text import reason
from app.content.loader import read_content
from app.content.standards import read_standard
from app.models import (
    Course,
    CourseProgress,
    Lesson,
    Position,
    Quiz,
    Role,
    Unit,
    UnitKind,
    User,
    db,
    local_to_utc,
)
from app.people.services import create_unit, sync_positions
from app.progress.services import complete_lesson
from app.quiz import services as quiz_services
from tests.factories import load_content, make_user, write_course

REPO = Path(__file__).resolve().parents[2]
DEADLINE = date(2026, 12, 15)
TODAY = date(2026, 12, 20)  # after the deadline

STANDARD_2026 = """year: 2026
title: "Chuẩn bồi dưỡng năm 2026 (thử, theo mẫu 2026.yml)"
issuer: "UBND tỉnh Thử Nghiệm"
legal_basis: ["Nghị định số 171/2025/NĐ-CP"]
period: {start: 2026-01-01, deadline: 2026-12-15}
applies_to:
  unit_kinds: [commune, ward, special_zone]
required:
  everyone: [k1-mot-cua, k2-van-hoa, k3-an-toan]
  by_position:
    CM-MC: [k4-dich-vu-cong, k5-van-ban]
    LD-GDTT: [k1-mot-cua, k4-dich-vu-cong]
hours: {minimum: 16, external: counted, external_cap: 8}
pass_mark: 70
exemptions: {min_months_worked: 6, joined_after: 2026-10-01}
reminders: {days_before: [30, 7]}
"""
STANDARD_2025 = """year: 2025
title: "Chuẩn bồi dưỡng năm 2025 (thử)"
issuer: "UBND tỉnh Thử Nghiệm"
legal_basis: ["Kế hoạch số 1/KH-UBND (thử)"]
period: {start: 2025-01-01, deadline: 2025-12-15}
required:
  everyone: [k1-mot-cua]
hours: {external: not_counted}
"""
QUIZ = "\n\n".join(f"::C{i}::Câu hỏi số {i}?{{T}}" for i in range(1, 21))
EVERYONE = "K1 Một cửa; K2 Văn hóa công vụ; K3 An toàn thông tin"


def vn(day: date, hour: int = 10, minute: int = 0) -> datetime:
    """A wall-clock moment in Vietnam, as the naive UTC the database stores."""
    return local_to_utc(day, time(hour, minute))


@dataclass
class World:
    units: dict[str, Unit]
    positions: dict[str, Position]
    hr: User
    content_dirs: tuple[Path, Path]


def write_content(courses: Path, quizzes: Path) -> None:
    write_course(
        courses,
        "k1-mot-cua",
        title="K1 Một cửa",
        hours="4",
        lessons={"01-mot.md": "Một", "02-hai.md": "Hai"},
    )
    write_course(courses, "k2-van-hoa", title="K2 Văn hóa công vụ", track="ethics", hours="4")
    write_course(courses, "k3-an-toan", title="K3 An toàn thông tin", track="it", hours="4")
    write_course(courses, "k4-dich-vu-cong", title="K4 Dịch vụ công", hours="4")
    write_course(courses, "k5-van-ban", title="K5 Văn bản điện tử", track="it", hours="2")
    write_course(courses, "k6-tu-chon", title="K6 Tự chọn", hours="3")
    (quizzes / "k1-mot-cua.gift").write_text(QUIZ, encoding="utf-8")
    (quizzes / "k1-mot-cua.yml").write_text(
        "course: k1-mot-cua\npass_mark: 60\nshuffle_answers: false\n", encoding="utf-8"
    )
    (courses / "standards").mkdir()
    (courses / "standards" / "2026.yml").write_text(STANDARD_2026, encoding="utf-8")
    (courses / "standards" / "2025.yml").write_text(STANDARD_2025, encoding="utf-8")


def load(content_dirs, now: datetime) -> list[str]:
    content, errors = read_content(*content_dirs)
    if errors:
        return [str(e) for e in errors]
    load_content(content, now=now)
    db.session.commit()
    return []


@pytest.fixture
def world(app, content_dirs) -> World:
    write_content(*content_dirs)
    sync_positions()
    assert load(content_dirs, vn(date(2025, 1, 2))) == []
    province = create_unit("P", "Tỉnh Thử Nghiệm", UnitKind.PROVINCE)
    ward = create_unit("W", "Phường Tây (thử)", UnitKind.WARD, province)
    units = {
        "P": province,
        "X": create_unit("X", "Xã Xuân (thử)", UnitKind.COMMUNE, province),
        "W": ward,
        "WC": create_unit("WC", "Trung tâm PVHCC phường Tây (thử)", UnitKind.AGENCY, ward),
        "Z": create_unit("Z", "Đặc khu Zê (thử)", UnitKind.SPECIAL_ZONE, province),
        "T": create_unit("T", "Thị trấn cũ (thử)", UnitKind.TOWNSHIP, province),
        "S": create_unit("S", "Sở Nội vụ (thử)", UnitKind.AGENCY, province),
    }
    positions = {p.code: p for p in db.session.scalars(select(Position))}
    hr = make_user("hr.p", role=Role.HR, unit=province)
    db.session.commit()
    return World(units, positions, hr, content_dirs)


# --- Doing things ----------------------------------------------------------------------------


def official(world: World, name: str, unit: str = "X", position: str | None = "CM-VP", **extra):
    user = make_user(
        name,
        unit=world.units[unit],
        position=world.positions[position] if position else None,
        full_name=name.title(),
    )
    for key, value in extra.items():
        setattr(user, key, value)
    db.session.commit()
    return user


def lessons(slug: str) -> list[Lesson]:
    return list(
        db.session.scalars(
            select(Lesson).join(Course).where(Course.slug == slug).order_by(Lesson.position)
        )
    )


def read(user, slug: str, when: datetime, *, only: int | None = None) -> None:
    """Mark the course's lessons completed at ``when`` (or only lesson number ``only``)."""
    for number, lesson in enumerate(lessons(slug), start=1):
        if only is None or only == number:
            complete_lesson(user, lesson, now=when)


def quiz(user, right: int, when: datetime, *, took: timedelta = timedelta(minutes=10)) -> None:
    """An attempt at K1's quiz started at ``when``: ``right`` of 20 answers right (5 % each)."""
    k1 = db.session.scalar(select(Quiz).where(Quiz.slug == "k1-mot-cua"))
    attempt = quiz_services.start_attempt(k1, user, now=when)
    for item in quiz_services.attempt_questions(attempt):
        item.response = int(item.question.title[1:]) <= right
    quiz_services.submit_attempt(attempt, None, now=when + took)


def k1(user, when: datetime, right: int = 20) -> None:
    read(user, "k1-mot-cua", when)
    quiz(user, right, when + timedelta(minutes=30))


def everyone_courses(user, day: date) -> None:
    """K1 (quiz 100 %), K2 and K3 on ``day``: 12 hours, every course required of everyone."""
    k1(user, vn(day))
    read(user, "k2-van-hoa", vn(day, 11))
    read(user, "k3-an-toan", vn(day, 12))


def external(world: World, user, hours: str, end: date, start: date | None = None) -> None:
    services.add_external_training(
        user,
        title="Lớp bồi dưỡng ngoài hệ thống",
        provider="Trường Chính trị tỉnh",
        hours=Decimal(hours),
        start_date=start,
        end_date=end,
        note="",
        file=None,
        created_by=world.hr,
        now=vn(end, 16),
    )


def progress(user, slug: str, year: int) -> CourseProgress | None:
    return db.session.scalar(
        select(CourseProgress)
        .join(Course)
        .where(CourseProgress.user_id == user.id, CourseProgress.year == year, Course.slug == slug)
    )


# --- Seeing the answer in every place ---------------------------------------------------------


@dataclass(frozen=True)
class Seen:
    status: str
    hours: Decimal
    reason: str


def _everything(app, year: int, today: date):
    standard = queries.standard_for(year)
    rows = list(services.statuses(standard, User.id.is_not(None), today=today))
    province = db.session.scalar(select(Unit).where(Unit.code == "P"))
    summaries, total = services.summarize(
        ((r.unit_path, r.status, 1) for r in rows), province, None
    )
    with app.test_request_context(), force_locale("vi"):
        reasons = {row.user_id: reason(row.result, standard) for row in rows}
        exported = {line[2]: line for line in exports.officials_table(rows, standard).rows}
        unit_lines = {line[0]: line for line in exports.units_table(summaries, total).rows}
    return standard, rows, summaries, total, reasons, exported, unit_lines


def seen(app, user, *, today: date, year: int = 2026) -> Seen:
    """The official's status, hours and reason, after checking that the one-official view, the
    whole tree, the unit summary and both export tables agree."""
    standard, rows, summaries, total, reasons, exported, unit_lines = _everything(app, year, today)
    single = services.official_status(standard, user, today=today)
    assert single is not None
    row = next(r for r in rows if r.user_id == user.id)
    assert row.result == single.result
    status = str(single.status)
    line = exported[user.username]
    assert line[5] == status
    assert line[7] == reasons[user.id]
    assert (line[8], line[9]) == (single.result.required_done, single.result.required_total)
    assert line[10] == "; ".join(single.result.missing)
    assert line[11] == float(single.result.hours)
    assert line[13] == single.result.deadline
    # counted once, under the unit below the province that holds the official
    assert total.counts == Counter(r.status for r in rows)
    holder = max(
        (s for s in summaries if row.unit_path.startswith(s.unit.path)),
        key=lambda s: len(s.unit.path),
    )
    assert holder.counts[single.status] >= 1
    column = 3 + STATUS_ORDER.index(single.status)
    assert unit_lines[holder.unit.code][column] == holder.counts[single.status]
    assert unit_lines[""][column] == total.counts[single.status]
    return Seen(status, single.result.hours, reasons[user.id])


def counts(app, *, today: date, year: int = 2026) -> dict[str, dict[str, int]]:
    """{unit code: {status: n}} for the units below the province, as the units export has it."""
    *_, unit_lines = _everything(app, year, today)
    return {
        code: {str(s): line[3 + i] for i, s in enumerate(STATUS_ORDER) if line[3 + i]}
        for code, line in unit_lines.items()
        if code
    }


# --- The standard the cases are worked against -------------------------------------------------


def test_the_world_uses_the_rules_of_the_shipped_2026_standard(world):
    """The hand-worked answers below assume the shipped 2026 standard's rules: deadline
    15/12/2026, communes/wards/special zones, 16 hours with external training capped at 8,
    pass mark 70, exempt under 6 months or when joined after 01/10/2026."""
    slugs = {p.name for p in (REPO / "courses").iterdir() if p.is_dir()}
    shipped, errors = read_standard(REPO / "courses/standards/2026.yml", "2026.yml", slugs)
    assert errors == []
    ours = queries.standard_for(2026)
    for name in (
        "start_date",
        "deadline",
        "unit_kinds",
        "unit_codes",
        "position_codes",
        "min_hours",
        "count_external",
        "external_hours_cap",
        "pass_mark",
        "min_months_worked",
        "joined_after",
        "reminder_days",
    ):
        assert getattr(ours, name) == getattr(shipped, name), name
    assert len(shipped.everyone) == 3  # like K1, K2, K3
    raw = yaml.safe_load((REPO / "courses/standards/2026.yml").read_text(encoding="utf-8"))
    assert "CM-XD" not in raw["required"]["by_position"]  # a position with no extra course


# --- Time: the deadline and the year boundary --------------------------------------------------


def test_last_course_on_the_deadline_day_at_2330_vietnam_time(app, world):
    """K1, K2 on 01/03 and 4 external hours: 12 hours, K3 missing. On 15/12 (the deadline day,
    not yet past) the official is in progress with 0 days left. K3 finished at 23:30 in Vietnam
    on 15/12 = 16:30 UTC on 15/12: credited to 2026, completed on 15/12, 3 of 3 courses,
    8 + 4 + 4 = 16 hours = the minimum -> meets the standard, on that day and after it;
    the standard was met on 15/12/2026."""
    user = official(world, "hoa")
    k1(user, vn(date(2026, 3, 1)))
    read(user, "k2-van-hoa", vn(date(2026, 3, 1), 11))
    external(world, user, "4", date(2026, 3, 10))
    before = seen(app, user, today=DEADLINE)
    assert before == Seen(
        "in_progress",
        Decimal(12),
        "Còn thiếu 1 khóa: K3 An toàn thông tin; đã có 12/16 giờ; "
        "hôm nay là hạn cuối (15/12/2026).",
    )
    read(user, "k3-an-toan", vn(DEADLINE, 23, 30))
    assert progress(user, "k3-an-toan", 2026).completed_at == datetime(2026, 12, 15, 16, 30)
    done = Seen("compliant", Decimal(16), "Đã hoàn thành đủ 3 khóa bắt buộc; đã có 16/16 giờ.")
    assert seen(app, user, today=DEADLINE) == done
    assert seen(app, user, today=TODAY) == done
    assert services.compliance_date(queries.standard_for(2026), user) == DEADLINE


def test_last_course_the_next_day_at_0030_vietnam_time(app, world):
    """As above, but K3 is finished at 00:30 on 16/12 in Vietnam = 17:30 UTC on 15/12. Before
    it, on 16/12, the deadline has passed: overdue. The README counts a course completed in
    the year and calls overdue only what is not compliant: once K3 is done the official meets
    the standard (late), met on 16/12/2026."""
    user = official(world, "hung")
    k1(user, vn(date(2026, 3, 1)))
    read(user, "k2-van-hoa", vn(date(2026, 3, 1), 11))
    external(world, user, "4", date(2026, 3, 10))
    assert seen(app, user, today=date(2026, 12, 16)) == Seen(
        "overdue",
        Decimal(12),
        "Còn thiếu 1 khóa: K3 An toàn thông tin; đã có 12/16 giờ; đã quá hạn 15/12/2026.",
    )
    read(user, "k3-an-toan", vn(date(2026, 12, 16), 0, 30))
    assert progress(user, "k3-an-toan", 2026).completed_at == datetime(2026, 12, 15, 17, 30)
    assert seen(app, user, today=date(2026, 12, 16)) == Seen(
        "compliant", Decimal(16), "Đã hoàn thành đủ 3 khóa bắt buộc; đã có 16/16 giờ."
    )
    assert services.compliance_date(queries.standard_for(2026), user) == date(2026, 12, 16)


def test_new_year_in_vietnam_comes_seven_hours_before_utc(app, world):
    """K2 finished at 23:30 on 31/12/2025 in Vietnam (16:30 UTC): credited to 2025. K3 finished
    at 00:30 on 01/01/2026 in Vietnam (17:30 UTC on 31/12/2025): credited to 2026.
    2026 on 01/02/2026: K3 only, 4 of 16 hours, 317 days left -> in progress.
    2025 (K1 required, no minimum of hours) on 01/02/2026: K1 missing, past 15/12/2025 ->
    overdue; K2's 4 hours show as hours but are not asked for."""
    user = official(world, "khai")
    read(user, "k2-van-hoa", vn(date(2025, 12, 31), 23, 30))
    read(user, "k3-an-toan", vn(date(2026, 1, 1), 0, 30))
    assert progress(user, "k2-van-hoa", 2025).completed_at is not None
    assert progress(user, "k3-an-toan", 2026).completed_at == datetime(2025, 12, 31, 17, 30)
    assert seen(app, user, today=date(2026, 2, 1)) == Seen(
        "in_progress",
        Decimal(4),
        "Còn thiếu 2 khóa: K1 Một cửa; K2 Văn hóa công vụ; đã có 4/16 giờ; "
        "còn 317 ngày (hạn 15/12/2026).",
    )
    assert seen(app, user, today=date(2026, 2, 1), year=2025) == Seen(
        "overdue", Decimal(4), "Còn thiếu 1 khóa: K1 Một cửa; đã quá hạn 15/12/2025."
    )


def test_lessons_in_december_and_quiz_in_january_complete_nothing(app, world):
    """K1's lessons read on 10/12/2025, its quiz passed (100 %) on 05/01/2026. A course counts in
    a year when every lesson was completed that year and its quiz passed that year: neither
    2025 (no quiz) nor 2026 (no lessons) has K1. On 01/02/2026 the 2026 status is in progress
    (there is activity), nothing done; 2025 is overdue. Reading the lessons again on 10/02/2026
    completes K1 in 2026 on 10/02 (the last of lessons and quiz), 4 hours."""
    user = official(world, "lam")
    read(user, "k1-mot-cua", vn(date(2025, 12, 10)))
    quiz(user, 20, vn(date(2026, 1, 5)))
    assert progress(user, "k1-mot-cua", 2025).completed_at is None
    assert progress(user, "k1-mot-cua", 2026).completed_at is None
    assert seen(app, user, today=date(2026, 2, 1)) == Seen(
        "in_progress",
        Decimal(0),
        f"Còn thiếu 3 khóa: {EVERYONE}; đã có 0/16 giờ; còn 317 ngày (hạn 15/12/2026).",
    )
    assert seen(app, user, today=date(2026, 2, 1), year=2025).status == "overdue"
    read(user, "k1-mot-cua", vn(date(2026, 2, 10)))
    assert progress(user, "k1-mot-cua", 2026).completed_at == vn(date(2026, 2, 10))
    assert seen(app, user, today=date(2026, 3, 15)) == Seen(
        "in_progress",
        Decimal(4),
        "Còn thiếu 2 khóa: K2 Văn hóa công vụ; K3 An toàn thông tin; đã có 4/16 giờ; "
        "còn 275 ngày (hạn 15/12/2026).",
    )


def test_quiz_started_on_new_years_eve_and_submitted_after_midnight(app, world):
    """K1's lessons read on 02/01/2026; a quiz attempt started at 23:50 on 31/12/2025 in
    Vietnam and submitted at 00:05 on 01/01/2026 (100 %). The README: an attempt belongs to the
    year it was started in, so the pass is 2025's, where K1's lessons were not read: K1 is
    completed in neither year, and 2026 needs a 2026 attempt (then 4 hours)."""
    user = official(world, "linh")
    quiz(user, 20, vn(date(2025, 12, 31), 23, 50), took=timedelta(minutes=15))
    read(user, "k1-mot-cua", vn(date(2026, 1, 2)))
    assert progress(user, "k1-mot-cua", 2026).completed_at is None
    assert seen(app, user, today=date(2026, 2, 1)).hours == Decimal(0)
    quiz(user, 20, vn(date(2026, 1, 3)))
    assert seen(app, user, today=date(2026, 2, 1)).hours == Decimal(4)


# --- The quiz -----------------------------------------------------------------------------------


def test_quiz_passed_before_the_last_lesson(app, world):
    """Lesson 1 on 01/03, quiz 90 % on 10/03, lesson 2 on 20/03: K1 is completed when the last
    of these happened, 20/03, with 4 hours and grade 90 (>= 70): it counts. On 01/04: K1 done,
    K2, K3 missing, 4/16 hours, 258 days left -> in progress."""
    user = official(world, "mai")
    read(user, "k1-mot-cua", vn(date(2026, 3, 1)), only=1)
    quiz(user, 18, vn(date(2026, 3, 10)))
    assert progress(user, "k1-mot-cua", 2026).completed_at is None
    read(user, "k1-mot-cua", vn(date(2026, 3, 20)), only=2)
    record = progress(user, "k1-mot-cua", 2026)
    assert (record.completed_at, record.quiz_grade, record.hours) == (
        vn(date(2026, 3, 20)),
        Decimal(90),
        Decimal(4),
    )
    assert seen(app, user, today=date(2026, 4, 1)) == Seen(
        "in_progress",
        Decimal(4),
        "Còn thiếu 2 khóa: K2 Văn hóa công vụ; K3 An toàn thông tin; đã có 4/16 giờ; "
        "còn 258 ngày (hạn 15/12/2026).",
    )


def test_failed_then_passed_attempt(app, world):
    """Both lessons on 01/03; attempt 1 on 02/03: 40 % (below the quiz's 60): K1 not completed,
    no hours. Attempt 2 on 05/03: 75 %: K1 completed at the second submission (05/03 10:10
    Vietnam), grade 75 (highest) >= 70: counts, 4 hours."""
    user = official(world, "nga")
    read(user, "k1-mot-cua", vn(date(2026, 3, 1)))
    quiz(user, 8, vn(date(2026, 3, 2)))
    assert progress(user, "k1-mot-cua", 2026).completed_at is None
    assert seen(app, user, today=date(2026, 3, 3)).hours == Decimal(0)
    quiz(user, 15, vn(date(2026, 3, 5)))
    record = progress(user, "k1-mot-cua", 2026)
    assert (record.completed_at, record.quiz_grade) == (vn(date(2026, 3, 5), 10, 10), Decimal(75))
    result = seen(app, user, today=date(2026, 4, 1))
    assert result.hours == Decimal(4) and "K1" not in result.reason


def test_grade_exactly_at_the_pass_mark_counts_and_just_below_does_not(app, world):
    """Two officials with K2, K3 and 4 external hours. One scores 14/20 = 70 % on K1's quiz:
    70 >= 70, K1 counts -> 3 of 3, 16 hours -> compliant. The other scores 13/20 = 65 %: K1 is
    completed (the quiz's own mark is 60) and its 4 hours count, but it is not a required
    course done (65 < 70) -> still missing, 16/16 hours, past the deadline -> overdue."""
    exact = official(world, "oanh")
    below = official(world, "phuc")
    for user, right in ((exact, 14), (below, 13)):
        k1(user, vn(date(2026, 4, 1)), right=right)
        read(user, "k2-van-hoa", vn(date(2026, 4, 2)))
        read(user, "k3-an-toan", vn(date(2026, 4, 3)))
        external(world, user, "4", date(2026, 4, 4))
    assert progress(exact, "k1-mot-cua", 2026).quiz_grade == Decimal(70)
    assert seen(app, exact, today=TODAY) == Seen(
        "compliant", Decimal(16), "Đã hoàn thành đủ 3 khóa bắt buộc; đã có 16/16 giờ."
    )
    assert seen(app, below, today=TODAY) == Seen(
        "overdue", Decimal(16), "Còn thiếu 1 khóa: K1 Một cửa; đã quá hạn 15/12/2026."
    )


# --- Hours ----------------------------------------------------------------------------------------


def test_hours_just_below_the_minimum_are_not_shown_as_reached(app, world):
    """Every required course (12 hours) and 3.95 external hours: 15.95 < 16 -> not compliant;
    on 01/12, 14 days left -> in progress. The reason must not say "16/16": it shows the
    hours as recorded, 15,95."""
    user = official(world, "quang")
    everyone_courses(user, date(2026, 5, 4))
    external(world, user, "3.95", date(2026, 5, 5))
    result = seen(app, user, today=date(2026, 12, 1))
    assert result == Seen(
        "in_progress", Decimal("15.95"), "Đã có 15,95/16 giờ; còn 14 ngày (hạn 15/12/2026)."
    )
    status = services.official_status(queries.standard_for(2026), user, today=TODAY)
    assert status.result.hours_percent < 100


def test_external_hours_adding_up_to_the_minimum_reach_it(app, world):
    """12 course hours and three external trainings of 0.3 + 2.05 + 1.65 = 4.00 hours: exactly
    16 -> compliant (a sum of binary floats, 3.9999999999999996, must not fall short)."""
    user = official(world, "quyen")
    everyone_courses(user, date(2026, 5, 4))
    for hours, day in (("0.3", 5), ("2.05", 6), ("1.65", 7)):
        external(world, user, hours, date(2026, 5, day))
    assert seen(app, user, today=TODAY) == Seen(
        "compliant", Decimal(16), "Đã hoàn thành đủ 3 khóa bắt buộc; đã có 16/16 giờ."
    )


def test_external_hours_above_the_cap(app, world):
    """12 course hours; external trainings of 5 h (May) and 5 h (June) = 10 h, capped at 8:
    20 hours counted -> compliant with 20/16."""
    user = official(world, "son")
    everyone_courses(user, date(2026, 4, 1))
    external(world, user, "5", date(2026, 5, 1))
    external(world, user, "5", date(2026, 6, 1))
    assert seen(app, user, today=TODAY) == Seen(
        "compliant", Decimal(20), "Đã hoàn thành đủ 3 khóa bắt buộc; đã có 20/16 giờ."
    )


def test_external_training_belongs_to_the_year_it_ends_in(app, world):
    """12 course hours in 2026; external training of 8 h ended 31/12/2025 (counts in 2025, not
    2026) and of 4 h from 20/12/2025 to 05/01/2026 (ends in 2026: counts in 2026). 2026:
    12 + 4 = 16 -> compliant. 2025 does not count external training at all and requires K1,
    which was not done in 2025 -> overdue with 0 hours."""
    user = official(world, "tam")
    everyone_courses(user, date(2026, 4, 1))
    external(world, user, "8", date(2025, 12, 31))
    external(world, user, "4", date(2026, 1, 5), start=date(2025, 12, 20))
    assert seen(app, user, today=TODAY) == Seen(
        "compliant", Decimal(16), "Đã hoàn thành đủ 3 khóa bắt buộc; đã có 16/16 giờ."
    )
    assert seen(app, user, today=TODAY, year=2025) == Seen(
        "overdue", Decimal(0), "Còn thiếu 1 khóa: K1 Một cửa; đã quá hạn 15/12/2025."
    )


def test_a_course_nobody_requires_still_brings_its_hours(app, world):
    """Every required course (12 h), K6 (required of nobody, 3 h) and 1 external hour:
    12 + 3 + 1 = 16 -> compliant; 3 of 3 required courses."""
    user = official(world, "thu")
    everyone_courses(user, date(2026, 4, 1))
    read(user, "k6-tu-chon", vn(date(2026, 4, 2)))
    external(world, user, "1", date(2026, 4, 3))
    assert seen(app, user, today=TODAY) == Seen(
        "compliant", Decimal(16), "Đã hoàn thành đủ 3 khóa bắt buộc; đã có 16/16 giờ."
    )


def test_only_external_training_is_activity(app, world):
    """Only 2 external hours on 01/03: no course, but something was done -> in progress on
    01/04 (258 days left), 2/16 hours; on 20/12 -> overdue."""
    user = official(world, "uyen")
    external(world, user, "2", date(2026, 3, 1))
    assert seen(app, user, today=date(2026, 4, 1)) == Seen(
        "in_progress",
        Decimal(2),
        f"Còn thiếu 3 khóa: {EVERYONE}; đã có 2/16 giờ; còn 258 ngày (hạn 15/12/2026).",
    )
    assert seen(app, user, today=TODAY).status == "overdue"


# --- Who must do what -----------------------------------------------------------------------


def test_a_position_with_extra_courses(app, world):
    """CM-MC must also do K4 and K5: 5 courses. With the 3 for everyone and K4 (16 hours) but
    not K5 on 20/12 -> overdue, 4 of 5, K5 missing. LD-GDTT's list repeats K1 (already for
    everyone) and adds K4: 4 courses, not 5; with the 3 and K4 -> compliant, 4 of 4."""
    clerk = official(world, "van", position="CM-MC")
    leader = official(world, "xuan", position="LD-GDTT")
    for user in (clerk, leader):
        everyone_courses(user, date(2026, 4, 1))
        read(user, "k4-dich-vu-cong", vn(date(2026, 4, 2)))
    assert seen(app, clerk, today=TODAY) == Seen(
        "overdue", Decimal(16), "Còn thiếu 1 khóa: K5 Văn bản điện tử; đã quá hạn 15/12/2026."
    )
    assert seen(app, leader, today=TODAY) == Seen(
        "compliant", Decimal(16), "Đã hoàn thành đủ 4 khóa bắt buộc; đã có 16/16 giờ."
    )


def test_a_position_not_listed_and_no_position(app, world):
    """CM-XD is not in ``by_position``, and an official may have no position: both must do
    the 3 courses for everyone only. CM-XD also did K4 (required of CM-MC, not of them):
    12 + 4 = 16 -> compliant, 3 of 3. The one without a position has 12 hours and 4 external
    -> compliant, 3 of 3."""
    builder = official(world, "yen", position="CM-XD")
    nobody = official(world, "an", position=None)
    everyone_courses(builder, date(2026, 4, 1))
    read(builder, "k4-dich-vu-cong", vn(date(2026, 4, 2)))
    everyone_courses(nobody, date(2026, 4, 1))
    external(world, nobody, "4", date(2026, 4, 3))
    for user in (builder, nobody):
        assert seen(app, user, today=TODAY) == Seen(
            "compliant", Decimal(16), "Đã hoàn thành đủ 3 khóa bắt buộc; đã có 16/16 giờ."
        )


def test_unit_kinds_the_standard_covers(app, world):
    """Covered: communes, wards, special zones, and an agency inside one (the ward's service
    centre). Not covered: a department of the province, the province itself and a township (a
    pre-2025 kind), even with everything done (16 hours shown, not counted in any share).
    On 20/12 the centre's official, with nothing done, is overdue; on 01/06 the special
    zone's is not started."""
    outside = [
        official(world, "bao", unit="S"),
        official(world, "cuc", unit="P"),
        official(world, "dao", unit="T"),
    ]
    for user in outside:
        everyone_courses(user, date(2026, 4, 1))
        external(world, user, "4", date(2026, 4, 3))
        assert seen(app, user, today=TODAY) == Seen(
            "not_applicable",
            Decimal(16),
            "Chuẩn năm 2026 không áp dụng cho vị trí hoặc đơn vị này.",
        )
    centre = official(world, "dieu", unit="WC")
    zone = official(world, "duong", unit="Z")
    assert seen(app, centre, today=TODAY) == Seen(
        "overdue",
        Decimal(0),
        f"Còn thiếu 3 khóa: {EVERYONE}; đã có 0/16 giờ; đã quá hạn 15/12/2026.",
    )
    assert seen(app, zone, today=date(2026, 6, 1)) == Seen(
        "not_started",
        Decimal(0),
        f"Còn thiếu 3 khóa: {EVERYONE}; đã có 0/16 giờ; còn 197 ngày (hạn 15/12/2026).",
    )
    assert counts(app, today=TODAY) == {
        "S": {"not_applicable": 1},
        "P": {"not_applicable": 1},
        "T": {"not_applicable": 1},
        "W": {"overdue": 1},
        "Z": {"overdue": 1},
    }


# --- Exemptions -----------------------------------------------------------------------------------


def test_joined_after_the_date_and_on_it(app, world):
    """Joined 02/10/2026, after 01/10/2026 -> exempt for that reason. Joined on 01/10/2026 is
    not after it, but 01/10-31/12 is 92 days = 92 / 30.4375 = 3.02 months < 6 -> exempt for
    months worked, shown as 3,0."""
    late = official(world, "giao", joined_on=date(2026, 10, 2))
    on_the_day = official(world, "ha", joined_on=date(2026, 10, 1))
    assert seen(app, late, today=TODAY) == Seen(
        "exempt", Decimal(0), "Miễn: vào làm sau ngày 01/10/2026."
    )
    assert seen(app, on_the_day, today=TODAY) == Seen(
        "exempt", Decimal(0), "Miễn: chỉ công tác 3,0 tháng trong năm 2026, dưới 6 tháng."
    )


def test_months_worked_around_six(app, world):
    """Months are calendar months. Joined 03/07: 5 months 29 days = 5.94 < 6 -> exempt, shown
    as 5,9. Joined 02/07: 5 months 30 days = 5.97 -> exempt; the reason must not read
    "6,0 months, fewer than 6": it shows 5,9 (cut, not rounded). Joined 01/07: 6 months ->
    not exempt -> overdue on 20/12."""
    july_3 = official(world, "hai", joined_on=date(2026, 7, 3))
    july_1 = official(world, "hieu", joined_on=date(2026, 7, 1))
    july_2 = official(world, "hoai", joined_on=date(2026, 7, 2))
    assert seen(app, july_3, today=TODAY) == Seen(
        "exempt", Decimal(0), "Miễn: chỉ công tác 5,9 tháng trong năm 2026, dưới 6 tháng."
    )
    overdue = Seen(
        "overdue",
        Decimal(0),
        f"Còn thiếu 3 khóa: {EVERYONE}; đã có 0/16 giờ; đã quá hạn 15/12/2026.",
    )
    assert seen(app, july_1, today=TODAY) == overdue
    assert seen(app, july_2, today=TODAY) == Seen(
        "exempt", Decimal(0), "Miễn: chỉ công tác 5,9 tháng trong năm 2026, dưới 6 tháng."
    )


def test_leave_spanning_years(app, world):
    """Leave 01/09/2025-15/07/2026: 196 days of it fall in 2026, 365 - 196 = 169 days worked =
    5.55 months < 6 -> exempt, shown as 5,5. Leave 01/11/2026-31/03/2027: 61 days in 2026,
    304 worked = 9.99 months -> not exempt -> overdue on 20/12."""
    long_leave = official(world, "khanh")
    into_next_year = official(world, "kien")
    services.add_leave(
        long_leave,
        date(2025, 9, 1),
        date(2026, 7, 15),
        "Nghỉ thai sản",
        created_by=world.hr,
        now=vn(date(2025, 9, 1)),
    )
    services.add_leave(
        into_next_year,
        date(2026, 11, 1),
        date(2027, 3, 31),
        "Đi học dài hạn",
        created_by=world.hr,
        now=vn(date(2026, 10, 1)),
    )
    assert seen(app, long_leave, today=TODAY) == Seen(
        "exempt", Decimal(0), "Miễn: chỉ công tác 5,5 tháng trong năm 2026, dưới 6 tháng."
    )
    assert seen(app, into_next_year, today=TODAY).status == "overdue"


def test_meeting_the_standard_wins_over_an_exemption(app, world):
    """In commune X: one official exempted by HR ("Nghỉ thai sản") who still did everything
    (16 hours) -> compliant (README: meeting the standard wins over an exemption); one exempted
    by HR who did nothing -> exempt, not overdue, on 20/12; one who joined 15/10/2026 and did
    everything -> compliant. The unit's share: 2 compliant of 3 covered less 1 exempt = 100 %."""
    done = official(world, "lan")
    idle = official(world, "loan")
    newcomer = official(world, "long", joined_on=date(2026, 10, 15))
    for user in (done, idle):
        services.set_exemption(
            user, 2026, "Nghỉ thai sản", granted_by=world.hr, now=vn(date(2026, 2, 1))
        )
    for user in (done, newcomer):
        everyone_courses(user, date(2026, 11, 2))
        external(world, user, "4", date(2026, 11, 3))
    compliant = Seen("compliant", Decimal(16), "Đã hoàn thành đủ 3 khóa bắt buộc; đã có 16/16 giờ.")
    assert seen(app, done, today=TODAY) == compliant
    assert seen(app, newcomer, today=TODAY) == compliant
    assert seen(app, idle, today=TODAY) == Seen("exempt", Decimal(0), "Miễn: Nghỉ thai sản")
    assert counts(app, today=TODAY) == {"X": {"compliant": 2, "exempt": 1}}
    *_, unit_lines = _everything(app, 2026, TODAY)
    assert unit_lines["X"][-1] == 100.0


# --- Deadlines -----------------------------------------------------------------------------------


def test_extension_past_the_deadline_then_completion(app, world):
    """K2 done (4 h). On 16/12 (deadline passed) -> overdue. HR extends to 31/12: on 20/12 ->
    in progress, 11 days left, deadline 31/12/2026 in the export. Everything done on 22/12
    with 4 external hours -> compliant. A colleague with the same extension who does nothing
    more is still in progress on 31/12 (0 days left) and overdue, against 31/12/2026, when
    2026 is looked at on 05/01/2027."""
    user = official(world, "mai.anh")
    other = official(world, "minh")
    standard = queries.standard_for(2026)
    for who in (user, other):
        read(who, "k2-van-hoa", vn(date(2026, 9, 1)))
    assert seen(app, user, today=date(2026, 12, 16)).status == "overdue"
    for who in (user, other):
        services.extend_deadline(
            who,
            standard,
            date(2026, 12, 31),
            "Ốm dài ngày",
            granted_by=world.hr,
            now=vn(date(2026, 12, 17)),
        )
    in_progress = Seen(
        "in_progress",
        Decimal(4),
        "Còn thiếu 2 khóa: K1 Một cửa; K3 An toàn thông tin; đã có 4/16 giờ; "
        "còn 11 ngày (hạn 31/12/2026).",
    )
    assert seen(app, user, today=TODAY) == in_progress
    k1(user, vn(date(2026, 12, 22)))
    read(user, "k3-an-toan", vn(date(2026, 12, 22), 11))
    external(world, user, "4", date(2026, 12, 22))
    assert seen(app, user, today=date(2026, 12, 23)) == Seen(
        "compliant", Decimal(16), "Đã hoàn thành đủ 3 khóa bắt buộc; đã có 16/16 giờ."
    )
    assert seen(app, other, today=date(2026, 12, 31)).reason.endswith(
        "hôm nay là hạn cuối (31/12/2026)."
    )
    assert seen(app, other, today=date(2027, 1, 5)) == Seen(
        "overdue",
        Decimal(4),
        "Còn thiếu 2 khóa: K1 Một cửa; K3 An toàn thông tin; đã có 4/16 giờ; "
        "đã quá hạn 31/12/2026.",
    )


def test_the_latest_extension_applies_and_extensions_stay_in_the_year(app, world):
    """Extended to 31/12, then (later) to 18/12: the latest applies -> on 20/12 overdue,
    "đã quá hạn 18/12/2026". An extension into 2027 or not after 15/12/2026 is refused:
    training is credited to the year it happens in."""
    user = official(world, "my")
    standard = queries.standard_for(2026)
    for deadline, day in ((date(2026, 12, 31), 1), (date(2026, 12, 18), 2)):
        services.extend_deadline(
            user, standard, deadline, "Công tác", granted_by=world.hr, now=vn(date(2026, 12, day))
        )
    assert seen(app, user, today=TODAY) == Seen(
        "overdue",
        Decimal(0),
        f"Còn thiếu 3 khóa: {EVERYONE}; đã có 0/16 giờ; đã quá hạn 18/12/2026.",
    )
    for deadline in (date(2027, 1, 10), DEADLINE):
        with pytest.raises(services.ComplianceError):
            services.extend_deadline(
                user, standard, deadline, "Công tác", granted_by=world.hr, now=vn(TODAY)
            )


def test_a_past_year_and_the_current_year(app, world):
    """Nothing done. 2025, judged on its deadline day 15/12/2025: not started, 0 days left,
    no hours asked; judged on 10/01/2026: overdue. 2026, judged on 01/06/2026: not started,
    197 days left, not overdue before the deadline. Another official completed K1 in 2025
    with 6 external hours in 2025: 2025 -> compliant, 1 course, 4 hours (external training is
    not counted in 2025)."""
    idle = official(world, "nam")
    diligent = official(world, "nhung")
    k1(diligent, vn(date(2025, 6, 1)))
    external(world, diligent, "6", date(2025, 6, 2))
    assert seen(app, idle, today=date(2025, 12, 15), year=2025) == Seen(
        "not_started", Decimal(0), "Còn thiếu 1 khóa: K1 Một cửa; hôm nay là hạn cuối (15/12/2025)."
    )
    assert seen(app, idle, today=date(2026, 1, 10), year=2025) == Seen(
        "overdue", Decimal(0), "Còn thiếu 1 khóa: K1 Một cửa; đã quá hạn 15/12/2025."
    )
    assert seen(app, idle, today=date(2026, 6, 1)) == Seen(
        "not_started",
        Decimal(0),
        f"Còn thiếu 3 khóa: {EVERYONE}; đã có 0/16 giờ; còn 197 ngày (hạn 15/12/2026).",
    )
    assert seen(app, diligent, today=date(2026, 1, 10), year=2025) == Seen(
        "compliant", Decimal(4), "Đã hoàn thành đủ 1 khóa bắt buộc."
    )


def test_an_official_who_joined_after_a_past_year_is_not_held_to_it(app, world):
    """Joined 01/03/2026. The 2025 standard declares no exemption, but a standard applies to
    whom it covers on its deadline date: on 15/12/2025 this official was not in
    service, so 2025 does not apply (not "overdue" for a year before they joined, nor counted
    in 2025's shares). In 2026 the official is covered as usual."""
    user = official(world, "phuong", joined_on=date(2026, 3, 1))
    assert seen(app, user, today=date(2026, 6, 1), year=2025) == Seen(
        "not_applicable", Decimal(0), "Chuẩn năm 2025 không áp dụng: vào làm sau hạn 15/12/2025."
    )
    assert seen(app, user, today=date(2026, 6, 1)).status == "not_started"


# --- Content, people and units change -----------------------------------------------------------


def test_a_required_course_cannot_be_withdrawn_while_a_standard_names_it(app, world):
    """Removing K5's folder while the 2026 standard requires it of CM-MC is refused by
    ``content check``/``load``: nothing changes, so CM-MC still needs K5."""
    courses, _quizzes = world.content_dirs
    clerk = official(world, "quan", position="CM-MC")
    for path in sorted((courses / "k5-van-ban").rglob("*"), reverse=True):
        path.unlink()
    (courses / "k5-van-ban").rmdir()
    errors = load(world.content_dirs, vn(date(2026, 5, 1)))
    assert any("2026.yml" in e and "k5-van-ban" in e for e in errors)
    result = seen(app, clerk, today=date(2026, 6, 1))
    assert "K5 Văn bản điện tử" in result.reason and result.status == "not_started"


def test_withdrawing_a_required_courses_quiz_completes_it_for_those_who_read_it(app, world):
    """K1's lessons read on 01/03/2026, quiz failed (40 %). The quiz is withdrawn on
    01/04/2026: K1 no longer has a quiz, every lesson was read in 2026 -> K1 completed (on
    01/03, its last lesson), 4 hours, and it counts (no grade to hold against the pass mark)."""
    courses, quizzes = world.content_dirs
    user = official(world, "sang")
    read(user, "k1-mot-cua", vn(date(2026, 3, 1)))
    quiz(user, 8, vn(date(2026, 3, 2)))
    (quizzes / "k1-mot-cua.gift").unlink()
    (quizzes / "k1-mot-cua.yml").unlink()
    assert load(world.content_dirs, vn(date(2026, 4, 1))) == []
    assert progress(user, "k1-mot-cua", 2026).completed_at == vn(date(2026, 3, 1))
    assert seen(app, user, today=date(2026, 4, 2)) == Seen(
        "in_progress",
        Decimal(4),
        "Còn thiếu 2 khóa: K2 Văn hóa công vụ; K3 An toàn thông tin; đã có 4/16 giờ; "
        "còn 257 ngày (hạn 15/12/2026).",
    )


def test_an_inactive_official_is_not_counted_anywhere(app, world):
    """An official with everything done whose account is deactivated: no status, not in the
    export, not in the unit counts; the active colleague (nothing done) is."""
    gone = official(world, "tan")
    everyone_courses(gone, date(2026, 4, 1))
    external(world, gone, "4", date(2026, 4, 2))
    colleague = official(world, "thao")
    gone.is_active = False
    db.session.commit()
    standard = queries.standard_for(2026)
    assert services.official_status(standard, gone, today=TODAY) is None
    _, rows, *_, exported, _ = _everything(app, 2026, TODAY)
    assert "tan" not in exported and [r.username for r in rows] == ["thao"]
    assert seen(app, colleague, today=TODAY).status == "overdue"
    assert counts(app, today=TODAY) == {"X": {"overdue": 1}}


def test_an_official_moved_between_units(app, world):
    """Compliant in commune X (everything, 16 hours). Moved to ward W: the same answer, now
    counted under W and no longer under X (the year's training moves with the person). Moved
    to the province's department S: not covered there, though the training stays recorded."""
    user = official(world, "trang")
    everyone_courses(user, date(2026, 4, 1))
    external(world, user, "4", date(2026, 4, 2))
    compliant = Seen("compliant", Decimal(16), "Đã hoàn thành đủ 3 khóa bắt buộc; đã có 16/16 giờ.")
    assert seen(app, user, today=TODAY) == compliant
    user.unit = world.units["W"]
    db.session.commit()
    assert seen(app, user, today=TODAY) == compliant
    assert counts(app, today=TODAY) == {"W": {"compliant": 1}}
    user.unit = world.units["S"]
    db.session.commit()
    assert seen(app, user, today=TODAY).status == "not_applicable"
    assert counts(app, today=TODAY) == {"S": {"not_applicable": 1}}


def test_no_standard_for_the_year(app, world, client, login, clock):
    """No 2027 file: no status for 2027 (the page says no standard was declared), no export,
    the report command refuses; 2026 is still shown."""
    clock.freeze(vn(TODAY, 9))
    user = official(world, "tuan")
    assert queries.standard_for(2027) is None
    login(user)
    page = client.get("/my/training?year=2027").get_data(as_text=True)
    assert "Chưa có chuẩn bồi dưỡng cho năm 2027." in page
    login(world.hr)
    assert client.get("/hr/export.csv?year=2027").status_code == 404
    assert client.get("/hr/export.csv?year=2026").status_code == 200
    result = app.test_cli_runner().invoke(args=["report", "compliance", "--year", "2027"])
    assert result.exit_code != 0 and "No standard" in result.output


def test_the_pages_show_the_same_reason(app, world, client, login, clock):
    """The official's own page and HR's record of the official show the reason computed above
    (extended deadline, in progress, on 20/12/2026)."""
    clock.freeze(vn(TODAY, 9))
    user = official(world, "viet")
    read(user, "k2-van-hoa", vn(date(2026, 9, 1)))
    services.extend_deadline(
        user,
        queries.standard_for(2026),
        date(2026, 12, 31),
        "Ốm dài ngày",
        granted_by=world.hr,
        now=vn(date(2026, 12, 17)),
    )
    db.session.commit()
    expected = seen(app, user, today=TODAY)
    assert expected.status == "in_progress"
    login(user)
    assert expected.reason in client.get("/my/training").get_data(as_text=True)
    login(world.hr)
    record = client.get(f"/hr/officials/{user.id}?year=2026").get_data(as_text=True)
    assert expected.reason in record


def test_the_day_the_standard_was_met_is_not_moved_by_later_training(app, world):
    """K1, K2 (4 h each) on 01/03; K3 (4 h) on 10/06: 3 of 3 courses but 12 hours; 4 external
    hours ending on 20/06 reach 16: met on 20/06. The optional K6 on 20/11 and 2 more external
    hours on 25/11 change nothing: the certificate says 20/06/2026, not the last training."""
    user = official(world, "yen")
    k1(user, vn(date(2026, 3, 1)))
    read(user, "k2-van-hoa", vn(date(2026, 3, 1), 11))
    read(user, "k3-an-toan", vn(date(2026, 6, 10)))
    external(world, user, "4", date(2026, 6, 20))
    read(user, "k6-tu-chon", vn(date(2026, 11, 20)))
    external(world, user, "2", date(2026, 11, 25))
    assert seen(app, user, today=TODAY).status == "compliant"
    assert services.compliance_date(queries.standard_for(2026), user) == date(2026, 6, 20)


def test_the_day_the_standard_was_met_waits_for_the_hours(app, world):
    """K1 passed with 65 % (the quiz's own pass mark is 60, the standard's 70): its 4 hours
    count but the course does not. K2, K3 on 01/03 -> 2 of 3 courses, 12 hours: not compliant,
    and the day falls back to the last training (the certificate page never shows it: a
    standard's certificate needs "compliant")."""
    user = official(world, "yem")
    read(user, "k1-mot-cua", vn(date(2026, 2, 1)))
    quiz(user, 13, vn(date(2026, 2, 2)))
    read(user, "k2-van-hoa", vn(date(2026, 3, 1), 11))
    read(user, "k3-an-toan", vn(date(2026, 3, 1), 12))
    assert seen(app, user, today=TODAY).status == "overdue"
    assert services.compliance_date(queries.standard_for(2026), user) == date(2026, 3, 1)
