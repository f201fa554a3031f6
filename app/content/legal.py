"""The legal register (``courses/legal.yml``) and the citations of lessons and questions.

The register lists every legal document that content cites, once: its number, title, issuer,
dates, and what amended or replaced it. Lessons (and ``course.md``) cite documents by id in their
front matter::

    sources:
      - {doc: nd-118-2025, article: "7(3)(a), 8"}
      - {doc: nd-61-2018, historical: true}
    reviewed: 2026-12-05

GIFT questions cite them in a comment line directly above the question (Moodle ignores
comments, so the bank stays importable)::

    // sources: nd-118-2025 7(3)(a); nd-61-2018 historical

Checks: an unknown id is an error; citing a replaced document is an error unless the citation
is marked historical. A citing file reviewed before one of its documents was amended or
replaced, or more than 12 months ago, gets a *warning* naming what changed. The date a document
changed is the ``in_force`` date (or, when unknown, the ``issued`` date) of the document that
amended or replaced it.

Pure: no database. The lesson's "Căn cứ" is rendered here once, at load time.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.content.errors import ContentError
from app.content.fields import Field, check_fields
from app.content.files import read_text
from app.content.markdown import Document, parse_yaml

REGISTER_FILE = "legal.yml"
DOC_ID = re.compile(r"^(?=.{1,60}$)[a-z0-9]+(?:-[a-z0-9]+)*$")
_ARTICLE_ITEM = re.compile(
    r"^(?P<article>\d+[a-zđ]?)(?:\((?P<clause>\d+[a-zđ]?)\)(?:\((?P<point>[a-zđ]\d*)\))?)?$"
)
STALE_AFTER_MONTHS = 12

REGISTER_FIELDS = [Field("documents", "raw", nullable=True, default=None)]
DOCUMENT_FIELDS = [
    Field("id", required=True, max_length=60),
    Field("number", required=True, max_length=100),
    Field("type", required=True, max_length=100),
    Field("title", required=True, max_length=500),
    Field("issuer", required=True, max_length=250),
    Field("issued", "date", required=True),
    Field("in_force", "date", nullable=True),
    Field("amended_by", "text_list", nullable=True, default=None),
    Field("replaced_by", nullable=True),
    Field("note", nullable=True, default=""),
]
CITATION_KEYS = ("doc", "article", "historical")


@dataclass(frozen=True)
class LegalDocument:
    id: str
    number: str
    type: str
    title: str
    issuer: str
    issued: dt.date
    in_force: dt.date | None
    amended_by: tuple[str, ...]
    replaced_by: str | None
    note: str
    line: int

    @property
    def label(self) -> str:
        """How a reader names it: "Nghị định 118/2025/NĐ-CP"."""
        return f"{self.type} {self.number}"

    @property
    def effective(self) -> dt.date:
        """The day it changed the law: in force from, or issued on when that is unknown."""
        return self.in_force or self.issued


@dataclass
class Register:
    path: str
    documents: dict[str, LegalDocument] = field(default_factory=dict)
    broken: set[str] = field(default_factory=set)
    """Ids of entries with errors of their own: their citations are not reported again."""

    def get(self, doc_id: str) -> LegalDocument | None:
        return self.documents.get(doc_id)


@dataclass(frozen=True)
class Citation:
    """One cited document: where (file and line), which document, which articles."""

    doc: str
    article: str = ""
    historical: bool = False
    path: str = ""
    line: int = 0


def _line(doc: Document, key: str) -> int:
    return doc.key_lines.get(key, doc.start_line)


def _sub_document(doc: Document, prefix: str, meta: dict[str, Any]) -> Document:
    """The mapping at ``prefix`` (e.g. ``documents.3.``) as a Document with its own key lines."""
    lines = {k[len(prefix) :]: v for k, v in doc.key_lines.items() if k.startswith(prefix)}
    return Document(
        path=doc.path,
        meta={str(k): v for k, v in meta.items()},
        key_lines=lines,
        start_line=_line(doc, prefix.rstrip(".")),
    )


def read_register(courses_dir: Path) -> tuple[Register, list[ContentError]]:
    """Read and check ``legal.yml``; a missing file is an empty register."""
    path = Path(courses_dir) / REGISTER_FILE
    shown = f"{Path(courses_dir).name}/{REGISTER_FILE}"
    register = Register(path=shown)
    if not path.is_file():
        return register, []
    try:
        doc = parse_yaml(read_text(path, shown), shown)
    except ContentError as exc:
        return register, [exc]
    values, errors = check_fields(doc, REGISTER_FIELDS, what="register")
    entries = values.get("documents") or []
    if not isinstance(entries, list):
        return register, [
            *errors,
            ContentError(shown, _line(doc, "documents"), "register: 'documents' must be a list"),
        ]
    found: dict[str, LegalDocument] = {}
    for index, entry in enumerate(entries):
        where = f"documents.{index}"
        if not isinstance(entry, dict):
            errors.append(
                ContentError(
                    shown,
                    _line(doc, where),
                    "register: each document is a set of 'key: value' lines (id, number, …)",
                )
            )
            continue
        sub = _sub_document(doc, where + ".", entry)
        fields, entry_errors = check_fields(sub, DOCUMENT_FIELDS, what="register")
        errors += entry_errors
        if entry_errors:
            if isinstance(entry.get("id"), str):
                register.broken.add(entry["id"].strip())
            continue
        doc_id = fields["id"]
        if not DOC_ID.match(doc_id):
            errors.append(
                sub.error(
                    "id",
                    f"register: id '{doc_id}' must be lower-case letters, digits and hyphens "
                    "(e.g. nd-118-2025)",
                )
            )
            continue
        if doc_id in found:
            errors.append(
                sub.error(
                    "id",
                    f"register: id '{doc_id}' is given twice (first on line {found[doc_id].line})",
                )
            )
            continue
        in_force = fields["in_force"]
        if in_force is not None and in_force < fields["issued"]:
            errors.append(sub.error("in_force", "register: 'in_force' is before the 'issued' date"))
        found[doc_id] = LegalDocument(
            id=doc_id,
            number=fields["number"],
            type=fields["type"],
            title=fields["title"],
            issuer=fields["issuer"],
            issued=fields["issued"],
            in_force=in_force,
            amended_by=tuple(fields["amended_by"] or ()),
            replaced_by=fields["replaced_by"] or None,
            note=fields["note"] or "",
            line=sub.start_line,
        )
    errors += _check_links(doc, entries, found, register.broken)
    register.documents = found
    return register, errors


def _check_links(
    doc: Document, entries: list[Any], found: dict[str, LegalDocument], broken: set[str]
) -> list[ContentError]:
    """``amended_by`` and ``replaced_by`` name documents of the register; no replacement cycle."""
    errors: list[ContentError] = []
    index_of: dict[str, int] = {}  # the first entry of an id is the one kept
    for index, entry in enumerate(entries):
        if isinstance(entry, dict) and isinstance(entry.get("id"), str):
            index_of.setdefault(entry["id"].strip(), index)
    for item in found.values():
        index = index_of[item.id]
        for position, other in enumerate(item.amended_by):
            line = _line(doc, f"documents.{index}.amended_by.{position}")
            if other == item.id:
                errors.append(ContentError(doc.path, line, f"register: '{item.id}' amends itself"))
            elif other not in found and other not in broken:
                errors.append(
                    ContentError(
                        doc.path, line, f"register: amended_by names unknown document '{other}'"
                    )
                )
        if item.replaced_by is not None:
            line = _line(doc, f"documents.{index}.replaced_by")
            if item.replaced_by not in found:
                if item.replaced_by in broken:
                    continue
                errors.append(
                    ContentError(
                        doc.path,
                        line,
                        f"register: replaced_by names unknown document '{item.replaced_by}'",
                    )
                )
                continue
            chain = [item.id]
            current: str | None = item.replaced_by
            while current is not None and current in found and current not in chain:
                chain.append(current)
                current = found[current].replaced_by
            if current is not None and current in chain:
                errors.append(
                    ContentError(
                        doc.path,
                        line,
                        "register: replaced_by makes a cycle: "
                        + " -> ".join([*chain[chain.index(current) :], current]),
                    )
                )
    return errors


# Citations ------------------------------------------------------------------------------------


def check_article(article: str) -> str | None:
    """None when ``article`` is in the notation ``N``, ``N(k)``, ``N(k)(p)``, comma-separated;
    otherwise the message for the author."""
    items = [part.strip() for part in article.split(",")]
    for item in items:
        if not _ARTICLE_ITEM.match(item):
            return (
                f"article '{article}': write articles as N, N(k) or N(k)(p), separated by "
                f'commas, e.g. "7(3)(a), 8" (not {item!r})'
            )
    return None


def format_articles(article: str, lang: str = "vi") -> str:
    """ "7(3)(a), 8" -> "Điều 7 khoản 3 điểm a, Điều 8" (vi) or "Article 7(3)(a), Article 8"."""
    if not article:
        return ""
    parts: list[str] = []
    for item in (part.strip() for part in article.split(",")):
        match = _ARTICLE_ITEM.match(item)
        if match is None:
            parts.append(item)
        elif lang == "vi":
            words = [f"Điều {match['article']}"]
            if match["clause"]:
                words.append(f"khoản {match['clause']}")
            if match["point"]:
                words.append(f"điểm {match['point']}")
            parts.append(" ".join(words))
        else:
            parts.append(f"Article {item}")
    return ", ".join(parts)


def read_sources(doc: Document, key: str = "sources") -> tuple[list[Citation], list[ContentError]]:
    """The ``sources:`` list of a front matter, checked for shape (not against the register)."""
    value = doc.meta.get(key)
    if value is None:
        return [], []
    if not isinstance(value, list):
        return [], [
            doc.error(key, f"front matter: '{key}' must be a list of {{doc: ID, article: \"N\"}}")
        ]
    citations: list[Citation] = []
    errors: list[ContentError] = []
    for index, item in enumerate(value):
        where = f"{key}.{index}"
        line = _line(doc, where)
        if isinstance(item, str):
            item = {"doc": item}
        if not isinstance(item, dict):
            errors.append(
                ContentError(
                    doc.path,
                    line,
                    f"front matter: each item of '{key}' is {{doc: ID, article: \"N(k)(p)\"}}",
                )
            )
            continue
        unknown = [str(k) for k in item if k not in CITATION_KEYS]
        if unknown:
            errors.append(
                ContentError(
                    doc.path,
                    _line(doc, f"{where}.{unknown[0]}"),
                    f"front matter: unknown key '{unknown[0]}' in '{key}' "
                    f"(expected: {', '.join(CITATION_KEYS)})",
                )
            )
            continue
        doc_id = item.get("doc")
        if not isinstance(doc_id, str) or not doc_id.strip():
            errors.append(
                ContentError(doc.path, line, f"front matter: an item of '{key}' has no 'doc: ID'")
            )
            continue
        article = item.get("article")
        article = "" if article is None else str(article).strip()
        if article:
            problem = check_article(article)
            if problem:
                errors.append(
                    ContentError(
                        doc.path, _line(doc, f"{where}.article"), f"front matter: {problem}"
                    )
                )
                continue
        historical = item.get("historical", False)
        if not isinstance(historical, bool):
            errors.append(
                ContentError(
                    doc.path,
                    _line(doc, f"{where}.historical"),
                    "front matter: 'historical' must be true or false",
                )
            )
            continue
        citations.append(
            Citation(
                doc=doc_id.strip(),
                article=article,
                historical=historical,
                path=doc.path,
                line=_line(doc, f"{where}.doc"),
            )
        )
    return citations, errors


_SOURCES_COMMENT = re.compile(r"^//\s*sources\s*:(.*)$", re.IGNORECASE)


def gift_sources(
    text: str, path: str, question_lines: Iterable[int], *, parsed_cleanly: bool = True
) -> tuple[dict[int, list[Citation]], list[ContentError]]:
    """Citations of GIFT questions: ``// sources: ID ARTICLE; ID historical`` on a comment line
    directly above the question (other comment lines may sit between it and the question, a
    blank line may not).

    Returns citations by the question's first line. A sources line that is not directly above
    a question is an error (unless the question below it was refused: ``parsed_cleanly``
    False), so that a citation is never ignored silently.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.split("\r") if "\n" not in text and "\r" in text else text.split("\n")
    starts = set(question_lines)
    found: dict[int, list[Citation]] = {}
    errors: list[ContentError] = []
    for index, raw in enumerate(lines):
        match = _SOURCES_COMMENT.match(raw.strip())
        if not match:
            continue
        number = index + 1
        below = index + 1
        while below < len(lines) and lines[below].strip().startswith("//"):
            below += 1
        target = below + 1
        if target not in starts:
            if parsed_cleanly:
                errors.append(
                    ContentError(
                        path,
                        number,
                        "a '// sources:' line must be directly above a question "
                        "(no blank line between them)",
                    )
                )
            continue
        citations, item_errors = _parse_sources_comment(match.group(1), path, number)
        errors += item_errors
        found.setdefault(target, []).extend(citations)
    return found, errors


