"""A hand-worked compliance scenario, shared by the tests of rules, pages, exports and reports.

Standard 2026 (deadline 15/12/2026, judged on 20/12/2026): everyone must complete A (quiz) and
B; position CM-MC also D. At least 10 hours, external training counts up to 4 hours, quiz grade
at least 70 for a required course to count, exempt below 6 months of work or if joined after
01/10/2026. Applies to communes and wards only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from app.compliance import imports, queries, services
from app.content.loader import read_content
from app.models import Course, Lesson, Position, Quiz, Role, Unit, UnitKind, db
from app.people.services import create_unit, sync_positions
from app.progress.services import complete_lesson
from app.quiz import services as quiz_services
from tests.factories import load_content, make_user, write_course

TODAY = date(2026, 12, 20)
STANDARD = """year: 2026
title: "Chuẩn bồi dưỡng năm 2026 (thử)"
issuer: "UBND tỉnh Thử Nghiệm"
legal_basis: ["Nghị định số 171/2025/NĐ-CP", "Kế hoạch số 1/KH-UBND (thử)"]
period: {start: 2026-01-01, deadline: 2026-12-15}
applies_to:
  unit_kinds: [commune, ward]
required:
  everyone: [khoa-a, khoa-b]
  by_position:
    CM-MC: [khoa-d]
