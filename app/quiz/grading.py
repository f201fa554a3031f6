"""Pure grading of one response to one question (see :mod:`app.content.gift` for Question).

``grade(question, response)`` returns the fraction of the question's mark earned, between 0 and
1, or None for types that are not graded automatically (essay, description). Response shapes,
as the web form posts them once decoded:

* multichoice with ``single``: the int index of the chosen answer in ``question.answers``, or
  None when unanswered. Multichoice with several answers: an iterable of int indexes; the
  fractions of the distinct chosen answers are added up (Moodle's rule), then clamped to [0, 1].
* truefalse: True, False, or None when unanswered.
* shortanswer: the text typed. It is compared with each answer after :func:`normalize_text`
  (trimmed, inner whitespace collapsed, Unicode NFC, case-folded; with ``accent_insensitive``
  also without diacritics, "đ" read as "d"). ``*`` in an answer matches any run of characters
  (``\\*`` is a literal star), as in Moodle. The first matching answer in file order counts.
* numerical: a number or the text typed. Spaces are ignored and "," may be the decimal
  separator ("2,5"); a separator that is repeated, or followed by the other one, groups
  thousands in threes ("1.234.567", "1,234.5", "1.234,5"). The first answer in file order
  whose interval contains the value counts (``*`` contains every number); Moodle's tiny slack
  for floating-point error is applied at both ends. Text that is not a number scores 0.
* match: a mapping {index of a subquestion in ``question.answers`` -> the answer text chosen};
  keys may also be decimal strings (as after a JSON round trip). Every pair with a non-empty
  subquestion weighs the same; the score is right ones / number of subquestions.

A response of another shape counts as unanswered (0). Multiple-choice, short-answer and
numerical scores are clamped to [0, 1], so negative weights never make a question negative.

Like Moodle, the *first* matching short-answer or numerical answer in file order gives the
mark (not the best one), so a bank graded in Moodle grades the same here.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Final

from app.content.gift import Answer, Question

_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_GROUPED = {sep: re.compile(rf"[+-]?[0-9]{{1,3}}(?:\{sep}[0-9]{{3}})+") for sep in ",."}
_WILDCARD = re.compile(r"(?<!\\)\*+")
_EPSILON = 1e-14  # 10 ** -precision with PHP's default precision, as Moodle uses it


def normalize_text(s: str, *, accent_insensitive: bool = False) -> str:
    """Normalise a short answer for comparison.

    Trims, collapses inner whitespace to one space, applies Unicode NFC and case folding
    ("CẢI CÁCH" -> "cải cách"); with ``accent_insensitive`` also removes diacritics and reads
    "đ" as "d" ("Cải cách đổi mới" -> "cai cach doi moi").
    """
    return _fold(s, accent_insensitive).strip()


def _fold(s: str, accent_insensitive: bool) -> str:
    """normalize_text() without the final trim (keeps a single edge space)."""
    s = unicodedata.normalize("NFC", s).casefold()
    if accent_insensitive:
        s = unicodedata.normalize("NFD", s)
        s = "".join(c for c in s if not unicodedata.combining(c)).replace("đ", "d")
        s = unicodedata.normalize("NFC", s)
    return re.sub(r"\s+", " ", s)


def _parse_number(response: object) -> float | None:
    """The finite number a numerical response stands for, or None (see the module docstring)."""
    if isinstance(response, bool):
        return None
    if isinstance(response, int | float):
        try:
            number = float(response)
        except OverflowError:
            return None
    elif isinstance(response, str):
        parsed = _number_from_text(response)
        if parsed is None:
            return None
        number = parsed
    else:
        return None
    return number if math.isfinite(number) else None


def _number_from_text(text: str) -> float | None:
    s = "".join(text.split()).replace("\u2212", "-")  # also accept the Unicode minus sign
    separators = [c for c in ",." if c in s]
    if len(separators) == 2:
        decimal = max(separators, key=s.rfind)
    elif separators and s.count(separators[0]) == 1:
        decimal = separators[0]
    else:
        decimal = ""  # no separator, or one that is repeated: it groups thousands
    if decimal:
        integer, _, fraction = s.partition(decimal)
        grouping = "." if decimal == "," else ","
    else:
        integer, fraction = s, ""
        grouping = separators[0] if separators else ""
    if grouping and grouping in integer:
        if not _GROUPED[grouping].fullmatch(integer):
            return None
        integer = integer.replace(grouping, "")
    candidate = f"{integer}.{fraction}" if decimal else integer
    return float(candidate) if _NUMBER.fullmatch(candidate) else None


def _clamp(fraction: float) -> float:
    return min(1.0, max(0.0, fraction))


def _indexes(response: object, count: int) -> set[int]:
    """The distinct valid answer indexes in a multichoice response."""
    if isinstance(response, int):
        items: Iterable[object] = [response]
    elif isinstance(response, Iterable) and not isinstance(response, str | bytes | Mapping):
        items = response
    else:
        return set()
    return {i for i in items if isinstance(i, int) and not isinstance(i, bool) and 0 <= i < count}


def _grade_multichoice(question: Question, response: object, accent_insensitive: bool) -> float:
    chosen = _indexes(response, len(question.answers))
    if question.single and len(chosen) != 1:
        return 0.0
    return _clamp(sum(question.answers[i].fraction for i in chosen))


def _grade_truefalse(question: Question, response: object, accent_insensitive: bool) -> float:
    if not isinstance(response, bool):
        return 0.0
    wanted = "true" if response else "false"
    return _clamp(next((a.fraction for a in question.answers if a.text == wanted), 0.0))


def _matches(pattern: str, response: str, accent_insensitive: bool) -> bool:
    """Moodle's compare_string_with_wildcard() on normalised text."""
    bits = _WILDCARD.split(pattern)
    bits[0], bits[-1] = bits[0].lstrip(), bits[-1].rstrip()
    regex = ".*".join(re.escape(_fold(bit.replace("\\*", "*"), accent_insensitive)) for bit in bits)
    return re.fullmatch(regex, response, re.DOTALL) is not None


