"""Quiz files load like courses: checked first, all or nothing, errors with file:line."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from app.content.loader import read_content
from app.models import Question, Quiz, db, utcnow
from tests.factories import load_content, write_course, write_quiz


def load(courses, quizzes):
    content, errors = read_content(courses, quizzes)
    assert errors == [], [str(e) for e in errors]
    report = load_content(content, now=utcnow())
    db.session.commit()
    return report


def errors_of(courses, quizzes) -> list[str]:
    return [str(e) for e in read_content(courses, quizzes)[1]]


def test_quiz_loads_with_settings_and_rendered_questions(app, content_dirs):
    courses, quizzes = content_dirs
    write_course(courses, "mot-cua")
    write_quiz(
        quizzes,
        "mot-cua",
        settings="course: mot-cua\ntitle: Kiểm tra\npass_mark: 60\ntime_limit: 15\n"
        "attempts: 2\ndraw: 5\ngrading: last\nreview: answers\n"
        "when_time_expires: grace\ngrace_minutes: 5\naccent_insensitive: true\n",
    )
    load(courses, quizzes)
    quiz = db.session.scalar(select(Quiz))
    assert (quiz.title, quiz.course.slug, float(quiz.pass_mark)) == ("Kiểm tra", "mot-cua", 60)
    assert (quiz.time_limit_minutes, quiz.attempts_allowed, quiz.draw_count) == (15, 2, 5)
    assert (quiz.grading_method, quiz.overdue_policy) == ("last", "grace")
    assert (quiz.review_immediately, quiz.review_open, quiz.review_closed) == ("answers",) * 3
    questions = db.session.scalars(select(Question).order_by(Question.position)).all()
    assert [q.type for q in questions] == [
        "multichoice",
        "truefalse",
        "shortanswer",
        "multichoice",
        "match",
        "numerical",
        "essay",
    ]
    assert questions[0].category == "thu/bai-1" and questions[0].title == "Một lần"
    assert questions[0].rendered["answers"][0].startswith("Hướng dẫn đầy đủ")
    assert "Căn cứ" in questions[0].rendered["general_feedback"]


def test_quiz_without_settings_gets_defaults(app, content_dirs):
    courses, quizzes = content_dirs
    write_quiz(quizzes, "luyen-tap", settings=None)
    load(courses, quizzes)
    quiz = db.session.scalar(select(Quiz))
    assert quiz.course_id is None and quiz.draw_count is None and float(quiz.pass_mark) == 50


def test_reloading_keeps_question_rows_and_a_changed_question_is_a_new_row(app, content_dirs):
    courses, quizzes = content_dirs
    write_course(courses, "mot-cua")
    path = write_quiz(quizzes, "mot-cua")
    load(courses, quizzes)
    ids = set(db.session.scalars(select(Question.id)))
    assert not load(courses, quizzes).changed
    path.write_text(path.read_text().replace("Từ chối tiếp nhận", "Từ chối nhận"), encoding="utf-8")
    report = load(courses, quizzes)
    assert report.updated == ["quiz mot-cua (revision 2)"]
    active = set(db.session.scalars(select(Question.id).where(Question.is_active.is_(True))))
    assert len(active) == 7 and len(active & ids) == 6
    assert db.session.scalar(select(func.count(Question.id))) == 8  # the old one is kept


@pytest.mark.parametrize(
    ("gift", "settings", "expected"),
    [
        ("::A::Câu hỏi {=a ~b\n", None, "quizzes/hong.gift:1:"),
        (
            "Câu hỏi {=a ~b}",
            "pass_mark: 120\n",
            "quizzes/hong.yml:1: settings: 'pass_mark' must be at most 100",
        ),
        (
            "Câu hỏi {=a ~b}",
            "grading: best\n",
            "quizzes/hong.yml:1: settings: 'grading' must be one of",
        ),
        (
            "Câu hỏi {=a ~b}",
            "course: khong-co\n",
            "quizzes/hong.yml:1: course 'khong-co' does not exist",
        ),
        (
            "Câu hỏi {=a ~b}",
            "draw: 3\n",
            "quizzes/hong.yml:1: 'draw' asks for 3 questions but the file has 1",
        ),
        (
            "Câu hỏi {=a ~b}",
            "pass_mark: 50\ntimelimit: 5\n",
            "quizzes/hong.yml:2: settings: unknown field 'timelimit'",
        ),
        (
            "Câu hỏi {=a ~b}",
            "when_time_expires: grace\n",
            "quizzes/hong.yml:1: 'when_time_expires: grace' needs",
        ),
        (
            "Câu hỏi {=a ~b}",
            "draw_per_category:\n  khac: 1\n",
            "quizzes/hong.yml:2: no question is in category 'khac'",
        ),
        ("Chỉ là mô tả.", None, "quizzes/hong.gift: the file has no question to answer"),
        (
            "Câu hỏi {=a ~b}\n\nCâu hỏi {=a ~b}",
            None,
            "quizzes/hong.gift:3: the same question appears twice",
        ),
        ("Câu hỏi {=a ~b}", "title: [x\n", "quizzes/hong.yml:2: YAML:"),
    ],
)
def test_broken_quiz_files_are_reported_with_file_and_line(
    app, content_dirs, gift, settings, expected
):
    courses, quizzes = content_dirs
    write_quiz(quizzes, "hong", gift=gift, settings=settings)
    found = errors_of(courses, quizzes)
    assert any(message.startswith(expected) for message in found), found


def test_settings_without_questions_and_two_quizzes_for_one_course(app, content_dirs):
    courses, quizzes = content_dirs
    write_course(courses, "mot-cua")
    (quizzes / "mo-coi.yml").write_text("pass_mark: 50\n", encoding="utf-8")
    write_quiz(quizzes, "a-mot", settings="course: mot-cua\n")
    write_quiz(quizzes, "b-hai", settings="course: mot-cua\n")
    found = errors_of(courses, quizzes)
    assert "quizzes/mo-coi.yml: settings without a question file (mo-coi.gift or .aiken)" in found
    assert "quizzes/b-hai.yml:1: course 'mot-cua' already has a quiz (a-mot)" in found


def test_broken_quiz_loads_nothing_and_old_quiz_stays(app, runner, content_dirs):
    courses, quizzes = content_dirs
    write_course(courses, "mot-cua")
    path = write_quiz(quizzes, "mot-cua")
    assert runner.invoke(args=["content", "load"]).exit_code == 0
    path.write_text("::X::Câu hỏi hỏng {=a ~b", encoding="utf-8")
    write_course(courses, "khoa-moi")
    result = runner.invoke(args=["content", "load"])
    assert result.exit_code == 1 and "quizzes/mot-cua.gift:1:" in result.output
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Question.id))) == 7
    assert db.session.scalar(select(func.count()).select_from(Quiz)) == 1


def test_aiken_files_load_too(app, content_dirs):
    courses, quizzes = content_dirs
    (quizzes / "aiken-mau.aiken").write_text(
        "Luật Cán bộ, công chức 2025 có số hiệu?\nA. 80/2025/QH15\nB. 22/2008/QH12\nANSWER: A\n",
        encoding="utf-8",
    )
    load(courses, quizzes)
    question = db.session.scalar(select(Question))
    assert question.type == "multichoice" and question.data["answers"][0]["fraction"] == 1.0


def test_aiken_errors_name_file_and_line(app, content_dirs):
    courses, quizzes = content_dirs
    (quizzes / "hong.aiken").write_text("Câu hỏi?\nA. Một\nB. Hai\nANSWER: C\n", encoding="utf-8")
    assert any(e.startswith("quizzes/hong.aiken:4:") for e in errors_of(courses, quizzes))


def test_inspect_json_lists_questions_with_moodle_types(runner, tmp_path):
    path = tmp_path / "mau.gift"
    path.write_text(
        "::T::Câu? {=Đúng ~Sai}\n\n$CATEGORY: a/b\n\n::N::Số? {#5:0.5}\n\n::S::Thủ đô? {=Hà Nội}\n",
        encoding="utf-8",
    )
    result = runner.invoke(args=["quiz", "inspect", str(path), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [q["type"] for q in data["questions"]] == ["multichoice", "numerical", "shortanswer"]
    assert data["questions"][0]["single"] is True
    assert data["questions"][1]["category"] == "a/b"
    numeric = data["questions"][1]["answers"][0]
    assert (numeric["value"], numeric["tolerance"], numeric["weight"]) == (5.0, 0.5, 1.0)


def test_inspect_reports_errors_and_exits_non_zero(runner, tmp_path):
    path = tmp_path / "hong.gift"
    path.write_text("Câu 1 {=a ~b}\n\nCâu 2 {=a ~b\n", encoding="utf-8")
    result = runner.invoke(args=["quiz", "inspect", str(path)])
    assert result.exit_code == 1
    assert f"{path}:3:" in result.output


def test_the_shipped_catalogue_checks_clean(app):
    """Every course and quiz in the repository passes the checker."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    content, errors = read_content(root / "courses", root / "quizzes")
    assert errors == [], [str(e) for e in errors]


