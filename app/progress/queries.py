"""Read-only progress queries: a fixed number per page, whatever the head count."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, and_, bindparam, func, or_, select

from app.models import Course, CourseProgress, Lesson, LessonCompletion, Quiz, User, db


@dataclass(frozen=True)
class CourseState:
    """What a course's pages need from the database on each request: the published course's
    stamp (the course's, its active quiz's and each lesson's revision and content hash: any
    change of their files changes it) and the official's own progress in it for the year."""

    course_id: int
    stamp: tuple
    done: frozenset[int]
    completed_at: datetime | None
    quiz_passed_at: datetime | None


# Built once (run on every lesson and course page; see ``course_state``).
_COURSE_STATE = (
    select(
        Course.id,
        Course.revision,
        Course.content_hash,
        Quiz.id,
        Quiz.revision,
        Quiz.content_hash,
        CourseProgress.completed_at,
        CourseProgress.quiz_passed_at,
        LessonCompletion.lesson_id,
        Lesson.id,
        Lesson.revision,
        Lesson.content_hash,
        Lesson.is_active,
    )
    .outerjoin(Quiz, and_(Quiz.course_id == Course.id, Quiz.is_active.is_(True)))
    .outerjoin(
        CourseProgress,
        and_(
            CourseProgress.course_id == Course.id,
            CourseProgress.user_id == bindparam("user_id"),
            CourseProgress.year == bindparam("year"),
        ),
    )
    # a row per lesson of the course, with the official's completion of it in the year
    .outerjoin(Lesson, Lesson.course_id == Course.id)
    .outerjoin(
        LessonCompletion,
        and_(
            LessonCompletion.lesson_id == Lesson.id,
            LessonCompletion.user_id == bindparam("user_id"),
            LessonCompletion.year == bindparam("year"),
        ),
    )
    .where(Course.slug == bindparam("slug"), Course.is_active.is_(True))
    .order_by(Lesson.id)
)


def course_state(user: User, slug: str, year: int) -> CourseState | None:
    """The active course ``slug``'s stamp and ``user``'s lessons done, completion and quiz pass
    in ``year``, in one query on unique keys (course slug; the official's rows by user id):
    its cost does not depend on how many officials there are. None: no such active course."""
    # Core rows straight from the session's connection: half the time of the ORM's path.
    params = {"user_id": user.id, "slug": slug, "year": year}
    rows = db.session.connection().execute(_COURSE_STATE, params).all()
    if not rows:
        return None
    first = rows[0]
    return CourseState(
        course_id=first[0],
        stamp=(*first[:6], *(tuple(row[9:13]) for row in rows)),
        done=frozenset(row[8] for row in rows if row[8] is not None),
        completed_at=first[6],
        quiz_passed_at=first[7],
    )


# Every course's (id, revision, active) - the catalogue's stamp: ``content load`` changes it
# whenever it creates, changes, withdraws or brings back a course, and a changed lesson changes
# its course - with the official's summary for the year, found for each course by the unique
# (user_id, course_id, year) index. One row per course, whatever the number of officials.
# Built once (see ``catalogue_state``).
_CATALOGUE_STATE = (
    select(
        Course.id,
        Course.revision,
        Course.is_active,
        CourseProgress.lessons_completed,
        CourseProgress.completed_at,
    )
    .outerjoin(
        CourseProgress,
        and_(
            CourseProgress.course_id == Course.id,
            CourseProgress.user_id == bindparam("user_id"),
            CourseProgress.year == bindparam("year"),
        ),
    )
    .order_by(Course.id)
)


def catalogue_state(user: User, year: int) -> tuple[tuple, dict[int, tuple]]:
    """The catalogue's stamp, and ``user``'s (lessons completed, completed at) per course in
    ``year``: one query."""
    params = {"user_id": user.id, "year": year}
    rows = db.session.connection().execute(_CATALOGUE_STATE, params).all()
    stamp = tuple((row[0], row[1], row[2]) for row in rows)
    progress = {row[0]: (row[3], row[4]) for row in rows if row[3] is not None}
    return stamp, progress


def lesson_counts():
    """Active lessons per course (a subquery)."""
    return (
        select(Lesson.course_id, func.count(Lesson.id).label("n"))
        .where(Lesson.is_active.is_(True))
        .group_by(Lesson.course_id)
        .subquery()
    )


def courses_with_progress(user: User, year: int, *, with_withdrawn: bool = False) -> Select:
    """Every active course (and, with ``with_withdrawn``, every withdrawn course the official
    has progress in) with its lesson count and the official's summary for ``year``: the one
    course-and-progress join that the learner's pages and HR's record both read."""
    counts = lesson_counts()
    visible = Course.is_active.is_(True)
    if with_withdrawn:
        visible = or_(visible, CourseProgress.id.is_not(None))
    return (
        select(
            Course.id,
            Course.slug,
            Course.title,
            Course.track,
            Course.hours,
            Course.summary,
            func.coalesce(counts.c.n, 0).label("lesson_count"),
            func.coalesce(CourseProgress.lessons_completed, 0).label("lessons_completed"),
            CourseProgress.completed_at,
            CourseProgress.quiz_grade,
            CourseProgress.source,
            CourseProgress.last_activity_at,
        )
        .outerjoin(counts, counts.c.course_id == Course.id)
        .outerjoin(
            CourseProgress,
            and_(
                CourseProgress.course_id == Course.id,
                CourseProgress.user_id == user.id,
                CourseProgress.year == year,
            ),
        )
        .where(visible)
        .order_by(Course.sort_order, Course.title)
    )


def user_course_progress(user: User, year: int) -> list:
    """Each active course, and each withdrawn one with progress, for this official in ``year``
    (one query)."""
    return db.session.execute(courses_with_progress(user, year, with_withdrawn=True)).all()


def next_lesson(lesson: Lesson) -> Lesson | None:
    """The active lesson after ``lesson`` in its course, if any."""
    return db.session.scalar(
        select(Lesson)
        .where(
            Lesson.course_id == lesson.course_id,
            Lesson.is_active.is_(True),
            Lesson.position > lesson.position,
        )
        .order_by(Lesson.position)
        .limit(1)
    )


def course_progress(user: User, course: Course, year: int) -> CourseProgress | None:
    return db.session.scalar(
        select(CourseProgress).where(
            CourseProgress.user_id == user.id,
            CourseProgress.course_id == course.id,
            CourseProgress.year == year,
        )
    )


def completed_course(user: User, course: Course, year: int) -> CourseProgress | None:
    progress = course_progress(user, course, year)
    return progress if progress is not None and progress.completed_at is not None else None


def practice_quizzes() -> list[Quiz]:
    """Quizzes not tied to a course: practice, open to every official."""
    return list(
        db.session.scalars(
            select(Quiz)
            .where(Quiz.course_id.is_(None), Quiz.is_active.is_(True))
            .order_by(Quiz.title)
        )
    )
