"""Every parser of outside input, fed random and half-valid input: it answers with its own clean
error (``ContentError`` for content files, ``ImportFileError`` or a row error for the
past-records import), never another exception, and never takes long (a hypothesis deadline per
example, and timed pathological inputs).

GIFT and Aiken text also have property tests of their own in tests/content; here whole quiz
files go through the reader that the loader uses (questions rendered, settings checked).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from app.compliance import imports
from app.content.courses import read_course
from app.content.errors import ContentError
from app.content.loader import read_content
from app.content.markdown import parse_front_matter, parse_yaml
from app.content.quizzes import read_quiz
from app.content.standards import read_standard
from app.models import Quiz, QuizAttempt, Role, db, local_date, utcnow
from app.quiz import forms as quiz_forms
from app.quiz import services as quiz_services
from app.text import drop_control_characters
from tests.compliance.scenario import STANDARD
from tests.factories import (
    SAMPLE_GIFT,
    load_content,
    make_user,
    write_course,
    write_quiz,
)

# Generous for a shared machine, far below what a hang or a quadratic blow-up takes.
FUZZ = settings(max_examples=200, database=None, deadline=timedelta(seconds=3))
IN_APP = settings(
    FUZZ,
    max_examples=100,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# --- strategies ---------------------------------------------------------------------------------

YAML_TOKENS = [
    *"abz019 -:[]{},#&*!|>'\"%@`?.\t\n",
    "\n  ",
    "\n- ",
    ": ",
    "year",
    "title",
    "period",
    "start",
    "deadline",
    "required",
    "everyone",
    "by_position",
    "hours",
    "minimum",
    "external",
    "pass_mark",
    "2026-01-01",
    "2026-02-30",
    "0001-01-01",
    "9999",
    "-1",
    "1e309",
    ".nan",
    "null",
    "~",
    "yes",
    "!!python/object:os.system",
    "!!binary aGk=",
    "&a ",
    "*a",
    "<<: ",
    "---",
    "...",
    "\ufeff",
    "ệ",
    "\x00",
    "\r\n",
]
yaml_like_text = st.lists(st.sampled_from(YAML_TOKENS), max_size=80).map("".join)
ODD_VALUES = [
    "2026-02-30",
    "0000-01-01",
    "2026-01-01T25:00:00",
    "!!set {a, b}",
    "!!binary aGk=",
    "!!binary '%%'",
    "!!omap [a: 1]",
    "!!pairs [a: 1, a: 2]",
    "!!float x",
    "!!int 0x",
    "!!timestamp 2026",
    "!!str",
    "{a: [1, {b: c}]}",
    "[[[[]]]]",
    "1e309",
    "-.inf",
    "99999999999999999999999",
    "0b101",
    "0o17",
    "12:30:00",
    "'\\x00'",
    '"\\x00"',
    '"\\ud800"',
]
values_text = st.one_of(st.sampled_from(ODD_VALUES), yaml_like_text)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dates(),
    st.text(max_size=30),
)
FIELD_NAMES = [
    "year",
    "title",
    "version",
    "issuer",
    "legal_basis",
    "notes",
    "period",
    "start",
    "deadline",
    "applies_to",
    "unit_kinds",
    "units",
    "positions",
    "required",
    "everyone",
    "by_position",
    "hours",
    "minimum",
    "external",
    "external_cap",
    "pass_mark",
    "exemptions",
    "min_months_worked",
    "joined_after",
    "reminders",
    "days_before",
    "track",
    "summary",
    "order",
    "minutes",
    "course",
    "attempts",
    "time_limit",
    "shuffle_answers",
    "review",
    "draw",
]
values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.sampled_from(FIELD_NAMES), children, max_size=5),
    ),
    max_leaves=20,
)
# Valid YAML of the right keys with any values: what reaches the field checks.
yaml_mappings = st.dictionaries(st.sampled_from(FIELD_NAMES), values, max_size=10).map(
    lambda d: yaml.safe_dump(d, allow_unicode=True)
)


@st.composite
def mutated(draw, source: str) -> str:
    """``source`` with some lines dropped, repeated, or given another value."""
    lines = source.splitlines()
    for _ in range(draw(st.integers(0, 4))):
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["drop", "repeat", "value", "insert"]))
        if action == "drop":
            del lines[i]
        elif action == "repeat":
            lines.insert(i, lines[i])
        elif action == "value":
            key = lines[i].split(":", 1)[0]
            lines[i] = f"{key}: {draw(values_text)}"
        else:
            lines.insert(i, draw(yaml_like_text))
    return "\n".join(lines) + "\n"


yaml_texts = st.one_of(st.text(max_size=200), yaml_like_text, yaml_mappings, mutated(STANDARD))
file_bytes = st.one_of(
    yaml_texts.map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.binary(max_size=200),
)

COURSE = '---\ntitle: "Khóa"\ntrack: reform\nhours: 4\nsummary: "Tóm tắt"\norder: 1\n---\nBài.\n'
LESSON = '---\ntitle: "Bài một"\nminutes: 15\n---\nNội dung *bài* [liên kết](02-hai.md).\n'
MARKDOWN_TOKENS = [
    *"*_[]()<>!#`|~-=\\\n ",
    "[a](",
    "](javascript:alert(1))",
    "<script>",
    "<img src=x onerror=1>",
    "```",
    "| a | b |\n|---|---|\n",
    "> ",
    "1. ",
    "&#x0;",
    "ệ",
    "\x00",
]
markdown_like = st.lists(st.sampled_from(MARKDOWN_TOKENS), max_size=120).map("".join)
front_matter_files = st.one_of(
    mutated(COURSE),
    st.tuples(yaml_texts, markdown_like).map(lambda p: f"---\n{p[0]}\n---\n{p[1]}"),
    st.text(max_size=200),
)

SETTINGS = "course: mot-cua\npass_mark: 60\nattempts: 3\ntime_limit: 20\nreview: feedback\n"
GIFT_TOKENS = [*"{}=~#:%-> \n\\", "::T::", "{T}", "{#1:2}", "$CATEGORY: a/b\n", "[html]", "ệ"]
gift_like = st.one_of(
    st.lists(st.sampled_from(GIFT_TOKENS), max_size=80).map("".join),
    mutated(SAMPLE_GIFT),
)
AIKEN_TOKENS = ["Câu hỏi?\n", "A. a\n", "B) b\n", "C. c\n", "ANSWER: A\n", "ANSWER: E\n", "\n"]
aiken_like = st.lists(st.sampled_from(AIKEN_TOKENS), max_size=30).map("".join)


def assert_clean(errors: list, path_prefix: str) -> None:
    for error in errors:
        assert isinstance(error, ContentError), error
        assert error.path.startswith(path_prefix) and error.message, str(error)


# --- content files ----------------------------------------------------------------------------


@FUZZ
@given(yaml_texts)
def test_yaml_answers_a_document_or_a_content_error(text: str) -> None:
    try:
        document = parse_yaml(text, "x.yml")
    except ContentError as exc:
        assert exc.path == "x.yml" and exc.message.startswith("YAML:")
    else:
        assert isinstance(document.meta, dict)


@FUZZ
@given(front_matter_files)
def test_front_matter_answers_a_document_or_a_content_error(text: str) -> None:
    try:
        document = parse_front_matter(text, "c.md")
    except ContentError as exc:
        assert exc.path == "c.md" and exc.message.startswith("front matter:")
    else:
        assert isinstance(document.meta, dict) and document.body_line >= 2


@FUZZ
@given(
    st.one_of(front_matter_files.map(str.encode), st.binary(max_size=200)),
    st.one_of(mutated(LESSON), front_matter_files, markdown_like).map(str.encode),
)
def test_a_course_folder_reads_as_a_course_or_content_errors(course: bytes, lesson: bytes):
    with tempfile.TemporaryDirectory() as root:
        folder = Path(root) / "khoa"
        folder.mkdir()
        (folder / "course.md").write_bytes(course)
        (folder / "01-mot.md").write_bytes(lesson)
        data, errors = read_course(folder, "courses")
    assert_clean(errors, "courses/khoa")
    assert data is not None or errors


@FUZZ
@given(st.one_of(file_bytes, mutated(STANDARD).map(str.encode)))
def test_a_standard_reads_as_a_standard_or_content_errors(source: bytes) -> None:
    with tempfile.TemporaryDirectory() as root:
        path = Path(root) / "2026.yml"
        path.write_bytes(source)
        standard, errors = read_standard(path, "standards/2026.yml", {"khoa-a", "khoa-b"})
    assert_clean(errors, "standards/2026.yml")
    assert (standard is None) == bool(errors)
    if standard is not None:
        assert standard.start_date <= standard.deadline and standard.year == 2026


@FUZZ
@given(
    st.sampled_from([".gift", ".aiken"]),
    st.one_of(gift_like, aiken_like, st.text(max_size=200)),
    st.one_of(mutated(SETTINGS), yaml_texts),
)
def test_a_quiz_file_reads_as_a_quiz_or_content_errors(suffix: str, text: str, settings_: str):
    with tempfile.TemporaryDirectory() as root:
        path = Path(root) / f"mot-cua{suffix}"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        path.with_suffix(".yml").write_text(settings_, encoding="utf-8", errors="surrogatepass")
        quiz, problems = read_quiz(path, "quizzes")
    assert_clean(problems, "quizzes/mot-cua")
    errors = [p for p in problems if not p.is_warning]  # warnings: read as Moodle reads them
    assert (quiz is None) == bool(errors)


def laughs(levels: int) -> str:
    """YAML's "billion laughs": each level names the one before nine times."""
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, levels + 1)]
    return "\n".join(lines)


