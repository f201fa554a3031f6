"""Reminders before the deadline and when overdue, to officials and to the HR of their units.

Run daily (``flask --app run.py notify reminders``). Every message is logged in ``Message``
with a key that makes a second identical reminder impossible; without SMTP settings the
messages stay in the outbox, which admins read in the site.
"""

from __future__ import annotations

import logging
import smtplib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from email.message import EmailMessage

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import and_, select
from sqlalchemy.exc import IntegrityError

from app.compliance import kept
from app.compliance.rules import Status
from app.compliance.text import reason
from app.models import Message, Role, Standard, Unit, User, db
from app.people.scope import can_see_user

logger = logging.getLogger(__name__)


@dataclass
class ReminderReport:
    sent: int = 0
    outbox: int = 0
    failed: int = 0
    skipped: int = 0  # already sent earlier
    keys: list[str] = field(default_factory=list)


def due_stage(standard: Standard, deadline: date, today: date) -> str | None:
    """Which reminder is due today: "overdue", "before:<days>" (the tightest reached), or None."""
    if today > deadline:
        return "overdue"
    left = (deadline - today).days
    reached = [d for d in standard.reminder_days if left <= d]
    return f"before:{min(reached)}" if reached else None


class Mailer:
    """SMTP when configured, else nothing is sent and messages stay in the outbox."""

    def __init__(self, config):
        self.server = config.get("MAIL_SERVER")
        self.port = int(config.get("MAIL_PORT") or 587)
        self.username = config.get("MAIL_USERNAME")
        self.password = config.get("MAIL_PASSWORD")
        self.use_tls = str(config.get("MAIL_USE_TLS", "1")) == "1"
        self.sender = config.get("MAIL_FROM") or "no-reply@localhost"

    @property
    def enabled(self) -> bool:
        return bool(self.server)

    def send(self, to: str, subject: str, body: str) -> None:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = to
        message["Subject"] = subject
        message.set_content(body)
        with smtplib.SMTP(self.server, self.port, timeout=30) as smtp:
            if self.use_tls:
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password or "")
            smtp.send_message(message)


def _deliver(
    mailer: Mailer,
    recipient: User,
    key: str,
    subject: str,
    body: str,
    report: ReminderReport,
    now: datetime,
) -> None:
    """Log the message, commit, then send: a crash after sending can never send it again."""
    message = Message(
        created_at=now,
        recipient_id=recipient.id,
        key=key,
        to_address=recipient.email,
        subject=subject,
        body=body,
        status="outbox",
    )
    try:
        with db.session.begin_nested():
            db.session.add(message)
    except IntegrityError:  # sent by an earlier run
        report.skipped += 1
        return
    db.session.commit()
    report.keys.append(key)
    if not (mailer.enabled and recipient.email):
        report.outbox += 1
        return
    try:
        mailer.send(recipient.email, subject, body)
    except Exception as exc:  # one bad address or a refused message must not stop the run
        message.status = "failed"
        message.error = f"{type(exc).__name__}: {exc}"[:1000]
        report.failed += 1
        logger.warning("reminder failed: message=%s error=%s", message.id, exc)
    else:
        message.status = "sent"
        report.sent += 1
    db.session.commit()


def send_reminders(*, today: date, now: datetime, mailer: Mailer | None = None) -> ReminderReport:
    """Remind every official not yet compliant whose reminder is due, and the HR of their units
    (one summary per HR account). Unlike other services this commits, message by message:
    each one is logged before it is sent."""
    report = ReminderReport()
    standard = db.session.scalar(
        select(Standard).where(Standard.year == today.year, Standard.is_active.is_(True))
    )
    if standard is None:
        return report
    mailer = mailer or Mailer(current_app.config)
    site = current_app.config.get("PUBLIC_BASE_URL") or ""
    behind = (Status.NOT_STARTED, Status.IN_PROGRESS, Status.OVERDUE)
    rows = list(  # the kept statuses of those not yet compliant
        kept.read(
            standard,
            and_(User.role == Role.OFFICIAL, kept.effective_status(today).in_(behind)),
            today=today,
        )
    )
    users = {
        u.id: u
        for u in db.session.scalars(select(User).where(User.id.in_([r.user_id for r in rows])))
    }
    for_hr: dict[str, list] = defaultdict(list)
    with force_locale("vi"):
        for row in rows:
            stage = due_stage(standard, row.result.deadline, today)
            if stage is None:
                continue
            key = f"{standard.year}:{stage}"
            user = users[row.user_id]
            subject = (
                _("Training standard %(year)d: overdue", year=standard.year)
                if stage == "overdue"
                else _(
                    "Training standard %(year)d: %(days)d days left",
                    year=standard.year,
                    days=max(row.result.days_left, 0),
                )
            )
            body = _(
                "Dear %(name)s,\n\n%(reason)s\n\nStandard: %(title)s (%(issuer)s).\n"
                "See your training record: %(site)s/my/training\n",
                name=row.full_name,
                reason=reason(row.result, standard),
                title=standard.title,
                issuer=standard.issuer,
                site=site,
            )
            _deliver(mailer, user, f"{key}:official", subject, body, report, now)
            for_hr[stage].append(row)
        hr_users = db.session.scalars(
            select(User)
            .join(Unit, Unit.id == User.unit_id)
            .where(User.role == Role.HR, User.is_active.is_(True))
        ).all()
        for stage, stage_rows in for_hr.items():
            for hr in hr_users:
                mine = [r for r in stage_rows if can_see_user(hr, users[r.user_id])]
                if not mine:
                    continue
                lines = "\n".join(
                    f"- {r.full_name} ({r.unit_name}): {reason(r.result, standard)}" for r in mine
                )
                subject = _(
                    "Training standard %(year)d: %(n)d officials not yet compliant",
                    year=standard.year,
                    n=len(mine),
                )
                body = _(
                    "Officials of your units who do not yet meet the standard:\n\n%(lines)s\n\n"
                    "Dashboard: %(site)s/hr/\n",
                    lines=lines,
                    site=site,
                )
                _deliver(mailer, hr, f"{standard.year}:{stage}:hr", subject, body, report, now)
    db.session.flush()
    logger.info(
        "reminders: sent=%s outbox=%s failed=%s skipped=%s",
        report.sent,
        report.outbox,
        report.failed,
        report.skipped,
    )
    return report
