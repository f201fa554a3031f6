"""The life of a quiz attempt: start, save as you go, submit, time limits, overrides.

Services take plain values and models and never commit: the view or command that
calls them commits once. Every rule that matters (deadline, attempts allowed, what
counts) is enforced here, on the server, whatever the browser sends.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select, update

from app import audit
from app.content.questions import question_from_dict
from app.models import (
    AttemptQuestion,
    AttemptState,
    OverduePolicy,
    Question,
    Quiz,
    QuizAttempt,
    QuizOverride,
    User,
    db,
    local_year,
)
from app.progress.grades import GradedAttempt, QuizGrade, quiz_grade
from app.progress.services import refresh_course_progress
from app.quiz import grading, qtypes

logger = logging.getLogger(__name__)


class QuizError(Exception):
    """A rule of the quiz refuses the action; views turn each kind into a message."""


class QuizUnavailable(QuizError):
    pass


class QuizClosed(QuizError):
    pass


class AttemptLimitReached(QuizError):
    pass


class AttemptNotOpen(QuizError):
    """The attempt was already submitted or is no longer counted."""


class TimeExpired(QuizError):
    """Time is up: answers can no longer be changed."""


class NotCounted(QuizError):
    """Submitted too late: the attempt does not count."""


class CloseInPast(QuizError):
    """An exception's "open until" that has already passed would lock the official out."""


@dataclass(frozen=True)
class Rules:
    """The quiz's settings for one official, with HR's latest override applied."""

    time_limit_minutes: int | None
    attempts_allowed: int  # 0 = unlimited
    close_at: datetime | None
    override: QuizOverride | None


def latest_override(quiz: Quiz, user_id: int) -> QuizOverride | None:
    return db.session.scalar(
        select(QuizOverride)
        .where(QuizOverride.quiz_id == quiz.id, QuizOverride.user_id == user_id)
        .order_by(QuizOverride.created_at.desc(), QuizOverride.id.desc())
        .limit(1)
    )


def effective_rules(quiz: Quiz, user_id: int) -> Rules:
    override = latest_override(quiz, user_id)
    limit = quiz.time_limit_minutes
    allowed = quiz.attempts_allowed
    close_at = quiz.close_at
    if override is not None:
        if limit is not None:
            limit += override.extra_minutes
        if allowed:
            allowed += override.extra_attempts
        if override.close_at is not None and (close_at is None or override.close_at > close_at):
            close_at = override.close_at
    return Rules(limit, allowed, close_at, override)


def attempts_of(quiz: Quiz, user_id: int, year: int | None = None) -> list[QuizAttempt]:
    stmt = select(QuizAttempt).where(QuizAttempt.quiz_id == quiz.id, QuizAttempt.user_id == user_id)
    if year is not None:
        stmt = stmt.where(QuizAttempt.year == year)
    return list(db.session.scalars(stmt.order_by(QuizAttempt.started_at, QuizAttempt.id)))


def grade_of(quiz: Quiz, attempts: Iterable[QuizAttempt]) -> QuizGrade:
    submitted = [
        GradedAttempt(a.submitted_at, a.score)
        for a in attempts
        if a.state == AttemptState.SUBMITTED and a.submitted_at is not None
    ]
    return quiz_grade(submitted, quiz.grading_method, quiz.pass_mark)


def _pick(
    candidates: list[Question], count: int, rng: random.Random, seen: set[int]
) -> list[Question]:
    """``count`` of ``candidates`` at random, those the official was not shown before first
    (as Moodle's random questions do): the next attempt is not the last one again."""
    fresh = [q for q in candidates if q.id not in seen]
    shown = [q for q in candidates if q.id in seen]
    rng.shuffle(fresh)
    rng.shuffle(shown)
    return (fresh + shown)[:count]


def _seen_questions(attempts: list[QuizAttempt]) -> set[int]:
    if not attempts:
        return set()
    return set(
        db.session.scalars(
            select(AttemptQuestion.question_id).where(
                AttemptQuestion.attempt_id.in_([a.id for a in attempts])
            )
        )
    )


def _draw(quiz: Quiz, rng: random.Random, seen: set[int]) -> list[Question]:
    pool = list(
        db.session.scalars(
            select(Question)
            .where(Question.quiz_id == quiz.id, Question.is_active.is_(True))
            .order_by(Question.position, Question.id)
        )
    )
    chosen: list[Question] = []
    if quiz.draw_per_category:
        for category, count in quiz.draw_per_category.items():
            candidates = [q for q in pool if q.category == category]
            chosen += _pick(candidates, count, rng, seen)
        rest = [q for q in pool if q not in chosen]
        extra = (quiz.draw_count or 0) - len(chosen)
        if extra > 0:
            chosen += _pick(rest, extra, rng, seen)
        rng.shuffle(chosen)
    elif quiz.draw_count:
        chosen = _pick(pool, quiz.draw_count, rng, seen)
        rng.shuffle(chosen)
    else:
        chosen = pool
    return chosen


