"""Every failed sign-in does the same work, so its timing tells nothing about the account."""

from __future__ import annotations

import pytest

from tests.factories import PASSWORD, make_user


@pytest.fixture
def hash_checks(monkeypatch):
    """How many password hashes each sign-in checks."""
    import app.auth.services
    import app.models.user

    calls = []
    for module in (app.auth.services, app.models.user):
        real = module.check_password_hash

        def counting(hash_, password, real=real):
            calls.append(1)
            return real(hash_, password)

        monkeypatch.setattr(module, "check_password_hash", counting)
    return calls


@pytest.mark.parametrize(
    ("username", "password"),
    [
        ("official.a", "wrong"),  # an active account, a wrong password
        ("khong.co", PASSWORD),  # no such account
        ("nghi.viec", PASSWORD),  # a deactivated account, its right password
        ("nghi.viec", "wrong"),  # a deactivated account, a wrong password
    ],
)
def test_every_failed_sign_in_checks_one_password_hash(
    client, units, official, hash_checks, username, password
):
    make_user("nghi.viec", unit=units["A"], is_active=False)
    response = client.post("/auth/login", data={"username": username, "password": password})
    assert response.status_code == 400
    assert len(hash_checks) == 1
