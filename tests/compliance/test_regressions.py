"""Cases found in review, kept so they stay fixed."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.compliance import imports, notify, queries, services
from app.content.loader import read_content
from app.models import ExternalTraining, Message, Role, db, utcnow
from app.progress import queries as progress_queries
from tests.compliance.scenario import TODAY, at, build, take_quiz
from tests.factories import load_content, make_user, responses


@pytest.fixture
def scenario(app, content_dirs):
    return build(content_dirs)


def status_of(user) -> str:
    return str(services.official_status(queries.standard_for(2026), user, today=TODAY).status)


def test_a_low_retake_does_not_undo_an_imported_completion(app, scenario):
    nam = scenario.people["nam"]
    assert status_of(nam) == "compliant"
    take_quiz(nam, 8, at(date(2026, 12, 1)))  # 40%, below the standard's 70
    db.session.commit()
    assert status_of(nam) == "compliant"


def test_a_retake_can_raise_a_grade_below_the_standard(app, scenario):
    chi = scenario.people["chi"]
    assert (
        "Khóa A"
        in services.official_status(queries.standard_for(2026), chi, today=TODAY).result.missing
    )
    take_quiz(chi, 18, at(date(2026, 12, 2)))  # 90%
    db.session.commit()
    result = services.official_status(queries.standard_for(2026), chi, today=TODAY).result
    assert "Khóa A" not in result.missing


def test_one_bad_address_does_not_stop_reminders_nor_send_twice(app, scenario, monkeypatch):
    sent = []

    def send(to, subject, body):
        if "\n" in to:
            raise ValueError("header injection")
        sent.append(to)

    mailer = notify.Mailer({"MAIL_SERVER": "smtp.example.invalid"})
    monkeypatch.setattr(mailer, "send", send)
    scenario.people["an"].email = "an@example.vn"
    scenario.people["chi"].email = "chi@example.vn\nBcc: x@example.vn"
    scenario.people["dung"].email = "dung@example.vn"
    db.session.commit()
    now = datetime(2026, 12, 20, 2)
    report = notify.send_reminders(today=TODAY, now=now, mailer=mailer)
    assert report.failed == 1 and sorted(sent) == ["an@example.vn", "dung@example.vn"]
    notify.send_reminders(today=TODAY, now=now, mailer=mailer)
    assert sorted(sent) == ["an@example.vn", "dung@example.vn"]
    failed = db.session.scalar(select(Message).where(Message.status == "failed"))
    assert failed.recipient_id == scenario.people["chi"].id and "ValueError" in failed.error


def test_xlsx_export_survives_control_characters(client, login, scenario):
    hr = scenario.people["hr"]
    services.set_exemption(
        scenario.people["an"], 2026, "Nghỉ\x0bốm dài", granted_by=hr, now=utcnow()
    )
    db.session.commit()
    login(hr)
    response = client.get("/hr/export.xlsx?year=2026")
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.get_data())).active.iter_rows(values_only=True))
    assert any("Nghỉốm dài" in str(cell) for row in rows for cell in row)


def test_withdrawing_a_lesson_completes_the_course_for_those_who_read_the_rest(
    app, content_dirs, scenario
):
    courses, quizzes = content_dirs
    from tests.factories import write_lesson

    ha = scenario.people["ha"]
    folder = courses / "khoa-c"
    write_lesson(folder / "02-them.md", title="Thêm", body="Bài thêm.")
    content, errors = read_content(courses, quizzes)
    assert errors == []
    load_content(content, now=utcnow())
    from tests.compliance.scenario import finish

    finish(ha, "khoa-c", utcnow())  # the first lesson only: not complete
    db.session.commit()
    (folder / "02-them.md").unlink()
    content, errors = read_content(courses, quizzes)
    load_content(content, now=utcnow())
    db.session.commit()
    progress = [
        row
        for row in progress_queries.user_course_progress(ha, utcnow().year)
        if row.slug == "khoa-c"
    ][0]
    assert progress.completed_at is not None


def test_an_override_never_shortens_a_running_attempt(app, scenario):
    from app.models import Quiz
    from app.quiz import services as quiz_services

    quiz = db.session.scalar(select(Quiz))
    quiz.time_limit_minutes = 20
    quiz.attempts_allowed = 1
    official, hr = scenario.people["giang"], scenario.people["hr"]
    t0 = datetime(2026, 6, 1, 2)
    quiz_services.grant_override(
        quiz,
        official,
        extra_minutes=30,
        extra_attempts=0,
        close_at=None,
        reason="Khuyết tật",
        granted_by=hr,
        now=t0,
    )
    attempt = quiz_services.start_attempt(quiz, official, now=t0)
    assert attempt.deadline_at == t0 + timedelta(minutes=50)
    quiz_services.grant_override(
        quiz,
        official,
        extra_minutes=0,
        extra_attempts=1,
        close_at=None,
        reason="Mất mạng",
        granted_by=hr,
        now=t0 + timedelta(minutes=25),
    )
    assert attempt.deadline_at == t0 + timedelta(minutes=50)
    quiz_services.save_responses(
        attempt, responses(attempt, {"shown": []}), now=t0 + timedelta(minutes=26)
    )


def test_decomposed_vietnamese_headers_are_read():
    import unicodedata

    header = unicodedata.normalize("NFD", "Tên đăng nhập,Ngày hoàn thành,Số giờ\n")
    rows = imports.read_rows("a.csv", (header + "ha,01/02/2026,4\n").encode())
    assert rows[0].values == {"username": "ha", "completed_on": "01/02/2026", "hours": "4"}


def test_today_in_vietnam_is_not_the_future(app, scenario):
    hr = scenario.people["hr"]
    rows = [
        imports.ImportRow(
            2, {"username": "ha", "title": "Lớp", "hours": "2", "completed_on": "21/12/2026"}
        )
    ]
    # 23:30 UTC on 20/12 is already 06:30 on 21/12 in Hà Nội
    report = imports.import_records(rows, viewer=hr, now=datetime(2026, 12, 20, 23, 30))
    assert report.errors == []
    db.session.rollback()


@pytest.mark.parametrize(
    "url",
    [
        "/quiz/attempts/99999999999999999999",
        "/hr/officials/99999999999999999999",
        "/standards/99999999999999999999",
        "/certificates/standard/99999999999999999999",
    ],
)
def test_huge_numbers_in_addresses_are_404(client, login, scenario, url):
    login(scenario.people["hr"])
    assert client.get(url).status_code == 404


BAD_QUERIES = [
    "/my/training?year=99999999999999999999",
    "/my/training?year=1999",
    "/my/training?year=%D9%A2%D9%A0%D9%A2%D9%A6",  # Arabic-Indic digits, which int() takes
    "/hr/?year=abc",
    "/hr/?year=2026&position=bogus",
    "/hr/?year=2026&unit=X%0D%0ASet-Cookie:x=1",
    "/hr/officials?year=2026&page=-1",
    "/hr/officials?year=2026&page=0",
    "/hr/officials?year=2026&page=1_0",
    "/hr/officials?year=2026&sort=bogus",
    "/hr/officials?year=2026&status=bogus",
    "/hr/officials?year=2026&q=" + "x" * 101,
    "/hr/export.csv?year=2026&level=%E1%BB%87",  # ệ
    "/hr/export.csv?year=2026&level=officials%0D%0AX:1",
    "/hr/export.csv?year=2026&level=evil.html",
    "/hr/export.csv?year=2026&status=bogus",
    "/hr/export.csv?year=20260",
    "/hr/export.html?year=2026",
    "/hr/export.json?year=2026",
    "/admin/outbox?status=bogus",
    "/admin/users?page=abc",
    "/certificates/standard/2026?user=abc",
]


@pytest.mark.parametrize("url", BAD_QUERIES)
def test_query_values_the_page_does_not_offer_are_400(client, login, scenario, url):
    if url.startswith("/admin/"):
        login(make_user("quan.tri", role=Role.ADMIN))
    else:
        login(scenario.people["an" if url.startswith(("/my/", "/certificates/")) else "hr"])
    response = client.get(url)
    assert response.status_code == 400, url
    assert "Content-Disposition" not in response.headers


def test_export_names_come_from_the_year_and_level_only(client, login, scenario):
    login(scenario.people["hr"])
    response = client.get("/hr/export.xlsx?year=2026&level=units&q=evil.html&sort=name")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="dat-chuan-2026-units.xlsx"'
    )


def test_every_value_the_pages_offer_is_accepted(client, login, scenario):
    login(scenario.people["hr"])
    for sort in ("name", "unit", "status", "hours", "activity"):
        assert client.get(f"/hr/officials?year=2026&sort={sort}").status_code == 200
    for status in ("compliant", "in_progress", "not_started", "overdue", "exempt"):
        assert client.get(f"/hr/officials?status={status}&page=2").status_code == 200
    assert client.get("/hr/?year=2026&unit=Y&position=&status=").status_code == 200
    assert client.get("/hr/officials?q=%20Chi%20&page=99999").status_code == 200


def test_verify_accepts_a_code_typed_with_slashes(client, login, scenario):
    login(scenario.people["binh"])
    client.post("/certificates/course/khoa-a/2026")
    from app.models import Certificate

    code = db.session.scalar(select(Certificate.code))
    typed = code.replace("-", "/").lower()
    response = client.get(f"/verify?code={typed}", follow_redirects=True)
    assert response.status_code == 200 and "là thật" in response.get_data(as_text=True)


def test_external_training_cannot_end_in_the_future(client, login, scenario):
    login(scenario.people["hr"])
    response = client.post(
        f"/hr/officials/{scenario.people['ha'].id}/external",
        data={"title": "Lớp", "hours": "4", "end_date": "2099-01-01"},
    )
    assert response.status_code == 400
    assert "không thể ở tương lai" in response.get_data(as_text=True)
    nan = client.post(
        f"/hr/officials/{scenario.people['ha'].id}/external",
        data={"title": "Lớp", "hours": "sNaN", "end_date": "2026-01-01"},
    )
    assert nan.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Message)) == 0


def post_scan(client, user, content: bytes, name: str):
    return client.post(
        f"/hr/officials/{user.id}/external",
        data={
            "title": "Lớp tập huấn",
            "hours": "4",
            "end_date": "2026-10-02",
            "scan": (io.BytesIO(content), name),
        },
        content_type="multipart/form-data",
    )


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"<html><script>alert(1)</script></html>", "chung-chi.pdf"),
        (b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", "anh.png"),
        (b"MZ\x90\x00", "scan.jpg"),
        (b" %PDF-1.4", "scan.pdf"),
        (b"", "scan.pdf"),
    ],
)
def test_a_scan_whose_content_is_not_pdf_jpeg_or_png_is_refused(
    client, login, scenario, content, name
):
    login(scenario.people["hr"])
    response = post_scan(client, scenario.people["ha"], content, name)
    assert response.status_code == 400
    assert "Tệp không phải là tài liệu PDF, JPG hay PNG." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(ExternalTraining.id))) == 2  # the scenario's


@pytest.mark.parametrize(
    ("content", "mimetype"),
    [
        (b"%PDF-1.7\n...", "application/pdf"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image/png"),
    ],
)
def test_a_scan_is_stored_with_the_type_its_content_shows(
    client, login, scenario, content, mimetype
):
    login(scenario.people["hr"])
    response = post_scan(client, scenario.people["ha"], content, "scan.pdf")
    assert response.status_code == 302
    record = db.session.scalar(select(ExternalTraining).order_by(ExternalTraining.id.desc()))
    assert record.file_type == mimetype
    scan = client.get(f"/hr/external/{record.id}/scan")
    assert scan.mimetype == mimetype
    extension = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}[mimetype]
    assert scan.headers["Content-Disposition"] == (
        f'attachment; filename="scan-{record.id}.{extension}"'
    )


def post_external(client, user, **fields):
    data = {"title": "Lớp tập huấn", "hours": "4", "end_date": "2026-10-02", **fields}
    return client.post(f"/hr/officials/{user.id}/external", data=data)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"end_date": "2026-02-30"}, "Ngày 30/02/2026 không có trên lịch."),  # was "required"
        ({"start_date": "2026-02-30"}, "Ngày 30/02/2026 không có trên lịch."),
        ({"end_date": "0001-01-01"}, "Nhập một ngày từ 01/01/1950 đến 31/12/2100."),
        ({"start_date": "0001-01-01"}, "Nhập một ngày từ 01/01/1950 đến 31/12/2100."),
        ({"end_date": ""}, "Mục này không được để trống."),
        ({"title": ""}, "Mục này không được để trống."),
        ({"hours": "abc"}, "Không phải là số hợp lệ."),
        ({"hours": "5000"}, "Số phải từ 0.25 đến 1000."),
        ({"title": "x" * 301}, "Không được dài quá 300 ký tự."),
    ],
)
def test_form_messages_say_what_is_wrong_in_vietnamese(client, login, scenario, fields, message):
    login(scenario.people["hr"])
    response = post_external(client, scenario.people["ha"], **fields)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page
    for english in ("This field is required", "Not a valid", "Field ", "Number must"):
        assert english not in page


def test_leave_and_deadline_forms_refuse_impossible_and_far_dates(client, login, scenario):
    login(scenario.people["hr"])
    url = f"/hr/officials/{scenario.people['ha'].id}"
    leave = client.post(
        f"{url}/leave?year=2026",
        data={"start_date": "2026-02-30", "end_date": "9999-01-01", "kind": "Nghỉ ốm"},
    )
    assert leave.status_code == 400
    page = leave.get_data(as_text=True)
    assert "Ngày 30/02/2026 không có trên lịch." in page and "đến 31/12/2100" in page
    extension = client.post(
        f"{url}/extension?year=2026", data={"deadline": "2026-04-31", "reason": "Nghỉ ốm dài"}
    )
    assert extension.status_code == 400
    assert "Ngày 31/04/2026 không có trên lịch." in extension.get_data(as_text=True)


def test_an_imported_record_from_year_one_is_refused(app, scenario):
    hr = scenario.people["hr"]
    rows = imports.read_rows(
        "a.csv", "username,title,hours,completed_on\nha,Lớp,4,01/01/0001\n".encode()
    )
    report = imports.import_records(rows, viewer=hr, now=utcnow())
    assert report.errors and "01/01/1950" in report.errors[0][1]