def _layout(question: Question, shuffle: bool, rng: random.Random) -> Any:
    """How the question is shown: answer order for choices; items and options for matching."""
    return qtypes.of(question.type).layout(question.data.get("answers", []), shuffle, rng)


def start_attempt(
    quiz: Quiz, user: User, *, now: datetime, rng: random.Random | None = None
) -> QuizAttempt:
    """Resume the official's open attempt, or start a new one if the rules allow it."""
    if not quiz.is_active:
        raise QuizUnavailable()
    rng = rng or random.SystemRandom()
    year = local_year(now)
    for attempt in attempts_of(quiz, user.id):  # an open attempt of any year is resumed first
        finalize_if_due(attempt, now=now)
        if attempt.is_open:
            return attempt
    attempts = attempts_of(quiz, user.id, year)
    rules = effective_rules(quiz, user.id)
    if rules.close_at is not None and now >= rules.close_at:
        raise QuizClosed()
    if rules.attempts_allowed and len(attempts) >= rules.attempts_allowed:
        raise AttemptLimitReached()
    deadline = None
    if rules.time_limit_minutes:
        deadline = now + timedelta(minutes=rules.time_limit_minutes)
    if rules.close_at is not None and (deadline is None or rules.close_at < deadline):
        deadline = rules.close_at
    attempt = QuizAttempt(
        quiz=quiz,
        user_id=user.id,
        year=year,
        number=max((a.number for a in attempts), default=0) + 1,
        state=AttemptState.IN_PROGRESS,
        started_at=now,
        deadline_at=deadline,
        grace_until=(
            deadline + timedelta(minutes=quiz.grace_minutes)
            if deadline is not None and quiz.overdue_policy == OverduePolicy.GRACE
            else None
        ),
    )
    db.session.add(attempt)
    db.session.flush()
    drawn = _draw(quiz, rng, _seen_questions(attempts))
    for position, question in enumerate(drawn, start=1):
        db.session.add(
            AttemptQuestion(
                attempt_id=attempt.id,
                question_id=question.id,
                position=position,
                layout=_layout(question, quiz.shuffle_answers, rng),
            )
        )
    db.session.flush()
    logger.info("attempt started: attempt=%s quiz=%s user=%s", attempt.id, quiz.id, user.id)
    return attempt


def closed_for(quiz: Quiz, user_id: int, *, now: datetime) -> bool:
    """The official can start no other attempt: the quiz (or their exception) has closed, or
    every attempt allowed this year is used, and none is still open."""
    rules = effective_rules(quiz, user_id)
    if rules.close_at is not None and now >= rules.close_at:
        return True
    if not rules.attempts_allowed:
        return False
    attempts = attempts_of(quiz, user_id, local_year(now))
    return len(attempts) >= rules.attempts_allowed and not any(a.is_open for a in attempts)


def attempt_questions(attempt: QuizAttempt) -> list[AttemptQuestion]:
    return list(
        db.session.scalars(
            select(AttemptQuestion)
            .where(AttemptQuestion.attempt_id == attempt.id)
            .order_by(AttemptQuestion.position)
        )
    )


def response_key(item: AttemptQuestion, response: Any) -> str | None:
    """A short text per distinct response, so statistics can count them in SQL."""
    if response is None or item.question.type == "essay":
        return None
    if isinstance(response, bool):
        return "true" if response else "false"
    if isinstance(response, int):
        return str(response)
    if isinstance(response, list):
        return ",".join(str(i) for i in response)
    if isinstance(response, dict):
        return "; ".join(f"{k}={v}" for k, v in sorted(response.items()))[:250]
    return grading.normalize_text(str(response))[:250]


OPEN_STATES = (AttemptState.IN_PROGRESS, AttemptState.OVERDUE)


def lock_attempt(attempt: QuizAttempt) -> bool:
    """Take the attempt for the rest of this transaction, then read it afresh: returns whether
    it is still open. Requests that arrive together for one attempt (a double click, two tabs,
    the autosave racing the submit button) pass here one at a time, and each sees what the one
    before it committed, so an attempt is graded once and nothing is saved once it is submitted.

    A conditional UPDATE that changes nothing does it on both engines: PostgreSQL locks the row
    and, if another transaction held it, checks the state again once that one has committed;
    SQLite takes its write lock (a transaction starts at the first write). What this request
    read before is expired, so grading reads the answers as stored."""
    db.session.flush()
    result = db.session.execute(
        update(QuizAttempt)
        .where(QuizAttempt.id == attempt.id, QuizAttempt.state.in_(OPEN_STATES))
        .values(state=QuizAttempt.state),
        execution_options={"synchronize_session": False},
    )
    db.session.expire_all()
    return result.rowcount == 1


