"""The declared annual standard and the records HR keeps for it.

"Đạt chuẩn" here is the platform's training-compliance status, not the legal annual
quality rating of civil servants (Decree 335/2025/NĐ-CP).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    ForeignKey,
    Index,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from app.models.base import db, utcnow


class Standard(db.Model):
    """One year's standard, loaded from ``courses/standards/<year>.yml``."""

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(unique=True)
    title: Mapped[str] = mapped_column(String(300))
    version: Mapped[str] = mapped_column(String(40), default="")
    issuer: Mapped[str] = mapped_column(String(300))
    legal_basis: Mapped[list[str]] = mapped_column(JSON)
    notes_html: Mapped[str] = mapped_column(Text, default="")
    start_date: Mapped[date]
    deadline: Mapped[date]
    # Who it applies to; None means no restriction on that criterion.
    unit_kinds: Mapped[list[str] | None] = mapped_column(JSON)
    unit_codes: Mapped[list[str] | None] = mapped_column(JSON)  # these units and their subtrees
    position_codes: Mapped[list[str] | None] = mapped_column(JSON)
    min_hours: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    pass_mark: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    external_hours_cap: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    count_external: Mapped[bool] = mapped_column(default=True)
    min_months_worked: Mapped[int | None]
    joined_after: Mapped[date | None]
    reminder_days: Mapped[list[int]] = mapped_column(JSON, default=list)
    source_path: Mapped[str] = mapped_column(String(300))
    content_hash: Mapped[str] = mapped_column(String(64))
    revision: Mapped[int] = mapped_column(default=1)
    is_active: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class StandardCourse(db.Model):
    """A course the standard requires: of everyone (no position) or of one position."""

    __table_args__ = (UniqueConstraint("standard_id", "course_id", "position_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    standard_id: Mapped[int] = mapped_column(ForeignKey("standard.id"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), index=True)
    position_id: Mapped[int | None] = mapped_column(ForeignKey("position.id"), index=True)


class ExternalTraining(db.Model):
    """Training done outside the platform (a class, a school of politics), entered by HR."""

    __table_args__ = (Index("ix_external_training_user_year", "user_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    year: Mapped[int] = mapped_column(index=True)  # the year of its end date
    title: Mapped[str] = mapped_column(String(300))
    provider: Mapped[str] = mapped_column(String(300), default="")
    hours: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    start_date: Mapped[date | None]
    end_date: Mapped[date]
    note: Mapped[str] = mapped_column(Text, default="")
    file_name: Mapped[str | None] = mapped_column(String(255))
    file_type: Mapped[str | None] = mapped_column(String(100))
    file_data: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    source: Mapped[str] = mapped_column(String(20), default="manual")  # manual | import | api
    # Who recorded it: an HR account or admin, or (``source == "api"``) an API client.
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    api_client_id: Mapped[int | None] = mapped_column(ForeignKey("api_client.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    created_by = relationship("User", foreign_keys=[created_by_id], lazy="joined")


class DeadlineExtension(db.Model):
    """HR moves one official's deadline for one year; the latest one applies, all are kept."""

    __table_args__ = (Index("ix_deadline_extension_user_year", "user_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    year: Mapped[int] = mapped_column(index=True)
    deadline: Mapped[date]
    reason: Mapped[str] = mapped_column(Text)
    granted_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    granted_by = relationship("User", foreign_keys=[granted_by_id], lazy="joined")


class Exemption(db.Model):
    """HR exempts one official from one year's standard, with the reason."""

    __table_args__ = (UniqueConstraint("user_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    year: Mapped[int] = mapped_column(index=True)
    reason: Mapped[str] = mapped_column(Text)
    granted_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    granted_by = relationship("User", foreign_keys=[granted_by_id], lazy="joined")


class LeavePeriod(db.Model):
    """Long leave (maternity, sickness, study...) that reduces the months worked in a year."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    start_date: Mapped[date]
    end_date: Mapped[date]
    kind: Mapped[str] = mapped_column(String(100), default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Certificate(db.Model):
    """An issued certificate; ``/verify/<code>`` confirms who, what and when."""

    __table_args__ = (UniqueConstraint("user_id", "kind", "course_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[str] = mapped_column(String(10))  # course | standard
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    course_id: Mapped[int | None] = mapped_column(ForeignKey("course.id"))
    year: Mapped[int]
    title: Mapped[str] = mapped_column(String(300))  # as issued
    holder_name: Mapped[str] = mapped_column(String(200))  # as issued
    details: Mapped[list[str]] = mapped_column(JSON, default=list)
    completed_on: Mapped[date]
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)


class Message(db.Model):
    """Every reminder the site sends (or keeps in the outbox when no SMTP server is set)."""

    __table_args__ = (UniqueConstraint("recipient_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    key: Mapped[str] = mapped_column(String(120))  # e.g. "2026:before:30" - never sent twice
    to_address: Mapped[str | None] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10))  # sent | outbox | failed
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    extra: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    recipient = relationship("User", lazy="joined")
