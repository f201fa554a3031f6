"""The year-end training record of one official, as an A4 PDF: the evidence HR files for the
annual rating (courses completed with dates and grades, hours, external training, the
training-compliance status and its reason, certificate codes).

:func:`render_record_pdf` is pure (no Flask, no database): the caller gathers a
:class:`TrainingRecord` whose labels are already in the document's language. Fonts are the
certificates' (DejaVu, embedded as subsets), so every Vietnamese letter prints and extracts.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from fpdf import FPDF
from fpdf.fonts import FontFace

from app.certificates.pdf import FONT_DIR

__all__ = ["RecordCourse", "RecordExternal", "TrainingRecord", "render_record_pdf"]

_SANS = "DejaVuSans"
_SERIF = "DejaVuSerif"
_INK = (28, 28, 28)
_GREY = (95, 95, 95)
_HEAD_FILL = (236, 236, 230)


@dataclass(frozen=True)
class RecordCourse:
    title: str
    completed_on: str  # formatted dd/mm/yyyy
    grade: str  # "85%" or ""
    hours: str
    certificate_code: str  # "" when none was issued
    paper: bool = False  # recorded from a paper record (import)


@dataclass(frozen=True)
class RecordExternal:
    title: str
    provider: str
    dates: str
    hours: str


@dataclass(frozen=True)
class TrainingRecord:
    """What the PDF says, every string in the document's language."""

    labels: dict[str, str]  # headings and column names, see render_record_pdf
    year: int
    full_name: str
    facts: list[tuple[str, str]]  # (label, value): username, unit, position, service
    status_label: str
    status_reason: str
    status_notes: list[str]  # deadline, standard, exemption, standard certificate code
    courses: list[RecordCourse]
    external: list[RecordExternal]
    totals: list[tuple[str, str]]  # (label, hours)
    notice: str
    issued_on: date
    footer: str
    extra: list[str] = field(default_factory=list)


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text or "")


class _Pdf(FPDF):
    def __init__(self, footer: str) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.add_font(_SERIF, "", str(FONT_DIR / "DejaVuSerif.ttf"))
        self.add_font(_SERIF, "B", str(FONT_DIR / "DejaVuSerif-Bold.ttf"))
        self.add_font(_SANS, "", str(FONT_DIR / "DejaVuSans.ttf"))
        self.set_margins(18, 16, 18)
        self.set_auto_page_break(True, margin=18)
        self._footer_text = footer

    def footer(self) -> None:
        self.set_y(-13)
        self.set_font(_SANS, "", 7.5)
        self.set_text_color(*_GREY)
        self.cell(0, 5, _nfc(f"{self._footer_text} · {self.page_no()}/{{nb}}"), align="C")


def _heading(pdf: _Pdf, text: str) -> None:
    pdf.ln(3)
    pdf.set_font(_SERIF, "B", 11.5)
    pdf.set_text_color(*_INK)
    pdf.multi_cell(0, 6.5, _nfc(text), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)


def _paragraph(pdf: _Pdf, text: str, size: float = 9.5, color=_INK) -> None:
    pdf.set_font(_SANS, "", size)
    pdf.set_text_color(*color)
    pdf.multi_cell(0, size * 0.5, _nfc(text), new_x="LMARGIN", new_y="NEXT")


def _table(pdf: _Pdf, header: list[str], rows: list[list[str]], widths: tuple, align: str) -> None:
    pdf.set_font(_SANS, "", 8.5)
    pdf.set_text_color(*_INK)
    with pdf.table(
        col_widths=widths,
        text_align=tuple("RIGHT" if a == "r" else "LEFT" for a in align),
        headings_style=FontFace(family=_SANS, emphasis="", size_pt=8.5, fill_color=_HEAD_FILL),
        line_height=4.6,
        padding=1.2,
        repeat_headings=1,
        first_row_as_headings=True,
    ) as table:
        table.row([_nfc(cell) for cell in header])
        for row in rows:
            table.row([_nfc(cell) for cell in row])


def render_record_pdf(record: TrainingRecord) -> bytes:
    """The record as PDF bytes; the same record gives the same bytes (dated ``issued_on``)."""
    labels = record.labels
    pdf = _Pdf(record.footer)
    pdf.set_title(_nfc(f"{labels['title']} — {record.full_name}"))
    pdf.set_creation_date(datetime.combine(record.issued_on, time(), tzinfo=UTC))
    pdf.alias_nb_pages()
    pdf.add_page()

    pdf.set_font(_SERIF, "B", 15)
    pdf.set_text_color(*_INK)
    pdf.multi_cell(0, 8, _nfc(labels["title"]), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(_SERIF, "", 12)
    pdf.multi_cell(0, 7, _nfc(record.full_name), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font(_SANS, "", 9.5)
    for label, value in record.facts:
        pdf.set_text_color(*_GREY)
        pdf.cell(42, 5.2, _nfc(label))
        pdf.set_text_color(*_INK)
        pdf.multi_cell(0, 5.2, _nfc(value), new_x="LMARGIN", new_y="NEXT")

    _heading(pdf, labels["status"])
    pdf.set_font(_SANS, "", 10)
    pdf.multi_cell(
        0,
        5.4,
        _nfc(f"{record.status_label}. {record.status_reason}"),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    for line in record.status_notes:
        _paragraph(pdf, line, 9, _GREY)

    _heading(pdf, labels["courses"])
    if record.courses:
        rows = [
            [
                course.title + (f" ({labels['paper']})" if course.paper else ""),
                course.completed_on,
                course.grade,
                course.hours,
                course.certificate_code or "—",
            ]
            for course in record.courses
        ]
        header = [
            labels["course"],
            labels["completed_on"],
            labels["grade"],
            labels["hours"],
            labels["certificate"],
        ]
        _table(pdf, header, rows, (70, 24, 18, 14, 48), "lllrl")
    else:
        _paragraph(pdf, labels["no_courses"])

    _heading(pdf, labels["external"])
    if record.external:
        rows = [[item.title, item.provider, item.dates, item.hours] for item in record.external]
        header = [labels["training"], labels["provider"], labels["dates"], labels["hours"]]
        _table(pdf, header, rows, (66, 46, 48, 14), "lllr")
    else:
        _paragraph(pdf, labels["no_external"])

    _heading(pdf, labels["totals"])
    pdf.set_font(_SANS, "", 9.5)
    for label, value in record.totals:
        pdf.set_text_color(*_GREY)
        pdf.cell(95, 5.2, _nfc(label))
        pdf.set_text_color(*_INK)
        pdf.multi_cell(0, 5.2, _nfc(value), new_x="LMARGIN", new_y="NEXT")
    for line in record.extra:
        _paragraph(pdf, line, 9)
    pdf.ln(4)
    _paragraph(pdf, record.notice, 8, _GREY)
    return bytes(pdf.output())
