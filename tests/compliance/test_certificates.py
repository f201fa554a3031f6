"""PDF certificates and verification codes (pure module: no app, no database)."""

from __future__ import annotations

import io
import math
import re
import subprocess
import sys
from dataclasses import replace
from datetime import date
from functools import cache
from pathlib import Path

import pytest
import segno
from fontTools.ttLib import TTFont
from pypdf import PdfReader
from pypdf.generic import ContentStream

from app.certificates import codes, pdf
from app.certificates.codes import CODE_ALPHABET, new_verification_code, normalize_code
from app.certificates.pdf import CertificateData, certificate_heading, render_certificate_pdf

MODULE_PATH = Path(pdf.__file__)
FONT_DIR = MODULE_PATH.parent.parent / "static" / "fonts"
PT = 72 / 25.4  # points per mm
CODE = "7K3M-QX9D-2WPE-H4TB"
URL = f"https://boiduong.phutho.gov.vn/verify/{CODE}"


def make_data(**changes) -> CertificateData:
    data = CertificateData(
        kind="course",
        code=CODE,
        full_name="Nguyễn Thị Hồng Nhung",
        unit_name="UBND xã Hy Cương",
        position_name="Công chức Văn phòng - Thống kê",
        title="Cải cách hành chính và kiểm soát thủ tục hành chính",
        details=[
            "Chuyên đề: Cải cách hành chính",
            "Số giờ được tính: 4",
            "Căn cứ: Kế hoạch số 125/KH-UBND ngày 15/01/2026 của UBND tỉnh Phú Thọ",
        ],
        completed_on=date(2026, 3, 5),
        issued_on=date(2026, 3, 6),
        issuer="Tỉnh Phú Thọ — Hệ thống bồi dưỡng cán bộ, công chức",
        verify_url=URL,
    )
    return replace(data, **changes)


def flat(text: str) -> str:
    """Extracted text with runs of whitespace (line breaks of wrapped lines) as one space."""
    return " ".join(text.split())


@cache
def rendered(**changes) -> tuple[bytes, PdfReader]:
    """Render once per set of changes (hashable values: give ``details`` as a tuple)."""
    pdf = render_certificate_pdf(make_data(**changes))
    return pdf, PdfReader(io.BytesIO(pdf))


# --- what is drawn, read back from the PDF ----------------------------------------------------


@cache
def _font(base_font: str) -> TTFont:
    name = base_font.split("+", 1)[-1].lstrip("/")
    file = {
        "DejaVuSerifBook": "DejaVuSerif.ttf",
        "DejaVuSerifBold": "DejaVuSerif-Bold.ttf",
        "DejaVuSansBook": "DejaVuSans.ttf",
    }[name]
    return TTFont(FONT_DIR / file)


def text_boxes(reader: PdfReader) -> list[tuple[str, float, float, float, float]]:
    """(text, left, top, right, bottom) in mm from the page's top left, for every text run; the
    width is computed independently from the font files' advance widths."""
    page_h = float(reader.pages[0].mediabox.height)
    boxes = []

    def visit(text, cm, tm, font_dict, font_size):
        if not text.strip():
            return
        font = _font(str(font_dict["/BaseFont"]))
        cmap, hmtx, em = font.getBestCmap(), font["hmtx"], font["head"].unitsPerEm
        width = sum(hmtx[cmap[ord(ch)]][0] for ch in text) / em * font_size
        x, baseline = tm[4], page_h - tm[5]
        boxes.append(
            (
                text,
                x / PT,
                (baseline - 0.9 * font_size) / PT,  # stacked Vietnamese accents reach ~0.9 em
                (x + width) / PT,
                (baseline + 0.22 * font_size) / PT,
            )
        )

    reader.pages[0].extract_text(visitor_text=visit)
    return boxes


def filled_rects(reader: PdfReader) -> list[tuple[float, float, float, float]]:
    """Rectangles painted with a plain fill (``re`` then ``f``), i.e. the QR modules, in pt
    with y downwards: (x, y, w, h)."""
    page = reader.pages[0]
    page_h = float(page.mediabox.height)
    ops = ContentStream(page.get_contents(), reader).operations
    rects = []
    for (operands, op), (_, next_op) in zip(ops, ops[1:], strict=False):
        if op == b"re" and next_op == b"f":
            x, y, w, h = (float(v) for v in operands)
            if h < 0:
                y, h = y + h, -h
            rects.append((x, page_h - y - h, w, h))
    return rects