def matching_answer(
    question: Question, response: object, *, accent_insensitive: bool = False
) -> int | None:
    """Index of the answer a short-answer or numerical response matches, or None.

    Moodle's rule (``get_matching_answer`` of both question types): the first answer in file
    order that matches gives the mark and the feedback.
    """
    if question.type == "shortanswer":
        if not isinstance(response, str):
            return None
        typed = normalize_text(response, accent_insensitive=accent_insensitive)
        if not typed:
            return None
        matches = (_matches(a.text, typed, accent_insensitive) for a in question.answers)
    elif question.type == "numerical":
        value = _parse_number(response)
        if value is None:
            return None
        matches = (_contains(a, value) for a in question.answers)
    else:
        return None
    return next((i for i, matched in enumerate(matches) if matched), None)


def _grade_matching_answer(question: Question, response: object, accent_insensitive: bool) -> float:
    index = matching_answer(question, response, accent_insensitive=accent_insensitive)
    return 0.0 if index is None else _clamp(question.answers[index].fraction)


def _contains(answer: Answer, value: float) -> bool:
    if answer.value is None:
        return True  # "*": any other answer
    if answer.min is None or answer.max is None:
        return False
    slack = _EPSILON * max(abs(answer.tolerance or 0.0), abs(answer.value), _EPSILON)
    return answer.min - slack <= value <= answer.max + slack


def _match_response(response: object) -> dict[int, str]:
    if not isinstance(response, Mapping):
        return {}
    chosen: dict[int, str] = {}
    for key, value in response.items():
        if isinstance(key, str) and key.isdecimal():
            key = int(key)
        if isinstance(key, int) and not isinstance(key, bool) and isinstance(value, str):
            chosen[key] = value
    return chosen


def _grade_match(question: Question, response: object, accent_insensitive: bool) -> float:
    chosen = _match_response(response)
    stems = [i for i, a in enumerate(question.answers) if a.question]
    if not stems:
        return 0.0
    right = sum(1 for i in stems if chosen.get(i) == question.answers[i].text)
    return right / len(stems)


def _not_graded(question: Question, response: object, accent_insensitive: bool) -> None:
    return None


Grader = Callable[[Question, Any, bool], float | None]

GRADERS: Final[dict[str, Grader]] = {
    "multichoice": _grade_multichoice,
    "truefalse": _grade_truefalse,
    "shortanswer": _grade_matching_answer,
    "numerical": _grade_matching_answer,
    "match": _grade_match,
    "essay": _not_graded,
    "description": _not_graded,
}
"""Grader for each question type: ``grader(question, response, accent_insensitive)``."""


def grade(question: Question, response: Any, *, accent_insensitive: bool = False) -> float | None:
    """Fraction of the question's mark earned, in [0, 1]; None for essay and description.

    Raises ValueError for a question type that has no grader.
    """
    try:
        grader = GRADERS[question.type]
    except KeyError:
        raise ValueError(f"no grader for question type {question.type!r}") from None
    return grader(question, response, accent_insensitive)


def _format_number(number: float) -> str:
    return f"{number:.15g}"


def right_answer_summary(question: Question, *, true_false: tuple[str, str]) -> str:
    """Human-readable right answer(s) for the review page.

    multichoice: the full-credit answer(s) (all positive-weight answers when several must be
    chosen), joined by "; ", e.g. "B; C"; truefalse: ``true_false``'s words for true and false
    (the page's language: this module knows no catalogue); shortanswer: the
    full-credit answers joined by "; "; numerical: "5 ± 0.5" (just "5" with no tolerance);
    match: "subquestion → answer" pairs joined by "; "; essay and description: "".
    """
    answers = question.answers
    if question.type == "multichoice":
        threshold = 1.0 if question.single else 0.0
        return "; ".join(a.text for a in answers if a.fraction >= threshold and a.fraction > 0)
    if question.type == "truefalse":
        right = next((a.text for a in answers if a.fraction == 1.0), "")
        return dict(zip(("true", "false"), true_false, strict=True)).get(right, "")
    if question.type == "shortanswer":
        return "; ".join(a.text for a in answers if a.fraction == 1.0)
    if question.type == "numerical":
        parts = []
        for a in answers:
            if a.fraction != 1.0:
                continue
            if a.value is None:
                parts.append("*")
            elif a.tolerance:
                parts.append(f"{_format_number(a.value)} ± {_format_number(a.tolerance)}")
            else:
                parts.append(_format_number(a.value))
        return "; ".join(parts)
    if question.type == "match":
        return "; ".join(f"{a.question} → {a.text}" for a in answers if a.question)
    return ""
