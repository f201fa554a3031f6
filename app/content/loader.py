"""Files to rows, all or nothing.

``read_content`` parses and validates every file (no database); ``load_content``
writes a fully valid set in the caller's transaction. When any file is broken,
callers write nothing and the previous content stays live.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import delete, select

from app.content.courses import CourseData, read_courses
from app.content.errors import ContentError, ContentErrors, split_problems
from app.content.legal import Register, read_register
from app.content.quizzes import QuizData, read_quizzes
from app.content.standards import StandardData, read_standards
from app.models import (
    ContentWarning,
    Course,
    Lesson,
    Position,
    Question,
    Quiz,
    Standard,
    StandardCourse,
    Unit,
    db,
    local_date,
    utcnow,
)

logger = logging.getLogger(__name__)


@dataclass
class ContentSet:
    courses: list[CourseData] = field(default_factory=list)
    quizzes: list[QuizData] = field(default_factory=list)
    standards: list[StandardData] = field(default_factory=list)
    register: Register | None = None
    warnings: list[ContentError] = field(default_factory=list)
    """Problems that do not stop a load (``path:line: warning: …``); ``--strict`` refuses them."""


@dataclass
class LoadReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    deactivated: list[str] = field(default_factory=list)
    unchanged: int = 0
    # Courses whose lessons were synced, and every course whose lessons or quiz changed:
    # what progress must recount and refresh after the load (``progress.refresh_after_load``).
    lesson_course_ids: list[int] = field(default_factory=list)
    course_ids: list[int] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.deactivated)


def read_content(
    courses_dir: str | Path,
    quizzes_dir: str | Path,
    *,
    on_progress: Callable[[str], None] | None = None,
    today: date | None = None,
) -> tuple[ContentSet, list[ContentError]]:
    """Parse and check everything; returns the content and every error found.

    Warnings (an outdated citation, a GIFT line Moodle reads differently from what it looks
    like) do not count as errors: they are in ``content.warnings``. ``today`` (the local date)
    decides which reviews are more than 12 months old.
    """
    courses_dir, quizzes_dir = Path(courses_dir), Path(quizzes_dir)
    today = today or local_date(utcnow())
    register, problems = read_register(courses_dir)
    courses, course_problems = read_courses(
        courses_dir, on_progress=on_progress, register=register, today=today
    )
    problems += course_problems
    quizzes, quiz_problems = read_quizzes(quizzes_dir, register=register, today=today)
    problems += quiz_problems
    problems += _check_links(courses_dir, courses, quizzes)
    standards, standard_errors = read_standards(courses_dir, _course_names(courses_dir, courses))
    problems += standard_errors
    errors, warnings = split_problems(problems)
    content = ContentSet(
        courses=courses, quizzes=quizzes, standards=standards, register=register, warnings=warnings
    )
    return content, errors


def _course_names(courses_dir: Path, courses: list[CourseData]) -> set[str]:
    """Slugs of valid courses and names of course folders (a broken course is reported once)."""
    folders = (
        {p.name for p in courses_dir.iterdir() if p.is_dir()} if courses_dir.is_dir() else set()
    )
    return {c.slug for c in courses} | folders


def _check_links(
    courses_dir: Path, courses: list[CourseData], quizzes: list[QuizData]
) -> list[ContentError]:
    """Each quiz names an existing course; a course has at most one quiz."""
    errors: list[ContentError] = []
    known = (
        {c.slug for c in courses} | {p.name for p in courses_dir.iterdir() if p.is_dir()}
        if courses_dir.is_dir()
        else set()
    )
    claimed: dict[str, str] = {}
    for quiz in quizzes:
        if quiz.course_slug is None:
            continue
        path = quiz.settings_path or quiz.source_path
        if quiz.course_slug not in known:
            errors.append(
                ContentError(path, quiz.course_line, f"course '{quiz.course_slug}' does not exist")
            )
        elif quiz.course_slug in claimed:
            errors.append(
                ContentError(
                    path,
                    quiz.course_line,
                    f"course '{quiz.course_slug}' already has a quiz ({claimed[quiz.course_slug]})",
                )
            )
        else:
            claimed[quiz.course_slug] = quiz.slug
    return errors


def _sync_lessons(
    course: Course, data: CourseData, existing: dict[str, Lesson], now: datetime
) -> None:
    """Lessons by slug: a changed file bumps the lesson's revision; progress stays attached."""
    existing = dict(existing)
    for item in data.lessons:
        lesson = existing.pop(item.slug, None)
        fields = {
            "position": item.position,
            "title": item.title,
            "minutes": item.minutes,
            "body_html": item.body_html,
            "toc_html": item.toc_html,
            "source_path": item.source_path,
        }
        if lesson is None:
            db.session.add(
                Lesson(course=course, slug=item.slug, content_hash=item.content_hash, **fields)
            )
        elif lesson.content_hash != item.content_hash or not lesson.is_active:
            for key, value in fields.items():
                setattr(lesson, key, value)
            if lesson.content_hash != item.content_hash:
                lesson.revision += 1
            lesson.content_hash = item.content_hash
            lesson.is_active = True
            lesson.updated_at = now
        elif lesson.position != item.position:
            lesson.position = item.position
    for gone in existing.values():
        if gone.is_active:
            gone.is_active = False
            gone.updated_at = now