@pytest.mark.parametrize("wrap", ["yaml", "front matter"])
def test_nested_yaml_aliases_are_refused_at_once(wrap: str) -> None:
    # Six levels stand for 9**7 values: walking them took seconds, eight levels minutes.
    text = laughs(6)
    started = time.perf_counter()
    with pytest.raises(ContentError) as caught:
        if wrap == "yaml":
            parse_yaml(text, "2026.yml")
        else:
            parse_front_matter(f"---\n{text}\n---\nBài.\n", "course.md")
    assert time.perf_counter() - started < 1
    assert caught.value.line == (2 if wrap == "yaml" else 3)
    assert "aliases (*name) are not supported" in caught.value.message


def test_a_single_alias_is_refused_with_its_line() -> None:
    with pytest.raises(ContentError) as caught:
        parse_yaml("title: &t Khóa\nsummary: *t\n", "course.yml")
    assert str(caught.value) == (
        "course.yml:2: YAML: aliases (*name) are not supported: write the value out"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("title: Khóa\nsummary: a\x08b\n", "YAML: the character U+0008 is not allowed"),
        ("title: Khóa\nstart: 2026-02-30\n", "YAML: '2026-02-30' is not a valid date"),
        ("title: Khóa\nstart: 0000-01-01\n", "YAML: '0000-01-01' is not a valid date"),
        ("title: Khóa\nhours: !!float x\n", "YAML: 'x' is not a valid number"),
        ("title: Khóa\norder: !!int 0x\n", "YAML: '0x' is not a valid whole number"),
        ("title: Khóa\nactive: !!bool maybe\n", "YAML: 'maybe' is not a valid true/false value"),
    ],
)
def test_impossible_yaml_values_are_content_errors_with_their_line(text: str, message: str):
    with pytest.raises(ContentError) as caught:
        parse_front_matter(f"---\n{text}---\nBài.\n", "course.md")
    assert str(caught.value) == f"course.md:3: {message.replace('YAML:', 'front matter:')}"


