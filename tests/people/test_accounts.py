"""Accounts administration: search without diacritics, the HR limits on every action, and
what each action does to the account."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime

import pytest
from sqlalchemy import func, select, text

from app.models import AuditEntry, HrScope, LoginFailure, Role, User, db
from app.people import accounts
from tests.factories import PASSWORD, make_user

NOW = datetime(2026, 3, 2, 3, 0)


def names(viewer, search="", **kwargs) -> list[str]:
    stmt = accounts.account_rows(viewer, accounts.AccountFilter(search=search, **kwargs))
    return [row.full_name for row in db.session.execute(stmt)]


@pytest.fixture
def people(units):
    made = {
        "nva": make_user("nva", full_name="Nguyễn Văn A", unit=units["A"]),
        # The same letters typed on another system: decomposed (NFD).
        "nvan": make_user(
            "nvan", full_name=unicodedata.normalize("NFD", "Nguyễn Văn Ân"), unit=units["A"]
        ),
        "dang": make_user("dtb", full_name="Đặng Thị Bích", unit=units["B"]),
        "tran": make_user("tranc", full_name="Trần Cường", unit=units["A1"]),
    }
    return made


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("nguyen van a", ["Nguyễn Văn A", "Nguyễn Văn Ân"]),
        ("NGUYỄN VĂN Â", ["Nguyễn Văn A", "Nguyễn Văn Ân"]),
        ("nguyen van an", ["Nguyễn Văn Ân"]),
        ("dang", ["Đặng Thị Bích"]),
        ("Đặng thi", ["Đặng Thị Bích"]),
        ("  tran   cuong ", ["Trần Cường"]),
        ("dtb", ["Đặng Thị Bích"]),  # a username
        ("van", []),  # names are matched from their start
        ("%", []),
        ("_", []),
    ],
)
def test_search_ignores_case_and_diacritics(admin, people, search, expected):
    found = [unicodedata.normalize("NFC", n) for n in names(admin, search)]
    assert found == expected


def test_search_name_follows_the_full_name(admin, people):
    user = people["tran"]
    user.full_name = "Lê Thị Đào"
    db.session.commit()
    assert names(admin, "le thi dao") == ["Lê Thị Đào"]
    assert names(admin, "tran cuong") == []


def test_filters_by_unit_role_position_and_active(admin, hr_a, people, units):
    people["nva"].is_active = False
    db.session.commit()
    assert names(admin, unit=units["A"]) == [
        "Người dùng hr.a",
        "Nguyễn Văn A",
        unicodedata.normalize("NFD", "Nguyễn Văn Ân"),
        "Trần Cường",
    ]
    assert names(admin, role="hr") == ["Người dùng hr.a"]
    assert "Nguyễn Văn A" not in names(admin, active="yes")
    assert names(admin, active="no") == ["Nguyễn Văn A"]


def test_search_uses_an_index(app, admin, people):
    stmt = accounts.account_rows(admin, accounts.AccountFilter(search="nguyen"))
    compiled = stmt.compile(db.engine, compile_kwargs={"literal_binds": True})
    if db.engine.dialect.name == "sqlite":
        plan = " ".join(
            str(row[-1]) for row in db.session.execute(text(f"EXPLAIN QUERY PLAN {compiled}"))
        )
        assert "ix_user_search_name" in plan and "INDEX ix_user_username" in plan, plan
    else:
        db.session.execute(text("SET LOCAL enable_seqscan = off"))
        plan = " ".join(row[0] for row in db.session.execute(text(f"EXPLAIN {compiled}")))
        assert "ix_user_search_name" in plan and "ix_user_username_pattern" in plan, plan


def test_hr_lists_only_their_units_and_never_admins(hr_a, admin, people):
    listed = names(hr_a)
    assert "Đặng Thị Bích" not in listed
    assert "Trần Cường" in listed  # A1 is under A
    assert "Người dùng admin" not in listed


# --- Pages, and HR's limits on each of them --------------------------------------------------


def test_hr_gets_404_for_every_action_on_an_account_outside_their_units(
    client, login, hr_a, official_b, admin
):
    login(hr_a)
    for target in (official_b, admin, hr_a):
        assert client.get(f"/people/{target.id}").status_code == 404
        for action in ("", "/active", "/password", "/unlock", "/scope"):
            response = client.post(f"/people/{target.id}{action}", data={"active": "0"})
            assert response.status_code == 404, (target, action)
    assert db.session.scalar(select(func.count(AuditEntry.id))) == 0
    assert db.session.get(User, official_b.id).is_active


def test_officials_cannot_open_the_accounts_pages(client, login, official):
    login(official)
    assert client.get("/people/").status_code == 403
    assert client.get("/people/audit").status_code == 403
    assert client.post("/people/new", data={}).status_code == 403


def _create(client, **data):
    form = {"username": "moi.a", "full_name": "Lê Mới", "role": "official", "unit": "A"}
    return client.post("/people/new", data={**form, **data})


def test_create_shows_a_temporary_password_once_that_must_be_changed(client, login, hr_a):
    login(hr_a)
    response = _create(client, full_name=unicodedata.normalize("NFD", "Lê Mới"))
    assert response.status_code == 200
    password = re.search(r"<code>([A-Za-z0-9-]+)</code>", response.text).group(1)
    user = db.session.scalar(select(User).where(User.username == "moi.a"))
    assert user.full_name == "Lê Mới"  # stored NFC
    assert user.must_change_password and user.check_password(password)
    assert password not in client.get(f"/people/{user.id}").text
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "account.create"))
    assert entry.actor_id == hr_a.id and entry.address == "127.0.0.1"
    assert password not in str(entry.after)
    client.post("/auth/logout")
    response = client.post("/auth/login", data={"username": "moi.a", "password": password})
    assert response.status_code == 302
    assert "/auth/password" in client.get("/").location  # made to change it first
    assert "/auth/password" in client.get("/hr/").location
    assert client.get("/auth/password").status_code == 200


def test_hr_cannot_grant_admin_nor_create_outside_their_units(client, login, hr_a):
    login(hr_a)
    assert _create(client, role="admin").status_code == 400
    assert _create(client, unit="B").status_code == 400
    assert _create(client, unit="").status_code == 400
    assert db.session.scalar(select(User).where(User.username == "moi.a")) is None


def test_duplicate_username_is_refused(client, login, admin, official):
    login(admin)
    response = _create(client, username=official.username.upper())
    assert response.status_code == 400
    assert db.session.scalar(select(func.count(User.id))) == 2


def test_edit_moves_and_records_each_change(client, login, hr_a, official, units):
    login(hr_a)
    response = client.post(
        f"/people/{official.id}",
        data={"full_name": "Tên Mới", "role": "official", "unit": "A1", "joined_on": "01/02/2020"},
    )
    assert response.status_code == 302
    user = db.session.get(User, official.id)
    assert (user.full_name, user.unit_id, str(user.joined_on)) == (
        "Tên Mới",
        units["A1"].id,
        "2020-02-01",
    )
    actions = dict(db.session.execute(select(AuditEntry.action, AuditEntry.after)).all())
    assert actions["account.move"] == {"unit_id": units["A1"].id}
    assert actions["account.edit"]["full_name"] == "Tên Mới"


def test_hr_cannot_move_an_official_out_of_their_units(client, login, hr_a, official):
    login(hr_a)
    response = client.post(
        f"/people/{official.id}", data={"full_name": "X", "role": "official", "unit": "B"}
    )
    assert response.status_code == 400
    assert db.session.get(User, official.id).unit.code == "A"


def test_deactivate_ends_sign_in_and_reactivate_restores_it(app, client, login, hr_a, official):
    login(hr_a)
    client.post(f"/people/{official.id}/active", data={"active": "0"})
    client.post("/auth/logout")
    assert login(official).status_code != 302
    login(hr_a)
    client.post(f"/people/{official.id}/active", data={"active": "1"})
    client.post("/auth/logout")
    assert login(official).status_code == 302
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["account.deactivate", "account.reactivate"]


def test_nobody_deactivates_their_own_account(client, login, admin):
    login(admin)
    client.post(f"/people/{admin.id}/active", data={"active": "0"})
    assert db.session.get(User, admin.id).is_active


def test_reset_password_replaces_it_with_a_temporary_one(client, login, hr_a, official):
    login(hr_a)
    response = client.post(f"/people/{official.id}/password")
    password = re.search(r"<code>([A-Za-z0-9-]+)</code>", response.text).group(1)
    user = db.session.get(User, official.id)
    assert user.must_change_password
    assert user.check_password(password) and not user.check_password(PASSWORD)


def test_unlock_lets_a_paused_account_sign_in_again(app, client, login, hr_a, official):
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]):
        db.session.add(LoginFailure(username=official.username, address="10.0.0.9"))
    db.session.commit()
    assert login(official).status_code == 429
    login(hr_a)
    assert client.post(f"/people/{official.id}/unlock").status_code == 302
    client.post("/auth/logout")
    assert login(official).status_code == 302


def test_hr_scope_covers_several_subtrees(client, login, admin, hr_b, official, official_b, units):
    login(admin)
    response = client.post(f"/people/{hr_b.id}/scope", data={"units": ["A1", "B"]})
    assert response.status_code == 302
    assert {s.unit_id for s in db.session.scalars(select(HrScope))} == {
        units["A1"].id,
        units["B"].id,
    }
    hr = db.session.get(User, hr_b.id)
    other = make_user("in.a1", unit=units["A1"])
    assert accounts.can_manage(hr, other)
    assert accounts.can_manage(hr, db.session.get(User, official_b.id))
    assert not accounts.can_manage(hr, db.session.get(User, official.id))  # A itself


def test_hr_hands_out_only_units_they_cover(client, login, hr_a, units):
    colleague = make_user("hr.a2", role=Role.HR, unit=units["A"])
    login(hr_a)
    assert client.post(f"/people/{colleague.id}/scope", data={"units": ["B"]}).status_code == 400
    assert client.post(f"/people/{colleague.id}/scope", data={"units": ["A1"]}).status_code == 302
    assert db.session.scalars(select(HrScope.unit_id)).all() == [units["A1"].id]


def test_list_page_pages_and_searches(client, login, admin, people):
    login(admin)
    response = client.get("/people/?q=dang")
    assert response.status_code == 200
    assert "Đặng Thị Bích" in response.text and "Trần Cường" not in response.text


def test_account_page_shows_a_paused_account_and_an_hr_accounts_units(
    app, client, login, admin, hr_a
):
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]):
        db.session.add(LoginFailure(username=hr_a.username, address="10.0.0.9"))
    db.session.commit()
    login(admin)
    page = client.get(f"/people/{hr_a.id}").get_data(as_text=True)
    assert "Tạm khóa sau 5 lần đăng nhập sai" in page
    assert "Đơn vị phụ trách" in page and 'value="A1"' in page


def test_temporary_password_pages_are_not_cached(client, login, hr_a, official):
    login(hr_a)
    response = client.post(f"/people/{official.id}/password")
    assert response.headers["Cache-Control"] == "no-store"


def test_audit_page_filters(client, login, admin, official):
    login(admin)
    client.post(f"/people/{official.id}/password")
    client.post(f"/people/{official.id}/unlock")
    page = client.get("/people/audit?action=account.unlock").get_data(as_text=True)
    assert "account.unlock" in page and "account.reset_password" not in page
    assert "account.reset_password" in client.get("/people/audit?actor=admin").get_data(
        as_text=True
    )
    assert client.get("/people/audit?since=not-a-date").status_code == 400
    assert client.get("/people/audit?object_id=99999999999999999999").status_code == 200
