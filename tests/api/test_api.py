"""The JSON API: tokens, scope, errors as problem details, paging, the rows of HR's tables."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from app.models import ApiClient, ExternalTraining, db
from tests.api.conftest import bearer
from tests.compliance.scenario import EXPECTED, EXPECTED_UNITS, build
from tests.factories import make_user

NOW = datetime(2026, 12, 20, 2, 0)


@pytest.fixture
def scenario(app, content_dirs, clock):
    built = build(content_dirs)
    clock.freeze(NOW)
    return built


@pytest.fixture
def province_token(scenario, make_token):
    return make_token("province", [scenario.units["P"]])


def test_a_request_without_a_valid_token_is_a_401_problem(client, scenario, make_token):
    for headers in ({}, {"Authorization": "Basic abc"}, bearer("bdcc_not-a-token")):
        response = client.get("/api/v1/officials", headers=headers)
        assert response.status_code == 401
        assert response.mimetype == "application/problem+json"
        assert response.headers["WWW-Authenticate"] == "Bearer"
        body = response.get_json()
        assert body["status"] == 401 and body["code"] in ("unauthorized", "invalid_token")
        assert body["type"].endswith(body["code"])
        assert "Set-Cookie" not in response.headers


def test_problem_messages_are_vietnamese(client, scenario):
    detail = client.get("/api/v1/officials").get_json()["detail"]
    assert "Cần" in detail or "mã" in detail, detail


def test_revoked_and_expired_tokens_are_refused(client, scenario, make_token, clock):
    token = make_token("soon", [scenario.units["X"]], days=1)
    assert client.get("/api/v1/units", headers=bearer(token)).status_code == 200
    clock.freeze(NOW + timedelta(days=2))
    assert client.get("/api/v1/units", headers=bearer(token)).get_json()["code"] == "invalid_token"
    clock.freeze(NOW)
    other = make_token("gone", [scenario.units["X"]])
    from app.api.clients import client_named, revoke_client

    revoke_client(client_named("gone"), now=NOW)
    db.session.commit()
    assert client.get("/api/v1/units", headers=bearer(other)).status_code == 401


def test_last_use_is_recorded_even_on_a_get(client, scenario, province_token):
    assert client.get("/api/v1/units", headers=bearer(province_token)).status_code == 200
    db.session.expire_all()
    used = db.session.scalar(select(ApiClient.last_used_at).where(ApiClient.name == "province"))
    assert used == NOW


def test_auth_comes_before_validation(client, scenario, make_token):
    bad_body = {"title": ""}
    url = f"/api/v1/officials/{scenario.people['an'].username}/external-training"
    assert client.post(url, json=bad_body).status_code == 401
    read_only = make_token("ro", [scenario.units["P"]])
    assert client.post(url, json=bad_body, headers=bearer(read_only)).status_code == 403
    elsewhere = make_token("y-writer", [scenario.units["Y"]], write=True)
    assert client.post(url, json=bad_body, headers=bearer(elsewhere)).status_code == 404
    writer = make_token("x-writer", [scenario.units["X"]], write=True)
    response = client.post(url, json=bad_body, headers=bearer(writer))
    assert response.status_code == 400
    assert response.get_json()["code"] == "validation_failed"
    assert "title" in response.get_json()["errors"]["json"]
    assert client.get("/api/v1/officials?limit=0").status_code == 401
    assert client.get("/api/v1/officials?limit=0", headers=bearer(writer)).status_code == 400


def test_scope_one_commune_sees_nothing_of_another(client, scenario, make_token):
    token = make_token("xuan", [scenario.units["X"]])
    h = bearer(token)
    outside = [p for p in ("chi", "dung", "em", "giang", "khanh", "minh")]
    for name in outside:
        for url in (f"/api/v1/officials/{name}", f"/api/v1/officials/{name}/records?year=2026"):
            response = client.get(url, headers=h)
            assert response.status_code == 404, url
            assert response.get_json()["code"] == "official_not_found"
    for code in ("Y", "Z", "S", "P"):
        assert client.get(f"/api/v1/units/{code}", headers=h).status_code == 404
        assert client.get(f"/api/v1/officials?unit={code}", headers=h).status_code == 404
        assert (
            client.get(f"/api/v1/compliance/2026/officials?unit={code}", headers=h).status_code
            == 404
        )
    names = {o["username"] for o in client.get("/api/v1/officials", headers=h).get_json()["items"]}
    assert names == {"an", "binh", "ha", "lan", "nam"}
    rows = client.get("/api/v1/compliance/2026/officials", headers=h).get_json()["items"]
    assert {r["username"] for r in rows} == names
    units = client.get("/api/v1/units", headers=h).get_json()["items"]
    assert [u["code"] for u in units] == ["X"]


def test_a_read_only_token_gets_403_on_every_write(client, scenario, province_token):
    from flask import current_app

    writes = [
        rule
        for rule in current_app.url_map.iter_rules()
        if rule.endpoint.startswith("api.") and rule.methods & {"POST", "PUT", "PATCH", "DELETE"}
    ]
    assert writes
    for rule in writes:
        url = rule.rule.replace("<username>", "an")
        response = client.post(url, json={}, headers=bearer(province_token))
        assert response.status_code == 403, url
        assert response.get_json()["code"] == "read_only_token"


def test_compliance_rows_equal_the_export(client, login, scenario, province_token):
    login(scenario.people["hr"])
    exported = list(
        csv.DictReader(
            io.StringIO(
                client.get("/hr/export.csv?year=2026").get_data(as_text=True).lstrip("\ufeff")
            )
        )
    )
    client.post("/auth/logout")
    by_user = {}
    url = "/api/v1/compliance/2026/officials?limit=3"
    while url:
        page = client.get(url, headers=bearer(province_token)).get_json()
        by_user.update({row["username"]: row for row in page["items"]})
        cursor = page["next_cursor"]
        url = f"/api/v1/compliance/2026/officials?limit=3&cursor={cursor}" if cursor else None
    assert {u: (r["status"], r["reason"]) for u, r in by_user.items()} == EXPECTED
    assert len(exported) == len(by_user)
    for line in exported:
        row = by_user[line["Tên đăng nhập"]]
        assert row["status"] == line["Mã trạng thái"]
        assert row["reason"] == line["Lý do"]
        assert row["hours"] == float(line["Số giờ được tính"])
        assert "; ".join(row["missing_courses"]) == line["Khóa còn thiếu"]


def test_compliance_units_equal_the_units_export(client, scenario, province_token):
    h = bearer(province_token)
    body = client.get("/api/v1/compliance/2026/units", headers=h).get_json()
    counts = {line["unit_code"]: line["counts"] for line in body["items"]}
    assert counts == EXPECTED_UNITS
    x = next(line for line in body["items"] if line["unit_code"] == "X")
    assert x["compliant_share"] == 0.5
    assert body["total"]["officials"] == 11
    filtered = client.get(
        "/api/v1/compliance/2026/officials?status=exempt", headers=bearer(province_token)
    ).get_json()["items"]
    assert {r["username"] for r in filtered} == {"em", "giang", "lan", "minh"}
    missing = client.get("/api/v1/compliance/2031/units", headers=bearer(province_token))
    assert missing.status_code == 404 and missing.get_json()["code"] == "no_standard"


def test_cursor_pages_and_incremental_sync(client, scenario, province_token, clock):
    h = bearer(province_token)
    seen, url = [], "/api/v1/officials?limit=4"
    while url:
        page = client.get(url, headers=h).get_json()
        assert len(page["items"]) <= 4
        seen += [o["username"] for o in page["items"]]
        url = (
            f"/api/v1/officials?limit=4&cursor={page['next_cursor']}"
            if page["next_cursor"]
            else None
        )
    assert len(seen) == len(set(seen)) == 12  # eleven officials and HR of the province
    clock.freeze(NOW + timedelta(hours=1))
    scenario.people["an"].full_name = "An Đã Đổi"
    db.session.commit()
    changed = client.get(
        "/api/v1/officials?updated_since=2026-12-20T02:30:00Z", headers=h
    ).get_json()["items"]
    assert [o["username"] for o in changed] == ["an"]
    assert changed[0]["full_name"] == "An Đã Đổi"
    assert changed[0]["updated_at"] == "2026-12-20T03:00:00+00:00"
    bad = client.get("/api/v1/officials?cursor=garbage!", headers=h)
    assert bad.status_code == 400 and bad.get_json()["code"] == "invalid_cursor"


def test_units_show_the_tree_and_successors(client, scenario, province_token):
    scenario.units["Y"].successor_id = scenario.units["X"].id
    scenario.units["Y"].is_active = False
    db.session.commit()
    y = client.get("/api/v1/units/Y", headers=bearer(province_token)).get_json()
    assert y["parent_code"] == "P" and y["successor_code"] == "X" and y["active"] is False
    p = client.get("/api/v1/units/P", headers=bearer(province_token)).get_json()
    assert p["children"] == ["S", "X", "Y", "Z"]


def test_records_show_scores_never_questions(client, scenario, province_token):
    body = client.get("/api/v1/officials/an/records?year=2026", headers=bearer(province_token))
    data = body.get_json()
    assert [q["score"] for q in data["quiz_results"]] == [100.0]
    assert data["quiz_results"][0]["passed"] is True
    assert "question" not in body.get_data(as_text=True).lower()
    done = {c["slug"] for c in data["courses"] if c["completed_at"]}
    assert done == {"khoa-a", "khoa-b", "khoa-c"}


def test_external_training_is_recorded_with_the_forms_checks(client, scenario, make_token):
    token = make_token("writer", [scenario.units["X"]], write=True)
    url = "/api/v1/officials/ha/external-training"
    body = {"title": "Lớp bồi dưỡng", "hours": 2.5, "end_date": "2026-12-01"}
    response = client.post(url, json=body, headers=bearer(token))
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["source"] == "api"
    record = db.session.scalar(
        select(ExternalTraining).where(ExternalTraining.title == "Lớp bồi dưỡng")
    )
    assert record.hours == 2.5 and record.created_by_id is None and record.api_client_id
    future = client.post(url, json={**body, "end_date": "2027-01-01"}, headers=bearer(token))
    assert future.status_code == 400 and future.get_json()["code"] == "ends_in_future"
    order = {**body, "start_date": "2026-12-05"}
    assert (
        client.post(url, json=order, headers=bearer(token)).get_json()["code"]
        == "ends_before_start"
    )
    for bad in ({**body, "hours": 0}, {**body, "hours": 5000}, {**body, "title": "  "}):
        assert client.post(url, json=bad, headers=bearer(token)).status_code == 400
    assert (
        db.session.scalar(select(ExternalTraining.id).where(ExternalTraining.end_date > NOW))
        is None
    )
    status = client.get("/api/v1/compliance/2026/officials", headers=bearer(token)).get_json()
    ha = next(r for r in status["items"] if r["username"] == "ha")
    assert ha["hours"] == 5.5  # 3 hours of courses + 2.5 external


def test_rate_limit_answers_429_with_retry_after(app, client, scenario, province_token):
    app.config["API_RATE_LIMIT"] = 3
    codes = [
        client.get("/api/v1/positions", headers=bearer(province_token)).status_code
        for _ in range(4)
    ]
    assert codes == [200, 200, 200, 429]
    response = client.get("/api/v1/positions", headers=bearer(province_token))
    assert response.get_json()["code"] == "rate_limited"
    assert 1 <= int(response.headers["Retry-After"]) <= 60


def test_standard_and_certificate(client, scenario, province_token):
    std = client.get("/api/v1/standards/2026", headers=bearer(province_token)).get_json()
    assert std["deadline"] == "2026-12-15" and std["min_hours"] == 10.0
    assert {(c["slug"], c["position_code"]) for c in std["courses"]} == {
        ("khoa-a", None),
        ("khoa-b", None),
        ("khoa-d", "CM-MC"),
    }
    missing = client.get("/api/v1/certificates/XXXX-XXXX", headers=bearer(province_token))
    assert missing.status_code == 404 and missing.get_json()["code"] == "certificate_not_found"


def test_a_browser_session_does_not_open_the_api(client, login, scenario):
    login(scenario.people["hr"])
    assert client.get("/api/v1/officials").status_code == 401


def test_unknown_api_paths_are_problems_too(client, scenario, province_token):
    response = client.get("/api/v1/nothing-here", headers=bearer(province_token))
    assert response.status_code == 404 and response.mimetype == "application/problem+json"
    assert client.delete("/api/v1/units", headers=bearer(province_token)).status_code == 405


def test_cli_creates_and_revokes_a_client(runner, scenario, client):
    result = runner.invoke(
        args=["api", "create-client", "tinh", "--units", "X,Y", "--write", "--days", "30"]
    )
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    assert token.startswith("bdcc_")
    assert client.get("/api/v1/officials/chi", headers=bearer(token)).status_code == 200
    again = runner.invoke(args=["api", "create-client", "tinh", "--units", "X"])
    assert again.exit_code != 0 and "exists" in again.output
    unknown = runner.invoke(args=["api", "create-client", "khac", "--units", "NOPE"])
    assert unknown.exit_code != 0 and "NOPE" in unknown.output
    assert runner.invoke(args=["api", "revoke-client", "tinh"]).exit_code == 0
    assert client.get("/api/v1/officials/chi", headers=bearer(token)).status_code == 401
    stored = db.session.scalar(select(ApiClient).where(ApiClient.name == "tinh"))
    assert token not in (stored.token_hash, stored.token_prefix)


def test_pages_cost_the_same_statements_whatever_their_place(
    client, scenario, province_token, count_queries
):
    units = [scenario.units[c] for c in "XYZ"]
    for i in range(60):
        make_user(f"them{i:02}", unit=units[i % 3], commit=False)
    db.session.commit()
    h = bearer(province_token)
    counts, url = [], "/api/v1/compliance/2026/officials?limit=10"
    while url:
        with count_queries() as queries:
            page = client.get(url, headers=h).get_json()
        counts.append(queries.count)
        cursor = page["next_cursor"]
        url = f"/api/v1/compliance/2026/officials?limit=10&cursor={cursor}" if cursor else None
    assert len(counts) >= 7
    assert max(counts[:-1]) == min(counts[:-1]), counts


def test_units_summary_of_one_commune_and_of_several(client, scenario, make_token):
    one = make_token("x-only", [scenario.units["X"]])
    body = client.get("/api/v1/compliance/2026/units", headers=bearer(one)).get_json()
    assert [line["unit_code"] for line in body["items"]] == ["X"]
    assert body["total"]["counts"] == EXPECTED_UNITS["X"]
    several = make_token("x-and-y", [scenario.units["X"], scenario.units["Y"]])
    body = client.get("/api/v1/compliance/2026/units", headers=bearer(several)).get_json()
    assert {line["unit_code"]: line["counts"] for line in body["items"]} == {
        "X": EXPECTED_UNITS["X"],
        "Y": EXPECTED_UNITS["Y"],
    }
    assert body["total"]["officials"] == 5 + 3
    assert body["total"]["unit_code"] is None
