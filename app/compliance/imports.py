"""Import past training records (paper records from before the site) from CSV or XLSX.

All or nothing: every row is checked first; if any row is bad nothing is recorded and every
bad row is listed with its line and reason. A row naming a ``course`` records a completion of
that catalogue course; a row without one records external training (title and hours).
A row that repeats another one (the same course and year; the same training, by title, and
completion date) or something already recorded for the official is refused with its line, so
that hours are never counted twice, also when the same file is imported again.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import unicodedata
import zipfile
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext as _
from openpyxl import load_workbook
from sqlalchemy import select

from app import audit
from app.compliance.services import add_external_training
from app.forms import FIRST_DAY
from app.models import (
    Course,
    CourseProgress,
    ExternalTraining,
    Role,
    User,
    db,
    local_date,
    local_to_utc,
)
from app.people.scope import can_see_user
from app.text import drop_control_characters

logger = logging.getLogger(__name__)

MAX_ROWS = 50_000
MAX_LINES = 2 * MAX_ROWS  # blank lines included
MAX_COLUMNS = 50
MAX_XLSX_UNPACKED = 200 * 1024 * 1024  # bytes of XML inside an XLSX
TITLE_MAX = 300  # ExternalTraining.title
TEXT_MAX = 2000  # provider and note are cut to this
COLUMNS = {
    "username": ("username", "tên đăng nhập", "ten_dang_nhap"),
    "course": ("course", "khóa học", "khoa_hoc", "mã khóa học"),
    "title": ("title", "tên khóa", "nội dung", "ten_khoa"),
    "provider": ("provider", "cơ sở đào tạo", "đơn vị tổ chức", "co_so"),
    "hours": ("hours", "số giờ", "so_gio"),
    "completed_on": ("completed_on", "ngày hoàn thành", "ngay_hoan_thanh"),
    "note": ("note", "ghi chú", "ghi_chu"),
}


class ImportFileError(Exception):
    pass


class TooManyRows(ImportFileError):
    pass


@dataclass
class ImportRow:
    line: int
    values: dict[str, Any]


@dataclass
class ImportedRecord:
    line: int
    username: str
    full_name: str
    kind: str  # course | external
    title: str
    hours: Decimal
    completed_on: dt.date


@dataclass
class ImportReport:
    records: list[ImportedRecord] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)


def _canonical(header: str) -> str | None:
    name = " ".join(unicodedata.normalize("NFC", str(header or "")).strip().lower().split())
    for key, aliases in COLUMNS.items():
        if name in aliases:
            return key
    return None


def _xlsx_lines(data: bytes) -> Iterator[tuple[int, list[Any]]]:
    # An XLSX is a zip: a few megabytes can unpack to gigabytes (shared strings are read whole).
    # Python's zipfile never unpacks a member past the size the archive declares for it.
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        if sum(info.file_size for info in archive.infolist()) > MAX_XLSX_UNPACKED:
            raise ImportFileError(_("The XLSX file is too large once unpacked."))
    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        # What the file says of its size refuses a huge sheet before reading it; then that
        # claim is dropped, so that rows past a size understated are read (and counted) too.
        if sheet.max_row is not None and sheet.max_row > MAX_LINES:
            raise TooManyRows()
        sheet.reset_dimensions()
        for line, values in enumerate(
            sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS), start=1
        ):
            yield line, list(values)
    finally:
        workbook.close()


def _csv_lines(text: str) -> Iterator[tuple[int, list[Any]]]:
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        for values in reader:
            yield reader.line_num, values[:MAX_COLUMNS]
    except csv.Error as exc:
        raise ImportFileError(
            _("The CSV file cannot be read near line %(line)d.", line=reader.line_num + 1)
        ) from exc


def _collect(lines: Iterator[tuple[int, list[Any]]]) -> list[ImportRow]:
    """The rows, read one at a time: past MAX_ROWS rows (or MAX_LINES lines, blank ones
    included) the file is refused at once, without reading the rest."""
    first = next(lines, None)
    if first is None:
        raise ImportFileError(_("The file is empty."))
    _header_line, header = first
    keys = [_canonical(h) for h in header]
    missing = [k for k in ("username", "completed_on") if k not in keys]
    if missing:
        raise ImportFileError(_("Missing columns: %(columns)s.", columns=", ".join(missing)))
    rows = []
    for line, values in lines:
        if line > MAX_LINES:
            raise TooManyRows()
        if all(v in (None, "") for v in values):
            continue
        if len(rows) == MAX_ROWS:
            raise TooManyRows()
        record = {k: drop_control_characters(v) for k, v in zip(keys, values, strict=False) if k}
        rows.append(ImportRow(line=line, values=record))
    return rows


def read_rows(filename: str, data: bytes) -> list[ImportRow]:
    """Rows with their line numbers in the file (the header is line 1)."""
    lower = filename.lower()
    try:
        if lower.endswith(".xlsx"):
            try:  # openpyxl raises many kinds of errors for a broken file, also while reading
                with closing(_xlsx_lines(data)) as lines:
                    return _collect(lines)
            except ImportFileError:
                raise
            except Exception as exc:
                raise ImportFileError(_("The XLSX file cannot be read.")) from exc
        if lower.endswith(".csv"):
            try:
                text = data.decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                raise ImportFileError(_("The CSV file must be saved as UTF-8.")) from exc
            return _collect(_csv_lines(text))
    except TooManyRows as exc:
        raise ImportFileError(_("At most %(n)d rows per file.", n=MAX_ROWS)) from exc
    raise ImportFileError(_("Only CSV or XLSX files."))


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip()
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(text)


def _hours(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        hours = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise ValueError(str(value)) from None
    if not hours.is_finite() or hours <= 0 or hours > 1000:
        raise ValueError(str(value))
    return hours


def same_training(title: str) -> str:
    """A title as compared for duplicates: case, spacing and Unicode form do not count."""
    return " ".join(unicodedata.normalize("NFC", title).casefold().split())


def import_records(
    rows: list[ImportRow], *, viewer: User, now: dt.datetime, address: str = audit.CLI
) -> ImportReport:
    """Check every row; when all are good, record them (flush only; the caller commits)."""
    report = ImportReport()
    usernames = {str(r.values.get("username") or "").strip().lower() for r in rows}
    users = {
        u.username: u for u in db.session.scalars(select(User).where(User.username.in_(usernames)))
    }
    courses = {c.slug: c for c in db.session.scalars(select(Course))}
    existing = {
        (user_id, course_id, year)
        for user_id, course_id, year in db.session.execute(
            select(CourseProgress.user_id, CourseProgress.course_id, CourseProgress.year).where(
                CourseProgress.user_id.in_([u.id for u in users.values()]),
                CourseProgress.completed_at.is_not(None),
            )
        )
    }
    recorded = {
        (user_id, same_training(title), end_date)
        for user_id, title, end_date in db.session.execute(
            select(
                ExternalTraining.user_id, ExternalTraining.title, ExternalTraining.end_date
            ).where(ExternalTraining.user_id.in_([u.id for u in users.values()]))
        )
    }
    today = local_date(now)
    seen: dict[tuple[int, int, int], int] = {}
    seen_external: dict[tuple[int, str, dt.date], int] = {}
    planned: list[tuple[ImportRow, User, Course | None, Decimal, dt.date]] = []
    for row in rows:
        problems: list[str] = []
        username = str(row.values.get("username") or "").strip().lower()
        user = users.get(username)
        if not username:
            problems.append(_("no username"))
        elif user is None or user.role != Role.OFFICIAL or not can_see_user(viewer, user):
            # one message for both: HR must not learn who exists in other units
            problems.append(_("no official '%(name)s' in your units", name=username))
        try:
            day = _date(row.values.get("completed_on"))
            if day > today:
                problems.append(_("the completion date is in the future"))
            elif day < FIRST_DAY:
                problems.append(
                    _(
                        "the completion date is before %(date)s",
                        date=FIRST_DAY.strftime("%d/%m/%Y"),
                    )
                )
        except ValueError:
            day = None
            problems.append(_("the completion date must be written dd/mm/yyyy"))
        try:
            hours = _hours(row.values.get("hours"))
        except ValueError:
            hours = None
            problems.append(_("hours must be a positive number"))
        slug = str(row.values.get("course") or "").strip()
        course = courses.get(slug) if slug else None
        if slug and course is None:
            problems.append(_("unknown course '%(slug)s'", slug=slug))
        if not slug:
            title = str(row.values.get("title") or "").strip()
            if not title:
                problems.append(_("a row without a course needs a title"))
            elif len(title) > TITLE_MAX:
                problems.append(_("the title is longer than %(n)d characters", n=TITLE_MAX))
            if hours is None:
                problems.append(_("a row without a course needs its hours"))
            if title and user is not None and day is not None:
                key = (user.id, same_training(title), day)
                if key in recorded:
                    problems.append(_("this training on this date is already recorded"))
                elif key in seen_external:
                    problems.append(
                        _("same training and date as line %(line)d", line=seen_external[key])
                    )
                seen_external.setdefault(key, row.line)
        if course is not None and user is not None and day is not None:
            key = (user.id, course.id, day.year)
            if key in existing:
                problems.append(_("already completed in %(year)d on the platform", year=day.year))
            elif key in seen:
                problems.append(_("same course and year as line %(line)d", line=seen[key]))
            seen.setdefault(key, row.line)
        if problems:
            report.errors.append((row.line, "; ".join(problems)))
            continue
        planned.append((row, user, course, hours or course.hours, day))

    if report.errors:
        return report
    for row, user, course, hours, day in planned:
        note = str(row.values.get("note") or "").strip()[:TEXT_MAX]
        if course is not None:
            moment = local_to_utc(day, dt.time(12, 0))  # a paper record has no time: noon
            progress = db.session.scalar(
                select(CourseProgress).where(
                    CourseProgress.user_id == user.id,
                    CourseProgress.course_id == course.id,
                    CourseProgress.year == day.year,
                )
            )
            if progress is None:
                progress = CourseProgress(
                    user_id=user.id,
                    course_id=course.id,
                    year=day.year,
                    lessons_completed=0,
                    started_at=moment,
                )
                db.session.add(progress)
            progress.completed_at = moment
            progress.last_activity_at = moment
            progress.hours = hours
            progress.source = "import"
            progress.recorded_by_id = viewer.id
            progress.note = note or None
            title = course.title
            db.session.flush()
            audit.record(
                viewer,
                "progress.import",
                progress,
                after={
                    "user_id": user.id,
                    "course": course.slug,
                    "year": day.year,
                    "completed_on": day,
                    "hours": hours,
                    "note": progress.note,
                },
                address=address,
                unit=user.unit_id,
                now=now,
            )
        else:
            title = str(row.values["title"]).strip()
            add_external_training(
                user,
                title=title,
                provider=str(row.values.get("provider") or "")[:TITLE_MAX],
                hours=hours,
                start_date=None,
                end_date=day,
                note=note,
                file=None,
                created_by=viewer,
                now=now,
                source="import",
                address=address,
            )
        report.records.append(
            ImportedRecord(
                line=row.line,
                username=user.username,
                full_name=user.full_name,
                kind="course" if course else "external",
                title=title,
                hours=hours,
                completed_on=day,
            )
        )
    db.session.flush()
    logger.info("records imported: %d by user %s", len(report.records), viewer.id)
    return report
