"""Certificates (giấy chứng nhận) as one-page A4 landscape PDFs.

Pure module: no Flask, no database. The caller gathers a :class:`CertificateData` and gets the
PDF bytes from :func:`render_certificate_pdf`.

* Text is set in DejaVu Serif / DejaVu Sans (``app/static/fonts``, see ``LICENSE-DejaVu.txt``),
  embedded as subsets, so every Vietnamese letter prints and extracts (copy/paste, search)
  exactly. Input strings are NFC-normalised first (precomposed letters).
* Long names, titles and detail lines wrap, then shrink, then (as a last resort) are cut with
  "…", so the certificate is always exactly one page and nothing leaves the frame.
* The QR code (segno, error correction M, see :func:`verification_qr`) is drawn as vector
  rectangles, one per horizontal run of dark modules; it encodes ``verify_url``.
* The output is deterministic for the same data: the PDF creation date (and so the file id)
  comes from ``issued_on``.

Verification codes are in :mod:`app.certificates.codes`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

import segno
from fpdf import FPDF
from fpdf.enums import MethodReturnValue

__all__ = [
    "CertificateData",
    "certificate_heading",
    "render_certificate_pdf",
    "verification_qr",
]

FONT_DIR = Path(__file__).resolve().parent.parent / "static" / "fonts"

# --------------------------------------------------------------------------------------------
# Certificate data
# --------------------------------------------------------------------------------------------

KINDS = ("course", "standard")


@dataclass(frozen=True)
class CertificateData:
    kind: str  # "course" (completed a course) or "standard" (met the year's training standard)
    code: str  # verification code, printed on the certificate
    full_name: str
    unit_name: str
    position_name: str | None
    title: str  # course title, or e.g. "Đạt chuẩn bồi dưỡng năm 2026"
    details: list[str]  # "Chuyên đề: …", "Số giờ được tính: 4", "Căn cứ: Kế hoạch số …"
    completed_on: date  # printed dd/mm/yyyy
    issued_on: date
    issuer: str  # e.g. "Tỉnh Phú Thọ — Hệ thống bồi dưỡng cán bộ, công chức"
    verify_url: str  # absolute URL of the public verification page (QR code + printed small)
    # Place name of the date line ("Phú Thọ, ngày … tháng … năm …"). Empty: the province
    # named in the issuer ("Tỉnh Phú Thọ — …" -> "Phú Thọ"), if any.
    place: str = ""


def certificate_heading(data: CertificateData) -> str:
    """The certificate's full heading, e.g. "GIẤY CHỨNG NHẬN HOÀN THÀNH KHÓA BỒI DƯỠNG"."""
    return f"GIẤY CHỨNG NHẬN {_subheading(data)}"


def _subheading(data: CertificateData) -> str:
    if data.kind == "course":
        return "HOÀN THÀNH KHÓA BỒI DƯỠNG"
    if data.kind == "standard":
        return f"ĐẠT CHUẨN BỒI DƯỠNG NĂM {data.completed_on.year}"
    raise ValueError(f"unknown certificate kind: {data.kind!r} (expected one of {KINDS})")


def verification_qr(url: str) -> segno.QRCode:
    """The QR code printed on certificates: a regular (not micro) QR code, error level M."""
    return segno.make_qr(url, error="m")


def _nfc(text: str | None) -> str:
    return unicodedata.normalize("NFC", " ".join((text or "").split()))


def _normalized(data: CertificateData) -> CertificateData:
    return replace(
        data,
        code=_nfc(data.code),
        full_name=_nfc(data.full_name),
        unit_name=_nfc(data.unit_name),
        position_name=_nfc(data.position_name) or None,
        title=_nfc(data.title),
        details=[line for line in (_nfc(d) for d in data.details) if line],
        issuer=_nfc(data.issuer),
        verify_url=data.verify_url.strip(),
        place=_nfc(data.place),
    )