@pytest.mark.parametrize(
    "text",
    [
        "{" * 20_000,
        "::" * 20_000,
        "{=" + "a\\" * 20_000 + "}",
        "::T::Q{\n" + "~a\n" * 20_000 + "}",
        "::T::Q{" + "#" * 20_000 + "}",
        "$CATEGORY: " + "a/" * 20_000,
    ],
    ids=["braces", "colons", "escapes", "answers", "hashes", "category"],
)
def test_large_pathological_quiz_files_answer_quickly(text: str) -> None:
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as root:
        path = Path(root) / "mot-cua.gift"
        path.write_text(text, encoding="utf-8")
        read_quiz(path, "quizzes")
    assert time.perf_counter() - started < 10


# --- the past-records import ------------------------------------------------------------------

HEADERS = ["username", "course", "title", "provider", "hours", "completed_on", "note"]
cell_text = st.one_of(
    st.sampled_from(
        [
            "owner",
            "OWNER ",
            "peer",
            "khoa-a",
            "10/02/2026",
            "30/02/2026",
            "01/01/0001",
            "2026-13-01",
            "31.12.9999",
            "4",
            "0",
            "-1",
            "1e3",
            "NaN",
            "Infinity",
            "4,5",
            "=1+1",
            "",
        ]
    ),
    st.text(max_size=40),
)
cell_values = st.one_of(
    cell_text,
    st.none(),
    st.integers(min_value=-(10**15), max_value=10**15),
    st.floats(allow_nan=False, allow_infinity=False),
    st.dates(min_value=dt.date(1900, 1, 1)),
    st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(9999, 1, 1)),
    st.booleans(),
)
headers = st.one_of(
    st.just(HEADERS),
    st.lists(st.sampled_from([*HEADERS, "Tên đăng nhập", "Ngày hoàn thành", "", "x"]), max_size=8),
)


