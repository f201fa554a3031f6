"""NUL and other control characters typed or pasted into the site: PostgreSQL refuses NUL in
text, so they must be dropped on the way in, never turn into a server error."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from app.models import ExternalTraining, QuizAttempt, db
from app.quiz import forms as quiz_forms
from app.quiz import services
from tests.compliance import scenario as scenario_module
from tests.quiz.test_attempts import load_quiz, start


@pytest.fixture
def scenario(app, content_dirs):
    world = scenario_module.build(content_dirs)
    db.session.commit()
    return world


def test_a_form_drops_nul_and_keeps_the_rest(client, login, scenario):
    login(scenario.people["hr"])
    response = client.post(
        f"/hr/officials/{scenario.people['ha'].id}/external",
        data={
            "title": "Lớp\x00 bồi dưỡng\x07",
            "provider": "Trường\x00 Chính trị",
            "hours": "4",
            "end_date": "2026-01-10",
            "note": "Dòng 1\r\nDòng\x00 2",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    record = db.session.scalar(select(ExternalTraining).order_by(ExternalTraining.id.desc()))
    assert (record.title, record.provider) == ("Lớp bồi dưỡng", "Trường Chính trị")
    assert record.note == "Dòng 1\r\nDòng 2"  # line breaks are text, not noise


def test_login_and_search_with_nul_are_plain_failures(client, login, scenario):
    response = client.post("/auth/login", data={"username": "hr.p\x00", "password": "x\x00"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and 'value="hr.p"' in page  # a failed login, name kept
    login(scenario.people["hr"])
    for url in ("/hr/officials?year=2026&q=%00an", "/verify/AB%00CD", "/hr/?year=2026&unit=%00"):
        assert client.get(url).status_code == 400, url


def test_an_import_with_nul_is_read_without_it(client, login, scenario):
    login(scenario.people["hr"])
    csv_text = "username,title,hours,completed_on\nha,Lớp\x00 học,2,05/01/2026\n"
    response = client.post(
        "/hr/import",
        data={"file": (io.BytesIO(csv_text.encode()), "ho-so.csv"), "dry_run": ""},
        content_type="multipart/form-data",
    )
    assert response.status_code in (200, 302), response.get_data(as_text=True)
    record = db.session.scalar(select(ExternalTraining).order_by(ExternalTraining.id.desc()))
    assert record is not None and record.title == "Lớp học"


def test_quiz_answers_with_nul_are_saved_without_it(app, client, login, official, content_dirs):
    quiz = load_quiz(content_dirs)
    login(official)
    attempt = start(client, quiz)
    essay = next(i for i in services.attempt_questions(attempt) if i.question.type == "essay")
    name = quiz_forms.field_name(essay)
    response = client.post(
        f"/quiz/attempts/{attempt.id}/save", data={"shown": [str(essay.id)], name: "Ý\x00 kiến"}
    )
    assert response.status_code in (200, 204, 302), response.get_data(as_text=True)
    db.session.expire_all()
    saved = db.session.get(QuizAttempt, attempt.id)
    assert "\x00" not in str([i.response for i in services.attempt_questions(saved)])
