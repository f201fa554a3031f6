"""Authentication: password checks with throttling counted in the database."""

from __future__ import annotations

import logging
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from urllib.parse import urlsplit

from sqlalchemy import delete, func, select
from werkzeug.security import check_password_hash, generate_password_hash

from app.models import LoginFailure, User, db

logger = logging.getLogger(__name__)


class AuthError(Exception):
    pass


class InvalidCredentials(AuthError):
    pass


@dataclass
class Throttled(AuthError):
    retry_after_minutes: int


@cache
def _dummy_hash() -> str:
    """A hash to check unknown usernames against, so that timing does not tell which exist."""
    return generate_password_hash(secrets.token_hex(16))


@dataclass(frozen=True)
class ThrottlePolicy:
    window: timedelta
    max_per_account: int
    max_per_address: int


def _throttle_wait(
    username: str, address: str, policy: ThrottlePolicy, now: datetime
) -> int | None:
    """Minutes to wait, or None when a login may be tried. Two queries whatever the load."""
    since = now - policy.window
    checks = (
        (LoginFailure.username == username, policy.max_per_account),
        (LoginFailure.address == address, policy.max_per_address),
    )
    wait = None
    for criterion, limit in checks:
        count, oldest = db.session.execute(
            select(func.count(LoginFailure.id), func.min(LoginFailure.created_at)).where(
                criterion, LoginFailure.created_at > since
            )
        ).one()
        if count >= limit:
            minutes = max(1, math.ceil((oldest + policy.window - now).total_seconds() / 60))
            wait = max(wait or 0, minutes)
    return wait


def authenticate(
    username: str, password: str, *, address: str, policy: ThrottlePolicy, now: datetime
) -> User:
    """Return the active user with these credentials, or raise ``Throttled``/``InvalidCredentials``.

    Failures are recorded (the caller commits in both outcomes); success clears the
    account's failures.
    """
    username = username.strip().lower()
    wait = _throttle_wait(username, address, policy, now)
    if wait is not None:
        logger.warning("login throttled: username=%r address=%s", username, address)
        raise Throttled(wait)
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        check_password_hash(_dummy_hash(), password)  # same time as a real check
    # The password is checked for a deactivated account too: every failure costs the same.
    if user is None or not user.check_password(password) or not user.is_active:
        db.session.add(LoginFailure(username=username, address=address, created_at=now))
        db.session.flush()
        logger.info("login failed: username=%r address=%s", username, address)
        raise InvalidCredentials()
    db.session.execute(delete(LoginFailure).where(LoginFailure.username == username))
    user.last_login_at = now
    logger.info("login: user=%s", user.id)
    return user


def change_password(user: User, current: str, new: str) -> None:
    if not user.check_password(current):
        raise InvalidCredentials()
    user.set_password(new)
    user.must_change_password = False
    user.session_version += 1  # ends the account's other sessions
    logger.info("password changed: user=%s", user.id)


def purge_login_failures(*, before: datetime) -> int:
    """Delete failures older than ``before`` (they no longer count)."""
    result = db.session.execute(delete(LoginFailure).where(LoginFailure.created_at < before))
    return result.rowcount or 0


def is_safe_next(target: str | None) -> bool:
    """Only paths on this site: no scheme, no host, no protocol-relative or backslash tricks."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return False
    if any(c in target for c in "\\\r\n\t") or any(ord(c) < 32 for c in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc
