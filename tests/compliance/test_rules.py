"""The pure status rules, case by case."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from app.compliance.rules import Facts, StandardRules, Status, evaluate, months_worked

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
