"""Courses and lessons, loaded from ``courses/`` by the content loader (not edited in the site)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import db, utcnow


class Track(StrEnum):
    REFORM = "reform"  # Cải cách hành chính
    IT = "it"  # Kỹ năng công nghệ thông tin
    ETHICS = "ethics"  # Đạo đức, văn hóa công vụ


class Course(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(250))
    track: Mapped[str] = mapped_column(String(20), index=True)
    hours: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    summary: Mapped[str] = mapped_column(Text, default="")
    sort_order: Mapped[int] = mapped_column(default=0)
    version: Mapped[str] = mapped_column(String(40), default="")
    body_html: Mapped[str] = mapped_column(Text, default="")  # sanitised at load time
    source_path: Mapped[str] = mapped_column(String(300))
    content_hash: Mapped[str] = mapped_column(String(64))
    revision: Mapped[int] = mapped_column(default=1)  # bumped when the files change
    is_active: Mapped[bool] = mapped_column(default=True)  # False once its folder is removed
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    lessons: Mapped[list[Lesson]] = relationship(
        back_populates="course", order_by="Lesson.position", lazy="raise"
    )


class Lesson(db.Model):
    __table_args__ = (UniqueConstraint("course_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), index=True)
    slug: Mapped[str] = mapped_column(String(100))
    position: Mapped[int]
    title: Mapped[str] = mapped_column(String(250))
    minutes: Mapped[int] = mapped_column(default=0)
    body_html: Mapped[str] = mapped_column(Text)  # sanitised at load time
    toc_html: Mapped[str] = mapped_column(Text, default="")
    source_path: Mapped[str] = mapped_column(String(300))
    content_hash: Mapped[str] = mapped_column(String(64))
    revision: Mapped[int] = mapped_column(default=1)
    is_active: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    course: Mapped[Course] = relationship(back_populates="lessons", lazy="joined")


class ContentWarning(db.Model):
    """A warning of the last content load (``path:line: warning: …``), shown to admins.

    Replaced as a whole by each load: the list says what the content live now needs.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    path: Mapped[str] = mapped_column(String(300))
    line: Mapped[int] = mapped_column(default=0)
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