_ISSUER_PARTS = re.compile(r"\s+[—–]\s+")  # em or en dash; not "-" ("2026 - 2030")
_PROVINCE = re.compile(r"(?:^|\s)(?:tỉnh|thành phố|tp\.)\s*([^,;()—–]+)", re.IGNORECASE)


def _place(data: CertificateData) -> str:
    """The given place, else the province named in the issuer ("Tỉnh Phú Thọ — …",
    "Ủy ban nhân dân tỉnh Phú Thọ — …" -> "Phú Thọ"), else "" (no place on the date line)."""
    if data.place:
        return data.place
    match = _PROVINCE.search(data.issuer)
    return match.group(1).strip() if match else ""


def _date_line(data: CertificateData) -> str:
    """ "Phú Thọ, ngày 05 tháng 3 năm 2026": as in administrative documents (Nghị định
    30/2020/NĐ-CP), days below 10 and the months 1 and 2 get a leading zero."""
    d = data.issued_on
    month = f"{d.month:02d}" if d.month <= 2 else str(d.month)
    text = f"ngày {d.day:02d} tháng {month} năm {d.year}"
    place = _place(data)
    return f"{place}, {text}" if place else text[0].upper() + text[1:]


# --------------------------------------------------------------------------------------------
# Layout
# --------------------------------------------------------------------------------------------

PAGE_W, PAGE_H = 297.0, 210.0  # A4 landscape, mm
_MM_PER_PT = 25.4 / 72
_LEADING = 1.28

_INK = (28, 28, 28)
_RED = (150, 24, 24)
_GOLD = (182, 140, 52)
_GREY = (95, 95, 95)

_SERIF, _SANS = "DejaVuSerif", "DejaVuSans"

# Regions (mm)
_CONTENT_L, _CONTENT_R = 24.0, PAGE_W - 24.0
_BODY_TOP, _BODY_BOTTOM = 57.0, 139.0
_QR_COL_W = 92.0
_QR_COL_L = _CONTENT_R - _QR_COL_W
_QR_SIZE = 29.0

_ELLIPSIS = "…"
_MAX_DETAILS = 20  # more detail lines than this could not fit anyway


def _line_height(size: float) -> float:
    return size * _MM_PER_PT * _LEADING


def _baseline(top: float, size: float) -> float:
    """Baseline of a line of ``size`` pt starting at ``top`` (mm): the em box is centred in the
    line, and DejaVu's ascender is ~0.76 em (0.78 leaves room for stacked Vietnamese accents)."""
    em = size * _MM_PER_PT
    return top + (_line_height(size) - em) / 2 + 0.78 * em


class _Pdf(FPDF):
    """FPDF with the certificate fonts and a few text helpers (baseline positioning)."""

    def __init__(self) -> None:
        super().__init__(orientation="L", unit="mm", format="A4")
        self.add_font(_SERIF, "", str(FONT_DIR / "DejaVuSerif.ttf"))
        self.add_font(_SERIF, "B", str(FONT_DIR / "DejaVuSerif-Bold.ttf"))
        self.add_font(_SANS, "", str(FONT_DIR / "DejaVuSans.ttf"))
        self.set_auto_page_break(False)
        self.set_margins(0, 0, 0)

    def width_of(self, text: str, family: str, style: str, size: float) -> float:
        """Width of ``text`` in mm at ``size`` pt."""
        self.set_font(family, style, size)
        return self.get_string_width(text)

    def wrap(self, text: str, family: str, style: str, size: float, width: float) -> list[str]:
        """Lines of ``text`` within ``width`` mm, split by fpdf2 itself (words wider than a
        line are broken between characters)."""
        self.set_font(family, style, size)
        lines = self.multi_cell(
            width, text=text, padding=0, dry_run=True, output=MethodReturnValue.LINES
        )
        return [line.rstrip() for line in lines] or [""]

    def _fitting_prefix(
        self, text: str, family: str, style: str, size: float, width: float, suffix: str = ""
    ) -> int:
        """Length of the longest prefix of ``text`` that, with ``suffix``, fits ``width``
        (at least one character, so that wrapping always progresses)."""
        room = width - self.width_of(suffix, family, style, size)
        used = 0.0
        for i, ch in enumerate(text):
            used += self.width_of(ch, family, style, size)
            if used > room:
                return max(i, 1)
        return len(text)

    def ellipsize(self, text: str, family: str, style: str, size: float, width: float) -> str:
        """``text`` cut (at a word boundary when possible) and ended with "…" to fit."""
        if self.width_of(text, family, style, size) <= width:
            return text
        cut = self._fitting_prefix(text, family, style, size, width, _ELLIPSIS)
        head = text[:cut]
        if " " in head and cut < len(text) and text[cut] != " ":
            head = head.rsplit(" ", 1)[0]
        return head.rstrip(" ,;:") + _ELLIPSIS

    def text_at(
        self,
        text: str,
        baseline: float,
        family: str,
        style: str,
        size: float,
        *,
        left: float,
        right: float,
        align: str = "C",
        color: tuple[int, int, int] = _INK,
    ) -> float:
        """Draw one line between ``left`` and ``right``; returns its width."""
        self.set_font(family, style, size)
        self.set_text_color(*color)
        w = self.get_string_width(text)
        x = {"L": left, "R": right - w}.get(align, (left + right - w) / 2)
        self.text(x, baseline, text)
        return w


