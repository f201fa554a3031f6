"""The question data model: what a question file (GIFT or Aiken) says, as Moodle would store
it. Readers (``gift``, ``aiken``) produce it; grading, review and statistics read it, so they
depend on this model and not on a parser. ``question_to_dict``/``question_from_dict`` store it
losslessly in ``Question.data`` (the database row)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any


@dataclass
class Answer:
    """One answer of a question (one pair of a matching question)."""

    text: str
    """Answer text, escapes resolved. Match: the right-hand answer. Numerical: the value as
    written, e.g. ``"5:0.5"``, ``"4..6"`` or ``"*"``. True/false: ``"true"`` or ``"false"``."""
    fraction: float
    """Weight as a fraction of the mark. Match: 1.0 for a pair, 0.0 for an extra distractor."""
    feedback: str = ""
    question: str = ""
    """Match only: the left-hand subquestion ("" for an extra distractor answer)."""
    value: float | None = None
    """Numerical only: the right value (None for the catch-all ``*``)."""
    tolerance: float | None = None
    """Numerical only: absolute tolerance (None for ``*``)."""
    min: float | None = None
    """Numerical only: value - tolerance (for a range, its lower end as written)."""
    max: float | None = None
    """Numerical only: value + tolerance (for a range, its upper end as written)."""
    text_format: str = "moodle"
    """Format of ``text``; "plain" where Moodle keeps a bare string (short-answer, numerical,
    true/false and matching answers)."""
    feedback_format: str = "moodle"
    question_format: str = "moodle"
    """Match only: format of ``question``."""


@dataclass
class ParsedQuestion:
    """One imported question, as Moodle would store it."""

    type: str
    """Moodle type name: multichoice, truefalse, shortanswer, match, numerical, essay,
    description."""
    text: str
    """Question text, escapes resolved, ``_____`` where a missing word goes."""
    text_format: str = "moodle"
    title: str = ""
    """The ``::title::`` ("" if none; Moodle would derive a name from the text)."""
    category: str = ""
    """The ``$CATEGORY`` in force ("" if none), as written, e.g. ``$course$/top/Chương 1``."""
    answers: list[Answer] = field(default_factory=list)
    general_feedback: str = ""
    single: bool = True
    """Multichoice: True when the answer block has an ``=`` (Moodle's rule), i.e. exactly one
    answer is chosen; False for a multiple-answer question. True for the other types."""
    line: int = 0
    """1-based line where the question starts (its first line that is not a comment)."""
    general_feedback_format: str = "moodle"
    idnumber: str = ""
    """From an ``[id:…]`` in the question's comment lines (Moodle 3.6+ exports it)."""
    tags: list[str] = field(default_factory=list)
    """From ``[tag:…]`` in the question's comment lines."""


_ANSWER_FIELDS = tuple(f.name for f in fields(Answer))
_QUESTION_FIELDS = tuple(f.name for f in fields(ParsedQuestion) if f.name != "answers")


def question_to_dict(q: ParsedQuestion) -> dict[str, Any]:
    """JSON-serialisable, lossless representation (every field of Question and Answer)."""
    return asdict(q)


def question_from_dict(d: dict[str, Any]) -> ParsedQuestion:
    """Inverse of :func:`question_to_dict`; fields missing from ``d`` take their defaults."""
    answers = [Answer(**{k: a[k] for k in _ANSWER_FIELDS if k in a}) for a in d.get("answers", [])]
    values = {k: d[k] for k in _QUESTION_FIELDS if k in d}
    if "tags" in values:
        values["tags"] = list(values["tags"])
    return ParsedQuestion(answers=answers, **values)
