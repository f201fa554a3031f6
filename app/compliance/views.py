"""HR pages: the compliance dashboard, drill-down, one official's record, exports, imports."""

from __future__ import annotations

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
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from app import params
from app.auth.decorators import role_required
from app.compliance import exports, imports, queries, records, services, tables, text
from app.compliance.forms import (
    ExemptionForm,
    ExtensionForm,
    ExternalTrainingForm,
    ImportForm,
    LeaveForm,
)
from app.compliance.rules import STATUS_ORDER
from app.models import ExternalTraining, Role, Unit, User, db, local_date, local_year, utcnow
from app.pagination import paginate_rows
from app.params import page_number, selected_year
from app.people.scope import can_see_unit, can_see_user, home_unit

bp = Blueprint("compliance", __name__, url_prefix="/hr")
bp.add_app_template_global(text.status_label, "status_label")
bp.add_app_template_global(text.reason, "reason")

HR_ROLES = (Role.HR, Role.ADMIN)
# The type read from a scan's content (older rows may hold a browser's claim: served as bytes).
SCAN_MIMETYPES = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
DOWNLOAD_FORMATS = ("csv", "xlsx")  # JSON lines are for ``report compliance`` only


def visible_user_or_404(user_id: int) -> User:
    """HR of another unit gets 404, never data."""
    user = db.get_or_404(User, user_id)
    if user.id == current_user.id or not can_see_user(current_user, user):
        abort(404)
    return user


def selected_unit() -> Unit | None:
    unit_code = params.code(request.args, "unit")
    if not unit_code:
        return None
    unit = db.session.scalar(select(Unit).where(Unit.code == unit_code))
    if unit is None or not can_see_unit(current_user, unit):
        abort(404)
    return unit


def default_root() -> Unit | None:
    """HR start at the units they cover; admins at the top of the tree."""
    return home_unit(current_user)


def filters() -> dict:
    """The dashboard's filters as query arguments (for links, exports and pagination)."""
    args = request.args
    return {
        "year": selected_year(args, now=utcnow()),
        "unit": params.code(args, "unit"),
        "position": params.choice(args, "position", [p.code for p in queries.positions()]),
        "status": params.choice(args, "status", [str(s) for s in STATUS_ORDER]),
        "sort": params.choice(args, "sort", tables.SORTS, default="unit"),
    }


def official_filter(args: dict, unit: Unit | None, *, search: str = "") -> tables.OfficialFilter:
    return tables.OfficialFilter(
        unit=unit,
        position=args["position"],
        status=args["status"],
        search=search,
        sort=args["sort"],
    )


def _page_context(year: int) -> dict:
    """What every HR list page offers to choose from."""
    return {
        "year": year,
        "years": sorted(set(queries.standard_years()) | {local_year(utcnow())}),
        "units": queries.scoped_units(current_user),
        "positions": queries.positions(),
        "statuses": STATUS_ORDER,
    }


@bp.get("/")
@role_required(*HR_ROLES)
def dashboard():
    args = filters()
    standard = queries.standard_for(args["year"])
    unit = selected_unit() or default_root()
    context = {
        **_page_context(args["year"]),
        "standard": standard,
        "unit": unit,
        "position": args["position"],
        "filters": args,
    }
    if standard is None:
        return render_template("compliance/dashboard.html", **context)
    summaries, total = tables.unit_summaries(
        current_user,
        standard,
        tables.OfficialFilter(unit=unit, position=args["position"]),
        today=local_date(utcnow()),
    )
    below = queries.with_units_below([summary.unit.id for summary in summaries])
    return render_template(
        "compliance/dashboard.html",
        summaries=summaries,
        total=total,
        parent_ids=below,
        **context,
    )


