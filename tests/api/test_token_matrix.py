"""Every API route with every kind of token, on the access matrix's world (units P > A, B;
the owner in A): no token is a 401, a token of commune B gets 404 for A's objects, a read-only
token 403 on a write, and a write token of A reaches the body's validation (400)."""

from __future__ import annotations

import pytest

from app.api import clients
from app.models import Unit, db, utcnow
from tests.api.conftest import bearer
from tests.conftest import fresh_app
from tests.security.test_access_matrix import build_world

TOKENS = ("none", "a_read", "a_write", "b_write", "p_read")


def everyone(ok: int) -> dict:
    return {"none": 401, **{kind: ok for kind in TOKENS[1:]}}


def in_a(ok: int) -> dict:
    return {**everyone(ok), "b_write": 404}


CASES = [
    ("api.units", "GET", "/api/v1/units", everyone(200)),
    ("api.unit", "GET", "/api/v1/units/A", in_a(200)),
    ("api.positions", "GET", "/api/v1/positions", everyone(200)),
    ("api.officials", "GET", "/api/v1/officials", everyone(200)),
    ("api.official", "GET", "/api/v1/officials/owner", in_a(200)),
    ("api.official_records", "GET", "/api/v1/officials/owner/records", in_a(200)),
    (
        "api.add_external_training",
        "POST",
        "/api/v1/officials/owner/external-training",
        {"none": 401, "a_read": 403, "a_write": 400, "b_write": 404, "p_read": 403},
    ),
    # No object in the path: another commune's token reaches the body's validation too (its
    # rows are then refused one by one: tests/api/test_roster_api.py).
    (
        "api.roster_upsert",
        "POST",
        "/api/v1/roster",
        {"none": 401, "a_read": 403, "a_write": 400, "b_write": 400, "p_read": 403},
    ),
    ("api.compliance_officials", "GET", "/api/v1/compliance/{year}/officials", everyone(200)),
    ("api.compliance_units", "GET", "/api/v1/compliance/{year}/units", everyone(200)),
    ("api.standard", "GET", "/api/v1/standards/{year}", everyone(200)),
    # Verification is public on the site: any valid token verifies any code.
    ("api.certificate", "GET", "/api/v1/certificates/{code}", everyone(200)),
]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("tokens")
    dirs = (root / "courses", root / "quizzes")
    for folder in dirs:
        folder.mkdir()
    for app in fresh_app(dirs):
        world = {"app": app, **build_world(dirs)}
        units = {u.code: u for u in db.session.query(Unit)}
        made = {}
        for kind, codes, write in (
            ("a_read", ["A"], False),
            ("a_write", ["A"], True),
            ("b_write", ["B"], True),
            ("p_read", ["P"], False),
        ):
            _client, made[kind] = clients.create_client(
                kind,
                [units[c] for c in codes],
                can_write=write,
                days=None,
                created_by=None,
                now=utcnow(),
            )
        db.session.commit()
        world["tokens"] = made
        yield world


def test_every_api_route_has_a_row(world):
    routes = {
        (rule.endpoint, method)
        for rule in world["app"].url_map.iter_rules()
        if rule.endpoint.startswith("api.")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routes == {(endpoint, method) for endpoint, method, _url, _exp in CASES}


@pytest.mark.parametrize("case", CASES, ids=[f"{c[1]} {c[0]}" for c in CASES])
def test_token_access(world, case):
    endpoint, method, url, expected = case
    url = url.format(**world["values"])
    client = world["app"].test_client()
    got = {}
    for kind in TOKENS:
        headers = bearer(world["tokens"][kind]) if kind != "none" else {}
        response = client.open(
            url, method=method, json={} if method == "POST" else None, headers=headers
        )
        got[kind] = response.status_code
        assert response.mimetype in ("application/json", "application/problem+json")
        assert "Set-Cookie" not in response.headers
    assert got == expected
