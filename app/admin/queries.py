"""What the administration pages read: content status, accounts, the outbox."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, func, select

from app.models import Course, Message, Position, Quiz, Standard, Unit, User, db
from app.progress.queries import lesson_counts

MESSAGE_STATUSES = ("sent", "outbox", "failed")


@dataclass
class ContentStatus:
    courses: list  # (Course, active lesson count)
    totals: tuple  # (users, units, positions)
    quizzes: list[Quiz]
    standards: list[Standard]


def content_status() -> ContentStatus:
    counts = lesson_counts()
    return ContentStatus(
        courses=db.session.execute(
            select(Course, func.coalesce(counts.c.n, 0))
            .outerjoin(counts, counts.c.course_id == Course.id)
            .order_by(Course.is_active.desc(), Course.sort_order, Course.title)
        ).all(),
        totals=db.session.execute(
            select(
                select(func.count(User.id)).scalar_subquery(),
                select(func.count(Unit.id)).scalar_subquery(),
                select(func.count(Position.id)).scalar_subquery(),
            )
        ).one(),
        quizzes=list(db.session.scalars(select(Quiz).order_by(Quiz.is_active.desc(), Quiz.slug))),
        standards=list(db.session.scalars(select(Standard).order_by(Standard.year.desc()))),
    )


def accounts(search: str = "") -> Select:
    """Every account with its unit, by username; ``search`` in the name or username."""
    stmt = (
        select(User.id, User.username, User.full_name, User.role, User.is_active, Unit.name)
        .outerjoin(Unit, Unit.id == User.unit_id)
        .order_by(User.username)
    )
    if search:
        pattern = f"%{search}%"
        stmt = stmt.where(User.full_name.ilike(pattern) | User.username.ilike(pattern))
    return stmt


def messages(status: str = "") -> Select:
    """Every reminder the site produced, newest first; ``status`` one of MESSAGE_STATUSES."""
    stmt = (
        select(
            Message.id,
            Message.created_at,
            Message.subject,
            Message.body,
            Message.status,
            Message.to_address,
            Message.error,
            User.full_name,
        )
        .join(User, User.id == Message.recipient_id)
        .order_by(Message.created_at.desc(), Message.id.desc())
    )
    if status in MESSAGE_STATUSES:
        stmt = stmt.where(Message.status == status)
    return stmt
