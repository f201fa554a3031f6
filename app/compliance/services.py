"""Compliance: one service computes the status of one official or of a whole unit tree with
the same rules, and records what HR enters (external training, extensions, exemptions, leave).

Reads are set-based (``queries``), decisions pure (``rules``). Writes flush, never commit.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ColumnElement, and_, select, true

from app import audit
from app.compliance import queries
from app.compliance.rules import Facts, Result, StandardRules, Status, evaluate
from app.models import (
    ApiClient,
    CourseProgress,
    DeadlineExtension,
    Exemption,
    ExternalTraining,
    LeavePeriod,
    Position,
    Standard,
    Unit,
    User,
    db,
    local_date,
)
from app.people.scope import in_scope, sees_path

logger = logging.getLogger(__name__)


MAX_SCAN_BYTES = 5 * 1024 * 1024
# What a scan's first bytes must be (its name and the browser's claimed type are not trusted).
SCAN_SIGNATURES = {
    b"%PDF-": "application/pdf",
    b"\xff\xd8\xff": "image/jpeg",
    b"\x89PNG\r\n\x1a\n": "image/png",
}


class ComplianceError(Exception):
    pass


class EndsBeforeStart(ComplianceError):
    """A training or leave period that ends before it starts."""


class EndsInFuture(ComplianceError):
    """External training is recorded once it has happened."""


class FileTooLarge(ComplianceError):
    pass


class NotAScan(ComplianceError):
    """The file's content is not a PDF, JPEG or PNG, whatever its name says."""


class NotPositive(ComplianceError):
    pass


@dataclass
class OfficialStatus:
    """One official's row: who, where, and the rules' result."""

    user_id: int
    username: str
    full_name: str
    unit_id: int
    unit_code: str
    unit_name: str
    unit_path: str
    position_code: str | None
    position_name: str | None
    last_activity: datetime | None
    result: Result
    position_id: int | None = None
    home_unit_id: int | None = None  # today's unit (the deadline's is ``unit_id``)
    missing_ids: tuple[int, ...] = ()  # the ids of ``result.missing``

    @property
    def status(self) -> Status:
        return self.result.status


@dataclass
class UnitSummary:
    unit: Unit | None  # None: the total over every unit
    counts: Counter = field(default_factory=Counter)

    @property
    def covered(self) -> int:
        return sum(n for s, n in self.counts.items() if s != Status.NOT_APPLICABLE)

    @property
    def exempt(self) -> int:
        return self.counts[Status.EXEMPT]

    @property
    def compliant_share(self) -> Decimal | None:
        """Share compliant among officials the standard applies to and who are not exempt;
        exact (a Decimal), so that 57 of 100 never shows as 56.9 % once cut."""
        base = self.covered - self.exempt
        return None if base <= 0 else Decimal(self.counts[Status.COMPLIANT]) / base


def rules_of(standard: Standard) -> StandardRules:
    return StandardRules(
        year=standard.year,
        start=standard.start_date,
        deadline=standard.deadline,
        min_hours=standard.min_hours,
        count_external=standard.count_external,
        external_cap=standard.external_hours_cap,
        min_months_worked=standard.min_months_worked,
        joined_after=standard.joined_after,
    )


def statuses(
    standard: Standard,
    criterion: ColumnElement[bool],
    *,
    today: date,
    with_missing: bool = True,
    user_ids: Sequence[int] | None = None,
    ordered: bool = True,
) -> Iterator[OfficialStatus]:
    """Status of every official matched by ``criterion``: at most four queries (covered units,
    leave, the facts, and with ``with_missing`` the titles of missing courses), whatever the
    number of officials. ``user_ids`` (a page of officials, also in ``criterion``) keeps the
    sums to those officials, so a page costs what its own officials cost. ``ordered``: by unit
    and name (for tables), else as the database finds them (the kept statuses)."""
    year = standard.year
    rules = rules_of(standard)
    missing = queries.missing_courses(standard, year, criterion, user_ids) if with_missing else {}
    leave = queries.leave_periods(year, criterion, standard.deadline, user_ids)
    # Core execution and positional rows: no ORM loading machinery, no per-name lookups
    # (most of the time per official).
    facts = queries.official_facts(standard, year, criterion, user_ids)
    if not ordered:  # in the database's own order: SQLite then drives from the officials
        facts = facts.order_by(None)
    rows = db.session.connection().execute(facts).all()
    for (
        user_id,
        username,
        full_name,
        joined_on,
        unit_id,
        unit_code,
        unit_name,
        unit_path,
        position_code,
        position_name,
        applicable,
        required_total,
        required_done,
        platform_hours,
        external_hours,
        last_activity,
        has_external,
        exemption_reason,
        extended_deadline,
        left_on,
        position_id,
        home_unit_id,
    ) in rows:
        lacking = missing.get(user_id, ())
        facts = Facts(
            applicable=bool(applicable),
            required_total=required_total,
            required_done=required_done,
            platform_hours=as_decimal(platform_hours),
            external_hours=as_decimal(external_hours),
            has_activity=last_activity is not None or bool(has_external),
            joined_on=joined_on,
            leave=tuple(leave.get(user_id, ())),
            exemption_reason=exemption_reason,
            extended_deadline=extended_deadline,
            missing=tuple(title for _id, title in lacking),
            left_on=left_on,
        )
        yield OfficialStatus(
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
            result=evaluate(rules, facts, today),
            position_id=position_id,
            home_unit_id=home_unit_id,
            missing_ids=tuple(course_id for course_id, _title in lacking),
        )


