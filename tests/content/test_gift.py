"""Tests for the GIFT parser (app.content.gift), checked against Moodle's importer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.content.errors import ContentError
from app.content.gift import GRADE_OPTIONS, _idnumber_and_tags, inspect_dict, parse_gift
from app.content.questions import Answer, ParsedQuestion, question_from_dict, question_to_dict

pytestmark = pytest.mark.unit  # a pure core: no app, no database

DATA = Path(__file__).resolve().parent.parent / "data" / "gift"


def parse_ok(text: str) -> list[ParsedQuestion]:
    questions, errors = parse_gift(text, "t.gift")
    assert errors == []
    return questions


def parse_one(text: str) -> ParsedQuestion:
    questions = parse_ok(text)
    assert len(questions) == 1
    return questions[0]


def fractions(q: ParsedQuestion) -> list[float]:
    return [a.fraction for a in q.answers]


def read(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


# --- The examples of Moodle's "GIFT format" documentation page -------------------------------

# (line, type, single for multichoice else None, weights) for every question, in file order.
DOCS_EXPECTED = [
    (5, "truefalse", None, [1.0, 0.0]),
    (8, "multichoice", True, [1.0, 0.0, 0.0]),
    (12, "shortanswer", None, [1.0, 1.0]),
    (15, "match", None, [1.0, 1.0]),
    (18, "numerical", None, [1.0]),
    (21, "numerical", None, [1.0]),
    (25, "numerical", None, [1.0, 0.5]),
    (31, "essay", None, []),
    (34, "multichoice", True, [1.0, 0.0, 0.0, 0.0, 0.0]),
    (47, "multichoice", True, [1.0, 0.0, 0.0, 0.0, 0.0]),
    (49, "multichoice", True, [1.0, 0.0, 0.0, 0.0, 0.0]),
    (52, "multichoice", True, [1.0, 0.0, 0.0, 0.0, 0.0]),
    (64, "multichoice", False, [-1.0, 0.5, 0.5, -1.0]),
    (72, "truefalse", None, [1.0, 0.0]),
    (75, "truefalse", None, [0.0, 1.0]),
    (77, "shortanswer", None, [1.0, 1.0, 1.0]),
    (79, "shortanswer", None, [1.0, 1.0]),
    (81, "match", None, [1.0, 1.0, 1.0, 1.0]),
    (88, "multichoice", True, [0.0, 1.0, 0.0]),
    (90, "multichoice", True, [0.0, 0.0, 1.0]),
    (96, "multichoice", True, [0.0, 1.0, 0.0, 0.0]),
    (104, "numerical", None, [1.0]),
    (106, "numerical", None, [1.0]),
    (108, "numerical", None, [1.0]),
    (110, "numerical", None, [1.0, 0.5]),
    (115, "essay", None, []),
    (117, "description", None, []),
    (120, "numerical", None, [1.0]),
    (123, "numerical", None, [1.0]),
    (129, "shortanswer", None, [1.0]),
    (132, "multichoice", True, [0.0, 0.0, 1.0]),
    (135, "multichoice", True, [0.0, 0.0, 1.0]),
    (142, "shortanswer", None, [1.0, 1.0, 1.0]),
    (148, "truefalse", None, [0.0, 1.0]),
    (151, "multichoice", True, [0.0, 0.5, 1.0]),
    (153, "multichoice", True, [0.0, 0.25, 0.5, 1.0]),
    (160, "shortanswer", None, [1.0, 0.75, 0.25]),
    (166, "multichoice", True, [0.0, 0.0, 1.0]),
    (172, "multichoice", False, [0.0, 0.5, 0.5, 0.0]),
    (179, "multichoice", False, [-0.5, 0.5, 0.5, -0.5]),
    (186, "multichoice", True, [0.0, 1.0, 0.0]),
    (192, "multichoice", True, [0.0, 0.0, 0.0, 0.0, 0.0, 1.0]),
    (207, "multichoice", True, [1.0, 0.0, 0.0, 0.0]),
]


@pytest.fixture(scope="module")
def docs() -> list[ParsedQuestion]:
    questions, errors = parse_gift(read("moodle_docs_examples.gift"), "docs.gift")
    assert errors == []
    return questions


def test_docs_examples_types_weights_and_single(docs: list[ParsedQuestion]) -> None:
    got = [
        (q.line, q.type, q.single if q.type == "multichoice" else None, fractions(q)) for q in docs
    ]
    assert got == DOCS_EXPECTED


def test_docs_quick_examples_details(docs: list[ParsedQuestion]) -> None:
    q1, q2, q3, q4, q5, q6, q7 = docs[:7]
    assert (q1.title, q1.text) == ("Q1", "1+1=2")
    assert [(a.text, a.feedback) for a in q2.answers] == [
        ("yellow", "right; good!"),
        ("red", "wrong, it's yellow"),
        ("blue", "wrong, it's yellow"),
    ]
    assert q3.text == "Two plus _____ equals four."
    assert [(a.question, a.text) for a in q4.answers] == [("cat", "cat food"), ("dog", "dog food")]
    # "{#1..5}" is "translated on import to the same as Q5": value 3, tolerance 2.
    for q in (q5, q6):
        (a,) = q.answers
        assert (a.value, a.tolerance, a.min, a.max) == (3.0, 2.0, 1.0, 5.0)
    assert [(a.value, a.tolerance, a.feedback) for a in q7.answers] == [
        (1822.0, 0.0, "Correct! Full credit."),
        (1822.0, 2.0, "He was born in 1822. Half credit for being close."),
    ]


def test_docs_missing_word_keeps_the_text_around_the_blank(docs: list[ParsedQuestion]) -> None:
    by_line = {q.line: q for q in docs}
    # Lines are trimmed, the blank replaces the block exactly (two spaces before it survive).
    assert (
        by_line[90].text == "Mahatma Gandhi's birthday is an Indian holiday on  _____ of October."
    )
    assert by_line[96].text == (
        'Since _____\nthe town of Hastings England has been "famous with visitors".'
    )
    assert by_line[142].text == (
        'Deep Thought said " _____  is the Ultimate Answer to the Ultimate Question of Life, '
        'The Universe, and Everything."'
    )
    assert by_line[106].text == "What is the value of pi (to 3 decimal places)? _____."
    assert by_line[153].text == "Jesus Christ was from _____."
    assert by_line[160].text == "Jesus Christ was from"


def test_docs_truefalse_feedback_order(docs: list[ParsedQuestion]) -> None:
    # {FALSE#42is the Ultimate Answer.#You gave the right answer.}: the first feedback is for
    # a wrong response (here "true"), the second for the right one ("false").
    q = next(q for q in docs if q.line == 148)
    assert [(a.text, a.fraction, a.feedback) for a in q.answers] == [
        ("true", 0.0, "42is the Ultimate Answer."),
        ("false", 1.0, "You gave the right answer."),
    ]


def test_docs_escaped_control_characters(docs: list[ParsedQuestion]) -> None:
    by_line = {q.line: q for q in docs}
    assert [a.text for a in by_line[186].answers] == ["= 2 + 2", "= 2 + 3", "= 2 + 4"]
    controls = by_line[192]
    assert [a.text for a in controls.answers] == ["~", "=", "#", "{", "}", "\\"]
    assert controls.answers[2].feedback == "# is a control character."
    assert controls.answers[5].feedback == (
        "Correct! \\ (backslash) is not a control character. BUT,\n"
        "it is used to escape the control characters."
    )
    latex = by_line[207]
    assert latex.text.startswith("The odd part of a continuous-time signal \\( x(t) \\),")
    assert "\\( \\mathcal{Odd} (x(t)) \\)" in latex.text
    assert latex.answers[0].text == "\\( 0.5 * [x(t) - x(-t)] \\)"


def test_docs_titles_formats_and_categories(docs: list[ParsedQuestion]) -> None:
    by_line = {q.line: q for q in docs}
    assert by_line[34].title == "Question title"
    assert by_line[34].text == "Question"
    assert by_line[123].title == "What's 2 plus 2?"
    assert by_line[129].text == "Japanese characters originally\ncame from what country?"
    markdown = by_line[166]
    assert markdown.text_format == "markdown"
    assert markdown.text.startswith("The *American holiday of Thanksgiving* is celebrated")
    assert [a.text_format for a in markdown.answers] == ["markdown"] * 3
    # "$CATEGORY: tom/dick/harry" then "$CATEGORY: mycategory" apply to what follows them.
    assert [q.category for q in docs[:-1]] == [""] * (len(docs) - 1)
    assert docs[-1].category == "mycategory"


# --- Moodle's own unit tests (question/format/gift/tests/giftformat_test.php) ----------------


def test_moodle_import_essay() -> None:
    q = parse_one("\n// essay\n::Q8:: How are you? {}")
    assert (q.type, q.title, q.text, q.text_format, q.general_feedback) == (
        "essay",
        "Q8",
        "How are you?",
        "moodle",
        "",
    )
    assert q.answers == []


def test_moodle_import_match() -> None:
    q = parse_one(
        "// question: 2  name: Moodle activities\n"
        "::Moodle activities::[html]Match the <b>activity</b> to the description.{\n"
        "    =[html]An activity supporting asynchronous discussions. -> Forum\n"
        "    =[moodle]A teacher asks a question and specifies a choice of multiple responses."
        " -> Choice\n"
        "    =[plain]A bank of record entries which participants can add to. -> Database\n"
        "    =[markdown]A collection of web pages that anyone can add to or edit. -> Wiki\n"
        "    = -> Chat\n"
        "}"
    )
    assert (q.type, q.title, q.text) == (
        "match",
        "Moodle activities",
        "Match the <b>activity</b> to the description.",
    )
    assert (q.text_format, q.general_feedback_format) == ("html", "html")
    assert [(a.question, a.question_format, a.text) for a in q.answers] == [
        ("An activity supporting asynchronous discussions.", "html", "Forum"),
        (
            "A teacher asks a question and specifies a choice of multiple responses.",
            "moodle",
            "Choice",
        ),
        ("A bank of record entries which participants can add to.", "plain", "Database"),
        ("A collection of web pages that anyone can add to or edit.", "markdown", "Wiki"),
        ("", "html", "Chat"),
    ]


def test_moodle_import_multichoice() -> None:
    q = parse_one(
        "// multiple choice with specified feedback for right and wrong answers\n"
        "::Q2:: What's between orange and green in the spectrum?\n"
        "{\n"
        "    =yellow # right; good!\n"
        "    ~red # [html]wrong, it's yellow\n"
        "    ~[plain]blue # wrong, it's yellow\n"
        "}"
    )
    assert (q.type, q.single, q.title) == ("multichoice", True, "Q2")
    assert q.text == "What's between orange and green in the spectrum?"
    assert [(a.text, a.text_format, a.fraction) for a in q.answers] == [
        ("yellow", "moodle", 1.0),
        ("red", "moodle", 0.0),
        ("blue", "plain", 0.0),
    ]
    assert [(a.feedback, a.feedback_format) for a in q.answers] == [
        ("right; good!", "moodle"),
        ("wrong, it's yellow", "html"),
        ("wrong, it's yellow", "moodle"),
    ]


def test_moodle_import_multichoice_multi() -> None:
    q = parse_one(
        "::colours:: What's between orange and green in the spectrum?\n"
        "{\n"
        "    ~%50%yellow # right; good!\n"
        "    ~%-100%red # [html]wrong\n"
        "    ~%50%off-beige # right; good!\n"
        "    ~%-100%[plain]blue # wrong\n"
        "}"
    )
    assert (q.type, q.single) == ("multichoice", False)
    assert [(a.text, a.text_format) for a in q.answers] == [
        ("yellow", "moodle"),
        ("red", "moodle"),
        ("off-beige", "moodle"),
        ("blue", "plain"),
    ]
    assert fractions(q) == [0.5, -1.0, 0.5, -1.0]
    assert [a.feedback_format for a in q.answers] == ["moodle", "html", "moodle", "moodle"]


def test_moodle_import_multichoice_multi_tricky() -> None:
    # A 100% answer written with '~%100%' is still a multiple-answer question: no '='.
    q = parse_one(
        "::colours:: What's between orange and green in the spectrum?\n"
        "{\n    ~%100%yellow # right; good!\n    ~%-50%red # wrong\n    ~%-50%blue # wrong\n}"
    )
    assert (q.single, fractions(q)) == (False, [1.0, -0.5, -0.5])


def test_moodle_import_numerical_with_wrong_feedback() -> None:
    q = parse_one(
        "// math range question\n::Q5:: What is a number from 1 to 5? {#3:2~#Completely wrong}"
    )
    assert [(a.text, a.fraction, a.value, a.tolerance, a.feedback) for a in q.answers] == [
        ("3:2", 1.0, 3.0, 2.0, ""),
        ("*", 0.0, None, None, "Completely wrong"),
    ]


@pytest.mark.parametrize("general", ["", "    ####[html]Here is some general feedback!\n"])
def test_moodle_import_shortanswer(general: str) -> None:
    q = parse_one(
        "// question: 666  name: Shortanswer\n"
        "::Shortanswer::Which is the best animal?{\n"
        "    =Frog#Good!\n"
        "    =%50%Cat#What is it with Moodlers and cats?\n"
        "    =%0%*#Completely wrong\n" + general + "}"
    )
    assert q.type == "shortanswer"
    assert [(a.text, a.fraction, a.feedback) for a in q.answers] == [
        ("Frog", 1.0, "Good!"),
        ("Cat", 0.5, "What is it with Moodlers and cats?"),
        ("*", 0.0, "Completely wrong"),
    ]
    if general:
        assert (q.general_feedback, q.general_feedback_format) == (
            "Here is some general feedback!",
            "html",
        )
    else:
        assert (q.general_feedback, q.general_feedback_format) == ("", "moodle")


def test_moodle_import_truefalse() -> None:
    q = parse_one(
        "// true/false\n::Q1:: 42 is the Absolute Answer to everything.{\n"
        "FALSE#42 is the Ultimate Answer.#You gave the right answer.}"
    )
    # Moodle: correctanswer 0, feedbacktrue "42 is the Ultimate Answer.",
    # feedbackfalse "You gave the right answer.".
    assert [(a.text, a.fraction, a.feedback) for a in q.answers] == [
        ("true", 0.0, "42 is the Ultimate Answer."),
        ("false", 1.0, "You gave the right answer."),
    ]


@pytest.mark.parametrize("answer", ["T", "TRUE"])
def test_moodle_import_truefalse_true_answer(answer: str) -> None:
    q = parse_one("// name 0-11\n::2-08 TSL::TSL is blablabla.{" + answer + "}")
    assert (q.type, q.title, q.text) == ("truefalse", "2-08 TSL", "TSL is blablabla.")
    assert [(a.text, a.fraction, a.feedback) for a in q.answers] == [
        ("true", 1.0, ""),
        ("false", 0.0, ""),
    ]


def test_moodle_import_backslash() -> None:
    # MDL-34171: a doubled backslash stands for one backslash.
    q = parse_one("\n// essay\n::double backslash:: A \\\\ B \\\\\\\\ C{}")
    assert q.text == "A \\ B \\\\ C"


def test_moodle_import_pre_content() -> None:
    # Moodle's unit test calls readquestion() directly and keeps the indentation; a real
    # import goes through readquestions(), which trims every line first. We parse files.
    q = parse_one(
        "\n::Q001::[html]<p>What would running the test method print?</p>\n<pre>\n"
        "    public void test() \\{\n        method1();\n        method2();\n"
        "        method3();\n    \\}\n</pre>\n{}"
    )
    assert (q.type, q.text_format) == ("essay", "html")
    assert q.text == (
        "<p>What would running the test method print?</p>\n<pre>\npublic void test() {\n"
        "method1();\nmethod2();\nmethod3();\n}\n</pre>"
    )


def test_moodle_import_question_with_tags() -> None:
    q = parse_one(
        "\n// This question is to test importing tags: [tag:tag] [tag:other-tag].\n"
        "// And an idnumber: [id:myid].\n::Question name:: How are you? {}"
    )
    assert (q.title, q.text, q.idnumber, q.tags) == (
        "Question name",
        "How are you?",
        "myid",
        ["tag", "other-tag"],
    )


@pytest.mark.parametrize(
    ("comment", "idnumber", "tags"),
    [
        ("", "", []),
        ("// A basic comment.", "", []),
        ("// A comment with [id:frog] <-- an idnumber.", "frog", []),
        ("// Look tags: [tag:frog] [tag:toad].", "", ["frog", "toad"]),
        ("// [tag:add] [tag:basic] [id:four]", "four", ["add", "basic"]),
        ("// [tag:  basic] Here is  \n// a [id:   four   ] que[tag:add   ]stion.", "four",
         ["basic", "add"]),
        ("// Ceci n'est pas une [tag:\n\\ frog].", "", []),
        ("// [id:i\\]d].", "i]d", []),
        ("// [tag:t\\]ag].", "", ["t]ag"]),
    ],
)  # fmt: skip
def test_moodle_extract_idnumber_and_tags(comment: str, idnumber: str, tags: list[str]) -> None:
    assert _idnumber_and_tags(comment) == (idnumber, tags)


def test_moodle_exported_questions_import_as_they_were() -> None:
    # The expected outputs of Moodle's test_export_* cases, read back.
    essay, match, single, multi, numerical, short, truefalse, backslash, tagged = parse_ok(
        read("moodle_exports.gift")
    )
    assert (essay.type, essay.title, essay.text) == ("essay", "Q8", "How are you?")
    assert match.answers[0].question == (
        '<div class="frog">An activity supporting asynchronous discussions.</div>'
    )
    assert [a.question_format for a in match.answers] == [
        "html",
        "moodle",
        "plain",
        "markdown",
        "html",
    ]
    assert [a.text for a in match.answers] == ["Forum", "Choice", "Database", "Wiki", "Chat"]
    assert (single.single, fractions(single)) == (True, [1.0, 0.0, 0.0])
    assert [a.feedback_format for a in single.answers] == ["moodle", "html", "moodle"]
    assert single.answers[2].text_format == "plain"
    assert (multi.single, fractions(multi)) == (False, [1.0, -0.5, -0.5])
    assert [(a.text, a.fraction, a.tolerance) for a in numerical.answers] == [
        ("3:2", 1.0, 2.0),
        ("*", 0.0, None),
    ]
    assert numerical.answers[1].feedback == "Completely wrong"
    assert [(a.text, a.fraction) for a in short.answers] == [
        ("Frog", 1.0),
        ("Cat", 0.5),
        ("*", 0.0),
    ]
    assert (short.general_feedback, short.general_feedback_format) == (
        "Here is some general feedback!",
        "html",
    )
    # Exported with the true answer right: '#wrong feedback#right feedback'.
    assert [(a.text, a.fraction, a.feedback, a.feedback_format) for a in truefalse.answers] == [
        ("true", 1.0, "You gave the right answer.", "moodle"),
        ("false", 0.0, "42 is the Ultimate Answer.", "html"),
    ]
    assert backslash.text == "A \\ B \\\\ C"
    assert [q.category for q in (essay, backslash)] == ["", ""]
    assert tagged.category == "$course$/top/Default for Course 1"
    assert (tagged.idnumber, tagged.tags) == ("myid", ["tag1", "tag2"])
    assert (tagged.text, tagged.text_format) == ("The answer is true.", "html")
    assert (tagged.general_feedback, tagged.general_feedback_format) == (
        "You should have selected true.",
        "html",
    )
    assert [a.feedback for a in tagged.answers] == [
        "This is the right answer.",
        "This is the wrong answer.",
    ]


# --- Every construct, with Vietnamese text -------------------------------------------------


@pytest.fixture(scope="module")
def vietnamese() -> list[ParsedQuestion]:
    return parse_ok(read("vietnamese.gift"))


def test_vietnamese_bank_types_and_lines(vietnamese: list[ParsedQuestion]) -> None:
    assert [(q.line, q.type, q.title) for q in vietnamese] == [
        (7, "multichoice", "Một đáp án đúng"),
        (14, "multichoice", "Nhiều đáp án"),
        (20, "multichoice", "Trọng số lẻ"),
        (27, "truefalse", "Đúng sai"),
        (29, "truefalse", "Sai"),
        (31, "shortanswer", "Trả lời ngắn"),
        (37, "match", "Ghép đôi"),
        (44, "multichoice", "Điền từ"),
        (46, "shortanswer", "Điền từ ngắn"),
        (48, "numerical", "Số"),
        (50, "numerical", "Sai số"),
        (52, "numerical", "Khoảng"),
        (54, "numerical", "Nhiều đáp án số"),
        (60, "essay", "Tự luận"),
        (62, "description", ""),
        (64, "multichoice", "Ký tự thoát"),
    ]
    assert {q.category for q in vietnamese} == {"$course$/top/Cải cách hành chính/Chương 1"}


def test_vietnamese_multichoice(vietnamese: list[ParsedQuestion]) -> None:
    single, multi, thirds = vietnamese[:3]
    assert single.single and not multi.single and not thirds.single
    assert [(a.text, a.fraction, a.feedback) for a in single.answers] == [
        ("Quốc hội", 1.0, "Đúng: Quốc hội làm Hiến pháp và sửa đổi Hiến pháp."),
        ("Chính phủ", 0.0, "Sai."),
        ("Chủ tịch nước", 0.0, ""),
    ]
    assert single.general_feedback == "Điều 69 Hiến pháp năm 2013."
    assert (single.idnumber, single.tags) == ("cchc-01", ["cải cách", "chương 1"])
    assert (multi.idnumber, multi.tags) == ("", [])
    assert fractions(multi) == [0.5, 0.5, -1.0]
    assert fractions(thirds) == [0.3333333, 0.3333333, 0.3333333, -1.0]


def test_vietnamese_truefalse_feedback(vietnamese: list[ParsedQuestion]) -> None:
    true_q, false_q = vietnamese[3:5]
    assert [(a.text, a.fraction, a.feedback) for a in true_q.answers] == [
        ("true", 1.0, "Chính xác!"),
        ("false", 0.0, "Sai rồi: UBND do HĐND cùng cấp bầu."),
    ]
    assert [(a.text, a.fraction, a.feedback) for a in false_q.answers] == [
        ("true", 0.0, "Không đúng"),
        ("false", 1.0, "Đúng vậy"),
    ]


def test_vietnamese_short_match_and_missing_word(vietnamese: list[ParsedQuestion]) -> None:
    short, match, blank_mc, blank_sa = vietnamese[5], vietnamese[6], vietnamese[7], vietnamese[8]
    assert [(a.text, a.fraction) for a in short.answers] == [
        ("UBND", 1.0),
        ("U.B.N.D", 0.5),
        ("Ủy ban*", 1.0),
    ]
    assert [(a.question, a.text, a.fraction) for a in match.answers] == [
        ("Chủ tịch UBND xã", "HĐND xã", 1.0),
        ("Chủ tịch nước", "Quốc hội", 1.0),
        ("Thủ tướng Chính phủ", "Quốc hội", 1.0),
        ("", "Mặt trận Tổ quốc", 0.0),
    ]
    assert blank_mc.text == "Nhiệm kỳ của Hội đồng nhân dân xã là _____ năm."
    assert blank_sa.text == "Thủ đô của Việt Nam là _____, một thành phố lớn."
    assert [a.text for a in blank_sa.answers] == ["Hà Nội", "Ha Noi"]


def test_vietnamese_numerical(vietnamese: list[ParsedQuestion]) -> None:
    exact, tolerance, span, several = vietnamese[9:13]

    def numbers(q: ParsedQuestion) -> list[tuple[object, ...]]:
        return [(a.text, a.value, a.tolerance, a.min, a.max, a.fraction) for a in q.answers]

    assert numbers(exact) == [("12", 12.0, 0.0, 12.0, 12.0, 1.0)]
    assert numbers(tolerance) == [("34:0.5", 34.0, 0.5, 33.5, 34.5, 1.0)]
    assert numbers(span) == [("21..23", 22.0, 1.0, 21.0, 23.0, 1.0)]
    assert numbers(several) == [
        ("1945:0", 1945.0, 0.0, 1945.0, 1945.0, 1.0),
        ("1945:1", 1945.0, 1.0, 1944.0, 1946.0, 0.5),
        ("*", None, None, None, None, 0.0),
    ]
    assert [a.feedback for a in several.answers] == [
        "Chính xác: ngày 2 tháng 9 năm 1945.",
        "Gần đúng.",
        "Sai: hãy xem lại bài 1.",
    ]


def test_vietnamese_essay_description_and_escapes(vietnamese: list[ParsedQuestion]) -> None:
    essay, description, escapes = vietnamese[13:16]
    assert (essay.text, essay.text_format) == (
        "<p>Trình bày <b>vai trò</b> của UBND xã.</p>",
        "html",
    )
    assert (description.text, description.text_format) == (
        "Phần tiếp theo gồm các câu hỏi về **kỹ năng** số.",
        "markdown",
    )
    assert escapes.text == "Trong biểu thức a=b, dấu { } và ~ # : đều là ký tự đặc biệt.\nDòng hai."
    assert [(a.text, a.feedback) for a in escapes.answers] == [
        ("Đúng vậy: cần thoát", "Ký tự # được giữ."),
        ("Không", ""),
    ]


def test_crlf_bom_and_cr_only_files_read_the_same(vietnamese: list[ParsedQuestion]) -> None:
    text = read("vietnamese.gift")
    assert parse_ok("\ufeff" + text.replace("\n", "\r\n")) == vietnamese
    assert parse_ok(text.replace("\n", "\r")) == vietnamese


# --- Single constructs ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "text"),
    [
        ("{=Hà Nội ~Huế} là thủ đô.", "_____ là thủ đô."),
        ("Thủ đô là {=Hà Nội ~Huế}.", "Thủ đô là _____."),
        ("Thủ đô là {=Hà Nội ~Huế}", "Thủ đô là"),
        ("Thủ đô là\n{\n=Hà Nội\n~Huế\n}\n// chú thích cuối", "Thủ đô là"),
        ("Câu a\\}{=x ~y}b", "Câu a}_____b"),
        ("Viết {} ở đây.", "Viết _____ ở đây."),
    ],
)
def test_missing_word_blank(source: str, text: str) -> None:
    assert parse_one(source).text == text


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("{T}", (1.0, 0.0)),
        ("{TRUE}", (1.0, 0.0)),
        ("{F}", (0.0, 1.0)),
        ("{FALSE}", (0.0, 1.0)),
        ("{ F # sai }", (0.0, 1.0)),
        ("{T####Giải thích}", (1.0, 0.0)),
    ],
)
def test_truefalse_forms(source: str, expected: tuple[float, float]) -> None:
    q = parse_one("Mệnh đề " + source)
    assert q.type == "truefalse"
    assert tuple(fractions(q)) == expected


def test_truefalse_feedback_may_contain_hash_signs() -> None:
    q = parse_one("Đúng? {T#sai#đúng # thật}")
    assert [a.feedback for a in q.answers] == ["đúng # thật", "sai"]


def test_single_is_decided_by_an_equals_sign_anywhere_in_the_block() -> None:
    # Moodle's rule, quirk included: an unescaped '=' in a feedback starts a new right answer.
    q = parse_one("Chọn {~%50%a#1+1=2 ~%50%b}")
    assert q.single is True
    assert [(a.text, a.fraction, a.feedback) for a in q.answers] == [
        ("a", 0.5, "1+1"),
        ("2", 1.0, ""),
        ("b", 0.5, ""),
    ]
    escaped = parse_one("Chọn {~%50%a#1+1\\=2 ~%50%b}")
    assert escaped.single is False
    assert escaped.answers[0].feedback == "1+1=2"


def test_a_tilde_anywhere_makes_a_multichoice_question() -> None:
    q = parse_one("Từ đồng nghĩa {=đẹp # không phải xấu ~ hay}")
    assert (q.type, [a.text for a in q.answers]) == ("multichoice", ["đẹp", "hay"])


@pytest.mark.parametrize(
    ("weight", "fraction"),
    [
        ("100", 1.0),
        ("-100", -1.0),
        ("83.33333", 0.8333333),
        ("66.66667", 0.6666667),
        ("33.333", 0.3333333),  # within Moodle's 0.00001 of a grade option: snapped to it
        ("14.28571", 0.1428571),
        ("12.5", 0.125),
        ("5", 0.05),
        ("0", 0.0),
    ],
)
def test_weights_are_moodle_grade_options(weight: str, fraction: float) -> None:
    q = parse_one(f"Câu {{=đúng ~%{weight}%một phần}}")
    assert q.answers[1].fraction == fraction


def test_shortanswer_answer_without_equals_sign() -> None:
    # "If there is only one correct Short Answer, it may be written without the equal sign
    # prefix, as long as it cannot be confused as True-False."
    q = parse_one("Thủ đô? {Hà Nội#Đúng}")
    assert (q.type, q.answers[0].text, q.answers[0].fraction, q.answers[0].feedback) == (
        "shortanswer",
        "Hà Nội",
        1.0,
        "Đúng",
    )


def test_format_tags_in_answers_and_feedback() -> None:
    q = parse_one("[html]<p>Câu</p>{=[plain]<b>a</b>#[markdown]**tốt** ~b#[xyz]c####[moodle]chung}")
    assert (q.text, q.text_format) == ("<p>Câu</p>", "html")
    a, b = q.answers
    assert (a.text, a.text_format, a.feedback, a.feedback_format) == (
        "<b>a</b>",
        "plain",
        "**tốt**",
        "markdown",
    )
    # An unknown tag is not a format: it stays in the text, the format is inherited.
    assert (b.text_format, b.feedback, b.feedback_format) == ("html", "[xyz]c", "html")
    assert (q.general_feedback, q.general_feedback_format) == ("chung", "moodle")


def test_format_tag_is_only_recognised_at_the_very_start() -> None:
    q = parse_one("Câu [html] hỏi {T#[html]x}")
    assert (q.text, q.text_format) == ("Câu [html] hỏi", "moodle")
    assert q.answers[1].feedback_format == "html"


def test_shortanswer_answers_drop_their_format_tag() -> None:
    q = parse_one("Câu {=[html]Hà Nội}")
    assert (q.answers[0].text, q.answers[0].text_format) == ("Hà Nội", "plain")


def test_comments_inside_a_question_are_ignored() -> None:
    q = parse_one("Câu hỏi {\n=a\n   // chú thích thụt lề\n~b\n}\n")
    assert [a.text for a in q.answers] == ["a", "b"]
    url = parse_one("Xem http://example.vn {T}")
    assert url.text == "Xem http://example.vn"


def test_escaped_newline_and_colons_in_title() -> None:
    q = parse_one("::Bài 1\\: Mở đầu::Dòng một\\nDòng hai{=a\\nb ~c}")
    assert (q.title, q.text, q.answers[0].text) == ("Bài 1: Mở đầu", "Dòng một\nDòng hai", "a\nb")
    assert parse_one("::::Văn bản{T}").title == ""


def test_questions_are_separated_by_one_or_more_blank_lines() -> None:
    questions = parse_ok("Q1 {T}\n\n\n   \n\t\nQ2 {F}\n\nQ3\n{\nT\n}")
    assert [(q.line, q.text) for q in questions] == [(1, "Q1"), (6, "Q2"), (8, "Q3")]


def test_categories_apply_to_following_questions() -> None:
    questions = parse_ok("A {T}\n\n$CATEGORY: x/y\n\nB {T}\n\nC {T}\n\n$CATEGORY:\n\nD {T}")
    assert [q.category for q in questions] == ["", "x/y", "x/y", ""]


def test_numerical_forms() -> None:
    q = parse_one("Số pi? {#3.14159:0.0005}")
    (a,) = q.answers
    assert (a.value, a.tolerance) == (3.14159, 0.0005)
    assert a.min == pytest.approx(3.14109) and a.max == pytest.approx(3.14209)
    negative = parse_one("Nhiệt độ? {#-5..-1}").answers[0]
    assert (negative.value, negative.tolerance, negative.min, negative.max) == (-3.0, 2.0, -5, -1)
    exponent = parse_one("Số Avogadro? {#6.022e23:1e21}").answers[0]
    assert (exponent.value, exponent.tolerance) == (6.022e23, 1e21)
    star = parse_one("Bất kỳ? {#=5 =%0%*#Sai}").answers[1]
    assert (star.text, star.value, star.fraction, star.feedback) == ("*", None, 0.0, "Sai")


def test_numerical_range_is_stored_as_moodle_prints_it() -> None:
    # Moodle stores the middle of a range and its half-width as PHP prints them (14 digits).
    (a,) = parse_one("Số pi? {#3.141..3.142}").answers
    assert (a.value, a.min, a.max) == (3.1415, 3.141, 3.142)
    assert a.tolerance == pytest.approx(0.0005)
    (b,) = parse_one("Số pi? {#3.1415:0.0005}").answers
    assert (b.value, b.tolerance, b.min, b.max) == (3.1415, 0.0005, 3.141, 3.142)


def test_gift_control_characters_in_html_are_only_refused_where_they_split() -> None:
    q = parse_one(
        '[html]<p class="q">Chọn</p> {\n'  # '=' in the question text is plain text
        # a '#' after the answer's first '#' is feedback text, wherever it stands
        '=<span style\\="color\\:red">a</span>#xem <a href\\="#dieu-5">Điều 5</a>\n'
        "~a &lt; b &amp;&amp; b > c\n"  # no tag here, only comparisons
        "~x<y ~y>z\n"
        '####<p class="gợi-ý">Điều &#49;</p>}'
    )
    assert [a.text for a in q.answers] == [
        '<span style="color:red">a</span>',
        "a &lt; b &amp;&amp; b > c",
        "x<y",
        "y>z",
    ]
    assert q.answers[0].feedback == 'xem <a href="#dieu-5">Điều 5</a>'
    assert q.general_feedback == '<p class="gợi-ý">Điều &#49;</p>'


def test_essay_with_general_feedback() -> None:
    q = parse_one("Trình bày ý kiến. {####[html]<i>Gợi ý</i>}")
    assert (q.type, q.general_feedback, q.general_feedback_format) == (
        "essay",
        "<i>Gợi ý</i>",
        "html",
    )


def test_comment_only_blocks_and_empty_files() -> None:
    assert parse_gift("", "e.gift") == ([], [])
    assert parse_gift("// chỉ có chú thích\n\n   // nữa\n", "e.gift") == ([], [])


# --- Errors ---------------------------------------------------------------------------------

PREFIX = "::Mở đầu:: Câu đúng {T}\n\n"  # two lines, so the case under test starts on line 3


# Every message in full: authors read them, so a changed or truncated message is a regression.
GRADE_OPTIONS_TEXT = (
    "(100, 90, 83.33333, 80, 75, 70, 66.66667, 60, 50, 40, 33.33333, 30, 25, 20, 16.66667, "
    "14.28571, 12.5, 11.11111, 10, 5, 0 percent and their negatives); Moodle rejects it"
)


@pytest.mark.parametrize(
    ("source", "line", "message"),
    [
        ("Câu hỏi\ncó đáp án {=a ~b\n~c", 4, "answer block is not closed"),
        ("Câu hỏi } sai", 3, "'}' without an opening '{'"),
        ("Câu } rồi { =a ~b", 3, "'}' without an opening '{'"),
        ("Câu {=a {~b}", 3, "'{' inside an answer block"),
        ("::Tiêu đề\n{=a}:: văn bản", 4, "'{' inside the title"),
        ("Câu {\n~a}", 3, "a multiple choice question needs at least 2 answers"),
        ("Câu {=a ~#phản hồi ~c}", 3, "empty answer after '~': Moodle would drop it together"),
        ("Câu {=a ~%50% ~c}", 3, "Moodle would drop it together with its weight"),
        ("Câu {=#chỉ có phản hồi}", 3, "empty answer after '=': Moodle would drop it together"),
        ("Câu {\n=y\n~%--50%x\n}", 5, "bad weight '%--50%'"),
        ("Câu {\n=y\n~%45%x\n}", 5, "weight '%45%' is not one of Moodle's grade options"),
        ("Câu {\n=y\n~%33%x\n}", 5, "weight '%33%' is not one of Moodle's grade options"),
        ("Câu {\n=y\n~%150%x\n}", 5, "weight '%150%' is not one of Moodle's grade options"),
        ("Ghép {=a -> b}", 3, "a matching question needs at least 2 pairs"),
        (
            "Ghép {\n=a -> 1\n=b 2\n=c -> 3\n}",
            5,
            "matching pair 'b 2' has no '->' (write '=a -> b')",
        ),
        ("Ghép {\n=a -> 1\n=b ->\n}", 5, "matching pair 'b' has no answer after '->'"),
        ("Ghép {\n=a -> 1\n= ->\n}", 5, "empty matching pair"),
        ("Ghép {=-> a =-> b}", 3, "at least one pair with a subquestion"),
        ("Số? {#}", 3, "no answers found for numerical question"),
        ("Số? {#\n=abc:1\n}", 4, "numerical answer 'abc:1': 'abc' is not a number"),
        (
            "Số? {#2,5}",
            3,
            "numerical answer '2,5': '2,5' is not a number (use '.' as the decimal separator)",
        ),
        ("Số? {#5:x}", 3, "numerical answer '5:x': 'x' is not a number"),
        ("Số? {#1e999}", 3, "numerical answer '1e999': '1e999' is not a number"),
        ("Số? {#1..5:2}", 3, "numerical answer '1..5:2': '5:2' is not a number"),
        ("Số? {#5..1}", 3, "numerical range '5..1' is reversed: write '1..5'"),
        ("Số? {#5:-1}", 3, "negative tolerance in '5:-1'"),
        ("Số? {#5\n~sai#phản hồi}", 4, "'~' only introduces the feedback for any other answer"),
        ("$CATEGORY: a/b\n::Q:: Câu {T}", 4, "text after a '$CATEGORY:' line must be separated"),
        (
            'Câu {\n=<span class="đúng">a</span>\n~b}',
            4,
            "unescaped '=' inside the HTML tag '<span class=\"đúng\">': Moodle would split "
            "the text there (write '\\=')",
        ),
        (
            "Câu {\n~b\n=It&#39;s}",
            5,
            "unescaped '#' inside the HTML character reference '&#39;': Moodle would split "
            "the text there (write '\\#')",
        ),
        (
            'Đúng? {T#<b style\\="color\\:#f00">Sai</b>#Đúng}',
            3,
            "unescaped '#' inside the HTML tag '<b style=\"color:#f00\">': Moodle would "
            "split the text there (write '\\#')",
        ),
        (
            "Từ {=<i lang='vi'>xã</i>}",
            3,
            "unescaped '=' inside the HTML tag '<i lang='vi'>': Moodle would split the "
            "text there (write '\\=')",
        ),
        # Found by mutation testing.
        ("Số? {#=}", 3, "empty numerical answer after '='"),
        ("Số? {#\n=5\n=\n}", 5, "empty numerical answer after '='"),
        ("Số? {#abc}", 3, "numerical answer 'abc': 'abc' is not a number"),
        ("Số? {#a..5}", 3, "numerical answer 'a..5': 'a' is not a number"),
        ("Số? {#\n=1..b}", 4, "numerical answer '1..b': 'b' is not a number"),
        # ".." or ":" at the very start is not a range or a tolerance (Moodle: strpos > 0).
        ("Số? {#..5}", 3, "numerical answer '..5': '..5' is not a number"),
        ("Số? {#..5..6}", 3, "numerical answer '..5..6': '..5..6' is not a number"),
        # Only the first ".." or ":" separates.
        ("Số? {#1..2..3}", 3, "numerical answer '1..2..3': '2..3' is not a number"),
        ("Số? {#:5}", 3, "numerical answer ':5': ':5' is not a number"),
        ("Số? {#:5:1}", 3, "numerical answer ':5:1': ':5:1' is not a number"),
        ("Số? {#5:1:2}", 3, "numerical answer '5:1:2': '1:2' is not a number"),
        # Quoted text is cut after 37 characters when longer than 40.
        (
            "Ghép {=a -> 1 =" + "b" * 40 + " =c -> 3}",
            3,
            "matching pair 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb' has no '->' (write "
            "'=a -> b')",
        ),
        (
            "Ghép {=a -> 1 =" + "b" * 41 + " =c -> 3}",
            3,
            "matching pair 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb...' has no '->' (write "
            "'=a -> b')",
        ),
        # A pair that is a single escaped character.
        ("Ghép {=a -> 1 =\\= =c -> 3}", 3, "matching pair '=' has no '->' (write '=a -> b')"),
        # Braces right next to each other.
        (
            "Câu {{=a ~b}",
            3,
            "'{' inside an answer block: is a '}' missing? (write '\\{' for a literal brace)",
        ),
        (
            "Câu {=&#39;a ~b}",
            3,
            "unescaped '#' inside the HTML character reference '&#39;': Moodle would split "
            "the text there (write '\\#')",
        ),
        # The first brace of the title is the one named.
        (
            "::a {\nb {::Câu {T}",
            3,
            "'{' inside the title: close the title with '::' before the answer block, or "
            "write '\\{' for a literal brace",
        ),
        # A one-character line after the category line is named too.
        (
            "$CATEGORY: a/b\nx\nCâu {T}",
            4,
            "text after a '$CATEGORY:' line must be separated from it by a blank line "
            "(Moodle would make it part of the category name)",
        ),
    ],
)
def test_errors_have_the_offending_line(source: str, line: int, message: str) -> None:
    questions, errors = parse_gift(PREFIX + source, "bank/chuong1.gift")
    assert [q.title for q in questions] == ["Mở đầu"]
    assert len(errors) == 1
    (error,) = errors
    assert (error.path, error.line) == ("bank/chuong1.gift", line)
    assert message in error.message
    assert str(error) == f"bank/chuong1.gift:{line}: {error.message}"


def test_every_bad_answer_of_a_question_is_reported() -> None:
    questions, errors = parse_gift("Câu {\n=a\n~%-+5%b\n~%45%c\n~\n}", "x.gift")
    assert questions == []
    assert [e.line for e in errors] == [3, 4, 5]
    assert errors[0].message.startswith("'%-+5%' is not a weight") and errors[0].is_warning
    assert errors[1].message.startswith("weight '%45%' is not one of Moodle's grade options")
    assert errors[2].message.startswith("empty answer after '~': Moodle drops it")
    assert [e.is_warning for e in errors] == [True, False, True]


# --- Lines Moodle imports differently from what they look like: imported as Moodle does,
# with a warning that names the line and the fix ------------------------------------------


def _answers(question: ParsedQuestion) -> list[tuple[str, float]]:
    return [
        (a.text if not a.question else f"{a.question}->{a.text}", a.fraction)
        for a in question.answers
    ]


@pytest.mark.parametrize(
    ("source", "line", "warning", "kind", "text", "answers"),
    [
        ("Đúng không? {t}", 3, "Moodle makes {t} a short-answer question", "shortanswer",
         "Đúng không?", [("t", 1.0)]),
        ("Đúng không? {\nf#sai}", 4, "write {F} for a true/false question", "shortanswer",
         "Đúng không?", [("f", 1.0)]),
        ("Đúng không? {true}", 3, "upper case", "shortanswer", "Đúng không?", [("true", 1.0)]),
        ("Đúng không? {T sai}", 3, "true/false answer block has extra text 'T sai'",
         "shortanswer", "Đúng không?", [("T sai", 1.0)]),
        ("Câu {=a ~b}\nvà {=c ~d}", 4, "second '{' after the answer block", "multichoice",
         "Câu \nvà {=c ~d}", [("a", 1.0), ("b", 0.0)]),
        ("Câu {=a ~b} rồi {=c} nữa", 3, "Moodle keeps this one as question text",
         "multichoice", "Câu _____ rồi {=c} nữa", [("a", 1.0), ("b", 0.0)]),
        ("Câu {=a ~b} rồi }", 3, "second '}' after the answer block", "multichoice",
         "Câu  rồi }", [("a", 1.0), ("b", 0.0)]),
        ("::Tiêu đề văn bản {=a ~b}", 3, "title is not closed", "multichoice",
         "Tiêu đề văn bản", [("a", 1.0), ("b", 0.0)]),
        ("Câu {\nabc\n~b\n=c}", 4, "'abc' does not start with '=' (right answer) or '~'",
         "multichoice", "Câu", [("abc", 0.0), ("b", 0.0), ("c", 1.0)]),
        ("Câu {\n=%50%a\n~b\n=c}", 4, "'=%n%' in a multiple choice question", "multichoice",
         "Câu", [("%50%a", 1.0), ("b", 0.0), ("c", 1.0)]),
        ("Câu {\n~%abc%x\n=y\n}", 4, "'%abc%' is not a weight", "multichoice", "Câu",
         [("%abc%x", 0.0), ("y", 1.0)]),
        ("Chọn\n{~a ~b}", 4, "no right answer", "multichoice", "Chọn", [("a", 0.0), ("b", 0.0)]),
        ("Chọn {~%50%a ~%30%b ~c}", 3, "the positive weights add up to 80%, not 100%",
         "multichoice", "Chọn", [("a", 0.5), ("b", 0.3), ("c", 0.0)]),
        ("Chọn {~%50%a ~%50%b ~%50%c}", 3, "add up to 150%, not 100%", "multichoice", "Chọn",
         [("a", 0.5), ("b", 0.5), ("c", 0.5)]),
        ("Câu {=%50%a =%25%b}", 3, "no answer gives full marks (100%)", "shortanswer", "Câu",
         [("a", 0.5), ("b", 0.25)]),
        ("Ghép {a -> 1 =b -> 2 =c -> 3}", 3, "matching pair 'a -> 1' does not start with '='",
         "match", "Ghép", [("a->1", 1.0), ("b->2", 1.0), ("c->3", 1.0)]),
        ("Số? {#=%50%5 =%50%6}", 3, "no answer gives full marks (100%)", "numerical", "Số?",
         [("5", 0.5), ("6", 0.5)]),
        ("::Tiêu đề::\n{=a ~b}", 3, "the question has no text", "multichoice", "",
         [("a", 1.0), ("b", 0.0)]),
        ("Câu {=some ~=other ~c}", 3, "empty answer after '~': Moodle drops it",
         "multichoice", "Câu", [("some", 1.0), ("other", 1.0), ("c", 0.0)]),
        ("Câu {\n=a\n~\n~b}", 5, "remove the lone '~'", "multichoice", "Câu",
         [("a", 1.0), ("b", 0.0)]),
        ("Câu {=a =}", 3, "empty answer after '=': no answer a learner types can match it",
         "shortanswer", "Câu",
         [("a", 1.0)]),
    ],
)  # fmt: skip
def test_lenient_lines_are_imported_as_moodle_does_with_a_warning(
    source: str, line: int, warning: str, kind: str, text: str, answers: list
) -> None:
    questions, problems = parse_gift(PREFIX + source, "bank/chuong1.gift")
    assert [q.title for q in questions][0] == "Mở đầu" and len(questions) == 2
    question = questions[1]
    assert (question.type, question.text, _answers(question)) == (kind, text, answers)
    assert len(problems) == 1
    (problem,) = problems
    assert problem.is_warning and (problem.path, problem.line) == ("bank/chuong1.gift", line)
    assert warning in problem.message
    assert str(problem) == f"bank/chuong1.gift:{line}: warning: {problem.message}"


@pytest.mark.parametrize(
    "source", ["Câu {=a ~b #### [html]<b>chung</b>}", "Câu {=a ~b\n####\n[html]<b>chung</b>}"]
)
def test_a_format_tag_away_from_the_general_feedback_marker_is_shown_as_moodle_shows_it(
    source: str,
) -> None:
    questions, problems = parse_gift(source, "x.gift")
    (question,) = questions
    assert question.general_feedback == "[html]<b>chung</b>"
    assert question.general_feedback_format == "moodle"
    assert [p.is_warning for p in problems] == [True]
    assert "Moodle shows '[html]' as part of the general feedback" in problems[0].message


def test_parsing_continues_after_errors() -> None:
    source = "$CATEGORY: c1\n\nA {T}\n\nB {=a ~b\n\nC {#x}\n\nD {F}\n"
    questions, errors = parse_gift(source, "x.gift")
    assert [(q.text, q.line, q.category) for q in questions] == [("A", 3, "c1"), ("D", 9, "c1")]
    assert [e.line for e in errors] == [5, 7]
    assert all(isinstance(e, ContentError) for e in errors)


def test_category_still_applies_when_a_question_follows_it_without_a_blank_line() -> None:
    questions, errors = parse_gift("$CATEGORY: a/b\nX {T}\n\nY {T}", "x.gift")
    assert [(q.text, q.category) for q in questions] == [("Y", "a/b")]
    assert [e.line for e in errors] == [2]


# --- Serialisation --------------------------------------------------------------------------


def all_sample_questions() -> list[ParsedQuestion]:
    questions: list[ParsedQuestion] = []
    for name in ("moodle_docs_examples.gift", "moodle_exports.gift", "vietnamese.gift"):
        questions += parse_ok(read(name))
    return questions


def test_dict_round_trip_through_json_is_lossless() -> None:
    for q in all_sample_questions():
        data = json.loads(json.dumps(question_to_dict(q), ensure_ascii=False))
        assert question_from_dict(data) == q


def test_question_to_dict_keeps_every_field() -> None:
    q = ParsedQuestion(
        type="numerical",
        text="Số?",
        title="T",
        category="c",
        answers=[Answer("5:1", 1.0, "ok", value=5.0, tolerance=1.0, min=4.0, max=6.0)],
        line=7,
        idnumber="id",
        tags=["a"],
    )
    data = question_to_dict(q)
    assert data["answers"][0]["min"] == 4.0 and data["tags"] == ["a"] and data["idnumber"] == "id"
    assert question_from_dict(data) == q
    minimal = question_from_dict({"type": "essay", "text": "Viết"})
    assert minimal == ParsedQuestion(type="essay", text="Viết")


def test_inspect_dict_shapes(vietnamese: list[ParsedQuestion]) -> None:
    single, multi = vietnamese[0], vietnamese[1]
    assert inspect_dict(single) == {
        "type": "multichoice",
        "single": True,
        "title": "Một đáp án đúng",
        "category": "$course$/top/Cải cách hành chính/Chương 1",
        "text": "Cơ quan nào ban hành Hiến pháp năm 2013?",
        "answers": [
            {
                "text": "Quốc hội",
                "weight": 1.0,
                "feedback": "Đúng: Quốc hội làm Hiến pháp và sửa đổi Hiến pháp.",
            },
            {"text": "Chính phủ", "weight": 0.0, "feedback": "Sai."},
            {"text": "Chủ tịch nước", "weight": 0.0, "feedback": ""},
        ],
        "general_feedback": "Điều 69 Hiến pháp năm 2013.",
        "line": 7,
    }
    assert inspect_dict(multi)["single"] is False
    truefalse = inspect_dict(vietnamese[3])
    assert truefalse["single"] is None
    assert truefalse["answers"] == [
        {"text": "true", "weight": 1.0, "feedback": "Chính xác!"},
        {"text": "false", "weight": 0.0, "feedback": "Sai rồi: UBND do HĐND cùng cấp bầu."},
    ]
    match = inspect_dict(vietnamese[6])["answers"]
    assert match[0] == {"question": "Chủ tịch UBND xã", "answer": "HĐND xã", "weight": 1 / 3}
    assert match[3] == {"question": "", "answer": "Mặt trận Tổ quốc", "weight": 0.0}
    numerical = inspect_dict(vietnamese[12])["answers"]
    assert numerical[1] == {
        "text": "1945:1",
        "value": 1945.0,
        "tolerance": 1.0,
        "min": 1944.0,
        "max": 1946.0,
        "weight": 0.5,
        "feedback": "Gần đúng.",
    }
    assert numerical[2]["value"] is None
    assert inspect_dict(vietnamese[13])["answers"] == []
    for q in vietnamese:
        assert list(inspect_dict(q)) == [
            "type",
            "single",
            "title",
            "category",
            "text",
            "answers",
            "general_feedback",
            "line",
        ]
        json.dumps(inspect_dict(q))


# --- Properties -----------------------------------------------------------------------------

GIFT_PIECES = [*"{}=~#:%->$\\/\n TF", "//", "::", "->", "####", "$CATEGORY:", "\\n", "..", "\r\n"]
GIFT_PIECES += ["%50%", "%-100%", "[html]", "1.5", "đ", "Ệ", "\ufeff", "\r", "*", "0"]
gift_like_text = st.lists(st.sampled_from(GIFT_PIECES), max_size=60).map("".join)

QUESTION_TYPES = {"multichoice", "truefalse", "shortanswer", "match", "numerical", "essay"}
QUESTION_TYPES |= {"description"}


@settings(max_examples=400, database=None, deadline=None)
@given(st.one_of(st.text(), gift_like_text))
def test_any_text_gives_questions_or_errors_never_an_exception(text: str) -> None:
    questions, errors = parse_gift(text, "p.gift")
    line_count = max(1, len(text.splitlines()))
    for error in errors:
        assert isinstance(error, ContentError) and error.path == "p.gift"
        assert 1 <= error.line <= line_count and error.message
    for q in questions:
        assert q.type in QUESTION_TYPES and 1 <= q.line <= line_count
        if not q.text:  # imported as Moodle does, never silently
            assert any(e.is_warning and e.line == q.line and "no text" in e.message for e in errors)
        if q.type in ("multichoice", "shortanswer", "numerical"):
            assert all(a.fraction in GRADE_OPTIONS for a in q.answers)
            assert len(q.answers) >= (2 if q.type == "multichoice" else 1)
        data = json.loads(json.dumps(question_to_dict(q)))
        assert question_from_dict(data) == q
        json.dumps(inspect_dict(q))


def gift_escape(text: str) -> str:
    return "".join("\\" + c if c in "\\~=#{}:" else c for c in text)


answer_text = (
    st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=30)
    .map(str.strip)
    .filter(lambda s: s and s[0] not in "%[")
)


@settings(max_examples=300, database=None, deadline=None)
@given(st.lists(answer_text, min_size=2, max_size=5, unique=True), answer_text)
def test_escaped_texts_come_back_unchanged(answers: list[str], feedback: str) -> None:
    body = "\n".join(
        ("=" if i == 0 else "~") + gift_escape(a) + " #" + gift_escape(feedback)
        for i, a in enumerate(answers)
    )
    q = parse_one("::" + gift_escape(answers[0]) + "::Câu hỏi {\n" + body + "\n}")
    assert q.title == answers[0]
    assert [a.text for a in q.answers] == answers
    assert {a.feedback for a in q.answers} == {feedback}
    assert fractions(q) == [1.0] + [0.0] * (len(answers) - 1)


# --- Cases found by mutation testing (README, "Development") -------------------------------
#
# Mutants of gift.py that cannot change what is parsed or reported (equivalent mutants):
# - the line kept for the end of a slice (`_Src.end_line`: in __init__, literal, __getitem__,
#   __add__ and _assemble) and the lines of the "_____" blank and of the line breaks joining a
#   block's lines: every error names a character of a non-empty, trimmed slice, never an end,
#   a blank or a line break; likewise `_Src.line()` defaulting to index 1 (the second
#   character of a trimmed slice is on the line of the first, or is the break ending it);
# - `escaped` entries None instead of False, or True for the "_____" blank (it holds no
#   control character); `start = None` in _Src.split and `rfind(token, None, …)` (both 0);
# - find/rfind swapped where only "is there one" is asked (_question_type, `single`);
# - comparisons with -2 where find() gives -1, and with +1 where the index cannot be 1 (a
#   markup match starts with "<" or "&", which no control character is; a format tag cannot
#   close at index 1); `(…) or True` where the list passed then holds only -1, which no
#   markup contains; _check_markup iterating markup with no position to check, or `<=`
#   against a markup's start; `hash_index >= 0` in _question_type (a block starting with
#   "#" is numerical already);
# - the true/false separators: the first "#" follows T, TRUE, F or FALSE directly, so no
#   markup contains it, and positions past the end of the block are in no markup;
# - `strict=` of zip in _split_on_markers (the two lists always have the same length);
# - `finish <= start` and `inner <= finish` (two different characters never share an index);
#   `return src, None, 1` for a question without braces (the line is then not used);
# - the reader's initial text format (read() sets it before any use); `question = ""` after
#   a _QuestionError (problems is never empty then); the exception's args (only .line and
#   .message are read);
# - comments joined with other separators (an id or a tag never spans a line break);
# - `following = "XXXX"` at the end of a block (not an escapable character either);
# - `a.fraction >= 0` in the sum of positive weights (zero weights add nothing);
# - `<=` in _grade_option (no weight written as a percentage lands exactly 0.00001 away
#   from an option).
# Not killed, and not worth a test: in _Src.strip, looking one place too far back for an
# escaped character before trailing spaces (the text is trimmed again when read).


def answers_of(source: str) -> list[tuple[object, ...]]:
    (q,) = parse_ok(source)
    return [(a.text, a.fraction, a.feedback, a.text_format, a.feedback_format) for a in q.answers]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        # Numerical, short-answer and true/false answers are plain text; feedback takes the
        # question's format unless it has its own tag. "*" is the catch-all.
        (
            "[markdown]Số? {#=5#Đúng ~#[html]<b>Sai</b>}",
            [
                ("5", 1.0, "Đúng", "plain", "markdown"),
                ("*", 0.0, "<b>Sai</b>", "plain", "html"),
            ],
        ),
        (
            "[markdown]Câu {=Xã hội#tốt =%50%Xã#gần đúng}",
            [
                ("Xã hội", 1.0, "tốt", "plain", "markdown"),
                ("Xã", 0.5, "gần đúng", "plain", "markdown"),
            ],
        ),
        (
            "[markdown]Đúng? {T#sai#đúng}",
            [
                ("true", 1.0, "đúng", "plain", "markdown"),
                ("false", 0.0, "sai", "plain", "markdown"),
            ],
        ),
        (
            "[markdown]Đúng? {F#[html]<i>sai</i>}",
            [("true", 0.0, "<i>sai</i>", "plain", "html"), ("false", 1.0, "", "plain", "markdown")],
        ),
        # A bare first answer comes first, before the '=' answers (the first match counts).
        (
            "[markdown]Câu {Hà Nội =%50%Hà*}",
            [("Hà Nội", 1.0, "", "plain", "markdown"), ("Hà*", 0.5, "", "plain", "markdown")],
        ),
        (
            "[markdown]Số? {#5 =%50%6 ~#Sai}",
            [
                ("5", 1.0, "", "plain", "markdown"),
                ("6", 0.5, "", "plain", "markdown"),
                ("*", 0.0, "Sai", "plain", "markdown"),
            ],
        ),
        # The first '~' starts the catch-all feedback, which may contain another '~'.
        (
            "Số? {#5 ~#Sai: xem lại ~ chương 2}",
            [
                ("5", 1.0, "", "plain", "moodle"),
                ("*", 0.0, "Sai: xem lại ~ chương 2", "plain", "moodle"),
            ],
        ),
        ("Số? {#=5#Xem lại}", [("5", 1.0, "Xem lại", "plain", "moodle")]),
        # A '%' that is never closed is text, not a weight.
        (
            "Câu {=a ~%50}",
            [("a", 1.0, "", "moodle", "moodle"), ("%50", 0.0, "", "moodle", "moodle")],
        ),
        # Right after an HTML tag, '~' separates answers again.
        (
            "Câu {=a ~x<br>~b}",
            [
                ("a", 1.0, "", "moodle", "moodle"),
                ("x<br>", 0.0, "", "moodle", "moodle"),
                ("b", 0.0, "", "moodle", "moodle"),
            ],
        ),
        ("Câu {=a ~  b}", [("a", 1.0, "", "moodle", "moodle"), ("b", 0.0, "", "moodle", "moodle")]),
        ("Dấu mở ngoặc? {=\\{}", [("{", 1.0, "", "plain", "moodle")]),
        # Only PHP's whitespace is trimmed: a no-break space stays.
        ("Thủ đô? {=\u00a0Hà Nội}", [("\u00a0Hà Nội", 1.0, "", "plain", "moodle")]),
        # Moodle rounds the sum of positive weights to 2 decimals: 100.39682 % is 100 %.
        (
            "Chọn {~%11.11111%a ~%14.28571%b ~%75%c ~d}",
            [
                ("a", 0.1111111, "", "moodle", "moodle"),
                ("b", 0.1428571, "", "moodle", "moodle"),
                ("c", 0.75, "", "moodle", "moodle"),
                ("d", 0.0, "", "moodle", "moodle"),
            ],
        ),
        # '->' without '=' is not a matching question but a short answer.
        ("Câu {a -> b}", [("a -> b", 1.0, "", "plain", "moodle")]),
    ],
)
def test_answers_texts_weights_feedback_and_formats(source: str, expected: list) -> None:
    assert answers_of(source) == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        # Subquestions take the question's format, answers are plain, distractors weigh 0.
        (
            "[html]Ghép {=Xã -> UBND xã =Huyện -> UBND huyện =-> Tỉnh}",
            [
                ("Xã", "html", "UBND xã", "plain", "html", 1.0),
                ("Huyện", "html", "UBND huyện", "plain", "html", 1.0),
                ("", "html", "Tỉnh", "plain", "html", 0.0),
            ],
        ),
        # The first '->' separates; "a->b" needs no spaces.
        (
            "Ghép {=a -> b -> c =d->e}",
            [
                ("a", "moodle", "b -> c", "plain", "moodle", 1.0),
                ("d", "moodle", "e", "plain", "moodle", 1.0),
            ],
        ),
    ],
)
def test_matching_pairs(source: str, expected: list) -> None:
    (q,) = parse_ok(source)
    assert [
        (a.question, a.question_format, a.text, a.text_format, a.feedback_format, a.fraction)
        for a in q.answers
    ] == expected


def test_degenerate_range_is_an_exact_value() -> None:
    (q,) = parse_ok("Số? {#5..5}")
    (a,) = q.answers
    assert (a.value, a.tolerance, a.min, a.max) == (5.0, 0.0, 5.0, 5.0)


@pytest.mark.parametrize(
    ("source", "text", "text_format", "general_feedback"),
    [
        # The last unescaped '####' starts the general feedback.
        ("Câu {=a ~b #### chung 1 #### chung 2}", "Câu", "moodle", "chung 2"),
        ("Câu {=a ~b ####Xem \\#### mục 3}", "Câu", "moodle", "Xem #### mục 3"),
        ("Câu {=a ~b #### X #### Y \\####}", "Câu", "moodle", "Y ####"),
        ("Trình bày. {####Xem mục \\#### 3}", "Trình bày.", "moodle", "Xem mục #### 3"),
        ("Trình bày. {####\\#1 là số nhỏ nhất}", "Trình bày.", "moodle", "#1 là số nhỏ nhất"),
        # A format tag ends at the first ']'.
        ("[markdown]Xem [1] {T}", "Xem [1]", "markdown", ""),
        # An escaped brace at the very end of a question.
        ("Viết dấu \\{", "Viết dấu {", "moodle", ""),
        # Text after the answer block may hold any letter (here an upper-case X).
        ("Ủy ban nhân dân {=xã ~huyện} Xuân Hòa", "Ủy ban nhân dân _____ Xuân Hòa", "moodle", ""),
    ],
)
def test_question_text_and_general_feedback(
    source: str, text: str, text_format: str, general_feedback: str
) -> None:
    (q,) = parse_ok(source)
    assert (q.text, q.text_format, q.general_feedback) == (text, text_format, general_feedback)


def test_mixed_line_ends_split_on_newlines() -> None:
    questions = parse_ok("Câu 1 {T}\r\n\r\nCâu 2 {F}\n\nCâu 3 {T}")
    assert [(q.text, q.line) for q in questions] == [("Câu 1", 1), ("Câu 2", 3), ("Câu 3", 5)]


def test_errors_name_a_string_source_when_no_path_is_given() -> None:
    _questions, errors = parse_gift("Câu {T")
    assert [str(e) for e in errors] == [
        "<string>:1: answer block is not closed: '{' has no matching '}' "
        "(write '\\{' for a literal brace)"
    ]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        # An unescaped '~' inside an HTML tag in a numerical block is reported first.
        (
            "Số? {#=5#<span title='~'>x</span>}",
            [
                (
                    1,
                    "unescaped '~' inside the HTML tag '<span title='~'>': Moodle would split "
                    "the text there (write '\\~')",
                ),
                (1, "numerical answer ''': ''' is not a number"),
                (
                    1,
                    "in a numerical question '~' only introduces the feedback for any other "
                    "answer: write '~#feedback'",
                ),
            ],
        ),
        (
            "Câu {a=x -> 1 =y -> 2}",
            [(1, "matching pair 'a' does not start with '=' and has no '->'")],
        ),
    ],
)
def test_every_problem_in_order(source: str, expected: list[tuple[int, str]]) -> None:
    questions, errors = parse_gift(source, "x.gift")
    assert questions == []
    assert [(e.line, e.message) for e in errors] == expected


def test_question_from_dict_gives_tags_as_a_list() -> None:
    q = question_from_dict({"type": "essay", "text": "?", "tags": ("a", "b")})
    assert q.tags == ["a", "b"]
