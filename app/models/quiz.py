"""Quizzes loaded from ``quizzes/``, the attempts officials make, and HR overrides.

Question rows are immutable: a question whose text, answers or weights change in
the file becomes a new row (the old one is withdrawn), so an attempt is always
graded, reviewed and counted in statistics against the question it showed.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import db, utcnow


class GradingMethod(StrEnum):
    HIGHEST = "highest"
    LAST = "last"
    FIRST = "first"
    AVERAGE = "average"


class ReviewPolicy(StrEnum):
    SCORE = "score"  # score and pass/fail only
    ANSWERS = "answers"  # plus the official's own answers, marked right or wrong
    FEEDBACK = "feedback"  # plus the right answers and the feedback


class ReviewTime(StrEnum):
    """When an official looks at a submitted attempt (Moodle's review options)."""

    IMMEDIATELY = "immediately"  # within a few minutes of submitting
    OPEN = "open"  # later, while the official may still start another attempt
    CLOSED = "closed"  # after their last allowed attempt, or once the quiz has closed


class OverduePolicy(StrEnum):
    AUTOSUBMIT = "autosubmit"  # submitted with what was saved when time runs out
    GRACE = "grace"  # a grace period in which the official may only submit
    DISCARD = "discard"  # not submitted in time: not counted


class AttemptState(StrEnum):
    IN_PROGRESS = "in_progress"
    OVERDUE = "overdue"  # time is up, in the grace period: may only be submitted
    SUBMITTED = "submitted"
    ABANDONED = "abandoned"  # never submitted in time: not counted


class Quiz(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(250))
    course_id: Mapped[int | None] = mapped_column(ForeignKey("course.id"), index=True)
    intro_html: Mapped[str] = mapped_column(Text, default="")
    pass_mark: Mapped[Decimal] = mapped_column(Numeric(5, 2))  # percent
    time_limit_minutes: Mapped[int | None]
    attempts_allowed: Mapped[int] = mapped_column(default=0)  # per year; 0 = unlimited
    draw_count: Mapped[int | None]  # None = every question
    draw_per_category: Mapped[dict[str, int] | None] = mapped_column(JSON)
    shuffle_answers: Mapped[bool] = mapped_column(default=True)
    grading_method: Mapped[str] = mapped_column(String(10), default=GradingMethod.HIGHEST)
    # What the official may see of a submitted attempt at each ReviewTime.
    review_immediately: Mapped[str] = mapped_column(String(10), default=ReviewPolicy.SCORE)
    review_open: Mapped[str] = mapped_column(String(10), default=ReviewPolicy.SCORE)
    review_closed: Mapped[str] = mapped_column(String(10), default=ReviewPolicy.FEEDBACK)
    overdue_policy: Mapped[str] = mapped_column(String(12), default=OverduePolicy.AUTOSUBMIT)
    grace_minutes: Mapped[int] = mapped_column(default=0)
    accent_insensitive: Mapped[bool] = mapped_column(default=False)
    close_at: Mapped[datetime | None]  # no attempt may start or run past it (UTC)
    source_path: Mapped[str] = mapped_column(String(300))
    content_hash: Mapped[str] = mapped_column(String(64))
    revision: Mapped[int] = mapped_column(default=1)
    is_active: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    course = relationship("Course", lazy="joined")


class Question(db.Model):
    __table_args__ = (UniqueConstraint("quiz_id", "content_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quiz.id"), index=True)
    position: Mapped[int]
    type: Mapped[str] = mapped_column(String(20))
    category: Mapped[str] = mapped_column(String(250), default="")
    title: Mapped[str] = mapped_column(String(250), default="")
    text_html: Mapped[str] = mapped_column(Text)  # sanitised at load time
    # The parsed question (answers, weights, feedback): grading input, never sent to a page
    # before submission.
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    # Sanitised HTML of answers and feedback, rendered at load time.
    rendered: Mapped[dict[str, Any]] = mapped_column(JSON)
    content_hash: Mapped[str] = mapped_column(String(64))
    source_line: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)


class QuizAttempt(db.Model):
    __table_args__ = (UniqueConstraint("quiz_id", "user_id", "year", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quiz.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    # The training year it belongs to: the year (Vietnam time) it was started in.
    year: Mapped[int] = mapped_column(index=True)
    number: Mapped[int]  # 1, 2, ... within (quiz, official, year)
    state: Mapped[str] = mapped_column(String(12), default=AttemptState.IN_PROGRESS, index=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    deadline_at: Mapped[datetime | None]  # None: no time limit
    grace_until: Mapped[datetime | None]
    submitted_at: Mapped[datetime | None]
    auto_submitted: Mapped[bool] = mapped_column(default=False)
    score: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))  # percent of auto-graded marks
    marks: Mapped[Decimal | None] = mapped_column(Numeric(8, 4))
    max_marks: Mapped[int | None]
    passed: Mapped[bool | None]
    has_essay: Mapped[bool] = mapped_column(default=False)

    quiz: Mapped[Quiz] = relationship(lazy="joined")
    questions: Mapped[list[AttemptQuestion]] = relationship(
        back_populates="attempt", order_by="AttemptQuestion.position", lazy="raise"
    )

    @property
    def is_open(self) -> bool:
        return self.state in (AttemptState.IN_PROGRESS, AttemptState.OVERDUE)


class AttemptQuestion(db.Model):
    """A question drawn for an attempt, the order its answers are shown in, and the response."""

    __table_args__ = (UniqueConstraint("attempt_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("quiz_attempt.id"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id"), index=True)
    position: Mapped[int]
    # Display order: for choice questions a list of answer indexes; for matching
    # {"items": [...], "options": [...]}.
    layout: Mapped[Any] = mapped_column(JSON)
    response: Mapped[Any | None] = mapped_column(JSON)  # as saved, in answer indexes
    response_key: Mapped[str | None] = mapped_column(String(250))  # for response statistics
    saved_at: Mapped[datetime | None]
    fraction: Mapped[Decimal | None] = mapped_column(Numeric(7, 6))  # None: not auto-graded

    attempt: Mapped[QuizAttempt] = relationship(back_populates="questions")
    question: Mapped[Question] = relationship(lazy="joined")


class QuizOverride(db.Model):
    """HR's exception for one official on one quiz; the latest one applies, all are kept."""

    # The quiz page looks up its official's exceptions on its quiz: both in one index, so
    # that it never reads the quiz's exceptions for other officials.
    __table_args__ = (Index("ix_quiz_override_user_id_quiz_id", "user_id", "quiz_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quiz.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    extra_minutes: Mapped[int] = mapped_column(default=0)
    extra_attempts: Mapped[int] = mapped_column(default=0)
    close_at: Mapped[datetime | None]
    reason: Mapped[str] = mapped_column(Text)
    granted_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    granted_by = relationship("User", foreign_keys=[granted_by_id], lazy="joined")