def _ensure_open_for_changes(attempt: QuizAttempt, now: datetime) -> None:
    lock_attempt(attempt)
    _finalize_locked(attempt, now=now)
    if attempt.state == AttemptState.OVERDUE:
        raise TimeExpired()
    if not attempt.is_open:
        raise AttemptNotOpen()


def save_responses(attempt: QuizAttempt, responses: Mapping[int, Any], *, now: datetime) -> int:
    """Save ``{attempt question id: response}`` (every question from the page, one from the
    autosave script; None clears an answer). Returns how many changed. Refused once the
    attempt is submitted, or once its submission has begun in another request."""
    _ensure_open_for_changes(attempt, now)
    return _store(attempt, responses, now=now)


def _store(attempt: QuizAttempt, responses: Mapping[int, Any], *, now: datetime) -> int:
    changed = 0
    for item in attempt_questions(attempt):
        if item.id not in responses:
            continue
        response = responses[item.id]
        if response != item.response:
            item.response = response
            item.response_key = response_key(item, response)
            item.saved_at = now
            changed += 1
    db.session.flush()
    return changed


def _grade(attempt: QuizAttempt, *, submitted_at: datetime, auto: bool) -> None:
    quiz = attempt.quiz
    marks = Decimal(0)
    max_marks = 0
    has_essay = False
    for item in attempt_questions(attempt):
        question = question_from_dict(item.question.data)
        fraction = grading.grade(
            question, item.response, accent_insensitive=quiz.accent_insensitive
        )
        if fraction is None:
            has_essay = has_essay or item.question.type == "essay"
            item.fraction = None
            continue
        item.fraction = Decimal(str(round(fraction, 6)))
        marks += item.fraction
        max_marks += 1
    attempt.marks = marks
    attempt.max_marks = max_marks
    attempt.has_essay = has_essay
    attempt.score = (marks * 100 / max_marks).quantize(Decimal("0.01")) if max_marks else None
    attempt.passed = attempt.score is not None and attempt.score >= quiz.pass_mark
    attempt.state = AttemptState.SUBMITTED
    attempt.submitted_at = submitted_at
    attempt.auto_submitted = auto
    db.session.flush()
    if quiz.course is not None:
        refresh_course_progress(attempt.user_id, quiz.course, attempt.year, now=submitted_at)
    logger.info("attempt submitted: attempt=%s score=%s auto=%s", attempt.id, attempt.score, auto)


RUNNING, GRACE, TIME_UP, FINISHED = "running", "grace", "time_up", "finished"


def phase(attempt: QuizAttempt, *, now: datetime) -> str:
    """Where an attempt stands at ``now``, without changing it (pages read this; the next
    request that writes, or ``quiz close-overdue``, applies the quiz's policy):
    ``running``, ``grace`` (time is up, the attempt may only be submitted), ``time_up`` (to be
    submitted automatically or not counted) or ``finished``."""
    if not attempt.is_open:
        return FINISHED
    if attempt.deadline_at is None or now <= attempt.deadline_at:
        return RUNNING
    if (
        attempt.quiz.overdue_policy == OverduePolicy.GRACE
        and attempt.grace_until is not None
        and now <= attempt.grace_until
    ):
        return GRACE
    return TIME_UP


def _is_due(attempt: QuizAttempt, now: datetime) -> bool:
    return attempt.is_open and attempt.deadline_at is not None and now > attempt.deadline_at


def finalize_if_due(attempt: QuizAttempt, *, now: datetime) -> bool:
    """Apply the quiz's policy to an open attempt whose time is up. Returns True if changed."""
    if not _is_due(attempt, now):
        return False
    lock_attempt(attempt)  # another request may be submitting it right now
    return _finalize_locked(attempt, now=now)


def _finalize_locked(attempt: QuizAttempt, *, now: datetime) -> bool:
    if not _is_due(attempt, now):
        return False
    policy = attempt.quiz.overdue_policy
    if policy == OverduePolicy.AUTOSUBMIT:
        _grade(attempt, submitted_at=attempt.deadline_at, auto=True)
    elif policy == OverduePolicy.GRACE and attempt.grace_until and now <= attempt.grace_until:
        if attempt.state == AttemptState.OVERDUE:
            return False
        attempt.state = AttemptState.OVERDUE
    else:
        attempt.state = AttemptState.ABANDONED
        logger.info("attempt not counted (time up): attempt=%s", attempt.id)
    db.session.flush()
    return True


