"""The unit tree: importing units from a file, mergers, and each account's unit membership over
time (``UnitMembership``), so that every year's report places an official in the unit they
belonged to on that year's deadline. Services: they flush, the caller commits.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import IO

from flask_babel import gettext as _
from sqlalchemy import delete, func, insert, or_, select, update

from app import audit
from app.models import Unit, UnitKind, UnitMembership, User, db
from app.models.status import TOUCHED, touch
from app.tabular import TableError, TableRow, read_table

logger = logging.getLogger(__name__)

MAX_ROWS = 100_000
MAX_BYTES = 20 * 1024 * 1024
CHUNK = 2000  # ids per IN (...) list: statements grow per chunk, never per row
CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
UNIT_COLUMNS = {
    "code": ("mã đơn vị", "mã"),
    "name": ("tên đơn vị", "tên"),
    "kind": ("loại", "loại đơn vị"),
    "parent_code": ("mã đơn vị cấp trên", "đơn vị cấp trên", "parent"),
}
KIND_NAMES = {
    "tỉnh": UnitKind.PROVINCE,
    "thành phố trực thuộc trung ương": UnitKind.CITY,
    "huyện": UnitKind.DISTRICT,
    "xã": UnitKind.COMMUNE,
    "phường": UnitKind.WARD,
    "thị trấn": UnitKind.TOWNSHIP,
    "đặc khu": UnitKind.SPECIAL_ZONE,
    "cơ quan": UnitKind.AGENCY,
}


class UnitError(Exception):
    """A merger or a unit change that cannot be made; the message is translated."""


def chunks(items: list, size: int = CHUNK) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- Membership over time ----------------------------------------------------------------------


def membership_on(day: date, user_ids: Sequence[int] | None = None):
    """Subquery (user_id, unit_id): the unit each account with a membership history belonged
    to on ``day`` (of ``user_ids`` only, when given). Accounts without a row there are placed
    by ``User.unit_id``."""
    stmt = select(UnitMembership.user_id, func.max(UnitMembership.unit_id).label("unit_id")).where(
        or_(UnitMembership.start_on.is_(None), UnitMembership.start_on <= day),
        or_(UnitMembership.end_on.is_(None), UnitMembership.end_on >= day),
    )
    if user_ids is not None:
        stmt = stmt.where(UnitMembership.user_id.in_(user_ids))
    return stmt.group_by(UnitMembership.user_id).subquery()


def start_memberships(starts: list[tuple[int, int, date | None]]) -> None:
    """New accounts: (user id, unit id, first day or None)."""
    if starts:
        db.session.execute(
            insert(UnitMembership),
            [
                {"user_id": u, "unit_id": unit, "start_on": on, "end_on": None}
                for u, unit, on in starts
            ],
        )


def record_moves(moves: list[tuple[int, int | None, int]], on: date) -> None:
    """Accounts (user id, unit before, unit after) move on ``on``: the open membership ends the
    day before and a new one starts; an account without history gets its earlier unit recorded
    as open-ended in the past. A second move on the same day replaces the first. Batched."""
    if not moves:
        return
    before = on - timedelta(days=1)
    ids = [user_id for user_id, _old, _new in moves]
    touch(ids)  # their kept statuses follow (app.compliance.kept)
    with_history: set[int] = set()
    for part in chunks(ids):
        db.session.execute(
            delete(UnitMembership)
            .where(UnitMembership.user_id.in_(part), UnitMembership.start_on >= on)
            .execution_options(**TOUCHED)
        )
        db.session.execute(
            update(UnitMembership)
            .where(UnitMembership.user_id.in_(part), UnitMembership.end_on.is_(None))
            .values(end_on=before)
            .execution_options(**TOUCHED)
        )
        with_history.update(
            db.session.scalars(
                select(UnitMembership.user_id).where(UnitMembership.user_id.in_(part)).distinct()
            )
        )
    rows = [
        {"user_id": u, "unit_id": old, "start_on": None, "end_on": before}
        for u, old, _new in moves
        if u not in with_history and old is not None
    ]
    rows += [{"user_id": u, "unit_id": new, "start_on": on, "end_on": None} for u, _o, new in moves]
    db.session.execute(insert(UnitMembership), rows)


# --- The tree ----------------------------------------------------------------------------------


def rebuild_paths() -> int:
    """Recompute every unit's materialised path and depth from the parents; returns how many
    changed. Units are few (thousands at most): one query, then only the changed rows."""
    units = {u.id: u for u in db.session.scalars(select(Unit))}
    changed = 0
    computed: dict[int, tuple[str, int]] = {}

    def path_of(unit: Unit) -> tuple[str, int]:
        if unit.id in computed:
            return computed[unit.id]
        chain, seen = [unit], {unit.id}
        while chain[-1].parent_id is not None and chain[-1].parent_id not in computed:
            parent = units[chain[-1].parent_id]
            if parent.id in seen:
                raise UnitError(_("Unit %(code)s would be its own ancestor.", code=unit.code))
            seen.add(parent.id)
            chain.append(parent)
        top = chain[-1]
        base = computed[top.parent_id] if top.parent_id is not None else ("/", -1)
        for item in reversed(chain):
            base = (f"{base[0]}{item.id}/", base[1] + 1)
            computed[item.id] = base
        return computed[unit.id]

    for unit in units.values():
        path, depth = path_of(unit)
        if unit.path != path or unit.depth != depth:
            unit.path, unit.depth = path, depth
            changed += 1
    db.session.flush()
    return changed


def is_ended(unit: Unit) -> bool:
    return unit.successor_id is not None or unit.valid_to is not None or not unit.is_active


# --- Importing units ---------------------------------------------------------------------------


@dataclass
class UnitReport:
    errors: list[tuple[int, str]] = field(default_factory=list)
    created: list[tuple[int, str, str]] = field(default_factory=list)  # line, code, name
    updated: list[tuple[int, str, str]] = field(default_factory=list)
    unchanged: int = 0


def read_units(filename: str, stream: IO[bytes] | bytes) -> list[TableRow]:
    return read_table(
        filename,
        stream,
        columns=UNIT_COLUMNS,
        required=("code", "name", "kind"),
        max_rows=MAX_ROWS,
        max_bytes=MAX_BYTES,
        formulas=True,
    )


def unit_kind(value: str) -> str | None:
    text = value.strip().lower()
    if text in set(UnitKind):
        return text
    return KIND_NAMES.get(text)


def import_units(
    rows: list[TableRow],
    *,
    dry_run: bool,
    actor: User | None = None,
    address: str | None = None,
) -> UnitReport:
    """Create or update units by code (columns code, name, kind, parent_code). All or nothing:
    if any row is wrong, nothing is written and every wrong row is listed."""
    report = UnitReport()
    existing = {u.code: u for u in db.session.scalars(select(Unit))}
    by_code_upper = {code.upper(): code for code in existing}
    planned: dict[str, tuple[int, str, str, str | None]] = {}
    seen: dict[str, int] = {}
    for row in rows:
        problems: list[str] = []
        values = row.values
        if any(isinstance(v, str) and v.startswith(("=", "+", "@")) for v in values.values()):
            report.errors.append((row.line, _("formulas are not accepted; type the values")))
            continue
        code = str(values.get("code") or "").strip()
        code = by_code_upper.get(code.upper(), code)
        name = str(values.get("name") or "").strip()
        kind = unit_kind(str(values.get("kind") or ""))
        parent = str(values.get("parent_code") or "").strip()
        parent = by_code_upper.get(parent.upper(), parent) or None
        if not code:
            problems.append(_("no unit code"))
        elif len(code) > 32 or not CODE.match(code):
            problems.append(
                _("a unit code has at most 32 letters, digits, dots, dashes or underscores")
            )
        elif code in seen:
            problems.append(
                _("unit %(code)s is already on line %(line)d", code=code, line=seen[code])
            )
        if not name:
            problems.append(_("no unit name"))
        elif len(name) > 200:
            problems.append(_("the name is longer than %(n)d characters", n=200))
        if kind is None:
            problems.append(
                _(
                    "unknown kind '%(kind)s' (one of: %(kinds)s)",
                    kind=values.get("kind") or "",
                    kinds=", ".join(UnitKind),
                )
            )
        if parent and parent == code:
            problems.append(_("a unit cannot be its own parent"))
        seen.setdefault(code, row.line)
        if problems:
            report.errors.append((row.line, "; ".join(problems)))
            continue
        planned[code] = (row.line, name, kind, parent)
    # Parents: known, not ended, and no unit becoming its own ancestor.
    parents = {code: (u.parent.code if u.parent else None) for code, u in existing.items()}
    parents.update({code: parent for code, (_l, _n, _k, parent) in planned.items()})
    for code, (line, _name, _kind, parent) in planned.items():
        if parent is None:
            continue
        if parent not in parents:
            report.errors.append((line, _("unknown parent unit '%(code)s'", code=parent)))
            continue
        if parent in existing and parent not in planned and is_ended(existing[parent]):
            report.errors.append((line, _("the parent unit %(code)s has ended", code=parent)))
            continue
        walk, steps = parent, 0
        while walk is not None and walk != code and steps <= len(parents):
            walk, steps = parents.get(walk), steps + 1
        if walk == code:
            report.errors.append(
                (line, _("unit %(code)s would become its own ancestor", code=code))
            )
    if report.errors:
        report.errors.sort()
        return report
    for code, (line, name, kind, parent) in planned.items():
        unit = existing.get(code)
        if unit is None:
            report.created.append((line, code, name))
        elif (unit.name, unit.kind, unit.parent.code if unit.parent else None) != (
            name,
            kind,
            parent,
        ):
            report.updated.append((line, code, name))
        else:
            report.unchanged += 1
    if dry_run:
        return report
    for code, (_line, name, kind, _parent) in planned.items():
        unit = existing.get(code)
        if unit is None:
            unit = existing[code] = Unit(code=code, name=name, kind=kind, path="", depth=0)
            db.session.add(unit)
        unit.name, unit.kind = name, kind
    db.session.flush()
    for code, (_line, _name, _kind, parent) in planned.items():
        existing[code].parent_id = existing[parent].id if parent else None
    db.session.flush()
    rebuild_paths()
    logger.info("units imported: %d created, %d updated", len(report.created), len(report.updated))
    audit.record(
        actor,
        "unit.import",
        None,
        object_type="unit",
        after={
            "created": [c for _l, c, _n in report.created],
            "updated": [c for _l, c, _n in report.updated],
        },
        address=address or audit.CLI,
    )
    return report


# --- Mergers -----------------------------------------------------------------------------------


@dataclass
class MergeReport:
    ended: list[Unit]
    successor: Unit
    on: date
    moved_accounts: int
    moved_units: int


def merge_units(
    codes: list[str],
    into_code: str,
    on: date,
    *,
    dry_run: bool = False,
    actor: User | None = None,
    address: str | None = None,
) -> MergeReport:
    """Units ``codes`` end the day before ``on`` and name ``into_code`` their successor; their
    accounts move to it with their history (the membership records the date); units under them
    move under it. Refused: an unknown or ended unit, a merger into itself, into one of the
    merged units' descendants, or into an ended unit."""
    wanted = [c.strip() for c in codes if c.strip()]
    if not wanted:
        raise UnitError(_("Name the units to merge."))
    found = {
        u.code.upper(): u
        for u in db.session.scalars(
            select(Unit).where(func.upper(Unit.code).in_([c.upper() for c in [*wanted, into_code]]))
        )
    }
    unknown = [c for c in [*wanted, into_code] if c.upper() not in found]
    if unknown:
        raise UnitError(_("Unknown units: %(codes)s.", codes=", ".join(unknown)))
    successor = found[into_code.upper()]
    merged = list({found[c.upper()].id: found[c.upper()] for c in wanted}.values())
    if any(u.id == successor.id for u in merged):
        raise UnitError(_("A unit cannot be merged into itself."))
    if is_ended(successor):
        raise UnitError(
            _("Unit %(code)s has ended: merge into a unit in service.", code=successor.code)
        )
    for unit in merged:
        if is_ended(unit):
            raise UnitError(_("Unit %(code)s has already ended.", code=unit.code))
        if successor.path.startswith(unit.path):
            raise UnitError(
                _(
                    "Unit %(into)s is under %(code)s: a unit cannot be merged into its own "
                    "descendant.",
                    into=successor.code,
                    code=unit.code,
                )
            )
    ids = [u.id for u in merged]
    accounts = db.session.execute(select(User.id, User.unit_id).where(User.unit_id.in_(ids))).all()
    children = list(
        db.session.scalars(select(Unit).where(Unit.parent_id.in_(ids), Unit.id.not_in(ids)))
    )
    report = MergeReport(merged, successor, on, len(accounts), len(children))
    if dry_run:
        return report
    for unit in merged:
        unit.valid_to = on - timedelta(days=1)
        unit.successor_id = successor.id
        unit.is_active = False
    for child in children:
        child.parent_id = successor.id
    if successor.valid_from is None:
        successor.valid_from = on
    db.session.flush()
    if children:
        rebuild_paths()
    record_moves([(user_id, unit_id, successor.id) for user_id, unit_id in accounts], on)
    for part in chunks(ids):
        db.session.execute(
            update(User)
            .where(User.unit_id.in_(part))
            .values(unit_id=successor.id)
            .execution_options(synchronize_session=False)
        )
    db.session.flush()
    db.session.expire_all()
    logger.info(
        "units merged: %s into %s on %s, %d accounts moved",
        ",".join(u.code for u in merged),
        successor.code,
        on,
        len(accounts),
    )
    audit.record(
        actor,
        "unit.merge",
        successor,
        unit=successor,
        after={
            "merged": [u.code for u in merged],
            "into": successor.code,
            "on": on.isoformat(),
            "accounts_moved": len(accounts),
        },
        address=address or audit.CLI,
    )
    return report


def successor_chain(units: Iterable[tuple[int, int | None]]) -> dict[int, list[int]]:
    """For each unit id, the ids of its successors in order (a merged unit's successor may
    itself have been merged later)."""
    succ = dict(units)
    chains: dict[int, list[int]] = {}
    for unit_id in succ:
        chain, walk = [], succ.get(unit_id)
        while walk is not None and walk not in chain and walk != unit_id:
            chain.append(walk)
            walk = succ.get(walk)
        chains[unit_id] = chain
    return chains


__all__ = [
    "TableError",
    "UnitError",
    "chunks",
    "import_units",
    "membership_on",
    "merge_units",
    "read_units",
    "record_moves",
    "rebuild_paths",
    "start_memberships",
    "successor_chain",
]
