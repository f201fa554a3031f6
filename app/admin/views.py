"""Administration: content status, accounts, the outbox."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.admin import queries
from app.auth import services as auth_services
from app.auth.decorators import role_required
from app.models import Role, User, db
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


@bp.post("/users/<int:user_id>/logout")
@role_required(Role.ADMIN)
def end_sessions(user_id: int):
    """Sign an account out on every device (a lost phone, a shared computer, a leaver)."""
    user = db.get_or_404(User, user_id)
    auth_services.end_all_sessions(user, by=current_user, address=request.remote_addr)
    flash(_("%(name)s has been signed out on every device.", name=user.full_name), "success")
    return redirect(url_for("admin.users", q=request.form.get("q") or None))


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
