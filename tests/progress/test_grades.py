"""The pure quiz-grade rules (app.progress.grades): Moodle's grading methods."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

from app.progress.grades import GradedAttempt, QuizGrade, quiz_grade

pytestmark = pytest.mark.unit  # a pure core: no app, no database

PASS = Decimal(70)


def day(n: int) -> datetime:
    return datetime(2026, 3, n, 9, 0)


def attempts(*scores: tuple[int, int | str | None]) -> list[GradedAttempt]:
    return [GradedAttempt(day(n), None if score is None else Decimal(score)) for n, score in scores]


# Submitted on 1, 2 and 3 March, listed out of order: 60, then 80, then 90.
RISING = attempts((1, 60), (3, 90), (2, 80))
# 80, then 50 (the running average falls to 65), then 90 (it is back at 73.33).
DIP = attempts((1, 80), (2, 50), (3, 90))


@pytest.mark.parametrize(
    ("items", "method", "expected"),
    [
        (RISING, "highest", QuizGrade(Decimal(90), True, day(2))),  # the first passing one
        (RISING, "first", QuizGrade(Decimal(60), False, None)),
        (RISING, "last", QuizGrade(Decimal(90), True, day(3))),
        (RISING, "average", QuizGrade(Decimal("76.67"), True, day(2))),
        (DIP, "average", QuizGrade(Decimal("73.33"), True, day(3))),  # passed again on the 3rd
        (DIP, "first", QuizGrade(Decimal(80), True, day(1))),
        (DIP, "last", QuizGrade(Decimal(90), True, day(3))),
        (DIP, "highest", QuizGrade(Decimal(90), True, day(1))),
        (attempts((1, 80), (2, 40)), "average", QuizGrade(Decimal("60.00"), False, None)),
        (attempts((1, 80), (2, 40)), "last", QuizGrade(Decimal(40), False, None)),
        (attempts((1, 50), (2, 60)), "highest", QuizGrade(Decimal(60), False, None)),
        (attempts((1, 70)), "highest", QuizGrade(Decimal(70), True, day(1))),  # the mark passes
        (attempts((1, "69.99")), "first", QuizGrade(Decimal("69.99"), False, None)),
        (attempts((1, 33), (2, 34), (3, 34)), "average", QuizGrade(Decimal("33.67"), False, None)),
        # An attempt with nothing auto-graded is left out, whatever the method.
        (attempts((1, None), (2, 75)), "first", QuizGrade(Decimal(75), True, day(2))),
        (attempts((1, 75), (2, None)), "last", QuizGrade(Decimal(75), True, day(1))),
        (attempts((1, None), (2, 90)), "average", QuizGrade(Decimal("90.00"), True, day(2))),
        (attempts((1, None)), "highest", QuizGrade(None, False, None)),
        ([], "average", QuizGrade(None, False, None)),
    ],
)
def test_quiz_grade(items, method, expected):
    assert quiz_grade(items, method, PASS) == expected
