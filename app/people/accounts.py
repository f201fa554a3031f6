"""Accounts administration: list and search, create, edit, move, (de)activate, reset a
password, unlock, and the units an HR account covers. Every change is audited; callers commit.

Admins manage every account. HR manage the accounts of their own units only, never an admin
account, never their own, and never grant the admin role; anything else is ``OutOfScope``,
which pages show as "not found".
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, Select, and_, delete, func, or_, select

from app import audit
from app.models import HrScope, LoginFailure, Position, Role, Unit, User, db, local_date
from app.people.roster import temporary_password  # one format for every temporary password
from app.people.scope import (
    can_see_unit,
    forget_scope,
    in_scope,
    unit_in_scope,
    visible_unit_ids,
)
from app.people.units import record_moves
from app.text import fold, nfc

logger = logging.getLogger(__name__)

# Letters and digits that cannot be mistaken for one another when read off a printed sheet.
ACCOUNT_FIELDS = ("username", "full_name", "email", "role", "unit_id", "position_id", "joined_on")


class AccountError(Exception):
    pass


class OutOfScope(AccountError):
    """The account or unit is outside what the actor may manage (shown as 404)."""


class UsernameTaken(AccountError):
    pass


class RoleNotAllowed(AccountError):
    """The actor may not grant this role (HR never grant admin)."""


class UnitRequired(AccountError):
    """Officials and HR belong to a unit."""


class OwnAccount(AccountError):
    """Nobody deactivates their own account or changes their own role or scope."""


# --- Reading ---------------------------------------------------------------------------------


@dataclass
class AccountFilter:
    search: str = ""
    unit: Unit | None = None  # this unit and everything under it
    role: str = ""
    position: Position | None = None
    active: str = ""  # "" (all), "yes", "no"


def search_criterion(text: str) -> ColumnElement[bool] | None:
    """Name or username starting with ``text``, ignoring case and diacritics ("nguyen van a"
    finds "Nguyễn Văn A", "dang" finds "Đặng"), on the indexed ``search_name`` and
    ``username`` columns. PostgreSQL: ``LIKE 'prefix%'`` on ``text_pattern_ops`` indexes (any
    collation); SQLite: the same prefix as a range (``>= prefix AND < prefix + U+10FFFF``),
    which its binary indexes answer (its LIKE is case-insensitive and would scan)."""
    key = fold(nfc(text))
    if not key:
        return None
    if db.session.get_bind().dialect.name == "sqlite":
        upper = key + "\U0010ffff"
        return or_(
            and_(User.search_name >= key, User.search_name < upper),
            and_(User.username >= key, User.username < upper),
        )
    pattern = key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return or_(
        User.search_name.like(pattern, escape="\\"), User.username.like(pattern, escape="\\")
    )


def manageable(viewer: User, *, searching: bool = False) -> ColumnElement[bool]:
    """Accounts ``viewer`` may list: every one for admins; HR the non-admin accounts of their
    units. When ``searching``, the scope is tested on ``unit_id + 0``, which no index matches:
    the planner then starts from the search's index (a few rows) instead of walking every
    account of a province through ``ix_user_unit_id`` (SQLite, which keeps no statistics,
    picks the latter: 400 ms instead of 5 ms for 100,000 accounts)."""
    if viewer.role == Role.ADMIN:
        return User.id.is_not(None)
    if searching:
        scope = (User.unit_id + 0).in_(visible_unit_ids(viewer))
    else:
        scope = in_scope(viewer)
    return and_(scope, User.role != Role.ADMIN)


def account_rows(viewer: User, flt: AccountFilter) -> Select:
    """The accounts page's rows: one query, paged in SQL, ordered by folded name."""
    stmt = (
        select(
            User.id,
            User.username,
            User.full_name,
            User.email,
            User.role,
            User.is_active,
            User.joined_on,
            Unit.code.label("unit_code"),
            Unit.name.label("unit_name"),
            Position.name.label("position_name"),
        )
        .outerjoin(Unit, Unit.id == User.unit_id)
        .outerjoin(Position, Position.id == User.position_id)
        .order_by(User.search_name, User.id)
    )
    criterion = search_criterion(flt.search)
    stmt = stmt.where(manageable(viewer, searching=criterion is not None))
    if criterion is not None:
        stmt = stmt.where(criterion)
    if flt.unit is not None:  # ids first: a subtree is a few units of thousands
        subtree = select(Unit.id).where(Unit.path.startswith(flt.unit.path, autoescape=True))
        stmt = stmt.where(User.unit_id.in_(subtree))
    if flt.role in set(Role):
        stmt = stmt.where(User.role == flt.role)
    if flt.position is not None:
        stmt = stmt.where(User.position_id == flt.position.id)
    if flt.active in ("yes", "no"):
        stmt = stmt.where(User.is_active.is_(flt.active == "yes"))
    return stmt


