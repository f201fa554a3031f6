"""GIFT question text, answers, feedback, titles and categories in every text format, and the
official's typed answers: nothing executable on the attempt, result and statistics pages."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.content.loader import read_content
from app.models import Question, Quiz, QuizAttempt, Role, db
from app.quiz import forms as quiz_forms
from app.quiz import services
from tests.factories import make_user
from tests.security.content import FORMATS, SWALLOWING, gift_escape, load, write_quizzes
from tests.security.html_check import assert_inert_page, author_regions, fragment_problems
from tests.security.payloads import PAYLOADS, chunks

TYPED = [p for p in PAYLOADS if "<" in p][:40]  # what an official types as short answers


def answer_everything(attempt) -> dict:
    """The right answer to every question (so each answer's feedback shows on the result
    page); short answers and the essay are typed payloads."""
    form: dict = {"shown": []}
    for n, item in enumerate(services.attempt_questions(attempt)):
        question = item.question
        answers = question.data["answers"]
        name = quiz_forms.field_name(item)
        form["shown"].append(str(item.id))
        if question.type == "multichoice":
            form[name] = str(item.layout.index(0))
        elif question.type == "truefalse":
            form[name] = "true"
        elif question.type == "shortanswer":
            form[name] = answers[0]["text"] if n % 2 else TYPED[n % len(TYPED)]
        elif question.type == "numerical":
            form[name] = str(answers[0]["value"]).removesuffix(".0")
        elif question.type == "match":
            options = item.layout["options"]
            for display, index in enumerate(item.layout["items"]):
                form[quiz_forms.field_name(item, display)] = str(
                    options.index(answers[index]["text"])
                )
        elif question.type == "essay":
            form[name] = " ".join(TYPED)
    return form


@pytest.mark.slow  # every payload on every quiz page
@pytest.mark.parametrize("fmt", FORMATS)
def test_gift_payloads_stay_inert_on_every_quiz_page(
    app, client, login, content_dirs, official, admin, fmt
):
    write_quizzes(content_dirs[1], formats=(fmt,))
    load(content_dirs)
    quiz = db.session.scalar(select(Quiz))
    # What the templates print as is: question text, answers, match items, every feedback
    stored = db.session.scalars(select(Question).where(Question.quiz_id == quiz.id)).all()
    for question in stored:
        texts = [question.text_html]
        for value in question.rendered.values():
            texts += value if isinstance(value, list) else [value]
        for text in texts:
            assert fragment_problems(text) == [], (question.title, text)

    login(official)
    overview = client.get(f"/quiz/{quiz.slug}")
    assert overview.status_code == 200
    assert_inert_page(overview.get_data(as_text=True), where="overview")

    started = client.post(f"/quiz/{quiz.slug}/start")
    assert started.status_code == 302, started.get_data(as_text=True)
    attempt = db.session.get(QuizAttempt, int(started.location.rstrip("/").split("/")[-1]))
    take = client.get(f"/quiz/attempts/{attempt.id}").get_data(as_text=True)
    assert_inert_page(take, where="attempt")
    shown = author_regions(take)
    assert len(shown) >= len(services.attempt_questions(attempt)), "questions not found"

    form = answer_everything(attempt)
    saved = client.post(f"/quiz/attempts/{attempt.id}/save", data=form)
    assert saved.status_code == 302
    assert_inert_page(client.get(f"/quiz/attempts/{attempt.id}").get_data(as_text=True))
    submitted = client.post(f"/quiz/attempts/{attempt.id}/submit", data=form)
    assert submitted.location.endswith(f"/quiz/attempts/{attempt.id}/result")
    result = client.get(f"/quiz/attempts/{attempt.id}/result")
    assert result.status_code == 200
    page = result.get_data(as_text=True)
    assert_inert_page(page, where="result")
    assert page.count('class="feedback') > len(services.attempt_questions(attempt))

    login(admin)
    stats = client.get(f"/quiz/{quiz.slug}/statistics")
    assert stats.status_code == 200
    assert_inert_page(stats.get_data(as_text=True), where="statistics")
    assert "&lt;" in stats.get_data(as_text=True)

    if fmt != "html":  # pages that do not depend on the text format: once is enough
        return
    hr = make_user("hr.xss", role=Role.HR, unit=official.unit)
    login(hr)
    staff_view = client.get(f"/quiz/attempts/{attempt.id}/result").get_data(as_text=True)
    assert_inert_page(staff_view, where="result seen by HR")
    override = client.post(
        f"/quiz/{quiz.slug}/overrides/{official.id}",
        data={"extra_minutes": "5", "extra_attempts": "1", "reason": chunks(1000, TYPED)[0]},
    )
    assert override.status_code == 302
    assert_inert_page(
        client.get(f"/quiz/{quiz.slug}/overrides/{official.id}").get_data(as_text=True),
        where="override history",
    )
    assert_inert_page(
        client.get(f"/hr/officials/{official.id}").get_data(as_text=True), where="HR record"
    )

    login(admin)
    assert_inert_page(client.get("/admin/").get_data(as_text=True), where="admin index")


@pytest.mark.parametrize("fmt", ["html", "moodle", "markdown"])
def test_a_payload_that_would_swallow_the_rest_of_a_question_is_refused_at_load(
    app, content_dirs, fmt
):
    """The sanitiser would drop everything after an unclosed <script>, <textarea>,
    <plaintext>…: instead of a half question, the load is refused, naming the line."""
    courses, quizzes = content_dirs
    assert len(SWALLOWING) >= 5
    blocks = [
        f"::S{i}::[{fmt}]{gift_escape(p.strip())} (câu {i}){{=a ~b}}"
        for i, p in enumerate(SWALLOWING)
    ]
    (quizzes / "nuot.gift").write_text("\n\n".join(blocks) + "\n", encoding="utf-8")
    _, errors = read_content(courses, quizzes)
    lines = sorted({e.line for e in errors if "is never closed" in e.message})
    assert lines == [1 + 2 * i for i in range(len(SWALLOWING))]
    assert all(e.path == "quizzes/nuot.gift" for e in errors)
