"""What one official's record shows, for HR's page and for the official's own "my training":
the year's standard, status and reason, progress per course, external training, and what HR
recorded. A fixed number of queries per page."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select

from app.compliance import kept, queries, services
from app.models import (
    Course,
    DeadlineExtension,
    Exemption,
    ExternalTraining,
    LeavePeriod,
    Position,
    QuizAttempt,
    Standard,
    User,
    db,
)
from app.progress import queries as progress_queries


def status_in(user: User, year: int, *, today: date):
    """(the year's standard, this official's status under it) — either may be None."""
    standard = queries.standard_for(year)
    if standard is None or not user.is_official:
        return standard, None
    return standard, kept.official(standard, user, today=today)


@dataclass
class MyTraining:
    year: int
    standard: Standard | None
    status: services.OfficialStatus | None
    required: list[tuple[Course, Position | None]]
    progress: dict[int, Any]
    history: list[tuple[Standard, services.OfficialStatus]]
    external: list[ExternalTraining]


def my_training(user: User, year: int, *, today: date) -> MyTraining:
    """The year's status and why, progress per required course, hours, past years."""
    standard, status = status_in(user, year, today=today)
    required = queries.required_courses(standard) if standard else []
    history = []
    for past in queries.standard_years():
        if past == year:
            continue
        past_standard, past_status = status_in(user, past, today=today)
        if past_status is not None:
            history.append((past_standard, past_status))
    return MyTraining(
        year=year,
        standard=standard,
        status=status,
        required=[
            (course, position)
            for course, position in required
            if position is None or position.id == user.position_id
        ],
        progress={row.id: row for row in progress_queries.user_course_progress(user, year)},
        history=history,
        external=queries.external_training_of(user, year),
    )


@dataclass
class OfficialRecord:
    official: User
    year: int
    standard: Standard | None
    status: services.OfficialStatus | None
    rows: list[Any]
    external: list[ExternalTraining] = field(default_factory=list)
    extensions: list[DeadlineExtension] = field(default_factory=list)
    exemption: Exemption | None = None
    leaves: list[LeavePeriod] = field(default_factory=list)
    attempts: list[QuizAttempt] = field(default_factory=list)


def official_record(user: User, year: int, *, today: date) -> OfficialRecord:
    """HR's page of one official: everything recorded, every year's extensions and leave."""
    standard = queries.standard_for(year)
    return OfficialRecord(
        official=user,
        year=year,
        standard=standard,
        status=services.official_status(standard, user, today=today) if standard else None,
        rows=progress_queries.user_course_progress(user, year),
        external=list(
            db.session.scalars(
                select(ExternalTraining)
                .where(ExternalTraining.user_id == user.id)
                .order_by(ExternalTraining.end_date.desc())
            )
        ),
        extensions=list(
            db.session.scalars(
                select(DeadlineExtension)
                .where(DeadlineExtension.user_id == user.id)
                .order_by(DeadlineExtension.id.desc())
            )
        ),
        exemption=db.session.scalar(
            select(Exemption).where(Exemption.user_id == user.id, Exemption.year == year)
        ),
        leaves=list(
            db.session.scalars(
                select(LeavePeriod)
                .where(LeavePeriod.user_id == user.id)
                .order_by(LeavePeriod.start_date.desc())
            )
        ),
        attempts=list(
            db.session.scalars(
                select(QuizAttempt)
                .where(QuizAttempt.user_id == user.id, QuizAttempt.year == year)
                .order_by(QuizAttempt.started_at)
            )
        ),
    )
