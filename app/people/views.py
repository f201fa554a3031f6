"""Accounts administration (/people) for admins and HR, and the audit trail's pages."""

from __future__ import annotations

from datetime import date, timedelta

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app import audit
from app.auth.decorators import role_required
from app.models import Position, Role, Unit, User, db, local_date, utcnow
from app.pagination import paginate_rows
from app.params import page_number
from app.people import accounts
from app.people.forms import ROLE_LABELS, AccountForm, EditAccountForm, ScopeForm
from app.people.scope import can_see_unit

bp = Blueprint("people", __name__, url_prefix="/people")
bp.add_app_template_global(ROLE_LABELS, "role_labels")

MANAGERS = (Role.HR, Role.ADMIN)


def managed_user_or_404(user_id: int) -> User:
    """An account the signed-in user may manage; anything else is "not found"."""
    user = db.get_or_404(User, user_id)
    if not accounts.can_manage(current_user, user):
        abort(404)
    return user


def _unit_from_code(code: str | None) -> Unit | None:
    if not code:
        return None
    unit = db.session.scalar(select(Unit).where(Unit.code == code))
    if unit is None:
        abort(404)
    return unit


def _position_from_code(code: str | None) -> Position | None:
    if not code:
        return None
    return db.session.scalar(select(Position).where(Position.code == code))


def _fill(form) -> AccountForm:
    form.fill_choices(
        accounts.grantable_roles(current_user),
        accounts.units_in_scope(current_user),
        accounts.positions(),
    )
    return form


@bp.get("/")
@role_required(*MANAGERS)
def index():
    args = {
        "q": request.args.get("q", "").strip()[:200],
        "unit": request.args.get("unit", ""),
        "role": request.args.get("role", ""),
        "position": request.args.get("position", ""),
        "active": request.args.get("active", ""),
    }
    unit = _unit_from_code(args["unit"])
    if unit is not None and not can_see_unit(current_user, unit):
        abort(404)
    flt = accounts.AccountFilter(
        search=args["q"],
        unit=unit,
        role=args["role"],
        position=_position_from_code(args["position"]),
        active=args["active"],
    )
    page = paginate_rows(
        accounts.account_rows(current_user, flt),
        page=page_number(request.args),
        per_page=current_app.config["PER_PAGE"],
    )
    return render_template(
        "people/index.html",
        page=page,
        filters=args,
        units=accounts.units_in_scope(current_user),
        positions=accounts.positions(),
        roles=accounts.grantable_roles(current_user),
    )


def _password_page(user: User, password: str, *, created: bool) -> Response:
    """The one time a temporary password is shown: never kept by the browser's cache."""
    response = Response(
        render_template("people/password.html", user=user, password=password, created=created)
    )
    response.headers["Cache-Control"] = "no-store"
    return response


ACCOUNT_ERRORS = {
    accounts.UsernameTaken: ("username", lambda: _("This username is already taken.")),
    accounts.RoleNotAllowed: ("role", lambda: _("You may not grant this role.")),
    accounts.UnitRequired: ("unit", lambda: _("Officials and HR belong to a unit.")),
    accounts.OwnAccount: ("role", lambda: _("You cannot change your own role.")),
}


def _form_error(form, exc: accounts.AccountError) -> None:
    if isinstance(exc, accounts.OutOfScope):
        abort(404)
    name, message = ACCOUNT_ERRORS[type(exc)]
    form[name].errors.append(message())


@bp.route("/new", methods=["GET", "POST"])
@role_required(*MANAGERS)
def create():
    form = _fill(AccountForm())
    if form.validate_on_submit():
        try:
            user, password = accounts.create_account(
                current_user,
                username=form.username.data,
                full_name=form.full_name.data,
                role=form.role.data,
                unit=_unit_from_code(form.unit.data),
                position=_position_from_code(form.position.data),
                email=form.email.data,
                joined_on=form.joined_on.data,
                address=request.remote_addr,
                now=utcnow(),
            )
        except accounts.AccountError as exc:
            _form_error(form, exc)
        else:
            return _password_page(user, password, created=True)
    status = 400 if request.method == "POST" else 200
    return render_template("people/form.html", form=form, user=None), status


def _edit_page(user: User, form=None, scope_form=None, status: int = 200):
    if form is None:
        form = _fill(EditAccountForm(formdata=None, obj=user))
        form.role.data = user.role
        form.unit.data = user.unit.code if user.unit else ""
        form.position.data = user.position.code if user.position else ""
    scope_units = accounts.hr_scope_units(user) if user.role == Role.HR else []
    if scope_form is None:
        scope_form = ScopeForm(formdata=None)
        scope_form.units.data = [u.code for u in scope_units]
    scope_form.units.choices = [
        (u.code, f"{u.code} — {u.name}") for u in accounts.units_in_scope(current_user)
    ]
    now = utcnow()
    window = timedelta(minutes=current_app.config["LOGIN_WINDOW_MINUTES"])
    failures = accounts.failures(user, since=now - window)
    return render_template(
        "people/edit.html",
        user=user,
        form=form,
        scope_form=scope_form,
        scope_units=scope_units,
        failures=failures,
        paused=failures >= current_app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"],
        today=local_date(now),
    ), status


