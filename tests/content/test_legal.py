"""The legal register, citations in lessons and questions, and warnings that do not fail a load."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
import yaml

from app.content.citations import citing_files
from app.content.legal import format_articles
from app.content.loader import read_content
from app.models import db, utcnow
from tests.factories import load_content, write_course

ROOT = Path(__file__).resolve().parents[2]
TODAY = dt.date(2026, 12, 5)

REGISTER = """\
# Sổ đăng ký văn bản
documents:
  - id: nd-118-2025
    number: "118/2025/NĐ-CP"
    type: "Nghị định"
    title: "Quy định về thực hiện thủ tục hành chính theo cơ chế một cửa"
    issuer: "Chính phủ"
    issued: 2025-06-09
    in_force: 2025-07-01
    amended_by: [nd-367-2025]
    replaced_by: null
  - id: nd-367-2025
    number: "367/2025/NĐ-CP"
    type: "Nghị định"
    title: "Sửa đổi, bổ sung Nghị định 118/2025/NĐ-CP"
    issuer: "Chính phủ"
    issued: 2025-12-20
    in_force: 2025-12-31
  - id: nd-61-2018
    number: "61/2018/NĐ-CP"
    type: "Nghị định"
    title: "Về thực hiện cơ chế một cửa (đã hết hiệu lực)"
    issuer: "Chính phủ"
    issued: 2018-04-23
    in_force: 2018-06-21
    replaced_by: nd-118-2025
"""

GIFT = """\
// Bài kiểm tra thử
$CATEGORY: thu

// câu một
// sources: nd-118-2025 7(3)(a); nd-61-2018 historical
::Q1::Trung tâm cấp xã có con dấu riêng.{T}