def _course_fields(data: CourseData) -> dict:
    return {
        "title": data.title,
        "track": data.track,
        "hours": data.hours,
        "summary": data.summary,
        "sort_order": data.order,
        "version": data.version,
        "body_html": data.body_html,
        "source_path": data.source_path,
    }


def _upsert(
    model,
    rows: dict,
    key: str | int,
    fields: dict,
    content_hash: str,
    report: LoadReport,
    label: str,
    now: datetime,
):
    """Create the row for ``key``, update it (revision + 1) when its files changed, or leave it
    as it is. Returns the row, or None when unchanged."""
    row = rows.get(key)
    if row is None:
        row = model(content_hash=content_hash, **fields)
        db.session.add(row)
        db.session.flush()
        rows[key] = row
        report.created.append(label)
        return row
    if row.content_hash == content_hash and row.is_active:
        report.unchanged += 1
        return None
    for name, value in fields.items():
        setattr(row, name, value)
    row.content_hash = content_hash
    row.revision += 1
    row.is_active = True
    row.updated_at = now
    report.updated.append(f"{label} (revision {row.revision})")
    return row


def _withdraw(rows: dict, present: set, report: LoadReport, kind: str, now: datetime) -> None:
    """Rows whose files are gone stop being offered; their history stays."""
    for key, row in rows.items():
        if key not in present and row.is_active:
            row.is_active = False
            row.updated_at = now
            report.deactivated.append(f"{kind} {key}")


def load_content(content: ContentSet, *, now: datetime) -> LoadReport:
    """Sync a valid ``ContentSet`` into the database (flush only; the caller commits).

    Raises ``ContentErrors`` for problems only the database can reveal (a standard naming a
    unit or position that does not exist); the caller then rolls back.

    Rows are keyed by slug: an unchanged file leaves its row untouched, a changed
    one bumps ``revision``, a removed one is deactivated (history is kept).
    """
    report = LoadReport()
    courses = {c.slug: c for c in db.session.scalars(select(Course))}
    lessons: dict[int, dict[str, Lesson]] = {}
    for lesson in db.session.scalars(select(Lesson)):
        lessons.setdefault(lesson.course_id, {})[lesson.slug] = lesson
    touched_courses: list[int] = []

    for data in content.courses:
        course = _upsert(
            Course,
            courses,
            data.slug,
            {"slug": data.slug, **_course_fields(data)},
            data.content_hash,
            report,
            f"course {data.slug}",
            now,
        )
        if course is None:
            continue
        touched_courses.append(course.id)
        _sync_lessons(course, data, lessons.get(course.id, {}), now)
    _withdraw(courses, {c.slug for c in content.courses}, report, "course", now)

    db.session.flush()
    report.lesson_course_ids = list(touched_courses)
    touched_courses += _load_quizzes(content.quizzes, report, now=now)
    _load_standards(content.standards, report, now=now)
    _replace_warnings(content.warnings, now=now)
    report.course_ids = touched_courses
    logger.info(
        "content loaded: %d created, %d updated, %d deactivated, %d unchanged",
        len(report.created),
        len(report.updated),
        len(report.deactivated),
        report.unchanged,
    )
    return report


def _replace_warnings(warnings: list[ContentError], *, now: datetime) -> None:
    """The admin page lists the warnings of the content live now: those of this load."""
    db.session.execute(delete(ContentWarning))
    db.session.add_all(
        ContentWarning(path=w.path, line=w.line, message=w.message, created_at=now)
        for w in warnings
    )


QUIZ_FIELDS = (
    "title",
    "intro_html",
    "pass_mark",
    "time_limit_minutes",
    "attempts_allowed",
    "draw_count",
    "draw_per_category",
    "shuffle_answers",
    "grading_method",
    "review_immediately",
    "review_open",
    "review_closed",
    "overdue_policy",
    "grace_minutes",
    "accent_insensitive",
    "close_at",
    "source_path",
)


