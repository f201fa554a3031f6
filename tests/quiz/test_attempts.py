"""Taking a quiz: the server records, saves, grades, and enforces time and attempt limits."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from app.content.loader import read_content
from app.models import (
    AttemptQuestion,
    AttemptState,
    CourseProgress,
    Lesson,
    Quiz,
    QuizAttempt,
    db,
    local_date,
    utcnow,
)
from app.progress.services import complete_lesson
from app.quiz import forms as quiz_forms
from app.quiz import services
from tests.factories import load_content, responses, write_course, write_quiz

SETTINGS = "course: mot-cua\npass_mark: 60\ntime_limit: 20\nattempts: 2\nshuffle_answers: true\n"


def load_quiz(content_dirs, settings: str = SETTINGS) -> Quiz:
    courses, quizzes = content_dirs
    write_course(courses, "mot-cua")
    write_quiz(quizzes, "mot-cua", settings=settings)
    content, errors = read_content(courses, quizzes)
    assert errors == [], errors
    load_content(content, now=utcnow())
    db.session.commit()
    return db.session.scalar(select(Quiz))


@pytest.fixture
def quiz(app, content_dirs):
    return load_quiz(content_dirs)


def items_of(attempt) -> dict[str, AttemptQuestion]:
    return {item.question.title: item for item in services.attempt_questions(attempt)}


def right_form(attempt) -> dict:
    """Form data answering every question right, through the shuffled layout."""
    form: dict = {"shown": []}
    for title, item in items_of(attempt).items():
        form["shown"].append(str(item.id))
        name = quiz_forms.field_name(item)
        answers = item.question.data["answers"]
        if title == "Một lần":
            form[name] = str(item.layout.index(0))
        elif title == "Cấp huyện":
            form[name] = "true"
        elif title == "Luật số":
            form[name] = " 80 "
        elif title == "Nhiều đáp án":
            form[name] = [str(item.layout.index(0)), str(item.layout.index(1))]
        elif title == "Ghép":
            options = item.layout["options"]
            for display, answer_index in enumerate(item.layout["items"]):
                form[quiz_forms.field_name(item, display)] = str(
                    options.index(answers[answer_index]["text"])
                )
        elif title == "Năm":
            form[name] = "2025"
        elif title == "Bài luận":
            form[name] = "Hướng dẫn tận tình, đúng hẹn."
    return form


def start(client, quiz) -> QuizAttempt:
    response = client.post(f"/quiz/{quiz.slug}/start")
    assert response.status_code == 302, response.get_data(as_text=True)
    attempt_id = int(response.location.rstrip("/").split("/")[-1])
    return db.session.get(QuizAttempt, attempt_id)


def attempt_page_without_tokens(client, attempt):
    """The attempt page with its CSRF tokens blanked: they carry a timestamp that
    changes from one second to the next, while the questions and order must not."""
    page = client.get(f"/quiz/attempts/{attempt.id}").get_data(as_text=True)
    return re.sub(r'(name="csrf_token"[^>]*value=")[^"]*', r"\1", page)


def test_start_records_questions_and_answer_order_and_reload_shows_the_same(
    client, login, official, quiz
):
    login(official)
    attempt = start(client, quiz)
    assert attempt.deadline_at == attempt.started_at + timedelta(minutes=20)
    first, second = (attempt_page_without_tokens(client, attempt) for _ in range(2))
    assert first == second
    # never shown again from the browser's cache (Back), with an old time left
    assert client.get(f"/quiz/attempts/{attempt.id}").headers["Cache-Control"] == "no-store"
    assert start(client, quiz).id == attempt.id  # starting again resumes
    assert db.session.scalar(select(func.count(AttemptQuestion.id))) == 7


def test_no_answer_key_weights_or_feedback_in_the_page(client, login, official, quiz):
    login(official)
    attempt = start(client, quiz)
    page = client.get(f"/quiz/attempts/{attempt.id}").get_data(as_text=True)
    for secret in (
        "Đúng theo quy định",
        "Sai: chỉ một lần",
        "Căn cứ",
        "Chính xác",
        "Sai rồi",
        "Đúng: Luật 80",
        "tám mươi",
        "fraction",
        "%50%",
        "-100",
        "Sai: nên làm",
    ):
        assert secret not in page, secret
    assert "Hướng dẫn đầy đủ và chỉ yêu cầu bổ sung một lần" in page  # the option itself is shown
    # option values are display positions, not answer indexes that would reveal the file order
    values = re.findall(r'type="radio" name="a\d+" value="(\d+)"', page)
    assert values and set(values) <= {"0", "1", "2"}


def test_answers_saved_before_a_reload_survive_it(client, login, official, quiz):
    login(official)
    attempt = start(client, quiz)
    form = right_form(attempt)
    item = items_of(attempt)["Luật số"]
    response = client.post(
        f"/quiz/attempts/{attempt.id}/save",
        data={"shown": str(item.id), quiz_forms.field_name(item): "80"},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 200 and response.json == {"saved": True}
    page = client.get(f"/quiz/attempts/{attempt.id}").get_data(as_text=True)
    assert 'value="80"' in page
    # a full save without JavaScript keeps every answer too
    client.post(f"/quiz/attempts/{attempt.id}/save", data=form)
    db.session.expire_all()
    saved = {i.question.title: i.response for i in services.attempt_questions(attempt)}
    assert saved["Cấp huyện"] is True and saved["Năm"] == "2025"
    assert saved["Nhiều đáp án"] == [0, 1]


def test_submit_grades_on_the_server_and_twice_grades_once(client, login, official, quiz):
    login(official)
    attempt = start(client, quiz)
    form = right_form(attempt)
    response = client.post(f"/quiz/attempts/{attempt.id}/submit", data=form)
    assert response.location.endswith(f"/quiz/attempts/{attempt.id}/result")
    db.session.expire_all()
    attempt = db.session.get(QuizAttempt, attempt.id)
    assert attempt.state == AttemptState.SUBMITTED
    assert float(attempt.score) == 100 and attempt.max_marks == 6 and attempt.has_essay
    submitted_at = attempt.submitted_at
    wrong = {
        k: ("0" if not isinstance(v, list) else ["0"]) for k, v in form.items() if k != "shown"
    }
    client.post(f"/quiz/attempts/{attempt.id}/submit", data={**wrong, "shown": form["shown"]})
    db.session.expire_all()
    again = db.session.get(QuizAttempt, attempt.id)
    assert float(again.score) == 100 and again.submitted_at == submitted_at
    page = client.get(f"/quiz/attempts/{attempt.id}/result").get_data(as_text=True)
    assert "100%" in page and "Đạt" in page
    assert "không được tính vào điểm tự động" in page  # the essay note


def test_partial_credit_and_wrong_answers(client, login, official, quiz):
    login(official)
    attempt = start(client, quiz)
    items = items_of(attempt)
    multi = items["Nhiều đáp án"]
    short = items["Luật số"]
    client.post(
        f"/quiz/attempts/{attempt.id}/submit",
        data={
            "shown": [str(multi.id), str(short.id)],
            quiz_forms.field_name(multi): [str(multi.layout.index(0))],
            quiz_forms.field_name(short): "tám mươi",
        },
    )
    db.session.expire_all()
    graded = {i.question.title: i.fraction for i in services.attempt_questions(attempt)}
    assert float(graded["Nhiều đáp án"]) == 0.5
    assert float(graded["Luật số"]) == 1.0  # an accepted variant
    assert float(graded["Một lần"]) == 0.0 and graded["Bài luận"] is None
    attempt = db.session.get(QuizAttempt, attempt.id)
    assert float(attempt.score) == 25.0 and attempt.passed is False


def test_attempt_limit_is_enforced_on_the_server(client, login, official, quiz):
    login(official)
    for _ in range(2):
        attempt = start(client, quiz)
        client.post(f"/quiz/attempts/{attempt.id}/submit", data={})
    response = client.post(f"/quiz/{quiz.slug}/start")
    assert response.status_code == 302 and response.location.endswith(f"/quiz/{quiz.slug}")
    page = client.get(response.location).get_data(as_text=True)
    assert "đã dùng hết số lần làm bài" in page
    assert db.session.scalar(select(func.count(QuizAttempt.id))) == 2


def test_deadline_auto_submits_with_saved_answers_even_if_the_browser_never_returns(
    app, official, quiz, runner
):
    started = datetime(2026, 5, 4, 2, 0)
    attempt = services.start_attempt(quiz, official, now=started)
    form = right_form(attempt)
    services.save_responses(attempt, responses(attempt, form), now=started + timedelta(minutes=5))
    db.session.commit()
    # nobody comes back; the scheduled job closes it
    closed = services.finalize_overdue(now=started + timedelta(minutes=25))
    db.session.commit()
    assert closed == 1
    attempt = db.session.get(QuizAttempt, attempt.id)
    assert attempt.state == AttemptState.SUBMITTED and attempt.auto_submitted
    assert attempt.submitted_at == started + timedelta(minutes=20)
    assert float(attempt.score) == 100


def test_answers_posted_after_the_deadline_are_ignored(client, login, official, quiz):
    login(official)
    attempt = start(client, quiz)
    attempt.deadline_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    response = client.post(f"/quiz/attempts/{attempt.id}/submit", data=right_form(attempt))
    assert response.location.endswith("/result")
    db.session.expire_all()
    attempt = db.session.get(QuizAttempt, attempt.id)
    assert attempt.auto_submitted and float(attempt.score) == 0
    save = client.post(
        f"/quiz/attempts/{attempt.id}/save", data={}, headers={"Accept": "application/json"}
    )
    assert save.status_code == 409


def test_grace_period_allows_only_submitting(app, official, content_dirs):
    quiz = load_quiz(
        content_dirs,
        "course: mot-cua\ntime_limit: 10\nwhen_time_expires: grace\ngrace_minutes: 5\n",
    )
    t0 = datetime(2026, 5, 4, 2, 0)
    attempt = services.start_attempt(quiz, official, now=t0)
    with pytest.raises(services.TimeExpired):
        services.save_responses(
            attempt, responses(attempt, right_form(attempt)), now=t0 + timedelta(minutes=12)
        )
    assert attempt.state == AttemptState.OVERDUE
    services.submit_attempt(
        attempt, responses(attempt, right_form(attempt)), now=t0 + timedelta(minutes=13)
    )
    assert attempt.state == AttemptState.SUBMITTED and float(attempt.score) == 0

    late = services.start_attempt(quiz, official, now=t0 + timedelta(hours=1))
    with pytest.raises(services.NotCounted):
        services.submit_attempt(late, None, now=t0 + timedelta(hours=1, minutes=16))
    assert late.state == AttemptState.ABANDONED


def test_discard_policy_does_not_count_a_late_attempt(app, official, content_dirs):
    quiz = load_quiz(content_dirs, "course: mot-cua\ntime_limit: 10\nwhen_time_expires: discard\n")
    t0 = datetime(2026, 5, 4, 2, 0)
    attempt = services.start_attempt(quiz, official, now=t0)
    with pytest.raises(services.NotCounted):
        services.submit_attempt(
            attempt, responses(attempt, right_form(attempt)), now=t0 + timedelta(minutes=11)
        )
    assert attempt.state == AttemptState.ABANDONED and attempt.score is None


def test_close_date_refuses_new_attempts_and_caps_the_deadline(app, official, content_dirs):
    quiz = load_quiz(content_dirs, "course: mot-cua\ntime_limit: 60\nclose: 2026-05-04\n")
    # 04/05/2026 23:59:59 in Vietnam is 16:59:59 UTC
    attempt = services.start_attempt(quiz, official, now=datetime(2026, 5, 4, 16, 30))
    assert attempt.deadline_at == datetime(2026, 5, 4, 16, 59, 59)
    services.submit_attempt(attempt, None, now=datetime(2026, 5, 4, 16, 40))
    with pytest.raises(services.QuizClosed):
        services.start_attempt(quiz, official, now=datetime(2026, 5, 4, 17, 0))


def test_hr_override_gives_extra_time_and_attempts_recorded_with_who_and_why(
    client, login, official, hr_a, quiz
):
    t0 = utcnow()
    for _ in range(2):
        attempt = services.start_attempt(quiz, official, now=t0)
        services.submit_attempt(attempt, None, now=t0)
    db.session.commit()
    login(hr_a)
    response = client.post(
        f"/quiz/{quiz.slug}/overrides/{official.id}",
        data={
            "extra_minutes": "15",
            "extra_attempts": "1",
            "reason": "Mất kết nối mạng khi làm bài",
        },
    )
    assert response.status_code == 302
    rules = services.effective_rules(quiz, official.id)
    assert (rules.time_limit_minutes, rules.attempts_allowed) == (35, 3)
    assert rules.override.granted_by_id == hr_a.id and "Mất kết nối" in rules.override.reason
    page = client.get(f"/quiz/{quiz.slug}/overrides/{official.id}").get_data(as_text=True)
    assert "Mất kết nối mạng khi làm bài" in page and hr_a.full_name in page
    third = services.start_attempt(quiz, official, now=utcnow())
    assert third.number == 3 and third.deadline_at == third.started_at + timedelta(minutes=35)


def test_override_needs_a_reason_and_keeps_what_was_typed(client, login, official, hr_a, quiz):
    login(hr_a)
    response = client.post(
        f"/quiz/{quiz.slug}/overrides/{official.id}", data={"extra_minutes": "15", "reason": ""}
    )
    assert response.status_code == 400
    assert 'value="15"' in response.get_data(as_text=True)


def test_an_exception_open_until_a_past_day_is_refused(client, login, official, hr_a, quiz):
    login(hr_a)
    yesterday = local_date(utcnow()) - timedelta(days=1)
    response = client.post(
        f"/quiz/{quiz.slug}/overrides/{official.id}",
        data={"close_on": yesterday.isoformat(), "reason": "Nghỉ ốm dài ngày"},
    )
    assert response.status_code == 400
    assert "Ngày này đã qua" in response.get_data(as_text=True)
    assert services.latest_override(quiz, official.id) is None
    services.start_attempt(quiz, official, now=utcnow())  # not locked out
    today = local_date(utcnow()).isoformat()
    response = client.post(
        f"/quiz/{quiz.slug}/overrides/{official.id}",
        data={"close_on": today, "reason": "Nghỉ ốm dài ngày"},
    )
    assert response.status_code == 302


def test_hr_of_another_unit_cannot_override_or_see_results(client, login, official, hr_b, quiz):
    attempt = services.start_attempt(quiz, official, now=utcnow())
    services.submit_attempt(attempt, None, now=utcnow())
    db.session.commit()
    login(hr_b)
    assert client.get(f"/quiz/{quiz.slug}/overrides/{official.id}").status_code == 404
    assert client.get(f"/quiz/attempts/{attempt.id}/result").status_code == 404


def test_another_officials_attempt_is_404(client, login, official, official_b, quiz):
    attempt = services.start_attempt(quiz, official, now=utcnow())
    db.session.commit()
    login(official_b)
    for url in (
        f"/quiz/attempts/{attempt.id}",
        f"/quiz/attempts/{attempt.id}/result",
    ):
        assert client.get(url).status_code == 404
    assert client.post(f"/quiz/attempts/{attempt.id}/save", data={}).status_code == 404
    assert client.post(f"/quiz/attempts/{attempt.id}/submit", data={}).status_code == 404


def test_hr_of_the_unit_sees_the_full_review_including_essays(client, login, official, hr_a, quiz):
    attempt = services.start_attempt(quiz, official, now=utcnow())
    services.submit_attempt(attempt, responses(attempt, right_form(attempt)), now=utcnow())
    db.session.commit()
    login(hr_a)
    page = client.get(f"/quiz/attempts/{attempt.id}/result").get_data(as_text=True)
    assert "Hướng dẫn tận tình, đúng hẹn." in page and "Căn cứ" in page


@pytest.mark.parametrize(
    ("policy", "shows_answers", "shows_feedback"),
    [("score", False, False), ("answers", True, False), ("feedback", True, True)],
)
def test_review_policy_limits_what_the_official_sees(
    client, login, official, content_dirs, policy, shows_answers, shows_feedback
):
    quiz = load_quiz(content_dirs, f"course: mot-cua\nreview: {policy}\n")
    login(official)
    attempt = start(client, quiz)
    client.post(f"/quiz/attempts/{attempt.id}/submit", data=right_form(attempt))
    page = client.get(f"/quiz/attempts/{attempt.id}/result").get_data(as_text=True)
    assert ("Hướng dẫn tận tình" in page) is shows_answers
    assert ("Căn cứ: Nghị định 118/2025" in page) is shows_feedback
    assert "100%" in page


def test_passing_the_quiz_completes_the_course_with_the_last_date(app, official, quiz):
    lessons = db.session.scalars(select(Lesson).order_by(Lesson.position)).all()
    t0 = datetime(2026, 3, 2, 2, 0)
    failed = services.start_attempt(quiz, official, now=t0)
    services.submit_attempt(failed, None, now=t0 + timedelta(minutes=5))
    for step, lesson in enumerate(lessons):
        complete_lesson(official, lesson, now=t0 + timedelta(days=1, minutes=step))
    progress = db.session.scalar(select(CourseProgress))
    assert progress.completed_at is None  # lessons done, quiz failed
    passed = services.start_attempt(quiz, official, now=t0 + timedelta(days=2))
    services.submit_attempt(
        passed, responses(passed, right_form(passed)), now=t0 + timedelta(days=2, minutes=9)
    )
    db.session.commit()
    db.session.refresh(progress)
    assert progress.quiz_passed_at == t0 + timedelta(days=2, minutes=9)
    assert progress.completed_at == t0 + timedelta(days=2, minutes=9)
    assert float(progress.hours) == 4


def test_close_overdue_command(app, runner, official, quiz):
    attempt = services.start_attempt(quiz, official, now=utcnow() - timedelta(hours=1))
    db.session.commit()
    result = runner.invoke(args=["quiz", "close-overdue"])
    assert result.exit_code == 0 and "Closed 1 attempt(s)." in result.output
    db.session.expire_all()
    assert db.session.get(QuizAttempt, attempt.id).state == AttemptState.SUBMITTED


def test_drawing_per_category_and_random_subset(app, official, content_dirs):
    quiz = load_quiz(content_dirs, "course: mot-cua\ndraw: 3\ndraw_per_category:\n  thu/bai-1: 2\n")
    attempt = services.start_attempt(quiz, official, now=utcnow())
    categories = sorted(i.question.category for i in services.attempt_questions(attempt))
    assert categories == ["thu/bai-1", "thu/bai-1", "thu/bai-2"]


def test_the_next_attempt_draws_questions_not_shown_before(app, official, content_dirs):
    courses, quizzes = content_dirs
    write_course(courses, "mot-cua")
    gift = "".join(f"::Câu {n}::Câu hỏi số {n} là đúng?{{T}}\n\n" for n in range(1, 26))
    write_quiz(quizzes, "mot-cua", gift=gift, settings="course: mot-cua\nattempts: 3\ndraw: 10\n")
    content, errors = read_content(courses, quizzes)
    assert errors == []
    load_content(content, now=utcnow())
    quiz = db.session.scalar(select(Quiz))
    shown = []
    for _ in range(3):
        attempt = services.start_attempt(quiz, official, now=utcnow())
        shown.append({item.question_id for item in services.attempt_questions(attempt)})
        services.submit_attempt(attempt, None, now=utcnow())
    assert [len(s) for s in shown] == [10, 10, 10]
    assert not shown[0] & shown[1]  # 25 questions: the second attempt repeats none
    assert len(shown[0] | shown[1] | shown[2]) == 25  # the third shows the last 5, and 5 again


def test_an_attempt_open_across_new_year_is_resumed_and_counts_for_its_year(app, official, quiz):
    # Started at 23:50 on 31/12/2025 in Hà Nội (16:50 UTC), no time limit reached yet.
    started = datetime(2025, 12, 31, 16, 50)
    attempt = services.start_attempt(quiz, official, now=started)
    again = services.start_attempt(quiz, official, now=started + timedelta(minutes=15))
    assert again.id == attempt.id  # resumed, not a second attempt in the new year
    services.submit_attempt(
        attempt, responses(attempt, right_form(attempt)), now=started + timedelta(minutes=16)
    )
    assert attempt.year == 2025
    fresh = services.start_attempt(quiz, official, now=started + timedelta(days=1))
    assert (fresh.year, fresh.number) == (2026, 1)


@pytest.mark.parametrize("value", ["²", "1" * 5000, "-1", "1e3", "٣", " ", "9" * 12])
def test_malformed_answer_values_are_ignored_not_errors(client, login, official, quiz, value):
    login(official)
    attempt = start(client, quiz)
    item = items_of(attempt)["Một lần"]
    response = client.post(
        f"/quiz/attempts/{attempt.id}/save",
        data={"shown": [str(item.id), value], quiz_forms.field_name(item): value},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 200
    db.session.refresh(item)
    assert item.response is None


RIGHT_ANSWER = "Đáp án đúng:"
EXPLANATION = "Căn cứ: Nghị định 118/2025"


def result_page(client, attempt) -> str:
    return client.get(f"/quiz/attempts/{attempt.id}/result").get_data(as_text=True)


def test_between_attempts_a_blank_submission_shows_the_score_not_the_answer_key(
    client, login, official, content_dirs
):
    """The shipped default: the score after each attempt; right answers and feedback only
    once no attempt is left."""
    quiz = load_quiz(content_dirs, "course: mot-cua\nattempts: 3\n")
    login(official)
    for number in (1, 2, 3):
        attempt = start(client, quiz)
        client.post(f"/quiz/attempts/{attempt.id}/submit", data={})
        page = result_page(client, attempt)
        assert "0%" in page
        if number < 3:
            assert RIGHT_ANSWER not in page and EXPLANATION not in page
            assert "sau lần làm bài cuối cùng" in page
    assert RIGHT_ANSWER in page and EXPLANATION in page
    assert "sau lần làm bài cuối cùng" not in page


def test_review_follows_the_time_the_official_looks(client, login, official, content_dirs):
    settings = (
        "course: mot-cua\nattempts: 2\n"
        "review:\n  immediately: answers\n  open: score\n  closed: feedback\n"
    )
    quiz = load_quiz(content_dirs, settings)
    login(official)
    attempt = start(client, quiz)
    client.post(f"/quiz/attempts/{attempt.id}/submit", data=right_form(attempt))
    page = result_page(client, attempt)  # immediately: their own answers, no key
    assert "Hướng dẫn tận tình" in page and EXPLANATION not in page
    with time_machine.travel(utcnow() + timedelta(minutes=3), tick=False):
        page = result_page(client, attempt)  # later, while open: the score only
        assert "100%" in page and "Hướng dẫn tận tình" not in page
    with time_machine.travel(utcnow() + timedelta(days=3), tick=False):
        quiz.close_at = utcnow() - timedelta(days=1)
        db.session.commit()
        page = result_page(client, attempt)  # the quiz has closed: everything
        assert EXPLANATION in page and RIGHT_ANSWER in page


def test_hr_exception_reopening_a_quiz_hides_the_key_again(
    client, login, official, hr_a, content_dirs
):
    quiz = load_quiz(content_dirs, "course: mot-cua\nattempts: 1\n")
    login(official)
    attempt = start(client, quiz)
    client.post(f"/quiz/attempts/{attempt.id}/submit", data={})
    assert EXPLANATION in result_page(client, attempt)  # the last attempt allowed
    services.grant_override(
        quiz,
        official,
        extra_minutes=0,
        extra_attempts=1,
        close_at=None,
        reason="Mất điện",
        granted_by=hr_a,
        now=utcnow(),
    )
    db.session.commit()
    assert EXPLANATION not in result_page(client, attempt)


@pytest.mark.parametrize(
    ("review", "line", "message"),
    [
        ("all", 2, "'review' must be one of score, answers, feedback, not 'all'"),
        ("\n  later: score", 3, "unknown field 'review.later'"),
        ("\n  closed: everything", 3, "'review.closed' must be one of score, answers, feedback"),
        ("[score]", 2, "'review' must be one of score, answers, feedback, or lines"),
    ],
)
def test_review_settings_are_checked(app, content_dirs, review, line, message):
    courses, quizzes = content_dirs
    write_course(courses, "mot-cua")
    write_quiz(quizzes, "mot-cua", settings=f"course: mot-cua\nreview: {review}\n")
    _, errors = read_content(courses, quizzes)
    assert any(message in str(e) and f"mot-cua.yml:{line}:" in str(e) for e in errors), errors