def can_manage(actor: User, user: User) -> bool:
    if actor.role == Role.ADMIN:
        return True
    if actor.role != Role.HR or user.id == actor.id or user.role == Role.ADMIN:
        return False
    return user.unit is not None and can_see_unit(actor, user.unit)


def check_manage(actor: User, user: User) -> None:
    if not can_manage(actor, user):
        raise OutOfScope(user.id)


def grantable_roles(actor: User) -> tuple[str, ...]:
    if actor.role == Role.ADMIN:
        return (Role.OFFICIAL, Role.HR, Role.ADMIN)
    return (Role.OFFICIAL, Role.HR)


def hr_scope_units(user: User) -> list[Unit]:
    """The units listed for an HR account (empty: it covers its own unit)."""
    return list(
        db.session.scalars(
            select(Unit)
            .join(HrScope, HrScope.unit_id == Unit.id)
            .where(HrScope.user_id == user.id)
            .order_by(Unit.path)
        )
    )


def failures(user: User, *, since: datetime) -> int:
    """Failed logins counted against the account since ``since`` (for "paused" and unlock)."""
    return db.session.scalar(
        select(func.count(LoginFailure.id)).where(
            LoginFailure.username == user.username, LoginFailure.created_at > since
        )
    )


# --- Changing --------------------------------------------------------------------------------


def _check_unit(actor: User, role: str, unit: Unit | None) -> None:
    if role not in grantable_roles(actor):
        raise RoleNotAllowed(role)
    if unit is None:
        if role != Role.ADMIN:
            raise UnitRequired(role)
        return
    if not can_see_unit(actor, unit):
        raise OutOfScope(unit.id)


def create_account(
    actor: User,
    *,
    username: str,
    full_name: str,
    role: str,
    unit: Unit | None,
    position: Position | None = None,
    email: str | None = None,
    joined_on: date | None = None,
    address: str | None,
    now: datetime,
) -> tuple[User, str]:
    """A new account with a temporary password it must change at first login; returns the
    account and the password (to show once, never stored in clear)."""
    username = nfc(username).lower()
    _check_unit(actor, role, unit)
    if db.session.scalar(select(User.id).where(User.username == username)) is not None:
        raise UsernameTaken(username)
    password = temporary_password()
    user = User(
        username=username,
        full_name=nfc(full_name),
        role=role,
        unit=unit,
        position=position,
        email=nfc(email) or None if email else None,
        joined_on=joined_on,
        must_change_password=True,
        created_at=now,
    )
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    audit.record(
        actor,
        "account.create",
        user,
        after=audit.snapshot(user, ACCOUNT_FIELDS),
        address=address,
        now=now,
    )
    return user, password


