"""Read ``quizzes/``: question files (GIFT ``.gift`` or Aiken ``.aiken``) and their settings.

``quizzes/<slug>.gift`` holds the questions; an optional sidecar ``quizzes/<slug>.yml`` holds
the settings (see ``SETTINGS_FIELDS`` and the README). Question text, answers and feedback are
rendered and sanitised here, once. Pure: no database.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from app.content.aiken import parse_aiken
from app.content.courses import SLUG
from app.content.errors import ContentError
from app.content.fields import Field, check_fields
from app.content.files import digest, read_text
from app.content.gift import parse_gift
from app.content.legal import Citation, Register, check_citations, gift_sources
from app.content.markdown import (
    Document,
    parse_yaml,
    render_markdown_checked,
    render_text,
    swallowing_error,
    text_swallower,
)
from app.content.questions import ParsedQuestion, question_to_dict
from app.models.base import local_to_utc

END_OF_DAY = dt.time(23, 59, 59)
PARSERS = {".gift": parse_gift, ".aiken": parse_aiken}
SETTINGS_SUFFIXES = (".yml", ".yaml")
GRADING = ("highest", "last", "first", "average")
REVIEW = ("score", "answers", "feedback")
# When an official looks at a submitted attempt, and what they see then by default: the score
# between attempts, the right answers and feedback once no attempt is left (or the quiz closed).
REVIEW_TIMES = {"immediately": "score", "open": "score", "closed": "feedback"}
OVERDUE = ("autosubmit", "grace", "discard")
GRADED_TYPES = {"multichoice", "truefalse", "shortanswer", "numerical", "match"}
DRAWABLE_TYPES = GRADED_TYPES | {"essay"}

NAME_MAX = 250  # what the question title and category columns hold

SETTINGS_FIELDS = [
    Field("title", max_length=250),
    Field("course"),
    Field("intro", default=""),
    Field("pass_mark", "number", minimum=0, maximum=100, default=Decimal(50)),
    Field("time_limit", "int", minimum=1, maximum=24 * 60, nullable=True),
    Field("attempts", "int", minimum=0, maximum=1000, default=0),
    Field("draw", default="all"),
    Field("draw_per_category", "mapping", nullable=True),
    Field("shuffle_answers", "bool", default=True),
    Field("grading", "choice", choices=GRADING, default="highest"),
    Field("review", "raw", nullable=True),  # a word, or a word per REVIEW_TIMES
    Field("when_time_expires", "choice", choices=OVERDUE, default="autosubmit"),
    Field("grace_minutes", "int", minimum=0, maximum=7 * 24 * 60, default=0),
    Field("accent_insensitive", "bool", default=False),
    Field("close", "date", nullable=True),
    Field("reviewed", "date", nullable=True),
]


@dataclass
class QuestionData:
    question: ParsedQuestion
    position: int
    text_html: str
    rendered: dict[str, Any]
    content_hash: str
    citations: list[Citation] = field(default_factory=list)

    @property
    def data(self) -> dict[str, Any]:
        return question_to_dict(self.question)


@dataclass
class QuizData:
    slug: str
    title: str
    course_slug: str | None
    intro_html: str
    pass_mark: Decimal
    time_limit_minutes: int | None
    attempts_allowed: int
    draw_count: int | None
    draw_per_category: dict[str, int] | None
    shuffle_answers: bool
    grading_method: str
    review_immediately: str
    review_open: str
    review_closed: str
    overdue_policy: str
    grace_minutes: int
    accent_insensitive: bool
    close_at: dt.datetime | None
    source_path: str
    settings_path: str | None
    course_line: int
    content_hash: str
    questions: list[QuestionData] = field(default_factory=list)
    reviewed: dt.date | None = None


def question_hash(question: ParsedQuestion) -> str:
    """Identity of a question's content: what it asks and how it is graded. Where it sits
    (line, title, category, tags) does not count, so those can change without making a
    new question for statistics."""
    data = question_to_dict(question)
    for placement in ("line", "title", "category", "idnumber", "tags"):
        data.pop(placement, None)
    return digest(json.dumps(data, sort_keys=True, ensure_ascii=False))


def render_question(question: ParsedQuestion) -> tuple[str, dict[str, Any]]:
    """Sanitised HTML of the question text, and of its answers and feedback."""
    answers = [render_text(a.text, a.text_format) for a in question.answers]
    rendered: dict[str, Any] = {
        "answers": answers,
        "feedback": [render_text(a.feedback, a.feedback_format) for a in question.answers],
        "general_feedback": render_text(
            question.general_feedback, question.general_feedback_format
        ),
    }
    if question.type == "match":
        rendered["items"] = [
            render_text(a.question, a.question_format) if a.question else ""
            for a in question.answers
        ]
    return render_text(question.text, question.text_format), rendered


def _swallowing(question: ParsedQuestion, shown: str) -> list[ContentError]:
    """An unclosed ``<script>``, ``<iframe>``, comment… in a question's texts would make the
    sanitiser drop everything after it: an error on the question's line."""
    texts = [("question text", question.text, question.text_format)]
    for number, answer in enumerate(question.answers, start=1):
        if question.type == "match":
            texts.append((f"pair {number}", answer.question, answer.question_format))
        else:
            texts.append((f"answer {number}", answer.text, answer.text_format))
        texts.append((f"feedback of answer {number}", answer.feedback, answer.feedback_format))
    texts.append(("general feedback", question.general_feedback, question.general_feedback_format))
    errors = []
    for label, text, text_format in texts:
        opening = text_swallower(text, text_format)
        if opening:
            errors.append(swallowing_error(opening, shown, question.line, f"{label}: "))
    return errors


