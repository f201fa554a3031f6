"""The officials table and the units table: one service that the HR pages, the CSV/XLSX
exports, ``report compliance`` and the JSON API all ask for the same rows.

Rows are the kept statuses (``kept``): scope, unit subtree, position, status, name search,
sort and pages are SQL, so a page of 20 officials reads 20 rows whatever the head count, an
export streams, and the units table adds up the kept counts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import ColumnElement, and_, func, or_, select

from app.compliance import exports, kept, services
from app.compliance.rules import Status
from app.compliance.services import OfficialStatus, UnitSummary
from app.models import ApiClient, ComplianceStatus, Position, Role, Standard, Unit, User, db
from app.pagination import Page
from app.people.scope import scope_roots, visible_unit_ids
from app.text import fold


def _sorts(today: date) -> dict[str, tuple]:
    name = (User.search_name, User.full_name, User.id)
    return {
        "name": name,
        "unit": (Unit.path, *name),
        "status": (kept.status_order(today), *name),
        "hours": (ComplianceStatus.hours.desc(), *name),
        "activity": (
            ComplianceStatus.last_activity.is_(None),
            ComplianceStatus.last_activity.desc(),
            User.id,
        ),
    }


SORTS = ("name", "unit", "status", "hours", "activity")  # the keys of ``_sorts``
LEVELS = ("officials", "units")


@dataclass(frozen=True)
class OfficialFilter:
    """What HR chose: a unit subtree, a position code, a status, a name or username."""

    unit: Unit | None = None
    position: str = ""
    status: str = ""
    search: str = ""
    sort: str = "unit"


def _criterion(
    viewer: User | ApiClient | None, flt: OfficialFilter, today: date
) -> ColumnElement[bool]:
    """Scope, subtree, position, status and name search of ``flt`` as one SQL criterion."""
    criteria = [services.scope_criterion(viewer, unit=flt.unit, position_code=flt.position or None)]
    if flt.status in set(Status):
        criteria.append(kept.effective_status(today) == flt.status)
    if flt.search:
        needle = flt.search.strip()
        criteria.append(
            or_(
                User.search_name.contains(fold(needle), autoescape=True),
                User.username.contains(needle.lower(), autoescape=True),
            )
        )
    return and_(*criteria)


def official_rows(
    viewer: User | None, standard: Standard, flt: OfficialFilter, *, today: date
) -> Iterator[OfficialStatus]:
    """The officials ``viewer`` may see (``None``: everyone, for operators' commands), filtered
    and sorted as asked, streamed."""
    order = _sorts(today).get(flt.sort, _sorts(today)["unit"])
    return kept.read(standard, _criterion(viewer, flt, today), today=today, order_by=order)


def official_rows_after(
    viewer: User | ApiClient,
    standard: Standard,
    flt: OfficialFilter,
    *,
    today: date,
    after_id: int,
    limit: int,
) -> tuple[list[OfficialStatus], int | None]:
    """The rows of ``official_rows`` (same scope, filters and rules) in the order of the
    officials' ids, ``limit`` at most after ``after_id``, and the id to continue after (None at
    the end): the API's cursor pages, an indexed range whatever the page's place (no OFFSET)."""
    criterion = and_(_criterion(viewer, flt, today), ComplianceStatus.user_id > after_id)
    rows = list(
        kept.read(
            standard, criterion, today=today, order_by=(ComplianceStatus.user_id,), limit=limit + 1
        )
    )
    if len(rows) > limit:
        return rows[:limit], rows[limit - 1].user_id
    return rows, None


def officials_page(
    viewer: User, standard: Standard, flt: OfficialFilter, *, today: date, page: int, per_page: int
) -> Page:
    """One page of ``official_rows``: the total, then the page's rows (two statements)."""
    criterion = _criterion(viewer, flt, today)
    total = db.session.scalar(
        kept.rows_select(standard, criterion, today=today)
        .with_only_columns(func.count())
        .order_by(None)
    )
    pages = max(1, -(-total // per_page))
    page = max(1, min(page, pages))
    order = _sorts(today).get(flt.sort, _sorts(today)["unit"])
    items = list(
        kept.read(
            standard,
            criterion,
            today=today,
            order_by=order,
            limit=per_page,
            offset=(page - 1) * per_page,
        )
    )
    return Page(items=items, page=page, per_page=per_page, total=total)


def unit_summaries(
    viewer: User | ApiClient | None, standard: Standard, flt: OfficialFilter, *, today: date
) -> tuple[list[UnitSummary], UnitSummary]:
    """Counts per status for each unit one level below ``flt.unit`` (or the top units), and the
    total, added up from the kept counts; the status filter narrows the counts as it narrows
    the list. A unit the viewer does not see gives way to the first one below it that they see:
    an HR account covering a commune of one district and a village of another has both as rows."""
    position_id = None
    if flt.position:
        position_id = db.session.scalar(select(Position.id).where(Position.code == flt.position))
        if position_id is None:
            return [], UnitSummary(unit=flt.unit)
    scope = None if viewer is None else kept.home_in(visible_unit_ids(viewer))
    rows = kept.counts(
        standard,
        today=today,
        scope=scope,
        unit=flt.unit,
        position_id=position_id,
        status=flt.status if flt.status in set(Status) else "",
    )
    roots = _visible_roots(viewer)
    depth = flt.unit.depth + 1 if flt.unit is not None else 0
    by_key: dict[int, Counter] = {}
    total = UnitSummary(unit=flt.unit)
    keys: dict[str, int] = {}
    for path, status, n in rows:
        key = keys.get(path)
        if key is None:
            ids = path.strip("/").split("/")
            key = keys[path] = next(
                (
                    int(ids[i])
                    for i in range(depth, len(ids))
                    if _sees(roots, "/" + "/".join(ids[: i + 1]) + "/")
                ),
                int(ids[-1]),
            )
        by_key.setdefault(key, Counter())[Status(status)] += n
        total.counts[Status(status)] += n
    units = {u.id: u for u in db.session.scalars(select(Unit).where(Unit.id.in_(by_key)))}
    summaries = [UnitSummary(unit=units[key], counts=counts) for key, counts in by_key.items()]
    summaries.sort(key=lambda s: s.unit.name)
    return summaries, total


def _visible_roots(viewer: User | ApiClient | None) -> list[str] | None:
    """The paths of the subtrees the viewer sees (None: every unit)."""
    if viewer is None:
        return None
    if isinstance(viewer, ApiClient):
        return [unit.path for unit in viewer.units]
    if viewer.is_admin:
        return None
    if viewer.role != Role.HR:
        return []
    return [unit.path for unit in scope_roots(viewer)]


def _sees(roots: list[str] | None, path: str) -> bool:
    return roots is None or any(path.startswith(root) for root in roots)


def export_table(
    viewer: User | None, standard: Standard, flt: OfficialFilter, level: str, *, today: date
) -> exports.Table:
    """The table the exports and ``report compliance`` write: officials or units."""
    if level == "units":  # the name search narrows the list of officials only
        flt = replace(flt, search="")
        return exports.units_table(*unit_summaries(viewer, standard, flt, today=today))
    return exports.officials_table(official_rows(viewer, standard, flt, today=today), standard)
