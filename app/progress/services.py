"""Learning progress: marking lessons completed and keeping the per-year course summary.

The course summary (``CourseProgress``) is refreshed here after every event that can change
it: a lesson marked, a quiz submitted, a past record imported, content withdrawn.

Services take plain values and models, flush, and never commit: the view or
command that calls them commits once.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import and_, func, select, update
from sqlalchemy.exc import IntegrityError

from app.models import (
    AttemptState,
    Course,
    CourseProgress,
    Lesson,
    LessonCompletion,
    Quiz,
    QuizAttempt,
    User,
    db,
    local_year,
)
from app.models.status import TOUCHED
from app.progress.grades import GradedAttempt, QuizGrade, quiz_grade

logger = logging.getLogger(__name__)


def complete_lesson(user: User, lesson: Lesson, *, now: datetime) -> bool:
    """Mark ``lesson`` completed for this year. Returns False if it already was (idempotent)."""
    year = local_year(now)
    done = db.session.scalar(
        select(LessonCompletion.id).where(
            LessonCompletion.user_id == user.id,
            LessonCompletion.lesson_id == lesson.id,
            LessonCompletion.year == year,
        )
    )
    if done is not None:
        return False
    try:
        with db.session.begin_nested():
            db.session.add(
                LessonCompletion(
                    user_id=user.id,
                    lesson_id=lesson.id,
                    year=year,
                    completed_at=now,
                    lesson_revision=lesson.revision,
                )
            )
    except IntegrityError:  # the same official, twice at once: the other request won
        return False
    refresh_course_progress(user.id, lesson.course, year, now=now)
    logger.debug("lesson completed: user=%s lesson=%s year=%s", user.id, lesson.id, year)
    return True


def _quiz_status(user_id: int, course: Course, year: int) -> tuple[bool, QuizGrade | None]:
    """(course has a quiz, the official's grade on it in ``year``)."""
    quiz = db.session.scalar(
        select(Quiz).where(Quiz.course_id == course.id, Quiz.is_active.is_(True))
    )
    if quiz is None:
        return False, None
    attempts = db.session.execute(
        select(QuizAttempt.submitted_at, QuizAttempt.score).where(
            QuizAttempt.quiz_id == quiz.id,
            QuizAttempt.user_id == user_id,
            QuizAttempt.year == year,
            QuizAttempt.state == AttemptState.SUBMITTED,
        )
    ).all()
    graded = [GradedAttempt(submitted_at, score) for submitted_at, score in attempts]
    return True, quiz_grade(graded, quiz.grading_method, quiz.pass_mark)


def refresh_course_progress(
    user_id: int, course: Course, year: int, *, now: datetime
) -> CourseProgress:
    """Recompute one official's summary for ``course`` in ``year`` from the raw records.

    A course is completed when every active lesson was completed in the year and,
    where it has a quiz, the quiz was passed in the year; the completion date is
    the last of these. Once completed, a year's completion stands even if lessons
    are added later.
    """
    lesson_total, lessons_done, last_done = db.session.execute(
        select(
            func.count(Lesson.id.distinct()),
            func.count(LessonCompletion.id),
            func.max(LessonCompletion.completed_at),
        )
        .select_from(Lesson)
        .outerjoin(
            LessonCompletion,
            and_(
                LessonCompletion.lesson_id == Lesson.id,
                LessonCompletion.user_id == user_id,
                LessonCompletion.year == year,
            ),
        )
        .where(Lesson.course_id == course.id, Lesson.is_active.is_(True))
    ).one()
    has_quiz, grade = _quiz_status(user_id, course, year)
    passed_at = grade.passed_at if grade else None
    progress = db.session.scalar(
        select(CourseProgress).where(
            CourseProgress.user_id == user_id,
            CourseProgress.course_id == course.id,
            CourseProgress.year == year,
        )
    )
    if progress is None:
        progress = CourseProgress(
            user_id=user_id, course_id=course.id, year=year, started_at=now, hours=0
        )
        db.session.add(progress)
    progress.lessons_completed = lessons_done
    progress.last_activity_at = now
    new_grade = grade.grade if grade else None
    if progress.completed_at is None:
        progress.quiz_passed_at = passed_at
        progress.quiz_grade = new_grade
    elif (  # a completion stands: a later attempt may only raise its grade
        new_grade is not None
        and progress.quiz_grade is not None
        and new_grade > progress.quiz_grade
    ):
        progress.quiz_grade = new_grade
    if (
        progress.completed_at is None
        and lesson_total > 0
        and lessons_done >= lesson_total
        and (passed_at is not None or not has_quiz)
    ):
        progress.completed_at = max(d for d in (last_done, passed_at) if d is not None)
        progress.hours = course.hours
        logger.info("course completed: user=%s course=%s year=%s", user_id, course.id, year)
    db.session.flush()
    return progress


def refresh_after_content_change(course_ids: Iterable[int], *, now: datetime) -> int:
    """After lessons or a quiz were withdrawn, complete the courses this year's learners have
    now finished. Only summaries that may change are refreshed (not one per official)."""
    ids = list(course_ids)
    if not ids:
        return 0
    year = local_year(now)
    totals = (
        select(Lesson.course_id, func.count(Lesson.id).label("n"))
        .where(Lesson.is_active.is_(True), Lesson.course_id.in_(ids))
        .group_by(Lesson.course_id)
        .subquery()
    )
    candidates = db.session.execute(
        select(CourseProgress.user_id, Course)
        .join(Course, Course.id == CourseProgress.course_id)
        .join(totals, totals.c.course_id == CourseProgress.course_id)
        .where(
            CourseProgress.course_id.in_(ids),
            CourseProgress.year == year,
            CourseProgress.completed_at.is_(None),
            CourseProgress.lessons_completed >= totals.c.n,
        )
    ).all()
    for user_id, course in candidates:
        refresh_course_progress(user_id, course, year, now=now)
    return len(candidates)


def recount_lessons(course_ids: Iterable[int]) -> None:
    """After content changes, recount completed active lessons in every summary of these courses
    (one UPDATE, whatever the number of officials)."""
    ids = list(course_ids)
    if not ids:
        return
    done = (
        select(func.count(LessonCompletion.id))
        .join(Lesson, Lesson.id == LessonCompletion.lesson_id)
        .where(
            LessonCompletion.user_id == CourseProgress.user_id,
            LessonCompletion.year == CourseProgress.year,
            Lesson.course_id == CourseProgress.course_id,
            Lesson.is_active.is_(True),
        )
        .scalar_subquery()
    )
    db.session.execute(
        update(CourseProgress)
        .where(CourseProgress.course_id.in_(ids))
        .values(lessons_completed=done)
        .execution_options(synchronize_session=False, **TOUCHED)  # no status reads it
    )


def refresh_after_load(
    lesson_course_ids: Iterable[int], course_ids: Iterable[int], *, now: datetime
):
    """After a content load (``LoadReport.lesson_course_ids``, ``.course_ids``): recount lessons
    in every summary of the courses whose lessons were synced, then complete the courses this
    year's learners have now finished."""
    recount_lessons(lesson_course_ids)
    return refresh_after_content_change(course_ids, now=now)
