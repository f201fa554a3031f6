"""Who may see whom. Every HR query goes through ``visible_unit_ids``."""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, false, or_, select

from app.models import ApiClient, Role, Unit, User

Viewer = User | ApiClient


def visible_unit_ids(viewer: Viewer) -> Select[tuple[int]]:
    """The units ``viewer`` may see, as a subquery: admins see every unit, HR their own unit
    and everything under it, an API client the subtrees of its units, anyone else none."""
    if isinstance(viewer, ApiClient):
        paths = [Unit.path.startswith(unit.path, autoescape=True) for unit in viewer.units]
        return select(Unit.id).where(or_(*paths) if paths else false())
    if viewer.role == Role.ADMIN:
        return select(Unit.id)
    if viewer.role == Role.HR and viewer.unit is not None:
        return select(Unit.id).where(Unit.path.startswith(viewer.unit.path, autoescape=True))
    return select(Unit.id).where(false())


def in_scope(viewer: Viewer) -> ColumnElement[bool]:
    """Filter for ``User`` rows the viewer may see."""
    return User.unit_id.in_(visible_unit_ids(viewer))


def unit_in_scope(viewer: Viewer) -> ColumnElement[bool]:
    """Filter for ``Unit`` rows the viewer may see."""
    return Unit.id.in_(visible_unit_ids(viewer))


def can_see_unit(viewer: Viewer, unit: Unit) -> bool:
    if isinstance(viewer, ApiClient):
        return any(unit.path.startswith(own.path) for own in viewer.units)
    if viewer.role == Role.ADMIN:
        return True
    if viewer.role == Role.HR and viewer.unit is not None:
        return unit.path.startswith(viewer.unit.path)
    return False


def can_see_user(viewer: Viewer, user: User) -> bool:
    """An official sees themself; HR the officials of their units; admins everyone; an API
    client the officials of its units."""
    if isinstance(viewer, ApiClient):
        return user.unit is not None and can_see_unit(viewer, user.unit)
    if viewer.id == user.id or viewer.role == Role.ADMIN:
        return True
    return user.unit is not None and can_see_unit(viewer, user.unit)
