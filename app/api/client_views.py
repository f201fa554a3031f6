"""Pages where admins and HR create and revoke API clients. The token shows once, on the
answer to the creation (never in a redirect, a flash message or a log)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.api import clients
from app.api.forms import ApiClientForm
from app.auth.decorators import role_required
from app.models import ApiClient, Role, Unit, db, utcnow

bp = Blueprint("api_clients", __name__, url_prefix="/api-clients")


@bp.route("/", methods=["GET", "POST"])
@role_required(Role.HR, Role.ADMIN)
def index():
    form = ApiClientForm()
    token = None
    if form.validate_on_submit():
        codes = [code.strip() for code in form.units.data.split(",") if code.strip()]
        units = list(db.session.scalars(select(Unit).where(Unit.code.in_(codes))))
        unknown = sorted(set(codes) - {unit.code for unit in units})
        if unknown or not units:
            form.units.errors.append(_("Unknown unit codes: %(codes)s", codes=", ".join(unknown)))
        else:
            try:
                client, token = clients.create_client(
                    form.name.data,
                    units,
                    can_write=form.can_write.data,
                    days=form.days.data,
                    created_by=current_user,
                    now=utcnow(),
                    address=request.remote_addr,
                )
            except clients.DuplicateName:
                form.name.errors.append(_("A client with this name exists already."))
            except clients.UnitOutOfScope:
                form.units.errors.append(_("You may only give units of your own scope."))
    status = 400 if form.is_submitted() and token is None else 200
    listed = clients.clients_visible_to(current_user)
    return (
        render_template("api/clients.html", form=form, token=token, clients=listed, now=utcnow()),
        status,
    )


@bp.post("/<int:client_id>/revoke")
@role_required(Role.HR, Role.ADMIN)
def revoke(client_id: int):
    client = db.get_or_404(ApiClient, client_id)
    if client not in clients.clients_visible_to(current_user):
        abort(404)
    clients.revoke_client(client, now=utcnow(), by=current_user, address=request.remote_addr)
    flash(_("The client's token is revoked."), "success")
    return redirect(url_for("api_clients.index"))