def _parse_sources_comment(
    value: str, path: str, line: int
) -> tuple[list[Citation], list[ContentError]]:
    citations: list[Citation] = []
    errors: list[ContentError] = []
    items = [item.strip() for item in value.split(";")]
    if not any(items):
        return [], [ContentError(path, line, "'// sources:' names no document")]
    for item in items:
        if not item:
            continue
        words = item.split()
        doc_id, rest = words[0], words[1:]
        historical = bool(rest) and rest[-1].lower() == "historical"
        if historical:
            rest = rest[:-1]
        article = " ".join(rest)
        if article:
            problem = check_article(article)
            if problem:
                errors.append(ContentError(path, line, f"sources: {doc_id}: {problem}"))
                continue
        citations.append(
            Citation(doc=doc_id, article=article, historical=historical, path=path, line=line)
        )
    return citations, errors


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


def check_citations(
    register: Register,
    citations: list[Citation],
    *,
    reviewed: dt.date | None,
    review_path: str,
    review_line: int,
    what: str,
    today: dt.date,
) -> list[ContentError]:
    """Errors and warnings (``severity="warning"``) for one citing file.

    ``what`` names the citing thing in messages ("the lesson", "the quiz"); ``review_path`` and
    ``review_line`` locate its ``reviewed:`` date (or where it belongs).
    """
    problems: list[ContentError] = []
    cited: list[tuple[Citation, LegalDocument]] = []
    for citation in citations:
        document = register.get(citation.doc)
        if document is None and citation.doc in register.broken:
            continue  # its register entry has errors of its own
        if document is None:
            problems.append(
                ContentError(
                    citation.path,
                    citation.line,
                    f"unknown legal document '{citation.doc}' (not in {register.path})",
                )
            )
            continue
        if document.replaced_by and not citation.historical:
            new = register.get(document.replaced_by)
            if new is not None and new.effective > today:
                # still the law today: the lesson must change before that day
                problems.append(
                    ContentError(
                        citation.path,
                        citation.line,
                        f"{document.label} ({document.id}) will be replaced by {new.label} "
                        f"({new.id}) from {new.effective:%d/%m/%Y}: update {what} before then",
                        severity="warning",
                    )
                )
                cited.append((citation, document))
                continue
            since = f" from {new.effective:%d/%m/%Y}" if new else ""
            problems.append(
                ContentError(
                    citation.path,
                    citation.line,
                    f"{document.label} ({document.id}) was replaced by "
                    f"{new.label if new else document.replaced_by} ({document.replaced_by}){since}:"
                    f" cite the new text, or mark the citation as historical",
                )
            )
            continue
        if citation.historical and not document.replaced_by:
            problems.append(
                ContentError(
                    citation.path,
                    citation.line,
                    f"{document.label} ({document.id}) is cited as historical but the register "
                    "does not say it was replaced",
                    severity="warning",
                )
            )
        cited.append((citation, document))
    if not cited:
        return problems
    if reviewed is None:
        problems.append(
            ContentError(
                review_path,
                review_line,
                f"{what} cites legal documents but has no 'reviewed: YYYY-MM-DD' date",
                severity="warning",
            )
        )
        return problems
    if _add_months(reviewed, STALE_AFTER_MONTHS) < today:
        problems.append(
            ContentError(
                review_path,
                review_line,
                f"{what} was last reviewed on {reviewed:%d/%m/%Y}, more than "
                f"{STALE_AFTER_MONTHS} months ago: check it against the law in force and "
                "update 'reviewed'",
                severity="warning",
            )
        )
    warned: set[tuple[str, int, str]] = set()
    for citation, document in cited:
        if citation.historical:
            continue
        for other_id in document.amended_by:
            other = register.get(other_id)
            key = (citation.path, citation.line, other_id)
            if other is None or other.effective <= reviewed or key in warned:
                continue
            warned.add(key)
            if other.effective > today:
                message = (
                    f"{document.label} ({document.id}) will be amended by {other.label} "
                    f"({other.id}) from {other.effective:%d/%m/%Y}: check the cited articles "
                    f"and update {what} before then"
                )
            else:
                message = (
                    f"{document.label} ({document.id}) was amended by {other.label} "
                    f"({other.id}, in force {other.effective:%d/%m/%Y}) after {what} was "
                    f"reviewed on {reviewed:%d/%m/%Y}: check the cited articles and update "
                    "'reviewed'"
                )
            problems.append(ContentError(citation.path, citation.line, message, severity="warning"))
    return problems


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!])")


