"""API fixtures: clients created through the service, requests with a bearer token."""

from __future__ import annotations

import pytest

from app.api import clients
from app.models import db, utcnow


@pytest.fixture
def make_token():
    def make(name: str, units: list, *, write: bool = False, days: int | None = None) -> str:
        _client, token = clients.create_client(
            name, units, can_write=write, days=days, created_by=None, now=utcnow()
        )
        db.session.commit()
        return token

    return make


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}
