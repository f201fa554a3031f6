"""Sign-in, sign-out, password change, throttling and safe redirects."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.models import LoginFailure, User, UserSession, db, utcnow
from tests.factories import PASSWORD, make_user


def test_login_page_is_vietnamese_and_has_csrf_field(app, client):
    app.config["WTF_CSRF_ENABLED"] = True
    page = client.get("/auth/login").get_data(as_text=True)
    assert 'name="csrf_token"' in page
    assert "Đăng nhập" in page and 'lang="vi"' in page


def test_anonymous_home_redirects_to_login(client):
    response = client.get("/")
    assert response.status_code == 302 and response.location.endswith("/auth/login")


def test_login_with_right_password_opens_home(client, login, official):
    response = login(official)
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert db.session.get(User, official.id).last_login_at is not None


def test_username_is_case_insensitive(client, official):
    response = client.post("/auth/login", data={"username": " Official.A ", "password": PASSWORD})
    assert response.status_code == 302


def test_wrong_password_keeps_username_and_says_why(client, login, official):
    response = login(official, password="wrong")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Sai tên đăng nhập hoặc mật khẩu" in page
    assert 'value="official.a"' in page


def test_inactive_account_cannot_sign_in(client, units):
    user = make_user("nghi.viec", unit=units["A"], is_active=False)
    response = client.post("/auth/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 400


def test_account_is_throttled_after_repeated_failures_even_with_right_password(
    app, client, login, official
):
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]):
        assert login(official, password="wrong").status_code == 400
    response = login(official)
    assert response.status_code == 429
    assert "Thử lại sau" in response.get_data(as_text=True)


def test_failures_expire_after_the_window(app, client, login, official):
    old = utcnow() - timedelta(minutes=app.config["LOGIN_WINDOW_MINUTES"] + 1)
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]):
        db.session.add(
            LoginFailure(username=official.username, address="127.0.0.1", created_at=old)
        )
    db.session.commit()
    assert login(official).status_code == 302


def test_address_is_throttled_across_accounts(app, client, units):
    limit = app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"]
    for i in range(limit):
        client.post("/auth/login", data={"username": f"doan{i}", "password": "x"})
    user = make_user("that.su", unit=units["A"])
    response = client.post("/auth/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 429
    other_address = app.test_client()
    response = other_address.post(
        "/auth/login",
        data={"username": user.username, "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "10.0.0.9"},
    )
    assert response.status_code == 302


def test_failures_are_counted_in_the_database_and_a_success_does_not_wipe_them(
    app, client, login, official
):
    login(official, password="wrong")
    login(official, password="wrong")
    count = select(func.count(LoginFailure.id)).where(LoginFailure.username == official.username)
    assert db.session.scalar(count) == 2
    assert login(official).status_code == 302
    assert db.session.scalar(count) == 2  # the right password is not a failure, nor a reset
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    for _ in range(limit - 2):
        assert login(official, password="wrong").status_code == 400
    assert login(official, password="wrong").status_code == 429


def test_wrong_current_passwords_on_the_password_form_are_throttled(app, client, login, official):
    login(official)
    wrong = {"current": "đoán thử", "new": "mật khẩu mới dài", "confirm": "mật khẩu mới dài"}
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]):
        assert client.post("/auth/password", data=wrong).status_code == 400
    right = dict(wrong, current=PASSWORD)
    response = client.post("/auth/password", data=right)
    assert response.status_code == 429
    assert "Thử lại sau" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, official.id).check_password(PASSWORD)  # unchanged
    # the same count as the sign-in page: the account is throttled there too
    assert (
        app.test_client()
        .post("/auth/login", data={"username": official.username, "password": PASSWORD})
        .status_code
        == 429
    )


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
        "http:/evil.example",
        "/\r\nSet-Cookie:x",
        " //evil.example",
    ],
)
def test_next_outside_the_site_is_ignored(client, official, target):
    response = client.post(
        "/auth/login",
        data={"username": official.username, "password": PASSWORD, "next": target},
    )
    assert response.status_code == 302
    assert response.location in ("/", "http://localhost/")


def test_next_on_the_site_is_followed(client, official):
    response = client.post(
        "/auth/login",
        data={"username": official.username, "password": PASSWORD, "next": "/courses?x=1"},
    )
    assert response.location.endswith("/courses?x=1")


def test_login_page_carries_next_from_query(client):
    page = client.get("/auth/login?next=/courses").get_data(as_text=True)
    assert 'value="/courses"' in page


def test_logout_requires_post(client, login, official):
    login(official)
    assert client.get("/auth/logout").status_code == 405
    assert client.post("/auth/logout").status_code == 302
    assert client.get("/").status_code == 302


def test_csrf_is_enforced_on_forms(app, client, official):
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post(
        "/auth/login", data={"username": official.username, "password": PASSWORD}
    )
    assert response.status_code == 400
    assert client.get("/").status_code == 302  # not signed in


def test_change_password_ends_other_sessions(app, client, login, official):
    other = app.test_client()
    other.post("/auth/login", data={"username": official.username, "password": PASSWORD})
    assert other.get("/courses").status_code == 200
    login(official)
    response = client.post(
        "/auth/password",
        data={"current": PASSWORD, "new": "mật khẩu mới dài", "confirm": "mật khẩu mới dài"},
    )
    assert response.status_code == 302
    assert client.get("/courses").status_code == 200  # this session goes on
    assert other.get("/courses").status_code == 302  # the other one ended
    db.session.expire_all()
    assert db.session.get(User, official.id).check_password("mật khẩu mới dài")


def test_change_password_errors_keep_the_form(client, login, official):
    login(official)
    response = client.post(
        "/auth/password", data={"current": "sai", "new": "ngắn", "confirm": "khác"}
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "ít nhất 10 ký tự" in page and "khác nhau" in page


def test_passwords_are_stored_hashed(official):
    assert PASSWORD not in official.password_hash
    assert official.password_hash.startswith(("scrypt:", "pbkdf2:"))


def test_security_headers_forbid_inline_script_and_framing(client):
    response = client.get("/auth/login")
    csp = response.headers["Content-Security-Policy"]
    assert (
        "script-src 'self'" in csp
        and "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    )
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_no_page_carries_inline_script(client, login, admin):
    import re

    login(admin)
    for url in (
        "/",
        "/courses",
        "/hr/",
        "/hr/officials",
        "/admin/",
        "/admin/users",
        "/auth/password",
    ):
        page = client.get(url).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)", page), url
        assert not re.search(r"\son[a-z]+=", page), url


def test_behind_a_proxy_addresses_come_from_x_forwarded_for(tmp_path):
    from app import create_app
    from config import TestingConfig

    class ProxiedConfig(TestingConfig):
        PROXY_COUNT = 1
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path}/proxied.db"

    proxied = create_app(ProxiedConfig)
    with proxied.app_context():
        db.create_all()
        proxied.test_client().post(
            "/auth/login",
            data={"username": "ai", "password": "x"},
            headers={"X-Forwarded-For": "203.0.113.7"},
            environ_base={"REMOTE_ADDR": "10.0.0.1"},
        )
        assert db.session.scalar(select(LoginFailure.address)) == "203.0.113.7"
        db.session.remove()
        db.engine.dispose()


def _copy(client, name: str):
    """Another browser holding only this cookie of ``client`` (copied, stolen, left behind)."""
    other = client.application.test_client()
    other.set_cookie(name, client.get_cookie(name).value)
    return other


def test_a_session_cookie_copied_before_sign_out_opens_nothing_afterwards(client, login, official):
    login(official)
    copy = _copy(client, "session")
    assert copy.get("/my/training").status_code == 200  # the copy works while signed in
    client.post("/auth/logout")
    response = copy.get("/my/training")
    assert response.status_code == 302 and "/auth/login" in response.location


def test_the_remember_me_cookie_alone_opens_nothing_after_sign_out(client, login, official):
    login(official, remember="y")
    assert _copy(client, "remember_token").get("/my/training").status_code == 200
    kept = _copy(client, "remember_token")
    client.post("/auth/logout")
    assert kept.get("/my/training").status_code == 302


def test_sign_out_everywhere_ends_every_session_of_the_account_only(
    app, client, login, official, official_b
):
    phone = app.test_client()
    phone.post("/auth/login", data={"username": official.username, "password": PASSWORD})
    neighbour = app.test_client()
    neighbour.post("/auth/login", data={"username": official_b.username, "password": PASSWORD})
    login(official, remember="y")
    remembered = _copy(client, "remember_token")
    page = client.get("/auth/password").get_data(as_text=True)
    assert "Đăng xuất trên mọi thiết bị" in page and 'action="/auth/logout-everywhere"' in page
    response = client.post("/auth/logout-everywhere")
    assert response.status_code == 302 and "/auth/login" in response.location
    for browser in (client, phone, remembered):
        assert browser.get("/my/training").status_code == 302
    assert neighbour.get("/my/training").status_code == 200
    assert login(official).status_code == 302  # signing in again works
    assert client.get("/my/training").status_code == 200


def test_an_administrator_signs_an_account_out_everywhere(
    app, client, login, official, hr_a, admin
):
    phone = app.test_client()
    phone.post("/auth/login", data={"username": official.username, "password": PASSWORD})
    url = f"/admin/users/{official.id}/logout"
    login(hr_a)
    assert client.post(url).status_code == 403  # HR may not
    assert phone.get("/my/training").status_code == 200
    client.post("/auth/logout")
    login(admin)
    page = client.get("/admin/users").get_data(as_text=True)
    assert f'action="{url}"' in page
    response = client.post(url, data={"q": "official"})
    assert response.status_code == 302 and response.location.endswith("/admin/users?q=official")
    assert "đã được đăng xuất trên mọi thiết bị" in client.get("/admin/users").get_data(
        as_text=True
    )
    assert phone.get("/my/training").status_code == 302
    assert client.get("/admin/users").status_code == 200  # the administrator's own goes on
    assert client.post("/admin/users/999999/logout").status_code == 404


def test_purge_forgets_old_sessions_and_failures_only(app, client, login, official):
    login(official)
    old = utcnow() - timedelta(days=366)
    db.session.add(UserSession(user_id=official.id, token_hash="0" * 64, created_at=old))
    db.session.add(LoginFailure(username="x", address="10.0.0.1", created_at=old))
    db.session.add(LoginFailure(username="x", address="10.0.0.1", created_at=utcnow()))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["users", "purge-sessions"])
    assert result.exit_code == 0, result.output
    assert "Purged 1 session(s) and 1 failed sign-in(s)." in result.output
    assert db.session.scalar(select(func.count(UserSession.id))) == 1
    assert client.get("/my/training").status_code == 200  # the recent session goes on
