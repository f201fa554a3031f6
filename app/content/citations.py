"""Who cites which legal document: ``flask --app run.py content sources [ID]``.

Read from the files alone, without the database and without refusing files that have errors:
when a law changes and the register marks a document replaced, the citing files have errors,
and they are exactly the ones to list.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from app.content.courses import course_dirs
from app.content.errors import ContentError
from app.content.files import read_text
from app.content.gift import parse_gift
from app.content.legal import Citation, format_articles, gift_sources, read_sources
from app.content.markdown import parse_front_matter


@dataclass
class CitingFile:
    """The citations of one document by one file (a lesson, a course page or a question file)."""

    path: str
    doc: str
    citations: list[Citation]
    question_lines: list[int] = field(default_factory=list)  # GIFT: the citing questions

    @property
    def line(self) -> int:
        return min(c.line for c in self.citations)

    def describe(self) -> str:
        """``path:line: ID …``: the path first, so editors and grep can jump to it."""
        articles = ", ".join(
            dict.fromkeys(format_articles(c.article, "en") for c in self.citations if c.article)
        )
        text = f"{self.path}:{self.line}: {self.doc}"
        if self.question_lines:
            lines = ", ".join(str(n) for n in self.question_lines)
            if len(self.question_lines) == 1:
                text += f", 1 question (line {lines})"
            else:
                text += f", {len(self.question_lines)} questions (lines {lines})"
        if articles:
            text += f": {articles}"
        if all(c.historical for c in self.citations):
            text += " (historical)"
        return text


def citing_files(courses_dir: Path, quizzes_dir: Path) -> list[CitingFile]:
    """Every file that cites a legal document, read from the files alone (no database, and a
    file is listed even when it has errors: after a law changes, citing files have some)."""
    courses_dir, quizzes_dir = Path(courses_dir), Path(quizzes_dir)
    found: list[CitingFile] = []

    def add(path: str, citations: list[Citation], questions: dict[int, list[Citation]] | None):
        by_doc: dict[str, CitingFile] = {}
        for citation in citations:
            by_doc.setdefault(citation.doc, CitingFile(path, citation.doc, [])).citations.append(
                citation
            )
        for line, question_citations in sorted((questions or {}).items()):
            for citation in question_citations:
                item = by_doc.setdefault(citation.doc, CitingFile(path, citation.doc, []))
                item.citations.append(citation)
                if line not in item.question_lines:
                    item.question_lines.append(line)
        found.extend(by_doc.values())

    for folder in course_dirs(courses_dir):
        for file in sorted(folder.glob("*.md")):
            shown = f"{courses_dir.name}/{folder.name}/{file.name}"
            try:
                doc = parse_front_matter(read_text(file, shown), shown)
            except ContentError:
                continue
            add(shown, read_sources(doc)[0], None)
    if quizzes_dir.is_dir():
        for file in sorted(quizzes_dir.glob("*.gift")):
            shown = f"{quizzes_dir.name}/{file.name}"
            try:
                text = read_text(file, shown)
            except ContentError:
                continue
            questions, _problems = parse_gift(text, shown)
            cited, _errors = gift_sources(
                text, shown, (q.line for q in questions), parsed_cleanly=False
            )
            add(shown, [], cited)
    return found