def _check_draw(
    settings: dict, doc: Document | None, questions: list[ParsedQuestion], shown: str
) -> list[ContentError]:
    def at(key: str) -> int:
        return doc.line_of(key) if doc else 0

    path = doc.path if doc else shown
    errors: list[ContentError] = []
    drawable = [q for q in questions if q.type in DRAWABLE_TYPES]
    draw = settings["draw"]
    if isinstance(draw, str) and draw.strip().lower() == "all":
        settings["draw"] = None
    else:
        try:
            count = int(str(draw))
        except ValueError:
            count = 0
        if count < 1:
            errors.append(
                ContentError(
                    path, at("draw"), f"'draw' must be 'all' or a whole number, not {draw!r}"
                )
            )
        elif count > len(drawable):
            errors.append(
                ContentError(
                    path,
                    at("draw"),
                    f"'draw' asks for {count} questions but the file has {len(drawable)}",
                )
            )
        settings["draw"] = count if count >= 1 else None
    per_category = settings["draw_per_category"]
    if per_category:
        available = Counter(q.category for q in drawable)
        clean: dict[str, int] = {}
        for name, value in per_category.items():
            line = at(f"draw_per_category.{name}")
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                errors.append(
                    ContentError(
                        path, line, f"'draw_per_category.{name}' must be a whole number ≥ 1"
                    )
                )
            elif str(name) not in available:
                errors.append(
                    ContentError(path, line, f"no question is in category '{name}' (see $CATEGORY)")
                )
            elif value > available[str(name)]:
                errors.append(
                    ContentError(
                        path,
                        line,
                        f"category '{name}' has {available[str(name)]} questions, "
                        f"{value} are asked for",
                    )
                )
            else:
                clean[str(name)] = value
        settings["draw_per_category"] = clean or None
        wanted = sum(clean.values())
        if settings["draw"] is not None and settings["draw"] < wanted:
            errors.append(
                ContentError(
                    path,
                    at("draw"),
                    f"'draw' is {settings['draw']} but draw_per_category asks for {wanted}",
                )
            )
    return errors


