"""Set-based queries for compliance: a fixed number of queries whatever the head count.

``official_facts`` counts, in one statement, what the rules need for every official matched by
a criterion (the viewer's scope, one unit's subtree, or one official); two more statements
fetch their missing courses and leave periods. ``app.compliance.rules`` then decides.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import ColumnElement, Select, and_, case, false, func, or_, select, true

from app.models import (
    Course,
    CourseProgress,
    DeadlineExtension,
    Exemption,
    ExternalTraining,
    LeavePeriod,
    Position,
    Role,
    Standard,
    StandardCourse,
    Unit,
    UnitKind,
    User,
    db,
)
from app.people.scope import in_scope, unit_in_scope
from app.people.units import membership_on, successor_chain


def scoped_units(viewer: User) -> list:
    """The units the viewer sees, in tree order, for the unit filter: rows of (id, code, name,
    depth), not loaded objects (a country has thousands)."""
    return list(
        db.session.execute(
            select(Unit.id, Unit.code, Unit.name, Unit.depth)
            .where(unit_in_scope(viewer))
            .order_by(Unit.path)
        )
    )


def with_units_below(unit_ids: Sequence[int]) -> set[int]:
    """Those of ``unit_ids`` that have units under them (the dashboard's drill-down links)."""
    if not unit_ids:
        return set()
    return set(
        db.session.scalars(select(Unit.parent_id).where(Unit.parent_id.in_(unit_ids)).distinct())
    )


def positions() -> list[Position]:
    return list(db.session.scalars(select(Position).order_by(Position.sort_order)))


def standard_for(year: int) -> Standard | None:
    return db.session.scalar(
        select(Standard).where(Standard.year == year, Standard.is_active.is_(True))
    )


def standard_years() -> list[int]:
    return list(
        db.session.scalars(
            select(Standard.year).where(Standard.is_active.is_(True)).order_by(Standard.year)
        )
    )


def required_courses(standard: Standard) -> list[tuple[Course, Position | None]]:
    """The standard's courses: for everyone (position None) or for one position."""
    return [
        (course, position)
        for course, position in db.session.execute(
            select(Course, Position)
            .join(StandardCourse, StandardCourse.course_id == Course.id)
            .outerjoin(Position, Position.id == StandardCourse.position_id)
            .where(StandardCourse.standard_id == standard.id)
            .order_by(Position.id.is_not(None), Position.sort_order, Course.sort_order)
        )
    ]


def covered_unit_ids(standard: Standard) -> list[int] | None:
    """Units whose officials the standard covers (None: every unit), in one query.

    A unit's kind is its own, except for an agency (a centre, a department inside a
    commune or province), which takes the kind of its nearest unit that is not an agency:
    the centre of a commune is covered by a standard for communes.
    """
    if not standard.unit_kinds and not standard.unit_codes:
        return None
    units = db.session.execute(
        select(Unit.id, Unit.code, Unit.kind, Unit.path, Unit.successor_id)
    ).all()
    kinds = {unit_id: kind for unit_id, _code, kind, _path, _s in units}
    paths = {unit_id: path for unit_id, _code, _kind, path, _s in units}
    # A merged unit's successors take its place in the standard (``applies_to.units``).
    chains = successor_chain((unit_id, successor) for unit_id, *_rest, successor in units)
    named = [unit_id for unit_id, code, *_rest in units if code in (standard.unit_codes or [])]
    roots = [paths[unit_id] for unit_id in named]
    roots += [paths[later] for unit_id in named for later in chains[unit_id]]
    covered = []
    for unit_id, _code, kind, path, _successor in units:
        if standard.unit_codes and not any(path.startswith(root) for root in roots):
            continue
        if standard.unit_kinds:
            ancestors = [int(part) for part in path.strip("/").split("/")]
            effective = kind
            for ancestor in reversed(ancestors):
                effective = kinds.get(ancestor, kind)
                if effective != UnitKind.AGENCY:
                    break
            if effective not in standard.unit_kinds:
                continue
        covered.append(unit_id)
    return covered


def applicable(standard: Standard, unit_ids: list[int] | None) -> ColumnElement[bool]:
    """Officials the standard applies to (by unit kind, unit subtree and position)."""
    criteria: list[ColumnElement[bool]] = []
    if unit_ids is not None:
        criteria.append(Unit.id.in_(unit_ids) if unit_ids else false())
    if standard.position_codes:
        criteria.append(Position.code.in_(standard.position_codes))
    return and_(*criteria) if criteria else true()


def _applies_to_position(standard: Standard):
    return and_(
        StandardCourse.standard_id == standard.id,
        or_(StandardCourse.position_id.is_(None), StandardCourse.position_id == User.position_id),
    )


def _grade_ok(standard: Standard):
    if standard.pass_mark is None:
        return true()
    return or_(CourseProgress.quiz_grade.is_(None), CourseProgress.quiz_grade >= standard.pass_mark)


def population(criterion: ColumnElement[bool], year: int):
    """Officials matched by ``criterion`` (a filter on User, Unit or Position): the active ones,
    and leavers in the years up to the one they left in (the rules then say whether they were
    still in service on the deadline)."""
    in_year = or_(User.is_active.is_(True), User.left_on >= date(year, 1, 1))
    return and_(criterion, User.role == Role.OFFICIAL, in_year)


def placed(stmt: Select, day: date, user_ids: Sequence[int] | None = None) -> Select:
    """``stmt`` (selecting from User) joined to the unit each official belonged to on ``day``
    (the membership history; ``User.unit_id`` for an account without one); with ``user_ids``,
    the history of those accounts only is read."""
    member = membership_on(day, user_ids)
    return stmt.outerjoin(member, member.c.user_id == User.id).join(
        Unit, Unit.id == func.coalesce(member.c.unit_id, User.unit_id)
    )


def _among(column, user_ids: Sequence[int] | None) -> ColumnElement[bool]:
    return column.in_(user_ids) if user_ids is not None else true()


def official_facts(
    standard: Standard,
    year: int,
    criterion: ColumnElement[bool],
    user_ids: Sequence[int] | None = None,
):
    """One row per official with the counts the rules need (one statement). With
    ``user_ids`` (one page of officials) the sums are only computed for them.

    ``services.statuses`` unpacks the columns by position: keep their order in step."""
    unit_ids = covered_unit_ids(standard)
    completed = and_(
        CourseProgress.year == year,
        CourseProgress.completed_at.is_not(None),
        _among(CourseProgress.user_id, user_ids),
    )
    required = (
        select(User.id.label("user_id"), func.count(StandardCourse.id).label("n"))
        .join(StandardCourse, _applies_to_position(standard))
        .where(_among(User.id, user_ids))
        .group_by(User.id)
        .subquery()
    )
    done = (
        select(CourseProgress.user_id, func.count(StandardCourse.id).label("n"))
        .join(User, User.id == CourseProgress.user_id)
        .join(
            StandardCourse,
            and_(
                StandardCourse.course_id == CourseProgress.course_id, _applies_to_position(standard)
            ),
        )
        .where(completed, _grade_ok(standard))
        .group_by(CourseProgress.user_id)
        .subquery()
    )
    progress = (
        select(
            CourseProgress.user_id,
            func.sum(
                case((CourseProgress.completed_at.is_not(None), CourseProgress.hours), else_=0)
            ).label("hours"),
            func.max(CourseProgress.last_activity_at).label("last_activity"),
        )
        .where(CourseProgress.year == year, _among(CourseProgress.user_id, user_ids))
        .group_by(CourseProgress.user_id)
        .subquery()
    )
    external = (
        select(ExternalTraining.user_id, func.sum(ExternalTraining.hours).label("hours"))
        .where(ExternalTraining.year == year, _among(ExternalTraining.user_id, user_ids))
        .group_by(ExternalTraining.user_id)
        .subquery()
    )
    latest_extension = (
        select(DeadlineExtension.user_id, func.max(DeadlineExtension.id).label("id"))
        .where(DeadlineExtension.year == year, _among(DeadlineExtension.user_id, user_ids))
        .group_by(DeadlineExtension.user_id)
        .subquery()
    )
    extension = (
        select(DeadlineExtension.user_id, DeadlineExtension.deadline)
        .join(latest_extension, latest_extension.c.id == DeadlineExtension.id)
        .subquery()
    )
    exemption = select(Exemption.user_id, Exemption.reason).where(Exemption.year == year).subquery()
    stmt = select(
        User.id,
        User.username,
        User.full_name,
        User.joined_on,
        Unit.id.label("unit_id"),
        Unit.code.label("unit_code"),
        Unit.name.label("unit_name"),
        Unit.path.label("unit_path"),
        Position.code.label("position_code"),
        Position.name.label("position_name"),
        applicable(standard, unit_ids).label("applicable"),
        func.coalesce(required.c.n, 0).label("required_total"),
        func.coalesce(done.c.n, 0).label("required_done"),
        func.coalesce(progress.c.hours, 0).label("platform_hours"),
        func.coalesce(external.c.hours, 0).label("external_hours"),
        progress.c.last_activity,
        (external.c.user_id.is_not(None)).label("has_external"),
        exemption.c.reason.label("exemption_reason"),
        extension.c.deadline.label("extended_deadline"),
        User.left_on,
        User.position_id,
        func.coalesce(User.unit_id, Unit.id).label("home_unit_id"),
    ).select_from(User)
    stmt = (
        placed(stmt, standard.deadline, user_ids)
        .outerjoin(Position, Position.id == User.position_id)
        .outerjoin(required, required.c.user_id == User.id)
        .outerjoin(done, done.c.user_id == User.id)
        .outerjoin(progress, progress.c.user_id == User.id)
        .outerjoin(external, external.c.user_id == User.id)
        .outerjoin(extension, extension.c.user_id == User.id)
        .outerjoin(exemption, exemption.c.user_id == User.id)
        .where(population(criterion, year))
        .order_by(Unit.path, User.full_name, User.id)
    )
    return stmt


def course_titles() -> dict[int, str]:
    return dict(db.session.execute(select(Course.id, Course.title)).all())


def missing_courses(
    standard: Standard,
    year: int,
    criterion: ColumnElement[bool],
    user_ids: Sequence[int] | None = None,
) -> dict[int, list[tuple[int, str]]]:
    """The required courses (id, title; in the catalogue's order) each official has not
    completed in the year (one query)."""
    completed = (
        select(CourseProgress.user_id, CourseProgress.course_id)
        .where(
            CourseProgress.year == year,
            CourseProgress.completed_at.is_not(None),
            _grade_ok(standard),
            _among(CourseProgress.user_id, user_ids),
        )
        .subquery()
    )
    rows = db.session.connection().execute(
        placed(
            select(User.id, Course.id, Course.title).select_from(User), standard.deadline, user_ids
        )
        .outerjoin(Position, Position.id == User.position_id)
        .join(StandardCourse, _applies_to_position(standard))
        .join(Course, Course.id == StandardCourse.course_id)
        .outerjoin(
            completed,
            and_(completed.c.user_id == User.id, completed.c.course_id == Course.id),
        )
        .where(population(criterion, year), completed.c.user_id.is_(None))
        .order_by(User.id, Course.sort_order, Course.title)
    )
    missing: dict[int, list[tuple[int, str]]] = {}
    for user_id, course_id, title in rows:
        missing.setdefault(user_id, []).append((course_id, title))
    return missing


def leave_periods(
    year: int,
    criterion: ColumnElement[bool],
    deadline: date | None = None,
    user_ids: Sequence[int] | None = None,
) -> dict[int, list[tuple[date, date]]]:
    """Long-leave periods touching ``year`` per official (one query); officials are placed in
    their unit on ``deadline`` (default: the year's last day). ``user_ids``: of those only."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    stmt = select(LeavePeriod.user_id, LeavePeriod.start_date, LeavePeriod.end_date).join(
        User, User.id == LeavePeriod.user_id
    )
    rows = db.session.execute(
        placed(stmt, deadline or last, user_ids)
        .outerjoin(Position, Position.id == User.position_id)
        .where(
            population(criterion, year),
            _among(LeavePeriod.user_id, user_ids),
            LeavePeriod.start_date <= last,
            LeavePeriod.end_date >= first,
        )
    )
    periods: dict[int, list[tuple[date, date]]] = {}
    for user_id, start, end in rows:
        periods.setdefault(user_id, []).append((start, end))
    return periods


def external_training_of(user: User, year: int) -> list[ExternalTraining]:
    return list(
        db.session.scalars(
            select(ExternalTraining)
            .where(ExternalTraining.user_id == user.id, ExternalTraining.year == year)
            .order_by(ExternalTraining.end_date)
        )
    )


def officials_progress(
    viewer: User, year: int, *, unit: Unit | None = None, search: str = ""
) -> Select:
    """Officials the viewer may see, with their course progress in ``year`` (one statement)."""
    agg = (
        select(
            CourseProgress.user_id,
            func.count(CourseProgress.completed_at).label("completed"),
            func.count(CourseProgress.id).label("started"),
            func.coalesce(
                func.sum(
                    case((CourseProgress.completed_at.is_not(None), CourseProgress.hours), else_=0)
                ),
                0,
            ).label("hours"),
            func.max(CourseProgress.last_activity_at).label("last_activity"),
        )
        .join(Course, Course.id == CourseProgress.course_id)
        .where(CourseProgress.year == year)
        .group_by(CourseProgress.user_id)
        .subquery()
    )
    stmt = (
        select(
            User.id,
            User.full_name,
            User.username,
            Unit.name.label("unit_name"),
            Position.name.label("position_name"),
            func.coalesce(agg.c.completed, 0).label("completed"),
            func.coalesce(agg.c.started, 0).label("started"),
            func.coalesce(agg.c.hours, 0).label("hours"),
            agg.c.last_activity,
        )
        .join(Unit, Unit.id == User.unit_id)
        .outerjoin(Position, Position.id == User.position_id)
        .outerjoin(agg, agg.c.user_id == User.id)
        .where(in_scope(viewer), User.role == Role.OFFICIAL, User.is_active.is_(True))
        .order_by(Unit.path, User.full_name, User.id)
    )
    if unit is not None:
        stmt = stmt.where(Unit.path.startswith(unit.path, autoescape=True))
    if search:
        pattern = f"%{search.strip()}%"
        stmt = stmt.where(or_(User.full_name.ilike(pattern), User.username.ilike(pattern)))
    return stmt
