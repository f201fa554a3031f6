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
from flask_login import current_user
from sqlalchemy import select

from app.auth.decorators import role_required
from app.compliance import exports, imports, queries, services, text
from app.compliance.forms import (
    ExemptionForm,
    ExtensionForm,
    ExternalTrainingForm,
    ImportForm,
    LeaveForm,
)
from app.compliance.rules import STATUS_ORDER, Status
from app.models import (
    DeadlineExtension,
    Exemption,
    ExternalTraining,
    LeavePeriod,
    Position,
    QuizAttempt,
    Role,
    Unit,
    User,
    db,
    local_date,
    local_year,
    utcnow,
)
from app.pagination import Page, paginate_rows
from app.people.scope import can_see_unit, can_see_user

bp = Blueprint("compliance", __name__, url_prefix="/hr")
bp.add_app_template_global(text.status_label, "status_label")
bp.add_app_template_global(text.reason, "reason")

HR_ROLES = (Role.HR, Role.ADMIN)
MAX_SCAN_BYTES = 5 * 1024 * 1024
# The browser's claimed type of an upload is not trusted: anything else is served as bytes.
SCAN_MIMETYPES = {"application/pdf", "image/jpeg", "image/png"}
SORTS = {
    "name": lambda r: (r.full_name.casefold(), r.user_id),
    "unit": lambda r: (r.unit_path, r.full_name.casefold()),
    "status": lambda r: (STATUS_ORDER.index(r.status), r.full_name.casefold()),
    "hours": lambda r: (-r.result.hours, r.full_name.casefold()),
    "activity": lambda r: (
        r.last_activity is None,
        -(r.last_activity.timestamp() if r.last_activity else 0),
    ),
}


def visible_user_or_404(user_id: int) -> User:
    """HR of another unit gets 404, never data."""
    user = db.get_or_404(User, user_id)
    if user.id == current_user.id or not can_see_user(current_user, user):
        abort(404)
    return user


def selected_year() -> int:
    this_year = local_year(utcnow())
    year = request.args.get("year", type=int) or this_year
    return year if 2000 <= year <= this_year + 1 else this_year


def selected_unit() -> Unit | None:
    code = request.args.get("unit", "")
    if not code:
        return None
    unit = db.session.scalar(select(Unit).where(Unit.code == code))
    if unit is None or not can_see_unit(current_user, unit):
        abort(404)
    return unit


def default_root() -> Unit | None:
    """HR start at their own unit; admins at the top of the tree."""
    return current_user.unit if current_user.role == Role.HR else None


def filters() -> dict:
    """The dashboard's filters as query arguments (for links, exports and pagination)."""
    return {
        "year": selected_year(),
        "unit": request.args.get("unit", ""),
        "position": request.args.get("position", ""),
        "status": request.args.get("status", ""),
        "sort": request.args.get("sort", "unit"),
    }


def _rows(standard, unit, position, *, with_missing: bool = True):
    criterion = services.scope_criterion(current_user, unit=unit, position_code=position or None)
    return list(
        services.statuses(
            standard, criterion, today=local_date(utcnow()), with_missing=with_missing
        )
    )


@bp.get("/")
@role_required(*HR_ROLES)
def dashboard():
    year = selected_year()
    standard = queries.standard_for(year)
    unit = selected_unit() or default_root()
    position = request.args.get("position", "")
    units = queries.scoped_units(current_user)
    context = {
        "year": year,
        "years": sorted(set(queries.standard_years()) | {local_year(utcnow())}),
        "standard": standard,
        "units": units,
        "unit": unit,
        "positions": db.session.scalars(select(Position).order_by(Position.sort_order)).all(),
        "position": position,
        "statuses": STATUS_ORDER,
        "filters": filters(),
    }
    if standard is None:
        return render_template("compliance/dashboard.html", **context)
    rows = _rows(standard, unit, position, with_missing=False)
    summaries, total = services.summarize(rows, unit, {u.id: u for u in units})
    return render_template("compliance/dashboard.html", summaries=summaries, total=total, **context)


