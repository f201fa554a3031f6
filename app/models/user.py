"""People and organisation: units (a tree of any depth), job positions, users."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates
from werkzeug.security import check_password_hash, generate_password_hash

from app.models.base import db, utcnow
from app.text import fold


class Role(StrEnum):
    OFFICIAL = "official"
    HR = "hr"
    ADMIN = "admin"


class UnitKind(StrEnum):
    """Kinds of administrative unit, before and after the 2025 two-tier reform."""

    PROVINCE = "province"  # tỉnh
    CITY = "city"  # thành phố trực thuộc trung ương
    DISTRICT = "district"  # huyện, quận, thị xã, thành phố thuộc tỉnh (until 30/6/2025)
    COMMUNE = "commune"  # xã
    WARD = "ward"  # phường
    TOWNSHIP = "township"  # thị trấn (until 30/6/2025)
    SPECIAL_ZONE = "special_zone"  # đặc khu
    AGENCY = "agency"  # a department or office inside a unit (e.g. Sở Nội vụ)


class Unit(db.Model):
    """An administrative unit. ``path`` is the chain of ids from the root, e.g. ``/1/4/``,
    so that "this unit and everything under it" is one indexed prefix test."""

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    path: Mapped[str] = mapped_column(String(500), index=True, default="")
    depth: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)
    # Room for the 2025 mergers: a unit that ceased keeps its rows and names its successor.
    valid_from: Mapped[date | None]
    valid_to: Mapped[date | None]
    successor_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))

    parent: Mapped[Unit | None] = relationship(
        remote_side=[id], foreign_keys=[parent_id], lazy="joined", innerjoin=False
    )

    def __repr__(self) -> str:
        return f"<Unit {self.code}>"


class Position(db.Model):
    """A job position (vị trí việc làm); pre-2025 commune titles are kept as history."""

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(250))
    group: Mapped[str] = mapped_column(String(20))  # leadership | professional | legacy
    sector: Mapped[str | None] = mapped_column(String(100))
    is_current: Mapped[bool] = mapped_column(default=True)
    legal_basis: Mapped[str | None] = mapped_column(String(250))
    sort_order: Mapped[int] = mapped_column(default=0)

    def __repr__(self) -> str:
        return f"<Position {self.code}>"


class User(UserMixin, db.Model):
    __table_args__ = (
        # Prefix searches (``LIKE 'nguyen van%'``) use these on PostgreSQL whatever the
        # database's collation; SQLite searches the same columns by range (app/people/accounts.py).
        Index(
            "ix_user_search_name",
            "search_name",
            postgresql_ops={"search_name": "text_pattern_ops"},
        ),
        Index(
            "ix_user_username_pattern",
            "username",
            postgresql_ops={"username": "text_pattern_ops"},
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    # ``fold(full_name)``: "Đặng Văn A" -> "dang van a", kept in step by ``_fold_name``.
    search_name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str | None] = mapped_column(String(254))
    password_hash: Mapped[str] = mapped_column(String(255), default="")
    role: Mapped[str] = mapped_column(String(20), default=Role.OFFICIAL, index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    position_id: Mapped[int | None] = mapped_column(ForeignKey("position.id"), index=True)
    is_active: Mapped[bool] = mapped_column(default=True)
    must_change_password: Mapped[bool] = mapped_column(default=False)
    # Bumped when the password changes, so every other session of the account ends.
    session_version: Mapped[int] = mapped_column(default=1)
    locale: Mapped[str | None] = mapped_column(String(8))
    # Start of service, for the exemption rules (months worked): a move between units keeps it.
    joined_on: Mapped[date | None]
    # Last day of service (a leaver): the account is inactive, its history stays.
    left_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    unit: Mapped[Unit | None] = relationship(lazy="joined")
    position: Mapped[Position | None] = relationship(lazy="joined")

    @validates("full_name")
    def _fold_name(self, _key: str, value: str) -> str:
        self.search_name = fold(value or "")[:200]
        return value

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    # The signed-in browser's token (see UserSession), set at sign-in and by the loader of
    # each request; not a column.
    session_token = None

    def get_id(self) -> str:
        """What the session and remember-me cookies carry: the account, its session version
        and the browser's session token. Signing out deletes the token's row on the server."""
        return f"{self.id}.{self.session_version}.{self.session_token or ''}"

    @property
    def is_official(self) -> bool:
        return self.role == Role.OFFICIAL

    @property
    def is_hr(self) -> bool:
        return self.role == Role.HR

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    def __repr__(self) -> str:
        return f"<User {self.username}>"


class UnitMembership(db.Model):
    """Which unit an account belonged to, from ``start_on`` to ``end_on`` (both included;
    ``None``: open). Each year's report places an official in the unit they belonged to on
    that year's deadline; an account without any row is placed by ``User.unit_id``."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    start_on: Mapped[date | None]
    end_on: Mapped[date | None]


class LoginFailure(db.Model):
    """One failed login; counted per account and per address to throttle guessing."""

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class UserSession(db.Model):
    """A signed-in browser. Its token is in the session cookie and the remember-me cookie (only
    its digest is stored here); a request is signed in only while the row exists, so signing
    out, "sign out everywhere" and an administrator's sign-out end the session on the server,
    and a copied cookie opens nothing afterwards."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class HrScope(db.Model):
    """A unit subtree an HR account covers. An HR account without rows covers its own unit."""

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), primary_key=True, index=True)
