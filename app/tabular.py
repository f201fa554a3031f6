"""Reading a table (a header row, then one record per row) from a CSV or XLSX upload.

Shared by the imports of past records (``app.compliance.imports``) and of rosters and units
(``app.people.roster``, ``app.people.units``). Limits are checked while reading: at most
``max_bytes`` are read from the stream and reading stops at the first row past ``max_rows``.
Text cells come out Unicode-normalised (NFC), trimmed and without control characters, so that
a name typed on one system and pasted from another is the same name.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import IO, Any
from xml.etree import ElementTree
from xml.etree.ElementTree import iterparse

from flask_babel import gettext as _

from app.text import drop_control_characters

BOMS_UTF16 = (b"\xff\xfe", b"\xfe\xff")
FORMULA_STARTS = ("=", "+", "@")


class TableError(Exception):
    """The file as a whole cannot be read; the message is translated and says what to do."""


@dataclass(slots=True)
class TableRow:
    line: int  # in the file: the header is line 1
    values: dict[str, Any]


def clean_text(value: Any) -> Any:
    """NFC, trimmed, without control characters; anything but text unchanged."""
    if not isinstance(value, str):
        return value
    return drop_control_characters(unicodedata.normalize("NFC", value)).strip()


def header_key(header: Any) -> str:
    """A header cell as compared with the known names: NFC, lower case, single spaces."""
    return " ".join(unicodedata.normalize("NFC", str(header or "")).strip().lower().split())


def looks_like_formula(value: Any) -> bool:
    """A spreadsheet formula (an XLSX formula cell reads as its text ``=…``)."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def read_limited(stream: IO[bytes] | bytes, max_bytes: int) -> bytes:
    """The stream's bytes, refused as soon as there are more than ``max_bytes``."""
    data = stream if isinstance(stream, bytes) else stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise TableError(_("The file is larger than %(n)d MB.", n=max_bytes // (1024 * 1024) or 1))
    return data


def read_table(
    filename: str,
    stream: IO[bytes] | bytes,
    *,
    columns: Mapping[str, tuple[str, ...]],
    required: tuple[str, ...],
    max_rows: int,
    max_bytes: int,
    unknown_columns: bool = True,
    formulas: bool = False,
) -> list[TableRow]:
    """The non-empty rows of the first sheet, keyed by column (matched by ``columns``' aliases,
    in any order). ``unknown_columns``: refuse a header naming a column not in ``columns``
    (else ignore it). ``formulas``: read an XLSX formula cell as its text (so that the caller can
    refuse it) instead of its last computed value."""
    data = read_limited(stream, max_bytes)
    lower = filename.lower()
    if lower.endswith(".xlsx"):
        lines = _xlsx_lines(data, formulas)
    elif lower.endswith(".csv"):
        lines = _csv_lines(data)
    else:
        raise TableError(_("Only CSV or XLSX files."))
    aliases = {alias: key for key, names in columns.items() for alias in (key, *names)}
    try:
        first = next(lines)
    except StopIteration:
        raise TableError(_("The file is empty.")) from None
    header = [header_key(h) for h in first[1]]
    while header and not header[-1]:
        header.pop()
    if not header:
        raise TableError(_("The file is empty."))
    keys = [aliases.get(h) for h in header]
    unknown = [h or "?" for h, k in zip(header, keys, strict=True) if k is None]
    if unknown and unknown_columns:
        raise TableError(_("Unknown columns: %(columns)s.", columns=", ".join(unknown)))
    doubled = sorted({k for k in keys if k and keys.count(k) > 1})
    if doubled:
        raise TableError(_("Columns given twice: %(columns)s.", columns=", ".join(doubled)))
    missing = [k for k in required if k not in keys]
    if missing:
        raise TableError(_("Missing columns: %(columns)s.", columns=", ".join(missing)))
    rows = []
    for line, values in lines:
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        if len(rows) >= max_rows:
            raise TableError(_("At most %(n)d rows per file.", n=max_rows))
        record = {k: clean_text(v) for k, v in zip(keys, values, strict=False) if k}
        rows.append(TableRow(line=line, values=record))
    return rows


# --- XLSX, streamed ---------------------------------------------------------------------------
# The first sheet is read with the standard library's streaming XML parser (expat, which
# limits entity expansion; no external entity is ever fetched): three times quicker than
# openpyxl's read-only mode, which builds an object per cell. Shared strings are read first,
# dates are told from their number format as openpyxl does.

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
DOC_RELS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
CELL, VALUE, FORMULA, INLINE, TEXT = (f"{MAIN}{t}" for t in ("c", "v", "f", "is", "t"))
ROW, SHARED, RUN, PHONETIC = (f"{MAIN}{t}" for t in ("row", "si", "r", "rPh"))
COLUMN = re.compile(r"[A-Z]{1,3}")
BUILTIN_DATE_FORMATS = {*range(14, 23), *range(27, 37), 45, 46, 47, *range(50, 59)}
FORMAT_LITERALS = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.|_.')
DATE_LETTERS = re.compile(r"[dmyhsDMYHS]")
MAX_COLUMNS = 200


def _rich_text(element) -> str:
    """The text of a shared string or inline string: its runs, without phonetic guides."""
    parts = []
    for child in element:
        if child.tag == TEXT:
            parts.append(child.text or "")
        elif child.tag == RUN:
            parts.extend(t.text or "" for t in child.iter(TEXT))
    return "".join(parts)


def _first_sheet(archive: zipfile.ZipFile) -> tuple[str, bool]:
    """Path of the first sheet in the workbook's order, and whether dates count from 1904."""
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    pr = workbook.find(f"{MAIN}workbookPr")
    date1904 = pr is not None and pr.get("date1904") in ("1", "true")
    first = workbook.find(f"{MAIN}sheets/{MAIN}sheet")
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target") for r in rels.iter(f"{RELS}Relationship")}
    target = targets[first.get(f"{DOC_RELS}id")]
    return (target[1:] if target.startswith("/") else f"xl/{target}"), date1904


def _date_styles(archive: zipfile.ZipFile) -> set[int]:
    """Indexes of the cell styles whose number format shows a date or a time."""
    if "xl/styles.xml" not in archive.namelist():
        return set()
    styles = ElementTree.fromstring(archive.read("xl/styles.xml"))
    custom = {
        int(f.get("numFmtId")): f.get("formatCode") or "" for f in styles.iter(f"{MAIN}numFmt")
    }
    dated = set()
    xfs = styles.find(f"{MAIN}cellXfs")
    for index, xf in enumerate(xfs if xfs is not None else ()):
        number_format = int(xf.get("numFmtId") or 0)
        code = custom.get(number_format)
        if number_format in BUILTIN_DATE_FORMATS or (
            code is not None and DATE_LETTERS.search(FORMAT_LITERALS.sub("", code))
        ):
            dated.add(index)
    return dated


def _xlsx_lines(data: bytes, formulas: bool) -> Iterator[tuple[int, list[Any]]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        sheet_path, date1904 = _first_sheet(archive)
        dated = _date_styles(archive)
        strings: list[str] = []
        if "xl/sharedStrings.xml" in archive.namelist():
            with archive.open("xl/sharedStrings.xml") as stream:
                for _event, element in iterparse(stream):
                    if element.tag == SHARED:
                        strings.append(_rich_text(element))
                        element.clear()
        sheet = archive.open(sheet_path)
    except Exception as exc:  # not a zip, not a workbook, a part missing or broken
        raise TableError(_("The XLSX file cannot be read.")) from exc
    epoch = dt.datetime(1904, 1, 1) if date1904 else dt.datetime(1899, 12, 30)

    def cell_value(element) -> Any:
        kind = element.get("t")
        if kind == "inlineStr":
            inline = element.find(INLINE)
            return (_rich_text(inline) if inline is not None else "") or None
        if formulas:
            formula = element.find(FORMULA)
            if formula is not None:
                return "=" + (formula.text or "")
        value = element.find(VALUE)
        text = value.text if value is not None else None
        if text is None:
            return None
        if kind == "s":
            return strings[int(text)]
        if kind in ("str", "e", "d"):
            return text
        if kind == "b":
            return text == "1"
        number = float(text)
        if int(element.get("s") or 0) in dated:
            return epoch + dt.timedelta(days=number)
        return int(number) if number.is_integer() else number

    def lines() -> Iterator[tuple[int, list[Any]]]:
        row: list[Any] = []
        number = 0
        try:
            for _event, element in iterparse(sheet):
                if element.tag == CELL:
                    reference = element.get("r")
                    if reference:
                        column = 0
                        for letter in COLUMN.match(reference).group():
                            column = column * 26 + ord(letter) - 64
                        if column > MAX_COLUMNS:
                            element.clear()
                            continue
                        row.extend([None] * (column - 1 - len(row)))
                    row.append(cell_value(element))
                    element.clear()
                elif element.tag == ROW:
                    label = element.get("r")
                    number = int(label) if label else number + 1
                    yield number, row
                    row = []
                    element.clear()
        except TableError:
            raise
        except Exception as exc:  # also while reading rows
            raise TableError(_("The XLSX file cannot be read.")) from exc
        finally:
            sheet.close()

    return lines()


def _csv_lines(data: bytes) -> Iterator[tuple[int, list[str]]]:
    head = data[:200]
    if data.startswith(BOMS_UTF16) or head.count(0) * 4 > len(head):  # UTF-16 without a BOM
        raise TableError(
            _(
                "The CSV file is saved as UTF-16. Save it as UTF-8: in Excel, File › Save As › "
                "“CSV UTF-8 (Comma delimited)”."
            )
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TableError(
            _(
                "The CSV file must be saved as UTF-8 (it looks like another encoding, such as "
                "Windows-1258). In Excel, File › Save As › “CSV UTF-8 (Comma delimited)”."
            )
        ) from exc
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)

    def lines() -> Iterator[tuple[int, list[str]]]:
        start = 1
        try:
            for values in reader:
                yield start, values
                start = reader.line_num + 1
        except csv.Error as exc:
            raise TableError(
                _("The CSV file cannot be read near line %(line)d.", line=start)
            ) from exc

    return lines()


DAY_MONTH_YEAR = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
DATE_PATTERNS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y")


def parse_date(value: Any) -> dt.date:
    """A date cell of XLSX, or text written dd/mm/yyyy (also with - or .) or ISO yyyy-mm-dd;
    ``ValueError`` otherwise."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip()
    quick = DAY_MONTH_YEAR.fullmatch(text)
    if quick:  # the common case, without strptime's cost
        day, month, year = (int(part) for part in quick.groups())
        return dt.date(year, month, day)
    for pattern in DATE_PATTERNS:
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(text)