@bp.get("/officials")
@role_required(*HR_ROLES)
def officials():
    args = filters()
    standard = queries.standard_for(args["year"])
    unit = selected_unit()
    search = params.search_text(request.args)
    context = {
        **_page_context(args["year"]),
        "standard": standard,
        "unit": unit,
        "filters": {**args, "q": search},
    }
    per_page = current_app.config["PER_PAGE"]
    if standard is None:  # no standard that year: plain progress, as in any year
        page = paginate_rows(
            queries.officials_progress(current_user, args["year"], unit=unit, search=search),
            page=page_number(request.args),
            per_page=per_page,
        )
        return render_template("compliance/progress.html", page=page, **context)
    page = tables.officials_page(
        current_user,
        standard,
        official_filter(args, unit, search=search),
        today=local_date(utcnow()),
        page=page_number(request.args),
        per_page=per_page,
    )
    return render_template("compliance/officials.html", page=page, **context)


@bp.get("/export.<fmt>")
@role_required(*HR_ROLES)
def export(fmt: str):
    if fmt not in DOWNLOAD_FORMATS:
        abort(400)
    args = filters()
    level = params.choice(request.args, "level", tables.LEVELS, default="officials")
    search = params.search_text(request.args)
    standard = queries.standard_for(args["year"])
    if standard is None:
        abort(404)
    flt = official_filter(args, selected_unit() or default_root(), search=search)
    table = tables.export_table(current_user, standard, flt, level, today=local_date(utcnow()))
    # Only the validated year and level, both from fixed sets, make up the file's name.
    name = f"dat-chuan-{args['year']}-{level}"
    if fmt == "csv":
        return Response(
            stream_with_context(exports.csv_chunks(table)),
            mimetype="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )
    return Response(
        exports.xlsx_bytes(table, sheet=_("Compliance %(year)d", year=args["year"])),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
    )


@bp.get("/officials/<int:user_id>")
@role_required(*HR_ROLES)
def official(user_id: int):
    return _official_page(visible_user_or_404(user_id), selected_year(request.args, now=utcnow()))


def _official_page(user: User, year: int, *, status_code: int = 200, **forms):
    """One official's full record; ``forms`` carries a form that failed, with what was typed."""
    record = records.official_record(user, year, today=local_date(utcnow()))
    forms = {
        "extension_form": ExtensionForm(formdata=None),
        "exemption_form": ExemptionForm(formdata=None),
        "leave_form": LeaveForm(formdata=None),
        **forms,
    }
    return render_template("compliance/official.html", **vars(record), **forms), status_code


def _back(user: User, year: int):
    return redirect(url_for("compliance.official", user_id=user.id, year=year))


EXTERNAL_ERRORS = {
    services.FileTooLarge: ("scan", _l("The file is larger than 5 MB.")),
    services.NotAScan: ("scan", _l("The file is not a PDF, JPG or PNG document.")),
    services.EndsInFuture: ("end_date", _l("The training cannot end in the future.")),
    services.EndsBeforeStart: ("end_date", _l("The training ends before it starts.")),
}


@bp.route("/officials/<int:user_id>/external", methods=["GET", "POST"])
@role_required(*HR_ROLES)
def add_external(user_id: int):
    user = visible_user_or_404(user_id)
    form = ExternalTrainingForm()
    if form.validate_on_submit():
        upload = None
        if form.scan.data:
            upload = (
                form.scan.data.filename[-255:],
                "",  # the type is read from the content
                form.scan.data.read(services.MAX_SCAN_BYTES + 1),
            )
        try:
            record = services.add_external_training(
                user,
                title=form.title.data,
                provider=form.provider.data or "",
                hours=form.hours.data,
                start_date=form.start_date.data,
                end_date=form.end_date.data,
                note=form.note.data or "",
                file=upload,
                created_by=current_user,
                now=utcnow(),
                address=request.remote_addr,
            )
        except tuple(EXTERNAL_ERRORS) as exc:
            name, message = EXTERNAL_ERRORS[type(exc)]
            form[name].errors.append(str(message))
            return render_template("compliance/external.html", form=form, official=user), 400
        flash(_("External training recorded."), "success")
        return _back(user, record.year)
    status = 400 if request.method == "POST" else 200
    return render_template("compliance/external.html", form=form, official=user), status


@bp.get("/external/<int:record_id>/scan")
@role_required(*HR_ROLES)
def external_scan(record_id: int):
    record = db.get_or_404(ExternalTraining, record_id)
    owner = db.session.get(User, record.user_id)
    if not can_see_user(current_user, owner) or record.file_data is None:
        abort(404)
    mimetype = record.file_type if record.file_type in SCAN_MIMETYPES else None
    name = f"scan-{record.id}.{SCAN_MIMETYPES[mimetype]}" if mimetype else f"scan-{record.id}"
    return Response(
        record.file_data,
        mimetype=mimetype or "application/octet-stream",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "X-Content-Type-Options": "nosniff",
        },
    )