def drawn_qr_matrix(reader: PdfReader) -> list[list[int]]:
    rects = filled_rects(reader)
    assert rects, "no QR code drawn"
    module = min(h for _, _, _, h in rects)
    x0 = min(x for x, _, _, _ in rects)
    y0 = min(y for _, y, _, _ in rects)
    size = round((max(x + w for x, _, w, _ in rects) - x0) / module)
    grid = [[0] * size for _ in range(size)]
    for x, y, w, h in rects:
        assert math.isclose(h, module, abs_tol=0.02)
        row, col, span = round((y - y0) / module), round((x - x0) / module), round(w / module)
        for c in range(col, col + span):
            grid[row][c] = 1
    return grid


# --- the PDF --------------------------------------------------------------------------------


def test_pdf_embeds_the_font_and_holds_the_vietnamese_text():
    pdf, reader = rendered()

    assert pdf.startswith(b"%PDF")
    assert b"/FontFile2" in pdf
    assert len(reader.pages) == 1
    page = reader.pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (842, 595)
    fonts = {str(f["/BaseFont"]) for f in page["/Resources"]["/Font"].values()}
    assert all(f.startswith("/MPDFAA+DejaVu") for f in fonts), fonts
    text = flat(page.extract_text())
    for expected in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "TỈNH PHÚ THỌ",
        "HỆ THỐNG BỒI DƯỠNG CÁN BỘ, CÔNG CHỨC",
        "GIẤY CHỨNG NHẬN HOÀN THÀNH KHÓA BỒI DƯỠNG",
        "Chứng nhận ông/bà: Nguyễn Thị Hồng Nhung",
        "Chức vụ: Công chức Văn phòng - Thống kê",
        "Đơn vị công tác: UBND xã Hy Cương",
        "Cải cách hành chính và kiểm soát thủ tục hành chính",
        "Chuyên đề: Cải cách hành chính",
        "Số giờ được tính: 4",
        "Căn cứ: Kế hoạch số 125/KH-UBND ngày 15/01/2026 của UBND tỉnh Phú Thọ",
        "Hoàn thành ngày 05/03/2026",
        "Phú Thọ, ngày 06 tháng 3 năm 2026",
        CODE,
        URL,
        "Kiểm tra tính xác thực tại địa chỉ trên hoặc quét mã QR.",
        "Giấy chứng nhận này xác nhận kết quả bồi dưỡng trên hệ thống; không phải kết quả "
        "đánh giá, xếp loại chất lượng công chức.",
    ]:
        assert expected in text, expected


def test_input_is_nfc_normalised_so_decomposed_names_extract_exactly():
    import unicodedata

    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Hồng Nhung")
    _, reader = rendered(full_name=decomposed)
    assert "Nguyễn Thị Hồng Nhung" in reader.pages[0].extract_text()


def test_metadata_and_deterministic_output():
    pdf, reader = rendered()
    assert render_certificate_pdf(make_data()) == pdf
    assert reader.metadata.title == f"{certificate_heading(make_data())} — Nguyễn Thị Hồng Nhung"
    assert reader.metadata["/CreationDate"].startswith("D:20260306")
    assert render_certificate_pdf(make_data(issued_on=date(2026, 3, 7))) != pdf


def test_standard_kind_takes_the_year_from_completed_on():
    data = make_data(
        kind="standard",
        title="Đạt chuẩn bồi dưỡng năm 2025",
        completed_on=date(2025, 12, 20),
        issued_on=date(2026, 1, 2),
    )
    assert certificate_heading(data) == "GIẤY CHỨNG NHẬN ĐẠT CHUẨN BỒI DƯỠNG NĂM 2025"
    text = flat(PdfReader(io.BytesIO(render_certificate_pdf(data))).pages[0].extract_text())
    assert "GIẤY CHỨNG NHẬN ĐẠT CHUẨN BỒI DƯỠNG NĂM 2025" in text
    assert "Hoàn thành ngày 20/12/2025" in text
    assert "Phú Thọ, ngày 02 tháng 01 năm 2026" in text  # leading zero for months 1 and 2
    assert "Đã hoàn thành khóa bồi dưỡng" not in text


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError):
        render_certificate_pdf(make_data(kind="diploma"))


