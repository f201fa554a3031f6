"""``POST /api/v1/roster``: the roster import through the API, with a client's scope as actor.
Changes are seen on ``GET /api/v1/officials``; a bad row writes nothing and every bad row is
listed; a dry run writes nothing; a commune's token cannot touch another commune."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from app import audit
from app.api.schemas import MAX_ROSTER_ROWS, RosterOut
from app.models import AuditEntry, UnitMembership, User, db
from tests.api.conftest import bearer
from tests.compliance.scenario import build

NOW = datetime(2026, 12, 20, 2, 0)
URL = "/api/v1/roster"


@pytest.fixture
def scenario(app, content_dirs, clock):
    built = build(content_dirs)
    clock.freeze(NOW)
    return built


@pytest.fixture
def province(scenario, make_token):
    return bearer(make_token("So Noi vu", [scenario.units["P"]], write=True))


@pytest.fixture
def xuan(scenario, make_token):
    return bearer(make_token("Xa Xuan", [scenario.units["X"]], write=True))


def official(client, headers, username: str) -> dict | None:
    response = client.get(f"/api/v1/officials/{username}", headers=headers)
    return response.get_json() if response.status_code == 200 else None


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def snapshot() -> list[tuple]:
    db.session.expire_all()
    return list(
        db.session.execute(
            select(
                User.username,
                User.full_name,
                User.unit_id,
                User.position_id,
                User.role,
                User.is_active,
                User.left_on,
            ).order_by(User.id)
        )
    )


def test_create_update_move_and_deactivate_show_on_the_officials_list(client, province):
    response = client.post(
        URL,
        headers=province,
        json={
            "officials": [
                {
                    "username": "Moi.01",
                    "full_name": "Nguyễn Văn Mới",
                    "unit_code": "X",
                    "position_code": "CM-MC",
                    "email": "moi@example.vn",
                    "joined_on": "2026-12-01",
                }
            ]
        },
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert RosterOut().validate(body) == {}  # the documented shape
    assert body["dry_run"] is False and body["created"] == ["moi.01"]
    assert body["counts"] == {
        "created": 1,
        "updated": 0,
        "moved": 0,
        "deactivated": 0,
        "unchanged": 0,
    }
    (sheet,) = body["temporary_passwords"]
    assert (sheet["username"], sheet["unit_code"]) == ("moi.01", "X")
    assert response.headers["Cache-Control"] == "no-store"
    created = db.session.scalar(select(User).where(User.username == "moi.01"))
    assert created.check_password(sheet["temporary_password"]) and created.must_change_password
    assert official(client, province, "moi.01") | {"updated_at": None} == {
        "username": "moi.01",
        "full_name": "Nguyễn Văn Mới",
        "unit_code": "X",
        "position_code": "CM-MC",
        "role": "official",
        "active": True,
        "joined_on": "2026-12-01",
        "left_on": None,
        "updated_at": None,
    }

    response = client.post(
        URL,
        headers=province,
        json={
            "officials": [
                {"username": "an", "full_name": "An Đã Đổi Tên", "unit_code": "X"},
                {"username": "binh", "full_name": "Binh", "unit_code": "Y"},
                {"username": "ha", "full_name": "Ha", "unit_code": "X", "left_on": "2026-12-10"},
                {"username": "moi.01", "full_name": "Nguyễn Văn Mới", "unit_code": "X"},
            ]
        },
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["created"], body["updated"], body["moved"], body["deactivated"]) == (
        [],
        ["an", "ha"],
        ["binh"],
        ["ha"],
    )
    assert body["counts"]["unchanged"] == 1 and body["temporary_passwords"] == []
    assert official(client, province, "an")["full_name"] == "An Đã Đổi Tên"
    assert official(client, province, "binh")["unit_code"] == "Y"
    ha = official(client, province, "ha")
    assert (ha["active"], ha["left_on"]) == (False, "2026-12-10")
    listed = client.get("/api/v1/officials?unit=Y&limit=500", headers=province).get_json()
    assert "binh" in {o["username"] for o in listed["items"]}
    # the move is dated in the membership history, as for a file
    binh = db.session.scalar(select(User).where(User.username == "binh"))
    assert db.session.scalar(
        select(func.count())
        .select_from(UnitMembership)
        .where(UnitMembership.user_id == binh.id, UnitMembership.unit_id == binh.unit_id)
    )


def test_a_bad_row_among_good_ones_writes_nothing_and_every_bad_row_is_listed(client, province):
    before, users = snapshot(), count(User)
    response = client.post(
        URL,
        headers=province,
        json={
            "officials": [
                {"username": "tot.01", "full_name": "Người Tốt", "unit_code": "X"},
                {"username": "an", "full_name": "An Mới", "unit_code": "KHONG-CO"},
                {"username": "tot.02", "full_name": "Người Tốt Hai", "unit_code": "Y"},
                {"username": "sai", "full_name": "Sai", "unit_code": "X", "email": "khong"},
                {"username": "tot.01", "full_name": "", "unit_code": "X"},
            ]
        },
    )
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["code"] == "roster_rejected" and "không" in body["detail"].lower()
    assert [(r["index"], r["username"]) for r in body["rows"]] == [
        (1, "an"),
        (3, "sai"),
        (4, "tot.01"),
    ]
    messages = [r["message"] for r in body["rows"]]
    assert "KHONG-CO" in messages[0] and "khong" in messages[1]
    assert "dòng 0" in messages[2] and ";" in messages[2]  # twice in the batch; no full name
    assert snapshot() == before and count(User) == users
    assert official(client, province, "tot.01") is None


def test_a_dry_run_answers_the_same_and_writes_nothing(client, province):
    before, entries = snapshot(), count(AuditEntry)
    rows = {
        "officials": [
            {"username": "moi.02", "full_name": "Trần Thị Mới", "unit_code": "Z"},
            {"username": "dung", "full_name": "Dung", "unit_code": "Z"},
        ]
    }
    response = client.post(URL + "?dry_run=true", headers=province, json=rows)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert RosterOut().validate(body) == {}
    assert body["dry_run"] is True
    assert (body["created"], body["moved"]) == (["moi.02"], ["dung"])
    assert body["temporary_passwords"] == []
    assert snapshot() == before and count(AuditEntry) == entries
    assert official(client, province, "dung")["unit_code"] == "Y"
    bad = client.post(
        URL + "?dry_run=true",
        headers=province,
        json={"officials": [{"username": "x y", "full_name": "X", "unit_code": "Z"}]},
    )
    assert bad.status_code == 400 and bad.get_json()["rows"][0]["index"] == 0
    real = client.post(URL, headers=province, json=rows).get_json()
    assert (real["created"], real["moved"]) == (["moi.02"], ["dung"])


def test_a_read_only_token_is_refused_before_the_body_is_read(client, scenario, make_token):
    read_only = bearer(make_token("chi doc", [scenario.units["P"]]))
    users = count(User)
    for body in ({}, {"officials": [{"username": "a", "full_name": "A", "unit_code": "X"}]}):
        response = client.post(URL, headers=read_only, json=body)
        assert response.status_code == 403
        assert response.get_json()["code"] == "read_only_token"
    assert client.post(URL, json={}).status_code == 401
    assert count(User) == users


def test_a_commune_token_cannot_reach_another_commune(client, scenario, xuan):
    before = snapshot()
    response = client.post(
        URL,
        headers=xuan,
        json={
            "officials": [
                {"username": "an", "full_name": "An", "unit_code": "X", "position_code": "CM-MC"},
                {"username": "moi.03", "full_name": "Mới Ba", "unit_code": "Y"},
                {"username": "chi", "full_name": "Chi", "unit_code": "X"},
                {"username": "binh", "full_name": "Binh", "unit_code": "Y"},
                {"username": "hr.p", "full_name": "Nhân sự", "unit_code": "X"},
                {"username": "moi.04", "full_name": "Mới Bốn", "unit_code": "X", "role": "hr"},
            ]
        },
    )
    assert response.status_code == 400
    rows = {r["username"]: r["message"] for r in response.get_json()["rows"]}
    assert set(rows) == {"moi.03", "chi", "binh", "hr.p", "moi.04"}
    assert "'Y'" in rows["moi.03"] and "'Y'" in rows["binh"]  # the unit is not theirs
    assert "chi" in rows["chi"] and "hr.p" in rows["hr.p"]  # in use: no hint whose it is
    assert "hr" in rows["moi.04"]
    assert snapshot() == before
    # the same message as HR gets for a unit outside their scope
    assert rows["moi.03"] == "đơn vị 'Y' không thuộc các đơn vị anh/chị quản lý"


def test_the_upsert_is_audited_with_the_client_as_who(client, scenario, xuan):
    start = db.session.scalar(select(func.max(AuditEntry.id))) or 0
    response = client.post(
        URL,
        headers=xuan,
        json={"officials": [{"username": "moi.05", "full_name": "Mới Năm", "unit_code": "X"}]},
        environ_base={"REMOTE_ADDR": "10.2.3.4"},
    )
    assert response.status_code == 200
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.id > start)).all()
    by_action = {e.action: e for e in entries}
    assert set(by_action) == {"roster.import", "api.roster_upsert"}
    imported = by_action["roster.import"]
    assert (imported.actor_id, imported.actor_name, imported.address) == (
        None,
        "api:Xa Xuan",
        "10.2.3.4",
    )
    assert imported.unit_id == scenario.units["X"].id  # HR of the commune sees it
    assert imported.after["created"] == ["moi.05"]
    assert "temporary_password" not in str(imported.after)
    call = by_action["api.roster_upsert"]
    assert (call.actor_name, call.object_type) == ("api:Xa Xuan", "api_client")
    hr = scenario.people["hr"]
    seen = db.session.execute(audit.entries(hr, audit.AuditFilter(actor="api:Xa Xuan"))).all()
    assert {row.action for row in seen} == {"roster.import"}


def test_the_body_shape_is_checked_with_every_field_named(client, province):
    too_many = [{"username": f"u{i}", "full_name": "U", "unit_code": "X"} for i in range(5001)]
    assert len(too_many) == MAX_ROSTER_ROWS + 1
    cases = [
        ({}, "officials"),
        ({"officials": []}, "officials"),
        ({"officials": too_many}, "officials"),
        ({"officials": [{"username": "a", "full_name": "A"}]}, "unit_code"),
        (
            {"officials": [{"username": "a", "full_name": "A", "unit_code": "X", "active": 0}]},
            "active",
        ),
        (
            {
                "officials": [
                    {"username": "a", "full_name": "A", "unit_code": "X", "joined_on": "01/07/2025"}
                ]
            },
            "joined_on",
        ),
        (
            {"officials": [{"username": "a", "full_name": "A", "unit_code": "X", "role": "admin"}]},
            "role",
        ),
    ]
    users = count(User)
    for body, field in cases:
        response = client.post(URL, headers=province, json=body)
        assert response.status_code == 400, body
        problem = response.get_json()
        assert problem["code"] == "validation_failed"
        assert field in str(problem["errors"]["json"]), problem
    assert client.post(URL + "?dry_run=maybe", headers=province, json={}).status_code == 400
    assert count(User) == users


def test_absent_optional_fields_keep_what_is_stored(client, scenario, province):
    an = scenario.people["an"]
    position, joined = an.position_id, an.joined_on
    response = client.post(
        URL,
        headers=province,
        json={
            "officials": [
                {
                    "username": "AN",
                    "full_name": "An",
                    "unit_code": "x",
                    "position_code": None,
                    "joined_on": None,
                }
            ]
        },
    )
    assert response.status_code == 200
    db.session.expire_all()
    an = db.session.get(User, an.id)
    assert (an.position_id, an.joined_on) == (position, joined)
    assert response.get_json()["counts"]["unchanged"] == 1


def test_dates_are_iso_as_on_the_officials_list(client, province):
    response = client.post(
        URL,
        headers=province,
        json={
            "officials": [
                {
                    "username": "moi.06",
                    "full_name": "Mới Sáu",
                    "unit_code": "X",
                    "joined_on": "2025-07-01",
                    "left_on": "2026-06-30",
                }
            ]
        },
    )
    assert response.status_code == 200
    got = official(client, province, "moi.06")
    assert (got["joined_on"], got["left_on"], got["active"]) == ("2025-07-01", "2026-06-30", False)
    assert response.get_json()["temporary_passwords"] == []  # an inactive account gets none
    assert date.fromisoformat(got["joined_on"]) < date.fromisoformat(got["left_on"])


def test_a_body_over_the_size_limit_is_a_413_problem(app, client, province):
    app.config["MAX_CONTENT_LENGTH"] = 2000
    rows = [{"username": f"u{i}", "full_name": "Người Thử", "unit_code": "X"} for i in range(50)]
    users = count(User)
    response = client.post(URL, headers=province, json={"officials": rows})
    assert response.status_code == 413
    assert response.get_json()["code"] == "too_large"
    assert client.post(URL, json={"officials": rows}).status_code == 401  # the token first
    assert count(User) == users
