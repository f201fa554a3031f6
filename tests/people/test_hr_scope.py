"""An HR account covering several unit subtrees (hr_scope) sees exactly those units' officials,
on every HR page."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import pytest

from app.models import HrScope, Role, db
from app.people.scope import home_unit
from tests.compliance.scenario import build
from tests.factories import make_user

NOW = datetime(2026, 12, 20, 2, 0)


@pytest.fixture
def scenario(app, content_dirs, clock):
    built = build(content_dirs)
    clock.freeze(NOW)
    return built


def covering(scenario, *codes):
    hr = make_user("hr.so", role=Role.HR, unit=scenario.units["S"])  # the agency itself
    for code in codes:
        db.session.add(HrScope(user_id=hr.id, unit_id=scenario.units[code].id))
    db.session.commit()
    return hr


def usernames_in_export(client) -> set[str]:
    text = client.get("/hr/export.csv?year=2026").get_data(as_text=True).lstrip("\ufeff")
    return {row[2] for row in list(csv.reader(io.StringIO(text)))[1:]}


def test_hr_sees_exactly_the_units_they_cover(client, login, scenario):
    hr = covering(scenario, "X", "Z")
    login(hr)
    assert usernames_in_export(client) == {"an", "binh", "ha", "lan", "nam", "em", "giang"}
    dashboard = client.get("/hr/?year=2026").get_data(as_text=True)
    assert "Xã Xuân (thử)" in dashboard and "Phường Zê (thử)" in dashboard
    assert "Xã Yên (thử)" not in dashboard
    assert client.get("/hr/officials?unit=Y").status_code == 404
    assert client.get(f"/hr/officials/{scenario.people['khanh'].id}").status_code == 404  # S
    assert client.get(f"/hr/officials/{scenario.people['an'].id}").status_code == 200


def test_without_rows_hr_keeps_their_own_unit(client, login, scenario):
    hr = covering(scenario)
    login(hr)
    assert usernames_in_export(client) == {"khanh"}
    assert home_unit(hr) == scenario.units["S"]


def test_the_dashboard_starts_above_every_covered_unit(scenario):
    assert home_unit(covering(scenario, "X", "Y")) == scenario.units["P"]
    db.session.execute(HrScope.__table__.delete())
    hr = db.session.get(type(scenario.people["hr"]), scenario.people["hr"].id)
    assert home_unit(hr) == scenario.units["P"]
