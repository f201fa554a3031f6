"""Statuses and their reasons in words (Vietnamese by default), shared by pages and exports."""

from __future__ import annotations

from flask_babel import format_date, gettext, lazy_gettext, ngettext

from app.compliance.rules import Result, Status
from app.i18n import number_filter
from app.models import Standard

STATUS_LABELS = {
    Status.NOT_STARTED: lazy_gettext("Not started"),
    Status.IN_PROGRESS: lazy_gettext("In progress"),
    Status.COMPLIANT: lazy_gettext("Meets the standard"),
    Status.OVERDUE: lazy_gettext("Overdue"),
    Status.EXEMPT: lazy_gettext("Exempt"),
    Status.NOT_APPLICABLE: lazy_gettext("Not covered"),
}


def status_label(status: Status) -> str:
    return str(STATUS_LABELS[status])


def _date(value) -> str:
    return format_date(value, "dd/MM/yyyy")


def reason(result: Result, standard: Standard) -> str:
    """Why this status, in a sentence an official understands."""
    text = _reason(result, standard)
    return text[:1].upper() + text[1:]


def _reason(result: Result, standard: Standard) -> str:
    hours = gettext(
        "%(done)s of %(needed)s hours",
        done=number_filter(result.hours),
        needed=number_filter(result.hours_required),
    )
    if result.status == Status.NOT_APPLICABLE and result.joined_after_deadline:
        return gettext(
            "The %(year)d standard does not apply: joined after its deadline (%(date)s).",
            year=standard.year,
            date=_date(standard.deadline),
        )
    if result.status == Status.NOT_APPLICABLE and result.left_on is not None:
        return gettext(
            "The %(year)d standard does not apply: left service on %(date)s, before its "
            "deadline (%(deadline)s).",
            year=standard.year,
            date=_date(result.left_on),
            deadline=_date(standard.deadline),
        )
    if result.status == Status.NOT_APPLICABLE:
        return gettext(
            "The %(year)d standard does not apply to this position or unit.", year=standard.year
        )
    if result.status == Status.EXEMPT:
        kind, detail = result.exemption
        if kind == "joined_after":
            return gettext("Exempt: joined after %(date)s.", date=_date(standard.joined_after))
        if kind == "months_worked":
            return gettext(
                "Exempt: %(months)s months of work in %(year)d, fewer than %(minimum)d.",
                months=detail.replace(".", ","),
                year=standard.year,
                minimum=standard.min_months_worked,
            )
        return gettext("Exempt: %(reason)s", reason=detail)
    parts: list[str] = []
    if result.status == Status.COMPLIANT:
        parts.append(
            gettext(
                "All %(n)d required courses completed",
                n=result.required_total,
            )
            if result.required_total
            else gettext("No course required")
        )
        if result.hours_required is not None:
            parts.append(hours)
        return "; ".join(parts) + "."
    if result.missing:
        parts.append(
            ngettext(
                "%(num)d course missing: %(titles)s",
                "%(num)d courses missing: %(titles)s",
                len(result.missing),
                titles="; ".join(result.missing),
            )
        )
    if result.hours_required is not None and result.hours < result.hours_required:
        parts.append(hours)
    if result.status == Status.OVERDUE:
        parts.append(gettext("deadline %(date)s has passed", date=_date(result.deadline)))
    elif result.days_left == 0:
        parts.append(gettext("the deadline is today (%(date)s)", date=_date(result.deadline)))
    else:
        parts.append(
            ngettext(
                "%(num)d day left (deadline %(date)s)",
                "%(num)d days left (deadline %(date)s)",
                max(result.days_left, 0),
                date=_date(result.deadline),
            )
        )
    return "; ".join(parts) + "."
