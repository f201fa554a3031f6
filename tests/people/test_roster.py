"""The roster import: a clean import, bad rows (nothing written, every row listed), re-imports
that update, move and deactivate, files from Excel (BOM, semicolons, XLSX, NFD names), limits."""

from __future__ import annotations

import io
import json
import unicodedata
from datetime import date, datetime

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from app.models import Position, Role, UnitMembership, User, db
from app.people import roster
from app.tabular import TableError
from tests.factories import make_user

NOW = datetime(2026, 3, 2, 3, 0)
HEADER = "username,full_name,unit_code,position_code,email,role,joined_on,left_on\n"


@pytest.fixture
def position(app):
    position = Position(code="CM-MC", name="Một cửa", group="professional", sort_order=1)
    db.session.add(position)
    db.session.commit()
    return position


def run(text: str, *, actor=None, dry_run=False, name="roster.csv", encoding="utf-8"):
    rows = roster.read_roster(name, text.encode(encoding) if isinstance(text, str) else text)
    return roster.import_roster(rows, actor=actor, dry_run=dry_run, now=NOW)


def user(username: str) -> User:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.username == username))


def count_users() -> int:
    return db.session.scalar(select(func.count(User.id)))


def test_a_clean_import_creates_accounts_with_a_temporary_password(units, position):
    report = run(
        HEADER
        + "Nguyen.An,Nguyễn Văn An,A,CM-MC,an@example.vn,,01/07/2025,\n"
        + "tran.binh,  Trần Thị Bình ,B,,,hr,2024-02-01,\n"
    )
    assert report.ok and [c.username for c in report.created] == ["nguyen.an", "tran.binh"]
    db.session.commit()
    an = user("nguyen.an")
    assert (an.full_name, an.unit.code, an.position.code, an.joined_on) == (
        "Nguyễn Văn An",
        "A",
        "CM-MC",
        date(2025, 7, 1),
    )
    assert an.role == Role.OFFICIAL and an.must_change_password and an.is_active
    binh = user("tran.binh")
    assert binh.full_name == "Trần Thị Bình" and binh.role == Role.HR
    sheet = {a.username: a for a in report.passwords}
    assert an.check_password(sheet["nguyen.an"].password)
    assert not an.check_password("nguyen.an")
    assert sheet["nguyen.an"].unit_code == "A"
    # the membership history starts with the joining date
    membership = db.session.scalar(select(UnitMembership).where(UnitMembership.user_id == an.id))
    assert (membership.unit_id, membership.start_on, membership.end_on) == (
        an.unit_id,
        date(2025, 7, 1),
        None,
    )


def test_every_bad_row_is_listed_and_nothing_is_written(units, position, admin):
    make_user("taken", unit=units["B"])
    before = count_users()
    report = run(
        HEADER
        + "ok.one,Một Người Đúng,A,,,,,\n"  # line 2: fine
        + ",Không Tên,A,,,,,\n"  # 3
        + "x.unit,Sai Đơn Vị,ZZ,,,,,\n"  # 4
        + "x.pos,Sai Vị Trí,A,NOPE,,,,\n"  # 5
        + "x.mail,Sai Thư,A,,not-an-email,,,\n"  # 6
        + "x.date,Sai Ngày,A,,,,31/02/2026,\n"  # 7
        + "x.left,Nghỉ Trước Khi Vào,A,,,,01/05/2026,01/04/2026\n"  # 8
        + "ok.one,Trùng Tên,A,,,,,\n"  # 9
        + "x.role,Vai Trò Lạ,A,,,admin,,\n"  # 10
        + 'x.formula,=HYPERLINK("http://x"),A,,,,,\n'  # 11
        + "admin,Quản trị,A,,,,,\n"  # 12
        + f"{'x' * 81},Quá Dài,A,,,,,\n"  # 13
        + "có dấu,Tên Có Dấu,A,,,,,\n",  # 14
        actor=admin,
    )
    lines = [line for line, _message in report.errors]
    assert lines == list(range(3, 15))
    messages = dict(report.errors)
    assert "ZZ" in messages[4] and "NOPE" in messages[5] and "not-an-email" in messages[6]
    assert "line 2" in messages[9] or "dòng 2" in messages[9]
    assert count_users() == before
    assert not report.created  # nothing planned either