@pytest.mark.parametrize(
    ("issuer", "place", "date_line"),
    [
        ("Tỉnh Phú Thọ — Hệ thống bồi dưỡng", "", "Phú Thọ, ngày 06 tháng 3 năm 2026"),
        ("Ủy ban nhân dân tỉnh Phú Thọ — Sở Nội vụ", "", "Phú Thọ, ngày 06 tháng 3 năm 2026"),
        ("UBND Thành phố Hà Nội", "", "Hà Nội, ngày 06 tháng 3 năm 2026"),
        ("Tỉnh Phú Thọ — Hệ thống bồi dưỡng", "Việt Trì", "Việt Trì, ngày 06 tháng 3 năm 2026"),
        ("Hệ thống bồi dưỡng", "", "Ngày 06 tháng 3 năm 2026"),
    ],
)
def test_place_on_the_date_line(issuer, place, date_line):
    _, reader = rendered(issuer=issuer, place=place)
    assert date_line in flat(reader.pages[0].extract_text())


def test_position_is_optional_and_issuer_without_dash_is_one_bold_header():
    _, reader = rendered(position_name=None, issuer="Hệ thống bồi dưỡng cán bộ, công chức")
    text = flat(reader.pages[0].extract_text())
    assert "Chức vụ" not in text
    assert "HỆ THỐNG BỒI DƯỠNG CÁN BỘ, CÔNG CHỨC" in text


LONG = dict(
    full_name="Tôn Nữ Hoàng Thị Phương Thảo Nguyễn Ngọc Bích Trâm " * 5,
    unit_name="Ủy ban nhân dân xã Trung Sơn, huyện Yên Lập, tỉnh Phú Thọ " * 4,
    position_name="Phó Chủ tịch Ủy ban nhân dân phụ trách văn hóa – xã hội " * 3,
    title="Bồi dưỡng kiến thức, kỹ năng quản lý nhà nước về chuyển đổi số " * 12,
    details=tuple(f"Căn cứ dòng {i}: " + "Quyết định số 1234/QĐ-UBND " * 9 for i in range(25)),
    issuer="Ủy ban nhân dân tỉnh Phú Thọ — Sở Nội vụ — Hệ thống bồi dưỡng cán bộ, công chức "
    "cấp xã trên địa bàn toàn tỉnh Phú Thọ giai đoạn 2026 - 2030",
    verify_url="https://boiduong.phutho.gov.vn/verify/" + CODE + "?" + "x" * 120,
)


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"full_name": LONG["full_name"]},
        {"title": LONG["title"]},
        {"details": LONG["details"]},
        {"full_name": "X" * 300, "title": "Y" * 500},  # no spaces at all
        LONG,
    ],
    ids=["normal", "long-name", "long-title", "many-details", "unbreakable", "everything-long"],
)
def test_long_text_stays_on_one_page_inside_the_frame(changes):
    _, reader = rendered(**changes)
    assert len(reader.pages) == 1

    boxes = text_boxes(reader)
    assert boxes
    for text, left, top, right, bottom in boxes:
        # inside the inner (gold) frame at 11.5 mm from the edges of the 297 x 210 mm page
        assert 11.5 < left and right < 297 - 11.5, (text, left, right)
        assert 11.5 < top and bottom < 210 - 11.5, (text, top, bottom)
    # no two lines overlap
    for i, (t1, l1, tp1, r1, b1) in enumerate(boxes):
        for t2, l2, tp2, r2, b2 in boxes[i + 1 :]:
            overlap = min(r1, r2) - max(l1, l2) > 0.1 and min(b1, b2) - max(tp1, tp2) > 0.1
            assert not overlap, (t1, t2)
    # nor the QR code with its quiet zone of 4 modules
    rects = filled_rects(reader)
    module = min(h for *_, h in rects) / PT
    qx0 = min(x for x, *_ in rects) / PT - 4 * module
    qy0 = min(y for _, y, *_ in rects) / PT - 4 * module
    qx1 = max(x + w for x, _, w, _ in rects) / PT + 4 * module
    qy1 = max(y + h for _, y, _, h in rects) / PT + 4 * module
    for text, left, top, right, bottom in boxes:
        assert not (left < qx1 and right > qx0 and top < qy1 and bottom > qy0), text


def test_long_text_is_cut_visibly_not_silently():
    _, reader = rendered(title="Bồi dưỡng kiến thức " * 80)
    text = flat(reader.pages[0].extract_text())
    assert "Bồi dưỡng kiến thức Bồi dưỡng" in text
    assert "…" in text
    assert "Hoàn thành ngày 05/03/2026" in text  # what follows is still there


def test_many_details_are_dropped_from_the_end_with_an_ellipsis():
    details = tuple(f"Chi tiết số {i:02d}" for i in range(40))
    _, reader = rendered(details=details)
    text = flat(reader.pages[0].extract_text())
    assert "Chi tiết số 00" in text
    assert "Chi tiết số 39" not in text
    assert "…" in text


# --- the QR code ----------------------------------------------------------------------------


