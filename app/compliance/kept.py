"""Kept statuses: every official's status for every year with a standard, and the units'
counts, kept in ``compliance_status``/``compliance_count`` as the facts change, so that pages,
exports and the API read them instead of recomputing every official on every request.

The rules stay the single definition: a kept row is ``services.statuses`` (the same queries and
``rules.evaluate``) computed for the officials whose facts changed. What changed is marked on the
session (``app.models.status.touch``/``touch_all``, and by themselves for changes made through the
ORM, see ``_noticed``); ``settle`` recomputes the marked officials before a kept row is read and
when the session commits. ``rebuild`` recomputes a whole year (``flask compliance rebuild``).

A row holds the status as on any day up to the deadline; readers turn "in progress" and "not
started" into "overdue" once the row's own deadline has passed (``effective_status``), so that no
job has to run the morning after a deadline.

Concurrency: two requests changing the same official's facts would each compute from what they
see; on PostgreSQL the recomputation takes a transaction-level advisory lock per official (a
year-wide one for large batches), so the second waits for the first's commit and then reads its
facts. SQLite has one writer at a time: a transaction that recomputes holds the write lock.
"""

from __future__ import annotations

import functools
import logging
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from datetime import date

from sqlalchemy import (
    ColumnElement,
    Date,
    Integer,
    and_,
    bindparam,
    case,
    delete,
    event,
    func,
    insert,
    select,
    text,
    true,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, attributes

from app.compliance import queries, services
from app.compliance.rules import STATUS_ORDER, Result, Status
from app.compliance.services import OfficialStatus
from app.models import (
    ComplianceCount,
    ComplianceStatus,
    CourseProgress,
    DeadlineExtension,
    Exemption,
    ExternalTraining,
    LeavePeriod,
    Position,
    Standard,
    StandardCourse,
    Unit,
    UnitMembership,
    User,
    db,
    utcnow,
)
from app.models.status import MARKS, touch, touch_all

logger = logging.getLogger(__name__)

CHUNK = 2000
# More officials than this in one recomputation lock the whole year instead of each official.
LOCK_YEAR_ABOVE = 500
# A rebuild of this many officials or more refreshes the planner's statistics (small ones
# gain nothing, and a whole-database ANALYZE costs a test suite dearly on PostgreSQL).
ANALYZE_FROM = 5000
ADVISORY_NAMESPACE = 0x6B657074  # "kept"
PENDING = (Status.IN_PROGRESS.value, Status.NOT_STARTED.value)  # overdue once the deadline passed
BEFORE_ANY_DEADLINE = date(1, 1, 1)
COUNT_KEY = ("year", "unit_id", "status", "deadline", "home_unit_id")  # the primary key

# What the rules read, by model: (user_id, year) facts, facts of an official in any year, and
# columns of shared objects whose change can move anyone.
PER_YEAR = (CourseProgress, ExternalTraining, Exemption, DeadlineExtension)
PER_USER = (LeavePeriod, UnitMembership)
USER_FIELDS = ("role", "unit_id", "position_id", "is_active", "joined_on", "left_on")
SHARED_FIELDS = {
    Unit: ("kind", "path", "code", "parent_id", "successor_id", "valid_to"),
    Position: ("code",),
}
FACT_TABLES = frozenset(
    model.__table__.name
    for model in (*PER_YEAR, *PER_USER, User, Unit, Position, Standard, StandardCourse)
)


# --- Noticing what changed ---------------------------------------------------------------------


def _changed(obj, fields: Iterable[str]) -> bool:
    state = attributes.instance_state(obj)
    return any(state.attrs[name].history.has_changes() for name in fields)


def _years(obj) -> set[int]:
    """The object's year, and the year it had before this flush."""
    history = attributes.instance_state(obj).attrs.year.history
    return {obj.year, *history.deleted} - {None}


def _noticed(session: Session, _context) -> None:
    """``after_flush``: mark the officials whose facts this flush changed."""
    for obj in session.new | session.dirty | session.deleted:
        new = obj in session.new
        if not new and obj in session.dirty and not session.is_modified(obj):
            continue
        if isinstance(obj, PER_YEAR):
            touch([obj.user_id], _years(obj), session=session)
        elif isinstance(obj, PER_USER):
            touch([obj.user_id], session=session)
        elif isinstance(obj, User):
            if new or obj in session.deleted or _changed(obj, USER_FIELDS):
                touch([obj.id], session=session)
        elif isinstance(obj, Standard):
            years = _years(obj)
            touch_all(years, session=session)
        elif isinstance(obj, StandardCourse):
            touch_all(session=session)
        else:
            fields = SHARED_FIELDS.get(type(obj))
            if fields and not new and (obj in session.deleted or _changed(obj, fields)):
                touch_all(session=session)


def _bulk(state) -> None:
    """``do_orm_execute``: a bulk statement on a facts table marks every status, unless its caller
    marked what it touched (``TOUCHED``) or it names the officials in its parameters."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    if state.execution_options.get("kept_statuses_touched"):
        return
    table = getattr(state.statement, "table", None)
    if table is None or table.name not in FACT_TABLES:
        return
    rows = state.parameters
    rows = rows if isinstance(rows, list) else [rows] if rows else []
    key = "id" if table.name == User.__table__.name else "user_id"
    where = getattr(state.statement, "whereclause", None)  # an insert has none
    if rows and where is None and all(key in row for row in rows):
        touch([row[key] for row in rows], session=state.session)
    else:
        touch_all(session=state.session)


def _forget(session: Session) -> None:
    session.info.pop(MARKS, None)


def _before_commit(session: Session) -> None:
    settle(session)


def listen(session) -> None:
    """Register the upkeep on a session (``db.session``, in ``create_app``), once."""
    for name, handler in (
        ("after_flush", _noticed),
        ("do_orm_execute", _bulk),
        ("before_commit", _before_commit),
        ("after_rollback", _forget),
    ):
        if not event.contains(session, name, handler):
            event.listen(session, name, handler)


# --- Recomputing -------------------------------------------------------------------------------


def settle(session: Session | None = None) -> None:
    """Recompute what is marked (after flushing what is pending, which may mark more)."""
    session = session or db.session
    session.flush()
    marks = session.info.get(MARKS)
    if not marks or not (marks["users"] or marks["all"]):
        return
    users, everything = marks["users"], marks["all"]
    session.info[MARKS] = {"users": {}, "all": set()}
    standards = {s.year: s for s in session.scalars(select(Standard))}
    active = {year for year, s in standards.items() if s.is_active}
    rebuilt = set(active) if None in everything else everything & active
    for year in sorted(rebuilt):
        rebuild_year(standards[year])
    stale = (everything - {None}) - active
    if None in everything:
        stale |= set(_kept_years()) - active
    for year in stale:
        _drop_year(year)
    for year in sorted(active - rebuilt):
        ids = sorted(u for u, years in users.items() if years is None or year in years)
        if ids:
            refresh(standards[year], ids)
    session.flush()


def _kept_years() -> list[int]:
    return list(db.session.scalars(select(ComplianceStatus.year).distinct()))


def _drop_year(year: int) -> None:
    db.session.execute(delete(ComplianceStatus).where(ComplianceStatus.year == year))
    db.session.execute(delete(ComplianceCount).where(ComplianceCount.year == year))


def _lock(year: int, user_ids: Sequence[int] | None) -> None:
    """PostgreSQL: wait for other transactions recomputing these officials (``None``: the
    whole year). SQLite: take the write lock now, before reading the facts."""
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        db.session.execute(  # a write that changes nothing: BEGIN and the write lock
            delete(ComplianceCount).where(ComplianceCount.year == year, ComplianceCount.n < 0)
        )
        return
    year_key = func.hashtext(f"kept:{year}")
    if user_ids is None or len(user_ids) > LOCK_YEAR_ABOVE:
        db.session.execute(select(func.pg_advisory_xact_lock(ADVISORY_NAMESPACE, year_key)))
        return
    db.session.execute(select(func.pg_advisory_xact_lock_shared(ADVISORY_NAMESPACE, year_key)))
    for user_id in sorted(user_ids):  # one order everywhere: no deadlock
        db.session.execute(select(func.pg_advisory_xact_lock(year_key, user_id)))


def _row(status: OfficialStatus, standard: Standard) -> dict:
    result = status.result
    kind, detail = result.exemption or (None, None)
    return {
        "user_id": status.user_id,
        "year": standard.year,
        "standard_id": standard.id,
        "unit_id": status.unit_id,
        "home_unit_id": status.home_unit_id or status.unit_id,
        "position_id": status.position_id,
        "status": result.status.value,
        "deadline": result.deadline,
        "hours": result.hours,
        "required_total": result.required_total,
        "required_done": result.required_done,
        "missing": ",".join(str(course_id) for course_id in status.missing_ids),
        "last_activity": status.last_activity,
        "exemption_kind": kind,
        "exemption_detail": detail,
        "joined_after_deadline": result.joined_after_deadline,
        "left_on": result.left_on,
        "updated_at": utcnow(),
    }


def _count_key(row) -> tuple:
    return tuple(row[name] for name in COUNT_KEY)


def _compute(standard: Standard, user_ids: Sequence[int]) -> list[dict]:
    return [
        _row(status, standard)
        for status in services.statuses(
            standard,
            User.id.in_(user_ids),
            today=BEFORE_ANY_DEADLINE,
            user_ids=user_ids,
            ordered=False,
        )
    ]


def refresh(standard: Standard, user_ids: Sequence[int]) -> None:
    """Recompute these officials' kept statuses for the standard's year, and move their counts."""
    year = standard.year
    _lock(year, user_ids)
    for part in _chunks(list(user_ids)):
        old = db.session.execute(
            select(*(ComplianceStatus.__table__.c[name] for name in COUNT_KEY)).where(
                ComplianceStatus.year == year, ComplianceStatus.user_id.in_(part)
            )
        ).all()
        new = _compute(standard, part)
        deltas: Counter = Counter()
        for key in old:
            deltas[tuple(key)] -= 1
        for row in new:
            deltas[_count_key(row)] += 1
        db.session.execute(
            delete(ComplianceStatus).where(
                ComplianceStatus.year == year, ComplianceStatus.user_id.in_(part)
            )
        )
        if new:
            db.session.execute(insert(ComplianceStatus), new)
        _move_counts({key: n for key, n in deltas.items() if n})


def _move_counts(deltas: dict[tuple, int]) -> None:
    if not deltas:
        return
    rows = [{**dict(zip(COUNT_KEY, key, strict=True)), "n": n} for key, n in sorted(deltas.items())]
    dialect = db.session.connection().dialect.name
    upsert = (pg_insert if dialect == "postgresql" else sqlite_insert)(ComplianceCount.__table__)
    stmt = upsert.on_conflict_do_update(
        index_elements=list(COUNT_KEY),
        set_={"n": ComplianceCount.__table__.c.n + upsert.excluded.n},
    )
    for row in rows:  # one statement per count, in one order (no deadlock between writers)
        db.session.execute(stmt, row)
    emptied = sorted({(row["year"], row["unit_id"]) for row in rows if row["n"] < 0})
    for year, unit_id in emptied:  # counts that fell to zero (by the key's first columns)
        db.session.execute(
            delete(ComplianceCount).where(
                ComplianceCount.year == year,
                ComplianceCount.unit_id == unit_id,
                ComplianceCount.n == 0,
            )
        )


def rebuild_year(standard: Standard) -> int:
    """Recompute every kept status of the standard's year, and its counts; the number kept."""
    year = standard.year
    _lock(year, None)
    _drop_year(year)
    ids = db.session.scalars(
        queries.placed(select(User.id), standard.deadline)
        .outerjoin(Position, Position.id == User.position_id)
        .where(queries.population(true(), year))
        .order_by(User.id)
    ).all()
    large = len(ids) >= ANALYZE_FROM
    if large:
        # Fresh statistics for the query planner first (SQLite keeps none until asked; after
        # a bulk load PostgreSQL has none yet): without them either may read every official's
        # progress for each batch.
        db.session.execute(text("ANALYZE"))
    for part in _chunks(ids):
        rows = _compute(standard, part)
        if rows:
            db.session.execute(insert(ComplianceStatus), rows)
    keys = [ComplianceStatus.__table__.c[name] for name in COUNT_KEY]
    db.session.execute(
        insert(ComplianceCount).from_select(
            [*COUNT_KEY, "n"],
            select(*keys, func.count()).where(ComplianceStatus.year == year).group_by(*keys),
        )
    )
    for table in ("compliance_status", "compliance_count") if large else ():
        db.session.execute(text(f"ANALYZE {table}"))
    logger.info("kept statuses rebuilt: year=%s officials=%d", year, len(ids))
    return len(ids)


def rebuild(year: int | None = None) -> dict[int, int]:
    """Recompute the kept statuses of ``year`` (None: of every year with a standard) and drop
    those of years without one; {year: officials kept}. Flushes."""
    db.session.flush()
    standards = [
        s
        for s in db.session.scalars(select(Standard).where(Standard.is_active.is_(True)))
        if year is None or s.year == year
    ]
    done = {s.year: rebuild_year(s) for s in sorted(standards, key=lambda s: s.year)}
    if year is None:
        for stale in set(_kept_years()) - set(done):
            _drop_year(stale)
    db.session.flush()
    return done


def _chunks(items: list, size: int = CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- Reading -----------------------------------------------------------------------------------


def effective_status(today: date, table=ComplianceStatus) -> ColumnElement[str]:
    """The kept status (of ``table``'s rows: statuses or counts) as on ``today``: "overdue" once
    a pending status's deadline has passed."""
    return case(
        (and_(table.status.in_(PENDING), table.deadline < today), Status.OVERDUE.value),
        else_=table.status,
    )


def status_order(today: date) -> ColumnElement[int]:
    return case(
        {status.value: index for index, status in enumerate(STATUS_ORDER)},
        value=effective_status(today),
    )


KEPT_COLUMNS = (
    ComplianceStatus.user_id,
    ComplianceStatus.unit_id,
    ComplianceStatus.home_unit_id,
    ComplianceStatus.position_id,
    ComplianceStatus.hours,
    ComplianceStatus.required_total,
    ComplianceStatus.required_done,
    ComplianceStatus.missing,
    ComplianceStatus.deadline,
    ComplianceStatus.last_activity,
    ComplianceStatus.exemption_kind,
    ComplianceStatus.exemption_detail,
    ComplianceStatus.joined_after_deadline,
    ComplianceStatus.left_on,
)


def rows_select(standard: Standard, criterion: ColumnElement[bool], *, today: date):
    """Kept rows of the standard's year matched by ``criterion`` (on User, the Unit on the
    deadline and Position), as ``to_status`` reads them: plain columns, no loaded objects."""
    return _rows_select(standard.year, criterion, today)


@functools.cache
def _one_official():
    """``rows_select`` of one official, built once (the official's home asks on every load)."""
    return _rows_select(
        bindparam("year", type_=Integer),
        ComplianceStatus.user_id == bindparam("user_id", type_=Integer),
        bindparam("today", type_=Date),
    )


def _rows_select(year, criterion, today):
    return (
        select(
            *KEPT_COLUMNS,
            effective_status(today).label("effective"),
            User.username,
            User.full_name,
            Unit.code,
            Unit.name,
            Unit.path,
            Position.code,
            Position.name,
        )
        .select_from(ComplianceStatus)
        .join(User, User.id == ComplianceStatus.user_id)
        .join(Unit, Unit.id == ComplianceStatus.unit_id)
        .outerjoin(Position, Position.id == ComplianceStatus.position_id)
        .where(ComplianceStatus.year == year, criterion)
    )


def to_status(row, standard: Standard, titles: dict[int, str], today: date) -> OfficialStatus:
    (
        user_id,
        unit_id,
        home_unit_id,
        position_id,
        hours,
        required_total,
        required_done,
        missing,
        deadline,
        last_activity,
        exemption_kind,
        exemption_detail,
        joined_after_deadline,
        left_on,
        effective,
        username,
        full_name,
        unit_code,
        unit_name,
        unit_path,
        position_code,
        position_name,
    ) = row
    missing_ids = tuple(int(part) for part in missing.split(",")) if missing else ()
    result = Result(
        status=Status(effective),
        hours=services.as_decimal(hours),
        hours_required=standard.min_hours,
        required_total=required_total,
        required_done=required_done,
        missing=tuple(titles.get(course_id, "") for course_id in missing_ids),
        deadline=deadline,
        days_left=(deadline - today).days,
        exemption=(exemption_kind, exemption_detail) if exemption_kind else None,
        joined_after_deadline=joined_after_deadline,
        left_on=left_on,
    )
    return OfficialStatus(
        user_id=user_id,
        username=username,
        full_name=full_name,
        unit_id=unit_id,
        unit_code=unit_code,
        unit_name=unit_name,
        unit_path=unit_path,
        position_code=position_code,
        position_name=position_name,
        last_activity=last_activity,
        result=result,
        position_id=position_id,
        home_unit_id=home_unit_id,
        missing_ids=missing_ids,
    )


class _Titles(dict):
    """Course titles by id, read at the first missing course (most rows have none)."""

    def get(self, course_id, default=None):
        if not self:
            self.update(queries.course_titles())
        return super().get(course_id, default)


def read(
    standard: Standard,
    criterion: ColumnElement[bool],
    *,
    today: date,
    order_by=(),
    limit: int | None = None,
    offset: int = 0,
) -> Iterator[OfficialStatus]:
    """Kept statuses matched by ``criterion``, streamed in chunks (an export of the country
    never holds every row at once)."""
    settle()
    titles = _Titles()
    stmt = rows_select(standard, criterion, today=today).order_by(*order_by)
    if limit is not None:  # a page: fetched at once
        stmt = stmt.limit(limit).offset(offset)
        rows = db.session.execute(stmt).all()
        yield from (to_status(row, standard, titles, today) for row in rows)
        return
    result = db.session.execute(stmt.execution_options(yield_per=CHUNK))
    try:
        for row in result:
            yield to_status(row, standard, titles, today)
    finally:  # a reader that stops early must not keep the cursor (and its snapshot) open
        result.close()


def official(standard: Standard, user: User, *, today: date) -> OfficialStatus | None:
    """One official's kept status (one indexed query; the course titles when some are
    missing)."""
    settle()
    row = db.session.execute(
        _one_official(), {"year": standard.year, "user_id": user.id, "today": today}
    ).first()
    return None if row is None else to_status(row, standard, _Titles(), today)


def counts(
    standard: Standard,
    *,
    today: date,
    visible,
    unit: Unit | None = None,
    position_id: int | None = None,
    status: str = "",
) -> list[tuple[str, str, int]]:
    """(unit path on the deadline, status as on ``today``, officials), from the kept counts (or,
    for one position, the kept statuses) of the officials whose unit today is in ``visible``
    (a subquery of unit ids; None: everyone)."""
    settle()
    if position_id is None:
        table, n = ComplianceCount, func.sum(ComplianceCount.n)
        effective = effective_status(today, ComplianceCount)
        where = [ComplianceCount.n != 0]
    else:
        table, n = ComplianceStatus, func.count()
        effective = effective_status(today)
        where = [ComplianceStatus.position_id == position_id]
    stmt = (
        select(Unit.path, effective, n)
        .join(Unit, Unit.id == table.unit_id)
        .where(table.year == standard.year, *where)
        .group_by(Unit.path, effective)
    )
    if visible is not None:
        stmt = stmt.where(table.home_unit_id.in_(visible))
    if unit is not None:
        stmt = stmt.where(Unit.path.startswith(unit.path, autoescape=True))
    if status:
        stmt = stmt.where(effective == status)
    return [(path, state, int(count)) for path, state, count in db.session.execute(stmt)]
