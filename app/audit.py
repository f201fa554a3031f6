"""The audit trail's one writer: ``record`` adds an entry and flushes; the caller commits it
with the change it describes, so a change and its entry are saved or lost together.

Every service path that HR, an admin, an API client or an operator at the command line
triggers calls it. The address comes from the edge: views pass ``request.remote_addr``,
commands ``CLI``. An API client is named ``api:<client name>`` (no username has a colon).
"""

from __future__ import annotations

import csv
import io
import json
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import Select, insert, or_, select
from sqlalchemy.orm import aliased

from app.models import ApiClient, AuditEntry, Role, Unit, User, db, local_to_utc, utcnow
from app.people.scope import visible_unit_ids

logger = logging.getLogger(__name__)

CLI = "cli"  # the address (and actor name) of an operator at the command line
API_PREFIX = "api:"  # actor names of API clients

Actor = User | ApiClient | None


def actor_name(actor: Actor) -> str:
    """How an entry names who acted: a username, ``api:<client name>``, or ``cli``."""
    if actor is None:
        return CLI
    if isinstance(actor, ApiClient):
        return (API_PREFIX + actor.name)[:80]
    return actor.username


def _actor_id(actor: Actor) -> int | None:
    return actor.id if isinstance(actor, User) else None


def record(
    actor: Actor,
    action: str,
    obj: Any = None,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    address: str | None,
    unit: Unit | int | None = None,
    object_type: str | None = None,
    object_id: int | None = None,
    now: datetime | None = None,
) -> AuditEntry:
    """Record that ``actor`` (an account, an API client, None: the command line) did
    ``action`` (a code such as ``account.edit``) to ``obj`` (a model row, or nothing for a
    bulk action such as a content load). ``unit`` is the unit the entry is about, for HR's
    view of it; by default the object's own unit (a user's unit, a record's official's
    unit)."""
    if unit is None:
        unit = _unit_of(obj)
    entry = AuditEntry(
        created_at=now or utcnow(),
        actor_id=_actor_id(actor),
        actor_name=actor_name(actor),
        address=(address or CLI)[:64],
        action=action,
        object_type=object_type or (_type_name(obj) if obj is not None else "none"),
        object_id=object_id if object_id is not None else getattr(obj, "id", None),
        unit_id=unit.id if isinstance(unit, Unit) else unit,
        before=_jsonable(before) if before is not None else None,
        after=_jsonable(after) if after is not None else None,
    )
    db.session.add(entry)
    db.session.flush()
    logger.info(
        "audit: %s %s:%s by %s from %s",
        action,
        entry.object_type,
        entry.object_id,
        entry.actor_name,
        entry.address,
    )
    return entry


@dataclass(frozen=True)
class Change:
    """One entry of a bulk change (``record_many``)."""

    action: str
    object_type: str
    object_id: int | None
    unit_id: int | None = None
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None


def record_many(
    actor: Actor,
    changes: Iterable[Change],
    *,
    address: str | None,
    now: datetime | None = None,
) -> int:
    """Record many entries in one batched INSERT (imports of thousands of rows: the number of
    statements does not grow per row). Returns how many were written."""
    when = now or utcnow()
    rows = [
        {
            "created_at": when,
            "actor_id": _actor_id(actor),
            "actor_name": actor_name(actor),
            "address": (address or CLI)[:64],
            "action": change.action,
            "object_type": change.object_type,
            "object_id": change.object_id,
            "unit_id": change.unit_id,
            "before": _jsonable(change.before) if change.before is not None else None,
            "after": _jsonable(change.after) if change.after is not None else None,
        }
        for change in changes
    ]
    if rows:
        db.session.execute(insert(AuditEntry), rows)
    logger.info("audit: %d entries by %s", len(rows), actor_name(actor))
    return len(rows)


def snapshot(obj: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    """``{field: value}`` of ``obj``, for ``before=`` and ``after=``."""
    return {name: getattr(obj, name) for name in fields}


def changes(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict, dict]:
    """Only the fields that differ, from both sides."""
    keys = [k for k in after if before.get(k) != after[k]]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def _type_name(obj: Any) -> str:
    name = type(obj).__name__
    return "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")


