"""Pure rules: one official's training-compliance status for a year, from facts already counted.

"Đạt chuẩn" (compliant) is the platform's training status against the declared standard, not
the legal annual quality rating of civil servants (Decree 335/2025/NĐ-CP).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

DAYS_PER_MONTH = Decimal("30.4375")  # 365.25 / 12


class Status(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLIANT = "compliant"
    OVERDUE = "overdue"
    EXEMPT = "exempt"
    NOT_APPLICABLE = "not_applicable"  # outside the standard's scope (unit kind, position)


STATUS_ORDER = [
    Status.COMPLIANT,
    Status.IN_PROGRESS,
    Status.NOT_STARTED,
    Status.OVERDUE,
    Status.EXEMPT,
    Status.NOT_APPLICABLE,
]


@dataclass(frozen=True)
class StandardRules:
    year: int
    start: date
    deadline: date
    min_hours: Decimal | None
    count_external: bool
    external_cap: Decimal | None
    min_months_worked: int | None
    joined_after: date | None


@dataclass(frozen=True, slots=True)
class Facts:
    """What the database says about one official for the year (counted in SQL)."""

    applicable: bool
    required_total: int
    required_done: int
    platform_hours: Decimal
    external_hours: Decimal
    has_activity: bool
    joined_on: date | None
    leave: tuple[tuple[date, date], ...] = ()  # long-leave periods (first day, last day)
    exemption_reason: str | None = None  # recorded by HR
    extended_deadline: date | None = None
    missing: tuple[str, ...] = ()  # titles of required courses not yet completed


@dataclass(frozen=True, slots=True)
class Result:
    status: Status
    hours: Decimal  # hours counted toward the standard
    hours_required: Decimal | None
    required_total: int
    required_done: int
    missing: tuple[str, ...]
    deadline: date
    days_left: int  # negative once past the deadline
    exemption: tuple[str, str] | None = field(default=None)  # (kind, detail)

    @property
    def courses_percent(self) -> int:
        if not self.required_total:
            return 100
        return round(100 * self.required_done / self.required_total)

    @property
    def hours_percent(self) -> int:
        if not self.hours_required:
            return 100
        return min(100, round(100 * self.hours / self.hours_required))


def months_worked(
    rules: StandardRules, joined_on: date | None, leave: tuple[tuple[date, date], ...]
) -> Decimal:
    """Months in service during the standard's year, less long leave taken while in service."""
    first = date(rules.year, 1, 1)
    last = date(rules.year, 12, 31)
    start = max(first, joined_on) if joined_on else first
    if start > last:
        return Decimal(0)
    away: set[int] = set()
    for leave_start, leave_end in leave:
        away.update(
            range(max(leave_start, start).toordinal(), min(leave_end, last).toordinal() + 1)
        )
    days = (last - start).days + 1 - len(away)
    return max(Decimal(0), Decimal(days) / DAYS_PER_MONTH)


def counted_hours(rules: StandardRules, facts: Facts) -> Decimal:
    external = facts.external_hours if rules.count_external else Decimal(0)
    if rules.external_cap is not None:
        external = min(external, rules.external_cap)
    return facts.platform_hours + external


def exemption(rules: StandardRules, facts: Facts) -> tuple[str, str] | None:
    if facts.exemption_reason:
        return ("recorded", facts.exemption_reason)
    if rules.joined_after and facts.joined_on and facts.joined_on > rules.joined_after:
        return ("joined_after", rules.joined_after.isoformat())
    if rules.min_months_worked:
        months = months_worked(rules, facts.joined_on, facts.leave)
        if months < rules.min_months_worked:
            return ("months_worked", f"{months.quantize(Decimal('0.1'))}")
    return None


def evaluate(rules: StandardRules, facts: Facts, today: date) -> Result:
    """In order: not covered; meets the standard (even when exempt: what was done counts, and
    earns the certificate); exempt; overdue; in progress; not started."""
    deadline = max(rules.deadline, facts.extended_deadline or rules.deadline)
    hours = counted_hours(rules, facts)
    common = {
        "hours": hours,
        "hours_required": rules.min_hours,
        "required_total": facts.required_total,
        "required_done": facts.required_done,
        "missing": facts.missing,
        "deadline": deadline,
        "days_left": (deadline - today).days,
    }
    if not facts.applicable:
        return Result(Status.NOT_APPLICABLE, **common)
    courses_ok = facts.required_done >= facts.required_total
    hours_ok = rules.min_hours is None or hours >= rules.min_hours
    if courses_ok and hours_ok:
        return Result(Status.COMPLIANT, **common)
    exempt = exemption(rules, facts)
    if exempt:
        return Result(Status.EXEMPT, exemption=exempt, **common)
    if today > deadline:
        return Result(Status.OVERDUE, **common)
    if facts.has_activity or facts.required_done or hours:
        return Result(Status.IN_PROGRESS, **common)
    return Result(Status.NOT_STARTED, **common)