def as_decimal(value) -> Decimal:
    """SQLite sums are floats or ints, PostgreSQL's are Decimals."""
    return value if isinstance(value, Decimal) else Decimal(str(value))


def scope_criterion(
    viewer: User | None, *, unit: Unit | None = None, position_code: str | None = None
) -> ColumnElement[bool]:
    """The viewer's scope (``None``: everyone, for operators' commands), narrowed to a unit
    subtree and a position when asked."""
    criteria = [in_scope(viewer) if viewer is not None else true()]
    if unit is not None:
        criteria.append(Unit.path.startswith(unit.path, autoescape=True))
    if position_code:
        criteria.append(Position.code == position_code)
    return and_(*criteria)


def official_status(standard: Standard, user: User, *, today: date) -> OfficialStatus | None:
    return next(statuses(standard, User.id == user.id, today=today), None)


def summarize(
    counted: Iterable[tuple[str, str, int]], root: Unit | None, paths: list[str] | None
) -> tuple[list[UnitSummary], UnitSummary]:
    """Counts per status for each unit one level below ``root`` (or top-level units), and total,
    from (unit path, status, officials). A unit outside the viewer's subtrees (``paths``, from
    ``scope_paths``; None: every unit) gives way to the first one below it that they see: an
    HR account covering a commune of one district and a village of another has both as rows."""
    depth = root.depth + 1 if root is not None else 0
    by_key: dict[int, Counter] = {}
    total = UnitSummary(unit=root)
    keys: dict[str, int] = {}  # many counts share a unit: find its row once
    for path, status, n in counted:
        key = keys.get(path)
        if key is None:
            ids = path.strip("/").split("/")
            key = keys[path] = next(
                (
                    int(ids[i])
                    for i in range(depth, len(ids))
                    if sees_path(paths, "/" + "/".join(ids[: i + 1]) + "/")
                ),
                int(ids[-1]),
            )
        by_key.setdefault(key, Counter())[Status(status)] += n
        total.counts[Status(status)] += n
    units = {u.id: u for u in db.session.scalars(select(Unit).where(Unit.id.in_(by_key)))}
    summaries = [UnitSummary(unit=units[key], counts=counts) for key, counts in by_key.items()]
    summaries.sort(key=lambda s: s.unit.name)
    return summaries, total


# --- What HR records -------------------------------------------------------------------------


def scan_type(data: bytes) -> str:
    """The scan's type from its signature (magic bytes); NotAScan for anything else."""
    for signature, mimetype in SCAN_SIGNATURES.items():
        if data.startswith(signature):
            return mimetype
    raise NotAScan("the file is not a PDF, JPEG or PNG")


def add_external_training(
    user: User,
    *,
    title: str,
    provider: str,
    hours: Decimal,
    start_date: date | None,
    end_date: date,
    note: str,
    file: tuple[str, str, bytes] | None,
    created_by: User | None,
    now: datetime,
    source: str = "manual",
    address: str = audit.CLI,
    api_client: ApiClient | None = None,
) -> ExternalTraining:
    """Record training done elsewhere, by HR (``created_by``) or an API client."""
    if hours <= 0:
        raise NotPositive("hours must be positive")
    if start_date and start_date > end_date:
        raise EndsBeforeStart("the training ends before it starts")
    if end_date > local_date(now):
        raise EndsInFuture("the training cannot end in the future")
    if file is not None and len(file[2]) > MAX_SCAN_BYTES:
        raise FileTooLarge("the scan is larger than 5 MB")
    if file is not None:
        file = (file[0], scan_type(file[2]), file[2])
    record = ExternalTraining(
        user_id=user.id,
        year=end_date.year,
        title=title.strip(),
        provider=provider.strip(),
        hours=hours,
        start_date=start_date,
        end_date=end_date,
        note=note.strip(),
        source=source,
        created_by_id=created_by.id if created_by is not None else None,
        api_client_id=api_client.id if api_client is not None else None,
        created_at=now,
    )
    if file is not None:
        record.file_name, record.file_type, record.file_data = file
    db.session.add(record)
    db.session.flush()
    audit.record(
        created_by if created_by is not None else api_client,
        "external_training.create",
        record,
        after={
            "user_id": user.id,
            "title": record.title,
            "provider": record.provider,
            "hours": hours,
            "start_date": start_date,
            "end_date": end_date,
            "source": source,
            "file_name": record.file_name,
        },
        address=address,
        unit=user.unit_id,
        now=now,
    )
    logger.info(
        "external training recorded: id=%s user=%s by=%s client=%s hours=%s",
        record.id,
        user.id,
        record.created_by_id,
        record.api_client_id,
        hours,
    )
    return record


