"""Pages of the roster import (HR and admins), the unit tree and mergers (admins)."""

from __future__ import annotations

import re

from flask import Blueprint, Response, flash, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.auth.decorators import role_required
from app.models import Role, Unit, db, utcnow
from app.people import roster, units
from app.people.roster_forms import MergeForm, UploadForm
from app.tabular import TableError

bp = Blueprint("roster", __name__, url_prefix="/people")

SHOWN = 500  # rows of each kind listed on the page; the counts are always whole


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/import", methods=["GET", "POST"])
@role_required(Role.HR, Role.ADMIN)
def import_roster():
    """Upload a roster. The real import answers with the new accounts' temporary passwords,
    once: as a printable sheet (this page), or as a CSV file when asked; nothing keeps them."""
    form = UploadForm()
    codes = roster.template_codes(current_user)
    if not form.validate_on_submit():
        status = 400 if request.method == "POST" else 200
        return render_template("roster/import.html", form=form, report=None, codes=codes), status
    upload = form.file.data
    try:
        rows = roster.read_roster(upload.filename, upload.stream)
    except TableError as exc:
        form.file.errors.append(str(exc))
        return render_template("roster/import.html", form=form, report=None, codes=codes), 400
    report = roster.import_roster(
        rows,
        actor=current_user,
        dry_run=form.dry_run.data,
        now=utcnow(),
        address=request.remote_addr,
    )
    if report.errors or report.dry_run:
        db.session.rollback()
        status = 400 if report.errors else 200
        return render_template(
            "roster/import.html", form=form, report=report, codes=codes, shown=SHOWN
        ), status
    if request.form.get("sheet") == "csv" and report.passwords:
        response = Response(
            roster.passwords_csv(report.passwords),
            mimetype="text/csv",
            headers={"Content-Disposition": "attachment; filename=tai-khoan-moi.csv"},
        )
        return _no_store(response)
    return _no_store(
        Response(
            render_template("roster/result.html", report=report, shown=SHOWN),
            mimetype="text/html",
        )
    )


@bp.get("/template.<fmt>")
@role_required(Role.HR, Role.ADMIN)
def template(fmt: str):
    if fmt == "xlsx":
        return Response(
            roster.template_xlsx(current_user),
            mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": "attachment; filename=mau-danh-sach.xlsx"},
        )
    if fmt == "csv":
        return Response(
            roster.template_csv(current_user),
            mimetype="text/csv",
            headers={"Content-Disposition": "attachment; filename=mau-danh-sach.csv"},
        )
    return Response(status=404)


@bp.route("/units", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def unit_tree():
    form = UploadForm()
    report = None
    status = 200
    if form.validate_on_submit():
        try:
            rows = units.read_units(form.file.data.filename, form.file.data.stream)
            report = units.import_units(
                rows,
                dry_run=form.dry_run.data,
                actor=current_user,
                address=request.remote_addr,
            )
        except (TableError, units.UnitError) as exc:
            form.file.errors.append(str(exc))
            status = 400
        else:
            if report.errors or form.dry_run.data:
                db.session.rollback()
                status = 400 if report.errors else 200
            else:
                flash(
                    _(
                        "Units: %(created)d created, %(updated)d updated.",
                        created=len(report.created),
                        updated=len(report.updated),
                    ),
                    "success",
                )
    elif request.method == "POST":
        status = 400
    tree = list(db.session.scalars(select(Unit).order_by(Unit.path)))
    names = {u.id: u.code for u in tree}
    return render_template(
        "roster/units.html", form=form, report=report, tree=tree, names=names
    ), status


@bp.route("/merge", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def merge():
    form = MergeForm()
    result = None
    status = 200
    if form.validate_on_submit():
        codes = [c for c in re.split(r"[\s,;]+", form.codes.data) if c]
        try:
            result = units.merge_units(
                codes,
                form.into.data.strip(),
                form.on.data,
                dry_run=form.dry_run.data,
                actor=current_user,
                address=request.remote_addr,
            )
        except units.UnitError as exc:
            form.codes.errors.append(str(exc))
            status = 400
        else:
            if form.dry_run.data:
                db.session.rollback()
    elif request.method == "POST":
        status = 400
    return render_template("roster/merge.html", form=form, result=result), status
