"""Test data builders; always used under fixtures so teardown runs."""

from __future__ import annotations

from pathlib import Path

from werkzeug.security import generate_password_hash

from app.models import Role, Unit, UnitKind, User, db
from app.people.services import create_unit

PASSWORD = "correct horse battery"
# One real hash computed once: hashing per user would dominate the suite's run time.
_HASH = generate_password_hash(PASSWORD)


def make_unit_tree() -> dict[str, Unit]:
    province = create_unit("P", "Tỉnh Thử Nghiệm", UnitKind.PROVINCE)
    commune_a = create_unit("A", "Xã An (thử)", UnitKind.COMMUNE, province)
    commune_b = create_unit("B", "Xã Bình (thử)", UnitKind.COMMUNE, province)
    part_a = create_unit("A1", "Bộ phận của xã An", UnitKind.AGENCY, commune_a)
    db.session.commit()
    return {"P": province, "A": commune_a, "B": commune_b, "A1": part_a}


def make_user(
    username: str,
    *,
    role: str = Role.OFFICIAL,
    unit: Unit | None = None,
    full_name: str | None = None,
    position=None,
    is_active: bool = True,
    commit: bool = True,
) -> User:
    user = User(
        username=username,
        full_name=full_name or f"Người dùng {username}",
        role=role,
        unit=unit,
        position=position,
        is_active=is_active,
        password_hash=_HASH,
    )
    db.session.add(user)
    if commit:
        db.session.commit()
    return user


def write_course(
    root: Path,
    slug: str,
    *,
    title: str = "Khóa học thử",
    track: str = "reform",
    hours: str = "4",
    lessons: dict[str, str] | None = None,
    extra_front: str = "",
) -> Path:
    """Write ``root/<slug>/course.md`` and lesson files; ``lessons`` maps file name -> body."""
    folder = root / slug
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "course.md").write_text(
        f'---\ntitle: "{title}"\ntrack: {track}\nhours: {hours}\nsummary: "Tóm tắt"\n'
        f'order: 1\nversion: "2026.1"\n{extra_front}---\nGiới thiệu khóa học.\n',
        encoding="utf-8",
    )
    if lessons is None:
        lessons = {"01-mo-dau.md": "Nội dung bài mở đầu.", "02-thuc-hanh.md": "Bài thực hành."}
    for name, body in lessons.items():
        lesson_title = name.removesuffix(".md").split("-", 1)[-1].replace("-", " ").title()
        write_lesson(folder / name, title=lesson_title, body=body)
    return folder


def write_lesson(path: Path, *, title: str, body: str, minutes: int = 15) -> None:
    path.write_text(f'---\ntitle: "{title}"\nminutes: {minutes}\n---\n{body}\n', encoding="utf-8")


SAMPLE_GIFT = """$CATEGORY: thu/bai-1

::Một lần::Khi hồ sơ cần bổ sung, công chức phải làm gì?{
=Hướng dẫn đầy đủ và chỉ yêu cầu bổ sung một lần#Đúng theo quy định.
~Yêu cầu bổ sung nhiều lần#Sai: chỉ một lần.
~Từ chối tiếp nhận#Sai.
####Căn cứ: Nghị định 118/2025/NĐ-CP.}

::Cấp huyện::Từ 01/7/2025, cấp huyện chấm dứt hoạt động.{T#Sai rồi#Chính xác}

$CATEGORY: thu/bai-2

::Luật số::Luật Cán bộ, công chức 2025 là Luật số ... /2025/QH15.{=80#Đúng: Luật 80. =tám mươi}

::Nhiều đáp án::Hành vi nào bị cấm?{
~%50%Sách nhiễu người dân#Đúng.
~%50%Cản trở chọn cách nộp hồ sơ#Đúng.
~%-100%Hướng dẫn nộp trực tuyến#Sai: nên làm.}

::Ghép::Ghép văn bản với nội dung.{
=Nghị định 118/2025 -> Một cửa
=Nghị định 42/2022 -> Dịch vụ công trực tuyến
=Nghị quyết 76/NQ-CP -> Chương trình CCHC
}

::Năm::Năm ban hành Luật Cán bộ, công chức mới?{#2025:0}

::Bài luận::Nêu một việc anh/chị sẽ làm để cải thiện sự hài lòng của người dân.{}
"""


def write_quiz(
    quizzes: Path,
    slug: str,
    *,
    gift: str = SAMPLE_GIFT,
    settings: str | None = "course: mot-cua\npass_mark: 60\n",
) -> Path:
    path = quizzes / f"{slug}.gift"
    path.write_text(gift, encoding="utf-8")
    if settings is not None:
        (quizzes / f"{slug}.yml").write_text(settings, encoding="utf-8")
    return path


def responses(attempt, form):
    """What the attempt page's fields in ``form`` answer, as the quiz services take it."""
    from app.quiz import forms as quiz_forms
    from app.quiz.services import attempt_questions

    return quiz_forms.responses(attempt_questions(attempt), form)


def load_content(content, *, now):
    """Load content as ``flask content load`` does: the rows, then progress refreshed."""
    from app.content import loader
    from app.progress.services import refresh_after_load

    report = loader.load_content(content, now=now)
    refresh_after_load(report.lesson_course_ids, report.course_ids, now=now)
    return report
