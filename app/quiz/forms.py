"""Quiz forms: the override form, and the attempt page's fields. Only this module knows the
field names of the attempt page; services receive ``{attempt question id: response}``."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.forms import DateField, Form, plausible_date
from app.models import AttemptQuestion
from app.text import drop_control_characters

MAX_TEXT = 500
MAX_ESSAY = 20_000


class OverrideForm(Form):
    extra_minutes = IntegerField(
        _l("Extra minutes per attempt"),
        default=0,
        validators=[Optional(), NumberRange(min=0, max=24 * 60)],
    )
    extra_attempts = IntegerField(
        _l("Extra attempts this year"),
        default=0,
        validators=[Optional(), NumberRange(min=0, max=20)],
    )
    close_on = DateField(
        _l("Open until (dd/mm/yyyy)"), validators=[Optional(), plausible_date], format="%Y-%m-%d"
    )
    reason = TextAreaField(
        _l("Reason"),
        validators=[DataRequired(), Length(min=5, max=1000)],
        description=_l("E.g. disability, connection failure during the attempt, leave."),
    )


def field_name(item: AttemptQuestion, part: int | None = None) -> str:
    return f"a{item.id}" if part is None else f"a{item.id}-{part}"


def _small_int(value: object) -> int | None:
    """A form value as a small non-negative integer, or None ("²", "1e9", 5,000 digits...)."""
    text = str(value).strip() if value is not None else ""
    if not text or len(text) > 9 or not text.isascii() or not text.isdecimal():
        return None
    return int(text)


def _position(value: str | None, size: int) -> int | None:
    position = _small_int(value)
    return position if position is not None and position < size else None


def _getlist(form: Mapping[str, Any]) -> Callable[[str], list]:
    return form.getlist if hasattr(form, "getlist") else lambda k: list(form.get(k, []))


def _choice(item: AttemptQuestion, form: Mapping[str, Any]) -> Any:
    order, name = item.layout, field_name(item)
    if item.question.data.get("single", True):
        position = _position(form.get(name), len(order))
        return None if position is None else order[position]
    picked = {_position(v, len(order)) for v in _getlist(form)(name)}
    return sorted(order[p] for p in picked if p is not None) or None


def _truefalse(item: AttemptQuestion, form: Mapping[str, Any]) -> Any:
    return {"true": True, "false": False}.get(form.get(field_name(item)))


def _text(limit: int) -> Callable[[AttemptQuestion, Mapping[str, Any]], Any]:
    def parse(item: AttemptQuestion, form: Mapping[str, Any]) -> Any:
        return drop_control_characters(form.get(field_name(item)) or "").strip()[:limit] or None

    return parse


def _pairs(item: AttemptQuestion, form: Mapping[str, Any]) -> Any:
    options = item.layout["options"]
    chosen = {}
    for display, answer_index in enumerate(item.layout["items"]):
        position = _position(form.get(field_name(item, display)), len(options))
        if position is not None:
            chosen[str(answer_index)] = options[position]
    return chosen or None


PARSERS: dict[str, Callable[[AttemptQuestion, Mapping[str, Any]], Any]] = {
    "multichoice": _choice,
    "truefalse": _truefalse,
    "shortanswer": _text(MAX_TEXT),
    "numerical": _text(MAX_TEXT),
    "essay": _text(MAX_ESSAY),
    "match": _pairs,
}
"""The attempt page's fields of each question type, read back as a response (in answer
indexes, see ``qtypes``); a type without fields (description) answers nothing."""


def parse_response(item: AttemptQuestion, form: Mapping[str, Any]) -> Any:
    """The form's answer to one question; None when left empty."""
    parser = PARSERS.get(item.question.type)
    return parser(item, form) if parser is not None else None


def responses(items: Iterable[AttemptQuestion], form: Mapping[str, Any]) -> dict[int, Any]:
    """The answers on the page to the questions it listed in ``shown`` (all of them from the
    page, one from the autosave script), by attempt question id."""
    shown = {n for n in (_small_int(v) for v in _getlist(form)("shown")) if n is not None}
    return {item.id: parse_response(item, form) for item in items if item.id in shown}