def test_the_command_lists_every_bad_row_in_vietnamese_and_exits_1(runner, units, tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text(HEADER + "a.one,Một,ZZ,,,,,\nb.two,,A,,,,,\n", encoding="utf-8")
    result = runner.invoke(args=["people", "import", str(path)])
    assert result.exit_code == 1
    assert "line 2: đơn vị 'ZZ'" in result.output
    assert "line 3: thiếu họ và tên" in result.output
    assert count_users() == 0


def test_a_reimport_updates_moves_and_deactivates_keeping_history(units, clock):
    clock.freeze(datetime(2026, 1, 10, 3, 0))
    run(HEADER + "an,Nguyễn Văn An,A,,,,01/07/2020,\nbinh,Bình,A,,,,,\nchi,Chi,A,,,,,\n")
    db.session.commit()
    an_id = user("an").id
    report = run(
        HEADER
        + "AN,Nguyễn Văn An,B,,,,,\n"  # moved, joined_on kept
        + "binh,Lê Thị Bình,A,,,,,\n"  # renamed
        + "chi,Chi,A,,,,,30/06/2026\n",  # leaver
        dry_run=True,
    )
    assert [c.username for c in report.moved] == ["an"] and report.moved[0].before_unit == "A"
    assert [c.username for c in report.updated] == ["binh", "chi"]
    assert [c.username for c in report.deactivated] == ["chi"]
    assert user("an").unit.code == "A"  # a dry run writes nothing
    report = run(
        HEADER + "AN,Nguyễn Văn An,B,,,,,\nbinh,Lê Thị Bình,A,,,,,\nchi,Chi,A,,,,,30/06/2026\n"
    )
    db.session.commit()
    an = user("an")
    assert an.id == an_id and an.unit.code == "B" and an.joined_on == date(2020, 7, 1)
    history = db.session.execute(
        select(UnitMembership.unit_id, UnitMembership.start_on, UnitMembership.end_on)
        .where(UnitMembership.user_id == an.id)
        .order_by(UnitMembership.id)
    ).all()
    assert history == [
        (units["A"].id, date(2020, 7, 1), date(2026, 3, 1)),
        (units["B"].id, date(2026, 3, 2), None),
    ]
    assert user("binh").full_name == "Lê Thị Bình"
    chi = user("chi")
    assert not chi.is_active and chi.left_on == date(2026, 6, 30)
    assert not report.passwords  # nobody new
    again = run(HEADER + "an,Nguyễn Văn An,B,,,,,\n")
    assert again.unchanged == 1 and not (again.updated or again.moved or again.created)


def test_hr_imports_officials_of_their_own_units_only(units, hr_a):
    make_user("outsider", unit=units["B"])
    make_user("colleague", role=Role.HR, unit=units["A"])
    report = run(
        HEADER
        + "in.a1,Trong A1,A1,,,,,\n"  # fine: A1 is under A
        + "in.b,Ở B,B,,,,,\n"  # outside
        + "new.hr,Nhân Sự Mới,A,,,hr,,\n"  # HR may not grant hr
        + "outsider,Người Ngoài,A,,,,,\n"  # an account of unit B: not theirs
        + "colleague,Đồng Nghiệp,A,,,,,\n",  # an HR account: not theirs to change
        actor=hr_a,
    )
    assert [line for line, _m in report.errors] == [3, 4, 5, 6]
    assert "'B'" in dict(report.errors)[3]


def test_names_typed_in_nfd_are_stored_in_nfc(units):
    nfd = unicodedata.normalize("NFD", "Nguyễn Thị Ánh")
    assert nfd != "Nguyễn Thị Ánh"
    run(HEADER + f"anh,{nfd},A,,,,,\n")
    db.session.commit()
    assert user("anh").full_name == "Nguyễn Thị Ánh"
    again = run(HEADER + "anh,Nguyễn Thị Ánh,A,,,,,\n")
    assert again.unchanged == 1


def test_csv_from_excel_with_bom_semicolons_and_vietnamese_headers(units):
    text = "tên đăng nhập;họ và tên;mã đơn vị;ngày vào làm\nan;Nguyễn Văn An;A;15/03/2021\n"
    report = run(text.encode("utf-8-sig"))
    assert report.ok and report.created[0].username == "an"
    db.session.commit()
    assert user("an").joined_on == date(2021, 3, 15)


def test_xlsx_with_real_date_cells(units):
    book = Workbook()
    sheet = book.active
    sheet.append(["Mã đơn vị", "Họ và tên", "Tên đăng nhập", "Ngày vào làm"])
    sheet.append(["A", "Phạm Văn Đức", "duc", datetime(2019, 5, 6)])
    sheet.append([None, None, None, None])
    out = io.BytesIO()
    book.save(out)
    report = run(out.getvalue(), name="ds.xlsx")
    assert report.ok
    db.session.commit()
    assert user("duc").joined_on == date(2019, 5, 6)


def test_xlsx_formula_cells_are_refused(units):
    book = Workbook()
    sheet = book.active
    sheet.append(["username", "full_name", "unit_code"])
    sheet.append(["f", '=A2&"x"', "A"])
    out = io.BytesIO()
    book.save(out)
    report = run(out.getvalue(), name="ds.xlsx")
    assert [line for line, _m in report.errors] == [2]


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("r.csv", "username,full_name,unit_code\nan,Ân,A\n".encode("cp1258"), "UTF-8"),
        ("r.csv", "username,full_name,unit_code\n".encode("utf-16"), "UTF-16"),
        ("r.csv", b"", "trống"),
        ("r.csv", b"username,full_name\nan,An\n", "unit_code"),
        ("r.csv", b"username,full_name,unit_code,shoe_size\n", "shoe_size"),
        ("r.csv", b'username,full_name,unit_code\nan,"An,A\n', "dòng 2"),
        ("r.xlsx", b"PK not really a zip", "XLSX"),
        ("r.txt", b"username,full_name,unit_code\n", "CSV"),
    ],
)
def test_unreadable_files_are_refused_clearly(app, name, data, words):
    with pytest.raises(TableError) as error:
        roster.read_roster(name, data)
    assert words in str(error.value)


