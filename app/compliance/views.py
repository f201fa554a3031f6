from flask import Blueprint, abort, current_app, render_template, request
from flask_login import current_user
from sqlalchemy import select

from app.auth.decorators import role_required
from app.compliance import queries
from app.models import Role, Unit, User, db, local_year, utcnow
from app.pagination import paginate_rows
from app.people.scope import can_see_unit, can_see_user

bp = Blueprint("compliance", __name__, url_prefix="/hr")

HR_ROLES = (Role.HR, Role.ADMIN)


def visible_user_or_404(user_id: int) -> User:
    """HR of another unit gets 404, never data."""
    user = db.get_or_404(User, user_id)
    if not can_see_user(current_user, user) or user.id == current_user.id:
        abort(404)
    return user


def selected_year() -> int:
    this_year = local_year(utcnow())
    year = request.args.get("year", type=int) or this_year
    return year if 2000 <= year <= this_year + 1 else this_year


@bp.get("/officials")
@role_required(*HR_ROLES)
def officials():
    year = selected_year()
    units = queries.scoped_units(current_user)
    unit = None
    unit_code = request.args.get("unit", "")
    if unit_code:
        unit = db.session.scalar(select(Unit).where(Unit.code == unit_code))
        if unit is None or not can_see_unit(current_user, unit):
            abort(404)
    search = request.args.get("q", "").strip()
    page = paginate_rows(
        queries.officials_progress(current_user, year, unit=unit, search=search),
        page=request.args.get("page", 1, type=int),
        per_page=current_app.config["PER_PAGE"],
    )
    return render_template(
        "compliance/officials.html",
        page=page,
        units=units,
        unit=unit,
        search=search,
        year=year,
    )


@bp.get("/officials/<int:user_id>")
@role_required(*HR_ROLES)
def official(user_id: int):
    user = visible_user_or_404(user_id)
    year = selected_year()
    rows = queries.user_course_progress(user, year)
    return render_template("compliance/official.html", official=user, rows=rows, year=year)