@dataclass
class _Block:
    """A paragraph of the body: centred lines in one font, fitted at layout time."""

    text: str
    style: str = ""
    size: float = 13.0
    max_lines: int = 1
    min_scale: float = 0.7  # the block may shrink to this fraction before lines are cut
    space_before: float = 0.0  # mm
    color: tuple[int, int, int] = _INK
    prefix: str = ""  # regular-weight lead-in on the same line, e.g. "Chứng nhận ông/bà: "
    prefix_size: float = 13.0

    def fit(self, pdf: _Pdf, width: float, scale: float) -> _Fitted:
        size = self.size * scale
        prefix_size = self.prefix_size * scale
        if self.prefix:
            # Lead-in and text on one line if possible (shrinking the text a little)...
            prefix_w = pdf.width_of(self.prefix, _SERIF, "", prefix_size)
            for step in (1.0, 0.92, 0.85):
                if prefix_w + pdf.width_of(self.text, _SERIF, self.style, size * step) <= width:
                    return _Fitted(self, [self.text], size * step, prefix_size, inline=True)
            # ... else the lead-in on its own line, above the text.
        for step in _steps(self.min_scale):
            lines = pdf.wrap(self.text, _SERIF, self.style, size * step, width)
            if len(lines) <= self.max_lines:
                return _Fitted(self, lines, size * step, prefix_size)
        size *= self.min_scale
        lines = pdf.wrap(self.text, _SERIF, self.style, size, width)
        kept = lines[: self.max_lines - 1]
        rest = " ".join(lines[self.max_lines - 1 :])
        kept.append(pdf.ellipsize(rest, _SERIF, self.style, size, width))
        return _Fitted(self, kept, size, prefix_size)


def _steps(minimum: float) -> list[float]:
    steps, s = [], 1.0
    while s > minimum + 1e-9:
        steps.append(s)
        s -= 0.05
    return [*steps, minimum]