def test_limits_are_checked_while_reading(app, monkeypatch):
    monkeypatch.setattr(roster, "MAX_ROWS", 3)
    text = "username,full_name,unit_code\n" + "".join(f"u{i},N,A\n" for i in range(4))
    with pytest.raises(TableError, match="3"):
        roster.read_roster("r.csv", text.encode())
    monkeypatch.setattr(roster, "MAX_BYTES", 1024 * 1024)

    class Endless(io.RawIOBase):
        read_bytes = 0

        def read(self, size=-1):
            assert size != -1, "read everything before checking the size"
            self.read_bytes += size
            return b"x" * size

    stream = Endless()
    with pytest.raises(TableError, match="1 MB"):
        roster.read_roster("r.csv", stream)
    assert stream.read_bytes <= 1024 * 1024 + 1


def test_the_command_imports_then_lists(runner, units, tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text(HEADER + "an,Nguyễn Văn An,A,,an@example.vn,,01/07/2025,\n", encoding="utf-8")
    dry = runner.invoke(args=["people", "import", str(path), "--dry-run"])
    assert dry.exit_code == 0 and "1 created" in dry.output and count_users() == 0
    secrets = tmp_path / "passwords.csv"
    result = runner.invoke(args=["people", "import", str(path), "--passwords", str(secrets)])
    assert result.exit_code == 0, result.output
    assert "an,Nguyễn Văn An" in secrets.read_text(encoding="utf-8-sig")
    listed = runner.invoke(args=["people", "list", "--unit", "A", "--format", "json"])
    records = json.loads(listed.output)
    assert records == [
        {
            "username": "an",
            "full_name": "Nguyễn Văn An",
            "unit_code": "A",
            "unit_name": "Xã An (thử)",
            "position_code": None,
            "role": "official",
            "email": "an@example.vn",
            "joined_on": "2025-07-01",
            "left_on": None,
            "is_active": True,
        }
    ]
    as_csv = runner.invoke(args=["people", "list", "--unit", "B"])
    assert as_csv.output.splitlines() == [",".join(roster.LIST_FIELDS)]


def test_the_command_imports_with_the_scope_of_an_hr_account(runner, units, hr_b, tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text(HEADER + "an,An,A,,,,,\n", encoding="utf-8")
    result = runner.invoke(args=["people", "import", str(path), "--as", "HR.B"])
    assert result.exit_code == 1 and "line 2" in result.output


def test_the_template_reimports_cleanly(units, position, admin):
    data = roster.template_xlsx(admin)
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Danh sách", "Mã đơn vị", "Mã vị trí"]
    assert [r[0] for r in book["Mã đơn vị"].iter_rows(min_row=2, values_only=True)] == [
        "P",
        "A",
        "A1",
        "B",
    ]
    for rows in (
        roster.read_roster("t.xlsx", data),
        roster.read_roster("t.csv", roster.template_csv(admin)),
    ):
        report = roster.import_roster(rows, actor=admin, dry_run=True, now=NOW)
        assert report.ok and len(report.created) == 1


def test_utf16_without_a_byte_order_mark_is_recognised(app):
    data = "username,full_name,unit_code\nan,An,A\n".encode("utf-16-le")
    with pytest.raises(TableError, match="UTF-16"):
        roster.read_roster("r.csv", data)


def test_usernames_match_whatever_their_case_on_either_side(units):
    make_user("Le.Van.Tam", unit=units["A"], full_name="Lê Văn Tâm")
    report = run(HEADER + "LE.VAN.TAM,Lê Văn Tâm,B,,,,,\n")
    assert not report.created and [c.username for c in report.moved] == ["le.van.tam"]
    db.session.commit()
    assert count_users() == 1


def test_records_from_the_api_go_through_the_same_checks(units):
    nfd = unicodedata.normalize("NFD", " Đỗ Thị Ánh ")
    rows = roster.rows_from_records(
        [{"username": "anh", "full_name": nfd, "unit_code": "A"}, {"tên đăng nhập": "x"}]
    )
    report = roster.import_roster(rows, actor=None, dry_run=True, now=NOW)
    assert report.created == [] and [line for line, _m in report.errors] == [3]
    assert rows[0].values["full_name"] == "Đỗ Thị Ánh"
    with pytest.raises(TableError):
        roster.rows_from_records([{"shoe_size": 42}])
