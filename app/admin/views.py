from flask import Blueprint, current_app, render_template, request
from sqlalchemy import func, select

from app.auth.decorators import role_required
from app.learn.queries import lesson_counts
from app.models import (
    ContentWarning,
    Course,
    Message,
    Position,
    Quiz,
    Role,
    Standard,
    Unit,
    User,
    db,
)
from app.pagination import paginate_rows

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/")
@role_required(Role.ADMIN)
def index():
    counts = lesson_counts()
    courses = db.session.execute(
        select(Course, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.course_id == Course.id)
        .order_by(Course.is_active.desc(), Course.sort_order, Course.title)
    ).all()
    totals = db.session.execute(
        select(
            select(func.count(User.id)).scalar_subquery(),
            select(func.count(Unit.id)).scalar_subquery(),
            select(func.count(Position.id)).scalar_subquery(),
        )
    ).one()
    quizzes = db.session.scalars(select(Quiz).order_by(Quiz.is_active.desc(), Quiz.slug)).all()
    standards = db.session.scalars(select(Standard).order_by(Standard.year.desc())).all()
    warnings = db.session.scalars(
        select(ContentWarning).order_by(ContentWarning.path, ContentWarning.line)
    ).all()
    return render_template(
        "admin/index.html",
        courses=courses,
        totals=totals,
        quizzes=quizzes,
        standards=standards,
        warnings=warnings,
    )


@bp.get("/users")
@role_required(Role.ADMIN)
def users():
    search = request.args.get("q", "").strip()
    stmt = (
        select(User.id, User.username, User.full_name, User.role, User.is_active, Unit.name)
        .outerjoin(Unit, Unit.id == User.unit_id)
        .order_by(User.username)
    )
    if search:
        pattern = f"%{search}%"
        stmt = stmt.where(User.full_name.ilike(pattern) | User.username.ilike(pattern))
    page = paginate_rows(
        stmt, page=request.args.get("page", 1, type=int), per_page=current_app.config["PER_PAGE"]
    )
    return render_template("admin/users.html", page=page, search=search)


@bp.get("/outbox")
@role_required(Role.ADMIN)
def outbox():
    """Every reminder the site produced; without SMTP settings they wait here."""
    stmt = (
        select(
            Message.id,
            Message.created_at,
            Message.subject,
            Message.body,
            Message.status,
            Message.to_address,
            Message.error,
            User.full_name,
        )
        .join(User, User.id == Message.recipient_id)
        .order_by(Message.created_at.desc(), Message.id.desc())
    )
    status = request.args.get("status", "")
    if status in ("sent", "outbox", "failed"):
        stmt = stmt.where(Message.status == status)
    page = paginate_rows(
        stmt, page=request.args.get("page", 1, type=int), per_page=current_app.config["PER_PAGE"]
    )
    return render_template(
        "admin/outbox.html", page=page, status=status, smtp=bool(current_app.config["MAIL_SERVER"])
    )
