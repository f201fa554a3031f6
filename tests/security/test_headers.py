"""Headers that keep private pages out of caches and browsers on HTTPS."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from app import create_app
from app.models import ExternalTraining, QuizAttempt, db
from config import ProductionConfig, TestingConfig
from tests.compliance import scenario as scenario_module


@pytest.fixture
def scenario(app, content_dirs):
    world = scenario_module.build(content_dirs)
    db.session.commit()
    return world


def test_private_pages_and_files_are_never_stored(client, login, scenario):
    hr, binh = scenario.people["hr"], scenario.people["binh"]
    login(hr)
    client.post(
        f"/hr/officials/{binh.id}/external",
        data={
            "title": "Lớp",
            "hours": "4",
            "end_date": "2026-10-02",
            "scan": (io.BytesIO(b"%PDF-1.4 scan"), "scan.pdf"),
        },
        content_type="multipart/form-data",
    )
    scan = db.session.scalar(
        select(ExternalTraining.id).where(ExternalTraining.file_name.is_not(None))
    )
    attempt = db.session.scalar(select(QuizAttempt.id).where(QuizAttempt.user_id == binh.id))
    for url in (
        "/hr/?year=2026",
        "/hr/officials?year=2026",
        f"/hr/officials/{binh.id}?year=2026",
        "/hr/export.csv?year=2026",
        "/hr/export.xlsx?year=2026&level=units",
        f"/hr/external/{scan}/scan",
        f"/quiz/attempts/{attempt}/result",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "no-store", url
    login(binh)
    client.post("/certificates/course/khoa-a/2026")
    for url in ("/my/training", "/certificates/course/khoa-a/2026", "/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "no-store", url


def test_static_files_are_still_cached(client, login, scenario):
    login(scenario.people["hr"])
    with client.get("/static/css/app.css?v=1") as response:
        assert response.status_code == 200
        assert "no-store" not in response.headers.get("Cache-Control", "")
        assert response.cache_control.max_age == 365 * 24 * 3600


def test_hsts_in_production_only(client, content_dirs):
    assert ProductionConfig.HSTS_SECONDS >= 180 * 24 * 3600
    assert "Strict-Transport-Security" not in client.get("/auth/login").headers

    class SecureTesting(TestingConfig):
        HSTS_SECONDS = 31536000

    app = create_app(SecureTesting)
    response = app.test_client().get("/auth/login")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
