"""Tests for grading one response to one question (app.quiz.grading)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.content.gift import Answer, Question, parse_gift
from app.quiz.grading import (
    GRADERS,
    grade,
    matching_answer,
    normalize_text,
    right_answer_summary,
)

pytestmark = pytest.mark.unit  # a pure core: no app, no database


def question(source: str) -> Question:
    questions, errors = parse_gift(source, "g.gift")
    assert errors == []
    (q,) = questions
    return q


SINGLE = question("Cơ quan lập pháp? {=Quốc hội ~%50%Ủy ban Thường vụ Quốc hội ~Chính phủ}")
MULTI = question(
    "Cơ quan hành chính? {~%50%Chính phủ ~%50%UBND ~%-100%Tòa án ~%-50%Viện kiểm sát ~Khác}"
)
THIRDS = question("Ba nguyên tắc? {~%33.33333%a ~%33.33333%b ~%33.33333%c ~%-100%d}")
TRUE = question("UBND xã do HĐND xã bầu. {T}")
FALSE = question("Chủ tịch xã do dân bầu trực tiếp. {F}")
SHORT = question(
    "Viết tắt của Ủy ban nhân dân? {=UBND =%50%U.B.N.D =Ủy ban nhân dân =%25%UB* =%0%*#Sai}"
)
REFORM = question("Tên chương trình? {=Cải cách hành chính =%50%cải cách}")
NUMERIC = question("Năm? {#=1945:0 =%50%1945:2 =%25%1940..1950 ~#Sai}")
SPAN = question("Số pi? {#3.14159:0.0005}")
SIMPLE = question("Số tháng? {#12}")
MATCH = question(
    "Ghép {=Chủ tịch nước -> Quốc hội =Chủ tịch UBND xã -> HĐND xã "
    "=Thủ tướng -> Quốc hội =-> Mặt trận}"
)
ESSAY = question("Trình bày quan điểm. {}")
DESCRIPTION = question("Phần II: câu hỏi về kỹ năng.")


@pytest.mark.parametrize(
    ("q", "response", "expected"),
    [
        (SINGLE, 0, 1.0),
        (SINGLE, 1, 0.5),
        (SINGLE, 2, 0.0),
        (SINGLE, None, 0.0),
        (SINGLE, 3, 0.0),  # out of range
        (SINGLE, -1, 0.0),  # never Python's "last item"
        (SINGLE, True, 0.0),  # a bool is not an index
        (SINGLE, [0], 1.0),
        (SINGLE, [0, 1], 0.0),  # a single-answer question takes one choice
        (MULTI, [0, 1], 1.0),
        (MULTI, {1, 0}, 1.0),
        (MULTI, (0,), 0.5),
        (MULTI, [0, 1, 4], 1.0),
        (MULTI, [0, 1, 3], 0.5),
        (MULTI, [0, 2], 0.0),  # 0.5 - 1.0, clamped at 0
        (MULTI, [2, 3], 0.0),
        (MULTI, [0, 0, 0], 0.5),  # the same choice counts once
        (MULTI, [], 0.0),
        (MULTI, None, 0.0),
        (MULTI, 1, 0.5),
        (MULTI, "01", 0.0),
        (THIRDS, [0, 1, 2], pytest.approx(0.9999999)),
        (THIRDS, [0, 1], pytest.approx(0.6666666)),
        (THIRDS, [0, 1, 2, 3], 0.0),
    ],
)
def test_multichoice(q: Question, response: object, expected: float) -> None:
    assert grade(q, response) == expected


@pytest.mark.parametrize(
    ("q", "response", "expected"),
    [
        (TRUE, True, 1.0),
        (TRUE, False, 0.0),
        (TRUE, None, 0.0),
        (FALSE, False, 1.0),
        (FALSE, True, 0.0),
        (FALSE, "false", 0.0),
        (FALSE, 0, 0.0),
    ],
)
def test_truefalse(q: Question, response: object, expected: float) -> None:
    assert grade(q, response) == expected


@pytest.mark.parametrize(
    ("response", "expected", "expected_accent_insensitive"),
    [
        ("UBND", 1.0, 1.0),
        ("  ubnd ", 1.0, 1.0),
        ("U.B.N.D", 0.5, 0.5),
        ("ủy   ban\tnhân\u00a0dân", 1.0, 1.0),
        ("ỦY BAN NHÂN DÂN", 1.0, 1.0),
        ("uy ban nhan dan", 0.0, 1.0),
        ("UBKT", 0.25, 0.25),
        ("ub", 0.25, 0.25),
        ("Hội đồng", 0.0, 0.0),  # only the 0% catch-all "*" matches
        ("", 0.0, 0.0),
        ("   ", 0.0, 0.0),
    ],
)
def test_shortanswer(response: str, expected: float, expected_accent_insensitive: float) -> None:
    assert grade(SHORT, response) == expected
    assert grade(SHORT, response, accent_insensitive=True) == expected_accent_insensitive


@pytest.mark.parametrize(
    ("response", "expected", "expected_accent_insensitive"),
    [
        ("CẢI CÁCH HÀNH CHÍNH", 1.0, 1.0),
        ("cải cách hành chính", 1.0, 1.0),
        ("Cai cach hanh chinh", 0.0, 1.0),
        ("cai cach", 0.0, 0.5),
        ("cải  cách", 0.5, 0.5),
        # The same letters typed decomposed (NFD), as some keyboards do.
        ("c\u0061\u0309i c\u0061\u0301ch", 0.5, 0.5),
    ],
)
def test_shortanswer_vietnamese(
    response: str, expected: float, expected_accent_insensitive: float
) -> None:
    assert grade(REFORM, response) == expected
    assert grade(REFORM, response, accent_insensitive=True) == expected_accent_insensitive


def test_shortanswer_d_with_stroke() -> None:
    q = question("Cơ quan? {=Hội đồng nhân dân}")
    assert grade(q, "HỘI ĐỒNG NHÂN DÂN") == 1.0
    assert grade(q, "hoi dong nhan dan") == 0.0
    assert grade(q, "hoi dong nhan dan", accent_insensitive=True) == 1.0
    assert grade(q, "HOI DONG NHAN DAN", accent_insensitive=True) == 1.0


@pytest.mark.parametrize(
    ("pattern", "response", "matches"),
    [
        ("Hà*", "Hà Nội", True),
        ("Hà*", "Hà", True),
        ("*Nội", "Hà Nội", True),
        ("H*i", "Hà Nội", True),
        ("H*i", "Huế", False),
        ("Hà **Nội", "Hà Nội", True),
        ("a\\*b", "a*b", True),
        ("a\\*b", "axb", False),
        ("a.b", "axb", False),  # regular-expression characters are literal
        ("(1+1)", "(1+1)", True),
        ("Hà Nội", "Hà Nội thủ đô", False),  # the whole response must match
    ],
)
def test_shortanswer_wildcard(pattern: str, response: str, matches: bool) -> None:
    q = Question(type="shortanswer", text="?", answers=[Answer(pattern, 1.0)])
    assert grade(q, response) == (1.0 if matches else 0.0)


def test_shortanswer_first_matching_answer_counts_as_in_moodle() -> None:
    q = question("Thủ đô? {=Hà Nội =%50%Hà*}")
    assert grade(q, "Hà Nội") == 1.0
    assert grade(q, "Hà Đông") == 0.5
    reversed_order = question("Thủ đô? {=%50%Hà* =Hà Nội}")
    assert grade(reversed_order, "Hà Nội") == 0.5  # Moodle stops at the first match


def test_shortanswer_negative_weight_is_clamped() -> None:
    q = Question(type="shortanswer", text="?", answers=[Answer("x", 1.0), Answer("sai", -0.5)])
    assert grade(q, "sai") == 0.0


@pytest.mark.parametrize(
    ("text", "normalized", "normalized_accent_insensitive"),
    [
        ("  CẢI   CÁCH  ", "cải cách", "cai cach"),
        ("Đổi Mới", "đổi mới", "doi moi"),
        ("Ủy ban\u00a0nhân\ndân", "ủy ban nhân dân", "uy ban nhan dan"),
        ("ĐẶNG", "đặng", "dang"),
        ("Straße", "strasse", "strasse"),
        ("", "", ""),
    ],
)
def test_normalize_text(text: str, normalized: str, normalized_accent_insensitive: str) -> None:
    assert normalize_text(text) == normalized
    assert normalize_text(text, accent_insensitive=True) == normalized_accent_insensitive


@pytest.mark.parametrize(
    ("q", "response", "expected"),
    [
        (NUMERIC, "1945", 1.0),
        (NUMERIC, 1945, 1.0),
        (NUMERIC, 1945.0, 1.0),
        (NUMERIC, "1946", 0.5),
        (NUMERIC, "1947", 0.5),  # the tolerance is inclusive
        (NUMERIC, "1947,5", 0.25),
        (NUMERIC, "1950", 0.25),
        (NUMERIC, "1 945", 1.0),
        (NUMERIC, " 1945 ", 1.0),
        (NUMERIC, "+1945", 1.0),
        (NUMERIC, "1.945e3", 1.0),
        (NUMERIC, "1951", 0.0),  # only the 0% catch-all "*" contains it
        (NUMERIC, "năm 1945", 0.0),
        (NUMERIC, "", 0.0),
        (NUMERIC, None, 0.0),
        (NUMERIC, True, 0.0),
        (NUMERIC, float("nan"), 0.0),
        (NUMERIC, 10**400, 0.0),
        (SPAN, "3,142", 1.0),
        (SPAN, "3.1415", 1.0),
        (SPAN, "3.141", 0.0),  # the documentation's own example: 3.141 is outside
        (SPAN, "3.14209", 1.0),  # the upper end itself, despite floating point
        (SPAN, "3.14109", 1.0),  # the lower end itself
        (SIMPLE, "12", 1.0),
        (SIMPLE, "12,0", 1.0),
        (SIMPLE, "12.000000000000002", 1.0),  # Moodle's slack for floating-point error
        (SIMPLE, "12.0001", 0.0),
        (SIMPLE, "−12", 0.0),
    ],
)
def test_numerical(q: Question, response: object, expected: float) -> None:
    assert grade(q, response) == expected


@pytest.mark.parametrize(
    ("response", "value"),
    [
        ("2,5", 2.5),
        ("2.5", 2.5),
        ("-2,5", -2.5),
        ("−2,5", -2.5),
        ("1.234.567", 1234567.0),
        ("1,234,567", 1234567.0),
        ("1.234,5", 1234.5),
        ("1,234.5", 1234.5),
        ("1 234,5", 1234.5),
        (",5", 0.5),
        ("5,", 5.0),
        ("1,2,3", None),
        ("12,34.5", None),
        ("1.2,3.4", None),
        ("1,5,", None),
        ("abc", None),
        ("inf", None),
        ("nan", None),
        ("1_000", None),
        ("٣", None),  # non-ASCII digits are not accepted
        (",", None),
    ],
)
def test_numerical_response_parsing(response: str, value: float | None) -> None:
    q = Question(
        type="numerical",
        text="?",
        answers=[Answer("any", 1.0, value=value or 0.0, tolerance=0.0, min=value, max=value)],
    )
    assert grade(q, response) == (0.0 if value is None else 1.0)


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        ({0: "Quốc hội", 1: "HĐND xã", 2: "Quốc hội"}, 1.0),
        ({0: "Quốc hội", 1: "HĐND xã"}, pytest.approx(2 / 3)),
        ({0: "Quốc hội", 1: "Mặt trận", 2: "HĐND xã"}, pytest.approx(1 / 3)),
        ({"0": "Quốc hội", "1": "HĐND xã", "2": "Quốc hội"}, 1.0),  # keys after a JSON trip
        ({3: "Mặt trận"}, 0.0),  # the distractor is not a subquestion
        ({0: "quốc hội"}, 0.0),  # the choice is the exact answer text
        ({}, 0.0),
        (None, 0.0),
        (["Quốc hội"], 0.0),
    ],
)
def test_match(response: object, expected: float) -> None:
    assert grade(MATCH, response) == expected


def test_essay_and_description_are_not_graded() -> None:
    assert grade(ESSAY, "Bài viết") is None
    assert grade(DESCRIPTION, None) is None


def test_graders_registry_covers_every_type() -> None:
    assert set(GRADERS) == {
        "multichoice",
        "truefalse",
        "shortanswer",
        "numerical",
        "match",
        "essay",
        "description",
    }
    with pytest.raises(ValueError, match="no grader for question type 'cloze'"):
        grade(Question(type="cloze", text="?"), None)


@pytest.mark.parametrize(
    ("q", "summary"),
    [
        (SINGLE, "Quốc hội"),
        (MULTI, "Chính phủ; UBND"),
        (TRUE, "Đúng"),
        (FALSE, "Sai"),
        (SHORT, "UBND; Ủy ban nhân dân"),
        (NUMERIC, "1945"),
        (SPAN, "3.14159 ± 0.0005"),
        (question("Số? {#4..6}"), "5 ± 1"),
        (MATCH, "Chủ tịch nước → Quốc hội; Chủ tịch UBND xã → HĐND xã; Thủ tướng → Quốc hội"),
        (ESSAY, ""),
        (DESCRIPTION, ""),
    ],
)
def test_right_answer_summary(q: Question, summary: str) -> None:
    assert right_answer_summary(q, true_false=("Đúng", "Sai")) == summary


responses = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.lists(st.integers(min_value=-2, max_value=6), max_size=6),
    st.dictionaries(st.one_of(st.integers(-1, 5), st.text(max_size=2)), st.text(max_size=10)),
)


@settings(max_examples=300, database=None, deadline=None)
@given(
    st.sampled_from([SINGLE, MULTI, THIRDS, TRUE, FALSE, SHORT, NUMERIC, SPAN, MATCH]),
    responses,
    st.booleans(),
)
def test_any_response_scores_between_0_and_1(q: Question, response: object, ai: bool) -> None:
    score = grade(q, response, accent_insensitive=ai)
    assert score is not None and 0.0 <= score <= 1.0


# Cases found by mutation testing (README, "Development"). Mutants of grading.py that cannot
# change a grade, so no test can kill them (equivalent mutants):
# - _number_from_text: `decimal = None` instead of `""` (both falsy); `rpartition` instead of
#   `partition` (when the decimal separator occurs twice, both ways give text that is not a
#   number); `fraction = "XXXX"` in the branch without a decimal separator (never read there);
# - _matches: dropping re.DOTALL (the typed text is normalised: it holds no line break);
# - right_answer_summary, true/false: `next(..., None)` or `next(..., "XXXX")` instead of
#   `next(..., "")` (each is then looked up in the Đúng/Sai table and gives "" all the same).

WEIGHTED_OTHER = question("Năm thành lập? {#=1945 =%50%*}")
ZERO = question("Số dư? {#0}")
EDGE = 1e-14 * 1e-14  # Moodle's slack around an exact 0: 10^-14 of 10^-14


@pytest.mark.parametrize(
    ("q", "response", "expected"),
    [
        (WEIGHTED_OTHER, "1945", 1.0),
        (WEIGHTED_OTHER, "1946", 0.5),  # "*" catches every other number, with its weight
        (WEIGHTED_OTHER, "-3,5", 0.5),
        (WEIGHTED_OTHER, "năm 1945", 0.0),  # not a number: "*" does not catch it
        (WEIGHTED_OTHER, "1e999", 0.0),  # infinite: not a number either
        (WEIGHTED_OTHER, float("inf"), 0.0),
        (WEIGHTED_OTHER, float("nan"), 0.0),
        (WEIGHTED_OTHER, "1.945e3", 1.0),  # an exponent is a number
        (question("Số? {#=1000}"), "1e3", 1.0),
        (ZERO, "0", 1.0),
        (ZERO, EDGE, 1.0),  # the slack is inclusive at both ends
        (ZERO, -EDGE, 1.0),
        (ZERO, 2 * EDGE, 0.0),
        (ZERO, "0.000000000000005", 0.0),  # 5e-15 is not 0: the slack scales with 0, not 1
        # With a tolerance larger than the value, the slack scales with the tolerance.
        (question("Sai số? {#0:1000000}"), 1000000.000000005, 1.0),
        (question("Sai số? {#0:1000000}"), 1000000.00001, 0.0),
    ],
)
def test_numerical_catch_all_and_slack(q: Question, response: object, expected: float) -> None:
    assert grade(q, response) == expected


@pytest.mark.parametrize("response", ["X", "1X5", "XXXX", "1,5X", "x1"])
def test_numerical_letters_are_not_a_number(response: str) -> None:
    assert grade(WEIGHTED_OTHER, response) == 0.0
    assert matching_answer(WEIGHTED_OTHER, response) is None


def test_numerical_catch_all_gives_its_feedback() -> None:
    q = question("Năm? {#=1945 ~#Chưa đúng: Cách mạng tháng Tám năm 1945.}")
    assert matching_answer(q, "1944") == 1
    assert q.answers[1].feedback.startswith("Chưa đúng")
    assert matching_answer(q, "1945") == 0
    assert matching_answer(q, "không biết") is None


@pytest.mark.parametrize(
    ("low", "high"),
    [(None, 5.0), (5.0, None), (None, None)],
)
def test_numerical_answer_without_bounds_matches_nothing(
    low: float | None, high: float | None
) -> None:
    """A stored answer missing an end of its interval never gives marks."""
    q = Question(
        type="numerical",
        text="?",
        answers=[Answer("5", 1.0, value=5.0, tolerance=0.0, min=low, max=high)],
    )
    assert grade(q, "5") == 0.0


def test_accent_insensitive_matching_is_off_by_default() -> None:
    assert matching_answer(REFORM, "cai cach hanh chinh") is None
    assert matching_answer(REFORM, "cai cach hanh chinh", accent_insensitive=True) == 0
    assert grade(REFORM, "cai cach hanh chinh") == 0.0


@pytest.mark.parametrize(
    ("pattern", "response", "matches"),
    [
        # A space next to "*" is part of the pattern: it is not trimmed away.
        ("Ủy ban *", "Ủy ban nhân dân", True),
        ("Ủy ban *", "Ủy bannhân dân", False),
        ("* nhân dân", "Ủy ban nhân dân", True),
        ("* nhân dân", "Ủy bannhân dân", False),
    ],
)
def test_shortanswer_wildcard_keeps_spaces_next_to_the_star(
    pattern: str, response: str, matches: bool
) -> None:
    q = Question(type="shortanswer", text="?", answers=[Answer(pattern, 1.0)])
    assert grade(q, response) == (1.0 if matches else 0.0)


def test_multichoice_weights_over_100_percent_are_clamped() -> None:
    """A stored question whose weights add up to more than 100 % still gives at most 1."""
    q = Question(
        type="multichoice",
        text="?",
        single=False,
        answers=[Answer("a", 0.6), Answer("b", 0.6), Answer("c", -1.0)],
    )
    assert grade(q, [0, 1]) == 1.0
    assert grade(q, [0]) == 0.6


def test_truefalse_without_the_chosen_answer_scores_0() -> None:
    q = Question(type="truefalse", text="?", answers=[Answer("true", 1.0)])
    assert grade(q, True) == 1.0
    assert grade(q, False) == 0.0


def test_match_without_subquestions_scores_0() -> None:
    q = Question(type="match", text="?", answers=[Answer("Mặt trận", 0.0)])
    assert grade(q, {0: "Mặt trận"}) == 0.0


@pytest.mark.parametrize(
    "response",
    [
        {True: "HĐND xã"},  # a bool is not a subquestion index (True == 1 in Python)
        {1: 1},  # an answer is text
        {"1x": "HĐND xã"},
        {1.0: "HĐND xã"},
    ],
)
def test_match_malformed_pairs_score_nothing(response: object) -> None:
    assert grade(MATCH, response) == 0.0


@pytest.mark.parametrize(
    ("q", "summary"),
    [
        # Every full-credit numerical answer, even after a partial one, "*" included.
        (question("Số? {#=%50%4 =5 =*}"), "5; *"),
        (question("Số? {#=%50%4 =5:0.5}"), "5 ± 0.5"),
        # A stored true/false question with no full-credit answer has no right answer to show.
        (Question(type="truefalse", text="?", answers=[Answer("true", 0.0)]), ""),
        (Question(type="truefalse", text="?", answers=[]), ""),
        (Question(type="truefalse", text="?", answers=[Answer("yes", 1.0)]), ""),
    ],
)
def test_right_answer_summary_edge_cases(q: Question, summary: str) -> None:
    assert right_answer_summary(q, true_false=("Đúng", "Sai")) == summary