@bp.route("/<int:user_id>", methods=["GET", "POST"])
@role_required(*MANAGERS)
def edit(user_id: int):
    user = managed_user_or_404(user_id)
    if request.method == "GET":
        return _edit_page(user)
    form = _fill(EditAccountForm())
    if form.validate_on_submit():
        try:
            accounts.update_account(
                current_user,
                user,
                full_name=form.full_name.data,
                email=form.email.data,
                role=form.role.data,
                unit=_unit_from_code(form.unit.data),
                position=_position_from_code(form.position.data),
                joined_on=form.joined_on.data,
                address=request.remote_addr,
                now=utcnow(),
            )
        except accounts.AccountError as exc:
            _form_error(form, exc)
        else:
            flash(_("The account has been saved."), "success")
            return redirect(url_for("people.edit", user_id=user.id))
    return _edit_page(user, form=form, status=400)


@bp.post("/<int:user_id>/active")
@role_required(*MANAGERS)
def set_active(user_id: int):
    user = managed_user_or_404(user_id)
    active = request.form.get("active") == "1"
    try:
        accounts.set_active(current_user, user, active, address=request.remote_addr, now=utcnow())
    except accounts.OwnAccount:
        flash(_("You cannot deactivate your own account."), "danger")
        return redirect(url_for("people.edit", user_id=user.id))
    flash(
        _("The account has been reactivated.")
        if active
        else _("The account has been deactivated."),
        "success",
    )
    return redirect(url_for("people.edit", user_id=user.id))


@bp.post("/<int:user_id>/password")
@role_required(*MANAGERS)
def reset_password(user_id: int):
    user = managed_user_or_404(user_id)
    password = accounts.reset_password(
        current_user, user, address=request.remote_addr, now=utcnow()
    )
    return _password_page(user, password, created=False)


@bp.post("/<int:user_id>/unlock")
@role_required(*MANAGERS)
def unlock(user_id: int):
    user = managed_user_or_404(user_id)
    accounts.unlock(current_user, user, address=request.remote_addr, now=utcnow())
    flash(_("The account may sign in again."), "success")
    return redirect(url_for("people.edit", user_id=user.id))


@bp.post("/<int:user_id>/scope")
@role_required(*MANAGERS)
def scope(user_id: int):
    user = managed_user_or_404(user_id)
    form = ScopeForm()
    form.units.choices = [
        (u.code, f"{u.code} — {u.name}") for u in accounts.units_in_scope(current_user)
    ]
    if not form.validate_on_submit():
        return _edit_page(user, scope_form=form, status=400)
    units = list(db.session.scalars(select(Unit).where(Unit.code.in_(form.units.data or []))))
    try:
        accounts.set_hr_scope(current_user, user, units, address=request.remote_addr, now=utcnow())
    except accounts.OutOfScope:
        abort(404)
    except (accounts.RoleNotAllowed, accounts.OwnAccount):
        form.units.errors.append(_("Only another HR account covers units."))
        return _edit_page(user, scope_form=form, status=400)
    flash(_("The units covered have been saved."), "success")
    return redirect(url_for("people.edit", user_id=user.id))


# --- Audit trail -----------------------------------------------------------------------------


def _audit_filter() -> tuple[audit.AuditFilter, dict]:
    args = {
        name: request.args.get(name, "").strip()[:80]
        for name in ("action", "actor", "object_type", "object_id", "since", "until")
    }
    flt = audit.AuditFilter(
        action=args["action"],
        actor=args["actor"],
        object_type=args["object_type"],
        object_id=_object_id(args["object_id"]),
        since=_day(args["since"]),
        until=_day(args["until"]),
    )
    return flt, args


def _object_id(text: str) -> int | None:
    """An id the column can hold, else none (PostgreSQL refuses a larger integer)."""
    if not text.isascii() or not text.isdigit() or int(text) >= 2**31:
        return None
    return int(text)


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        abort(400)


@bp.get("/audit")
@role_required(*MANAGERS)
def audit_trail():
    flt, args = _audit_filter()
    page = paginate_rows(
        audit.entries(current_user, flt),
        page=page_number(request.args),
        per_page=current_app.config["PER_PAGE"],
    )
    return render_template("people/audit.html", page=page, filters=args)


@bp.get("/audit.csv")
@role_required(Role.ADMIN)
def audit_export():
    flt, _args = _audit_filter()
    return Response(
        stream_with_context(audit.csv_chunks(audit.entries(current_user, flt))),
        mimetype="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="audit.csv"'},
    )