@dataclass
class _Fitted:
    block: _Block
    lines: list[str]
    size: float
    prefix_size: float
    inline: bool = False

    def height(self, scale: float) -> float:
        if self.inline:
            rows = _line_height(max(self.size, self.prefix_size))
        else:
            rows = len(self.lines) * _line_height(self.size)
            if self.block.prefix:
                rows += _line_height(self.prefix_size)
        return self.block.space_before * scale + rows

    def draw(self, pdf: _Pdf, top: float, left: float, right: float, scale: float) -> float:
        """Draw from ``top``; returns the y below the block."""
        b = self.block
        y = top + b.space_before * scale
        if self.inline:
            big = max(self.size, self.prefix_size)
            baseline = _baseline(y, big)
            pw = pdf.width_of(b.prefix, _SERIF, "", self.prefix_size)
            tw = pdf.width_of(self.lines[0], _SERIF, b.style, self.size)
            x0 = (left + right - pw - tw) / 2
            pdf.text_at(
                b.prefix, baseline, _SERIF, "", self.prefix_size, left=x0, right=right, align="L"
            )
            pdf.text_at(
                self.lines[0],
                baseline,
                _SERIF,
                b.style,
                self.size,
                left=x0 + pw,
                right=right,
                align="L",
                color=b.color,
            )
            return y + _line_height(big)
        if b.prefix:
            pdf.text_at(
                b.prefix.strip(),
                _baseline(y, self.prefix_size),
                _SERIF,
                "",
                self.prefix_size,
                left=left,
                right=right,
            )
            y += _line_height(self.prefix_size)
        for line in self.lines:
            pdf.text_at(
                line,
                _baseline(y, self.size),
                _SERIF,
                b.style,
                self.size,
                left=left,
                right=right,
                color=b.color,
            )
            y += _line_height(self.size)
        return y


def _body_blocks(data: CertificateData, details: list[str], truncated: bool) -> list[_Block]:
    blocks = [
        _Block(
            data.full_name,
            style="B",
            size=22,
            max_lines=2,
            min_scale=0.6,
            color=_RED,
            prefix="Chứng nhận ông/bà: ",
            prefix_size=14,
        ),
    ]
    if data.position_name:
        blocks.append(
            _Block(f"Chức vụ: {data.position_name}", size=13, max_lines=2, space_before=2.5)
        )
    blocks.append(
        _Block(
            f"Đơn vị công tác: {data.unit_name}",
            size=13,
            max_lines=2,
            space_before=0.5 if data.position_name else 2.5,
        )
    )
    if data.kind == "course":
        blocks.append(_Block("Đã hoàn thành khóa bồi dưỡng", size=13, space_before=3.5))
        blocks.append(_Block(data.title, style="B", size=17, max_lines=3, min_scale=0.65))
    else:
        blocks.append(
            _Block(data.title, style="B", size=17, max_lines=3, min_scale=0.65, space_before=3.5)
        )
    for i, line in enumerate(details):
        blocks.append(
            _Block(line, size=12, max_lines=2, min_scale=0.8, space_before=2.0 if i == 0 else 0)
        )
    if truncated:
        blocks.append(_Block(_ELLIPSIS, size=12))
    blocks.append(
        _Block(f"Hoàn thành ngày {data.completed_on:%d/%m/%Y}", size=13, space_before=3.0)
    )
    return blocks


def _layout_body(pdf: _Pdf, data: CertificateData) -> tuple[list[_Fitted], float]:
    """Fit the body between _BODY_TOP and _BODY_BOTTOM: shrink everything together down to
    80 %, then drop detail lines from the end (a "…" line says so), then shrink to 60 %."""
    width = _CONTENT_R - _CONTENT_L - 6
    budget = _BODY_BOTTOM - _BODY_TOP

    def attempt(details: list[str], truncated: bool, scales: list[float]):
        blocks = _body_blocks(data, details, truncated)
        for scale in scales:
            fitted = [b.fit(pdf, width, scale) for b in blocks]
            if sum(f.height(scale) for f in fitted) <= budget:
                return fitted, scale, True
        return fitted, scale, False

    details = data.details[:_MAX_DETAILS]
    truncated = len(details) < len(data.details)
    fitted, scale, ok = attempt(details, truncated, _steps(0.8))
    while not ok and details:
        details = details[:-1]
        truncated = True
        fitted, scale, ok = attempt(details, truncated, [0.8])
    if not ok:  # only a name, unit and title of hundreds of characters get here
        fitted, scale, ok = attempt(details, truncated, [s for s in _steps(0.6) if s < 0.8])
    return fitted, scale