def _check_review(value: Any, doc: Document | None) -> tuple[dict[str, str], list[ContentError]]:
    """``review: feedback`` (the same at every time) or ``review:`` with ``immediately``,
    ``open`` and ``closed`` lines; a time left out keeps its default (``REVIEW_TIMES``)."""
    review = dict(REVIEW_TIMES)
    if value is None:
        return review, []
    path = doc.path if doc else ""
    words = ", ".join(REVIEW)
    if isinstance(value, str):
        if value.strip() not in REVIEW:
            message = f"settings: 'review' must be one of {words}, not {value!r}"
            return review, [ContentError(path, doc.line_of("review") if doc else 0, message)]
        return dict.fromkeys(REVIEW_TIMES, value.strip()), []
    if not isinstance(value, dict):
        line = doc.line_of("review") if doc else 0
        message = (
            f"settings: 'review' must be one of {words}, or lines "
            f"{', '.join(REVIEW_TIMES)} each with one of them"
        )
        return review, [ContentError(path, line, message)]
    errors = []
    for key, word in value.items():
        line = doc.line_of(f"review.{key}") if doc else 0
        if key not in REVIEW_TIMES:
            message = (
                f"settings: unknown field 'review.{key}' "
                f"(expected one of: {', '.join(REVIEW_TIMES)})"
            )
            errors.append(ContentError(path, line, message))
        elif not isinstance(word, str) or word.strip() not in REVIEW:
            message = f"settings: 'review.{key}' must be one of {words}, not {word!r}"
            errors.append(ContentError(path, line, message))
        else:
            review[key] = word.strip()
    return review, errors


def read_quiz(
    path: Path,
    shown_root: str,
    register: Register | None = None,
    today: dt.date | None = None,
) -> tuple[QuizData | None, list[ContentError]]:
    """One question file and its settings: the quiz (None when any error was found) and its
    problems, warnings included (``is_warning``)."""
    quiz, errors, warnings = _read_quiz(
        path, shown_root, register or Register(f"{shown_root}/legal.yml"), today
    )
    return (None if errors else quiz), errors + warnings


