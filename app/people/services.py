"""Units, positions and accounts: the state changes of the people area. Callers commit."""

from __future__ import annotations

import logging
from pathlib import Path

import yaml
from sqlalchemy import select

from app.models import Position, Role, Unit, User, db

logger = logging.getLogger(__name__)

POSITIONS_FILE = Path(__file__).resolve().parent.parent / "data" / "positions.yml"


class PeopleError(Exception):
    pass


def create_unit(code: str, name: str, kind: str, parent: Unit | None = None) -> Unit:
    """Add a unit under ``parent`` and set its materialised path."""
    unit = Unit(code=code, name=name, kind=kind, parent=parent)
    db.session.add(unit)
    db.session.flush()  # the id is part of the path
    unit.path = f"{parent.path if parent else '/'}{unit.id}/"
    unit.depth = parent.depth + 1 if parent else 0
    return unit


def ensure_unit(code: str, name: str, kind: str, parent: Unit | None = None) -> Unit:
    unit = db.session.scalar(select(Unit).where(Unit.code == code))
    if unit is None:
        return create_unit(code, name, kind, parent)
    unit.name, unit.kind = name, kind
    return unit


def sync_positions(path: Path = POSITIONS_FILE) -> tuple[int, int]:
    """Upsert job positions from the reference file; returns (created, updated)."""
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))["positions"]
    existing = {p.code: p for p in db.session.scalars(select(Position))}
    created = updated = 0
    for order, entry in enumerate(entries, start=1):
        position = existing.get(entry["code"])
        if position is None:
            position = Position(code=entry["code"])
            db.session.add(position)
            created += 1
        fields = {
            "name": entry["name"],
            "group": entry["group"],
            "sector": entry.get("sector"),
            "is_current": entry.get("current", True),
            "legal_basis": entry.get("legal_basis"),
            "sort_order": order,
        }
        if any(getattr(position, k) != v for k, v in fields.items()):
            for k, v in fields.items():
                setattr(position, k, v)
            if position.id is not None:
                updated += 1
    db.session.flush()
    return created, updated


def create_user(
    username: str,
    full_name: str,
    password: str,
    *,
    role: str = Role.OFFICIAL,
    unit: Unit | None = None,
    position: Position | None = None,
    email: str | None = None,
) -> User:
    username = username.strip().lower()
    if not username:
        raise PeopleError("username is empty")
    if len(username) > 80 or len(full_name) > 200:
        raise PeopleError("a username holds at most 80 characters, a full name 200")
    if db.session.scalar(select(User.id).where(User.username == username)) is not None:
        raise PeopleError(f"username '{username}' is taken")
    if role == Role.HR and unit is None:
        raise PeopleError("an HR account needs a unit to be scoped to")
    user = User(
        username=username,
        full_name=full_name,
        role=role,
        unit=unit,
        position=position,
        email=email,
    )
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    logger.info("user created: id=%s role=%s", user.id, role)
    return user