@bp.post("/officials/<int:user_id>/extension")
@role_required(*HR_ROLES)
def extend(user_id: int):
    user = visible_user_or_404(user_id)
    year = selected_year(request.args, now=utcnow())
    standard = queries.standard_for(year)
    if standard is None:
        abort(404)
    form = ExtensionForm()
    if not form.validate_on_submit():
        return _official_page(user, year, status_code=400, extension_form=form)
    try:
        services.extend_deadline(
            user,
            standard,
            form.deadline.data,
            form.reason.data,
            granted_by=current_user,
            now=utcnow(),
            address=request.remote_addr,
        )
    except services.ComplianceError:
        form.deadline.errors.append(
            _(
                "The new deadline must fall after %(date)s and within %(year)d.",
                date=format_date(standard.deadline, "dd/MM/yyyy"),
                year=year,
            )
        )
        return _official_page(user, year, status_code=400, extension_form=form)
    flash(_("The deadline has been extended."), "success")
    return _back(user, year)


@bp.post("/officials/<int:user_id>/exemption")
@role_required(*HR_ROLES)
def exempt(user_id: int):
    user = visible_user_or_404(user_id)
    year = selected_year(request.args, now=utcnow())
    if request.form.get("lift"):
        services.set_exemption(
            user, year, None, granted_by=current_user, now=utcnow(), address=request.remote_addr
        )
        flash(_("The exemption has been lifted."), "success")
        return _back(user, year)
    form = ExemptionForm()
    if not form.validate_on_submit():
        return _official_page(user, year, status_code=400, exemption_form=form)
    services.set_exemption(
        user,
        year,
        form.reason.data,
        granted_by=current_user,
        now=utcnow(),
        address=request.remote_addr,
    )
    flash(_("The exemption has been recorded."), "success")
    return _back(user, year)


@bp.post("/officials/<int:user_id>/leave")
@role_required(*HR_ROLES)
def leave(user_id: int):
    user = visible_user_or_404(user_id)
    year = selected_year(request.args, now=utcnow())
    form = LeaveForm()
    if not form.validate_on_submit():
        return _official_page(user, year, status_code=400, leave_form=form)
    try:
        services.add_leave(
            user,
            form.start_date.data,
            form.end_date.data,
            form.kind.data,
            created_by=current_user,
            now=utcnow(),
            address=request.remote_addr,
        )
    except services.ComplianceError:
        form.end_date.errors.append(_("The leave ends before it starts."))
        return _official_page(user, year, status_code=400, leave_form=form)
    flash(_("The leave has been recorded."), "success")
    return _back(user, year)


@bp.route("/import", methods=["GET", "POST"])
@role_required(*HR_ROLES)
def import_records():
    form = ImportForm()
    report = None
    if form.validate_on_submit():
        upload = form.file.data
        try:
            rows = imports.read_rows(upload.filename, upload.read())
        except imports.ImportFileError as exc:
            form.file.errors.append(str(exc))
            return render_template("compliance/import.html", form=form, report=None), 400
        report = imports.import_records(
            rows, viewer=current_user, now=utcnow(), address=request.remote_addr
        )
        if report.errors or form.dry_run.data:
            db.session.rollback()
        else:
            flash(
                _("%(n)d records imported.", n=len(report.records)),
                "success",
            )
        status = 400 if report.errors else 200
        return render_template("compliance/import.html", form=form, report=report), status
    status = 400 if request.method == "POST" else 200
    return render_template("compliance/import.html", form=form, report=report), status
