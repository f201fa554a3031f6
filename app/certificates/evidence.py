"""The year-end training record gathered from the database (one official, or every official
of a unit as a streamed ZIP of PDFs). Labels are Vietnamese: the callers force the locale, as
for certificates, since the record is filed as a document."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from app.certificates.records import RecordCourse, RecordExternal, TrainingRecord
from app.compliance import queries, services, text
from app.compliance.rules import Status
from app.i18n import date_filter, number_filter
from app.models import Certificate, Role, Unit, User, db
from app.progress import queries as progress_queries


def _labels(year: int) -> dict[str, str]:
    return {
        "title": _("Training record %(year)d", year=year),
        "status": _("Training-compliance status"),
        "courses": _("Courses completed on the platform"),
        "paper": _("paper record"),
        "course": _("Course"),
        "completed_on": _("Completed on"),
        "grade": _("Quiz grade"),
        "hours": _("Hours"),
        "certificate": _("Certificate code"),
        "no_courses": _("No course completed this year."),
        "external": _("External training"),
        "training": _("Training"),
        "provider": _("Provider"),
        "dates": _("Dates"),
        "no_external": _("No external training recorded this year."),
        "totals": _("Hours"),
    }


def training_record(
    user: User, year: int, *, today: date, status: services.OfficialStatus | None = None
) -> TrainingRecord:
    """Everything the record says about ``user`` in ``year``. ``status`` may be given when it
    was computed for many officials at once."""
    standard = queries.standard_for(year)
    if standard is not None and status is None:
        status = services.official_status(standard, user, today=today)
    codes = {
        (certificate.kind, certificate.course_id): certificate.code
        for certificate in db.session.scalars(
            select(Certificate).where(Certificate.user_id == user.id, Certificate.year == year)
        )
    }
    done = [row for row in progress_queries.user_course_progress(user, year) if row.completed_at]
    courses = [
        RecordCourse(
            title=row.title,
            completed_on=date_filter(row.completed_at),
            grade=(number_filter(row.quiz_grade) + "%") if row.quiz_grade is not None else "",
            hours=number_filter(row.hours),
            certificate_code=codes.get(("course", row.id), ""),
            paper=row.source == "import",
        )
        for row in done
    ]
    external = queries.external_training_of(user, year)
    platform_hours = sum((Decimal(row.hours) for row in done), Decimal(0))
    external_hours = sum((Decimal(item.hours) for item in external), Decimal(0))
    facts = [(_("Username"), user.username)]
    facts.append((_("Unit"), user.unit.name if user.unit else ""))
    facts.append((_("Position"), user.position.name if user.position else ""))
    if user.joined_on:
        facts.append((_("In service since"), date_filter(user.joined_on)))
    notes: list[str] = []
    if standard is None:
        label, reason = (
            _("No standard"),
            _("No standard has been declared for %(year)d.", year=year),
        )
    elif status is None:
        label, reason = text.status_label(Status.NOT_APPLICABLE), ""
        notes.append(_("Standard: %(title)s", title=standard.title))
    else:
        label, reason = text.status_label(status.status), text.reason(status.result, standard)
        notes.append(_("Standard: %(title)s", title=standard.title))
        notes.append(_("Deadline: %(date)s", date=date_filter(status.result.deadline)))
    if codes.get(("standard", None)):
        notes.append(
            _("Certificate of meeting the standard: %(code)s", code=codes[("standard", None)])
        )
    totals = [
        (_("Hours of courses completed on the platform"), number_filter(platform_hours)),
        (_("Hours of external training"), number_filter(external_hours)),
    ]
    if status is not None and status.result.hours_required is not None:
        totals.append(
            (
                _("Hours counted toward the standard"),
                _(
                    "%(done)s of %(needed)s hours",
                    done=number_filter(status.result.hours),
                    needed=number_filter(status.result.hours_required),
                ),
            )
        )
    base = current_app.config.get("PUBLIC_BASE_URL") or ""
    return TrainingRecord(
        labels=_labels(year),
        year=year,
        full_name=user.full_name,
        facts=facts,
        status_label=label,
        status_reason=reason,
        status_notes=notes,
        courses=courses,
        external=[
            RecordExternal(
                title=item.title,
                provider=item.provider,
                dates=" – ".join(
                    date_filter(d) for d in (item.start_date, item.end_date) if d is not None
                ),
                hours=number_filter(item.hours),
            )
            for item in external
        ],
        totals=totals,
        notice=_(
            "“Meets the standard” (đạt chuẩn) is this platform's training-compliance status "
            "against the declared standard. It is not the annual quality rating of civil servants "
            "(Decree 335/2025/NĐ-CP); this record is evidence for that rating."
        ),
        issued_on=today,
        footer=_(
            "Training record %(year)d · %(name)s · issued %(date)s",
            year=year,
            name=user.full_name,
            date=date_filter(today),
        )
        + (f" · {base}" if base else ""),
    )


def officials_of(viewer: User, unit: Unit | None) -> list[User]:
    """The active officials ``viewer`` may see (in ``unit``'s subtree), by unit and name."""
    stmt = (
        select(User)
        .join(Unit, User.unit_id == Unit.id)
        .where(
            services.scope_criterion(viewer, unit=unit),
            User.role == Role.OFFICIAL,
            User.is_active.is_(True),
        )
        .order_by(Unit.path, User.full_name, User.id)
    )
    return list(db.session.scalars(stmt))


def statuses_of(viewer: User, unit: Unit | None, year: int, *, today: date) -> dict:
    """Each official's status in ``year``, computed at once (not a few queries per official)."""
    standard = queries.standard_for(year)
    if standard is None:
        return {}
    criterion = services.scope_criterion(viewer, unit=unit)
    return {row.user_id: row for row in services.statuses(standard, criterion, today=today)}


def file_name(user: User, year: int) -> str:
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", user.username).strip("-") or str(user.id)
    return f"ho-so-boi-duong-{year}-{safe}.pdf"


class _Sink(io.RawIOBase):
    """A write-only stream whose bytes are taken away as they come: the ZIP is never whole
    in memory (zipfile writes data descriptors on a stream it cannot seek)."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self._chunks.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        return data


def stream_zip(files: Iterable[tuple[str, bytes]], *, when: date) -> Iterator[bytes]:
    """ZIP bytes, one file at a time (PDFs are compressed already: stored as they are)."""
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, data in files:
            info = zipfile.ZipInfo(name, date_time=(when.year, when.month, when.day, 0, 0, 0))
            archive.writestr(info, data)
            yield sink.take()
    yield sink.take()
