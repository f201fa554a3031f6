"""The hand-worked scenario: exact status and reason of each official, and the unit counts."""

from __future__ import annotations

from decimal import Decimal

import pytest
from flask_babel import force_locale

from app.compliance import queries, services
from app.compliance.text import reason
from app.models import User, db
from tests.compliance.scenario import EXPECTED, EXPECTED_UNITS, TODAY, build


@pytest.fixture
def scenario(app, content_dirs):
    return build(content_dirs)


def test_each_official_has_the_hand_worked_status_and_reason(app, scenario):
    standard = queries.standard_for(2026)
    rows = list(services.statuses(standard, User.id.is_not(None), today=TODAY))
    with app.test_request_context(), force_locale("vi"):
        found = {row.username: (str(row.status), reason(row.result, standard)) for row in rows}
    assert found == EXPECTED


def test_unit_counts_and_shares(app, scenario):
    standard = queries.standard_for(2026)
    rows = list(services.statuses(standard, User.id.is_not(None), today=TODAY))
    counted = ((r.unit_path, r.status, 1) for r in rows)
    summaries, total = services.summarize(counted, scenario.units["P"], None)
    counts = {s.unit.code: {str(k): v for k, v in s.counts.items() if v} for s in summaries}
    assert counts == EXPECTED_UNITS
    shares = {s.unit.code: s.compliant_share for s in summaries}
    assert shares == {"X": 0.5, "Y": 0.0, "Z": None, "S": None}
    assert total.compliant_share == Decimal(2) / 6


def test_one_official_gets_the_same_answer_as_the_whole_tree(app, scenario):
    standard = queries.standard_for(2026)
    for name, (status, _reason) in EXPECTED.items():
        user = scenario.people[name]
        assert str(services.official_status(standard, user, today=TODAY).status) == status


def test_hr_scope_narrows_the_population(app, scenario):
    from tests.factories import make_user

    standard = queries.standard_for(2026)
    hr_x = make_user("hr.x", role="hr", unit=scenario.units["X"])
    rows = list(services.statuses(standard, services.scope_criterion(hr_x), today=TODAY))
    assert sorted(r.username for r in rows) == ["an", "binh", "ha", "lan", "nam"]


def test_query_count_does_not_grow_with_officials(app, scenario, count_queries):
    from tests.factories import make_user

    standard = queries.standard_for(2026)
    criterion = User.id.is_not(None)
    with count_queries() as few:
        list(services.statuses(standard, criterion, today=TODAY))
    for i in range(40):
        make_user(f"them{i}", unit=scenario.units["Y"], commit=False)
    db.session.commit()
    db.session.refresh(standard)  # the commit expired it; reloading it is not the service's work
    with count_queries() as many:
        rows = list(services.statuses(standard, criterion, today=TODAY))
    assert len(rows) == 51
    assert few.count == many.count <= 4


def test_a_centre_inside_a_commune_is_covered_like_the_commune(app, scenario):
    from app.people.services import create_unit
    from tests.factories import make_user

    centre = create_unit(
        "X-TT", "Trung tâm Phục vụ hành chính công xã Xuân", "agency", scenario.units["X"]
    )
    official = make_user("o.tt", unit=centre)
    standard = queries.standard_for(2026)
    assert str(services.official_status(standard, official, today=TODAY).status) == "overdue"
    # a department of the province is not a commune: not covered
    assert str(
        services.official_status(standard, scenario.people["khanh"], today=TODAY).status
    ) == ("not_applicable")
