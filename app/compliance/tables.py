"""The officials table and the units table: one service that the HR pages, the CSV/XLSX
exports and ``report compliance`` (and the JSON API to come) all ask for the same rows.

Scope, unit subtree and position are SQL criteria; the status filter, the name search and the
sort apply to the rules' results, which only exist after evaluation (``services.statuses``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import select

from app.compliance import exports, queries, services
from app.compliance.rules import STATUS_ORDER, Status
from app.compliance.services import OfficialStatus, UnitSummary
from app.models import ApiClient, Position, Standard, Unit, User, db
from app.pagination import Page, paginate_list

SORTS = {
    "name": lambda r: (r.full_name.casefold(), r.user_id),
    "unit": lambda r: (r.unit_path, r.full_name.casefold()),
    "status": lambda r: (STATUS_ORDER.index(r.status), r.full_name.casefold()),
    "hours": lambda r: (-r.result.hours, r.full_name.casefold()),
    "activity": lambda r: (
        r.last_activity is None,
        -(r.last_activity.timestamp() if r.last_activity else 0),
    ),
}
LEVELS = ("officials", "units")


@dataclass(frozen=True)
class OfficialFilter:
    """What HR chose: a unit subtree, a position code, a status, a name or username."""

    unit: Unit | None = None
    position: str = ""
    status: str = ""
    search: str = ""
    sort: str = "unit"


def official_rows(
    viewer: User | None,
    standard: Standard,
    flt: OfficialFilter,
    *,
    today: date,
    with_missing: bool = True,
) -> list[OfficialStatus]:
    """The officials ``viewer`` may see (``None``: everyone, for operators' commands), filtered
    and sorted as asked."""
    criterion = services.scope_criterion(viewer, unit=flt.unit, position_code=flt.position or None)
    rows = list(services.statuses(standard, criterion, today=today, with_missing=with_missing))
    if flt.status in set(Status):
        rows = [r for r in rows if r.status == flt.status]
    if flt.search:
        needle = flt.search.casefold()
        rows = [r for r in rows if needle in r.full_name.casefold() or needle in r.username]
    rows.sort(key=SORTS.get(flt.sort, SORTS["unit"]))
    return rows


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
    the end): the API's cursor pages. Each batch evaluates its own officials only, so a page
    costs the same statements whatever its place in the list (no OFFSET)."""
    criterion = services.scope_criterion(viewer, unit=flt.unit, position_code=flt.position or None)
    rows: list[OfficialStatus] = []
    while True:
        ids = db.session.scalars(
            queries.placed(select(User.id), standard.deadline)  # the unit on the deadline
            .outerjoin(Position, Position.id == User.position_id)
            .where(queries.population(criterion, standard.year), User.id > after_id)
            .order_by(User.id)
            .limit(limit + 1)  # one more tells whether any follow
        ).all()
        if not ids:
            return rows, None
        follow = len(ids) > limit
        ids = ids[:limit]
        batch = sorted(
            services.statuses(standard, User.id.in_(ids), today=today, user_ids=ids),
            key=lambda r: r.user_id,
        )
        for row in batch:
            if flt.status and row.status != flt.status:
                continue
            needle = flt.search.casefold()
            if needle and needle not in row.full_name.casefold() and needle not in row.username:
                continue
            rows.append(row)
            if len(rows) == limit:
                more = row.user_id != ids[-1] or follow
                return rows, row.user_id if more else None
        if not follow:
            return rows, None
        after_id = ids[-1]


def officials_page(
    viewer: User, standard: Standard, flt: OfficialFilter, *, today: date, page: int, per_page: int
) -> Page:
    return paginate_list(
        official_rows(viewer, standard, flt, today=today), page=page, per_page=per_page
    )


def unit_summaries(
    viewer: User | None, standard: Standard, flt: OfficialFilter, *, today: date
) -> tuple[list[UnitSummary], UnitSummary]:
    """Counts per status for each unit one level below ``flt.unit`` (or the top units), and the
    total; the status filter narrows the counts as it narrows the list."""
    rows = official_rows(viewer, standard, flt, today=today, with_missing=False)
    units = queries.scoped_units(viewer) if viewer is not None else db.session.scalars(select(Unit))
    return services.summarize(rows, flt.unit, {u.id: u for u in units})


def export_table(
    viewer: User | None, standard: Standard, flt: OfficialFilter, level: str, *, today: date
) -> exports.Table:
    """The table the exports and ``report compliance`` write: officials or units."""
    if level == "units":  # the name search narrows the list of officials only
        flt = replace(flt, search="")
        return exports.units_table(*unit_summaries(viewer, standard, flt, today=today))
    return exports.officials_table(official_rows(viewer, standard, flt, today=today), standard)
