"""The content pipeline: files -> checked -> rows, all or nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from app.content.loader import read_content
from app.models import Course, CourseProgress, Lesson, db, utcnow
from app.progress.services import complete_lesson
from tests.factories import load_content, make_user, write_course, write_lesson

DATA = Path(__file__).resolve().parent.parent / "data"


def load(courses: Path, quizzes: Path):
    content, errors = read_content(courses, quizzes)
    assert errors == []
    report = load_content(content, now=utcnow())
    db.session.commit()
    return report


def messages(courses: Path, quizzes: Path) -> list[str]:
    return [str(e) for e in read_content(courses, quizzes)[1]]


def test_good_course_loads_with_lessons_in_order(app, content_dirs):
    courses, quizzes = content_dirs
    write_course(
        courses,
        "mot-cua",
        title="Một cửa",
        lessons={"02-tra-ket-qua.md": "Trả kết quả.", "01-tiep-nhan.md": "Tiếp nhận."},
    )
    report = load(courses, quizzes)
    assert report.created == ["course mot-cua"]
    course = db.session.scalar(select(Course).where(Course.slug == "mot-cua"))
    assert course.title == "Một cửa" and course.track == "reform" and float(course.hours) == 4
    lessons = db.session.scalars(
        select(Lesson).where(Lesson.course_id == course.id).order_by(Lesson.position)
    ).all()
    assert [lesson.slug for lesson in lessons] == ["tiep-nhan", "tra-ket-qua"]
    assert "<p>Tiếp nhận.</p>" in lessons[0].body_html


def test_loading_twice_changes_nothing(app, content_dirs):
    courses, quizzes = content_dirs
    write_course(courses, "mot-cua")
    load(courses, quizzes)
    before = db.session.execute(select(Lesson.id, Lesson.revision, Lesson.updated_at)).all()
    report = load(courses, quizzes)
    assert not report.changed and report.unchanged == 1
    assert db.session.execute(select(Lesson.id, Lesson.revision, Lesson.updated_at)).all() == before


def test_changed_lesson_bumps_revisions_and_keeps_ids(app, content_dirs):
    courses, quizzes = content_dirs
    folder = write_course(courses, "mot-cua")
    load(courses, quizzes)
    lesson_id = db.session.scalar(select(Lesson.id).where(Lesson.slug == "mo-dau"))
    write_lesson(folder / "01-mo-dau.md", title="Mở đầu (sửa)", body="Nội dung mới.")
    report = load(courses, quizzes)
    assert report.updated == ["course mot-cua (revision 2)"]
    lesson = db.session.get(Lesson, lesson_id)
    assert lesson.revision == 2 and lesson.title == "Mở đầu (sửa)"
    other = db.session.scalar(select(Lesson).where(Lesson.slug == "thuc-hanh"))
    assert other.revision == 1


def test_renumbered_lesson_keeps_its_row(app, content_dirs):
    courses, quizzes = content_dirs
    folder = write_course(courses, "mot-cua")
    load(courses, quizzes)
    lesson_id = db.session.scalar(select(Lesson.id).where(Lesson.slug == "thuc-hanh"))
    (folder / "02-thuc-hanh.md").rename(folder / "05-thuc-hanh.md")
    load(courses, quizzes)
    lesson = db.session.get(Lesson, lesson_id)
    assert lesson.position == 5 and lesson.revision == 1


def test_removed_course_and_lesson_are_withdrawn_not_deleted(app, content_dirs):
    courses, quizzes = content_dirs
    folder = write_course(courses, "mot-cua")
    write_course(courses, "dao-duc", track="ethics")
    load(courses, quizzes)
    (folder / "02-thuc-hanh.md").unlink()
    shutil.rmtree(courses / "dao-duc")
    report = load(courses, quizzes)
    assert report.deactivated == ["course dao-duc"]
    assert db.session.scalar(select(Course.is_active).where(Course.slug == "dao-duc")) is False
    withdrawn = (
        select(Lesson.is_active)
        .join(Course)
        .where(Course.slug == "mot-cua", Lesson.slug == "thuc-hanh")
    )
    assert db.session.scalar(withdrawn) is False


def test_progress_survives_reload_and_counts_follow_lesson_changes(app, content_dirs, units):
    courses, quizzes = content_dirs
    folder = write_course(courses, "mot-cua")
    load(courses, quizzes)
    user = make_user("cc", unit=units["A"])
    lesson = db.session.scalar(select(Lesson).where(Lesson.slug == "mo-dau"))
    complete_lesson(user, lesson, now=utcnow())
    db.session.commit()
    load(courses, quizzes)  # unchanged
    progress = db.session.scalar(select(CourseProgress))
    assert progress.lessons_completed == 1
    write_lesson(folder / "02-thuc-hanh.md", title="Thực hành", body="Đã sửa.")
    (folder / "01-mo-dau.md").unlink()
    load(courses, quizzes)
    db.session.refresh(progress)
    assert progress.lessons_completed == 0  # the completed lesson was withdrawn


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (
            {"course.md": "---\ntitle: [Khóa\ntrack: reform\nhours: 4\n---\n"},
            "courses/hong/course.md:3: front matter:",
        ),
        (
            {"course.md": "---\ntrack: reform\nhours: 4\n---\n"},
            "courses/hong/course.md:1: front matter: missing 'title'",
        ),
        (
            {"course.md": "---\ntitle: Khóa\ntrack: cooking\nhours: 4\n---\n"},
            "courses/hong/course.md:3: front matter: 'track' must be one of reform, it, ethics",
        ),
        (
            {"course.md": "---\ntitle: Khóa\ntrack: it\nhours: bốn\n---\n"},
            "courses/hong/course.md:4: front matter: 'hours' must be a number",
        ),
        (
            {"course.md": "---\ntitle: Khóa\ntrack: it\nhours: 4\ntitel: x\n---\n"},
            "courses/hong/course.md:5: front matter: unknown field 'titel'",
        ),
        (
            {"course.md": "title: Khóa\n"},
            "courses/hong/course.md:1: front matter: the file must start with a '---' line",
        ),
        (
            {"course.md": "---\ntitle: Khóa\ntrack: it\nhours: 4\n"},
            "courses/hong/course.md:1: front matter: no closing '---' line",
        ),
        (
            {"01-a.md": "---\ntitle: A\n---\nx"},
            "courses/hong: missing course.md",
        ),
    ],
)
def test_broken_course_file_is_reported_with_file_and_line(app, content_dirs, files, expected):
    courses, quizzes = content_dirs
    folder = courses / "hong"
    folder.mkdir()
    if "course.md" in files:
        write_lesson(folder / "01-bai.md", title="Bài", body="x")
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    found = messages(courses, quizzes)
    assert any(message.startswith(expected) for message in found), found


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        (
            "01-a.md",
            "---\nminutes: 5\n---\nx",
            "courses/khoa/01-a.md:1: front matter: missing 'title'",
        ),
        (
            "01-a.md",
            "---\ntitle: A\nminutes: mười\n---\nx",
            "courses/khoa/01-a.md:3: front matter: 'minutes' must be a whole number",
        ),
        ("01-a.md", "---\ntitle: A\n---\n\n", "courses/khoa/01-a.md:4: the lesson has no text"),
        (
            "bai-mot.md",
            "---\ntitle: A\n---\nx",
            "courses/khoa/bai-mot.md: lesson file name must look like NN-slug.md",
        ),
        (
            "03-Bai.md",
            "---\ntitle: A\n---\nx",
            "courses/khoa/03-Bai.md: lesson file name must look like NN-slug.md",
        ),
        (
            "05-mo-dau.md",
            "---\ntitle: A\n---\nx",
            "courses/khoa/05-mo-dau.md: duplicate lesson slug 'mo-dau'",
        ),
        (
            "01-khac.md",
            "---\ntitle: A\n---\nx",
            "courses/khoa/01-mo-dau.md: duplicate lesson number 1",
        ),
    ],
)
def test_broken_lesson_is_reported_with_file_and_line(app, content_dirs, name, text, expected):
    courses, quizzes = content_dirs
    folder = write_course(courses, "khoa", lessons={"01-mo-dau.md": "Nội dung."})
    (folder / name).write_text(text, encoding="utf-8")
    found = messages(courses, quizzes)
    assert any(message.startswith(expected) for message in found), found


def test_non_utf8_file_names_its_line(app, content_dirs):
    courses, quizzes = content_dirs
    folder = write_course(courses, "khoa")
    (folder / "03-cu.md").write_bytes(
        "---\ntitle: Cũ\n---\nchữ ".encode() + "Vi\xe9t".encode("latin-1")
    )
    assert any(
        m.startswith("courses/khoa/03-cu.md:4: not valid UTF-8") for m in messages(courses, quizzes)
    )


def test_folder_names_must_be_slugs_and_courses_need_lessons(app, content_dirs):
    courses, quizzes = content_dirs
    write_course(courses, "Khoa Hoc")
    empty = write_course(courses, "trong", lessons={})
    assert empty.is_dir()
    found = messages(courses, quizzes)
    assert any(m.startswith("courses/Khoa Hoc: folder name must be a slug") for m in found)
    assert any(m.startswith("courses/trong: the course has no lesson") for m in found)


def test_broken_files_in_tests_data_name_their_line(app):
    found = messages(DATA / "broken" / "courses", DATA / "broken" / "quizzes")
    assert (
        "courses/bad-yaml/course.md:4: front matter: mapping values are not allowed here" in found
    )


def test_load_command_refuses_broken_content_and_old_content_stays(app, runner, content_dirs):
    courses, quizzes = content_dirs
    folder = write_course(courses, "mot-cua", title="Bản cũ")
    assert runner.invoke(args=["content", "load"]).exit_code == 0
    (folder / "course.md").write_text(
        "---\ntitle: Bản mới\ntrack: reform\nhours: [4\n---\n", encoding="utf-8"
    )
    write_course(courses, "khoa-moi")

    check = runner.invoke(args=["content", "check"])
    assert check.exit_code != 0
    assert "courses/mot-cua/course.md:4: front matter:" in check.output

    result = runner.invoke(args=["content", "load"])
    assert result.exit_code != 0
    assert "nothing changed" in result.output
    db.session.expire_all()
    assert db.session.scalars(select(Course.title)).all() == ["Bản cũ"]


def test_check_command_passes_on_good_content(app, runner, content_dirs):
    write_course(content_dirs[0], "mot-cua")
    result = runner.invoke(args=["content", "check"])
    assert result.exit_code == 0, result.output
    assert "1 courses, 2 lessons" in result.output


def test_standards_folder_is_not_a_course(app, content_dirs):
    courses, quizzes = content_dirs
    (courses / "standards").mkdir()
    write_course(courses, "mot-cua")
    content, errors = read_content(courses, quizzes)
    assert errors == [] and [c.slug for c in content.courses] == ["mot-cua"]


def test_a_nul_character_names_its_line_in_lessons_and_quizzes(app, content_dirs):
    courses, quizzes = content_dirs
    folder = write_course(courses, "khoa")
    (folder / "03-cu.md").write_text("---\ntitle: Cũ\n---\n\nchữ\x00 Việt\n", encoding="utf-8")
    (quizzes / "khoa.gift").write_text("::a::Câu?{T}\n\n::b::Câu\x00 hai?{F}\n", encoding="utf-8")
    found = messages(courses, quizzes)
    assert any(m.startswith("courses/khoa/03-cu.md:5: contains a NUL") for m in found), found
    assert any(m.startswith("quizzes/khoa.gift:3: contains a NUL") for m in found), found
