"""Learning records: raw events plus one summary row per (official, course, year).

Each calendar year (in Vietnam's time zone) is a new training cycle: a lesson is
marked completed once per year, and a course is completed in a year when all its
lessons were completed, and its quiz (if any) passed, in that year.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import db, utcnow


class LessonCompletion(db.Model):
    __table_args__ = (UniqueConstraint("user_id", "lesson_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lesson.id"), index=True)
    year: Mapped[int]
    completed_at: Mapped[datetime] = mapped_column(default=utcnow)
    lesson_revision: Mapped[int] = mapped_column(default=1)


class CourseProgress(db.Model):
    """Summary read by pages and reports; refreshed by ``progress.services`` after each event."""

    __table_args__ = (
        UniqueConstraint("user_id", "course_id", "year"),
        # one official's year (recomputing their status): preferred to the year's index
        Index("ix_course_progress_user_year", "user_id", "year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), index=True)
    year: Mapped[int] = mapped_column(index=True)
    lessons_completed: Mapped[int] = mapped_column(default=0)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(default=utcnow)
    quiz_passed_at: Mapped[datetime | None]
    quiz_grade: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))  # by the quiz's method
    completed_at: Mapped[datetime | None]
    hours: Mapped[Decimal] = mapped_column(Numeric(6, 2), default=0)  # credited on completion
    # "platform" (done here) or "import" (a paper record entered by HR, see recorded_by_id)
    source: Mapped[str] = mapped_column(String(10), default="platform")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    note: Mapped[str | None] = mapped_column(Text)
