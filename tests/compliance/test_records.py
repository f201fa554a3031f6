"""Year-end training records: one official's PDF, a unit's ZIP of PDFs (streamed)."""

from __future__ import annotations

import io
import zipfile

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from app.models import Certificate, db
from tests.compliance.scenario import TODAY, build
from tests.factories import make_user


@pytest.fixture
def scenario(app, content_dirs, monkeypatch):
    built = build(content_dirs)
    monkeypatch.setattr("app.certificates.record_views.local_date", lambda _now: TODAY)
    return built


def text_of(pdf: bytes) -> str:
    return " ".join((page.extract_text() or "") for page in PdfReader(io.BytesIO(pdf)).pages)


def test_an_official_downloads_their_own_record(client, login, scenario):
    binh = scenario.people["binh"]
    login(binh)
    client.post("/certificates/standard/2026")  # a certificate issued: its code is on the record
    response = client.get("/records/2026.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "ho-so-boi-duong-2026-binh.pdf" in response.headers["Content-Disposition"]
    text = text_of(response.data)
    code = db.session.scalar(select(Certificate.code).where(Certificate.user_id == binh.id))
    for expected in (
        "Hồ sơ bồi dưỡng",
        "Binh",
        "Xã Xuân (thử)",
        "Đạt chuẩn",
        "Khóa A",
        "Khóa D",
        "04/04/2026",  # D completed on that day
        "80%",  # quiz grade
        code,
        "Hạn hoàn thành: 15/12/2026",
        "Nghị định 335/2025/NĐ-CP",
    ):
        assert expected in text, expected
    assert "Khóa C" not in text  # not completed: not on the record


def test_the_record_names_external_training_and_the_reason_of_the_status(client, login, scenario):
    login(scenario.people["hr"])
    chi = scenario.people["chi"]
    text = text_of(client.get(f"/records/2026.pdf?user={chi.id}").data)
    assert "Lớp quản lý nhà nước" in text and "Trường Chính trị tỉnh" in text
    assert "01/06/2026 – 03/06/2026" in text
    assert "Quá hạn" in text and "đã quá hạn 15/12/2026" in text
    assert "Số giờ bồi dưỡng bên ngoài 6" in text


def test_nobody_else_gets_a_record(client, login, scenario):
    an = scenario.people["an"]
    assert client.get("/records/2026.pdf").status_code == 302  # sign in first
    login(scenario.people["binh"])
    assert client.get(f"/records/2026.pdf?user={an.id}").status_code == 404
    assert client.get("/hr/records/2026.zip").status_code == 403
    client.post("/auth/logout")
    outsider = make_user("hr.other", role="hr", unit=scenario.units["Y"])
    login(outsider)
    assert client.get(f"/records/2026.pdf?user={an.id}").status_code == 404  # commune X
    assert client.get("/hr/records/2026.zip?unit=X").status_code == 404
    assert client.get("/records/1999.pdf").status_code == 404


def test_a_units_records_come_as_one_streamed_zip(client, login, scenario):
    login(scenario.people["hr"])
    response = client.get("/hr/records/2026.zip?unit=X")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert response.is_streamed
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert archive.testzip() is None
    names = archive.namelist()
    assert {name.removeprefix("ho-so-boi-duong-2026-") for name in names} == {
        f"{person}.pdf" for person in ("an", "binh", "ha", "lan", "nam")
    }
    assert "Khóa D" in text_of(archive.read("ho-so-boi-duong-2026-binh.pdf"))
    everyone = zipfile.ZipFile(io.BytesIO(client.get("/hr/records/2026.zip").data))
    assert len(everyone.namelist()) == 11  # the whole province


def test_the_pages_link_to_the_records(client, login, scenario):
    login(scenario.people["hr"])
    an = scenario.people["an"]
    assert f"/records/2026.pdf?user={an.id}" in client.get(
        f"/hr/officials/{an.id}?year=2026"
    ).get_data(as_text=True)
    assert "/hr/records/2026.zip?unit=X" in client.get("/hr/officials?year=2026&unit=X").get_data(
        as_text=True
    )