def test_inspect_json_on_moodle_documentation_examples(runner):
    """The examples of Moodle's GIFT page, through the command authors use."""
    from pathlib import Path

    from tests.content.test_gift import DOCS_EXPECTED

    path = Path(__file__).resolve().parents[1] / "data" / "gift" / "moodle_docs_examples.gift"
    result = runner.invoke(args=["quiz", "inspect", str(path), "--json"])
    assert result.exit_code == 0, result.output
    questions = json.loads(result.output)["questions"]
    assert len(questions) == len(DOCS_EXPECTED)
    for question, (line, qtype, single, weights) in zip(questions, DOCS_EXPECTED, strict=True):
        assert (question["line"], question["type"], question["single"]) == (line, qtype, single)
        got = [a["weight"] for a in question["answers"]]
        if qtype == "match":  # each pair's share of the mark
            stems = sum(1 for a in question["answers"] if a["question"])
            weights = [1 / stems if a["question"] else 0.0 for a in question["answers"]]
        assert got == pytest.approx(weights)


def test_names_longer_than_the_database_holds(app, content_dirs):
    """Checked on every engine alike (SQLite would store anything; PostgreSQL refuses): a long
    course or lesson title, folder name or $CATEGORY is a file:line error; a long question
    title is shortened, as Moodle shortens a question's name."""
    courses, quizzes = content_dirs
    write_course(courses, "dai", title="T" * 251, lessons={"01-" + "a" * 101 + ".md": "Nội dung."})
    write_course(courses, "x" * 101)
    found = errors_of(courses, quizzes)
    assert any(m.startswith("courses/dai/course.md:2: ") and "at most 250" in m for m in found)
    assert any(m.startswith("courses/dai/01-aaa") and "at most 100" in m for m in found), found
    assert any(m.startswith("courses/" + "x" * 101) and "at most 100" in m for m in found)

    for path in sorted(courses.rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    write_course(courses, "mot-cua")
    write_quiz(quizzes, "mot-cua", gift=f"$CATEGORY: {'c' * 251}\n\n::Câu::Đúng?{{T}}\n")
    assert errors_of(courses, quizzes) == [
        "quizzes/mot-cua.gift:3: the $CATEGORY path is 251 characters long; at most 250"
    ]
    write_quiz(quizzes, "mot-cua", gift=f"::{'Tên ' * 80}::Đúng?{{T}}\n\n::Hai::Sai?{{F}}\n")
    load(courses, quizzes)
    titles = sorted(db.session.scalars(select(Question.title)), key=len)
    assert titles[0] == "Hai" and len(titles[1]) == 250 and titles[1].endswith("…")
