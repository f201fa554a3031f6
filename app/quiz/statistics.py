"""Quiz statistics as Moodle reports them, aggregated in SQL (two queries per quiz).

Per question: attempts, facility index (mean score, % of the mark), standard deviation,
discrimination index (correlation between the question's score and the rest of the
attempt, x 100), and how often each response was given, so weak questions and
attractive wrong answers stand out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from markupsafe import Markup
from sqlalchemy import Float, and_, cast, func, select

from app.models import AttemptQuestion, AttemptState, Question, Quiz, QuizAttempt, db
from app.quiz import qtypes

LOW_FACILITY = 30.0
HIGH_FACILITY = 95.0
LOW_DISCRIMINATION = 20.0


@dataclass
class ResponseRow:
    label: Markup
    count: int
    fraction: float | None

    @property
    def is_right(self) -> bool:
        return self.fraction is not None and self.fraction >= 1


@dataclass
class QuestionStats:
    question: Question
    attempts: int = 0
    facility: float | None = None  # percent
    sd: float | None = None  # percent
    discrimination: float | None = None  # -100..100
    responses: list[ResponseRow] = field(default_factory=list)

    @property
    def warnings(self) -> list[str]:
        found = []
        if self.facility is not None and self.facility < LOW_FACILITY:
            found.append("hard")
        if self.facility is not None and self.facility > HIGH_FACILITY:
            found.append("easy")
        if self.discrimination is not None and self.discrimination < LOW_DISCRIMINATION:
            found.append("weak")
        return found


@dataclass
class QuizStatistics:
    attempts: int
    average: float | None
    questions: list[QuestionStats]


def _label(question: Question, key: str | None) -> Markup:
    if key is None:
        return Markup("—")
    return qtypes.of(question.type).label(question.rendered, key)


def quiz_statistics(quiz: Quiz) -> QuizStatistics:
    submitted = and_(
        QuizAttempt.id == AttemptQuestion.attempt_id,
        QuizAttempt.quiz_id == quiz.id,
        QuizAttempt.state == AttemptState.SUBMITTED,
    )
    x = cast(AttemptQuestion.fraction, Float)
    rest = (cast(QuizAttempt.marks, Float) - x) / func.nullif(QuizAttempt.max_marks - 1, 0)
    sums = db.session.execute(
        select(
            AttemptQuestion.question_id,
            func.count(),
            func.sum(x),
            func.sum(x * x),
            func.sum(rest),
            func.sum(rest * rest),
            func.sum(x * rest),
        )
        .join(QuizAttempt, submitted)
        .where(AttemptQuestion.fraction.is_not(None))
        .group_by(AttemptQuestion.question_id)
    ).all()
    responses = db.session.execute(
        select(
            AttemptQuestion.question_id,
            AttemptQuestion.response_key,
            func.count(),
            func.avg(x),
        )
        .join(QuizAttempt, submitted)
        .group_by(AttemptQuestion.question_id, AttemptQuestion.response_key)
        .order_by(AttemptQuestion.question_id, func.count().desc())
    ).all()
    overall = db.session.execute(
        select(func.count(QuizAttempt.id), func.avg(cast(QuizAttempt.score, Float))).where(
            QuizAttempt.quiz_id == quiz.id, QuizAttempt.state == AttemptState.SUBMITTED
        )
    ).one()
    questions = db.session.scalars(
        select(Question)
        .where(Question.quiz_id == quiz.id)
        .order_by(Question.is_active.desc(), Question.position)
    ).all()
    by_id = {q.id: QuestionStats(question=q) for q in questions}
    for qid, n, sx, sxx, sy, syy, sxy in sums:
        stats = by_id[qid]
        stats.attempts = n
        mean = sx / n
        stats.facility = 100 * mean
        variance_x = max(sxx / n - mean * mean, 0.0)
        stats.sd = 100 * math.sqrt(variance_x * n / (n - 1)) if n > 1 else None
        if n > 1 and sy is not None:
            cov = n * sxy - sx * sy
            spread = (n * sxx - sx * sx) * (n * syy - sy * sy)
            stats.discrimination = 100 * cov / math.sqrt(spread) if spread > 0 else None
    for qid, key, count, avg in responses:
        stats = by_id[qid]
        stats.responses.append(ResponseRow(_label(stats.question, key), count, avg))
    shown = [s for s in by_id.values() if s.question.is_active or s.attempts]
    return QuizStatistics(attempts=overall[0], average=overall[1], questions=shown)
