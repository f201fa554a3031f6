"""Who may see whom. Every HR query goes through ``visible_unit_ids``.

An HR account covers the unit subtrees listed for it in ``hr_scope`` (e.g. a province's home
affairs office covering a group of communes); without rows, its own unit and everything under
it, as before scopes existed.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, and_, exists, false, func, or_, select, union
from sqlalchemy.orm import aliased

from app.models import ApiClient, HrScope, Role, Unit, User, db

Viewer = User | ApiClient


def visible_unit_ids(viewer: Viewer) -> Select[tuple[int]]:
    """The units ``viewer`` may see, as a subquery: admins see every unit, HR the subtrees of
    their scope (or of their own unit), an API client the subtrees of its units, anyone else
    none."""
    if isinstance(viewer, ApiClient):
        paths = [Unit.path.startswith(unit.path, autoescape=True) for unit in viewer.units]
        return select(Unit.id).where(or_(*paths) if paths else false())
    if viewer.role == Role.ADMIN:
        return select(Unit.id)
    if viewer.role != Role.HR:
        return select(Unit.id).where(false())
    root = aliased(Unit)
    covered = (
        select(Unit.id)
        .join(root, under(Unit.path, root.path))
        .join(HrScope, HrScope.unit_id == root.id)
        .where(HrScope.user_id == viewer.id)
    )
    if viewer.unit is None:
        return covered
    has_rows = exists(select(HrScope.user_id).where(HrScope.user_id == viewer.id))
    own = select(Unit.id).where(Unit.path.startswith(viewer.unit.path, autoescape=True), ~has_rows)
    return select(union(covered, own).subquery().c[0])


def under(path, root) -> ColumnElement[bool]:
    """``path`` starts with ``root`` (a path column, ending in "/"). On SQLite, a range of the
    path index: paths are ids and slashes, "0" is the character after "/", so the subtree of
    "/1/4/" lies from "/1/4/" up to "/1/40" (a LIKE cannot use SQLite's index). Elsewhere a
    LIKE: PostgreSQL compares text by the database's collation, which may order "/" apart."""
    if db.session.get_bind().dialect.name != "sqlite":
        return path.startswith(root)
    return and_(path >= root, path < func.substr(root, 1, func.length(root) - 1).concat("0"))


def in_scope(viewer: Viewer) -> ColumnElement[bool]:
    """Filter for ``User`` rows the viewer may see."""
    return User.unit_id.in_(visible_unit_ids(viewer))


def unit_in_scope(viewer: Viewer) -> ColumnElement[bool]:
    """Filter for ``Unit`` rows the viewer may see."""
    return Unit.id.in_(visible_unit_ids(viewer))


def scope_roots(viewer: User) -> list[Unit]:
    """The tops of the subtrees an HR account covers: its scope rows, else its own unit.
    Read once per account object (``can_see_*`` run in loops)."""
    cached = viewer.__dict__.get("_scope_roots")
    if cached is not None:
        return cached
    roots = list(
        db.session.scalars(
            select(Unit)
            .join(HrScope, HrScope.unit_id == Unit.id)
            .where(HrScope.user_id == viewer.id)
            .order_by(Unit.path)
        )
    )
    if not roots and viewer.unit is not None:
        roots = [viewer.unit]
    viewer.__dict__["_scope_roots"] = roots
    return roots


def home_unit(viewer: User) -> Unit | None:
    """Where an HR account's dashboard starts: its one covered subtree, or the closest unit
    above all of them (its rows then show only the covered units); admins start at the top."""
    if viewer.role != Role.HR:
        return None
    roots = scope_roots(viewer)
    return common_root(roots) if roots else viewer.unit


def common_root(units: list[Unit]) -> Unit | None:
    """The closest unit at or above every one of ``units`` (None if they share none)."""
    if len(units) <= 1:
        return units[0] if units else None
    chains = [unit.path.strip("/").split("/") for unit in units]
    common = []
    for parts in zip(*chains, strict=False):
        if len(set(parts)) != 1:
            break
        common.append(parts[0])
    return db.session.get(Unit, int(common[-1])) if common else None


def forget_scope(viewer: User) -> None:
    """Drop what ``scope_roots`` remembered (after the scope changed)."""
    viewer.__dict__.pop("_scope_roots", None)


def scope_paths(viewer: Viewer | None) -> list[str] | None:
    """The paths of the subtrees ``viewer`` sees (None: every unit, for admins and operators)."""
    if viewer is None:
        return None
    if isinstance(viewer, ApiClient):
        return [unit.path for unit in viewer.units]
    if viewer.role == Role.ADMIN:
        return None
    if viewer.role == Role.HR:
        return [root.path for root in scope_roots(viewer)]
    return []


def sees_path(paths: list[str] | None, path: str) -> bool:
    """Whether a unit's ``path`` lies in the subtrees ``paths`` (``scope_paths``)."""
    return paths is None or any(path.startswith(root) for root in paths)


def can_see_unit(viewer: Viewer, unit: Unit) -> bool:
    return sees_path(scope_paths(viewer), unit.path)


def can_see_user(viewer: Viewer, user: User) -> bool:
    """An official sees themself; HR the officials of their units; admins everyone; an API
    client the officials of its units."""
    if isinstance(viewer, ApiClient):
        return user.unit is not None and can_see_unit(viewer, user.unit)
    if viewer.id == user.id or viewer.role == Role.ADMIN:
        return True
    return user.unit is not None and can_see_unit(viewer, user.unit)
