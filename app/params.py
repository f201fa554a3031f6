"""Query parameters shared by several pages, parsed in one place."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from app.models import local_year


def selected_year(args: Mapping[str, str], *, now: datetime) -> int:
    """``?year=``: a training year from 2000 to next year; anything else is this year."""
    this_year = local_year(now)
    try:
        year = int(args.get("year") or this_year)
    except ValueError:
        return this_year
    return year if 2000 <= year <= this_year + 1 else this_year


def page_number(args: Mapping[str, str]) -> int:
    """``?page=``: a page number, 1 when absent or not a number."""
    try:
        return max(1, int(args.get("page") or 1))
    except ValueError:
        return 1
