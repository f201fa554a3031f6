from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from app.compliance import queries as compliance_queries
from app.compliance import records
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
    standard, status = records.status_in(current_user, year, today=local_date(utcnow()))
    return render_template(
        "learn/home.html",
        cards=queries.course_cards(current_user, year),
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
    cards = queries.course_cards(current_user, year)
    tracks = [(track, [c for c in cards if c.track == track]) for track in Track]
    return render_template(
        "learn/catalogue.html", tracks=tracks, year=year, practice=queries.practice_quizzes()
    )


@bp.get("/courses/<slug>")
@login_required
def course(slug: str):
    course = active_course_or_404(slug)
    year = local_year(utcnow())
    lessons = queries.active_lessons(course)
    done = queries.completed_lesson_ids(current_user, course, year)
    progress = queries.course_progress(current_user, course, year)
    return render_template(
        "learn/course.html",
        course=course,
        lessons=lessons,
        done=done,
        progress=progress,
        quiz=queries.course_quiz(course),
        year=year,
    )


@bp.get("/courses/<slug>/<lesson_slug>")
@login_required
def lesson(slug: str, lesson_slug: str):
    course = active_course_or_404(slug)
    lessons = queries.active_lessons(course)
    index = next((i for i, item in enumerate(lessons) if item.slug == lesson_slug), None)
    if index is None:
        abort(404)
    year = local_year(utcnow())
    done = queries.completed_lesson_ids(current_user, course, year)
    return render_template(
        "learn/lesson.html",
        course=course,
        lesson=lessons[index],
        lessons=lessons,
        previous=lessons[index - 1] if index > 0 else None,
        next=lessons[index + 1] if index + 1 < len(lessons) else None,
        done=done,
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