LONGER_URL = f"https://boiduong-canbo-congchuc.sonoivu.phutho.gov.vn/chung-nhan/kiem-tra/{CODE}"


@pytest.mark.parametrize("url", [URL, LONGER_URL])
def test_qr_code_encodes_the_verify_url(url):
    _, reader = rendered(verify_url=url)
    expected = [list(row) for row in segno.make_qr(url, error="m").matrix]
    assert drawn_qr_matrix(reader) == expected
    assert url in flat(reader.pages[0].extract_text()).replace(" ", "")


def test_qr_code_is_vector_not_an_image():
    pdf, reader = rendered()
    assert b"/Subtype /Image" not in pdf
    rects = filled_rects(reader)
    side = (max(x + w for x, _, w, _ in rects) - min(x for x, *_ in rects)) / PT
    assert 25 < side < 35  # mm: scannable from paper
    # bottom right quarter of the page
    assert min(x for x, *_ in rects) / PT > 297 / 2
    assert min(y for _, y, *_ in rects) / PT > 210 / 2


def test_qr_code_differs_for_another_url():
    _, reader = rendered(verify_url=URL.replace("7K3M", "8K3M"))
    assert drawn_qr_matrix(reader) != [list(row) for row in segno.make_qr(URL, error="m").matrix]


# --- verification codes ---------------------------------------------------------------------

CODE_RE = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$")


def test_alphabet_has_no_ambiguous_letters_and_80_bits():
    assert len(CODE_ALPHABET) == len(set(CODE_ALPHABET)) == 32
    assert not set("OILU") & set(CODE_ALPHABET)
    assert codes.CODE_ENTROPY_BITS == 80 == codes.CODE_LENGTH * math.log2(32)


def test_new_verification_code_format_alphabet_and_uniqueness():
    codes = [new_verification_code() for _ in range(10_000)]
    assert len(set(codes)) == len(codes)
    for code in codes:
        assert CODE_RE.match(code), code
        assert normalize_code(code) == code
    symbols = "".join(codes).replace("-", "")
    assert set(symbols) == set(CODE_ALPHABET)  # 160,000 draws hit every symbol
    # roughly uniform: each symbol is expected 5,000 times
    counts = [symbols.count(ch) for ch in CODE_ALPHABET]
    assert 4_500 < min(counts) and max(counts) < 5_500


@pytest.mark.parametrize(
    "typed",
    [
        "7K3M-QX9D-2WPE-H4TB",
        "7k3m-qx9d-2wpe-h4tb",
        "7K3MQX9D2WPEH4TB",
        " 7K3M QX9D 2WPE H4TB ",
        "7k3m qx9d-2wpe h4tb\n",
        "7K3M–QX9D—2WPE-H4TB",  # en and em dashes from a word processor
        "7K3M--QX9D..2WPE_H4TB",
        "７Ｋ３Ｍ－ＱＸ９Ｄ－２ＷＰＥ－Ｈ４ＴＢ",  # full width
    ],
)
def test_normalize_code_accepts_typed_variants(typed):
    assert normalize_code(typed) == CODE


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("1O1O-ILIL-oOoO-lili", "1010-1111-0000-1111"),
        ("ABCD-EFGH-JKMN-PQRS", "ABCD-EFGH-JKMN-PQRS"),
    ],
)
def test_normalize_code_reads_letters_o_i_l_as_digits(typed, canonical):
    assert normalize_code(typed) == canonical


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        "   ",
        "7K3M-QX9D-2WPE",  # too short
        "7K3M-QX9D-2WPE-H4TB-A",  # too long
        "7K3M-QX9D-2WPE-H4TU",  # U is not in the alphabet
        "7K3M-QX9D-2WPE-H4T#",
        "đK3M-QX9D-2WPE-H4TB",
        "../../etc/passwd",
        "x" * 10_000,
    ],
)
def test_normalize_code_returns_empty_string_for_garbage(garbage):
    assert normalize_code(garbage) == ""


def test_normalize_code_round_trips_random_codes_in_typed_forms():
    for _ in range(200):
        code = new_verification_code()
        typed = code.lower().replace("-", " ").replace("0", "o").replace("1", "l")
        assert normalize_code(typed) == code


# --- purity ---------------------------------------------------------------------------------


def test_module_imports_neither_flask_nor_the_database():
    script = (
        "import importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('certificates', {str(MODULE_PATH)!r})\n"
        "module = sys.modules['certificates'] = importlib.util.module_from_spec(spec)\n"
        "spec.loader.exec_module(module)\n"
        "bad = [m for m in ('flask', 'sqlalchemy', 'app') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-W", "error", "-c", script], check=True)