// sources: nd-118-2025 11(4)
::Q2::Thời hạn mỗi đợt?{=12 đến 36 tháng ~6 tháng}
"""


def lesson(front: str, body: str = "Nội dung bài học.") -> str:
    return f'---\ntitle: "Bài"\nminutes: 10\n{front}---\n{body}\n'


def write(courses: Path, quizzes: Path, *, lesson_front: str, register: str = REGISTER,
          gift: str | None = GIFT, quiz_settings: str = "course: mot-cua\n") -> None:  # fmt: skip
    (courses / "legal.yml").write_text(register, encoding="utf-8")
    folder = write_course(courses, "mot-cua", lessons={})
    (folder / "01-bai.md").write_text(lesson(lesson_front), encoding="utf-8")
    if gift is not None:
        (quizzes / "mot-cua.gift").write_text(gift, encoding="utf-8")
        (quizzes / "mot-cua.yml").write_text(quiz_settings, encoding="utf-8")


def problems(courses: Path, quizzes: Path, today: dt.date = TODAY):
    content, errors = read_content(courses, quizzes, today=today)
    return [str(e) for e in errors], [str(w) for w in content.warnings]


CURRENT = 'sources:\n  - {doc: nd-118-2025, article: "7(3)(a), 8"}\nreviewed: 2026-11-20\n'


def test_a_lesson_citing_current_documents_checks_clean(content_dirs):
    courses, quizzes = content_dirs
    write(
        courses,
        quizzes,
        lesson_front=CURRENT,
        quiz_settings="course: mot-cua\nreviewed: 2026-11-20\n",
    )
    assert problems(courses, quizzes) == ([], [])  # fmt: skip


@pytest.mark.parametrize(
    ("entry", "line", "message"),
    [
        ("    nam: 2025\n", 12, "register: unknown field 'nam'"),
        ("    id: nd-118-2025\n", 12, "YAML: 'documents.0.id' is given twice"),
    ],
)
def test_register_entry_problems_name_the_line(content_dirs, entry, line, message):
    courses, quizzes = content_dirs
    register = REGISTER.replace("    replaced_by: null\n", "    replaced_by: null\n" + entry)
    write(courses, quizzes, lesson_front="", register=register, gift=None)
    errors, _ = problems(courses, quizzes)
    assert any(e.startswith(f"courses/legal.yml:{line}: ") and message in e for e in errors), errors


def test_register_refuses_duplicate_ids_unknown_links_and_cycles(content_dirs):
    courses, quizzes = content_dirs
    register = (
        REGISTER.replace(
            "amended_by: [nd-367-2025]", "amended_by: [nd-367-2025, nd-999-2030]"
        ).replace("replaced_by: null", "replaced_by: nd-61-2018")
        + REGISTER.split("documents:\n")[1].split("  - id: nd-367-2025")[0]
    )
    write(courses, quizzes, lesson_front="", register=register, gift=None)
    errors, _ = problems(courses, quizzes)
    assert (
        "courses/legal.yml:10: register: amended_by names unknown document 'nd-999-2030'" in errors
    )
    assert any(
        e.startswith("courses/legal.yml:11: register: replaced_by makes a cycle: ")
        and "nd-118-2025 -> nd-61-2018 -> nd-118-2025" in e
        for e in errors
    ), errors
    duplicate = "register: id 'nd-118-2025' is given twice (first on line 3)"
    assert f"courses/legal.yml:27: {duplicate}" in errors


def test_register_missing_fields_and_bad_dates_are_errors(content_dirs):
    courses, quizzes = content_dirs
    register = REGISTER.replace(
        '    issuer: "Chính phủ"\n    issued: 2025-06-09\n', "    issued: 9/6/2025\n"
    )
    write(courses, quizzes, lesson_front=CURRENT, register=register)
    errors, _ = problems(courses, quizzes)
    assert "courses/legal.yml:3: register: missing 'issuer'" in errors
    # the broken entry is reported once, not again by every file citing or naming it
    assert all(e.startswith("courses/legal.yml:") for e in errors), errors
    assert any(
        e.startswith("courses/legal.yml:7: register: 'issued' must be a date") for e in errors
    )


def test_an_empty_register_is_accepted_and_an_unknown_citation_is_an_error(content_dirs):
    courses, quizzes = content_dirs
    write(courses, quizzes, lesson_front=CURRENT, register="# trống\ndocuments:\n", gift=None)
    errors, _ = problems(courses, quizzes)
    assert errors == [
        "courses/mot-cua/01-bai.md:5: unknown legal document 'nd-118-2025' "
        "(not in courses/legal.yml)"
    ]


def test_citing_a_replaced_document_is_an_error_unless_marked_historical(content_dirs):
    courses, quizzes = content_dirs
    front = (
        "sources:\n  - {doc: nd-61-2018}\n  - {doc: nd-61-2018, historical: true}\n"
        "reviewed: 2026-11-20\n"
    )
    gift = GIFT.replace("nd-61-2018 historical", "nd-61-2018")
    settings = "course: mot-cua\nreviewed: 2026-11-20\n"
    write(courses, quizzes, lesson_front=front, gift=gift, quiz_settings=settings)
    errors, warnings = problems(courses, quizzes)
    replaced = (
        "Nghị định 61/2018/NĐ-CP (nd-61-2018) was replaced by Nghị định 118/2025/NĐ-CP "
        "(nd-118-2025) from 01/07/2025: cite the new text, or mark the citation as historical"
    )
    assert errors == [
        f"courses/mot-cua/01-bai.md:5: {replaced}",
        f"quizzes/mot-cua.gift:5: {replaced}",
    ]
    assert warnings == []


def test_bad_citation_shapes_are_errors(content_dirs):
    courses, quizzes = content_dirs
    front = (
        "sources:\n  - {doc: nd-118-2025, article: 'Chương II'}\n  - {doc: nd-118-2025, khoan: 3}\n"
        "  - {article: '5'}\nreviewed: 2026-11-20\n"
    )
    gift = GIFT.replace("// sources: nd-118-2025 11(4)\n", "// sources: nd-118-2025 điều 11\n")
    gift += "\n// sources: nd-118-2025\n\n::Q3::Lạc chỗ {T}\n"
    write(courses, quizzes, lesson_front=front, gift=gift)
    errors, _ = problems(courses, quizzes)
    assert errors[0].startswith("courses/mot-cua/01-bai.md:5: front matter: article 'Chương II'")
    assert errors[1] == (
        "courses/mot-cua/01-bai.md:6: front matter: unknown key 'khoan' in 'sources' "
        "(expected: doc, article, historical)"
    )
    assert (
        errors[2]
        == "courses/mot-cua/01-bai.md:7: front matter: an item of 'sources' has no 'doc: ID'"
    )
    assert errors[3].startswith("quizzes/mot-cua.gift:8: sources: nd-118-2025: article 'điều 11'")
    assert errors[4] == (
        "quizzes/mot-cua.gift:11: a '// sources:' line must be directly above a question "
        "(no blank line between them)"
    )  # fmt: skip


def test_amended_after_review_and_old_reviews_are_warnings_naming_what_changed(content_dirs):
    courses, quizzes = content_dirs
    front = 'sources:\n  - {doc: nd-118-2025, article: "7(3)"}\nreviewed: 2025-10-01\n'
    settings = "course: mot-cua\nreviewed: 2025-12-20\n"
    write(courses, quizzes, lesson_front=front, quiz_settings=settings)
    errors, warnings = problems(courses, quizzes)
    assert errors == []
    amended = (
        "warning: Nghị định 118/2025/NĐ-CP (nd-118-2025) was amended by Nghị định "
        "367/2025/NĐ-CP (nd-367-2025, in force 31/12/2025) after {what} was reviewed on {day}: "
        "check the cited articles and update 'reviewed'"
    )
    assert warnings == [
        "courses/mot-cua/01-bai.md:5: " + amended.format(what="the lesson", day="01/10/2025"),
        "courses/mot-cua/01-bai.md:6: warning: the lesson was last reviewed on 01/10/2025, more "
        "than 12 months ago: check it against the law in force and update 'reviewed'",
        "quizzes/mot-cua.gift:5: " + amended.format(what="the quiz", day="20/12/2025"),
        "quizzes/mot-cua.gift:8: " + amended.format(what="the quiz", day="20/12/2025"),
    ]
    # the day before the amendment comes into force, it is announced as coming
    assert problems(courses, quizzes, today=dt.date(2025, 12, 30))[1][0] == (
        "courses/mot-cua/01-bai.md:5: warning: Nghị định 118/2025/NĐ-CP (nd-118-2025) will be "
        "amended by Nghị định 367/2025/NĐ-CP (nd-367-2025) from 31/12/2025: check the cited "
        "articles and update the lesson before then"
    )
    # reviewed after the amendment came into force, within 12 months: nothing to say
    assert problems(courses, quizzes, today=dt.date(2025, 12, 31))[1][0].startswith(
        "courses/mot-cua/01-bai.md:5: warning: Nghị định 118/2025/NĐ-CP (nd-118-2025) was amended"
    )
    (courses / "mot-cua" / "01-bai.md").write_text(
        lesson(front.replace("2025-10-01", "2026-01-02"))
    )
    assert not any("01-bai.md" in w for w in problems(courses, quizzes)[1])


def test_citations_without_a_review_date_are_a_warning(content_dirs):
    courses, quizzes = content_dirs
    write(courses, quizzes, lesson_front="sources:\n  - {doc: nd-118-2025}\n")
    errors, warnings = problems(courses, quizzes)
    assert errors == []
    assert warnings == [
        "courses/mot-cua/01-bai.md:1: warning: the lesson cites legal documents but has no "
        "'reviewed: YYYY-MM-DD' date",
        "quizzes/mot-cua.yml: warning: the quiz cites legal documents but has no "
        "'reviewed: YYYY-MM-DD' date",
    ]


def test_a_body_with_its_own_legal_basis_section_gets_a_warning(content_dirs):
    courses, quizzes = content_dirs
    write(courses, quizzes, lesson_front=CURRENT, gift=None)
    path = courses / "mot-cua" / "01-bai.md"
    path.write_text(lesson(CURRENT, "Nội dung.\n\n## Căn cứ\n\n- Nghị định 118/2025/NĐ-CP"))
    _, warnings = problems(courses, quizzes)
    assert warnings == [
        "courses/mot-cua/01-bai.md:10: warning: the body has its own 'Căn cứ' section: list the "
        "documents in 'sources:' instead (the page renders 'Căn cứ' from the legal register)"
    ]


def test_articles_render_in_vietnamese_and_english():
    assert format_articles("7(3)(a), 8, 11(1)") == "Điều 7 khoản 3 điểm a, Điều 8, Điều 11 khoản 1"
    assert format_articles("7(3)(a), 8", "en") == "Article 7(3)(a), Article 8"
    assert format_articles("38(2)(đ)") == "Điều 38 khoản 2 điểm đ"


def test_the_lesson_page_shows_the_legal_basis_from_the_register_and_the_review_date(
    app, client, login, official, content_dirs
):
    courses, quizzes = content_dirs
    front = (
        'sources:\n  - {doc: nd-118-2025, article: "7(3)(a), 8"}\n'
        "  - {doc: nd-61-2018, historical: true}\nreviewed: 2026-11-20\n"
    )
    write(courses, quizzes, lesson_front=front, gift=None)
    content, errors = read_content(courses, quizzes, today=TODAY)
    assert errors == []
    load_content(content, now=utcnow())
    db.session.commit()
    login(official)
    page = client.get("/courses/mot-cua/bai").get_data(as_text=True)
    prose = page[page.index('<div class="prose">') :]
    assert '<h2 id="can-cu">Căn cứ</h2>' in prose
    assert (
        "<li><strong>Nghị định 118/2025/NĐ-CP</strong> ngày 09/06/2025 của Chính phủ <em>Quy định "
        "về thực hiện thủ tục hành chính theo cơ chế một cửa</em>: Điều 7 khoản 3 điểm a, Điều 8; "
        "đã được sửa đổi, bổ sung bởi Nghị định 367/2025/NĐ-CP.</li>"
    ) in prose
    assert (
        "<strong>Nghị định 61/2018/NĐ-CP</strong> ngày 23/04/2018 của Chính phủ <em>Về thực hiện "
        "cơ chế một cửa (đã hết hiệu lực)</em> (văn bản đã được thay thế, trích dẫn để đối "
        "chiếu).</li>"
    ) in prose
    assert 'Rà soát lần cuối: <time datetime="2026-11-20">20/11/2026</time>' in prose
    assert 'href="#can-cu"' in page  # listed in the lesson's contents


def test_a_register_change_updates_the_lessons_that_cite_it(app, content_dirs):
    from app.models import Lesson

    courses, quizzes = content_dirs
    write(courses, quizzes, lesson_front=CURRENT, gift=None,
          register=REGISTER.replace("    amended_by: [nd-367-2025]\n", ""))  # fmt: skip
    load_content(read_content(courses, quizzes, today=TODAY)[0], now=utcnow())
    db.session.commit()
    assert "sửa đổi, bổ sung" not in db.session.scalar(db.select(Lesson.body_html))
    (courses / "legal.yml").write_text(REGISTER, encoding="utf-8")
    report = load_content(read_content(courses, quizzes, today=TODAY)[0], now=utcnow())
    db.session.commit()
    assert report.updated == ["course mot-cua (revision 2)"]
    assert "đã được sửa đổi, bổ sung bởi Nghị định 367/2025/NĐ-CP" in db.session.scalar(
        db.select(Lesson.body_html)
    )


# --- The command line -------------------------------------------------------------------------


OLD_REVIEW = 'sources:\n  - {doc: nd-118-2025, article: "7"}\nreviewed: 2020-01-15\n'


def test_warnings_go_to_stderr_and_do_not_fail_unless_strict(runner, content_dirs):
    courses, quizzes = content_dirs
    write(courses, quizzes, lesson_front=OLD_REVIEW, gift=None)
    result = runner.invoke(args=["content", "check"])
    assert result.exit_code == 0, result.output
    assert "courses/mot-cua/01-bai.md:6: warning: the lesson was last reviewed on 15/01/2020" in (
        result.stderr
    )
    assert result.stdout.startswith("OK: 1 courses") and "2 warning(s)." in result.stdout
    assert "01-bai.md" not in result.stdout
    strict = runner.invoke(args=["content", "check", "--strict"])
    assert strict.exit_code == 1
    assert "courses/mot-cua/01-bai.md:6: the lesson was last reviewed" in strict.stderr
    assert "2 problem(s) found." in strict.stderr


def test_load_keeps_warnings_for_the_admin_page_and_strict_loads_nothing(
    runner, client, login, admin, content_dirs
):
    from app.models import ContentWarning, Course

    courses, quizzes = content_dirs
    write(courses, quizzes, lesson_front=OLD_REVIEW, gift=None)
    refused = runner.invoke(args=["content", "load", "--strict"])
    assert refused.exit_code == 1 and "nothing changed" in refused.stderr
    assert db.session.scalar(db.select(db.func.count(Course.id))) == 0
    result = runner.invoke(args=["content", "load"])
    assert result.exit_code == 0, result.output
    assert "courses/mot-cua/01-bai.md:6: warning: the lesson was last reviewed" in result.stderr
    assert db.session.scalars(db.select(ContentWarning.line)).all() == [5, 6]
    login(admin)
    page = client.get("/admin/").get_data(as_text=True)
    assert (
        "<code>courses/mot-cua/01-bai.md:6</code> the lesson was last reviewed on 15/01/2020"
        in page
    )
    # fixed files: the next load clears the list
    recent = CURRENT.replace("2026-11-20", utcnow().date().isoformat())
    (courses / "mot-cua" / "01-bai.md").write_text(lesson(recent), encoding="utf-8")
    assert runner.invoke(args=["content", "load"]).exit_code == 0
    assert db.session.scalars(db.select(ContentWarning)).all() == []


def test_quiz_inspect_json_stays_pure_json_when_there_are_warnings(runner, tmp_path):
    bank = tmp_path / "ngoai.gift"
    bank.write_text("Đúng không? {t}\n\nCâu {=a ~b} rồi {=c}\n", encoding="utf-8")
    result = runner.invoke(args=["quiz", "inspect", "--json", str(bank)])
    assert result.exit_code == 0
    payload = json.loads(result.stdout)
    assert [(q["type"], q["text"]) for q in payload["questions"]] == [
        ("shortanswer", "Đúng không?"),
        ("multichoice", "Câu  rồi {=c}"),
    ]
    assert payload["questions"][0]["answers"][0]["text"] == "t"
    assert f"{bank}:1: warning: true/false answers are written in upper case" in result.stderr
    assert f"{bank}:3: warning: second '{{' after the answer block" in result.stderr


def test_content_sources_lists_each_citing_file_path_first(runner, content_dirs):
    courses, quizzes = content_dirs
    write(courses, quizzes, lesson_front=CURRENT)
    result = runner.invoke(args=["content", "sources", "nd-118-2025"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "courses/mot-cua/01-bai.md:5: nd-118-2025: Article 7(3)(a), Article 8",
        "quizzes/mot-cua.gift:5: nd-118-2025, 2 questions (lines 6, 9): Article 7(3)(a), "
        "Article 11(4)",
    ]
    everything = runner.invoke(args=["content", "sources"]).stdout.splitlines()
    assert "quizzes/mot-cua.gift:5: nd-61-2018, 1 question (line 6) (historical)" in everything
    assert "courses/legal.yml:12: nd-367-2025 is cited by no file" in everything
    unknown = runner.invoke(args=["content", "sources", "nd-1-1999"])
    assert unknown.exit_code == 1 and "'nd-1-1999' is not in courses/legal.yml" in unknown.output


# --- The shipped catalogue ---------------------------------------------------------------------


def test_marking_a_register_document_replaced_names_every_lesson_and_question_citing_it(tmp_path):
    courses, quizzes = tmp_path / "courses", tmp_path / "quizzes"
    shutil.copytree(ROOT / "courses", courses)
    shutil.copytree(ROOT / "quizzes", quizzes)
    register = yaml.safe_load((courses / "legal.yml").read_text(encoding="utf-8"))
    documents = register.get("documents") or []
    cited = citing_files(courses, quizzes)
    current = [d for d in documents if not d.get("replaced_by")]
    if len(current) < 2 or not cited:
        pytest.skip("the shipped register cites too few documents yet")
    counts = {d["id"]: sum(1 for f in cited if f.doc == d["id"]) for d in current}
    target = max(counts, key=counts.get)
    replacement = next(  # one already in force: a replacement to come is only a warning
        d["id"]
        for d in current
        if d["id"] != target and (d.get("in_force") or d["issued"]) <= dt.date.today()
    )
    for document in documents:
        if document["id"] == target:
            document["replaced_by"] = replacement
    (courses / "legal.yml").write_text(
        yaml.safe_dump(register, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    content, errors = read_content(courses, quizzes)
    named = {
        (e.path, e.line)
        for e in errors
        if f"({target}) was replaced by" in e.message
    }  # fmt: skip
    expected = {
        (c.path, c.line)
        for f in cited
        if f.doc == target
        for c in f.citations
        if not c.historical
    }  # fmt: skip
    assert expected and expected <= named
    assert {path for path, _ in named} >= {f.path for f in cited if f.doc == target}


def test_a_bank_with_lines_moodle_reads_leniently_loads_with_warnings(app, content_dirs):
    from app.models import Question

    courses, quizzes = content_dirs
    (quizzes / "ngoai.gift").write_text(
        "::A::Trung tâm có con dấu riêng.{t}\n\n::B::Chọn {=a ~b} hoặc {~c}\n", encoding="utf-8"
    )
    content, errors = read_content(courses, quizzes)
    assert errors == []
    assert [str(w).split(": warning: ")[0] for w in content.warnings] == [
        "quizzes/ngoai.gift:1",
        "quizzes/ngoai.gift:3",
    ]
    load_content(content, now=utcnow())
    db.session.commit()
    rows = db.session.execute(db.select(Question.type, Question.text_html)).all()
    assert sorted(rows) == [
        ("multichoice", "Chọn  hoặc {~c}"),  # as Moodle: the text ends with "}", so no blank
        ("shortanswer", "Trung tâm có con dấu riêng."),
    ]


def test_a_replacement_not_yet_in_force_is_a_warning_until_that_day(content_dirs):
    courses, quizzes = content_dirs
    register = REGISTER.replace("    replaced_by: null\n", "    replaced_by: nd-200-2027\n") + (
        '  - id: nd-200-2027\n    number: "200/2026/NĐ-CP"\n    type: "Nghị định"\n'
        '    title: "Thay thế"\n    issuer: "Chính phủ"\n    issued: 2026-11-01\n'
        "    in_force: 2027-01-01\n"
    )
    write(courses, quizzes, lesson_front=CURRENT, register=register, gift=None)
    errors, warnings = problems(courses, quizzes)
    assert errors == []
    assert warnings == [
        "courses/mot-cua/01-bai.md:5: warning: Nghị định 118/2025/NĐ-CP (nd-118-2025) will be "
        "replaced by Nghị định 200/2026/NĐ-CP (nd-200-2027) from 01/01/2027: update the lesson "
        "before then"
    ]
    errors, _ = problems(courses, quizzes, today=dt.date(2027, 1, 1))
    assert errors[0].startswith(
        "courses/mot-cua/01-bai.md:5: Nghị định 118/2025/NĐ-CP (nd-118-2025) was replaced by "
        "Nghị định 200/2026/NĐ-CP (nd-200-2027) from 01/01/2027"
    )


def test_the_shipped_catalogue_has_no_warning():
    """Outdated citations and reviews over 12 months old show up here too: when this fails a
    year after a review, the lessons it names are due for their yearly legal review."""
    content, errors = read_content(ROOT / "courses", ROOT / "quizzes")
    assert errors == [], [str(e) for e in errors][:10]
    assert [str(w) for w in content.warnings] == []
