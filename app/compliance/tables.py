"""The officials table and the units table: one service that the HR pages, the CSV/XLSX
exports, ``report compliance`` and the JSON API all ask for the same rows.

Rows are the kept statuses (``kept``): scope, unit subtree, position, status, name search,
sort and pages are SQL, so a page of 20 officials reads 20 rows whatever the head count, an
export streams, and the units table adds up the kept counts.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import ColumnElement, and_, func, or_, select

from app.compliance import exports, kept, services
from app.compliance.rules import Status
from app.compliance.services import OfficialStatus, UnitSummary
from app.models import ApiClient, ComplianceStatus, Position, Standard, Unit, User, db
from app.pagination import Page
from app.people.scope import scope_paths, visible_unit_ids
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


def _order(flt: OfficialFilter, today: date) -> tuple:
    sorts = _sorts(today)
    return sorts.get(flt.sort, sorts["unit"])


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
    order = _order(flt, today)
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
    order = _order(flt, today)
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
    rows = kept.counts(
        standard,
        today=today,
        visible=None if viewer is None else visible_unit_ids(viewer),
        unit=flt.unit,
        position_id=position_id,
        status=flt.status if flt.status in set(Status) else "",
    )
    return services.summarize(rows, flt.unit, scope_paths(viewer))


def export_table(
    viewer: User | None, standard: Standard, flt: OfficialFilter, level: str, *, today: date
) -> exports.Table:
    """The table the exports and ``report compliance`` write: officials or units."""
    if level == "units":  # the name search narrows the list of officials only
        flt = replace(flt, search="")
        return exports.units_table(*unit_summaries(viewer, standard, flt, today=today))
    return exports.officials_table(official_rows(viewer, standard, flt, today=today), standard)
