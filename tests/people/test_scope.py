"""Every HR view is scoped to the viewer's own units."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.models import Role, Unit, db
from app.people.scope import can_see_user, visible_unit_ids
from tests.factories import make_user


def codes(viewer) -> set[str]:
    return set(db.session.scalars(select(Unit.code).where(Unit.id.in_(visible_unit_ids(viewer)))))


def test_hr_sees_own_unit_and_everything_under_it(hr_a, hr_province):
    assert codes(hr_a) == {"A", "A1"}
    assert codes(hr_province) == {"P", "A", "B", "A1"}


def test_admin_sees_all_and_official_none(admin, official):
    assert codes(admin) == {"P", "A", "B", "A1"}
    assert codes(official) == set()


def test_prefix_of_path_does_not_leak_to_sibling_with_longer_id(units):
    # Unit ids 1..4 exist; make enough units that an id shares a prefix (e.g. 2 and 20+).
    from app.people.services import create_unit

    province = units["P"]
    made = [create_unit(f"X{i}", f"Đơn vị {i}", "commune", province) for i in range(20)]
    db.session.commit()
    hr = make_user("hr.x", role=Role.HR, unit=units["A"])
    assert not any(unit.code in codes(hr) for unit in made)


def test_can_see_user(hr_a, official, official_b, admin):
    assert can_see_user(hr_a, official)
    assert not can_see_user(hr_a, official_b)
    assert can_see_user(admin, official_b)
    assert can_see_user(official, official)
    assert not can_see_user(official, official_b)


@pytest.mark.parametrize("url", ["/hr/officials", "/admin/", "/admin/users"])
def test_anonymous_is_sent_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302 and "/auth/login" in response.location


@pytest.mark.parametrize("url", ["/hr/officials", "/admin/", "/admin/users"])
def test_official_gets_403_on_hr_and_admin_pages(client, login, official, url):
    login(official)
    assert client.get(url).status_code == 403


def test_hr_gets_403_on_admin_pages(client, login, hr_a):
    login(hr_a)
    assert client.get("/admin/").status_code == 403


def test_hr_of_commune_a_never_sees_commune_b(client, login, hr_a, official, official_b):
    login(hr_a)
    listing = client.get("/hr/officials").get_data(as_text=True)
    assert official.full_name in listing and official_b.full_name not in listing
    assert client.get(f"/hr/officials/{official.id}").status_code == 200
    assert client.get(f"/hr/officials/{official_b.id}").status_code == 404
    assert client.get("/hr/officials?unit=B").status_code == 404
    assert client.get("/hr/officials?unit=P").status_code == 404
    assert client.get("/hr/officials/999999").status_code == 404


def test_province_hr_sees_every_commune(client, login, hr_province, official, official_b):
    login(hr_province)
    listing = client.get("/hr/officials").get_data(as_text=True)
    assert official.full_name in listing and official_b.full_name in listing
    filtered = client.get("/hr/officials?unit=B").get_data(as_text=True)
    assert official_b.full_name in filtered and official.full_name not in filtered