def extend_deadline(
    user: User,
    standard: Standard,
    deadline: date,
    reason: str,
    *,
    granted_by: User,
    now: datetime,
    address: str = audit.CLI,
) -> DeadlineExtension:
    """Move one official's deadline later within the standard's year: training is credited to
    the year it happens in, so a deadline in the next year could never be met."""
    year = standard.year
    if not standard.deadline < deadline <= date(year, 12, 31):
        raise ComplianceError("the new deadline must fall after the standard's and within its year")
    record = DeadlineExtension(
        user_id=user.id,
        year=year,
        deadline=deadline,
        reason=reason.strip(),
        granted_by_id=granted_by.id,
        created_at=now,
    )
    db.session.add(record)
    db.session.flush()
    audit.record(
        granted_by,
        "extension.create",
        record,
        before={"deadline": standard.deadline},
        after={"user_id": user.id, "year": year, "deadline": deadline, "reason": record.reason},
        address=address,
        unit=user.unit_id,
        now=now,
    )
    logger.info("deadline extended: user=%s year=%s by=%s", user.id, year, granted_by.id)
    return record


def set_exemption(
    user: User,
    year: int,
    reason: str | None,
    *,
    granted_by: User,
    now: datetime,
    address: str = audit.CLI,
) -> Exemption | None:
    """Exempt (with a reason) or, with ``reason=None``, lift the exemption."""
    current = db.session.scalar(
        select(Exemption).where(Exemption.user_id == user.id, Exemption.year == year)
    )
    before = {"user_id": user.id, "year": year, "reason": current.reason} if current else None
    if reason is None:
        if current is not None:
            audit.record(
                granted_by,
                "exemption.lift",
                current,
                before=before,
                after=None,
                address=address,
                unit=user.unit_id,
                now=now,
            )
            db.session.delete(current)
            logger.info("exemption lifted: user=%s year=%s by=%s", user.id, year, granted_by.id)
        db.session.flush()
        return None
    fields = {"reason": reason.strip(), "granted_by_id": granted_by.id, "created_at": now}
    if current is None:
        current = Exemption(user_id=user.id, year=year, **fields)
        db.session.add(current)
    else:
        for name, value in fields.items():
            setattr(current, name, value)
    db.session.flush()
    audit.record(
        granted_by,
        "exemption.set",
        current,
        before=before,
        after={"user_id": user.id, "year": year, "reason": current.reason},
        address=address,
        unit=user.unit_id,
        now=now,
    )
    logger.info("exemption recorded: user=%s year=%s by=%s", user.id, year, granted_by.id)
    return current


def add_leave(
    user: User,
    start: date,
    end: date,
    kind: str,
    *,
    created_by: User,
    now: datetime,
    address: str = audit.CLI,
) -> LeavePeriod:
    if end < start:
        raise EndsBeforeStart("the leave ends before it starts")
    record = LeavePeriod(
        user_id=user.id,
        start_date=start,
        end_date=end,
        kind=kind.strip(),
        created_by_id=created_by.id,
        created_at=now,
    )
    db.session.add(record)
    db.session.flush()
    audit.record(
        created_by,
        "leave.create",
        record,
        after={"user_id": user.id, "start_date": start, "end_date": end, "kind": record.kind},
        address=address,
        unit=user.unit_id,
        now=now,
    )
    return record


def compliance_date(standard: Standard, user: User) -> date:
    """The day the official met the standard: the first day on which the rules, given only the
    records dated up to that day, say "compliant". Training done after it (an optional course
    in November) does not move it."""
    rules = rules_of(standard)
    required = {
        course.id
        for course, position in queries.required_courses(standard)
        if position is None or position.id == user.position_id
    }
    completions = [
        (local_date(completed_at), course_id, hours, grade)
        for course_id, completed_at, hours, grade in db.session.execute(
            select(
                CourseProgress.course_id,
                CourseProgress.completed_at,
                CourseProgress.hours,
                CourseProgress.quiz_grade,
            ).where(
                CourseProgress.user_id == user.id,
                CourseProgress.year == standard.year,
                CourseProgress.completed_at.is_not(None),
            )
        )
    ]
    externals = db.session.execute(
        select(ExternalTraining.end_date, ExternalTraining.hours).where(
            ExternalTraining.user_id == user.id, ExternalTraining.year == standard.year
        )
    ).all()
    days = sorted({day for day, *_ in completions} | {day for day, _ in externals})
    for day in days:
        done = {
            course_id
            for on, course_id, _hours, grade in completions
            if on <= day
            and (standard.pass_mark is None or grade is None or grade >= standard.pass_mark)
        }
        facts = Facts(
            applicable=True,
            required_total=len(required),
            required_done=len(required & done),
            platform_hours=sum((h for on, _c, h, _g in completions if on <= day), Decimal(0)),
            external_hours=sum((h for on, h in externals if on <= day), Decimal(0)),
            has_activity=True,
            joined_on=None,
        )
        if evaluate(rules, facts, day).status == Status.COMPLIANT:
            return day
    return days[-1] if days else standard.start_date
