"""Importing past paper records: all or nothing, every bad row listed, dry run."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from app.compliance import imports
from app.models import CourseProgress, ExternalTraining, Role, db
from tests.compliance.scenario import build
from tests.factories import make_user

GOOD = (
    "username,course,title,provider,hours,completed_on,note\n"
    "ha,khoa-a,,,,15/03/2026,Lớp tập trung tại xã\n"
    'ha,,Lớp bồi dưỡng kỹ năng lãnh đạo,Trường Chính trị tỉnh,"6,5",20/04/2026,\n'
)


@pytest.fixture
def scenario(app, content_dirs):
    return build(content_dirs)


def upload(client, text: str | bytes, name: str = "ho-so.csv", dry_run: bool = False):
    data = {"file": (io.BytesIO(text.encode() if isinstance(text, str) else text), name)}
    if dry_run:
        data["dry_run"] = "y"
    return client.post("/hr/import", data=data, content_type="multipart/form-data")


def counts():
    return (
        db.session.scalar(
            select(func.count(CourseProgress.id)).where(CourseProgress.source == "import")
        ),
        db.session.scalar(
            select(func.count(ExternalTraining.id)).where(ExternalTraining.source == "import")
        ),
    )


def test_good_file_is_recorded(client, login, scenario):
    login(scenario.people["hr"])
    before = counts()
    response = upload(client, GOOD)
    assert response.status_code == 200
    assert "Đã nhập 2 bản ghi" in response.get_data(as_text=True)
    assert counts() == (before[0] + 1, before[1] + 1)
    record = db.session.scalar(
        select(ExternalTraining).where(ExternalTraining.title == "Lớp bồi dưỡng kỹ năng lãnh đạo")
    )
    assert float(record.hours) == 6.5 and record.year == 2026


def test_dry_run_shows_and_records_nothing(client, login, scenario):
    login(scenario.people["hr"])
    before = counts()
    response = upload(client, GOOD, dry_run=True)
    page = response.get_data(as_text=True)
    assert "Chạy thử: sẽ ghi nhận 2 bản ghi" in page and "Lớp bồi dưỡng kỹ năng lãnh đạo" in page
    assert counts() == before


def test_any_bad_row_imports_nothing_and_every_bad_row_is_listed(client, login, scenario):
    login(scenario.people["hr"])
    before = counts()
    text = GOOD + (
        "khong-co,khoa-a,,,,01/05/2026,\n"  # line 4: unknown official
        "ha,khoa-z,,,,01/05/2026,\n"  # line 5: unknown course
        "ha,,,,,2026-13-45,\n"  # line 6: bad date, no title, no hours
        "binh,khoa-a,,,,02/05/2026,\n"  # line 7: already completed on the platform in 2026
        "ha,khoa-a,,,,16/03/2026,\n"  # line 8: same as line 2
        "ha,,Lớp,,-3,01/05/2026,\n"  # line 9: negative hours
        "ha,khoa-b,,,,01/05/2099,\n"  # line 10: future
    )
    response = upload(client, text)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Chưa ghi nhận gì: có 7 dòng sai" in page
    lines = [int(n) for n in re.findall(r"<tr><td>(\d+)</td><td>", page)]
    assert lines == [4, 5, 6, 7, 8, 9, 10]
    for expected in (
        "không có công chức &#39;khong-co&#39; trong các đơn vị anh/chị quản lý",
        "không có khóa học &#39;khoa-z&#39;",
        "ngày hoàn thành phải ghi dạng dd/mm/yyyy",
        "đã hoàn thành trên hệ thống trong năm 2026",
        "trùng khóa học và năm với dòng 2",
        "số giờ phải là số dương",
        "ngày hoàn thành ở tương lai",
    ):
        assert expected in page, expected
    assert counts() == before


def test_officials_outside_the_hr_units_are_refused(client, login, scenario):
    hr_y = make_user("hr.y", role=Role.HR, unit=scenario.units["Y"])
    login(hr_y)
    response = upload(client, GOOD)
    assert response.status_code == 400
    # the same words as for a username that does not exist: nothing leaks about other units
    assert "không có công chức &#39;ha&#39; trong các đơn vị anh/chị quản lý" in (
        response.get_data(as_text=True)
    )


def test_xlsx_with_vietnamese_headers_and_real_dates(client, login, scenario):
    import datetime as dt

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Tên đăng nhập", "Khóa học", "Tên khóa", "Số giờ", "Ngày hoàn thành"])
    sheet.append(["ha", "khoa-a", None, None, dt.datetime(2026, 3, 15)])
    out = io.BytesIO()
    workbook.save(out)
    login(scenario.people["hr"])
    response = upload(client, out.getvalue(), name="ho-so.xlsx")
    assert response.status_code == 200, response.get_data(as_text=True)
    progress = db.session.scalar(
        select(CourseProgress).where(
            CourseProgress.user_id == scenario.people["ha"].id, CourseProgress.source == "import"
        )
    )
    assert progress.completed_at is not None and progress.recorded_by_id == scenario.people["hr"].id


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("a.csv", "ten,khac\nx,y\n", "Thiếu cột: username, completed_on."),
        ("a.csv", "".encode("utf-16") + "username,completed_on\n".encode("utf-16"), "UTF-8"),
        ("a.xlsx", b"not a zip", "Không đọc được tệp XLSX."),
        ("a.txt", "username,completed_on\n", "Chỉ nhận tệp CSV hoặc XLSX."),
    ],
)
def test_unreadable_files_are_refused_clearly(client, login, scenario, name, data, message):
    login(scenario.people["hr"])
    response = upload(client, data, name=name)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_semicolon_csv_from_excel_is_read():
    rows = imports.read_rows("a.csv", b"username;completed_on;hours\nha;01/02/2026;4\n")
    assert rows[0].values == {"username": "ha", "completed_on": "01/02/2026", "hours": "4"}
    assert rows[0].line == 2


def test_duplicate_external_training_in_the_file_is_refused_naming_both_lines(
    client, login, scenario
):
    login(scenario.people["hr"])
    before = counts()
    text = GOOD + (
        "ha,,Lớp bồi dưỡng kỹ năng lãnh đạo,,6,20/04/2026,\n"  # line 4: line 3 again
        "ha,,  LỚP BỒI DƯỠNG  kỹ năng lãnh đạo ,,6,20/04/2026,\n"  # line 5: same, typed oddly
        "ha,,Lớp bồi dưỡng kỹ năng lãnh đạo,,6,21/04/2026,\n"  # another day: fine
        "an,,Lớp bồi dưỡng kỹ năng lãnh đạo,,6,20/04/2026,\n"  # another official: fine
    )
    response = upload(client, text)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert [int(n) for n in re.findall(r"<tr><td>(\d+)</td><td>", page)] == [4, 5]
    assert page.count("trùng khóa bồi dưỡng và ngày hoàn thành với dòng 3") == 2
    assert counts() == before


def test_importing_the_same_file_again_adds_nothing(client, login, scenario):
    login(scenario.people["hr"])
    assert upload(client, GOOD).status_code == 200
    after_first = counts()
    response = upload(client, GOOD)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "khóa bồi dưỡng này với ngày hoàn thành này đã được ghi nhận" in page
    assert "đã hoàn thành trên hệ thống trong năm 2026" in page
    assert counts() == after_first


def test_external_training_recorded_by_hand_is_not_imported_again(client, login, scenario):
    chi = scenario.people["chi"]
    login(scenario.people["hr"])
    response = upload(
        client,
        f"username,title,hours,completed_on\n{chi.username},lớp quản lý nhà nước,40,03/06/2026\n",
    )
    assert response.status_code == 400
    assert "khóa bồi dưỡng này với ngày hoàn thành này đã được ghi nhận" in response.get_data(
        as_text=True
    )


def test_a_csv_over_the_row_limit_is_refused_before_the_rest_is_read(monkeypatch):
    monkeypatch.setattr(imports, "MAX_ROWS", 10)
    lines = ["username,completed_on"] + [f"ha,0{1 + n % 9}/02/2026" for n in range(500)]
    lines[300] = "ha," + "x" * 200_000  # over the csv module's field limit: never reached
    with pytest.raises(imports.ImportFileError, match="At most 10 rows per file"):
        imports.read_rows("a.csv", "\n".join(lines).encode())


class EndlessSheet:
    """A worksheet that never ends, and fails if read further than the limit allows."""

    max_row = None

    def __init__(self, limit: int):
        self.limit = limit

    def reset_dimensions(self):
        pass

    def iter_rows(self, **kwargs):
        yield ("username", "completed_on")
        n = 0
        while True:
            n += 1
            assert n <= self.limit + 1, "read past the row limit"
            yield ("ha", "01/02/2026")


class EndlessBook:
    def __init__(self, limit: int):
        self.worksheets = [EndlessSheet(limit)]
        self.closed = False

    def close(self):
        self.closed = True


def test_an_xlsx_over_the_row_limit_is_refused_while_reading(monkeypatch):
    monkeypatch.setattr(imports, "MAX_ROWS", 10)
    book = EndlessBook(10)
    monkeypatch.setattr(imports, "load_workbook", lambda *args, **kwargs: book)
    empty_zip = io.BytesIO()
    zipfile.ZipFile(empty_zip, "w").close()
    with pytest.raises(imports.ImportFileError, match="At most 10 rows per file"):
        imports.read_rows("a.xlsx", empty_zip.getvalue())
    assert book.closed


def test_an_xlsx_that_says_it_is_huge_is_refused_unread():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["username", "completed_on"])
    sheet.cell(row=imports.MAX_LINES + 5, column=1, value="ha")
    out = io.BytesIO()
    workbook.save(out)
    with pytest.raises(imports.ImportFileError, match="At most 50000 rows per file"):
        imports.read_rows("a.xlsx", out.getvalue())


def test_an_upload_over_the_size_limit_gets_a_page_in_vietnamese(client, login, scenario, app):
    login(scenario.people["hr"])
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    body = (
        b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\n'
        + b"x" * (1024 * 1024)
        + b"\r\n--b--\r\n"
    )
    response = client.post("/hr/import", data=body, content_type="multipart/form-data; boundary=b")
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "Tệp quá lớn" in page and "lớn hơn 1 MB" in page


def test_an_xlsx_that_unpacks_to_far_more_than_its_size_is_refused_unread(monkeypatch):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", b"<sst>" + b"a" * 2_000_000 + b"</sst>")
    assert len(out.getvalue()) < 10_000  # a small upload...
    monkeypatch.setattr(imports, "MAX_XLSX_UNPACKED", 1_000_000)  # ...that unpacks past this
    monkeypatch.setattr(imports, "load_workbook", None)  # never reached
    with pytest.raises(imports.ImportFileError, match="too large once unpacked"):
        imports.read_rows("a.xlsx", out.getvalue())
