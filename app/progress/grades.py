"""Pure rules: an official's grade on a quiz from their attempts, as Moodle's grading methods."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal


@dataclass(frozen=True)
class GradedAttempt:
    submitted_at: datetime
    score: Decimal | None  # percent; None when nothing was auto-graded


@dataclass(frozen=True)
class QuizGrade:
    grade: Decimal | None
    passed: bool
    passed_at: datetime | None  # when the grade first met the pass mark


def quiz_grade(attempts: Sequence[GradedAttempt], method: str, pass_mark: Decimal) -> QuizGrade:
    """Grade from submitted attempts (any order) by ``highest``, ``last``, ``first`` or ``average``.

    ``passed_at`` is the submission that made the grade pass: the first passing attempt for
    highest, the first/last attempt for first/last, and for average the attempt after which
    the running average first reached the pass mark while the final average still passes.
    """
    scored = sorted((a for a in attempts if a.score is not None), key=lambda a: a.submitted_at)
    if not scored:
        return QuizGrade(None, False, None)
    if method == "first":
        chosen = scored[0]
        grade = chosen.score
        passed = grade >= pass_mark
        return QuizGrade(grade, passed, chosen.submitted_at if passed else None)
    if method == "last":
        chosen = scored[-1]
        grade = chosen.score
        passed = grade >= pass_mark
        return QuizGrade(grade, passed, chosen.submitted_at if passed else None)
    if method == "average":
        total = Decimal(0)
        passed_at = None
        for count, attempt in enumerate(scored, start=1):
            total += attempt.score
            running = total / count
            if running >= pass_mark and passed_at is None:
                passed_at = attempt.submitted_at
            elif running < pass_mark:
                passed_at = None
        grade = (total / len(scored)).quantize(Decimal("0.01"))
        passed = grade >= pass_mark
        return QuizGrade(grade, passed, passed_at if passed else None)
    grade = max(a.score for a in scored)
    first_pass = next((a for a in scored if a.score >= pass_mark), None)
    return QuizGrade(grade, first_pass is not None, first_pass.submitted_at if first_pass else None)
