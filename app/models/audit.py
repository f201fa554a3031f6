"""The audit trail: who changed what, when, from where, with the values before and after."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, event
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import db, utcnow


class AuditEntry(db.Model):
    """One state change made by HR, an admin or an operator at the command line. Written by
    ``app.audit.record`` only; nothing updates or deletes a row."""

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # The account that acted; None for an operator at the command line.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    actor_name: Mapped[str] = mapped_column(String(80))  # username then, or "cli"
    address: Mapped[str] = mapped_column(String(64))  # the client's address, or "cli"
    action: Mapped[str] = mapped_column(String(40), index=True)  # e.g. "account.edit"
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int | None]
    # The unit the change is about (an account's unit), for HR's view of its own units.
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    def __repr__(self) -> str:
        return f"<AuditEntry {self.action} {self.object_type}:{self.object_id}>"


@event.listens_for(AuditEntry, "before_update")
@event.listens_for(AuditEntry, "before_delete")
def _refuse_changes(_mapper, _connection, target: AuditEntry) -> None:
    """Entries are written once and never edited or deleted."""
    raise RuntimeError(f"audit entry {target.id} cannot be changed or deleted")
