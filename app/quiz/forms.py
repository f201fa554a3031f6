"""Quiz forms: the override form, and the attempt page's fields. Only this module knows the
field names of the attempt page; services receive ``{attempt question id: response}``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.forms import Form, plausible_date
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


def parse_response(item: AttemptQuestion, form: Mapping[str, Any]) -> Any:
    """The form's answer to one question, in answer indexes; None when left empty."""
    getlist = form.getlist if hasattr(form, "getlist") else lambda k: list(form.get(k, []))
    name = field_name(item)
    qtype = item.question.type
    if qtype == "multichoice":
        order = item.layout
        if item.question.data.get("single", True):
            position = _position(form.get(name), len(order))
            return None if position is None else order[position]
        picked = {_position(v, len(order)) for v in getlist(name)}
        chosen = sorted(order[p] for p in picked if p is not None)
        return chosen or None
    if qtype == "truefalse":
        value = form.get(name)
        return {"true": True, "false": False}.get(value)
    if qtype in ("shortanswer", "numerical"):
        value = drop_control_characters(form.get(name) or "").strip()[:MAX_TEXT]
        return value or None
    if qtype == "essay":
        value = drop_control_characters(form.get(name) or "").strip()[:MAX_ESSAY]
        return value or None
    if qtype == "match":
        options = item.layout["options"]
        chosen = {}
        for display, answer_index in enumerate(item.layout["items"]):
            position = _position(form.get(field_name(item, display)), len(options))
            if position is not None:
                chosen[str(answer_index)] = options[position]
        return chosen or None
    return None


def responses(items: Iterable[AttemptQuestion], form: Mapping[str, Any]) -> dict[int, Any]:
    """The answers on the page to the questions it listed in ``shown`` (all of them from the
    page, one from the autosave script), by attempt question id."""
    getlist = form.getlist if hasattr(form, "getlist") else lambda k: list(form.get(k, []))
    shown = {n for n in (_small_int(v) for v in getlist("shown")) if n is not None}
    return {item.id: parse_response(item, form) for item in items if item.id in shown}
