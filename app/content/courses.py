"""Read ``courses/<slug>/`` folders into plain data: front matter checked, Markdown rendered.

Pure: no database. ``loader.py`` writes the result.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from app.content.errors import ContentError
from app.content.fields import Field, check_fields
from app.content.files import digest, read_text
from app.content.legal import (
    Citation,
    Register,
    check_citations,
    read_sources,
    sources_markdown,
)
from app.content.markdown import Document, parse_front_matter, render_markdown_checked

SLUG = re.compile(r"^(?=.{1,100}$)[a-z0-9]+(?:-[a-z0-9]+)*$")  # the column holds 100
LESSON_FILE = re.compile(r"^(\d{1,3})-((?=[^.]{1,100}\.md$)[a-z0-9]+(?:-[a-z0-9]+)*)\.md$")
TRACKS = ("reform", "it", "ethics")
RESERVED_DIRS = {"standards"}  # courses/standards/ holds the yearly standards
IGNORED_MD = {"README.md", "readme.md"}

COURSE_FIELDS = [
    Field("title", required=True, max_length=250),
    Field("track", "choice", required=True, choices=TRACKS),
    Field("hours", "number", required=True, minimum=0, maximum=1000),
    Field("summary", default=""),
    Field("order", "int", default=0),
    Field("version", default="", max_length=40),
    Field("sources", "raw", nullable=True),
    Field("reviewed", "date", nullable=True),
]
LESSON_FIELDS = [
    Field("title", required=True, max_length=250),
    Field("minutes", "int", default=0, minimum=0, maximum=10000),
    Field("sources", "raw", nullable=True),
    Field("reviewed", "date", nullable=True),
]
# A "Căn cứ" heading written in the body: the page now renders it from ``sources:``.
_LEGAL_BASIS_HEADING = re.compile(
    r"^#{1,6}[ \t]+(?:\d+\.[ \t]*)?căn cứ(?: pháp lý)?[ \t]*:?[ \t]*#*[ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)


@dataclass
class LessonData:
    slug: str
    position: int
    title: str
    minutes: int
    body_html: str
    toc_html: str
    source_path: str
    content_hash: str
    citations: list[Citation] = field(default_factory=list)
    reviewed: dt.date | None = None


@dataclass
class CourseData:
    slug: str
    title: str
    track: str
    hours: Decimal
    summary: str
    order: int
    version: str
    body_html: str
    source_path: str
    content_hash: str
    lessons: list[LessonData] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    reviewed: dt.date | None = None


def course_dirs(courses_dir: Path) -> list[Path]:
    if not courses_dir.is_dir():
        return []
    return sorted(
        p
        for p in courses_dir.iterdir()
        if p.is_dir() and not p.name.startswith((".", "_")) and p.name not in RESERVED_DIRS
    )


def _render_with_sources(
    doc: Document,
    values: dict,
    register: Register,
    today: dt.date,
    what: str,
    problems: list[ContentError],
) -> tuple[str, str, list[Citation], str]:
    """Check the file's ``sources:`` and ``reviewed:``, then render its body followed by the
    "Căn cứ" from the register and the review date. Returns (body, toc, citations, the
    Markdown that was added: part of the file's content hash)."""
    citations, shape_errors = read_sources(doc)
    problems += shape_errors
    problems += check_citations(
        register,
        citations,
        reviewed=values.get("reviewed"),
        review_path=doc.path,
        review_line=doc.line_of("reviewed") if "reviewed" in doc.meta else doc.start_line,
        what=what,
        today=today,
    )
    heading = _LEGAL_BASIS_HEADING.search(doc.body)
    if heading:
        problems.append(
            ContentError(
                doc.path,
                doc.body_line + doc.body.count("\n", 0, heading.start()),
                "the body has its own 'Căn cứ' section: list the documents in 'sources:' "
                "instead (the page renders 'Căn cứ' from the legal register)",
                severity="warning",
            )
        )
    added = sources_markdown(register, citations, values.get("reviewed"))
    body, toc, swallowed = render_markdown_checked(
        doc.body + ("\n\n" + added if added else ""), doc.path, doc.body_line
    )
    problems += swallowed
    return body, toc, citations, added


def _has_errors(problems: list[ContentError]) -> bool:
    return any(not p.is_warning for p in problems)


def read_course(
    folder: Path,
    shown_root: str,
    register: Register | None = None,
    today: dt.date | None = None,
) -> tuple[CourseData | None, list[ContentError]]:
    """Read one course folder; ``shown_root`` prefixes paths in messages (e.g. ``courses``).

    Returns the course (None when any error was found) and its problems, warnings included.
    """
    register = register or Register(path=f"{shown_root}/legal.yml")
    today = today or dt.date.today()
    shown = f"{shown_root}/{folder.name}"
    errors: list[ContentError] = []
    if not SLUG.match(folder.name):
        errors.append(
            ContentError(
                shown,
                0,
                "folder name must be a slug: lowercase letters, digits and hyphens, "
                "at most 100 characters",
            )
        )
    course_file = folder / "course.md"
    if not course_file.is_file():
        return None, [*errors, ContentError(shown, 0, "missing course.md")]
    course_path = f"{shown}/course.md"
    values: dict = {}
    body_html = ""
    course_text = ""
    course_added = ""
    course_citations: list[Citation] = []
    try:
        course_text = read_text(course_file, course_path)
        doc = parse_front_matter(course_text, course_path)
        values, field_errors = check_fields(doc, COURSE_FIELDS)
        errors += field_errors
        if not field_errors:
            body_html, _toc, course_citations, course_added = _render_with_sources(
                doc, values, register, today, "the course", errors
            )
    except ContentError as exc:
        errors.append(exc)

    lessons: list[LessonData] = []
    seen_slugs: dict[str, str] = {}
    seen_positions: dict[int, str] = {}
    for path in sorted(folder.glob("*.md")):
        if path.name == "course.md" or path.name in IGNORED_MD:
            continue
        lesson_path = f"{shown}/{path.name}"
        match = LESSON_FILE.match(path.name)
        if not match:
            errors.append(
                ContentError(
                    lesson_path,
                    0,
                    "lesson file name must look like NN-slug.md "
                    "(a number, a hyphen, lowercase letters, digits and hyphens; "
                    "at most 100 characters after the number)",
                )
            )
            continue
        position, slug = int(match.group(1)), match.group(2)
        if slug in seen_slugs:
            errors.append(
                ContentError(
                    lesson_path, 0, f"duplicate lesson slug '{slug}' (also in {seen_slugs[slug]})"
                )
            )
            continue
        if position in seen_positions:
            errors.append(
                ContentError(
                    lesson_path,
                    0,
                    f"duplicate lesson number {position} (also {seen_positions[position]})",
                )
            )
            continue
        seen_slugs[slug] = path.name
        seen_positions[position] = path.name
        try:
            text = read_text(path, lesson_path)
            doc = parse_front_matter(text, lesson_path)
        except ContentError as exc:
            errors.append(exc)
            continue
        lesson_values, field_errors = check_fields(doc, LESSON_FIELDS)
        if field_errors:
            errors += field_errors
            continue
        if not doc.body.strip():
            errors.append(ContentError(lesson_path, doc.body_line, "the lesson has no text"))
            continue
        body, toc, citations, added = _render_with_sources(
            doc, lesson_values, register, today, "the lesson", errors
        )
        lessons.append(
            LessonData(
                slug=slug,
                position=position,
                title=lesson_values["title"],
                minutes=lesson_values["minutes"],
                body_html=body,
                toc_html=toc,
                source_path=lesson_path,
                # the rendered "Căn cứ" counts: a change in the register updates the lesson
                content_hash=digest(text, added) if added else digest(text),
                citations=citations,
                reviewed=lesson_values["reviewed"],
            )
        )
    if not lessons and not _has_errors(errors):
        errors.append(ContentError(shown, 0, "the course has no lesson (files named NN-slug.md)"))
    if _has_errors(errors):
        return None, errors
    return (
        CourseData(
            slug=folder.name,
            title=values["title"],
            track=values["track"],
            hours=values["hours"],
            summary=values["summary"],
            order=values["order"],
            version=values["version"],
            body_html=body_html,
            source_path=course_path,
            content_hash=digest(
                course_text,
                *([course_added] if course_added else []),
                *(f"{lesson.position}:{lesson.slug}:{lesson.content_hash}" for lesson in lessons),
            ),
            lessons=lessons,
            citations=course_citations,
            reviewed=values["reviewed"],
        ),
        errors,
    )


def read_courses(
    courses_dir: Path,
    *,
    on_progress: Callable[[str], None] | None = None,
    register: Register | None = None,
    today: dt.date | None = None,
) -> tuple[list[CourseData], list[ContentError]]:
    """Every course folder; the problems returned include warnings (``is_warning``)."""
    shown_root = courses_dir.name
    courses: list[CourseData] = []
    errors: list[ContentError] = []
    if not courses_dir.is_dir():
        return [], [ContentError(shown_root, 0, "courses folder not found")]
    for folder in course_dirs(courses_dir):
        course, course_errors = read_course(folder, shown_root, register, today)
        errors += course_errors
        if course:
            courses.append(course)
        if on_progress:
            on_progress(folder.name)
    return courses, errors
