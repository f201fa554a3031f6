"""Year-end training records: one official's as a PDF (the official's own, or one HR may see),
and every official of a unit as one streamed ZIP."""

from __future__ import annotations

from flask import Blueprint, Response, abort, request, stream_with_context
from flask_babel import force_locale
from flask_login import current_user, login_required
from sqlalchemy import select

from app.auth.decorators import role_required
from app.certificates import evidence
from app.certificates.records import render_record_pdf
from app.certificates.views import holder_or_404
from app.models import Role, Unit, db, local_date, utcnow
from app.people.scope import can_see_unit

bp = Blueprint("records", __name__)
YEARS = range(2000, 2101)


@bp.get("/records/<int:year>.pdf")
@login_required
def record_pdf(year: int):
    if year not in YEARS:
        abort(404)
    user = holder_or_404()
    with force_locale("vi"):  # filed as a Vietnamese document, like certificates
        record = evidence.training_record(user, year, today=local_date(utcnow()))
    return Response(
        render_record_pdf(record),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{evidence.file_name(user, year)}"'},
    )


@bp.get("/hr/records/<int:year>.zip")
@role_required(Role.HR, Role.ADMIN)
def unit_records(year: int):
    if year not in YEARS:
        abort(404)
    unit = None
    if code := request.args.get("unit", ""):
        unit = db.first_or_404(select(Unit).where(Unit.code == code))
        if not can_see_unit(current_user, unit):
            abort(404)
    today = local_date(utcnow())
    viewer = current_user._get_current_object()
    officials = evidence.officials_of(viewer, unit)
    statuses = evidence.statuses_of(viewer, unit, year, today=today)

    def files():
        with force_locale("vi"):
            for user in officials:
                record = evidence.training_record(
                    user, year, today=today, status=statuses.get(user.id)
                )
                yield evidence.file_name(user, year), render_record_pdf(record)

    name = f"ho-so-boi-duong-{year}-{unit.code if unit else 'tat-ca'}.zip"
    return Response(
        stream_with_context(evidence.stream_zip(files(), when=today)),
        mimetype="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
