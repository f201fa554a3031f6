"""Certificates: PDF downloads for their holder (and HR of their units), public verification."""

from __future__ import annotations

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
from flask_login import current_user, login_required
from sqlalchemy import select

from app.certificates import services
from app.certificates.codes import normalize_code
from app.certificates.pdf import CertificateData, render_certificate_pdf
from app.models import Certificate, Course, User, db, local_date, utcnow
from app.params import record_id, search_text
from app.people.scope import can_see_user

bp = Blueprint("certificates", __name__)


def holder_or_404() -> User:
    """The official themself, or (``?user=``) an official HR may see."""
    user_id = record_id(request.args, "user")
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


def _ready_page(action: str):
    """Not issued yet, but earned: a button issues it (a GET never creates a certificate)."""
    return render_template("certificates/issue.html", action=action)


@bp.route("/certificates/course/<slug>/<int:year>", methods=["GET", "POST"])
@login_required
def course_certificate(slug: str, year: int):
    """GET: the certificate issued for this course and year; POST: issue it (once)."""
    user = holder_or_404()
    course = db.first_or_404(select(Course).where(Course.slug == slug))
    certificate = services.course_certificate(user, course, year)
    if certificate is None:
        try:
            if request.method == "GET":
                services.eligible_for_course(user, course, year)
                return _ready_page(request.full_path)
            certificate = services.issue_course_certificate(
                user,
                course,
                year,
                now=utcnow(),
                issued_by=current_user,
                address=request.remote_addr,
            )
        except services.NotEligible:
            abort(404)
    return _pdf(certificate, user)


@bp.route("/certificates/standard/<int:year>", methods=["GET", "POST"])
@login_required
def standard_certificate(year: int):
    """GET: the certificate of meeting ``year``'s standard; POST: issue it (once)."""
    user = holder_or_404()
    certificate = services.standard_certificate(user, year)
    if certificate is None:
        try:
            if request.method == "GET":
                services.eligible_for_standard(user, year, today=local_date(utcnow()))
                return _ready_page(request.full_path)
            certificate = services.issue_standard_certificate(
                user, year, now=utcnow(), issued_by=current_user, address=request.remote_addr
            )
        except services.NotEligible:
            abort(404)
    return _pdf(certificate, user)


@bp.get("/verify")
def verify_form():
    code = search_text(request.args, "code")
    if code:  # "98dp/nf52 …" as typed from paper: the canonical form makes a clean address
        return redirect(url_for("certificates.verify", code=normalize_code(code) or code))
    return render_template("certificates/verify.html", certificate=None, code=None)


@bp.get("/verify/<code>")
def verify(code: str):
    certificate = services.find_certificate(code)
    status = 200 if certificate else 404
    return render_template("certificates/verify.html", certificate=certificate, code=code), status