def _load_quizzes(items: list[QuizData], report: LoadReport, *, now: datetime) -> list[int]:
    """Quizzes by slug; questions by content hash within their quiz (immutable rows).
    Returns the courses whose quiz changed or was withdrawn."""
    quizzes = {q.slug: q for q in db.session.scalars(select(Quiz))}
    course_ids = {slug: id_ for slug, id_ in db.session.execute(select(Course.slug, Course.id))}
    questions: dict[int, dict[str, Question]] = {}
    for question in db.session.scalars(select(Question)):
        questions.setdefault(question.quiz_id, {})[question.content_hash] = question

    for data in items:
        fields = {name: getattr(data, name) for name in QUIZ_FIELDS}
        fields["course_id"] = course_ids.get(data.course_slug) if data.course_slug else None
        quiz = _upsert(
            Quiz,
            quizzes,
            data.slug,
            {"slug": data.slug, **fields},
            data.content_hash,
            report,
            f"quiz {data.slug}",
            now,
        )
        if quiz is None:
            continue
        existing = questions.get(quiz.id, {})
        for item in data.questions:
            question = existing.pop(item.content_hash, None)
            placement = {
                "position": item.position,
                "category": item.question.category,
                "title": item.question.title,
                "source_line": item.question.line,
            }
            if question is None:
                db.session.add(
                    Question(
                        quiz_id=quiz.id,
                        type=item.question.type,
                        text_html=item.text_html,
                        data=item.data,
                        rendered=item.rendered,
                        content_hash=item.content_hash,
                        **placement,
                    )
                )
            else:
                for key, value in placement.items():
                    setattr(question, key, value)
                question.is_active = True
        for gone in existing.values():
            gone.is_active = False

    present = {q.slug for q in items}
    withdrawn = [q.course_id for q in quizzes.values() if q.slug not in present and q.is_active]
    _withdraw(quizzes, present, report, "quiz", now)
    db.session.flush()
    return [course_id for course_id in withdrawn if course_id is not None]


STANDARD_FIELDS = (
    "title",
    "version",
    "issuer",
    "legal_basis",
    "notes_html",
    "start_date",
    "deadline",
    "unit_kinds",
    "unit_codes",
    "position_codes",
    "min_hours",
    "pass_mark",
    "external_hours_cap",
    "count_external",
    "min_months_worked",
    "joined_after",
    "reminder_days",
    "source_path",
)


def _load_standards(items: list[StandardData], report: LoadReport, *, now: datetime) -> None:
    standards = {s.year: s for s in db.session.scalars(select(Standard))}
    courses = {slug: id_ for slug, id_ in db.session.execute(select(Course.slug, Course.id))}
    positions = {code: id_ for code, id_ in db.session.execute(select(Position.code, Position.id))}
    units = set(db.session.scalars(select(Unit.code)))
    errors: list[ContentError] = []
    for data in items:
        for index, code in enumerate(data.unit_codes or []):
            if code not in units:
                errors.append(
                    ContentError(
                        data.source_path,
                        data.line_of(f"applies_to.units.{index}"),
                        f"standard: unit '{code}' does not exist",
                    )
                )
        wanted = set(data.position_codes or []) | set(data.by_position)
        for code in sorted(wanted - set(positions)):
            errors.append(
                ContentError(
                    data.source_path,
                    data.line_of("applies_to"),
                    f"standard: position '{code}' is not in the database "
                    "(run: flask --app run.py org sync-positions)",
                )
            )
    if errors:
        raise ContentErrors(errors)

    for data in items:
        fields = {name: getattr(data, name) for name in STANDARD_FIELDS}
        standard = _upsert(
            Standard,
            standards,
            data.year,
            {"year": data.year, **fields},
            data.content_hash,
            report,
            f"standard {data.year}",
            now,
        )
        if standard is None:
            continue
        db.session.execute(delete(StandardCourse).where(StandardCourse.standard_id == standard.id))
        # A course required of everyone is not repeated for a position: each required course
        # is counted once per official.
        rows = [(slug, None) for slug in data.everyone] + [
            (slug, positions[code])
            for code, slugs in data.by_position.items()
            for slug in slugs
            if slug not in data.everyone
        ]
        for slug, position_id in dict.fromkeys(rows):
            db.session.add(
                StandardCourse(
                    standard_id=standard.id, course_id=courses[slug], position_id=position_id
                )
            )
    _withdraw(standards, {s.year for s in items}, report, "standard", now)
    db.session.flush()
