"""Set-based queries for HR pages: a fixed number of queries per page, whatever the head count."""

from __future__ import annotations

from sqlalchemy import Select, and_, case, func, or_, select

from app.learn.queries import lesson_counts
from app.models import Course, CourseProgress, Position, Role, Unit, User, db
from app.people.scope import in_scope, unit_in_scope


def scoped_units(viewer: User) -> list[Unit]:
    return list(db.session.scalars(select(Unit).where(unit_in_scope(viewer)).order_by(Unit.path)))


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


def user_course_progress(user: User, year: int) -> list:
    """Each active course with this official's progress in ``year`` (one query)."""
    counts = lesson_counts()
    return db.session.execute(
        select(
            Course.slug,
            Course.title,
            Course.track,
            Course.hours,
            func.coalesce(counts.c.n, 0).label("lesson_count"),
            CourseProgress.lessons_completed,
            CourseProgress.completed_at,
            CourseProgress.last_activity_at,
        )
        .outerjoin(counts, counts.c.course_id == Course.id)
        .outerjoin(
            CourseProgress,
            and_(
                CourseProgress.course_id == Course.id,
                CourseProgress.user_id == user.id,
                CourseProgress.year == year,
            ),
        )
        .where(Course.is_active.is_(True))
        .order_by(Course.sort_order, Course.title)
    ).all()
