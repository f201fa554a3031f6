from datetime import time

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.auth.decorators import role_required
from app.models import Quiz as QuizModel
from app.models import (
    QuizAttempt,
    Role,
    User,
    db,
    local_date,
    local_to_utc,
    local_year,
    utcnow,
)
from app.people.scope import can_see_user
from app.quiz import forms, review, services, statistics
from app.quiz.forms import OverrideForm

bp = Blueprint("quiz", __name__, url_prefix="/quiz")

ERRORS = {
    services.QuizUnavailable: _l("This quiz is not available."),
    services.QuizClosed: _l("This quiz is closed: no new attempt can be started."),
    services.AttemptLimitReached: _l(
        "You have used every attempt allowed this year. Ask your HR staff if you need another."
    ),
    services.AttemptNotOpen: _l("This attempt has already been submitted."),
    services.TimeExpired: _l("Time is up: answers can no longer be changed. Submit the attempt."),
    services.NotCounted: _l(
        "Time is up and the attempt was not submitted in time: it does not count."
    ),
}


def active_quiz_or_404(slug: str) -> QuizModel:
    return db.first_or_404(
        select(QuizModel).where(QuizModel.slug == slug, QuizModel.is_active.is_(True))
    )


def own_attempt_or_404(attempt_id: int) -> QuizAttempt:
    """Taking, saving and submitting: the owner only; anyone else gets 404."""
    attempt = db.get_or_404(QuizAttempt, attempt_id)
    if attempt.user_id != current_user.id:
        abort(404)
    return attempt


def visible_attempt_or_404(attempt_id: int) -> tuple[QuizAttempt, User]:
    """Results: the owner, HR of the owner's units, admins; anyone else gets 404."""
    attempt = db.get_or_404(QuizAttempt, attempt_id)
    owner = db.session.get(User, attempt.user_id)
    if not can_see_user(current_user, owner):
        abort(404)
    return attempt, owner


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


@bp.get("/<slug>")
@login_required
def overview(slug: str):
    quiz = active_quiz_or_404(slug)
    now = utcnow()
    year = local_year(now)
    attempts = services.attempts_of(quiz, current_user.id, year)
    phases = {a.id: services.phase(a, now=now) for a in attempts}
    return render_template(
        "quiz/overview.html",
        quiz=quiz,
        attempts=attempts,
        phases=phases,
        rules=services.effective_rules(quiz, current_user.id),
        grade=services.grade_of(quiz, attempts),
        open_attempt=next(
            (a for a in attempts if phases[a.id] in (services.RUNNING, services.GRACE)), None
        ),
        year=year,
    )


@bp.post("/<slug>/start")
@login_required
def start(slug: str):
    quiz = active_quiz_or_404(slug)
    try:
        attempt = services.start_attempt(quiz, current_user, now=utcnow())
    except services.QuizError as exc:  # an overdue attempt may have been closed on the way
        flash(str(ERRORS[type(exc)]), "danger")
        return redirect(url_for("quiz.overview", slug=slug))
    except IntegrityError:  # the same start clicked twice at once: the other click won
        db.session.rollback()
        return redirect(url_for("quiz.overview", slug=slug))
    return redirect(url_for("quiz.take", attempt_id=attempt.id))


@bp.get("/attempts/<int:attempt_id>")
@login_required
def take(attempt_id: int):
    attempt = own_attempt_or_404(attempt_id)
    now = utcnow()
    phase = services.phase(attempt, now=now)
    if phase == services.FINISHED:
        return redirect(url_for("quiz.result", attempt_id=attempt.id))
    if phase == services.TIME_UP:  # the overview offers to finish it
        return redirect(url_for("quiz.overview", slug=attempt.quiz.slug))
    seconds_left = None
    if attempt.deadline_at is not None:  # the timer counts these, whatever the device's clock
        seconds_left = max(0, int((attempt.deadline_at - now).total_seconds()))
    page = render_template(
        "quiz/take.html",
        attempt=attempt,
        locked=phase == services.GRACE,
        seconds_left=seconds_left,
        quiz=attempt.quiz,
        items=services.attempt_questions(attempt),
        field_name=forms.field_name,
    )
    # Never shown again from the browser's cache (Back): the time left and the saved answers
    # must be the server's of now.
    return page, {"Cache-Control": "no-store"}


