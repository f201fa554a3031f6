"""Tests for the Aiken parser (app.content.aiken), checked against Moodle's importer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.content.aiken import parse_aiken
from app.content.errors import ContentError
from app.content.gift import Question, inspect_dict, question_from_dict, question_to_dict

pytestmark = pytest.mark.unit  # a pure core: no app, no database

DATA = Path(__file__).resolve().parent.parent / "data" / "aiken"


def read(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


def summary(questions: list[Question]) -> list[tuple[int, str, list[tuple[str, float]]]]:
    return [(q.line, q.text, [(a.text, a.fraction) for a in q.answers]) for q in questions]


VIETNAMESE = [
    (
        1,
        "Thủ tướng Chính phủ do cơ quan nào bầu?",
        [
            ("Chủ tịch nước", 0.0),
            ("Quốc hội", 1.0),
            ("Ủy ban Thường vụ Quốc hội", 0.0),
            ("Nhân dân", 0.0),
        ],
    ),
    (8, "Nhiệm kỳ của Hội đồng nhân dân xã là bao nhiêu năm?", [("4 năm", 0.0), ("5 năm", 1.0)]),
    (
        12,
        "Câu hỏi có ký tự HTML: 1 &lt; 2 &amp; 3 &gt; 2?",
        [("Đúng &lt;b&gt;", 1.0), ("Sai &amp; không rõ", 0.0)],
    ),
    (
        18,
        "Văn bản nào có hiệu lực pháp lý cao nhất?",
        [("Luật", 0.0), ("Hiến pháp", 1.0), ("Nghị định", 0.0)],
    ),
]


def test_good_file() -> None:
    questions, errors = parse_aiken(read("vietnamese.txt"), "ngan-hang.txt")
    assert errors == []
    assert summary(questions) == VIETNAMESE
    for q in questions:
        assert (q.type, q.single, q.text_format, q.title, q.category) == (
            "multichoice",
            True,
            "html",
            "",
            "",
        )
        assert all(a.text_format == "html" and a.feedback == "" for a in q.answers)


def test_crlf_cr_and_bom_read_the_same() -> None:
    text = read("vietnamese.txt")
    for variant in ("\ufeff" + text.replace("\n", "\r\n"), text.replace("\n", "\r")):
        questions, errors = parse_aiken(variant, "x.txt")
        assert errors == [] and summary(questions) == VIETNAMESE


def test_moodle_fixture_aiken_errors() -> None:
    # question/format/aiken/tests/fixtures/aiken_errors.txt from Moodle, with the problems
    # Moodle's own test expects, each at the line of the question concerned.
    questions, errors = parse_aiken(read("moodle_aiken_errors.txt"), "aiken_errors.txt")
    assert summary(questions) == [
        (9, "A good question", [("Correct", 1.0), ("Incorrect", 0.0)]),
        (
            18,
            "A second good question",
            [("Incorrect (No space)", 0.0), ("Correct (No space)", 1.0)],
        ),
    ]
    assert [str(e) for e in errors] == [
        "aiken_errors.txt:1: question has only 1 option: it needs at least 2 ('A. ...', 'B. ...') "
        "before its 'ANSWER:' line",
        "aiken_errors.txt:5: option line outside a question: the question text comes first",
        "aiken_errors.txt:7: 'ANSWER:' line outside a question",
        "aiken_errors.txt:14: question has no 'ANSWER:' line before the next question on line 18",
    ]


GOOD = "Câu hỏi tốt?\nA. Có\nB. Không\nANSWER: A\n"  # lines 1-4: the case under test starts on 5


@pytest.mark.parametrize(
    ("source", "line", "message"),
    [
        ("Câu hỏi?\nA. Một\nC. Ba\nANSWER: A", 7, "option C is out of order: expected B"),
        ("Câu hỏi?\nB. Một\nC. Hai\nANSWER: B", 6, "option B is out of order: expected A"),
        ("Câu hỏi?\nA. Một\nB.\nANSWER: A", 7, "option B has no text"),
        (
            "Câu hỏi?\nA. Một\nB. Hai\nANSWER: E",
            8,
            "'ANSWER: E' names no option: the options are A to B",
        ),
        ("Câu hỏi?\nA. Một\nB. Hai\nANSWER: b", 8, "'ANSWER: b' must name one option letter"),
        ("Câu hỏi?\nA. Một\nB. Hai\nANSWER:", 8, "'ANSWER: ' must name one option letter"),
        ("Câu hỏi?\nA. Một\nB. Hai\nANSWER: A, B", 8, "must name one option letter"),
        ("Câu hỏi?\nANSWER: A", 5, "question has no options: it needs at least 2"),
        ("Câu hỏi?\nA. Một\nANSWER: A", 5, "question has only 1 option"),
        (
            "Câu hỏi?\nA. Một\nB. Hai\n\nCâu khác?\nA. x\nB. y\nANSWER: A",
            5,
            "question has no 'ANSWER:' line before the next question on line 9",
        ),
        (
            "Câu hỏi dòng một\ndòng hai?\nA. x\nB. y\nANSWER: A",
            5,
            "question text continues on line 6: an Aiken question must be on one line",
        ),
        ("Câu hỏi?\nA. Một\nB. Hai", 5, "question has no 'ANSWER:' line"),
        ("A. Một\nB. Hai\nANSWER: A", 5, "option line outside a question"),
        ("ANSWER: A", 5, "'ANSWER:' line outside a question"),
        ("Câu hỏi?\nA. Một\nB. Hai\nAnswer: B", 8, "malformed answer line 'Answer: B'"),
        ("Câu hỏi?\nA. Một\nB. Hai\nANSWER : B", 8, "malformed answer line"),
        (
            "Câu hỏi?\na) Một\nb) Hai\nANSWER: A",
            6,
            "option label 'a)' must be an upper-case letter",
        ),
    ],
)
def test_errors_have_the_offending_line(source: str, line: int, message: str) -> None:
    questions, errors = parse_aiken(GOOD + source, "bank/aiken.txt")
    assert questions[0].text == "Câu hỏi tốt?"
    assert all(q.line > line for q in questions[1:]), "the broken question was returned"
    assert errors, "an error was expected"
    first = errors[0]
    assert (first.path, first.line) == ("bank/aiken.txt", line)
    assert message in first.message
    assert str(first) == f"bank/aiken.txt:{line}: {first.message}"


def test_multi_line_question_text_is_not_imported_in_pieces() -> None:
    source = "Câu hỏi dòng một\ndòng hai?\nA. x\nB. y\nANSWER: A\nCâu sau?\nA. x\nB. y\nANSWER: B"
    questions, errors = parse_aiken(source, "x.txt")
    assert [q.text for q in questions] == ["Câu sau?"]
    assert [e.line for e in errors] == [1]


def test_broken_question_is_dropped_but_the_next_one_is_read() -> None:
    source = "Câu một?\nA. x\nC. y\nANSWER: A\nCâu hai?\nA. x\nB. y\nANSWER: B\n"
    questions, errors = parse_aiken(source, "x.txt")
    assert [(q.line, q.text, [a.fraction for a in q.answers]) for q in questions] == [
        (5, "Câu hai?", [0.0, 1.0])
    ]
    assert [e.line for e in errors] == [3]


def test_options_match_the_answer_letter_by_position() -> None:
    questions, errors = parse_aiken("Q?\nA) a\nB) b\nC) c\nANSWER: C", "x.txt")
    assert errors == [] and [a.fraction for a in questions[0].answers] == [0.0, 0.0, 1.0]


def test_lines_shorter_than_two_bytes_are_ignored() -> None:
    questions, errors = parse_aiken("Q?\nA. a\n.\nB. b\n?\nANSWER: B", "x.txt")
    assert errors == [] and summary(questions) == [(1, "Q?", [("a", 0.0), ("b", 1.0)])]


def test_questions_serialise_like_gift_questions() -> None:
    questions, _ = parse_aiken(read("vietnamese.txt"), "x.txt")
    for q in questions:
        assert question_from_dict(json.loads(json.dumps(question_to_dict(q)))) == q
        assert inspect_dict(q)["single"] is True


aiken_like_text = st.lists(
    st.sampled_from(
        ["A. ", "B) ", "C.", "D)", "ANSWER: ", "ANSWER:", "Answer: ", "a) ", "A", "B", "E", "\n",
         "\r\n", "\r", " ", "Câu hỏi?", "Đáp án", "<&>", "\ufeff", "\t"]
    ),
    max_size=40,
).map("".join)  # fmt: skip


@settings(max_examples=400, database=None, deadline=None)
@given(st.one_of(st.text(), aiken_like_text))
def test_any_text_gives_questions_or_errors_never_an_exception(text: str) -> None:
    questions, errors = parse_aiken(text, "p.txt")
    line_count = max(1, len(text.splitlines()))
    for error in errors:
        assert isinstance(error, ContentError) and 1 <= error.line <= line_count
    for q in questions:
        assert q.type == "multichoice" and q.single and q.text
        assert len(q.answers) >= 2 and [a.fraction for a in q.answers].count(1.0) == 1
