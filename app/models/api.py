"""API clients of the provincial personnel systems: hashed bearer tokens, scope, rate windows."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import db, utcnow
from app.models.user import Unit

api_client_unit = Table(
    "api_client_unit",
    db.metadata,
    Column("client_id", ForeignKey("api_client.id", ondelete="CASCADE"), primary_key=True),
    Column("unit_id", ForeignKey("unit.id"), primary_key=True),
)


class ApiClient(db.Model):
    """A system that calls ``/api/v1``. Its scope is like an HR account's: the subtrees of
    ``units``. Only the SHA-256 of the token is kept; ``token_prefix`` names it on pages."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    token_prefix: Mapped[str] = mapped_column(String(16))
    can_write: Mapped[bool] = mapped_column(default=False)
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    last_used_at: Mapped[datetime | None]

    units: Mapped[list[Unit]] = relationship(secondary=api_client_unit, lazy="selectin")

    def is_usable(self, now: datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)

    def __repr__(self) -> str:
        return f"<ApiClient {self.name}>"


class ApiRateWindow(db.Model):
    """Requests of one client in one minute: shared by every process through the database."""

    client_id: Mapped[int] = mapped_column(
        ForeignKey("api_client.id", ondelete="CASCADE"), primary_key=True
    )
    minute: Mapped[int] = mapped_column(primary_key=True)  # minutes since the epoch
    requests: Mapped[int] = mapped_column(default=0)
