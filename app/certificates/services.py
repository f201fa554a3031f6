"""Issuing and finding certificates. A certificate is created once per achievement (a course
completed in a year, or the year's standard met), with a new verification code, when its holder
or HR asks for it (a POST); reading one never creates it.

Services flush, never commit: the request or command commits once.
"""

from __future__ import annotations

import logging
from datetime import date, datetime

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from app import audit
from app.certificates.codes import new_verification_code, normalize_code
from app.compliance import queries as compliance_queries
from app.compliance import services as compliance
from app.compliance.rules import Status
from app.i18n import number_filter
from app.models import Certificate, Course, CourseProgress, Standard, User, db, local_date
from app.progress import queries as progress_queries

logger = logging.getLogger(__name__)

TRACKS = {
    "reform": "Cải cách hành chính",
    "it": "Kỹ năng công nghệ thông tin",
    "ethics": "Đạo đức, văn hóa công vụ",
}


class NotEligible(Exception):
    """The course was not completed that year, or the standard not met."""


def _existing(user: User, kind: str, year: int, course_id: int | None) -> Certificate | None:
    return db.session.scalar(
        select(Certificate).where(
            Certificate.user_id == user.id,
            Certificate.kind == kind,
            Certificate.year == year,
            Certificate.course_id.is_(None)
            if course_id is None
            else Certificate.course_id == course_id,
        )
    )


def issue_certificate(
    user: User,
    *,
    kind: str,
    year: int,
    title: str,
    details: list[str],
    completed_on: date,
    course_id: int | None = None,
    now: datetime,
) -> Certificate:
    """The certificate for this achievement, created once with a new verification code."""
    existing = _existing(user, kind, year, course_id)
    if existing is not None:
        return existing
    certificate = Certificate(
        code=new_verification_code(),
        kind=kind,
        user_id=user.id,
        course_id=course_id,
        year=year,
        title=title,
        holder_name=user.full_name,
        details=details,
        completed_on=completed_on,
        issued_at=now,
    )
    db.session.add(certificate)
    db.session.flush()
    logger.info("certificate issued: id=%s user=%s kind=%s", certificate.id, user.id, kind)
    return certificate


def course_certificate(user: User, course: Course, year: int) -> Certificate | None:
    """The course certificate already issued for ``year``, if any."""
    return _existing(user, "course", year, course.id)


def eligible_for_course(user: User, course: Course, year: int) -> CourseProgress:
    """The official's completion of ``course`` in ``year``; raises NotEligible."""
    progress = progress_queries.completed_course(user, course, year)
    if progress is None:
        raise NotEligible()
    return progress


def issue_course_certificate(
    user: User,
    course: Course,
    year: int,
    *,
    now: datetime,
    issued_by: User | None = None,
    address: str = audit.CLI,
):
    """Issue (once) the certificate of a course completed in ``year``; HR issuing it for an
    official (``issued_by``) is audited."""
    progress = eligible_for_course(user, course, year)
    certificate = _issue_course(user, course, progress, year, now=now)
    _audit_issue(certificate, user, issued_by, address, now)
    return certificate


def _audit_issue(
    certificate: Certificate, holder: User, issued_by: User | None, address: str, now: datetime
) -> None:
    """The official's own certificate is their own action; HR's on their behalf is recorded."""
    if issued_by is None or issued_by.id == holder.id:
        return
    audit.record(
        issued_by,
        "certificate.issue",
        certificate,
        after={"user_id": holder.id, "kind": certificate.kind, "code": certificate.code},
        address=address,
        unit=holder.unit_id,
        now=now,
    )


def _issue_course(
    user: User, course: Course, progress: CourseProgress, year: int, *, now: datetime
) -> Certificate:
    with force_locale("vi"):  # certificates are Vietnamese documents
        details = [
            _("Track: %(track)s", track=TRACKS.get(course.track, course.track)),
            _("Hours credited: %(hours)s", hours=number_filter(progress.hours)),
        ]
    return issue_certificate(
        user,
        kind="course",
        year=year,
        course_id=course.id,
        title=course.title,
        details=details,
        completed_on=local_date(progress.completed_at),
        now=now,
    )


def standard_certificate(user: User, year: int) -> Certificate | None:
    """The certificate of meeting ``year``'s standard already issued, if any."""
    return _existing(user, "standard", year, None)


def eligible_for_standard(user: User, year: int, *, today: date):
    """(standard, status) when the official meets ``year``'s standard; raises NotEligible."""
    standard = compliance_queries.standard_for(year)
    if standard is None:
        raise NotEligible()
    status = compliance.official_status(standard, user, today=today)
    if status is None or status.status != Status.COMPLIANT:
        raise NotEligible()
    return standard, status


def issue_standard_certificate(
    user: User,
    year: int,
    *,
    now: datetime,
    issued_by: User | None = None,
    address: str = audit.CLI,
) -> Certificate:
    """Issue (once) the certificate of meeting ``year``'s standard."""
    standard, status = eligible_for_standard(user, year, today=local_date(now))
    certificate = _issue_standard(
        user, standard, status, compliance.compliance_date(standard, user), now
    )
    _audit_issue(certificate, user, issued_by, address, now)
    return certificate


def _issue_standard(
    user: User,
    standard: Standard,
    status: compliance.OfficialStatus,
    completed_on: date,
    now: datetime,
) -> Certificate:
    with force_locale("vi"):
        details = [
            _("Issued by: %(issuer)s", issuer=standard.issuer),
            *[_("Basis: %(doc)s", doc=doc) for doc in standard.legal_basis[:2]],
            _("Hours counted: %(hours)s", hours=number_filter(status.result.hours)),
        ]
    return issue_certificate(
        user,
        kind="standard",
        year=standard.year,
        title=standard.title,
        details=details,
        completed_on=completed_on,
        now=now,
    )


def find_certificate(code: str) -> Certificate | None:
    canonical = normalize_code(code)
    if not canonical:
        return None
    return db.session.scalar(select(Certificate).where(Certificate.code == canonical))
