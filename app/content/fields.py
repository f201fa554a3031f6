"""Declarative checks for front matter and YAML settings, reporting ``path:line`` errors."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from app.content.errors import ContentError
from app.content.markdown import Document


@dataclass(frozen=True)
class Field:
    name: str
    kind: str = "text"  # text | number | int | bool | choice | date | text_list | mapping | raw
    required: bool = False
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    default: Any = None
    nullable: bool = False  # an explicit empty value is allowed and means "none"
    max_length: int | None = None  # for text: what the database column holds


def _convert(field: Field, value: Any) -> Any:
    """Return the checked value or raise ValueError with a message for authors."""
    if value is None:
        if field.nullable:
            return None
        raise ValueError("must not be empty")
    kind = field.kind
    if kind == "text":
        if isinstance(value, bool) or isinstance(value, (dict, list)):
            raise ValueError("must be text")
        text = str(value).strip()
        if field.required and not text:
            raise ValueError("must not be empty")
        if field.max_length is not None and len(text) > field.max_length:
            raise ValueError(f"is {len(text)} characters long; at most {field.max_length}")
        return text
    if kind in ("number", "int"):
        if isinstance(value, bool):
            raise ValueError(f"must be a {'whole ' if kind == 'int' else ''}number")
        try:
            number = Decimal(str(value).replace(",", ".").strip())
        except InvalidOperation:
            raise ValueError(
                f"must be a {'whole ' if kind == 'int' else ''}number, not {value!r}"
            ) from None
        if not number.is_finite():
            raise ValueError("must be a finite number")
        if kind == "int":
            if number != number.to_integral_value():
                raise ValueError(f"must be a whole number, not {value!r}")
            number = int(number)
        if field.minimum is not None and number < field.minimum:
            raise ValueError(f"must be at least {field.minimum:g}")
        if field.maximum is not None and number > field.maximum:
            raise ValueError(f"must be at most {field.maximum:g}")
        return number
    if kind == "bool":
        if not isinstance(value, bool):
            raise ValueError("must be true or false")
        return value
    if kind == "choice":
        text = str(value).strip()
        if text not in field.choices:
            raise ValueError(f"must be one of {', '.join(field.choices)}, not {value!r}")
        return text
    if kind == "date":
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value).strip())
        except ValueError:
            raise ValueError(f"must be a date written YYYY-MM-DD, not {value!r}") from None
    if kind == "text_list":
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(
            isinstance(v, (str, int)) and not isinstance(v, bool) for v in value
        ):
            raise ValueError("must be a list of names")
        return [str(v).strip() for v in value]
    if kind == "raw":  # checked by the caller, which knows the lines of the items
        return value
    if kind == "mapping":
        if not isinstance(value, dict):
            raise ValueError("must be a set of 'key: value' lines")
        return value
    if kind == "raw":  # checked by the caller
        return value
    raise AssertionError(f"unknown field kind {kind}")  # pragma: no cover


def check_fields(
    doc: Document, fields: list[Field], *, what: str = "front matter", prefix: str = ""
) -> tuple[dict[str, Any], list[ContentError]]:
    """Validate ``doc.meta`` (or the mapping at ``prefix``) against ``fields``.

    Unknown keys are errors too, so that a misspelt field never passes silently.
    """
    meta = doc.meta
    for part in filter(None, prefix.rstrip(".").split(".")):
        meta = meta.get(part) or {}
    values: dict[str, Any] = {}
    errors: list[ContentError] = []
    known = {f.name for f in fields}
    for key in meta:
        if key not in known:
            errors.append(
                ContentError(
                    doc.path,
                    doc.line_of(prefix + key),
                    f"{what}: unknown field '{prefix}{key}' "
                    f"(expected one of: {', '.join(sorted(known))})",
                )
            )
    for field in fields:
        if field.name not in meta:
            if field.required:
                line = doc.line_of(prefix.rstrip(".")) if prefix else doc.start_line
                errors.append(
                    ContentError(doc.path, line, f"{what}: missing '{prefix}{field.name}'")
                )
            else:
                values[field.name] = field.default
            continue
        try:
            values[field.name] = _convert(field, meta[field.name])
        except ValueError as exc:
            errors.append(
                ContentError(
                    doc.path,
                    doc.line_of(prefix + field.name),
                    f"{what}: '{prefix}{field.name}' {exc}",
                )
            )
    return values, errors
