"""Certificates: PDF downloads for their holder (and HR of their units), public verification."""

from __future__ import annotations

from datetime import date

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from app.compliance import queries, services
from app.compliance.certificates import CertificateData, normalize_code, render_certificate_pdf
from app.compliance.rules import Status
from app.i18n import number_filter
from app.models import (
    Certificate,
    Course,
    CourseProgress,
    Standard,
    User,
    db,
    local_date,
    utcnow,
)
from app.people.scope import can_see_user

bp = Blueprint("certificates", __name__)

TRACKS = {
    "reform": "Cải cách hành chính",
    "it": "Kỹ năng công nghệ thông tin",
    "ethics": "Đạo đức, văn hóa công vụ",
}


def holder_or_404() -> User:
    """The official themself, or (``?user=``) an official HR may see."""
    user_id = request.args.get("user", type=int)
    if user_id is None or user_id == current_user.id:
        return current_user._get_current_object()
    user = db.get_or_404(User, user_id)
    if not can_see_user(current_user, user):
        abort(404)
    return user


def verify_url(code: str) -> str:
    base = current_app.config.get("PUBLIC_BASE_URL")
    if base:
        return base.rstrip("/") + url_for("certificates.verify", code=code)
    return url_for("certificates.verify", code=code, _external=True)


def _pdf(certificate: Certificate, user: User) -> Response:
    data = CertificateData(
        kind=certificate.kind,
        code=certificate.code,
        full_name=certificate.holder_name,
        unit_name=user.unit.name if user.unit else "",
        position_name=user.position.name if user.position else None,
        title=certificate.title,
        details=list(certificate.details),
        completed_on=certificate.completed_on,
        issued_on=local_date(certificate.issued_at),
        issuer=current_app.config["CERTIFICATE_ISSUER"],
        verify_url=verify_url(certificate.code),
    )
    return Response(
        render_certificate_pdf(data),
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="giay-chung-nhan-{certificate.code}.pdf"'
        },
    )


@bp.get("/certificates/course/<slug>/<int:year>")
@login_required
def course_certificate(slug: str, year: int):
    user = holder_or_404()
    course = db.first_or_404(select(Course).where(Course.slug == slug))
    progress = db.session.scalar(
        select(CourseProgress).where(
            CourseProgress.user_id == user.id,
            CourseProgress.course_id == course.id,
            CourseProgress.year == year,
            CourseProgress.completed_at.is_not(None),
        )
    )
    if progress is None:
        abort(404)
    with force_locale("vi"):  # certificates are Vietnamese documents
        certificate = _issue_course(user, course, progress, year)
    db.session.commit()
    return _pdf(certificate, user)


def _issue_course(user: User, course: Course, progress: CourseProgress, year: int) -> Certificate:
    return services.issue_certificate(
        user,
        kind="course",
        year=year,
        course_id=course.id,
        title=course.title,
        details=[
            _("Track: %(track)s", track=TRACKS.get(course.track, course.track)),
            _("Hours credited: %(hours)s", hours=number_filter(progress.hours)),
        ],
        completed_on=local_date(progress.completed_at),
        now=utcnow(),
    )


@bp.get("/certificates/standard/<int:year>")
@login_required
def standard_certificate(year: int):
    user = holder_or_404()
    standard = queries.standard_for(year)
    if standard is None:
        abort(404)
    status = services.official_status(standard, user, today=local_date(utcnow()))
    if status is None or status.status != Status.COMPLIANT:
        abort(404)
    completed_on = services.compliance_date(standard, user)
    with force_locale("vi"):
        certificate = _issue_standard(user, standard, status, completed_on)
    db.session.commit()
    return _pdf(certificate, user)


def _issue_standard(
    user: User, standard: Standard, status: services.OfficialStatus, completed_on: date
) -> Certificate:
    return services.issue_certificate(
        user,
        kind="standard",
        year=standard.year,
        title=standard.title,
        details=[
            _("Issued by: %(issuer)s", issuer=standard.issuer),
            *[_("Basis: %(doc)s", doc=doc) for doc in standard.legal_basis[:2]],
            _("Hours counted: %(hours)s", hours=number_filter(status.result.hours)),
        ],
        completed_on=completed_on,
        now=utcnow(),
    )


@bp.get("/verify")
def verify_form():
    code = request.args.get("code", "").strip()
    if code:  # "98dp/nf52 …" as typed from paper: the canonical form makes a clean address
        return redirect(url_for("certificates.verify", code=normalize_code(code) or code))
    return render_template("certificates/verify.html", certificate=None, code=None)


@bp.get("/verify/<code>")
def verify(code: str):
    certificate = services.find_certificate(code)
    status = 200 if certificate else 404
    return render_template("certificates/verify.html", certificate=certificate, code=code), status
