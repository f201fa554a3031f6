"""Quiz statistics, computed in SQL, checked against a hand computation."""

from __future__ import annotations

import math

from sqlalchemy import select

from app.models import AttemptQuestion, db, utcnow
from app.quiz import forms as quiz_forms
from app.quiz import services
from app.quiz.statistics import quiz_statistics
from tests.factories import make_user, responses
from tests.quiz.test_attempts import items_of, load_quiz, right_form

SETTINGS = "course: mot-cua\nshuffle_answers: false\n"


def answer(quiz, user, *, right: set[str]):
    """Submit an attempt where exactly the questions titled in ``right`` are answered right."""
    attempt = services.start_attempt(quiz, user, now=utcnow())
    form = right_form(attempt)
    keep = {"shown": form["shown"]}
    for title, item in items_of(attempt).items():
        name = quiz_forms.field_name(item)
        if title in right:
            keep.update({k: v for k, v in form.items() if k.startswith(name)})
        elif title == "Một lần":
            keep[name] = "1"  # a wrong option: "Yêu cầu bổ sung nhiều lần"
    services.submit_attempt(attempt, responses(attempt, keep), now=utcnow())
    return attempt


def test_facility_discrimination_and_responses(app, units, content_dirs, count_queries):
    quiz = load_quiz(content_dirs, SETTINGS)
    patterns = [
        {"Một lần", "Cấp huyện", "Luật số", "Năm"},
        {"Một lần", "Cấp huyện", "Luật số"},
        {"Cấp huyện", "Năm"},
        {"Năm"},
    ]
    for i, right in enumerate(patterns):
        answer(quiz, make_user(f"cc{i}", unit=units["A"]), right=right)
    db.session.commit()

    with count_queries() as counter:
        report = quiz_statistics(quiz)
    assert counter.count <= 5
    assert report.attempts == 4
    stats = {s.question.title: s for s in report.questions}
    one = stats["Một lần"]
    assert one.attempts == 4 and math.isclose(one.facility, 50.0)

    # Hand computation of the discrimination index of "Một lần": correlation of its score
    # with the rest of the attempt (other graded questions, as a share of 5).
    rows = db.session.execute(
        select(AttemptQuestion.attempt_id, AttemptQuestion.fraction).join(AttemptQuestion.question)
    ).all()
    totals: dict[int, float] = {}
    mine: dict[int, float] = {}
    for attempt_id, fraction in rows:
        if fraction is None:
            continue
        totals[attempt_id] = totals.get(attempt_id, 0.0) + float(fraction)
    for item in db.session.scalars(select(AttemptQuestion)):
        if item.question.title == "Một lần":
            mine[item.attempt_id] = float(item.fraction)
    xs = [mine[a] for a in sorted(mine)]
    ys = [(totals[a] - mine[a]) / 5 for a in sorted(mine)]
    mx, my = sum(xs) / 4, sum(ys) / 4
    cov = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    r = cov / math.sqrt(sum((x - mx) ** 2 for x in xs) * sum((y - my) ** 2 for y in ys))
    assert math.isclose(one.discrimination, 100 * r, rel_tol=1e-6)
    assert one.discrimination > 50

    counts = {str(r.label): r.count for r in one.responses}
    assert counts == {
        "Hướng dẫn đầy đủ và chỉ yêu cầu bổ sung một lần": 2,
        "Yêu cầu bổ sung nhiều lần": 2,
    }
    assert "weak" not in one.warnings
    essay = stats["Bài luận"]
    assert essay.facility is None  # essays are not auto-graded


def test_statistics_page_is_for_admins(client, login, official, admin, content_dirs):
    quiz = load_quiz(content_dirs, SETTINGS)
    answer(quiz, official, right={"Một lần"})
    db.session.commit()
    login(official)
    assert client.get(f"/quiz/{quiz.slug}/statistics").status_code == 403
    login(admin)
    page = client.get(f"/quiz/{quiz.slug}/statistics").get_data(as_text=True)
    assert "Độ phân biệt" in page and "Yêu cầu bổ sung nhiều lần" not in page
