"""The pure status rules, case by case."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from app.compliance.rules import (
    Facts,
    StandardRules,
    Status,
    calendar_months,
    evaluate,
    months_worked,
)

pytestmark = pytest.mark.unit  # a pure core: no app, no database

RULES = StandardRules(
    year=2026,
    start=date(2026, 1, 1),
    deadline=date(2026, 11, 30),
    min_hours=Decimal(16),
    count_external=True,
    external_cap=Decimal(8),
    min_months_worked=6,
    joined_after=date(2026, 10, 1),
)
BEFORE, AFTER = date(2026, 6, 1), date(2026, 12, 5)


def facts(**changes) -> Facts:
    base = {
        "applicable": True,
        "required_total": 3,
        "required_done": 0,
        "platform_hours": Decimal(0),
        "external_hours": Decimal(0),
        "has_activity": False,
        "joined_on": None,
    }
    return Facts(**{**base, **changes})


DONE = {"required_done": 3, "platform_hours": Decimal(16)}


@pytest.mark.parametrize(
    ("changes", "today", "status"),
    [
        ({}, BEFORE, Status.NOT_STARTED),
        ({}, AFTER, Status.OVERDUE),
        ({"has_activity": True}, BEFORE, Status.IN_PROGRESS),
        ({"required_done": 1}, BEFORE, Status.IN_PROGRESS),
        (DONE, BEFORE, Status.COMPLIANT),
        (DONE, AFTER, Status.COMPLIANT),  # completed late in the year still meets it
        ({**DONE, "platform_hours": Decimal("15.5")}, BEFORE, Status.IN_PROGRESS),
        # external hours count up to the cap: 8 + 8 = 16
        (
            {"required_done": 3, "platform_hours": Decimal(8), "external_hours": Decimal(30)},
            BEFORE,
            Status.COMPLIANT,
        ),
        (
            {"required_done": 3, "platform_hours": Decimal(7), "external_hours": Decimal(30)},
            BEFORE,
            Status.IN_PROGRESS,
        ),
        ({"extended_deadline": date(2026, 12, 20)}, AFTER, Status.NOT_STARTED),
        ({"extended_deadline": date(2026, 11, 1)}, AFTER, Status.OVERDUE),  # never earlier
        ({"exemption_reason": "Nghỉ thai sản"}, AFTER, Status.EXEMPT),
        ({**DONE, "exemption_reason": "Nghỉ thai sản"}, AFTER, Status.COMPLIANT),
        ({"joined_on": date(2026, 10, 2)}, AFTER, Status.EXEMPT),
        ({"joined_on": date(2026, 7, 1)}, AFTER, Status.OVERDUE),  # 6.0 months: not exempt
        ({"joined_on": date(2026, 7, 3)}, AFTER, Status.EXEMPT),  # 5.9 months
        ({"applicable": False}, AFTER, Status.NOT_APPLICABLE),
        ({"required_total": 0, "platform_hours": Decimal(16)}, BEFORE, Status.COMPLIANT),
    ],
)
def test_status(changes, today, status):
    assert evaluate(RULES, facts(**changes), today).status == status


def test_leave_before_joining_is_not_deducted_twice():
    joined = date(2026, 7, 1)
    assert months_worked(RULES, joined, ()) == months_worked(
        RULES, joined, ((date(2026, 3, 1), date(2026, 3, 31)),)
    )
    with_leave = months_worked(RULES, joined, ((date(2026, 6, 20), date(2026, 7, 10)),))
    assert with_leave == 6 - Decimal(10) / Decimal("30.4375")


def test_overlapping_leave_periods_count_once():
    periods = ((date(2026, 2, 1), date(2026, 2, 28)), (date(2026, 2, 15), date(2026, 3, 14)))
    assert months_worked(RULES, None, periods) == 12 - Decimal(42) / Decimal("30.4375")


@pytest.mark.parametrize(
    "joined, months",
    [
        (date(2026, 7, 1), Decimal(6)),  # 01/07-31/12: six whole months
        (date(2026, 7, 2), 5 + Decimal(30) / 31),  # 5 months and 30 days: fewer than 6
        (date(2026, 1, 1), Decimal(12)),
        (date(2026, 12, 31), Decimal(1) / 31),
        (date(2025, 5, 1), Decimal(12)),  # in service before the year: the whole year
        (date(2027, 1, 1), Decimal(0)),
    ],
)
def test_months_worked_are_calendar_months(joined, months):
    assert months_worked(RULES, joined, ()) == months


def test_joining_on_the_second_of_july_is_fewer_than_six_months():
    assert evaluate(RULES, facts(joined_on=date(2026, 7, 2)), BEFORE).status == Status.EXEMPT
    assert evaluate(RULES, facts(joined_on=date(2026, 7, 1)), BEFORE).status != Status.EXEMPT


def test_no_minimum_of_hours_means_courses_decide():
    result = evaluate(replace(RULES, min_hours=None), facts(required_done=3), BEFORE)
    assert result.status == Status.COMPLIANT and result.hours_percent == 100


def test_reason_data_for_an_official():
    result = evaluate(
        RULES, facts(required_done=1, platform_hours=Decimal(4), missing=("A", "B")), BEFORE
    )
    assert (result.missing, result.days_left, result.courses_percent, result.hours_percent) == (
        ("A", "B"),
        182,
        33,
        25,
    )


# Cases found by mutation testing (README, "Development"). Mutants of rules.py that cannot
# change a status (equivalent mutants), because a standard's minimum of months worked is
# between 1 and 12 (app/content/standards.py refuses anything else):
# - exemption: `whole_year = None`, or `joined_on < 1 January` instead of `<=`: the months are
#   then counted instead of assumed, and an official in service all year counts 12 of them.

NO_EXEMPTIONS = replace(RULES, joined_after=None, min_months_worked=None)
TWELVE_MONTHS = replace(RULES, joined_after=None, min_months_worked=12)
DEADLINE = RULES.deadline


@pytest.mark.parametrize(
    ("rules", "changes", "today", "status", "exemption"),
    [
        (RULES, {"exemption_reason": "Nghỉ thai sản"}, AFTER, Status.EXEMPT,
         ("recorded", "Nghỉ thai sản")),
        (RULES, {"joined_on": date(2026, 10, 2)}, AFTER, Status.EXEMPT,
         ("joined_after", "2026-10-01")),
        # Joining on the day itself is not joining after it: only the 3 months worked exempt.
        (RULES, {"joined_on": date(2026, 10, 1)}, AFTER, Status.EXEMPT, ("months_worked", "3.0")),
        (replace(RULES, min_months_worked=None), {"joined_on": date(2026, 10, 1)}, AFTER,
         Status.OVERDUE, None),
        # Months are cut, not rounded: 5.97 months read 5.9.
        (RULES, {"joined_on": date(2026, 7, 2)}, AFTER, Status.EXEMPT, ("months_worked", "5.9")),
        # Long leave counts against the months worked, even for an official in service all year.
        (RULES, {"leave": ((date(2026, 2, 1), date(2026, 8, 31)),)}, AFTER, Status.EXEMPT,
         ("months_worked", "5.0")),
        (RULES, {"leave": ((date(2026, 2, 1), date(2026, 3, 31)),)}, AFTER, Status.OVERDUE, None),
        # Under a 12-month rule, anyone who joined after 1 January is short of months.
        (TWELVE_MONTHS, {"joined_on": date(2026, 1, 1)}, AFTER, Status.OVERDUE, None),
        (TWELVE_MONTHS, {"joined_on": date(2025, 6, 1)}, AFTER, Status.OVERDUE, None),
        (TWELVE_MONTHS, {"joined_on": date(2026, 1, 2)}, AFTER, Status.EXEMPT,
         ("months_worked", "11.9")),
        (TWELVE_MONTHS, {"joined_on": date(2026, 1, 15)}, AFTER, Status.EXEMPT,
         ("months_worked", "11.5")),
        # No minimum of months: joining mid-year exempts no one.
        (NO_EXEMPTIONS, {"joined_on": date(2026, 7, 2)}, AFTER, Status.OVERDUE, None),
        (NO_EXEMPTIONS, {"joined_on": date(2026, 7, 2)}, BEFORE, Status.NOT_STARTED, None),
    ],
)  # fmt: skip
def test_exemption_and_its_reason(rules, changes, today, status, exemption):
    result = evaluate(rules, facts(**changes), today)
    assert (result.status, result.exemption) == (status, exemption)


@pytest.mark.parametrize(
    ("joined", "today", "status", "joined_after_deadline"),
    [
        # An official who joins on the deadline day is covered by the standard that day.
        (DEADLINE, DEADLINE, Status.NOT_STARTED, False),
        (DEADLINE, AFTER, Status.OVERDUE, False),
        # Not yet in service on the deadline: not covered.
        (date(2026, 12, 1), AFTER, Status.NOT_APPLICABLE, True),
        (date(2026, 12, 1), DEADLINE, Status.NOT_APPLICABLE, True),
    ],
)
def test_joining_around_the_deadline(joined, today, status, joined_after_deadline):
    result = evaluate(NO_EXEMPTIONS, facts(joined_on=joined), today)
    assert (result.status, result.joined_after_deadline) == (status, joined_after_deadline)


@pytest.mark.parametrize(
    ("today", "status", "days_left"),
    [
        (date(2026, 11, 29), Status.NOT_STARTED, 1),
        (DEADLINE, Status.NOT_STARTED, 0),  # the deadline day is still in time
        (date(2026, 12, 1), Status.OVERDUE, -1),
    ],
)
def test_overdue_starts_the_day_after_the_deadline(today, status, days_left):
    result = evaluate(RULES, facts(), today)
    assert (result.status, result.days_left) == (status, days_left)


def test_external_training_not_counted_when_the_standard_says_so():
    rules = replace(RULES, count_external=False)
    result = evaluate(
        rules,
        facts(required_done=3, platform_hours=Decimal(8), external_hours=Decimal(30)),
        BEFORE,
    )
    assert (result.status, result.hours) == (Status.IN_PROGRESS, Decimal(8))


@pytest.mark.parametrize(
    ("done", "hours", "courses_percent", "hours_percent"),
    [
        (2, Decimal("15.95"), 67, 99),  # courses rounded, hours cut: 15.95 of 16 is not 100 %
        (1, Decimal("7.99"), 33, 49),
        (3, Decimal(40), 100, 100),  # hours past the minimum show 100 %
    ],
)
def test_shown_percentages(done, hours, courses_percent, hours_percent):
    result = evaluate(RULES, facts(required_done=done, platform_hours=hours), BEFORE)
    assert (result.courses_percent, result.hours_percent) == (courses_percent, hours_percent)


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        (date(2026, 7, 1), date(2027, 1, 1), Decimal(6)),
        (date(2026, 1, 15), date(2026, 3, 1), 1 + Decimal(14) / 28),
        (date(2026, 1, 31), date(2026, 3, 31), Decimal(2)),  # same day of the month: whole
        (date(2026, 1, 31), date(2026, 3, 30), 1 + Decimal(30) / 28),
        (date(2026, 3, 1), date(2026, 3, 1), Decimal(0)),
    ],
)
def test_calendar_months(start, end, months):
    assert calendar_months(start, end) == months
