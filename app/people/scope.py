"""Who may see whom. Every HR query goes through ``visible_unit_ids``."""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, false, select

from app.models import Role, Unit, User


def visible_unit_ids(viewer: User) -> Select[tuple[int]]:
    """The units ``viewer`` may see, as a subquery: admins see every unit, HR their own unit
    and everything under it, anyone else none."""
    if viewer.role == Role.ADMIN:
        return select(Unit.id)
    if viewer.role == Role.HR and viewer.unit is not None:
        return select(Unit.id).where(Unit.path.startswith(viewer.unit.path, autoescape=True))
    return select(Unit.id).where(false())


def in_scope(viewer: User) -> ColumnElement[bool]:
    """Filter for ``User`` rows the viewer may see."""
    return User.unit_id.in_(visible_unit_ids(viewer))


def unit_in_scope(viewer: User) -> ColumnElement[bool]:
    """Filter for ``Unit`` rows the viewer may see."""
    return Unit.id.in_(visible_unit_ids(viewer))


def can_see_unit(viewer: User, unit: Unit) -> bool:
    if viewer.role == Role.ADMIN:
        return True
    if viewer.role == Role.HR and viewer.unit is not None:
        return unit.path.startswith(viewer.unit.path)
    return False


def can_see_user(viewer: User, user: User) -> bool:
    """An official sees themself; HR the officials of their units; admins everyone."""
    if viewer.id == user.id or viewer.role == Role.ADMIN:
        return True
    return user.unit is not None and can_see_unit(viewer, user.unit)
