"""Content files carrying every payload: courses, lessons, a standard and GIFT quizzes."""

from __future__ import annotations

from pathlib import Path

import yaml

from app.content.loader import read_content
from app.models import db, utcnow
from tests.factories import load_content
from tests.security.payloads import PAYLOADS, chunks, for_files

FORMATS = ("html", "markdown", "plain", "moodle")
TITLE_MAX = 240  # course, lesson and quiz titles are String(250)


def file_payloads() -> list[str]:
    return [for_files(p) for p in PAYLOADS]


def front_matter(values: dict, body: str) -> str:
    return f"---\n{yaml.safe_dump(values, allow_unicode=True, width=10_000)}---\n{body}\n"


def markdown_body() -> str:
    """Every payload as a paragraph, a heading (TOC), a list item, a quote, a table cell, a
    link and image target and title, a footnote and an admonition title."""
    parts = []
    for i, p in enumerate(file_payloads()):
        one_line = p.replace("|", "\\|")
        quoted = p.replace('"', "'")
        parts += [
            p,
            f"## {p}",
            f"- {p}\n- mục {i}",
            f"> {p}",
            f"| A | B |\n|:--|--:|\n| {one_line} | x |",
            f'[liên kết {i}]({p} "{quoted}") ![ảnh {i}]({p})',
            f"[tham chiếu {i}][r{i}]\n\n[r{i}]: {p}",
            f"Chú thích[^f{i}].\n\n[^f{i}]: {p}",
            f'!!! note "{quoted}"\n    {p}',
        ]
    parts.append("Kết thúc bài an toàn.")
    return "\n\n".join(parts)


def write_courses(courses: Path) -> list[str]:
    """One course per chunk of payloads (title, summary, lesson titles); the first course also
    carries every payload in its Markdown body and in a long lesson. Returns the slugs."""
    slugs = []
    for i, chunk in enumerate(chunks(TITLE_MAX, file_payloads())):
        slug = f"xss-{i:02d}"
        folder = courses / slug
        folder.mkdir()
        body = "\n\n".join(file_payloads()) if i == 0 else "Giới thiệu."
        meta = {"title": chunk, "track": "reform", "hours": 2, "summary": chunk, "version": "1"}
        (folder / "course.md").write_text(front_matter(meta, body), encoding="utf-8")
        lessons = {
            "01-bai-mot.md": markdown_body() if i == 0 else "Nội dung.",
            "02-bai-hai.md": "B",
        }
        for name, text in lessons.items():
            (folder / name).write_text(
                front_matter({"title": chunk, "minutes": 5}, text), encoding="utf-8"
            )
        slugs.append(slug)
    return slugs


def write_standards(courses: Path, course_slug: str) -> list[int]:
    """One standard per chunk of payloads (title and issuer), from the year 2000 on; the first
    also carries every payload in its legal basis and Markdown notes."""
    folder = courses / "standards"
    folder.mkdir()
    years = []
    for i, chunk in enumerate(chunks(290, file_payloads())):
        year = 2000 + i
        data = {
            "year": year,
            "title": chunk,
            "version": chunk[:40],
            "issuer": chunk,
            "legal_basis": file_payloads() if i == 0 else [chunk],
            "notes": "\n\n".join(file_payloads()) if i == 0 else chunk,
            "period": {"start": f"{year}-01-01", "deadline": f"{year}-12-15"},
            "required": {"everyone": [course_slug]},
        }
        (folder / f"{year}.yml").write_text(
            yaml.safe_dump(data, allow_unicode=True, width=10_000), encoding="utf-8"
        )
        years.append(year)
    return years


def gift_escape(text: str) -> str:
    """GIFT's escapes: backslash, then the special characters ~ = # { } :."""
    text = text.replace("\\", "\\\\")
    for char in "~=#{}:":
        text = text.replace(char, "\\" + char)
    return text


def gift_with_payloads(fmt: str) -> str:
    """Every payload in a category name, a title, the question text, a right and a wrong
    answer, both feedbacks and the general feedback (multichoice); plus, for a few payloads,
    true/false, short answer, numerical and matching questions carrying them."""
    tag = f"[{fmt}]"
    blocks = []
    payloads = [p for p in file_payloads() if p.strip()]
    for i, raw in enumerate(payloads):
        p = gift_escape(raw.strip())
        if i % 40 == 0:
            blocks.append(f"$CATEGORY: {p}")
        blocks.append(
            f"::{p}::{tag}{p} (câu {i}){{\n"
            f"={tag}{p} (đúng {i})#{tag}{p}\n"
            f"~{tag}Sai {i}#{tag}{p}\n"
            f"####{tag}{p}}}"
        )
    blocks.append(f"::ESSAY::{tag}{gift_escape(payloads[0])} (bài luận){{}}")
    for i, raw in enumerate([p for p in payloads if "->" not in p][:12]):
        p = gift_escape(raw.strip())
        blocks += [
            f"::TF {i} {p}::{tag}{p} (đúng sai {i}){{T#{tag}{p}#{tag}{p}####{tag}{p}}}",
            f"::SA {i}::{tag}{p} (trả lời ngắn {i}){{={p}#{tag}{p} ={i}x#{tag}{p}}}",
            f"::NUM {i}::{tag}{p} (số {i}){{#{i}:0#{tag}{p}####{tag}{p}}}",
            f"::MATCH {i}::{tag}{p} (ghép {i}){{\n"
            f"={tag}{p} (mục {i}) -> {p}\n"
            f"=Mục khác {i} -> Đáp án khác {i}\n"
            f"####{tag}{p}}}",
        ]
    return "\n\n".join(blocks) + "\n"


def write_quizzes(quizzes: Path, formats=FORMATS) -> list[str]:
    """One quiz per text format; its title is a chunk of payloads and its intro (Markdown)
    holds them all. Review policy 'feedback': the result page shows everything."""
    slugs = []
    titles = chunks(TITLE_MAX, file_payloads())
    for i, fmt in enumerate(formats):
        slug = f"xss-{fmt}"
        (quizzes / f"{slug}.gift").write_text(gift_with_payloads(fmt), encoding="utf-8")
        settings = {
            "title": titles[i % len(titles)],
            "intro": "\n\n".join(file_payloads()),
            "pass_mark": 50,
            "review": "feedback",
            "shuffle_answers": False,
        }
        (quizzes / f"{slug}.yml").write_text(
            yaml.safe_dump(settings, allow_unicode=True, width=10_000), encoding="utf-8"
        )
        slugs.append(slug)
    return slugs


def load(content_dirs) -> None:
    courses, quizzes = content_dirs
    content, errors = read_content(courses, quizzes)
    assert errors == [], [str(e) for e in errors][:10]
    load_content(content, now=utcnow())
    db.session.commit()
