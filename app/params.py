"""Query parameters, parsed in one place. A value that a page does not offer is refused with
400 (``BadRequest``), never replaced by a silent default, never a 500, never text that reaches
a response header: an address is either one the site made or a mistake to say so about."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime

from werkzeug.exceptions import BadRequest

from app.models import local_year

FIRST_YEAR = 2000
MAX_PAGE = 100_000
MAX_SEARCH = 100  # characters of a name or username typed in a search box
MAX_CODE = 32  # Unit.code, Position.code


def _digits(value: str, *, max_length: int) -> int:
    """A plain decimal number (ASCII digits only: ``int()`` also takes "١٢", " 12", "1_2")."""
    if not (value.isascii() and value.isdigit()) or len(value) > max_length:
        raise BadRequest()
    return int(value)


def selected_year(args: Mapping[str, str], *, now: datetime) -> int:
    """``?year=``: a training year from 2000 to next year; absent means this year."""
    this_year = local_year(now)
    value = args.get("year", "")
    if value == "":
        return this_year
    year = _digits(value, max_length=4)
    if not FIRST_YEAR <= year <= this_year + 1:
        raise BadRequest()
    return year


def page_number(args: Mapping[str, str]) -> int:
    """``?page=``: a page number from 1; absent means 1. A page past the last one shows the
    last one (``app.pagination``)."""
    value = args.get("page", "")
    if value == "":
        return 1
    page = _digits(value, max_length=len(str(MAX_PAGE)))
    if not 1 <= page <= MAX_PAGE:
        raise BadRequest()
    return page


def choice(args: Mapping[str, str], name: str, allowed: Collection[str], default: str = "") -> str:
    """``?name=``: one of ``allowed``; absent or empty means ``default``."""
    value = args.get(name, "")
    if value == "":
        return default
    if value not in allowed:
        raise BadRequest()
    return value


def code(args: Mapping[str, str], name: str) -> str:
    """``?unit=`` and the like: a code as the site writes them (looked up by the caller, which
    answers 404 for one that does not exist or is out of the viewer's scope)."""
    value = args.get(name, "")
    if len(value) > MAX_CODE or not value.isprintable() or value != value.strip():
        raise BadRequest()
    return value


def search_text(args: Mapping[str, str], name: str = "q") -> str:
    """``?q=``: what was typed in a search box, without surrounding blanks."""
    value = args.get(name, "").strip()
    if len(value) > MAX_SEARCH or not value.isprintable():
        raise BadRequest()
    return value


def record_id(args: Mapping[str, str], name: str) -> int | None:
    """``?user=`` and the like: a row id, or None when absent."""
    value = args.get(name, "")
    if value == "":
        return None
    return _digits(value, max_length=18)