hours: {minimum: 10, external: counted, external_cap: 4}
pass_mark: 70
exemptions: {min_months_worked: 6, joined_after: 2026-10-01}
reminders: {days_before: [30, 7]}
"""
QUIZ = "\n\n".join(f"::C{i}::Câu hỏi số {i}?{{T}}" for i in range(1, 21))


@dataclass
class Scenario:
    units: dict[str, Unit]
    people: dict[str, object]


def at(day: date, hour: int = 3) -> datetime:
    """A UTC moment on ``day`` (10:00 in Vietnam)."""
    return datetime(day.year, day.month, day.day, hour)


def build_content(courses: Path, quizzes: Path) -> None:
    write_course(courses, "khoa-a", title="Khóa A", hours="4", lessons={"01-a.md": "A"})
    write_course(
        courses, "khoa-b", title="Khóa B", track="ethics", hours="3", lessons={"01-b.md": "B"}
    )
    write_course(courses, "khoa-c", title="Khóa C", track="it", hours="2", lessons={"01-c.md": "C"})
    write_course(courses, "khoa-d", title="Khóa D", hours="5", lessons={"01-d.md": "D"})
    (quizzes / "khoa-a.gift").write_text(QUIZ, encoding="utf-8")
    (quizzes / "khoa-a.yml").write_text(
        "course: khoa-a\npass_mark: 60\nshuffle_answers: false\n", encoding="utf-8"
    )
    (courses / "standards").mkdir()
    (courses / "standards" / "2026.yml").write_text(STANDARD, encoding="utf-8")


def finish(user, slug: str, when: datetime) -> None:
    lesson = db.session.scalar(select(Lesson).join(Course).where(Course.slug == slug))
    complete_lesson(user, lesson, now=when)


def take_quiz(user, right: int, when: datetime) -> None:
    quiz = db.session.scalar(select(Quiz).where(Quiz.slug == "khoa-a"))
    attempt = quiz_services.start_attempt(quiz, user, now=when)
    for item in quiz_services.attempt_questions(attempt):
        item.response = int(item.question.title[1:]) <= right
    quiz_services.submit_attempt(attempt, None, now=when.replace(minute=20))


def build(content_dirs) -> Scenario:
    courses, quizzes = content_dirs
    build_content(courses, quizzes)
    sync_positions()
    content, errors = read_content(courses, quizzes)
    assert errors == [], [str(e) for e in errors]
    load_content(content, now=at(date(2026, 1, 2)))
    province = create_unit("P", "Tỉnh Thử Nghiệm", UnitKind.PROVINCE)
    units = {
        "P": province,
        "X": create_unit("X", "Xã Xuân (thử)", UnitKind.COMMUNE, province),
        "Y": create_unit("Y", "Xã Yên (thử)", UnitKind.COMMUNE, province),
        "Z": create_unit("Z", "Phường Zê (thử)", UnitKind.WARD, province),
        "S": create_unit("S", "Sở Nội vụ (thử)", UnitKind.AGENCY, province),
    }
    positions = {p.code: p for p in db.session.scalars(select(Position))}
    hr = make_user("hr.p", role=Role.HR, unit=province)

    def official(name, unit, position="CM-VP", joined=None):
        user = make_user(
            name, unit=units[unit], position=positions[position], full_name=name.title()
        )
        user.joined_on = joined
        return user

    people = {
        "an": official("an", "X"),
        "binh": official("binh", "X", "CM-MC"),
        "chi": official("chi", "Y"),
        "dung": official("dung", "Y"),
        "em": official("em", "Z", joined=date(2026, 8, 1)),
        "giang": official("giang", "Z"),
        "ha": official("ha", "X"),
        "khanh": official("khanh", "S"),
        "lan": official("lan", "X"),
        "minh": official("minh", "Y", joined=date(2026, 11, 1)),
        "nam": official("nam", "X"),
        "hr": hr,
    }
    p = people
    # an: everything required, quiz 100, plus C: 9 hours of 10, deadline passed -> overdue
    finish(p["an"], "khoa-a", at(date(2026, 3, 2)))
    take_quiz(p["an"], 20, at(date(2026, 3, 3)))
    finish(p["an"], "khoa-b", at(date(2026, 3, 4)))
    finish(p["an"], "khoa-c", at(date(2026, 3, 5)))
    # binh (CM-MC): A (quiz 80), B, D -> 12 hours, 3 of 3 -> compliant
    finish(p["binh"], "khoa-a", at(date(2026, 4, 1)))
    take_quiz(p["binh"], 16, at(date(2026, 4, 2)))
    finish(p["binh"], "khoa-b", at(date(2026, 4, 3)))
    finish(p["binh"], "khoa-d", at(date(2026, 4, 4)))
    # chi: failed attempt (40), then 65: A completes (quiz pass mark 60) but does not count
    # (standard pass mark 70); B, C and 6 external hours capped at 4 -> 13 hours -> overdue
    finish(p["chi"], "khoa-a", at(date(2026, 5, 1)))
    take_quiz(p["chi"], 8, at(date(2026, 5, 2)))
    take_quiz(p["chi"], 13, at(date(2026, 5, 3)))
    finish(p["chi"], "khoa-b", at(date(2026, 5, 4)))
    finish(p["chi"], "khoa-c", at(date(2026, 5, 5)))
    services.add_external_training(
        p["chi"],
        title="Lớp quản lý nhà nước",
        provider="Trường Chính trị tỉnh",
        hours=Decimal(6),
        start_date=date(2026, 6, 1),
        end_date=date(2026, 6, 3),
        note="",
        file=None,
        created_by=hr,
        now=at(date(2026, 6, 4)),
    )
    # dung: A and B completed in 2025 only -> nothing counts in 2026 -> overdue
    finish(p["dung"], "khoa-a", at(date(2025, 11, 3)))
    take_quiz(p["dung"], 20, at(date(2025, 11, 4)))
    finish(p["dung"], "khoa-b", at(date(2025, 11, 5)))
    # em: joined 01/08/2026 -> 5.0 months -> exempt; giang: exempted by HR
    services.set_exemption(
        p["giang"], 2026, "Nghỉ thai sản", granted_by=hr, now=at(date(2026, 2, 1))
    )
    # ha: only B, deadline extended to 31/12/2026 -> in progress
    finish(p["ha"], "khoa-b", at(date(2026, 9, 1)))
    services.extend_deadline(
        p["ha"],
        queries.standard_for(2026),
        date(2026, 12, 31),
        "Ốm dài ngày",
        granted_by=hr,
        now=at(date(2026, 12, 1)),
    )
    # khanh: a department of the province, not a commune or ward -> not covered
    # lan: leave 01/02-30/09 (242 days) -> 4.0 months of work -> exempt
    services.add_leave(
        p["lan"],
        date(2026, 2, 1),
        date(2026, 9, 30),
        "Nghỉ ốm dài ngày",
        created_by=hr,
        now=at(date(2026, 2, 1)),
    )
    # minh: joined 01/11/2026, after 01/10/2026 -> exempt
    # nam: A from a paper record (4 h), B, 12 external hours capped at 4 -> 11 hours -> compliant
    rows = [
        imports.ImportRow(
            line=2, values={"username": "nam", "course": "khoa-a", "completed_on": "10/02/2026"}
        )
    ]
    report = imports.import_records(rows, viewer=hr, now=at(date(2026, 2, 11)))
    assert report.errors == []
    finish(p["nam"], "khoa-b", at(date(2026, 2, 12)))
    services.add_external_training(
        p["nam"],
        title="Tập huấn chuyển đổi số",
        provider="Sở Khoa học và Công nghệ",
        hours=Decimal(12),
        start_date=None,
        end_date=date(2026, 7, 1),
        note="",
        file=None,
        created_by=hr,
        now=at(date(2026, 7, 2)),
    )
    db.session.commit()
    return Scenario(units=units, people=people)


EXPECTED = {
    "an": ("overdue", "Đã có 9/10 giờ; đã quá hạn 15/12/2026."),
    "binh": ("compliant", "Đã hoàn thành đủ 3 khóa bắt buộc; đã có 12/10 giờ."),
    "chi": ("overdue", "Còn thiếu 1 khóa: Khóa A; đã quá hạn 15/12/2026."),
    "dung": ("overdue", "Còn thiếu 2 khóa: Khóa A; Khóa B; đã có 0/10 giờ; đã quá hạn 15/12/2026."),
    "em": ("exempt", "Miễn: chỉ công tác 5,0 tháng trong năm 2026, dưới 6 tháng."),
    "giang": ("exempt", "Miễn: Nghỉ thai sản"),
    "ha": (
        "in_progress",
        "Còn thiếu 1 khóa: Khóa A; đã có 3/10 giờ; còn 11 ngày (hạn 31/12/2026).",
    ),
    "khanh": ("not_applicable", "Chuẩn năm 2026 không áp dụng cho vị trí hoặc đơn vị này."),
    "lan": ("exempt", "Miễn: chỉ công tác 4,0 tháng trong năm 2026, dưới 6 tháng."),
    "minh": ("exempt", "Miễn: vào làm sau ngày 01/10/2026."),
    "nam": ("compliant", "Đã hoàn thành đủ 2 khóa bắt buộc; đã có 11/10 giờ."),
}
EXPECTED_UNITS = {
    "X": {"compliant": 2, "in_progress": 1, "overdue": 1, "exempt": 1},
    "Y": {"overdue": 2, "exempt": 1},
    "Z": {"exempt": 2},
    "S": {"not_applicable": 1},
}