def _draw_frame(pdf: _Pdf) -> None:
    pdf.set_draw_color(*_RED)
    pdf.set_line_width(1.4)
    pdf.rect(8, 8, PAGE_W - 16, PAGE_H - 16)
    pdf.set_draw_color(*_GOLD)
    pdf.set_line_width(0.45)
    pdf.rect(11.5, 11.5, PAGE_W - 23, PAGE_H - 23)
    # Small corner squares, a classic certificate ornament.
    pdf.set_fill_color(*_GOLD)
    for x, y in (
        (9.9, 9.9),
        (PAGE_W - 13.1, 9.9),
        (9.9, PAGE_H - 13.1),
        (PAGE_W - 13.1, PAGE_H - 13.1),
    ):
        pdf.rect(x, y, 3.2, 3.2, style="DF")


def _draw_header(pdf: _Pdf, data: CertificateData) -> None:
    # Left: the issuer, upper case, as an agency header (cơ quan chủ quản / cơ quan ban hành).
    left, right = _CONTENT_L, _CONTENT_L + 112
    parts = [p for p in _ISSUER_PARTS.split(data.issuer.upper()) if p] or [""]
    rows: list[tuple[str, str, int]] = [(parts[-1], "B", 3)]  # (text, style, max lines)
    if len(parts) > 1:
        rows = [(" — ".join(parts[:-1]), "", 1), (parts[-1], "B", 2)]
    baseline = 22.0
    for text, style, max_lines in rows:
        for line, size in _fit_lines(pdf, text, style, 11.5, right - left, max_lines=max_lines):
            pdf.text_at(line, baseline, _SERIF, style, size, left=left, right=right)
            baseline += _line_height(11.5)  # shrinking is for the width only
    _short_rule(pdf, left, right, baseline - _line_height(11.5) + 2.6)
    # Right: the national motto.
    left, right = _CONTENT_R - 132, _CONTENT_R
    pdf.text_at(
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 22.0, _SERIF, "B", 12.5, left=left, right=right
    )
    w = pdf.text_at(
        "Độc lập - Tự do - Hạnh phúc",
        22.0 + _line_height(13),
        _SERIF,
        "B",
        13,
        left=left,
        right=right,
    )
    pdf.set_draw_color(*_INK)
    pdf.set_line_width(0.3)
    y = 22.0 + _line_height(13) + 1.6
    pdf.line((left + right - w) / 2, y, (left + right + w) / 2, y)


def _short_rule(pdf: _Pdf, left: float, right: float, y: float) -> None:
    pdf.set_draw_color(*_INK)
    pdf.set_line_width(0.3)
    mid = (left + right) / 2
    pdf.line(mid - 18, y, mid + 18, y)


def _fit_lines(
    pdf: _Pdf,
    text: str,
    style: str,
    size: float,
    width: float,
    *,
    max_lines: int,
    family: str = _SERIF,
    min_scale: float = 0.7,
) -> list[tuple[str, float]]:
    """Wrap ``text`` into at most ``max_lines`` lines of ``width``, shrinking down to
    ``min_scale`` and then cutting the last line with "…"."""
    for step in _steps(min_scale):
        lines = pdf.wrap(text, family, style, size * step, width)
        if len(lines) <= max_lines:
            return [(line, size * step) for line in lines]
    size *= min_scale
    kept = lines[: max_lines - 1]
    kept.append(pdf.ellipsize(" ".join(lines[max_lines - 1 :]), family, style, size, width))
    return [(line, size) for line in kept]


def _draw_title(pdf: _Pdf, data: CertificateData) -> None:
    left, right = _CONTENT_L, _CONTENT_R
    pdf.text_at("GIẤY CHỨNG NHẬN", 45.0, _SERIF, "B", 28, left=left, right=right, color=_RED)
    pdf.text_at(_subheading(data), 53.0, _SERIF, "B", 15, left=left, right=right, color=_RED)


def _draw_body(pdf: _Pdf, data: CertificateData) -> None:
    fitted, scale = _layout_body(pdf, data)
    total = sum(f.height(scale) for f in fitted)
    y = _BODY_TOP + (_BODY_BOTTOM - _BODY_TOP - total) / 2
    for f in fitted:
        y = f.draw(pdf, y, _CONTENT_L + 3, _CONTENT_R - 3, scale)