def _md_text(text: str) -> str:
    """Register text as literal Markdown: every character Markdown could read as markup is
    escaped, so a title shows exactly as written (and never becomes HTML)."""
    text = html.escape(" ".join(text.split()), quote=False)
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def sources_markdown(
    register: Register, citations: list[Citation], reviewed: dt.date | None
) -> str:
    """The "Căn cứ" section and the review date, as Markdown appended to the body before it is
    rendered (so they are sanitised and listed in the table of contents like any heading).

    In the content's language (Vietnamese): it is part of the lesson's text.
    """
    items: list[str] = []
    seen: set[tuple[str, str, bool]] = set()
    for citation in citations:
        document = register.get(citation.doc)
        key = (citation.doc, citation.article, citation.historical)
        if document is None or key in seen:
            continue
        seen.add(key)
        text = (
            f"**{_md_text(document.label)}** ngày {document.issued:%d/%m/%Y} của "
            f"{_md_text(document.issuer)} *{_md_text(document.title)}*"
        )
        if citation.article:
            text += f": {_md_text(format_articles(citation.article))}"
        amending = [register.get(other) for other in document.amended_by]
        labels = [a.label for a in amending if a is not None]
        if labels:
            text += "; đã được sửa đổi, bổ sung bởi " + ", ".join(_md_text(x) for x in labels)
        if citation.historical:
            text += " " + _md_text("(văn bản đã được thay thế, trích dẫn để đối chiếu)")
        items.append(f"- {text}.")
    parts: list[str] = []
    if items:
        parts.append("## Căn cứ\n\n" + "\n".join(items))
    if reviewed is not None:
        parts.append(
            f'<p class="reviewed">Rà soát lần cuối: '
            f'<time datetime="{reviewed.isoformat()}">{reviewed:%d/%m/%Y}</time></p>'
        )
    return "\n\n".join(parts)
