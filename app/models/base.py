"""Shared model helpers: the clock and the local calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from app.extensions import Base, db

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

__all__ = ["Base", "db", "utcnow", "local_date", "local_year", "local_to_utc", "LOCAL_TZ"]


def utcnow() -> datetime:
    """Now, as a naive UTC datetime (what every ``*_at`` column stores)."""
    return datetime.now(UTC).replace(tzinfo=None)


def local_date(moment: datetime) -> date:
    """The calendar date in Vietnam of a naive UTC datetime."""
    return moment.replace(tzinfo=UTC).astimezone(LOCAL_TZ).date()


def local_year(moment: datetime) -> int:
    """The year in Vietnam of a naive UTC datetime: what completions are credited to."""
    return local_date(moment).year


def local_to_utc(day: date, at: time) -> datetime:
    """A Vietnam wall-clock moment (``day`` at ``at``) as naive UTC."""
    return datetime.combine(day, at, tzinfo=LOCAL_TZ).astimezone(UTC).replace(tzinfo=None)
