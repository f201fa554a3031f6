"""Read ``courses/standards/<year>.yml``: the annual standard, declared as data.

Pure: no database. The loader checks course slugs here and unit codes at load time.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import yaml

from app.content.errors import ContentError
from app.content.fields import Field, check_fields
from app.content.files import digest, read_text
from app.content.markdown import Document, parse_yaml, render_markdown
from app.models.user import UnitKind

STANDARDS_DIR = "standards"
FILE_NAME = re.compile(r"^(\d{4})\.ya?ml$")
POSITIONS_FILE = Path(__file__).resolve().parent.parent / "data" / "positions.yml"

TOP_FIELDS = [
    Field("year", "int", required=True, minimum=2000, maximum=2100),
    Field("title", required=True, max_length=300),
    Field("version", default="", max_length=40),
    Field("issuer", required=True, max_length=300),
    Field("legal_basis", "text_list", required=True),
    Field("notes", default=""),
    Field("period", "mapping", required=True),
    Field("applies_to", "mapping", nullable=True),
    Field("required", "mapping", required=True),
    Field("hours", "mapping", nullable=True),
    Field("pass_mark", "number", minimum=0, maximum=100, nullable=True),
    Field("exemptions", "mapping", nullable=True),
    Field("reminders", "mapping", nullable=True),
]
PERIOD_FIELDS = [Field("start", "date", required=True), Field("deadline", "date", required=True)]
APPLIES_FIELDS = [
    Field("unit_kinds", "text_list", nullable=True),
    Field("units", "text_list", nullable=True),
    Field("positions", "text_list", nullable=True),
]
REQUIRED_FIELDS = [
    Field("everyone", "text_list", default=[]),
    Field("by_position", "mapping", nullable=True),
]
HOURS_FIELDS = [
    Field("minimum", "number", minimum=0, maximum=10000, nullable=True),
    Field("external", "choice", choices=("counted", "not_counted"), default="counted"),
    Field("external_cap", "number", minimum=0, maximum=10000, nullable=True),
]
EXEMPTION_FIELDS = [
    Field("min_months_worked", "int", minimum=1, maximum=12, nullable=True),
    Field("joined_after", "date", nullable=True),
]
REMINDER_FIELDS = [Field("days_before", "text_list", default=[])]


@dataclass
class StandardData:
    year: int
    title: str
    version: str
    issuer: str
    legal_basis: list[str]
    notes_html: str
    start_date: dt.date
    deadline: dt.date
    unit_kinds: list[str] | None
    unit_codes: list[str] | None
    position_codes: list[str] | None
    everyone: list[str]
    by_position: dict[str, list[str]]
    min_hours: Decimal | None
    count_external: bool
    external_hours_cap: Decimal | None
    pass_mark: Decimal | None
    min_months_worked: int | None
    joined_after: dt.date | None
    reminder_days: list[int]
    source_path: str
    content_hash: str
    lines: dict[str, int] = field(default_factory=dict)  # for errors found at load time

    def line_of(self, key: str) -> int:
        return self.lines.get(key, 1)


def known_position_codes() -> set[str]:
    data = yaml.safe_load(POSITIONS_FILE.read_text(encoding="utf-8"))
    return {entry["code"] for entry in data["positions"]}


def _section(doc: Document, key: str, fields: list[Field]) -> tuple[dict, list[ContentError]]:
    if not isinstance(doc.meta.get(key), dict):
        return {f.name: f.default for f in fields}, []
    return check_fields(doc, fields, what="standard", prefix=f"{key}.")


def read_standard(
    path: Path, shown: str, course_slugs: set[str]
) -> tuple[StandardData | None, list[ContentError]]:
    match = FILE_NAME.match(path.name)
    if not match:
        return None, [ContentError(shown, 0, "a standard file is named <year>.yml, e.g. 2026.yml")]
    try:
        text = read_text(path, shown)
        doc = parse_yaml(text, shown)
    except ContentError as exc:
        return None, [exc]
    top, errors = check_fields(doc, TOP_FIELDS, what="standard")
    period, e1 = _section(doc, "period", PERIOD_FIELDS)
    applies, e2 = _section(doc, "applies_to", APPLIES_FIELDS)
    required, e3 = _section(doc, "required", REQUIRED_FIELDS)
    hours, e4 = _section(doc, "hours", HOURS_FIELDS)
    exemptions, e5 = _section(doc, "exemptions", EXEMPTION_FIELDS)
    reminders, e6 = _section(doc, "reminders", REMINDER_FIELDS)
    errors += e1 + e2 + e3 + e4 + e5 + e6
    if errors:
        return None, errors

    def error(key: str, message: str) -> None:
        errors.append(ContentError(shown, doc.line_of(key), f"standard: {message}"))

    year = top["year"]
    if year != int(match.group(1)):
        error("year", f"'year' is {year} but the file is named {path.name}")
    start, deadline = period["start"], period["deadline"]
    if start.year != year or deadline.year != year:
        error("period", f"the period must lie within {year}")
    if deadline < start:
        error("period.deadline", "the deadline is before the start")
    kinds = set(UnitKind)
    for index, kind in enumerate(applies["unit_kinds"] or []):
        if kind not in kinds:
            error(
                f"applies_to.unit_kinds.{index}",
                f"unknown unit kind '{kind}' (one of: {', '.join(sorted(kinds))})",
            )
    positions = known_position_codes()
    for index, code in enumerate(applies["positions"] or []):
        if code not in positions:
            error(f"applies_to.positions.{index}", f"unknown position code '{code}'")
    for index, slug in enumerate(required["everyone"]):
        if slug not in course_slugs:
            error(f"required.everyone.{index}", f"course '{slug}' does not exist")
    by_position: dict[str, list[str]] = {}
    for code, slugs in (required["by_position"] or {}).items():
        key = f"required.by_position.{code}"
        if code not in positions:
            error(key, f"unknown position code '{code}'")
            continue
        if isinstance(slugs, str):
            slugs = [slugs]
        if not isinstance(slugs, list):
            error(key, "expected a list of course slugs")
            continue
        for index, slug in enumerate(slugs):
            if str(slug) not in course_slugs:
                error(f"{key}.{index}", f"course '{slug}' does not exist")
        by_position[str(code)] = [str(s) for s in slugs]
    if not required["everyone"] and not by_position and hours["minimum"] is None:
        error("required", "the standard requires nothing: list courses or a minimum of hours")
    days: list[int] = []
    for index, value in enumerate(reminders["days_before"]):
        if not str(value).isdigit() or not 0 < int(value) <= 366:
            error(f"reminders.days_before.{index}", f"'{value}' is not a number of days (1-366)")
        else:
            days.append(int(value))
    if errors:
        return None, errors
    return (
        StandardData(
            year=year,
            title=top["title"],
            version=top["version"],
            issuer=top["issuer"],
            legal_basis=top["legal_basis"],
            notes_html=render_markdown(top["notes"])[0] if top["notes"] else "",
            start_date=start,
            deadline=deadline,
            unit_kinds=applies["unit_kinds"],
            unit_codes=applies["units"],
            position_codes=applies["positions"],
            everyone=required["everyone"],
            by_position=by_position,
            min_hours=hours["minimum"],
            count_external=hours["external"] == "counted",
            external_hours_cap=hours["external_cap"],
            pass_mark=top["pass_mark"],
            min_months_worked=exemptions["min_months_worked"],
            joined_after=exemptions["joined_after"],
            reminder_days=sorted(set(days), reverse=True),
            source_path=shown,
            content_hash=digest(text),
            lines=dict(doc.key_lines),
        ),
        [],
    )


def read_standards(
    courses_dir: Path, course_slugs: set[str]
) -> tuple[list[StandardData], list[ContentError]]:
    folder = courses_dir / STANDARDS_DIR
    if not folder.is_dir():
        return [], []
    standards: list[StandardData] = []
    errors: list[ContentError] = []
    for path in sorted(folder.iterdir()):
        if not path.is_file() or path.name.lower() in ("readme.md",) or path.name.startswith("."):
            continue
        shown = f"{courses_dir.name}/{STANDARDS_DIR}/{path.name}"
        standard, problems = read_standard(path, shown, course_slugs)
        errors += problems
        if standard:
            standards.append(standard)
    return standards, errors