@bp.post("/attempts/<int:attempt_id>/save")
@login_required
def save(attempt_id: int):
    attempt = own_attempt_or_404(attempt_id)
    answers = forms.responses(services.attempt_questions(attempt), request.form)
    try:
        services.save_responses(attempt, answers, now=utcnow())
    except services.QuizError as exc:
        if _wants_json():
            return jsonify(error=str(ERRORS[type(exc)])), 409
        flash(str(ERRORS[type(exc)]), "danger")
        return redirect(url_for("quiz.take", attempt_id=attempt.id))
    if _wants_json():
        return jsonify(saved=True)
    flash(_("Your answers have been saved."), "success")
    return redirect(url_for("quiz.take", attempt_id=attempt.id))


@bp.post("/attempts/<int:attempt_id>/submit")
@login_required
def submit(attempt_id: int):
    attempt = own_attempt_or_404(attempt_id)
    was_open = attempt.is_open
    answers = forms.responses(services.attempt_questions(attempt), request.form)
    try:
        services.submit_attempt(attempt, answers, now=utcnow())
    except services.QuizError as exc:
        flash(str(ERRORS[type(exc)]), "danger")
        return redirect(url_for("quiz.overview", slug=attempt.quiz.slug))
    if was_open and attempt.auto_submitted:
        flash(
            _("Time was up: the attempt was graded with the answers saved before the deadline."),
            "warning",
        )
    return redirect(url_for("quiz.result", attempt_id=attempt.id))


@bp.get("/attempts/<int:attempt_id>/result")
@login_required
def result(attempt_id: int):
    attempt, owner = visible_attempt_or_404(attempt_id)
    if attempt.is_open:
        if owner.id == current_user.id:
            return redirect(url_for("quiz.take", attempt_id=attempt.id))
        abort(404)
    staff = owner.id != current_user.id
    now = utcnow()
    closed = services.closed_for(attempt.quiz, owner.id, now=now)
    when = review.review_time(attempt.submitted_at, closed=closed, now=now)
    level = review.review_level(attempt.quiz, when, staff=staff)
    items = services.attempt_questions(attempt)
    return render_template(
        "quiz/result.html",
        attempt=attempt,
        quiz=attempt.quiz,
        owner=owner,
        staff=staff,
        level=level,
        more_later=not staff and review.more_later(attempt.quiz, when, level),
        items=review.review_items(attempt, items, level=level, true_false=(_("True"), _("False"))),
    )


@bp.get("/<slug>/statistics")
@role_required(Role.ADMIN)
def stats(slug: str):
    quiz = db.first_or_404(select(QuizModel).where(QuizModel.slug == slug))
    return render_template(
        "quiz/statistics.html", quiz=quiz, report=statistics.quiz_statistics(quiz)
    )


@bp.route("/<slug>/overrides/<int:user_id>", methods=["GET", "POST"])
@role_required(Role.HR, Role.ADMIN)
def override(slug: str, user_id: int):
    quiz = active_quiz_or_404(slug)
    official = db.get_or_404(User, user_id)
    if official.id == current_user.id or not can_see_user(current_user, official):
        abort(404)
    current = services.latest_override(quiz, official.id)
    form = OverrideForm()
    if request.method == "GET" and current is not None:
        # A new exception replaces the current one: start from it, so nothing is lost.
        form.extra_minutes.data = current.extra_minutes
        form.extra_attempts.data = current.extra_attempts
        form.close_on.data = local_date(current.close_at) if current.close_at else None
    if form.validate_on_submit():
        close_at = None
        if form.close_on.data:
            close_at = local_to_utc(form.close_on.data, time(23, 59, 59))
        try:
            services.grant_override(
                quiz,
                official,
                extra_minutes=form.extra_minutes.data or 0,
                extra_attempts=form.extra_attempts.data or 0,
                close_at=close_at,
                reason=form.reason.data,
                granted_by=current_user,
                now=utcnow(),
                address=request.remote_addr,
            )
        except services.CloseInPast:
            form.close_on.errors.append(_("The date has passed: choose today or a later day."))
        else:
            flash(_("The exception has been recorded."), "success")
            return redirect(url_for("quiz.override", slug=slug, user_id=user_id))
    history = services.overrides_of(quiz, official.id)
    status = 400 if request.method == "POST" else 200
    return (
        render_template(
            "quiz/override.html",
            quiz=quiz,
            official=official,
            form=form,
            history=history,
            rules=services.effective_rules(quiz, official.id),
            attempts=services.attempts_of(quiz, official.id),
        ),
        status,
    )