def _read_quiz(
    path: Path, shown_root: str, register: Register, today: dt.date | None
) -> tuple[QuizData | None, list[ContentError], list[ContentError]]:
    shown = f"{shown_root}/{path.name}"
    slug = path.stem
    errors: list[ContentError] = []
    warnings: list[ContentError] = []
    if not SLUG.match(slug):
        errors.append(
            ContentError(
                shown,
                0,
                "file name must be a slug: lowercase letters, digits, hyphens, "
                "at most 100 characters",
            )
        )
    try:
        text = read_text(path, shown)
    except ContentError as exc:
        return None, [exc], []
    questions, parse_problems = PARSERS[path.suffix](text, shown)
    errors += [p for p in parse_problems if not p.is_warning]
    warnings += [p for p in parse_problems if p.is_warning]
    cited: dict[int, list[Citation]] = {}
    if path.suffix == ".gift":
        cited, source_errors = gift_sources(
            text, shown, (q.line for q in questions), parsed_cleanly=not errors
        )
        errors += source_errors

    settings_file = next(
        (path.with_suffix(s) for s in SETTINGS_SUFFIXES if path.with_suffix(s).is_file()), None
    )
    doc: Document | None = None
    settings_text = ""
    settings: dict[str, Any] = {f.name: f.default for f in SETTINGS_FIELDS}
    if settings_file is not None:
        settings_shown = f"{shown_root}/{settings_file.name}"
        try:
            settings_text = read_text(settings_file, settings_shown)
            doc = parse_yaml(settings_text, settings_shown)
            settings, field_errors = check_fields(doc, SETTINGS_FIELDS, what="settings")
            errors += field_errors
        except ContentError as exc:
            errors.append(exc)
    review, review_errors = _check_review(settings["review"], doc)
    errors += review_errors
    if errors:
        return None, errors, warnings
    if settings["when_time_expires"] == "grace" and not settings["grace_minutes"]:
        errors.append(
            ContentError(
                doc.path if doc else shown,
                doc.line_of("when_time_expires") if doc else 0,
                "'when_time_expires: grace' needs 'grace_minutes' greater than 0",
            )
        )
    for question in questions:
        if len(question.category) > NAME_MAX:
            errors.append(
                ContentError(
                    shown,
                    question.line,
                    f"the $CATEGORY path is {len(question.category)} characters long; "
                    f"at most {NAME_MAX}",
                )
            )
        if len(question.title) > NAME_MAX:  # Moodle shortens a long name too
            question.title = question.title[: NAME_MAX - 1].rstrip() + "…"
    for question in questions:
        errors += _swallowing(question, shown)
    intro_html = ""
    if settings["intro"] and doc is not None:
        intro_html, _toc, swallowed = render_markdown_checked(
            settings["intro"], doc.path, doc.line_of("intro")
        )
        errors += swallowed
    graded = [q for q in questions if q.type in DRAWABLE_TYPES]
    if not graded:
        errors.append(ContentError(shown, 0, "the file has no question to answer"))
    errors += _check_draw(settings, doc, questions, shown)
    citations = [c for q in questions for c in cited.get(q.line, [])]
    for problem in check_citations(
        register,
        citations,
        reviewed=settings["reviewed"],
        review_path=doc.path if doc else shown,
        review_line=(doc.line_of("reviewed") if "reviewed" in doc.meta else 0) if doc else 0,
        what="the quiz",
        today=today or dt.date.today(),
    ):
        (warnings if problem.is_warning else errors).append(problem)
    if errors:
        return None, errors, warnings

    items = []
    for position, question in enumerate(questions, start=1):
        if question.type not in DRAWABLE_TYPES:
            continue  # descriptions are not drawn into attempts
        text_html, rendered = render_question(question)
        items.append(
            QuestionData(
                question=question,
                position=position,
                text_html=text_html,
                rendered=rendered,
                content_hash=question_hash(question),
                citations=cited.get(question.line, []),
            )
        )
    seen: set[str] = set()
    for item in items:
        if item.content_hash in seen:
            errors.append(
                ContentError(shown, item.question.line, "the same question appears twice")
            )
        seen.add(item.content_hash)
    if errors:
        return None, errors, warnings
    return (
        QuizData(
            slug=slug,
            title=settings["title"] or slug,
            course_slug=settings["course"] or None,
            intro_html=intro_html,
            pass_mark=settings["pass_mark"],
            time_limit_minutes=settings["time_limit"],
            attempts_allowed=settings["attempts"],
            draw_count=settings["draw"],
            draw_per_category=settings["draw_per_category"],
            shuffle_answers=settings["shuffle_answers"],
            grading_method=settings["grading"],
            review_immediately=review["immediately"],
            review_open=review["open"],
            review_closed=review["closed"],
            overdue_policy=settings["when_time_expires"],
            grace_minutes=settings["grace_minutes"],
            accent_insensitive=settings["accent_insensitive"],
            close_at=local_to_utc(settings["close"], END_OF_DAY) if settings["close"] else None,
            source_path=shown,
            settings_path=doc.path if doc else None,
            course_line=doc.line_of("course") if doc else 0,
            content_hash=digest(text, settings_text),
            questions=items,
            reviewed=settings["reviewed"],
        ),
        [],
        warnings,
    )


def read_quizzes(
    quizzes_dir: Path, *, register: Register | None = None, today: dt.date | None = None
) -> tuple[list[QuizData], list[ContentError]]:
    """Every quiz; the problems returned include warnings (``is_warning``)."""
    shown_root = quizzes_dir.name
    if not quizzes_dir.is_dir():
        return [], [ContentError(shown_root, 0, "quizzes folder not found")]
    quizzes: list[QuizData] = []
    errors: list[ContentError] = []
    files = sorted(p for p in quizzes_dir.iterdir() if p.is_file() and p.suffix in PARSERS)
    stems = Counter(p.stem for p in files)
    for path in files:
        if stems[path.stem] > 1:
            errors.append(
                ContentError(
                    f"{shown_root}/{path.name}", 0, f"several question files for quiz '{path.stem}'"
                )
            )
            continue
        quiz, quiz_errors = read_quiz(path, shown_root, register, today)
        errors += quiz_errors
        if quiz:
            quizzes.append(quiz)
    question_stems = set(stems)
    for settings in sorted(quizzes_dir.iterdir()):
        if settings.suffix in SETTINGS_SUFFIXES and settings.stem not in question_stems:
            errors.append(
                ContentError(
                    f"{shown_root}/{settings.name}",
                    0,
                    f"settings without a question file ({settings.stem}.gift or .aiken)",
                )
            )
    return quizzes, errors