@bp.get("/officials")
@role_required(*HR_ROLES)
def officials():
    args = filters()
    year = args["year"]
    standard = queries.standard_for(year)
    unit = selected_unit()
    units = queries.scoped_units(current_user)
    positions = db.session.scalars(select(Position).order_by(Position.sort_order)).all()
    search = request.args.get("q", "").strip()
    if standard is None:  # no standard that year: plain progress, as in any year
        page = paginate_rows(
            queries.officials_progress(current_user, year, unit=unit, search=search),
            page=request.args.get("page", 1, type=int),
            per_page=current_app.config["PER_PAGE"],
        )
        return render_template(
            "compliance/progress.html",
            page=page,
            units=units,
            unit=unit,
            positions=positions,
            statuses=STATUS_ORDER,
            filters={**args, "q": search},
            years=sorted(set(queries.standard_years()) | {local_year(utcnow())}),
            year=year,
        )
    rows = _rows(standard, unit, args["position"])
    if args["status"] in set(Status):
        rows = [r for r in rows if r.status == args["status"]]
    if search:
        needle = search.casefold()
        rows = [r for r in rows if needle in r.full_name.casefold() or needle in r.username]
    rows.sort(key=SORTS.get(args["sort"], SORTS["unit"]))
    per_page = current_app.config["PER_PAGE"]
    total = len(rows)
    page_number = max(1, min(request.args.get("page", 1, type=int), max(1, -(-total // per_page))))
    page = Page(
        items=rows[(page_number - 1) * per_page : page_number * per_page],
        page=page_number,
        per_page=per_page,
        total=total,
    )
    return render_template(
        "compliance/officials.html",
        page=page,
        years=sorted(set(queries.standard_years()) | {local_year(utcnow())}),
        standard=standard,
        units=units,
        unit=unit,
        positions=positions,
        statuses=STATUS_ORDER,
        filters={**args, "q": search},
        year=year,
    )


@bp.get("/export.<fmt>")
@role_required(*HR_ROLES)
def export(fmt: str):
    if fmt not in exports.FORMATS or fmt == "json":
        abort(404)
    args = filters()
    standard = queries.standard_for(args["year"])
    if standard is None:
        abort(404)
    root = selected_unit() or default_root()
    level = request.args.get("level", "officials")
    rows = _rows(standard, root, args["position"], with_missing=level == "officials")
    if args["status"] in set(Status):
        rows = [r for r in rows if r.status == args["status"]]
    search = request.args.get("q", "").strip()
    if search and level == "officials":  # the list exported as it was shown
        needle = search.casefold()
        rows = [r for r in rows if needle in r.full_name.casefold() or needle in r.username]
    if level == "units":
        summaries, total = services.summarize(
            rows, root, {u.id: u for u in queries.scoped_units(current_user)}
        )
        table = exports.units_table(summaries, total)
    else:
        table = exports.officials_table(rows, standard)
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
    return _official_page(visible_user_or_404(user_id), selected_year())


def _official_page(user: User, year: int, *, status_code: int = 200, **forms):
    """One official's full record; ``forms`` carries a form that failed, with what was typed."""
    standard = queries.standard_for(year)
    status = (
        services.official_status(standard, user, today=local_date(utcnow())) if standard else None
    )
    forms = {
        "extension_form": ExtensionForm(formdata=None),
        "exemption_form": ExemptionForm(formdata=None),
        "leave_form": LeaveForm(formdata=None),
        **forms,
    }
    page = render_template(
        "compliance/official.html",
        official=user,
        year=year,
        standard=standard,
        status=status,
        rows=queries.user_course_progress(user, year),
        external=db.session.scalars(
            select(ExternalTraining)
            .where(ExternalTraining.user_id == user.id)
            .order_by(ExternalTraining.end_date.desc())
        ).all(),
        extensions=db.session.scalars(
            select(DeadlineExtension)
            .where(DeadlineExtension.user_id == user.id)
            .order_by(DeadlineExtension.id.desc())
        ).all(),
        exemption=db.session.scalar(
            select(Exemption).where(Exemption.user_id == user.id, Exemption.year == year)
        ),
        leaves=db.session.scalars(
            select(LeavePeriod)
            .where(LeavePeriod.user_id == user.id)
            .order_by(LeavePeriod.start_date.desc())
        ).all(),
        attempts=db.session.scalars(
            select(QuizAttempt)
            .where(QuizAttempt.user_id == user.id, QuizAttempt.year == year)
            .order_by(QuizAttempt.started_at)
        ).all(),
        **forms,
    )
    return page, status_code


def _back(user: User, year: int):
    return redirect(url_for("compliance.official", user_id=user.id, year=year))


@bp.route("/officials/<int:user_id>/external", methods=["GET", "POST"])
@role_required(*HR_ROLES)
def add_external(user_id: int):
    user = visible_user_or_404(user_id)
    form = ExternalTrainingForm()
    if form.validate_on_submit():
        upload = None
        if form.scan.data:
            data = form.scan.data.read(MAX_SCAN_BYTES + 1)
            if len(data) > MAX_SCAN_BYTES:
                form.scan.errors.append(_("The file is larger than 5 MB."))
                return render_template("compliance/external.html", form=form, official=user), 400
            upload = (form.scan.data.filename[-255:], form.scan.data.mimetype[:100], data)
        if form.end_date.data > local_date(utcnow()):
            form.end_date.errors.append(_("The training cannot end in the future."))
            return render_template("compliance/external.html", form=form, official=user), 400
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
            )
        except services.ComplianceError:
            form.end_date.errors.append(_("The training ends before it starts."))
            return render_template("compliance/external.html", form=form, official=user), 400
        db.session.commit()
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
    return Response(
        record.file_data,
        mimetype=mimetype or "application/octet-stream",
        headers={
            "Content-Disposition": f'attachment; filename="scan-{record.id}"',
            "X-Content-Type-Options": "nosniff",
        },
    )


@bp.post("/officials/<int:user_id>/extension")
@role_required(*HR_ROLES)
def extend(user_id: int):
    user = visible_user_or_404(user_id)
    year = selected_year()
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
    db.session.commit()
    flash(_("The deadline has been extended."), "success")
    return _back(user, year)


@bp.post("/officials/<int:user_id>/exemption")
@role_required(*HR_ROLES)
def exempt(user_id: int):
    user = visible_user_or_404(user_id)
    year = selected_year()
    if request.form.get("lift"):
        services.set_exemption(user, year, None, granted_by=current_user, now=utcnow())
        db.session.commit()
        flash(_("The exemption has been lifted."), "success")
        return _back(user, year)
    form = ExemptionForm()
    if not form.validate_on_submit():
        return _official_page(user, year, status_code=400, exemption_form=form)
    services.set_exemption(user, year, form.reason.data, granted_by=current_user, now=utcnow())
    db.session.commit()
    flash(_("The exemption has been recorded."), "success")
    return _back(user, year)


@bp.post("/officials/<int:user_id>/leave")
@role_required(*HR_ROLES)
def leave(user_id: int):
    user = visible_user_or_404(user_id)
    year = selected_year()
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
        )
    except services.ComplianceError:
        form.end_date.errors.append(_("The leave ends before it starts."))
        return _official_page(user, year, status_code=400, leave_form=form)
    db.session.commit()
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
        report = imports.import_records(rows, viewer=current_user, now=utcnow())
        if report.errors or form.dry_run.data:
            db.session.rollback()
        else:
            db.session.commit()
            flash(
                _("%(n)d records imported.", n=len(report.records)),
                "success",
            )
        status = 400 if report.errors else 200
        return render_template("compliance/import.html", form=form, report=report), status
    status = 400 if request.method == "POST" else 200
    return render_template("compliance/import.html", form=form, report=report), status
