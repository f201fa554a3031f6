"""What the result page may show of an attempt, by the quiz's review policy at the time the
official looks (Moodle's review options: immediately after the attempt, later while the quiz
is still open for them, after their last attempt or once it has closed).

Only this module reads answer keys and feedback for display, and only for a
submitted attempt: the page of an open attempt never receives them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from markupsafe import Markup

from app.content.questions import question_from_dict
from app.models import AttemptQuestion, Quiz, QuizAttempt, ReviewPolicy, ReviewTime
from app.quiz import grading, qtypes

LEVELS = {ReviewPolicy.SCORE: 0, ReviewPolicy.ANSWERS: 1, ReviewPolicy.FEEDBACK: 2}
IMMEDIATELY = timedelta(minutes=2)  # as Moodle's "immediately after the attempt"


@dataclass
class ReviewItem:
    position: int
    type: str
    text_html: Markup
    response_html: list[Markup] = field(default_factory=list)
    fraction: Decimal | None = None
    right_answer: str = ""
    feedback_html: list[Markup] = field(default_factory=list)
    general_feedback_html: Markup = Markup("")

    @property
    def outcome(self) -> str:
        if self.type == "essay":
            return "manual"
        if self.fraction is None or self.fraction <= 0:
            return "wrong"
        return "right" if self.fraction >= 1 else "partial"


def review_time(submitted_at: datetime | None, *, closed: bool, now: datetime) -> ReviewTime:
    """``closed``: the official can start no other attempt (none left, or the quiz closed)."""
    if closed:
        return ReviewTime.CLOSED
    if submitted_at is not None and now - submitted_at <= IMMEDIATELY:
        return ReviewTime.IMMEDIATELY
    return ReviewTime.OPEN


def policy_at(quiz: Quiz, when: ReviewTime) -> str:
    return {
        ReviewTime.IMMEDIATELY: quiz.review_immediately,
        ReviewTime.OPEN: quiz.review_open,
        ReviewTime.CLOSED: quiz.review_closed,
    }[when]


def review_level(quiz: Quiz, when: ReviewTime, *, staff: bool) -> int:
    """0 score only, 1 the official's answers, 2 right answers and feedback; HR sees all."""
    return 2 if staff else LEVELS.get(ReviewPolicy(policy_at(quiz, when)), 0)


def more_later(quiz: Quiz, when: ReviewTime, level: int) -> bool:
    """Will the official see more once no attempt is left or the quiz has closed?"""
    return when != ReviewTime.CLOSED and review_level(quiz, ReviewTime.CLOSED, staff=False) > level


def _response_html(item: AttemptQuestion, true_false: tuple[str, str]) -> list[Markup]:
    if item.response is None:
        return []
    return qtypes.of(item.question.type).show(item.question.rendered, item.response, true_false)


def _feedback_html(item: AttemptQuestion, accent_insensitive: bool) -> list[Markup]:
    if item.response is None:
        return []
    feedback = item.question.rendered.get("feedback", [])
    chosen = qtypes.of(item.question.type).answered(
        question_from_dict(item.question.data), item.response, accent_insensitive
    )
    return [Markup(feedback[i]) for i in chosen if i < len(feedback) and feedback[i]]


def review_items(
    attempt: QuizAttempt, items: list[AttemptQuestion], *, level: int, true_false: tuple[str, str]
) -> list[ReviewItem]:
    """Per question, what ``level`` allows; an empty list at level 0."""
    if level == 0:
        return []
    accent_insensitive = attempt.quiz.accent_insensitive
    result = []
    for item in items:
        review = ReviewItem(
            position=item.position,
            type=item.question.type,
            text_html=Markup(item.question.text_html),
            response_html=_response_html(item, true_false),
            fraction=item.fraction,
        )
        if level >= 2:
            question = question_from_dict(item.question.data)
            review.right_answer = grading.right_answer_summary(question, true_false=true_false)
            review.feedback_html = _feedback_html(item, accent_insensitive)
            review.general_feedback_html = Markup(
                item.question.rendered.get("general_feedback", "")
            )
        result.append(review)
    return result
