"""Leavers, worked out by hand on the world of ``test_hand_worked`` (the 2026 standard: deadline
15/12/2026, 16 hours, exempt under 6 months of work or when joined after 01/10/2026).

A leaver counts like an official who joined late: months worked end on ``left_on`` (included);
an official no longer in service on the deadline is not covered that year, and that wins over
an exemption; what was completed before leaving still meets the standard. A leaver stays in the
reports of the years they worked in and leaves those of later years.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from app.compliance import queries, services
from app.compliance.rules import Facts, StandardRules, Status, evaluate, months_worked
from app.models import User, db
from tests.compliance.test_hand_worked import (  # noqa: F401 (world is a fixture)
    TODAY,
    everyone_courses,
    external,
    official,
    seen,
    world,
)


def leaver(world, name: str, *, left: date, joined: date | None = None):  # noqa: F811
    return official(world, name, left_on=left, joined_on=joined, is_active=False)


def test_left_before_the_deadline_is_not_covered_with_its_own_reason(app, world):  # noqa: F811
    """Left 30/06/2026, nothing done: six months of work would not exempt (6 is not fewer than
    6), but on 15/12/2026 she is no longer in service: not covered, saying when she left."""
    user = leaver(world, "roi.thang6", left=date(2026, 6, 30))
    result = seen(app, user, today=TODAY)
    assert result.status == "not_applicable"
    assert result.reason == (
        "Chuẩn năm 2026 không áp dụng: đã nghỉ việc từ 30/06/2026, trước hạn của chuẩn "
        "(15/12/2026)."
    )


def test_not_covered_wins_over_an_exemption(app, world):  # noqa: F811
    """Joined 01/03/2026, left 31/07/2026: 5 months of work (exempt under 6), but not in service
    on the deadline: not covered, not exempt."""
    user = leaver(world, "ngan.han", joined=date(2026, 3, 1), left=date(2026, 7, 31))
    assert seen(app, user, today=TODAY).status == "not_applicable"


def test_months_worked_end_on_the_leaving_day(app, world):  # noqa: F811
    """Joined 01/07/2026, leaves 20/12/2026, after the deadline: in service on 15/12, so
    covered; 01/07 -> 21/12 is 5 months and 20 of December's 31 days, 5.645: exempt (5,6
    months, cut, fewer than 6)."""
    user = leaver(world, "cuoi.nam", joined=date(2026, 7, 1), left=date(2026, 12, 20))
    result = seen(app, user, today=TODAY)
    assert result.status == "exempt"
    assert result.reason == "Miễn: chỉ công tác 5,6 tháng trong năm 2026, dưới 6 tháng."


def test_leaving_on_the_deadline_itself_is_still_in_service(app, world):  # noqa: F811
    """Left on 15/12/2026, the deadline: still in service that day, nothing done: overdue."""
    user = leaver(world, "dung.han", left=date(2026, 12, 15))
    assert seen(app, user, today=TODAY).status == "overdue"


def test_what_was_completed_before_leaving_still_meets_the_standard(app, world):  # noqa: F811
    """K1-K3 (12 h) completed on 10/03/2026 and 4 h of external training ending 12/03/2026:
    the required courses and 16 hours were done before leaving on 10/05/2026, so the year is
    met (what was done counts, as for an exempt official)."""
    user = official(world, "xong.som")
    everyone_courses(user, date(2026, 3, 10))
    external(world, user, "4", date(2026, 3, 12))
    user.left_on, user.is_active = date(2026, 5, 10), False
    db.session.commit()
    result = seen(app, user, today=TODAY)
    assert result.status == "compliant", result.reason


def test_a_leaver_of_an_earlier_year_is_gone_from_later_reports(app, world):  # noqa: F811
    """Left 30/09/2025: the 2025 report (deadline 15/12/2025) says not covered; the 2026 one
    does not list him at all."""
    user = leaver(world, "nam.truoc", left=date(2025, 9, 30))
    assert seen(app, user, today=TODAY, year=2025).status == "not_applicable"
    rows = services.statuses(queries.standard_for(2026), User.id == user.id, today=TODAY)
    assert list(rows) == []


RULES = StandardRules(
    year=2026,
    start=date(2026, 1, 1),
    deadline=date(2026, 12, 15),
    min_hours=None,
    count_external=True,
    external_cap=None,
    min_months_worked=6,
    joined_after=None,
)


def test_months_worked_of_a_leaver_by_hand():
    """01/01 -> 01/04 (left 31/03) is 3 months; with joining 15/01, 2 months and 17 of 31 days."""
    assert months_worked(RULES, None, (), date(2026, 3, 31)) == 3
    assert months_worked(RULES, date(2026, 1, 15), (), date(2026, 3, 31)) == 2 + Decimal(17) / 31
    assert months_worked(RULES, date(2026, 5, 1), (), date(2026, 4, 30)) == 0


def test_rules_not_covered_before_exempt_and_after_compliant():
    base = dict(
        applicable=True,
        required_total=1,
        required_done=0,
        platform_hours=0,
        external_hours=0,
        has_activity=False,
        joined_on=None,
        exemption_reason="ốm dài ngày",
        left_on=date(2026, 6, 1),
    )
    assert evaluate(RULES, Facts(**base), date(2026, 12, 20)).status == Status.NOT_APPLICABLE
    done = Facts(**{**base, "required_done": 1})
    assert evaluate(RULES, done, date(2026, 12, 20)).status == Status.COMPLIANT