def update_account(
    actor: User,
    user: User,
    *,
    full_name: str,
    email: str | None,
    role: str,
    unit: Unit | None,
    position: Position | None,
    joined_on: date | None,
    address: str | None,
    now: datetime,
) -> None:
    """Edit an account: its details, its unit (a move keeps every record and ``joined_on``)
    and its role; each kind of change is its own audit entry."""
    check_manage(actor, user)
    if user.id == actor.id and role != user.role:
        raise OwnAccount(user.id)
    _check_unit(actor, role, unit)
    before = audit.snapshot(user, ACCOUNT_FIELDS)
    user.full_name = nfc(full_name)
    user.email = nfc(email) or None if email else None
    user.position = position
    user.joined_on = joined_on
    moved = (unit.id if unit else None) != user.unit_id
    if moved and unit is not None:  # the history reports each year under the right unit
        record_moves([(user.id, user.unit_id, unit.id)], local_date(now))
    user.unit = unit
    role_changed = role != user.role
    scope_before = [u.code for u in hr_scope_units(user)] if role_changed else []
    user.role = role
    if role_changed and role != Role.HR:
        db.session.execute(delete(HrScope).where(HrScope.user_id == user.id))
        forget_scope(user)
    db.session.flush()
    old, new = audit.changes(before, audit.snapshot(user, ACCOUNT_FIELDS))
    details = {k: v for k, v in new.items() if k not in ("unit_id", "role")}
    if details:
        audit.record(
            actor,
            "account.edit",
            user,
            before={k: old[k] for k in details},
            after=details,
            address=address,
            now=now,
        )
    if moved:
        audit.record(
            actor,
            "account.move",
            user,
            before={"unit_id": old["unit_id"]},
            after={"unit_id": new["unit_id"]},
            address=address,
            now=now,
        )
    if role_changed:
        audit.record(
            actor,
            "account.role",
            user,
            before={"role": old["role"], "hr_scope": scope_before},
            after={"role": new["role"]},
            address=address,
            now=now,
        )


def set_active(
    actor: User, user: User, active: bool, *, address: str | None, now: datetime
) -> None:
    """Deactivate (the account's sessions end, its records stay) or reactivate an account."""
    check_manage(actor, user)
    if user.id == actor.id:
        raise OwnAccount(user.id)
    if user.is_active == active:
        return
    user.is_active = active
    if not active:
        user.session_version += 1
    db.session.flush()
    audit.record(
        actor,
        "account.reactivate" if active else "account.deactivate",
        user,
        before={"is_active": not active},
        after={"is_active": active},
        address=address,
        now=now,
    )


def reset_password(actor: User, user: User, *, address: str | None, now: datetime) -> str:
    """A new temporary password (returned to show once) that must be changed at next login;
    the account's open sessions end. The audit entry says that it happened, never the
    password."""
    check_manage(actor, user)
    password = temporary_password()
    user.set_password(password)
    user.must_change_password = True
    user.session_version += 1
    db.session.flush()
    audit.record(
        actor,
        "account.reset_password",
        user,
        after={"must_change_password": True},
        address=address,
        now=now,
    )
    return password


def unlock(actor: User, user: User, *, address: str | None, now: datetime) -> int:
    """Forget the account's failed logins, so that a paused account may sign in again at once;
    returns how many were forgotten."""
    check_manage(actor, user)
    result = db.session.execute(delete(LoginFailure).where(LoginFailure.username == user.username))
    count = result.rowcount or 0
    audit.record(
        actor,
        "account.unlock",
        user,
        before={"failed_logins": count},
        after={"failed_logins": 0},
        address=address,
        now=now,
    )
    return count


def set_hr_scope(
    actor: User, user: User, units: list[Unit], *, address: str | None, now: datetime
) -> None:
    """The unit subtrees an HR account covers (none: its own unit). HR may only hand out
    units they cover themselves."""
    check_manage(actor, user)
    if user.id == actor.id:
        raise OwnAccount(user.id)
    if user.role != Role.HR:
        raise RoleNotAllowed(user.role)
    for unit in units:
        if not can_see_unit(actor, unit):
            raise OutOfScope(unit.id)
    before = [u.code for u in hr_scope_units(user)]
    after = sorted({u.code for u in units})
    if sorted(before) == after:
        return
    db.session.execute(delete(HrScope).where(HrScope.user_id == user.id))
    db.session.add_all(
        HrScope(user_id=user.id, unit_id=unit.id) for unit in {u.id: u for u in units}.values()
    )
    db.session.flush()
    forget_scope(user)
    audit.record(
        actor,
        "account.scope",
        user,
        before={"hr_scope": sorted(before)},
        after={"hr_scope": after},
        address=address,
        now=now,
    )


def units_in_scope(viewer: User) -> list[Unit]:
    """Units ``viewer`` may put accounts in, in tree order."""
    return list(db.session.scalars(select(Unit).where(unit_in_scope(viewer)).order_by(Unit.path)))


def positions() -> list[Position]:
    return list(db.session.scalars(select(Position).order_by(Position.sort_order, Position.code)))