def _draw_qr(pdf: _Pdf, qr: segno.QRCode, x: float, y: float, size: float) -> None:
    """The QR code as filled rectangles (one per run of dark modules in a row), no quiet zone:
    the caller keeps four modules of white around it."""
    matrix = qr.matrix
    module = size / len(matrix)
    pdf.set_fill_color(0, 0, 0)
    for r, row in enumerate(matrix):
        c = 0
        while c < len(row):
            if not row[c]:
                c += 1
                continue
            start = c
            while c < len(row) and row[c]:
                c += 1
            pdf.rect(x + start * module, y + r * module, (c - start) * module, module, style="F")


def _draw_footer(pdf: _Pdf, data: CertificateData) -> None:
    left, right = _QR_COL_L, _CONTENT_R
    # Place and date, over the QR code where a signature would be.
    (line, size), *_ = _fit_lines(pdf, _date_line(data), "", 12.5, right - left, max_lines=1)
    baseline = _BODY_BOTTOM + 5.0
    pdf.text_at(line, baseline, _SERIF, "", size, left=left, right=right)
    qr = verification_qr(data.verify_url)
    quiet_zone = 4 * _QR_SIZE / len(qr.matrix)  # four modules of white around the symbol
    qr_top = baseline + 0.25 * size * _MM_PER_PT + quiet_zone  # below the descenders
    _draw_qr(pdf, qr, (left + right - _QR_SIZE) / 2, qr_top, _QR_SIZE)
    y = qr_top + _QR_SIZE + quiet_zone + 0.92 * 10.5 * _MM_PER_PT  # accents below the zone
    pdf.text_at(f"Mã xác thực: {data.code}", y, _SANS, "", 10.5, left=left, right=right)
    y += 1.0
    for line, size in _fit_lines(
        pdf, data.verify_url, "", 7.5, right - left, max_lines=2, family=_SANS, min_scale=0.8
    ):
        y += _line_height(size)
        pdf.text_at(line, y, _SANS, "", size, left=left, right=right, color=_GREY)
    for line, size in _fit_lines(
        pdf,
        "Kiểm tra tính xác thực tại địa chỉ trên hoặc quét mã QR.",
        "",
        8,
        right - left,
        max_lines=2,
    ):
        y += _line_height(size)
        pdf.text_at(line, y, _SERIF, "", size, left=left, right=right, color=_GREY)
    # Bottom left: what this certificate is not.
    note = (
        "Giấy chứng nhận này xác nhận kết quả bồi dưỡng trên hệ thống; không phải kết quả "
        "đánh giá, xếp loại chất lượng công chức."
    )
    note_left, note_right = _CONTENT_L + 2, _QR_COL_L - 10
    lines = _fit_lines(pdf, note, "", 8.5, note_right - note_left, max_lines=2)
    y = PAGE_H - 20.5 - _line_height(8.5) * (len(lines) - 1)
    for line, size in lines:
        pdf.text_at(
            line, y, _SERIF, "", size, left=note_left, right=note_right, align="L", color=_GREY
        )
        y += _line_height(size)


def render_certificate_pdf(data: CertificateData) -> bytes:
    """The certificate as a one-page A4 landscape PDF (fonts embedded, deterministic)."""
    data = _normalized(data)
    heading = certificate_heading(data)  # validates ``kind``
    pdf = _Pdf()
    issued = datetime.combine(data.issued_on, time(0, 0), tzinfo=timezone(timedelta(hours=7)))
    pdf.set_creation_date(issued)
    pdf.set_lang("vi-VN")
    pdf.set_title(f"{heading} — {data.full_name}")
    pdf.set_subject(data.title)
    pdf.set_author(data.issuer)
    pdf.set_keywords([data.code])
    pdf.set_creator("Hệ thống bồi dưỡng cán bộ, công chức")
    pdf.add_page()
    _draw_frame(pdf)
    _draw_header(pdf, data)
    _draw_title(pdf, data)
    _draw_body(pdf, data)
    _draw_footer(pdf, data)
    return bytes(pdf.output())
