"""What officials and HR see and download: pages, exports, reports, certificates, reminders."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.compliance import notify, queries, services
from app.compliance.exports import safe_cell
from app.models import Certificate, ExternalTraining, Message, Role, User, db
from tests.compliance.scenario import EXPECTED, TODAY, build
from tests.factories import make_user

NOW = datetime(2026, 12, 20, 2, 0)  # UTC, on the scenario's day


@pytest.fixture
def scenario(app, content_dirs, clock):
    built = build(content_dirs)
    clock.freeze(NOW)  # pages judge "today" by the clock: the scenario's day
    return built


def test_an_official_without_a_unit_is_told_why_no_standard_applies(client, login, scenario):
    loose = make_user("khong.don.vi")
    login(loose)
    page = client.get("/my/training").get_data(as_text=True)
    assert "không phải tài khoản của công chức đã được gắn với một đơn vị" in page


def test_official_sees_status_reason_deadline_and_progress(client, login, scenario):
    login(scenario.people["ha"])
    page = client.get("/my/training").get_data(as_text=True)
    assert "Đang làm" in page
    assert EXPECTED["ha"][1] in page
    assert "31/12/2026" in page and "còn 11 ngày" in page
    assert "Khóa A" in page and "Khóa B" in page
    assert "không phải kết quả đánh giá, xếp loại chất lượng công chức" in page
    home = client.get("/").get_data(as_text=True)
    assert EXPECTED["ha"][1] in home


def test_hr_dashboard_counts_units_and_drills_down(client, login, scenario):
    login(scenario.people["hr"])
    page = client.get("/hr/?year=2026").get_data(as_text=True)
    assert "Xã Xuân (thử)" in page and "<svg" in page
    assert "33,3% công chức thuộc diện đã đạt chuẩn (2/6" in page
    listing = client.get("/hr/officials?year=2026&unit=Y&status=overdue").get_data(as_text=True)
    assert "Chi" in listing and "Dung" in listing and "Minh" not in listing
    assert "Còn thiếu 1 khóa: Khóa A" in listing
    record = client.get(f"/hr/officials/{scenario.people['chi'].id}?year=2026").get_data(
        as_text=True
    )
    assert "Lớp quản lý nhà nước" in record and "65%" in record


def test_hr_pages_are_scoped(client, login, scenario):
    hr_y = make_user("hr.y", role=Role.HR, unit=scenario.units["Y"])
    login(hr_y)
    listing = client.get("/hr/officials?year=2026").get_data(as_text=True)
    assert "Chi" in listing and "Binh" not in listing
    assert client.get(f"/hr/officials/{scenario.people['binh'].id}").status_code == 404
    assert client.get("/hr/officials?unit=X").status_code == 404
    export = client.get("/hr/export.csv?year=2026").get_data(as_text=True)
    assert "chi" in export and "binh" not in export
    assert (
        client.get(f"/certificates/standard/2026?user={scenario.people['binh'].id}").status_code
        == 404
    )


def test_dashboard_queries_do_not_grow_with_officials(client, login, scenario, count_queries):
    login(scenario.people["hr"])
    db.session.expire_all()  # as after a commit: both rounds reload the signed-in user alike
    with count_queries() as few:
        assert client.get("/hr/?year=2026").status_code == 200
        assert client.get("/hr/officials?year=2026").status_code == 200
        assert client.get("/hr/export.csv?year=2026").status_code == 200
    for i in range(60):
        make_user(f"them{i}", unit=scenario.units["X" if i % 2 else "Z"], commit=False)
    db.session.commit()
    db.session.expire_all()
    with count_queries() as many:
        assert client.get("/hr/?year=2026").status_code == 200
        assert client.get("/hr/officials?year=2026").status_code == 200
        assert client.get("/hr/export.csv?year=2026").status_code == 200
    assert few.count == many.count


def test_csv_export_opens_in_excel_with_vietnamese(client, login, scenario):
    login(scenario.people["hr"])
    response = client.get("/hr/export.csv?year=2026")
    assert response.mimetype == "text/csv"
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Mã đơn vị", "Đơn vị", "Tên đăng nhập"]
    by_user = {row[2]: row for row in rows[1:]}
    assert set(by_user) == set(EXPECTED)
    assert by_user["chi"][5] == "overdue" and by_user["chi"][6] == "Quá hạn"
    assert by_user["chi"][7] == EXPECTED["chi"][1]
    assert by_user["binh"][13] == "15/12/2026"


def test_xlsx_export_of_units(client, login, scenario):
    login(scenario.people["hr"])
    response = client.get("/hr/export.xlsx?year=2026&level=units")
    workbook = load_workbook(io.BytesIO(response.get_data()))
    sheet = workbook.active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][1] == "Đơn vị" and rows[0][3] == "Đạt chuẩn"
    units = {row[0]: row for row in rows[1:-1]}
    assert units["X"][1] == "Xã Xuân (thử)" and units["X"][3] == 2 and units["X"][-1] == 50.0
    assert rows[-1][1] == "Tổng" and rows[-1][2] == 11


def test_report_command_matches_the_dashboard(runner, scenario, tmp_path):
    out = tmp_path / "report.json"
    result = runner.invoke(
        args=["report", "compliance", "--year", "2026", "--format", "json", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    found = {row["username"]: (row["status"], row["reason"]) for row in data["rows"]}
    assert found == EXPECTED
    units = runner.invoke(
        args=["report", "compliance", "--year", "2026", "--level", "units", "--unit", "P"]
    )
    lines = list(csv.reader(io.StringIO(units.output.lstrip("\ufeff"))))
    x = next(line for line in lines if line[0] == "X")
    assert x[3:5] == ["2", "1"]  # meets the standard, in progress
    as_json = runner.invoke(
        args=[
            *("report", "compliance", "--year", "2026", "--level", "units", "--unit", "P"),
            *("--format", "json"),
        ]
    )
    assert as_json.exit_code == 0, as_json.output
    shares = {
        row["unit_code"]: row["compliant_share"] for row in json.loads(as_json.output)["rows"]
    }
    assert shares["X"] == 50.0 and shares[""] == 33.3  # the total: 2 of 6, cut, not rounded
    xlsx = tmp_path / "r.xlsx"
    assert (
        runner.invoke(
            args=["report", "compliance", "--year", "2026", "--format", "xlsx", "-o", str(xlsx)]
        ).exit_code
        == 0
    )
    assert load_workbook(xlsx).active.max_row == 12
    missing = runner.invoke(args=["report", "compliance", "--year", "2030"])
    assert missing.exit_code != 0 and "No standard" in missing.output


@pytest.mark.parametrize(
    "value",
    ['=HYPERLINK("http://x")', "+1", "-2+3", "@SUM(A1)", "\t=1", " =1+1", "\x0b\x0c@SUM(A1)"],
)
def test_formula_like_text_is_neutralised(value):
    assert safe_cell(value) == "'" + value
    assert safe_cell(12) == 12 and safe_cell("Nguyễn") == "Nguyễn"
    assert safe_cell(" Xã Hòa - thôn 2") == " Xã Hòa - thôn 2"


def test_certificates_verify_and_made_up_codes_do_not(client, login, scenario):
    binh = scenario.people["binh"]
    login(binh)
    ready = client.get("/certificates/course/khoa-a/2026")  # earned, not issued: a button
    assert ready.status_code == 200 and ready.mimetype == "text/html"
    assert db.session.scalar(select(func.count(Certificate.id))) == 0  # a GET issues nothing
    course = client.post("/certificates/course/khoa-a/2026")
    assert course.status_code == 200 and course.mimetype == "application/pdf"
    standard = client.post("/certificates/standard/2026")
    assert standard.status_code == 200
    assert client.get("/certificates/course/khoa-c/2026").status_code == 404  # not completed
    assert client.post("/certificates/course/khoa-c/2026").status_code == 404
    codes = db.session.scalars(select(Certificate.code).where(Certificate.user_id == binh.id)).all()
    assert len(codes) == 2
    again = client.get("/certificates/course/khoa-a/2026")  # the same certificate again
    assert again.mimetype == "application/pdf"
    client.post("/certificates/course/khoa-a/2026")
    assert db.session.scalar(select(func.count(Certificate.id))) == 2
    anonymous = client.application.test_client()
    page = anonymous.get(f"/verify/{codes[0]}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Binh" in text and "là thật" in text
    assert "Xã Xuân" not in text  # who, what and when, and nothing more
    typed = anonymous.get(f"/verify/{codes[0].lower().replace('-', ' ')}")
    assert typed.status_code == 200
    assert anonymous.get("/verify/ABCD-EFGH-JKMN-PQRS").status_code == 404
    assert anonymous.get("/verify/not-a-code").status_code == 404


def test_no_standard_certificate_before_meeting_it(client, login, scenario):
    login(scenario.people["an"])
    assert client.get("/certificates/standard/2026").status_code == 404


def test_reminders_go_once_to_officials_and_hr(app, scenario):
    report = notify.send_reminders(today=TODAY, now=NOW)
    db.session.commit()
    overdue = {"an", "chi", "dung"}
    keys = db.session.execute(
        select(User.username, Message.key).join(User, User.id == Message.recipient_id)
    ).all()
    officials = {name for name, key in keys if key == "2026:overdue:official"}
    assert officials == overdue
    assert ("hr.p", "2026:overdue:hr") in keys
    assert report.outbox == len(keys) and report.sent == 0
    again = notify.send_reminders(today=TODAY, now=NOW)
    db.session.commit()
    assert again.skipped == len(keys) and again.outbox == 0
    body = db.session.scalar(select(Message.body).where(Message.key == "2026:overdue:hr"))
    assert "Chi" in body and "Còn thiếu 1 khóa: Khóa A" in body


def test_reminder_days_before_the_deadline(app, scenario):
    report = notify.send_reminders(today=date(2026, 12, 1), now=NOW)
    db.session.commit()
    keys = set(db.session.scalars(select(Message.key)))
    assert "2026:before:30:official" in keys and report.outbox >= 1
    later = notify.send_reminders(today=date(2026, 12, 10), now=NOW)
    db.session.commit()
    assert "2026:before:7:official" in set(db.session.scalars(select(Message.key)))
    # ha's deadline was extended to 31/12: still in the 30-day stage, already reminded of it,
    # and so was HR for that stage: neither gets it twice.
    assert later.skipped == 2
    ha = scenario.people["ha"].id
    assert db.session.scalar(select(func.count(Message.id)).where(Message.recipient_id == ha)) == 1


def test_reminders_by_smtp_are_logged(app, scenario, monkeypatch):
    sent = []
    mailer = notify.Mailer({"MAIL_SERVER": "smtp.example.invalid"})
    monkeypatch.setattr(mailer, "send", lambda to, subject, body: sent.append((to, subject)))
    for user in scenario.people.values():
        user.email = f"{user.username}@example.invalid"
    db.session.commit()
    report = notify.send_reminders(today=TODAY, now=NOW, mailer=mailer)
    db.session.commit()
    assert report.sent == len(sent) > 0
    assert db.session.scalar(select(func.count(Message.id)).where(Message.status == "sent")) == len(
        sent
    )


def test_outbox_is_for_admins(client, login, scenario):
    notify.send_reminders(today=TODAY, now=NOW)
    db.session.commit()
    admin = make_user("quantri", role=Role.ADMIN)
    login(scenario.people["hr"])
    assert client.get("/admin/outbox").status_code == 403
    login(admin)
    page = client.get("/admin/outbox").get_data(as_text=True)
    assert "Chuẩn bồi dưỡng năm 2026: đã quá hạn" in page


def test_hr_records_external_training_with_a_scan(client, login, scenario):
    login(scenario.people["hr"])
    ha = scenario.people["ha"]
    response = client.post(
        f"/hr/officials/{ha.id}/external",
        data={
            "title": "Bồi dưỡng kỹ năng số",
            "provider": "Trường Chính trị tỉnh",
            "hours": "7,5".replace(",", "."),
            "start_date": "2026-10-01",
            "end_date": "2026-10-02",
            "scan": (io.BytesIO(b"%PDF-1.4 scan"), "chung-chi.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    record = db.session.scalar(select(ExternalTraining).where(ExternalTraining.user_id == ha.id))
    assert record.hours == Decimal("7.5") and record.created_by_id == scenario.people["hr"].id
    scan = client.get(f"/hr/external/{record.id}/scan")
    assert scan.get_data() == b"%PDF-1.4 scan"


def test_external_training_form_errors_keep_what_was_typed(client, login, scenario):
    login(scenario.people["hr"])
    response = client.post(
        f"/hr/officials/{scenario.people['ha'].id}/external",
        data={"title": "Lớp tập huấn", "hours": "abc", "end_date": ""},
    )
    assert response.status_code == 400
    assert 'value="Lớp tập huấn"' in response.get_data(as_text=True)


def test_hr_extends_exempts_and_records_leave(client, login, scenario):
    login(scenario.people["hr"])
    an = scenario.people["an"]

    def status() -> str:
        return str(services.official_status(queries.standard_for(2026), an, today=TODAY).status)

    assert status() == "overdue"
    url = f"/hr/officials/{an.id}"
    client.post(f"{url}/extension?year=2026", data={"deadline": "2026-12-28", "reason": "Đi học"})
    assert status() == "in_progress"
    client.post(f"{url}/exemption?year=2026", data={"reason": "Biệt phái dài hạn"})
    assert status() == "exempt"
    client.post(f"{url}/exemption?year=2026", data={"lift": "1"})
    assert status() == "in_progress"
    client.post(
        f"{url}/leave?year=2026",
        data={"start_date": "2026-01-01", "end_date": "2026-08-31", "kind": "Nghỉ thai sản"},
    )
    assert status() == "exempt"  # four months of work left in the year
    for too_far in ("2027-01-15", "2026-12-01"):  # next year, or not later than the deadline
        bad = client.post(
            f"{url}/extension?year=2026", data={"deadline": too_far, "reason": "Không hợp lệ"}
        )
        assert bad.status_code == 400
        page = bad.get_data(as_text=True)
        assert "Hạn mới phải sau ngày 15/12/2026 và trong năm 2026" in page
        assert f'value="{too_far}"' in page and "Không hợp lệ" in page  # what was typed stays
    short = client.post(f"{url}/exemption?year=2026", data={"reason": "ốm"})
    assert short.status_code == 400 and "ốm</textarea>" in short.get_data(as_text=True)
    backwards = client.post(
        f"{url}/leave?year=2026",
        data={"start_date": "2026-05-01", "end_date": "2026-04-01", "kind": "Nghỉ ốm"},
    )
    assert backwards.status_code == 400
    assert 'value="Nghỉ ốm"' in backwards.get_data(as_text=True)


def test_dashboard_links_to_the_units_below_a_unit_that_has_some(client, login, scenario):
    from app.people.services import create_unit

    centre = create_unit(
        "X-TT", "Trung tâm phục vụ hành chính công Xuân", "agency", scenario.units["X"]
    )
    scenario.people["lan"].unit = centre
    db.session.commit()
    login(scenario.people["hr"])
    page = client.get("/hr/?year=2026").get_data(as_text=True)
    assert "/hr/?year=2026&amp;unit=X&amp;position=" in page  # X has a unit below it
    assert page.count("đơn vị trực thuộc") == 1  # and only X
    below = client.get("/hr/?year=2026&unit=X").get_data(as_text=True)
    assert "Trung tâm phục vụ hành chính công Xuân" in below
