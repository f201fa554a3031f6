"""Pure rules: one official's training-compliance status for a year, from facts already counted.

"Đạt chuẩn" (compliant) is the platform's training status against the declared standard, not
the legal annual quality rating of civil servants (Decree 335/2025/NĐ-CP).
"""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal
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
    left_on: date | None = None  # last day of service of a leaver


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
    joined_after_deadline: bool = False  # not covered: not yet in service on the deadline
    left_on: date | None = None  # set when not covered: no longer in service on the deadline

    @property
    def courses_percent(self) -> int:
        if not self.required_total:
            return 100
        return round(100 * self.required_done / self.required_total)

    @property
    def hours_percent(self) -> int:
        if not self.hours_required:
            return 100
        # cut, not rounded: 15.95 of 16 hours is not 100 %
        return min(100, int(100 * self.hours / self.hours_required))


def months_worked(
    rules: StandardRules,
    joined_on: date | None,
    leave: tuple[tuple[date, date], ...],
    left_on: date | None = None,
) -> Decimal:
    """Months in service during the standard's year, less long leave taken while in service.

    Service is counted in calendar months, as people count it: from 01/07 to 31/12 is 6 months,
    from 02/07 it is 5 months and 30 days (5.97); it ends on a leaver's last day (``left_on``,
    included). Leave days are deducted at the mean length of a month."""
    first = date(rules.year, 1, 1)
    last = date(rules.year, 12, 31)
    start = max(first, joined_on) if joined_on else first
    if left_on is not None:
        last = min(last, left_on)
    if start > last:
        return Decimal(0)
    away: set[int] = set()
    for leave_start, leave_end in leave:
        away.update(
            range(max(leave_start, start).toordinal(), min(leave_end, last).toordinal() + 1)
        )
    months = calendar_months(start, last + timedelta(days=1)) - Decimal(len(away)) / DAYS_PER_MONTH
    return max(Decimal(0), months)


def calendar_months(start: date, end: date) -> Decimal:
    """Calendar months from ``start`` up to ``end`` (excluded), the rest of a month as a fraction
    of that month's length: 01/07 -> 01/01 is 6, 15/01 -> 01/03 is 1 + 14/28."""
    whole = (end.year - start.year) * 12 + end.month - start.month
    if end.day < start.day:
        whole -= 1
    anchor = _add_months(start, whole)
    length = monthrange(anchor.year, anchor.month)[1]
    return whole + Decimal((end - anchor).days) / length


def _add_months(day: date, months: int) -> date:
    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


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
    whole_year = (
        not facts.leave
        and (facts.joined_on is None or facts.joined_on <= date(rules.year, 1, 1))
        and (facts.left_on is None or facts.left_on >= date(rules.year, 12, 31))
    )  # most officials: 12 months, no need to count (a minimum is at most 12)
    if rules.min_months_worked and not whole_year:
        months = months_worked(rules, facts.joined_on, facts.leave, facts.left_on)
        if months < rules.min_months_worked:
            # cut, not rounded: 5.98 months must not read "6.0, fewer than 6"
            return ("months_worked", f"{months.quantize(Decimal('0.1'), rounding=ROUND_DOWN)}")
    return None


def evaluate(rules: StandardRules, facts: Facts, today: date) -> Result:
    """In order: not covered; meets the standard (even when exempt: what was done counts, and
    earns the certificate); not covered when no longer in service on the standard's deadline
    (a leaver: this wins over an exemption); exempt; not covered either when not yet in
    service on the deadline (a standard applies to whom it covers on that date);
    overdue; in progress; not started."""
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
    if facts.left_on is not None and facts.left_on < rules.deadline:
        return Result(Status.NOT_APPLICABLE, left_on=facts.left_on, **common)
    exempt = exemption(rules, facts)
    if exempt:
        return Result(Status.EXEMPT, exemption=exempt, **common)
    if facts.joined_on and facts.joined_on > rules.deadline:
        return Result(Status.NOT_APPLICABLE, joined_after_deadline=True, **common)
    if today > deadline:
        return Result(Status.OVERDUE, **common)
    if facts.has_activity or facts.required_done or hours:
        return Result(Status.IN_PROGRESS, **common)
    return Result(Status.NOT_STARTED, **common)
