"""Administration: content status, accounts, the outbox."""

from flask import Blueprint, current_app, render_template, request

from app.admin import queries
from app.auth.decorators import role_required
from app.models import Role
from app.pagination import paginate_rows
from app.params import choice, page_number, search_text

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/")
@role_required(Role.ADMIN)
def index():
    return render_template("admin/index.html", **vars(queries.content_status()))


@bp.get("/users")
@role_required(Role.ADMIN)
def users():
    search = search_text(request.args)
    page = paginate_rows(
        queries.accounts(search),
        page=page_number(request.args),
        per_page=current_app.config["PER_PAGE"],
    )
    return render_template("admin/users.html", page=page, search=search)


@bp.get("/outbox")
@role_required(Role.ADMIN)
def outbox():
    """Every reminder the site produced; without SMTP settings they wait here."""
    status = choice(request.args, "status", queries.MESSAGE_STATUSES)
    page = paginate_rows(
        queries.messages(status),
        page=page_number(request.args),
        per_page=current_app.config["PER_PAGE"],
    )
    return render_template(
        "admin/outbox.html",
        page=page,
        status=status,
        smtp=bool(current_app.config["MAIL_SERVER"]),
    )
