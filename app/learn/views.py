from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from app.compliance import queries as compliance_queries
from app.compliance import records
from app.learn.published import course_cards, published_course
from app.models import Course, Lesson, Track, db, local_date, local_year, utcnow
from app.params import selected_year
from app.progress import queries
from app.progress import services as progress

bp = Blueprint("learn", __name__)


def active_course_or_404(slug: str) -> Course:
    return db.first_or_404(select(Course).where(Course.slug == slug, Course.is_active.is_(True)))


def active_lesson_or_404(course: Course, lesson_slug: str) -> Lesson:
    return db.first_or_404(
        select(Lesson).where(
            Lesson.course_id == course.id, Lesson.slug == lesson_slug, Lesson.is_active.is_(True)
        )
    )


@bp.get("/")
def home():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    year = local_year(utcnow())
    if not current_user.is_official:  # HR and admins get links only (learn/home.html)
        return render_template("learn/home.html", cards=[], year=year, standard=None, status=None)
    standard, status = records.status_in(current_user, year, today=local_date(utcnow()))
    return render_template(
        "learn/home.html",
        cards=course_cards(current_user, year),
        year=year,
        standard=standard,
        status=status,
    )


@bp.get("/my/training")
@login_required
def my_training():
    """This year's status and why, progress per required course and hours, past years."""
    year = selected_year(request.args, now=utcnow())
    mine = records.my_training(current_user, year, today=local_date(utcnow()))
    return render_template("learn/my_training.html", **vars(mine))


@bp.get("/courses")
@login_required
def catalogue():
    year = local_year(utcnow())
    cards = course_cards(current_user, year)
    tracks = [(track, [c for c in cards if c.track == track]) for track in Track]
    return render_template(
        "learn/catalogue.html", tracks=tracks, year=year, practice=queries.practice_quizzes()
    )


def published_course_or_404(slug: str, year: int):
    """The active course ``slug`` as published, and the official's progress in it: one query
    per request (plus three when the course's files were reloaded since this process kept it)."""
    state = queries.course_state(current_user, slug, year)
    if state is None:
        abort(404)
    return published_course(state.course_id, state.stamp), state


@bp.get("/courses/<slug>")
@login_required
def course(slug: str):
    year = local_year(utcnow())
    course, state = published_course_or_404(slug, year)
    return render_template(
        "learn/course.html",
        course=course,
        lessons=course.lessons,
        done=state.done,
        progress=state,
        quiz=course.quiz,
        year=year,
    )


@bp.get("/courses/<slug>/<lesson_slug>")
@login_required
def lesson(slug: str, lesson_slug: str):
    year = local_year(utcnow())
    course, state = published_course_or_404(slug, year)
    index = course.lesson_index(lesson_slug)
    if index is None:
        abort(404)
    lessons = course.lessons
    return render_template(
        "learn/lesson.html",
        course=course,
        lesson=lessons[index],
        lessons=lessons,
        number=index + 1,
        previous=lessons[index - 1] if index > 0 else None,
        next=lessons[index + 1] if index + 1 < len(lessons) else None,
        done=state.done,
        year=year,
    )


@bp.post("/courses/<slug>/<lesson_slug>/complete")
@login_required
def complete(slug: str, lesson_slug: str):
    course = active_course_or_404(slug)
    lesson = active_lesson_or_404(course, lesson_slug)
    if progress.complete_lesson(current_user, lesson, now=utcnow()):
        flash(_("Lesson marked as completed."), "success")
    following = queries.next_lesson(lesson)
    if following is not None:
        return redirect(url_for("learn.lesson", slug=course.slug, lesson_slug=following.slug))
    return redirect(url_for("learn.course", slug=course.slug))


@bp.get("/standards/<int:year>")
@login_required
def standard(year: int):
    """The year's standard, read-only, as declared in courses/standards/<year>.yml."""
    declared = compliance_queries.standard_for(year)
    if declared is None:
        abort(404)
    required = compliance_queries.required_courses(declared)
    return render_template(
        "learn/standard.html",
        standard=declared,
        everyone=[course for course, position in required if position is None],
        by_position=[(position, course) for course, position in required if position is not None],
    )
