"""The dashboard's tables as CSV (UTF-8 with BOM, for Excel) and XLSX, and as JSON lines.

Columns are documented in the README. Cells that a spreadsheet would read as a formula
(starting with = + - @ or a control character) are prefixed with an apostrophe.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_DOWN, Decimal
from typing import Any

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from app.compliance.rules import STATUS_ORDER, Result
from app.compliance.services import OfficialStatus, UnitSummary
from app.compliance.text import reason, status_label
from app.models import Standard

FORMATS = ("csv", "xlsx", "json")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
# Spreadsheets skip leading blanks and control characters before reading a formula.
FORMULA_AFTER_BLANKS = re.compile(r"[\s\x00-\x1f\x7f]+[=+\-@]")


@dataclass
class Table:
    keys: list[str]  # stable machine names (JSON keys)
    header: list[str]  # translated column titles
    rows: Iterable[list[Any]]


def safe_cell(value: Any) -> Any:
    """Neutralise spreadsheet formulas in text; numbers and dates stay as they are."""
    if isinstance(value, str) and value and _risky(value):
        return "'" + value
    return value


def _risky(text: str) -> bool:
    first = text[0]
    if first in FORMULA_START:
        return True
    # only text starting with a blank or a control character can hide a formula behind it
    return (first.isspace() or first < " " or first == "\x7f") and bool(
        FORMULA_AFTER_BLANKS.match(text)
    )


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def officials_table(rows: Iterable[OfficialStatus], standard: Standard) -> Table:
    keys = [
        "unit_code",
        "unit_name",
        "username",
        "full_name",
        "position",
        "status",
        "status_label",
        "reason",
        "required_done",
        "required_total",
        "missing_courses",
        "hours",
        "hours_required",
        "deadline",
        "last_activity",
    ]
    header = [
        _("Unit code"),
        _("Unit"),
        _("Username"),
        _("Full name"),
        _("Position"),
        _("Status code"),
        _("Status"),
        _("Reason"),
        _("Required courses completed"),
        _("Required courses"),
        _("Missing courses"),
        _("Hours counted"),
        _("Hours required"),
        _("Deadline"),
        _("Last activity"),
    ]

    labels = {status: status_label(status) for status in STATUS_ORDER}
    reasons: dict[Result, str] = {}  # many officials share a reason: word it once

    def generate() -> Iterator[list[Any]]:
        for row in rows:
            result = row.result
            if result not in reasons:
                reasons[result] = reason(result, standard)
            yield [
                row.unit_code,
                row.unit_name,
                row.username,
                row.full_name,
                row.position_name or "",
                str(result.status),
                labels[result.status],
                reasons[result],
                result.required_done,
                result.required_total,
                "; ".join(result.missing),
                _number(result.hours),
                _number(result.hours_required),
                result.deadline,
                row.last_activity.date() if row.last_activity else None,
            ]

    return Table(keys, header, generate())


def units_table(summaries: list[UnitSummary], total: UnitSummary) -> Table:
    keys = [
        "unit_code",
        "unit_name",
        "officials",
        *[str(s) for s in STATUS_ORDER],
        "compliant_share",
    ]
    header = [_("Unit code"), _("Unit"), _("Officials"), *[status_label(s) for s in STATUS_ORDER]]
    header.append(_("Share meeting the standard (%)"))

    def line(summary: UnitSummary, code: str, name: str) -> list[Any]:
        share = summary.compliant_share
        return [
            code,
            name,
            sum(summary.counts.values()),
            *[summary.counts[s] for s in STATUS_ORDER],
            _number(None if share is None else (100 * share).quantize(Decimal("0.1"), ROUND_DOWN)),
        ]

    def generate() -> Iterator[list[Any]]:
        for summary in summaries:
            yield line(summary, summary.unit.code, summary.unit.name)
        yield line(total, "", _("Total"))

    return Table(keys, header, generate())


def _text(value: Any) -> str:
    if type(value) is str:
        return value
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, date | datetime):
        return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"
    return str(value)


def _csv_cell(value: Any) -> str:
    if type(value) is str:  # most cells: text, checked for a formula
        return "'" + value if value and _risky(value) else value
    return safe_cell(_text(value))


CSV_CHUNK = 64 * 1024  # characters per piece sent: a write per row would cost more than the row


def csv_chunks(table: Table) -> Iterator[bytes]:
    """UTF-8 with BOM so Excel shows Vietnamese; streamed in pieces of about 64 KB."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(table.header)
    yield ("\ufeff" + buffer.getvalue()).encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    for row in table.rows:
        writer.writerow([_csv_cell(v) for v in row])
        if buffer.tell() >= CSV_CHUNK:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode("utf-8")


def xlsx_bytes(table: Table, *, sheet: str) -> bytes:
    """An XLSX workbook written in openpyxl's write-only mode (rows are not kept in memory)."""
    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(title=sheet[:31])
    worksheet.append(table.header)
    for row in table.rows:
        cells = []
        for value in row:
            if hasattr(value, "strftime"):
                cell = WriteOnlyCell(worksheet, value=value)
                cell.number_format = "DD/MM/YYYY"
                cells.append(cell)
            elif isinstance(value, str):  # control characters pasted from Word break XLSX
                cells.append(safe_cell(ILLEGAL_CHARACTERS_RE.sub("", value)))
            else:
                cells.append(value)
        worksheet.append(cells)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def json_lines(table: Table) -> Iterator[str]:
    """``{"rows": [...]}`` with the machine keys, streamed."""
    yield '{"rows": [\n'
    first = True
    for row in table.rows:
        item = {
            key: (value.isoformat() if hasattr(value, "isoformat") else value)
            for key, value in zip(table.keys, row, strict=True)
        }
        yield ("" if first else ",\n") + json.dumps(item, ensure_ascii=False)
        first = False
    yield "\n]}\n"