def submit_attempt(
    attempt: QuizAttempt, responses: Mapping[int, Any] | None, *, now: datetime
) -> QuizAttempt:
    """Submit once: a second submission changes nothing. Past the deadline the quiz's policy
    decides: graded with the answers saved in time, submit-only grace, or not counted.
    Submissions that arrive together are graded once: the first takes the attempt
    (``lock_attempt``), the others then find it submitted."""
    if attempt.state == AttemptState.SUBMITTED:
        return attempt
    lock_attempt(attempt)
    _finalize_locked(attempt, now=now)
    if attempt.state == AttemptState.SUBMITTED:  # time was up: auto-submitted with saved answers
        return attempt
    if attempt.state == AttemptState.ABANDONED:
        raise NotCounted()
    if attempt.state == AttemptState.OVERDUE:  # grace period: submit what was saved in time
        _grade(attempt, submitted_at=now, auto=False)
        return attempt
    if responses is not None:
        _store(attempt, responses, now=now)
    _grade(attempt, submitted_at=now, auto=False)
    return attempt


def finalize_overdue(*, now: datetime) -> int:
    """Close every open attempt whose time is up (the scheduled job); returns how many."""
    open_attempts = db.session.scalars(
        select(QuizAttempt).where(
            QuizAttempt.state.in_([AttemptState.IN_PROGRESS, AttemptState.OVERDUE]),
            QuizAttempt.deadline_at.is_not(None),
            QuizAttempt.deadline_at < now,
        )
    ).all()
    return sum(finalize_if_due(attempt, now=now) for attempt in open_attempts)


def grant_override(
    quiz: Quiz,
    user: User,
    *,
    extra_minutes: int,
    extra_attempts: int,
    close_at: datetime | None,
    reason: str,
    granted_by: User,
    now: datetime,
    address: str = audit.CLI,
) -> QuizOverride:
    """Record HR's exception (kept with who and why; it replaces the previous one, as in
    Moodle) and give an open attempt, even one in its grace period, the longer time. An
    attempt's deadline is never shortened."""
    if close_at is not None and close_at <= now:
        raise CloseInPast()
    override = QuizOverride(
        quiz_id=quiz.id,
        user_id=user.id,
        extra_minutes=extra_minutes,
        extra_attempts=extra_attempts,
        close_at=close_at,
        reason=reason.strip(),
        granted_by_id=granted_by.id,
        created_at=now,
    )
    db.session.add(override)
    db.session.flush()
    previous = db.session.scalar(
        select(QuizOverride)
        .where(
            QuizOverride.quiz_id == quiz.id,
            QuizOverride.user_id == user.id,
            QuizOverride.id != override.id,
        )
        .order_by(QuizOverride.created_at.desc(), QuizOverride.id.desc())
        .limit(1)
    )
    fields = ("extra_minutes", "extra_attempts", "close_at", "reason")
    audit.record(
        granted_by,
        "quiz_override.create",
        override,
        before=audit.snapshot(previous, fields) if previous is not None else None,
        after={"quiz": quiz.slug, "user_id": user.id, **audit.snapshot(override, fields)},
        address=address,
        unit=user.unit_id,
        now=now,
    )
    rules = effective_rules(quiz, user.id)
    for attempt in attempts_of(quiz, user.id):
        if not attempt.is_open or attempt.deadline_at is None:
            continue
        if not lock_attempt(attempt) or attempt.deadline_at is None:
            continue  # submitted meanwhile: a graded attempt is never reopened
        deadline = None
        if rules.time_limit_minutes:
            deadline = attempt.started_at + timedelta(minutes=rules.time_limit_minutes)
        if rules.close_at is not None and (deadline is None or rules.close_at < deadline):
            deadline = rules.close_at
        if deadline is not None and deadline <= attempt.deadline_at:
            continue  # never shorten the time of a running attempt
        attempt.deadline_at = deadline
        attempt.grace_until = (
            deadline + timedelta(minutes=quiz.grace_minutes)
            if deadline is not None and quiz.overdue_policy == OverduePolicy.GRACE
            else None
        )
        if attempt.state == AttemptState.OVERDUE and (deadline is None or now <= deadline):
            attempt.state = AttemptState.IN_PROGRESS  # back from the grace period
    db.session.flush()
    logger.info(
        "quiz override: quiz=%s user=%s by=%s minutes=%s attempts=%s",
        quiz.id,
        user.id,
        granted_by.id,
        extra_minutes,
        extra_attempts,
    )
    return override


def overrides_of(quiz: Quiz, user_id: int) -> list[QuizOverride]:
    return list(
        db.session.scalars(
            select(QuizOverride)
            .where(QuizOverride.quiz_id == quiz.id, QuizOverride.user_id == user_id)
            .order_by(QuizOverride.created_at.desc(), QuizOverride.id.desc())
        )
    )
