"""Kept statuses equal a full recomputation by the rules, after any sequence of events.

Hypothesis draws sequences of what happens in a year (lessons, quiz attempts, external training,
exemptions, extensions, leave, moves, position changes, leavers, a changed standard), each
committed as a request would commit it; after each one the kept rows and unit counts must be
what ``services.statuses`` computes from the raw records, on days before, on and after the
deadline. Runs on SQLite and, in ``make test``, on PostgreSQL.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, true

from app.compliance import kept, queries, services
from app.models import ComplianceCount, ComplianceStatus, Position, Unit, User, db
from app.people import accounts
from tests.compliance.scenario import TODAY, at, build, finish, take_quiz
from tests.factories import make_user

OFFICIALS = ["an", "binh", "chi", "dung", "em", "giang", "ha", "khanh", "lan", "minh", "nam"]
DAYS = [date(2026, 3, 1), date(2026, 12, 15), TODAY, date(2027, 1, 10)]


@pytest.fixture
def scenario(app, content_dirs):
    world = build(content_dirs)
    db.session.commit()
    return world


def snapshot(row: services.OfficialStatus) -> tuple:
    r = row.result
    return (
        row.username,
        row.unit_id,
        row.position_code,
        str(r.status),
        Decimal(r.hours),
        r.required_total,
        r.required_done,
        r.missing,
        r.deadline,
        r.days_left,
        r.exemption,
        r.joined_after_deadline,
        r.left_on,
        row.last_activity,
    )


def assert_kept_equals_recomputed() -> None:
    standard = queries.standard_for(2026)
    for today in DAYS:
        live = list(services.statuses(standard, true(), today=today))
        expected = {row.user_id: snapshot(row) for row in live}
        found = {row.user_id: snapshot(row) for row in kept.read(standard, true(), today=today)}
        assert found == expected, today
        counted = Counter()
        for path, status, n in kept.counts(standard, today=today, visible=None):
            counted[(path, status)] += n
        assert counted == Counter((row.unit_path, str(row.status)) for row in live), today
        for position_id in {row.position_id for row in live}:  # counted from the kept rows
            counted = Counter()
            for path, status, n in kept.counts(
                standard, today=today, visible=None, position_id=position_id
            ):
                counted[(path, status)] += n
            assert counted == Counter(
                (row.unit_path, str(row.status)) for row in live if row.position_id == position_id
            )


def test_counts_follow_the_viewers_scope(scenario):
    from app.people.scope import visible_unit_ids

    standard = queries.standard_for(2026)
    hr_y = make_user("hr.y", role="hr", unit=scenario.units["Y"])
    db.session.commit()
    live = list(services.statuses(standard, services.scope_criterion(hr_y), today=TODAY))
    counted = Counter()
    for path, status, n in kept.counts(standard, today=TODAY, visible=visible_unit_ids(hr_y)):
        counted[(path, status)] += n
    assert counted == Counter((row.unit_path, str(row.status)) for row in live)
    assert sum(counted.values()) == 3  # chi, dung, minh


def _user(scenario, name: str) -> User:
    return scenario.people[name]


def apply(scenario, event: tuple) -> None:
    """One event, then the commit of its request."""
    kind, name, *rest = event
    user = _user(scenario, name)
    hr = scenario.people["hr"]
    now = at(TODAY)
    if kind == "lesson":
        finish(user, rest[0], at(rest[1]))
    elif kind == "quiz":
        take_quiz(user, rest[0], at(rest[1]))
    elif kind == "external":
        services.add_external_training(
            user,
            title="Lớp bồi dưỡng",
            provider="Trường Chính trị",
            hours=Decimal(rest[0]),
            start_date=None,
            end_date=rest[1],
            note="",
            file=None,
            created_by=hr,
            now=now,
        )
    elif kind == "exempt":
        services.set_exemption(user, 2026, rest[0], granted_by=hr, now=now)
    elif kind == "extend":
        services.extend_deadline(
            user, queries.standard_for(2026), rest[0], "Ốm dài ngày", granted_by=hr, now=now
        )
    elif kind == "leave":
        services.add_leave(
            user, rest[0], rest[0] + timedelta(days=rest[1]), "thai sản", created_by=hr, now=now
        )
    elif kind in ("move", "position"):
        unit = scenario.units[rest[0]] if kind == "move" else user.unit
        position = (
            db.session.scalar(select(Position).where(Position.code == rest[0]))
            if kind == "position"
            else user.position
        )
        admin = db.session.scalar(select(User).where(User.username == "kept.admin"))
        accounts.update_account(
            admin,
            user,
            full_name=user.full_name,
            email=user.email,
            role=user.role,
            unit=unit,
            position=position,
            joined_on=user.joined_on,
            address="127.0.0.1",
            now=at(rest[1]) if kind == "move" else now,
        )
    elif kind == "leaves":
        user.left_on = rest[0]
        user.is_active = False
    elif kind == "returns":
        user.left_on = None
        user.is_active = True
    elif kind == "standard":
        standard = queries.standard_for(2026)
        standard.min_hours = Decimal(rest[0])
    db.session.commit()


year_days = st.dates(min_value=date(2026, 1, 2), max_value=date(2026, 12, 31))
who = st.sampled_from(OFFICIALS)
events = st.one_of(
    st.tuples(
        st.just("lesson"), who, st.sampled_from(["khoa-a", "khoa-b", "khoa-c", "khoa-d"]), year_days
    ),
    st.tuples(st.just("quiz"), who, st.integers(0, 20), year_days),
    st.tuples(
        st.just("external"),
        who,
        st.sampled_from(["0.5", "2", "4", "8"]),
        st.dates(min_value=date(2025, 12, 1), max_value=date(2026, 12, 20)),
    ),
    st.tuples(st.just("exempt"), who, st.sampled_from([None, "Điều động công tác"])),
    st.tuples(
        st.just("extend"), who, st.dates(min_value=date(2026, 12, 16), max_value=date(2026, 12, 31))
    ),
    st.tuples(st.just("leave"), who, year_days, st.integers(1, 200)),
    st.tuples(st.just("move"), who, st.sampled_from(["X", "Y", "Z", "S"]), year_days),
    st.tuples(st.just("position"), who, st.sampled_from(["CM-VP", "CM-MC"])),
    st.tuples(
        st.just("leaves"), who, st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 3, 1))
    ),
    st.tuples(st.just("returns"), who),
    st.tuples(st.just("standard"), who, st.sampled_from(["6", "10", "12"])),
)


@pytest.mark.slow
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(sequence=st.lists(events, min_size=1, max_size=6))
def test_kept_statuses_equal_a_full_recomputation_after_any_events(scenario, sequence):
    """Examples run one after another on the same world: each starts where the last ended."""
    if db.session.scalar(select(User).where(User.username == "kept.admin")) is None:
        make_user("kept.admin", role="admin", unit=scenario.units["P"])
        db.session.commit()
    for event in sequence:
        apply(scenario, event)
        assert_kept_equals_recomputed()


def test_the_built_scenario_is_kept(scenario):
    assert_kept_equals_recomputed()
    standard = queries.standard_for(2026)
    assert db.session.scalar(
        select(db.func.count()).select_from(ComplianceStatus).where(ComplianceStatus.year == 2026)
    ) == len(list(services.statuses(standard, true(), today=TODAY)))


def test_rebuild_gives_what_was_kept_and_repairs_a_damaged_table(scenario):
    standard = queries.standard_for(2026)
    before = sorted(snapshot(r) for r in kept.read(standard, true(), today=TODAY))
    db.session.execute(db.delete(ComplianceStatus))  # a damaged table (restored by hand...)
    db.session.execute(db.update(ComplianceCount).values(n=ComplianceCount.n + 5))
    assert kept.rebuild() == {2026: len(before)}
    db.session.commit()
    assert sorted(snapshot(r) for r in kept.read(standard, true(), today=TODAY)) == before
    assert_kept_equals_recomputed()


def test_the_morning_after_the_deadline_needs_no_job(scenario):
    """Nothing is written between the day before and the day after: the reading turns a
    pending status into overdue by the row's own deadline, extensions included."""
    standard = queries.standard_for(2026)
    dung = scenario.people["dung"]
    services.extend_deadline(
        dung, standard, date(2026, 12, 16), "Ốm", granted_by=scenario.people["hr"], now=at(TODAY)
    )
    db.session.commit()
    status = {
        day: {r.username: str(r.status) for r in kept.read(standard, true(), today=day)}
        for day in (date(2026, 12, 15), date(2026, 12, 16), date(2026, 12, 17))
    }
    assert status[date(2026, 12, 15)]["dung"] != "overdue"
    assert status[date(2026, 12, 16)]["dung"] != "overdue"  # her own deadline is the 16th
    assert status[date(2026, 12, 17)]["dung"] == "overdue"
    overdue_on_16 = {n for n, s in status[date(2026, 12, 16)].items() if s == "overdue"}
    assert overdue_on_16 and "dung" not in overdue_on_16


def test_a_deactivated_official_leaves_the_kept_rows_and_the_counts(scenario):
    standard = queries.standard_for(2026)
    nam = scenario.people["nam"]
    nam.is_active = False  # no last day given: not reported at all (as the rules' population)
    db.session.commit()
    assert "nam" not in {r.username for r in kept.read(standard, true(), today=TODAY)}
    assert_kept_equals_recomputed()


def test_a_unit_merger_moves_the_counts_to_the_successor(scenario):
    from app.people.units import merge_units

    standard = queries.standard_for(2026)
    x = scenario.units["X"]
    merge_units(["X"], "Y", date(2026, 7, 1))
    db.session.commit()
    paths = {path for path, _s, _n in kept.counts(standard, today=TODAY, visible=None)}
    assert db.session.get(Unit, x.id).path not in paths
    assert_kept_equals_recomputed()
