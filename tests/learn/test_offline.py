"""What the offline reading needs from the server (the browser side is in tests/browser)."""

from __future__ import annotations

from datetime import datetime

from app.content.loader import read_content
from app.models import db
from tests.factories import load_content, write_course


def test_the_service_worker_is_served_from_the_root_and_never_kept_stale(client):
    response = client.get("/sw.js")
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    assert "offline-course:" in response.get_data(as_text=True)
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_the_manifest_speaks_the_users_language(client):
    assert client.get("/manifest.webmanifest").get_json()["name"] == "Bồi dưỡng cán bộ, công chức"
    english = client.get("/manifest.webmanifest?lang=en")
    assert english.mimetype == "application/manifest+json"
    assert english.get_json()["name"] == "Civil servant training"


def test_signing_out_clears_what_the_device_saved(client, login, official):
    login(official)
    response = client.post("/auth/logout")
    assert response.status_code == 302
    assert response.headers["Clear-Site-Data"] == '"cache", "storage"'


def test_a_course_page_offers_its_lessons_and_a_version_that_follows_them(
    client, login, official, content_dirs
):
    courses, quizzes = content_dirs

    def offer(body: str) -> tuple[str, str]:
        write_course(courses, "mot-cua", lessons={"01-a.md": "A.", "02-b.md": body})
        content, errors = read_content(courses, quizzes)
        assert errors == []
        load_content(content, now=datetime(2026, 1, 2))
        db.session.commit()
        page = client.get("/courses/mot-cua").get_data(as_text=True)
        box = page.split('data-offline-course="mot-cua"')[1].split(">")[0]
        return box.split('data-offline-urls="')[1].split('"')[0], box.split('version="')[1][:16]

    login(official)
    urls, version = offer("B.")
    assert "/courses/mot-cua/b" in urls and "/offline" in urls
    assert offer("B.")[1] == version  # nothing changed: the saved copy stays
    assert offer("B, corrected.")[1] != version