def _unit_of(obj: Any) -> int | None:
    if isinstance(obj, User):
        return obj.unit_id
    if isinstance(obj, Unit):
        return obj.id
    user_id = getattr(obj, "user_id", None)
    if user_id is not None:
        user = db.session.get(User, user_id)
        return user.unit_id if user is not None else None
    return None


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


# --- Reading: the audit page and its CSV export -------------------------------------------------


@dataclass
class AuditFilter:
    action: str = ""  # an action code, or its area ("account" for every "account.*")
    actor: str = ""  # username of who acted, "api:<client name>", or "cli"
    object_type: str = ""
    object_id: int | None = None
    since: date | None = None  # local dates, inclusive
    until: date | None = None


def entries(viewer: User, flt: AuditFilter) -> Select:
    """Entries ``viewer`` may read, newest first: every one for admins, for HR those about
    their units."""
    actor = aliased(User)
    stmt = (
        select(
            AuditEntry.id,
            AuditEntry.created_at,
            AuditEntry.actor_name,
            AuditEntry.address,
            AuditEntry.action,
            AuditEntry.object_type,
            AuditEntry.object_id,
            Unit.code.label("unit_code"),
            AuditEntry.before,
            AuditEntry.after,
            actor.full_name.label("actor_full_name"),
        )
        .outerjoin(Unit, Unit.id == AuditEntry.unit_id)
        .outerjoin(actor, actor.id == AuditEntry.actor_id)
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
    )
    if viewer.role != Role.ADMIN:
        stmt = stmt.where(AuditEntry.unit_id.in_(visible_unit_ids(viewer)))
    if flt.action:
        stmt = stmt.where(
            or_(AuditEntry.action == flt.action, AuditEntry.action.startswith(flt.action + "."))
        )
    if flt.actor:
        wanted = flt.actor.strip()  # usernames are lower case; API client names may not be
        stmt = stmt.where(AuditEntry.actor_name.in_({wanted, wanted.lower()}))
    if flt.object_type:
        stmt = stmt.where(AuditEntry.object_type == flt.object_type)
    if flt.object_id is not None:
        stmt = stmt.where(AuditEntry.object_id == flt.object_id)
    if flt.since is not None:
        stmt = stmt.where(AuditEntry.created_at >= local_to_utc(flt.since, time.min))
    if flt.until is not None:
        stmt = stmt.where(
            AuditEntry.created_at < local_to_utc(flt.until + timedelta(days=1), time.min)
        )
    return stmt


CSV_HEADER = (
    "id",
    "created_at_utc",
    "actor",
    "address",
    "action",
    "object_type",
    "object_id",
    "unit_code",
    "before",
    "after",
)


def csv_chunks(stmt: Select, *, batch: int = 1000) -> Iterator[bytes]:
    """The entries as CSV (UTF-8 with BOM, for Excel), streamed in batches."""
    yield "\ufeff".encode()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    result = db.session.execute(stmt.execution_options(yield_per=batch))
    for rows in result.partitions():
        for row in rows:
            writer.writerow(
                (
                    row.id,
                    row.created_at.isoformat(sep=" ", timespec="seconds"),
                    _csv_safe(row.actor_name),
                    _csv_safe(row.address),
                    row.action,
                    row.object_type,
                    "" if row.object_id is None else row.object_id,
                    row.unit_code or "",
                    _csv_safe(json.dumps(row.before, ensure_ascii=False, sort_keys=True))
                    if row.before is not None
                    else "",
                    _csv_safe(json.dumps(row.after, ensure_ascii=False, sort_keys=True))
                    if row.after is not None
                    else "",
                )
            )
        yield out.getvalue().encode("utf-8")
        out.seek(0)
        out.truncate()
    yield out.getvalue().encode("utf-8")


def _csv_safe(text: str) -> str:
    """A cell Excel would run as a formula (=, +, -, @) starts with a quote instead."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
