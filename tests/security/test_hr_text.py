"""Text typed by HR and admins (names, units, reasons, external training, imports) on every HR
page, in the CSV/XLSX exports (formula injection), on /verify and in the PDF certificates."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from urllib.parse import quote

import pytest
import yaml
from openpyxl import load_workbook
from sqlalchemy import select

from app.compliance import notify
from app.models import Certificate, ExternalTraining, Role, UnitKind, db, local_year, utcnow
from app.people.services import create_unit, sync_positions
from app.progress.services import complete_lesson
from tests.factories import make_user
from tests.security.content import file_payloads, front_matter, load
from tests.security.html_check import assert_inert_page
from tests.security.payloads import FORMULA_PAYLOADS, PAYLOADS, chunks

# PostgreSQL refuses NUL in text: what a form or an import can actually store.
DB_TEXT = [p.replace("\x00", "") for p in PAYLOADS]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
YEAR = local_year(utcnow())


class World:
    def __init__(self, content_dirs):
        courses, quizzes = content_dirs
        titles = chunks(240, file_payloads())
        for slug, title in (("cong-thuc", FORMULA_PAYLOADS[5]), ("khoa-xss", titles[3])):
            folder = courses / slug
            folder.mkdir()
            meta = {"title": title, "track": "it", "hours": 2, "summary": title}
            (folder / "course.md").write_text(front_matter(meta, "Giới thiệu."), encoding="utf-8")
            (folder / "01-bai.md").write_text(
                front_matter({"title": title}, "Nội dung."), encoding="utf-8"
            )
        (courses / "standards").mkdir()
        standard = {
            "year": YEAR,
            "title": chunks(290, file_payloads())[2],
            "issuer": chunks(290, file_payloads())[4],
            "legal_basis": [FORMULA_PAYLOADS[0], *file_payloads()],
            "notes": "\n\n".join(file_payloads()),
            "period": {"start": f"{YEAR}-01-01", "deadline": f"{YEAR}-12-15"},
            "required": {"everyone": ["cong-thuc", "khoa-xss"]},
            "reminders": {"days_before": [366]},
        }
        (courses / "standards" / f"{YEAR}.yml").write_text(
            yaml.safe_dump(standard, allow_unicode=True, width=10_000), encoding="utf-8"
        )
        load(content_dirs)
        sync_positions()
        names = chunks(200, DB_TEXT) + FORMULA_PAYLOADS
        province = create_unit("P", names[-1], UnitKind.PROVINCE)
        self.units = [
            create_unit(f"U{i}", name, UnitKind.COMMUNE, province) for i, name in enumerate(names)
        ]
        self.officials = [
            make_user(f"cc{i}", full_name=name, unit=self.units[i], commit=False)
            for i, name in enumerate(names)
        ]
        exotic = "".join(p for p in DB_TEXT if re.search(r"[^\x20-\x7e]", p))
        self.officials.append(make_user("cc.exotic", full_name=exotic[:200], commit=False))
        self.officials[-1].unit = self.units[0]
        self.hr = make_user("hr.xss", role=Role.HR, unit=province, full_name=names[1])
        self.admin = make_user("admin.xss", role=Role.ADMIN, full_name=names[2])
        db.session.commit()
        self.target = self.officials[1]  # HR records things for this one
        # a name of control, full-width and typographic characters, and a formula
        self.compliant = [self.officials[-1], self.officials[-2]]
        from app.models import Lesson

        for lesson in db.session.scalars(select(Lesson)):
            for user in self.compliant:
                complete_lesson(user, lesson, now=utcnow())
        db.session.commit()


@pytest.fixture
def world(app, content_dirs):
    return World(content_dirs)


def inert(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, url
    page = response.get_data(as_text=True)
    assert_inert_page(page, where=url)
    return page


def assert_no_formula(cells, where: str) -> None:
    for value in cells:
        if isinstance(value, str):
            assert not value.startswith(FORMULA_START), (where, value)


@pytest.mark.slow  # every payload on every HR page
def test_hr_entered_text_is_inert_everywhere(client, login, world):
    login(world.hr)
    target = world.target
    url = f"/hr/officials/{target.id}"
    for k, chunk in enumerate(chunks(300, DB_TEXT)):
        data = {
            "title": chunk,
            "provider": chunk,
            "hours": "1",
            "start_date": f"{YEAR}-01-01",
            "end_date": f"{YEAR}-01-01",
            "note": chunks(2000, DB_TEXT)[k % len(chunks(2000, DB_TEXT))],
        }
        if k == 0:  # a PDF scan named like a payload, claiming to be HTML
            data["scan"] = (
                io.BytesIO(b"%PDF-1.4\n<script>alert(1)</script>"),
                "<img src=x onerror=alert(1)>.pdf",
                "text/html",
            )
        response = client.post(f"{url}/external", data=data, content_type="multipart/form-data")
        assert response.status_code == 302, re.findall(
            r"<li>[^<]*</li>", response.get_data(as_text=True)
        )
    for chunk in chunks(1000, DB_TEXT):
        response = client.post(
            f"{url}/extension?year={YEAR}", data={"deadline": f"{YEAR}-12-20", "reason": chunk}
        )
        assert response.status_code == 302
    for chunk in chunks(100, DB_TEXT):
        response = client.post(
            f"{url}/leave?year={YEAR}",
            data={"start_date": f"{YEAR}-02-01", "end_date": f"{YEAR}-02-02", "kind": chunk},
        )
        assert response.status_code == 302
    for chunk in chunks(1000, DB_TEXT):
        assert (
            client.post(f"{url}/exemption?year={YEAR}", data={"reason": chunk}).status_code == 302
        )
        inert(client, f"{url}?year={YEAR}")
    client.post(f"{url}/exemption?year={YEAR}", data={"lift": "1"})
    # What was typed comes back in a form that failed validation
    bad = client.post(f"{url}/extension?year={YEAR}", data={"deadline": "", "reason": DB_TEXT[2]})
    assert bad.status_code == 400
    assert_inert_page(bad.get_data(as_text=True), where="failed extension form")
    bad = client.post(f"{url}/external", data={"title": DB_TEXT[3], "hours": DB_TEXT[4]})
    assert bad.status_code == 400
    assert_inert_page(bad.get_data(as_text=True), where="failed external form")

    record = inert(client, f"{url}?year={YEAR}")
    assert "&lt;script" in record
    record_id = db.session.scalar(
        select(ExternalTraining.id).where(ExternalTraining.file_data.is_not(None))
    )
    assert f"/hr/external/{record_id}/scan" in record
    scan = client.get(f"/hr/external/{record_id}/scan")
    assert scan.status_code == 200
    assert scan.mimetype in (
        "application/pdf",
        "image/jpeg",
        "image/png",
        "application/octet-stream",
    )
    assert scan.headers["Content-Disposition"].startswith("attachment")
    assert "onerror" not in scan.headers["Content-Disposition"]

    pages = [f"/hr/?year={YEAR}", f"/hr/?year={YEAR}&unit=U0", f"/hr/officials?year={YEAR}"]
    pages += [f"/hr/officials?year={YEAR}&page={n}" for n in (2, 3)]
    pages += [f"/hr/officials/{u.id}?year={YEAR}" for u in world.officials[:3]]
    pages += [f"/hr/officials/{target.id}/external", "/hr/import", "/my/training"]
    for page in pages:
        inert(client, page)


def test_reflected_query_arguments_are_inert(client, login, world):
    login(world.hr)
    for payload in DB_TEXT[::9]:
        q = quote(payload, safe="")
        url = f"/hr/officials?year={YEAR}&q={q}"
        response = client.get(url)
        fits = len(payload.strip()) <= 100 and payload.strip().isprintable()
        assert response.status_code == (200 if fits else 400), url
        assert_inert_page(response.get_data(as_text=True), where=url)
        for name in ("sort", "position", "status", "unit", "level"):  # not values the page offers
            url = f"/hr/export.csv?year={YEAR}&{name}={q}"
            assert client.get(url).status_code in (400, 404), url
    anonymous = client.application.test_client()
    for n, payload in enumerate(DB_TEXT[::3]):
        q = quote(payload, safe="")
        response = anonymous.get(f"/verify/{q}")
        assert response.status_code == 404
        assert_inert_page(response.get_data(as_text=True), where=payload)
        followed = anonymous.get(f"/verify?code={q}", follow_redirects=True)
        assert_inert_page(followed.get_data(as_text=True), where=payload)
        if n % 4 == 0:  # a failed sign-in shows the user name typed
            data = {"username": payload, "password": "x"}
            page = anonymous.post("/auth/login", data=data).get_data(as_text=True)
            assert_inert_page(page, where=payload)


def test_imported_text_is_inert(client, login, world):
    login(world.hr)
    rows = [["username", "course", "title", "provider", "hours", "completed_on", "note"]]
    for chunk in chunks(300, DB_TEXT):
        rows.append([world.target.username, "", chunk, chunk, "1", f"01/01/{YEAR}", chunk])
    bad = [[payload, payload, payload, payload, payload, payload, payload] for payload in DB_TEXT]
    for name, table in (("good", rows), ("bad", rows[:1] + bad)):
        buffer = io.StringIO()
        csv.writer(buffer).writerows(table)
        response = client.post(
            "/hr/import",
            data={
                "file": (io.BytesIO(buffer.getvalue().encode()), f"{DB_TEXT[0]}.csv"),
                "dry_run": "y",
            },
            content_type="multipart/form-data",
        )
        assert response.status_code == (200 if name == "good" else 400)
        page = response.get_data(as_text=True)
        assert_inert_page(page, where=name)
        assert page.count("<tr>") > 10, name  # the report lists the rows


def test_exports_neutralise_formulas(client, login, world):
    login(world.hr)
    for level in ("officials", "units"):
        response = client.get(f"/hr/export.csv?year={YEAR}&level={level}")
        assert response.status_code == 200
        rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
        assert len(rows) > len(FORMULA_PAYLOADS)
        assert_no_formula([cell for row in rows for cell in row], f"csv {level}")
        response = client.get(f"/hr/export.xlsx?year={YEAR}&level={level}")
        sheet = load_workbook(io.BytesIO(response.get_data())).active
        cells = [cell for row in sheet.iter_rows() for cell in row]
        assert not [c.coordinate for c in cells if c.data_type == "f"], level
        assert_no_formula([c.value for c in cells], f"xlsx {level}")
    officials = client.get(f"/hr/export.csv?year={YEAR}").get_data().decode("utf-8-sig")
    assert "'=HYPERLINK(" in officials  # kept, as text


def test_certificates_and_verification_with_payload_names(client, login, world):
    for user in world.compliant:
        login(user)
        for url in (f"/certificates/course/khoa-xss/{YEAR}", f"/certificates/standard/{YEAR}"):
            response = client.post(url)
            assert response.status_code == 200, (url, user.full_name)
            assert response.mimetype == "application/pdf"
            assert response.get_data().startswith(b"%PDF")
    login(world.hr)
    hr_copy = client.post(f"/certificates/course/cong-thuc/{YEAR}?user={world.compliant[0].id}")
    assert hr_copy.status_code == 200
    anonymous = client.application.test_client()
    codes = db.session.scalars(select(Certificate.code)).all()
    assert len(codes) == 2 * len(world.compliant) + 1
    for code in codes:
        page = inert(anonymous, f"/verify/{code}")
        assert "&lt;" in page or "'=" in page or "=" in page


def test_reminders_and_outbox(client, login, world):
    notify.send_reminders(today=date(YEAR, 12, 16), now=utcnow())
    db.session.commit()
    login(world.admin)
    page = inert(client, "/admin/outbox")
    assert "&lt;" in page
    inert(client, "/admin/users")
