"""What each question type does beyond grading, in one registry (as ``grading.GRADERS`` for
grades): how an attempt lays it out, how a response is shown and which answers' feedback
applies, how statistics label a response. Services, review and statistics look a type up here
instead of branching on it.

Responses are stored in answer indexes: a multichoice response is an index (or a list of them),
true/false a boolean, short answer and numerical the text typed, matching ``{item index:
chosen answer text}``, essay the text.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from markupsafe import Markup, escape

from app.content.questions import ParsedQuestion
from app.quiz import grading

Layout = Callable[[list[dict], bool, random.Random], Any]


def _no_layout(_answers: list[dict], _shuffle: bool, _rng: random.Random) -> None:
    return None


def _choice_order(answers: list[dict], shuffle: bool, rng: random.Random) -> list[int]:
    order = list(range(len(answers)))
    if shuffle:
        rng.shuffle(order)
    return order


def _match_layout(answers: list[dict], shuffle: bool, rng: random.Random) -> dict:
    items = [i for i, a in enumerate(answers) if a.get("question")]
    options = list(dict.fromkeys(a["text"] for a in answers))
    if shuffle:
        rng.shuffle(options)
    return {"items": items, "options": options}


def _chosen_indexes(response: Any) -> list[int]:
    return response if isinstance(response, list) else [response]


def _show_choices(rendered: dict, response: Any, _words: tuple[str, str]) -> list[Markup]:
    return [Markup(rendered["answers"][i]) for i in _chosen_indexes(response)]


def _show_truefalse(_rendered: dict, response: Any, words: tuple[str, str]) -> list[Markup]:
    return [escape(words[0] if response else words[1])]


def _show_pairs(rendered: dict, response: Any, _words: tuple[str, str]) -> list[Markup]:
    items = rendered.get("items", [])
    return [
        Markup(items[int(k)]) + Markup(" → ") + escape(v)
        for k, v in sorted(response.items(), key=lambda kv: int(kv[0]))
    ]


def _show_text(_rendered: dict, response: Any, _words: tuple[str, str]) -> list[Markup]:
    return [escape(str(response))]


def _choices_answered(question: ParsedQuestion, response: Any, _accent: bool) -> list[int]:
    return _chosen_indexes(response)


def _truefalse_answered(_question: ParsedQuestion, response: Any, _accent: bool) -> list[int]:
    return [0 if response else 1]  # the answers are "true" then "false"


def _text_answered(question: ParsedQuestion, response: Any, accent: bool) -> list[int]:
    index = grading.matching_answer(question, response, accent_insensitive=accent)
    return [] if index is None else [index]


def _nothing_answered(_question: ParsedQuestion, _response: Any, _accent: bool) -> list[int]:
    return []


def _label_choices(rendered: dict, key: str) -> Markup:
    answers = rendered.get("answers", [])
    parts = [int(p) for p in key.split(",") if p.isdigit()]
    return Markup("; ").join(Markup(answers[i]) for i in parts if i < len(answers))


def _label_key(_rendered: dict, key: str) -> Markup:
    return escape(key)


@dataclass(frozen=True)
class QuestionType:
    layout: Layout = _no_layout
    """How an attempt shows it: answer order for choices, items and options for matching."""
    show: Callable[[dict, Any, tuple[str, str]], list[Markup]] = _show_text
    """A response as the result page shows it (``rendered`` answers, true/false words)."""
    answered: Callable[[ParsedQuestion, Any, bool], list[int]] = _nothing_answered
    """Indexes of the answers a response chose or matched: whose feedback applies."""
    label: Callable[[dict, str], Markup] = _label_key
    """A response key (``services.response_key``) as the statistics show it."""


TYPES: Final[dict[str, QuestionType]] = {
    "multichoice": QuestionType(
        layout=_choice_order, show=_show_choices, answered=_choices_answered, label=_label_choices
    ),
    "truefalse": QuestionType(show=_show_truefalse, answered=_truefalse_answered),
    "shortanswer": QuestionType(answered=_text_answered),
    "numerical": QuestionType(answered=_text_answered),
    "match": QuestionType(layout=_match_layout, show=_show_pairs),
    "essay": QuestionType(),
    "description": QuestionType(),
}


def of(qtype: str) -> QuestionType:
    try:
        return TYPES[qtype]
    except KeyError:
        raise ValueError(f"unknown question type {qtype!r}") from None
