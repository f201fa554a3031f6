"""Demo data: a province with communes, officials in the usual commune positions, HR, an admin.

Place names: Phú Thọ is a real province (Resolution 202/2025/QH15); every commune
and every person here is made up and marked "(minh họa)". Safe to run twice.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, nullcontext
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from app.compliance.services import add_external_training
from app.models import Course, Lesson, Position, Quiz, Role, UnitKind, User, db
from app.people.services import create_user, ensure_unit, sync_positions
from app.progress.services import complete_lesson
from app.quiz.services import attempt_questions, start_attempt, submit_attempt

PASSWORD = "demo-2026!"

PROVINCE = ("PT", "Tỉnh Phú Thọ", UnitKind.PROVINCE)
COMMUNES = [
    ("PT-ANPHU", "Xã An Phú (minh họa)", UnitKind.COMMUNE, "anphu"),
    ("PT-BINHMINH", "Xã Bình Minh (minh họa)", UnitKind.COMMUNE, "binhminh"),
    ("PT-TRUNGTAM", "Phường Trung Tâm (minh họa)", UnitKind.WARD, "trungtam"),
    ("PT-HOASON", "Xã Hòa Sơn (minh họa)", UnitKind.COMMUNE, "hoason"),
]
# Positions staffed in every demo commune (codes from app/data/positions.yml).
STAFFING = [
    "LD-CVP",
    "LD-GDTT",
    "CM-MC",
    "CM-MC",
    "CM-TP",
    "CM-TCKH",
    "CM-VP",
    "CM-NN",
    "CM-VHXH",
    "LD-CHT",
]
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hà"]
MIDDLE = ["Văn", "Thị", "Minh", "Thu", "Đức", "Ngọc", "Quang", "Hồng"]
GIVEN = ["An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Khánh", "Lan", "Mai", "Nam", "Phúc", "Quế"]

ProgressFactory = Callable[[Iterable, str], AbstractContextManager]


def _no_bar(items: Iterable, _label: str) -> AbstractContextManager:
    return nullcontext(items)


def _name(rng: random.Random) -> str:
    return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


def _user(username: str, full_name: str, **kwargs) -> tuple[User, bool]:
    user = db.session.scalar(select(User).where(User.username == username))
    if user is not None:
        return user, False
    return create_user(username, full_name, PASSWORD, **kwargs), True


def seed(*, now: datetime, progress: ProgressFactory | None = None) -> list[tuple[str, str, str]]:
    """Create what is missing; returns (role, username, description) of the demo logins."""
    rng = random.Random(2026)
    sync_positions()
    positions = {p.code: p for p in db.session.scalars(select(Position))}
    province = ensure_unit(*PROVINCE)
    logins: list[tuple[str, str, str]] = []

    _user("admin", "Quản trị hệ thống (minh họa)", role=Role.ADMIN)
    logins.append(("admin", "admin", "Quản trị toàn hệ thống"))
    _user(
        "hr.phutho",
        "Cán bộ Sở Nội vụ (minh họa)",
        role=Role.HR,
        unit=province,
        email="hr.phutho@example.invalid",
    )
    logins.append(("hr", "hr.phutho", f"HR cấp tỉnh: {province.name} và mọi xã, phường"))

    officials: list[User] = []
    for code, name, kind, short in COMMUNES:
        commune = ensure_unit(code, name, kind, province)
        _user(f"hr.{short}", f"Cán bộ nội vụ {name}", role=Role.HR, unit=commune)
        logins.append(("hr", f"hr.{short}", f"HR của {name}"))
        for index, position_code in enumerate(STAFFING, start=1):
            user, created = _user(
                f"{short}.{index:02d}",
                _name(rng),
                role=Role.OFFICIAL,
                unit=commune,
                position=positions[position_code],
                email=f"{short}.{index:02d}@example.invalid",
            )
            if created:
                user.joined_on = date(rng.choice([2015, 2018, 2021, 2024]), rng.randint(1, 12), 1)
                officials.append(user)
        logins.append(
            ("official", f"{short}.01", f"Công chức {name} (đến {short}.{len(STAFFING):02d})")
        )

    _seed_progress(officials, rng, now, progress)
    db.session.flush()
    return logins


def _seed_progress(
    officials: list[User], rng: random.Random, now: datetime, progress: ProgressFactory | None
) -> None:
    """Give new demo officials some lessons done this year, so dashboards show a spread."""
    lessons = list(
        db.session.scalars(
            select(Lesson)
            .join(Course)
            .where(Lesson.is_active.is_(True), Course.is_active.is_(True))
            .order_by(Course.sort_order, Lesson.position)
        )
    )
    if not lessons or not officials:
        return
    quizzes = {
        q.course_id: q
        for q in db.session.scalars(select(Quiz).where(Quiz.is_active.is_(True)))
        if q.course_id is not None
    }
    admin = db.session.scalar(select(User).where(User.username == "admin"))
    with (progress or _no_bar)(officials, "Demo progress") as bar:
        for index, user in enumerate(bar):
            share = rng.choice([0.0, 0.2, 0.5, 0.8, 1.0, 1.0])
            done = lessons[: int(len(lessons) * share)]
            for step, lesson in enumerate(done):
                complete_lesson(user, lesson, now=now - timedelta(days=2, minutes=len(done) - step))
            if share >= 0.8:
                for course_id in sorted({lesson.course_id for lesson in done}):
                    if course_id in quizzes:
                        _take_quiz(quizzes[course_id], user, rng, now, right=share == 1.0)
            if index % 7 == 3 and admin is not None:
                add_external_training(
                    user,
                    title="Lớp bồi dưỡng kiến thức quản lý nhà nước (minh họa)",
                    provider="Trường Chính trị tỉnh (minh họa)",
                    hours=Decimal(8),
                    start_date=date(now.year, 5, 11),
                    end_date=date(now.year, 5, 12),
                    note="Hồ sơ giấy, nhập để minh họa.",
                    file=None,
                    created_by=admin,
                    now=now,
                )


def _take_quiz(quiz: Quiz, user: User, rng: random.Random, now: datetime, *, right: bool) -> None:
    """Answer a quiz as a demo official would: all right, or about half right."""
    attempt = start_attempt(quiz, user, now=now - timedelta(days=1), rng=rng)
    for item in attempt_questions(attempt):
        if right or rng.random() < 0.5:
            item.response = _right_response(item.question.type, item.question.data)
    submit_attempt(attempt, None, now=now - timedelta(days=1) + timedelta(minutes=12))


def _right_response(qtype: str, data: dict):
    answers = data["answers"]
    if qtype == "multichoice":
        if data.get("single", True):
            return next(i for i, a in enumerate(answers) if a["fraction"] >= 1)
        return [i for i, a in enumerate(answers) if a["fraction"] > 0]
    if qtype == "truefalse":
        return answers[0]["fraction"] >= 1
    if qtype == "shortanswer":
        return next(a["text"] for a in answers if a["fraction"] >= 1)
    if qtype == "numerical":
        return str(next(a["value"] for a in answers if a["fraction"] >= 1))
    if qtype == "match":
        return {str(i): a["text"] for i, a in enumerate(answers) if a["question"]}
    return "Câu trả lời minh họa."
