"""Admins and HR create API clients on a page (the token shown once) and revoke them."""

from __future__ import annotations

import re

from sqlalchemy import select

from app.models import ApiClient, db
from tests.api.conftest import bearer


def _token(html: str) -> str:
    return re.search(r'<code id="api-token">([^<]+)</code>', html).group(1)


def test_hr_creates_a_client_of_their_units_and_sees_the_token_once(client, login, hr_a, official):
    login(hr_a)
    response = client.post("/api-clients/", data={"name": "Sở Nội vụ", "units": "A"})
    assert response.status_code == 200
    token = _token(response.get_data(as_text=True))
    stored = db.session.scalar(select(ApiClient).where(ApiClient.name == "Sở Nội vụ"))
    assert stored.created_by_id == hr_a.id and stored.can_write is False
    assert token not in client.get("/api-clients/").get_data(as_text=True)
    client.post("/auth/logout")
    api = client.get("/api/v1/officials/official.a", headers=bearer(token))
    assert api.status_code == 200


def test_hr_cannot_give_units_outside_their_scope(client, login, hr_a):
    login(hr_a)
    response = client.post("/api-clients/", data={"name": "x", "units": "B"})
    assert response.status_code == 400
    assert db.session.scalar(select(ApiClient.id)) is None
    response = client.post("/api-clients/", data={"name": "x", "units": "NOPE"})
    assert response.status_code == 400 and "NOPE" in response.get_data(as_text=True)


def test_revoking_ends_the_token_and_hr_elsewhere_cannot(client, login, admin, hr_b, units):
    login(admin)
    token = _token(
        client.post("/api-clients/", data={"name": "t", "units": "A", "can_write": "y"}).get_data(
            as_text=True
        )
    )
    stored = db.session.scalar(select(ApiClient).where(ApiClient.name == "t"))
    client.post("/auth/logout")
    login(hr_b)
    assert client.post(f"/api-clients/{stored.id}/revoke").status_code == 404
    client.post("/auth/logout")
    login(admin)
    assert client.post(f"/api-clients/{stored.id}/revoke").status_code == 302
    assert client.get("/api/v1/units", headers=bearer(token)).status_code == 401


def test_officials_may_not_open_the_page(client, login, official):
    login(official)
    assert client.get("/api-clients/").status_code == 403
