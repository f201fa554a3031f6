"""The roster, units and merger pages: who may use them, what they show, and the first sign-in
of an imported account."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.models import Unit, User, db

ROSTER = "tên đăng nhập,họ và tên,mã đơn vị\nmoi.mot,Nguyễn Văn Một,A\nmoi.hai,Trần Thị Hai,A1\n"


def upload(client, text, *, url="/people/import", name="ds.csv", dry_run=False, sheet="page"):
    data = {
        "file": (io.BytesIO(text.encode() if isinstance(text, str) else text), name),
        "sheet": sheet,
    }
    if dry_run:
        data["dry_run"] = "y"
    return client.post(url, data=data, content_type="multipart/form-data")


def users() -> int:
    return db.session.scalar(select(func.count(User.id)))


@pytest.mark.parametrize(
    ("who", "url", "status"),
    [
        ("official", "/people/import", 403),
        ("official", "/people/template.xlsx", 403),
        ("hr_a", "/people/units", 403),
        ("hr_a", "/people/merge", 403),
        ("hr_a", "/people/import", 200),
        ("hr_a", "/people/template.csv", 200),
        ("admin", "/people/units", 200),
        ("admin", "/people/merge", 200),
    ],
)
def test_who_may_open_the_pages(request, client, login, who, url, status):
    login(request.getfixturevalue(who))
    assert client.get(url).status_code == status


def test_anonymous_visitors_are_sent_to_sign_in(client, units):
    response = client.get("/people/import")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_hr_dry_run_then_import_shows_the_passwords_once(client, login, hr_a, units):
    login(hr_a)
    before = users()
    dry = upload(client, ROSTER, dry_run=True)
    assert dry.status_code == 200
    assert "Chạy thử: chưa thay đổi gì" in dry.get_data(as_text=True)
    assert users() == before
    done = upload(client, ROSTER)
    page = done.get_data(as_text=True)
    assert done.status_code == 200 and done.headers["Cache-Control"] == "no-store"
    assert "Mật khẩu tạm thời" in page and "moi.mot" in page and "moi.hai" in page
    assert users() == before + 2
    # the passwords are in no stored place: a GET of the page shows no sheet
    assert "moi.mot" not in client.get("/people/import").get_data(as_text=True)


def test_the_sheet_can_be_taken_as_a_csv_file_instead(client, login, admin, units):
    login(admin)
    response = upload(client, ROSTER, sheet="csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Cache-Control"] == "no-store"
    lines = response.get_data().decode("utf-8-sig").splitlines()
    assert lines[0].startswith("mã đơn vị,tên đơn vị,tên đăng nhập")
    assert [line.split(",")[2] for line in lines[1:]] == ["moi.mot", "moi.hai"]


def test_bad_rows_are_listed_in_vietnamese_and_nothing_is_written(client, login, hr_a, units):
    login(hr_a)
    before = users()
    response = upload(client, ROSTER + "ngoai,Người Ngoài,B\n,Không Tên,A\n")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Không thay đổi gì: 2 dòng có lỗi" in page
    assert "đơn vị &#39;B&#39; không thuộc các đơn vị anh/chị quản lý" in page
    assert "thiếu tên đăng nhập" in page
    assert users() == before


@pytest.mark.parametrize(
    ("data", "name", "words"),
    [
        (ROSTER.encode("utf-16"), "ds.csv", "UTF-16"),
        (b"", "ds.csv", "trống"),
        (b"not a zip", "ds.xlsx", "XLSX"),
        ("tên đăng nhập,họ và tên\nx,y\n", "ds.csv", "unit_code"),
    ],
)
def test_unreadable_files_are_refused_clearly(client, login, hr_a, data, name, words):
    login(hr_a)
    response = upload(client, data, name=name)
    assert response.status_code == 400 and words in response.get_data(as_text=True)


def test_a_new_account_must_change_its_temporary_password_first(client, login, hr_a, units):
    login(hr_a)
    response = upload(client, ROSTER, sheet="csv")
    line = response.get_data().decode("utf-8-sig").splitlines()[1].split(",")
    username, password = line[2], line[4]
    client.post("/auth/logout")
    first = client.post("/auth/login", data={"username": username, "password": password})
    assert first.status_code == 302 and first.headers["Location"].endswith("/auth/password")
    elsewhere = client.get("/")
    assert elsewhere.status_code == 302 and "/auth/password" in elsewhere.headers["Location"]
    changed = client.post(
        "/auth/password",
        data={"current": password, "new": "mot-mat-khau-moi", "confirm": "mot-mat-khau-moi"},
    )
    assert changed.status_code == 302
    assert client.get("/").status_code == 200


def test_the_xlsx_template_lists_only_the_hr_s_units(client, login, hr_a, units):
    login(hr_a)
    response = client.get("/people/template.xlsx")
    book = load_workbook(io.BytesIO(response.get_data()))
    codes = [r[0] for r in book["Mã đơn vị"].iter_rows(min_row=2, values_only=True)]
    assert codes == ["A", "A1"]


def test_admin_imports_units_and_merges_on_the_pages(client, login, admin, units):
    login(admin)
    response = upload(
        client, "code,name,kind,parent_code\nC,Xã Mới,commune,P\n", url="/people/units"
    )
    assert response.status_code == 200
    assert db.session.scalar(select(Unit).where(Unit.code == "C")) is not None
    response = client.post("/people/merge", data={"codes": "A, B", "into": "C", "on": "2026-07-01"})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert "Đã hợp nhất đơn vị" in response.get_data(as_text=True)
    db.session.expire_all()
    a = db.session.scalar(select(Unit).where(Unit.code == "A"))
    assert a.valid_to == date(2026, 6, 30) and a.successor_id is not None
    refused = client.post("/people/merge", data={"codes": "B", "into": "A", "on": "2026-08-01"})
    assert refused.status_code == 400 and "chấm dứt" in refused.get_data(as_text=True)


def test_an_upload_over_the_limit_is_refused_with_a_page_in_vietnamese(app, client, login, hr_a):
    login(hr_a)
    before = users()
    app.config["MAX_CONTENT_LENGTH"] = 4096  # 20 MB in production: the same refusal, smaller
    response = upload(client, b"x" * 8192)
    assert response.status_code == 413
    assert "Tệp quá lớn" in response.get_data(as_text=True)
    assert users() == before
