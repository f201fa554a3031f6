"""Authentication: password checks with throttling counted in the database, before the check."""

from __future__ import annotations

import hashlib
import logging
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from urllib.parse import urlsplit

from sqlalchemy import bindparam, delete, func, insert, select
from werkzeug.security import check_password_hash, generate_password_hash

from app import audit
from app.models import LoginFailure, User, UserSession, db

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


# PostgreSQL: one advisory lock serialises the counting of sign-in attempts (a few
# milliseconds each, never the password check). SQLite serialises writes by itself.
_COUNT_LOCK = 0x6C6F67696E  # "login"


def _throttle_wait(
    connection, username: str, address: str, policy: ThrottlePolicy, now: datetime
) -> int | None:
    """Minutes to wait, or None when the attempt just counted may be checked: the account and
    the address each get ``max_per_*`` attempts per window. Two queries whatever the load."""
    since = now - policy.window
    checks = (
        (LoginFailure.username == username, policy.max_per_account),
        (LoginFailure.address == address, policy.max_per_address),
    )
    wait = None
    for criterion, limit in checks:
        count, oldest = connection.execute(
            select(func.count(LoginFailure.id), func.min(LoginFailure.created_at)).where(
                criterion, LoginFailure.created_at > since
            )
        ).one()
        if count > limit:  # this attempt included
            minutes = max(1, math.ceil((oldest + policy.window - now).total_seconds() / 60))
            wait = max(wait or 0, minutes)
    return wait


def count_attempt(username: str, *, address: str, policy: ThrottlePolicy, now: datetime) -> int:
    """Count a password attempt before the password is checked, or raise ``Throttled``.

    The attempt is recorded as a failure in a short transaction of its own, committed at once
    (the one write a service commits itself, like a sequence): requests that arrive together
    count one after the other and each sees the others, so no more than the limit is ever
    checked in a window, however many arrive at once. It stays a failure unless the password
    proves right (``forget_attempt``). Call it before the request writes anything (on SQLite
    the request would otherwise hold the write lock this transaction waits for). Returns the
    attempt's id."""
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(select(func.pg_advisory_xact_lock(_COUNT_LOCK)))
        # SQLite: this insert starts the transaction and takes the write lock before counting.
        attempt_id = connection.execute(
            insert(LoginFailure).values(username=username, address=address, created_at=now)
        ).inserted_primary_key[0]
        wait = _throttle_wait(connection, username, address, policy, now)
        if wait is not None:  # raising rolls back: a refused attempt is not counted
            logger.warning("login throttled: username=%r address=%s", username, address)
            raise Throttled(wait)
    return attempt_id


def forget_attempt(attempt_id: int) -> None:
    """The password was right: this attempt is not a failure. The account's other failures
    stay until their window passes, so a right password among guesses does not reset them."""
    db.session.execute(delete(LoginFailure).where(LoginFailure.id == attempt_id))


def authenticate(
    username: str, password: str, *, address: str, policy: ThrottlePolicy, now: datetime
) -> User:
    """Return the active user with these credentials, or raise ``Throttled``/``InvalidCredentials``.

    The attempt is counted before the password is checked (``count_attempt``); a failure
    stays counted whatever the caller does."""
    username = username.strip().lower()
    attempt_id = count_attempt(username, address=address, policy=policy, now=now)
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        check_password_hash(_dummy_hash(), password)  # same time as a real check
    # The password is checked for a deactivated account too: every failure costs the same.
    if user is None or not user.check_password(password) or not user.is_active:
        logger.info("login failed: username=%r address=%s", username, address)
        raise InvalidCredentials()
    forget_attempt(attempt_id)
    user.last_login_at = now
    logger.info("login: user=%s", user.id)
    return user


def change_password(
    user: User, current: str, new: str, *, address: str, policy: ThrottlePolicy, now: datetime
) -> None:
    """Counted as a sign-in attempt of the account: a stolen session cannot guess the current
    password faster than the sign-in page allows (raises ``Throttled`` too)."""
    attempt_id = count_attempt(user.username, address=address, policy=policy, now=now)
    if not user.check_password(current):
        logger.info("password change refused (wrong password): user=%s", user.id)
        raise InvalidCredentials()
    forget_attempt(attempt_id)
    user.set_password(new)
    user.must_change_password = False
    user.session_version += 1  # ends the account's other sessions
    db.session.execute(
        delete(UserSession).where(
            UserSession.user_id == user.id,
            UserSession.token_hash != _digest(user.session_token or ""),
        )
    )
    logger.info("password changed: user=%s", user.id)


# Sessions: a row per signed-in browser (see UserSession). The cookies carry
# "<user id>.<session version>.<token>"; only the token's digest is stored.


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(user: User, *, now: datetime) -> None:
    """Record a new signed-in browser for ``user`` (before ``login_user``, which puts
    ``user.get_id()`` in the cookies)."""
    token = secrets.token_urlsafe(32)
    db.session.add(UserSession(user_id=user.id, token_hash=_digest(token), created_at=now))
    db.session.flush()
    user.session_token = token


# Every request runs this one indexed query: the account joined to its browser's session row
# (by the token's digest, unique), so both are checked in a single round trip. Built once: a
# statement is immutable, and building it costs more than running it on a primary key.
_SESSION_USER = (
    select(User)
    .join(UserSession, UserSession.user_id == User.id)
    .where(User.id == bindparam("user_id"), UserSession.token_hash == bindparam("token_hash"))
)


def session_user(session_id: str) -> User | None:
    """The user a cookie's id stands for, or None: the account must be active, its session
    version current (a password change ends other sessions) and the browser's session not
    ended (sign-out, sign out everywhere, an administrator's sign-out)."""
    ident, version, token = (session_id.split(".", 2) + ["", ""])[:3]
    if not (ident.isdigit() and len(ident) <= 9 and version.isdigit() and token):
        return None
    user = db.session.scalar(_SESSION_USER, {"user_id": int(ident), "token_hash": _digest(token)})
    if user is None or not user.is_active or str(user.session_version) != version:
        return None
    user.session_token = token
    return user


def end_session(user: User) -> None:
    """Sign out this browser: its cookies, copied or not, open nothing afterwards."""
    if user.session_token:
        db.session.execute(
            delete(UserSession).where(UserSession.token_hash == _digest(user.session_token))
        )
    logger.info("signed out: user=%s", user.id)


def end_all_sessions(user: User, *, by: User, address: str | None = None) -> int:
    """Sign ``user`` out on every browser (the user's own "sign out everywhere", or an
    administrator acting on the account, which the audit trail records); returns how many
    sessions ended."""
    result = db.session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    count = result.rowcount or 0
    if by.id != user.id:
        audit.record(by, "account.end_sessions", user, after={"sessions": count}, address=address)
    logger.info("sessions ended: user=%s by=%s count=%s", user.id, by.id, count)
    return count


def purge_sessions(*, before: datetime) -> int:
    """Delete sessions started before ``before`` (older than any remember-me cookie)."""
    result = db.session.execute(delete(UserSession).where(UserSession.created_at < before))
    return result.rowcount or 0


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