def csv_bytes(header: list[str], rows: list[list], delimiter: str, encoding: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding, "replace")


csv_files = st.one_of(
    st.builds(
        csv_bytes,
        headers,
        st.lists(st.lists(cell_text, max_size=8), max_size=8),
        st.sampled_from([",", ";", "\t"]),
        st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1258"]),
    ),
    st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.binary(max_size=300),
)


def xlsx_bytes(header: list, rows: list[list]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in [header, *rows]:
        sheet.append([v.replace("\x00", "") if isinstance(v, str) else v for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


VALID_XLSX = xlsx_bytes(HEADERS, [["owner", "khoa-a", "", "", "", "10/02/2026", ""]])


@st.composite
def damaged(draw, data: bytes) -> bytes:
    """``data`` cut short or with some bytes changed."""
    data = bytearray(data[: draw(st.integers(0, len(data)))] if draw(st.booleans()) else data)
    for _ in range(draw(st.integers(0, 8))):
        if data:
            data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
    return bytes(data)


def _legal_cells(values: list) -> list:
    """openpyxl refuses control characters in cells: what a spreadsheet could hold."""
    return [drop_control_characters(v) if isinstance(v, str) else v for v in values]


xlsx_files = st.one_of(
    st.builds(
        xlsx_bytes,
        headers,
        st.lists(st.lists(cell_values, max_size=8).map(_legal_cells), max_size=6),
    ),
    damaged(VALID_XLSX),
    st.binary(max_size=300),
)


@pytest.fixture
def importer(app, units):
    make_user("owner", unit=units["A"])
    make_user("peer", unit=units["B"])
    return make_user("hr.a", role=Role.HR, unit=units["A"])


def check_import(name: str, data: bytes, viewer) -> None:
    try:
        rows = imports.read_rows(name, data)
    except imports.ImportFileError as exc:
        assert str(exc)
        return
    now = utcnow()
    try:
        report = imports.import_records(rows, viewer=viewer, now=now)
    finally:
        db.session.rollback()
    for line, message in report.errors:
        assert line >= 2 and message
    assert report.errors or len(report.records) == len(rows)
    for record in report.records:  # what was accepted is sane
        assert Decimal(0) < record.hours <= 1000
        assert record.completed_on <= local_date(now)


@IN_APP
@given(data=csv_files)
def test_a_csv_import_answers_rows_or_clean_errors(importer, data: bytes) -> None:
    check_import("ho-so.csv", data, importer)


@IN_APP
@given(data=xlsx_files)
def test_an_xlsx_import_answers_rows_or_clean_errors(importer, data: bytes) -> None:
    check_import("ho-so.xlsx", data, importer)


@pytest.mark.parametrize("name", ["ho-so.pdf", "ho-so", "ho-so.csv.exe", ".xlsx.html"])
def test_other_file_types_are_refused(app, name: str) -> None:
    with pytest.raises(imports.ImportFileError):
        imports.read_rows(name, b"username,completed_on\nowner,10/02/2026\n")


# --- the attempt page's answers ---------------------------------------------------------------

ANSWER_VALUES = [
    "0",
    "1",
    "2",
    "-1",
    "99",
    "999999999",
    "1e309",
    "-1e309",
    "nan",
    "inf",
    "0x10",
    "٢٠٢٥",  # Arabic-Indic digits: float() reads them
    "２０２５",
    "2025:0",
    "80",
    " 80 ",
    "true",
    "false",
    "TRUE",
    "\x00",
    "=1+1",
    "<script>alert(1)</script>",
]
answer_values = st.one_of(st.sampled_from(ANSWER_VALUES), st.text(max_size=60))


@pytest.fixture
def sample_quiz(app, content_dirs, official):
    courses, quizzes = content_dirs
    write_course(courses, "mot-cua")
    write_quiz(quizzes, "mot-cua")  # every question type, no attempt limit
    content, errors = read_content(courses, quizzes)
    assert errors == [], errors
    load_content(content, now=utcnow())
    db.session.commit()
    return db.session.scalar(select(Quiz))


@settings(IN_APP, max_examples=50)  # each example is three requests
@given(data=st.data())
def test_any_answers_are_saved_and_graded_never_a_server_error(
    client, login, official, sample_quiz, data
):
    if not client.get_cookie("session"):
        login(official)
    started = client.post("/quiz/mot-cua/start")
    assert started.status_code == 302
    attempt_id = int(started.headers["Location"].rsplit("/", 1)[-1])
    attempt = db.session.get(QuizAttempt, attempt_id)
    form = MultiDict()
    for item in quiz_services.attempt_questions(attempt):
        form.add("shown", data.draw(st.sampled_from([str(item.id), f" {item.id}", "x"])))
        names = [quiz_forms.field_name(item)]
        names += [quiz_forms.field_name(item, part) for part in range(4)]
        for name in data.draw(st.lists(st.sampled_from(names), max_size=4)):
            form.add(name, data.draw(answer_values))
    saved = client.post(
        f"/quiz/attempts/{attempt_id}/save", data=form, headers={"Accept": "application/json"}
    )
    assert saved.status_code == 200, saved.get_data(as_text=True)
    submitted = client.post(f"/quiz/attempts/{attempt_id}/submit", data=form)
    assert submitted.status_code == 302
    assert submitted.headers["Location"].endswith(f"/quiz/attempts/{attempt_id}/result")
    assert client.get(f"/quiz/attempts/{attempt_id}/result").status_code == 200
    db.session.expire_all()
    score = db.session.get(QuizAttempt, attempt_id).score
    assert score is None or 0 <= score <= 100


# --- the roster import ---------------------------------------------------------------------

ROSTER_HEADERS = [
    "username",
    "full_name",
    "unit_code",
    "position_code",
    "email",
    "role",
    "joined_on",
    "left_on",
]
roster_headers = st.one_of(
    st.just(ROSTER_HEADERS),
    st.permutations(ROSTER_HEADERS).map(list),
    st.lists(st.sampled_from([*ROSTER_HEADERS, "tên đăng nhập", "họ và tên", "x"]), max_size=9),
)
roster_csv = st.one_of(
    st.builds(
        csv_bytes,
        roster_headers,
        st.lists(st.lists(cell_text, max_size=9), max_size=8),
        st.sampled_from([",", ";"]),
        st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1258"]),
    ),
    st.binary(max_size=300),
)
roster_xlsx = st.one_of(
    st.builds(
        xlsx_bytes,
        roster_headers,
        st.lists(st.lists(cell_values, max_size=9).map(_legal_cells), max_size=6),
    ),
    damaged(xlsx_bytes(ROSTER_HEADERS, [["moi.01", "Nguyễn Văn Mới", "A"]])),
)


def check_roster(name: str, data: bytes, actor) -> None:
    from app.people import roster
    from app.tabular import TableError

    try:
        rows = roster.read_roster(name, data)
    except TableError as exc:
        assert str(exc)
        return
    try:
        report = roster.import_roster(rows, actor=actor, dry_run=True, now=utcnow())
    finally:
        db.session.rollback()
    for line, message in report.errors:
        assert line >= 2 and message


@IN_APP
@given(data=roster_csv)
def test_a_csv_roster_answers_a_report_or_clean_errors(importer, data: bytes) -> None:
    check_roster("danh-sach.csv", data, importer)


@IN_APP
@given(data=roster_xlsx)
def test_an_xlsx_roster_answers_a_report_or_clean_errors(importer, data: bytes) -> None:
    check_roster("danh-sach.xlsx", data, importer)
