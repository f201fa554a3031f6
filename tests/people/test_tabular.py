"""The streamed XLSX reader gives what openpyxl gives, on files Excel-like tools write."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from app.tabular import TableError, _xlsx_lines


def workbook_bytes(write_only: bool) -> bytes:
    book = Workbook(write_only=write_only)
    sheet = book.create_sheet("Danh sách") if write_only else book.active
    sheet.append(["tên", "ngày", "số", "thực", "đúng", "công thức", "trống", "giờ"])
    sheet.append(
        [
            "Nguyễn Ánh",
            dt.datetime(2019, 5, 6),
            12345,
            2.5,
            True,
            '=A2&"x"',
            None,
            dt.datetime(2020, 1, 2, 13, 30),
        ]
    )
    sheet.append(["Đỗ", dt.date(2021, 12, 31), 0, -1.25, False, "=1+1", "", None])
    sheet.append([None, None, None, None, None, None, None, "chỉ cột H"])
    if not write_only:
        book.create_sheet("Khác").append(["không đọc trang này"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def padded(rows: list[list]) -> list[list]:
    return [list(r) + [None] * (8 - len(r)) for r in rows]


@pytest.mark.parametrize("write_only", [False, True])
@pytest.mark.parametrize("formulas", [False, True])
def test_the_reader_agrees_with_openpyxl(write_only, formulas):
    data = workbook_bytes(write_only)
    book = load_workbook(io.BytesIO(data), read_only=True, data_only=not formulas)
    theirs = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    mine = list(_xlsx_lines(data, formulas))
    assert [n for n, _r in mine] == [1, 2, 3, 4]
    assert padded([r for _n, r in mine]) == padded(theirs)


def test_a_zip_that_is_not_a_workbook_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "xin chào")
    with pytest.raises(TableError):
        list(_xlsx_lines(out.getvalue(), True))
