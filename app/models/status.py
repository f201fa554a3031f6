"""Kept compliance statuses: each official's status for each year with a standard, and each
unit's counts, kept up to date as the facts change (``app.compliance.kept``).

A status row holds the rules' result as of any day up to the deadline (``status`` is never
"overdue"): readers turn "in progress" and "not started" into "overdue" once the row's own
``deadline`` has passed, so the morning after a deadline is right without anything rewritten.

Writers mark what they touched with ``touch``/``touch_all``; changes made through the ORM are
noticed by themselves. The marks are settled before the kept rows are read and at commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import db, utcnow

MARKS = "kept_status_marks"


class ComplianceStatus(db.Model):
    __table_args__ = (
        Index("ix_compliance_status_year_unit", "year", "unit_id"),
        Index("ix_compliance_status_year_status", "year", "status"),
        Index("ix_compliance_status_year_position", "year", "position_id"),
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    standard_id: Mapped[int] = mapped_column(ForeignKey("standard.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))  # the unit on the deadline
    home_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))  # today's (the HR scope)
    position_id: Mapped[int | None] = mapped_column(ForeignKey("position.id"))
    status: Mapped[str] = mapped_column(String(20))  # as before the deadline: never "overdue"
    deadline: Mapped[date]  # the official's own (the latest extension's, if any)
    hours: Mapped[Decimal] = mapped_column(Numeric(8, 2))
    required_total: Mapped[int]
    required_done: Mapped[int]
    missing: Mapped[str] = mapped_column(String(500), default="")  # course ids "3,5", in order
    last_activity: Mapped[datetime | None]
    exemption_kind: Mapped[str | None] = mapped_column(String(20))
    exemption_detail: Mapped[str | None] = mapped_column(Text)
    joined_after_deadline: Mapped[bool] = mapped_column(default=False)
    left_on: Mapped[date | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ComplianceCount(db.Model):
    """How many officials of a unit (on the deadline; ``home_unit_id``: today's, which decides
    who may see them) have a kept status with a deadline: the dashboard adds these up, turning
    a passed deadline into "overdue". A few rows per unit: a dashboard filtered by position
    groups the kept statuses instead."""

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    unit_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    status: Mapped[str] = mapped_column(String(20), primary_key=True)
    deadline: Mapped[date] = mapped_column(primary_key=True)
    # last: the scope filters it, the key is searched by year and unit
    home_unit_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    n: Mapped[int]


def _marks(session) -> dict:
    return session.info.setdefault(MARKS, {"users": {}, "all": set()})


def touch(user_ids: Iterable[int], years: Iterable[int] | None = None, *, session=None) -> None:
    """The facts of these officials changed (in ``years``; None: in any year)."""
    users = _marks(session or db.session)["users"]
    for user_id in user_ids:
        known = users.get(user_id, set())
        if known is not None:
            users[user_id] = None if years is None else known | set(years)


def touch_all(years: Iterable[int] | None = None, *, session=None) -> None:
    """Something that can change anyone's status changed (a standard, the unit tree)."""
    _marks(session or db.session)["all"].update([None] if years is None else years)


# Bulk statements (``insert``/``update``/``delete`` run through the session) on the facts' tables
# mark every status unless they carry this option, saying their caller marked what they touched.
TOUCHED = {"kept_statuses_touched": True}
