"""Front matter and Markdown: text files to sanitised HTML, once, at load time.

Nothing here is called per request: the loader stores the HTML it returns and
templates show it as is. Every piece of author text that becomes HTML passes
through ``sanitize`` (nh3, the Python binding of the maintained Ammonia
sanitiser): no script, no event-handler attribute, no ``javascript:`` URL survives.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import markdown as md
import nh3
import yaml

from app.content.errors import ContentError

MARKDOWN_EXTENSIONS = ["tables", "fenced_code", "footnotes", "admonition", "toc", "sane_lists"]


def slugify(value: str, separator: str) -> str:
    """Heading anchors without diacritics: "Đơn vị hành chính" -> "don-vi-hanh-chinh"."""
    value = value.replace("đ", "d").replace("Đ", "D")
    value = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")
    value = re.sub(r"[^\w\s-]", "", value).strip().lower()
    return re.sub(rf"[{separator}\s]+", separator, value)


MARKDOWN_CONFIG = {
    "toc": {"toc_depth": "2-3", "permalink": False, "slugify": slugify},
    "footnotes": {"BACKLINK_TITLE": "↩"},
}

ALLOWED_TAGS = set(nh3.ALLOWED_TAGS) - {"area", "map", "center", "strike", "tt", "acronym"}
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "*": {"class", "title", "lang", "dir"},
    "a": {"href", "hreflang", "id"},
    "img": {"src", "alt", "width", "height", "loading"},
    "h1": {"id"},
    "h2": {"id"},
    "h3": {"id"},
    "h4": {"id"},
    "h5": {"id"},
    "h6": {"id"},
    "li": {"id"},
    "sup": {"id"},
    "div": {"id"},
    "ol": {"start"},
    "td": {"colspan", "rowspan", "style"},
    "th": {"colspan", "rowspan", "scope", "style"},
    "abbr": {"title"},
    "time": {"datetime"},
    "blockquote": {"cite"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}


def sanitize(fragment: str) -> str:
    """Keep only safe HTML: known tags and attributes, http(s)/mailto/tel or relative URLs."""
    return nh3.clean(
        fragment,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style", "iframe", "object", "embed", "template"},
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        filter_style_properties={"text-align"},
        link_rel="noopener noreferrer",
    )


def _convert_markdown(text: str) -> tuple[str, str]:
    """Markdown to HTML, NOT yet sanitised: ``(body, toc)``."""
    converter = md.Markdown(
        extensions=MARKDOWN_EXTENSIONS, extension_configs=MARKDOWN_CONFIG, output_format="html"
    )
    body = converter.convert(text)
    toc = getattr(converter, "toc", "") if getattr(converter, "toc_tokens", None) else ""
    return body, toc


def render_markdown(text: str) -> tuple[str, str]:
    """Markdown to sanitised HTML; returns ``(body_html, toc_html)``."""
    body, toc = _convert_markdown(text)
    return sanitize(body), sanitize(toc)


# Elements whose content the sanitiser drops, or reads as raw text up to their end tag: left
# open, each swallows everything after it. A comment left open hides the rest likewise.
SWALLOWING_TAGS = (
    "script", "style", "iframe", "textarea", "title", "xmp", "noscript", "noembed",
    "noframes", "plaintext", "object", "template",
)  # fmt: skip
_SWALLOWING_OPEN = re.compile(
    r"<!--|<(" + "|".join(SWALLOWING_TAGS) + r")(?=[\s/>])[^>]*>?", re.IGNORECASE
)
_TAGS = re.compile(r"<[^>]*>")


def unclosed_swallower(fragment: str) -> str | None:
    """The opening (``<script>``, ``<!--`` …: the tag name as written, without attributes)
    that is never closed in ``fragment`` (HTML before sanitising) and so would make the
    sanitiser drop the text after it; None if none."""
    position = 0
    while (match := _SWALLOWING_OPEN.search(fragment, position)) is not None:
        tag = match.group(1)
        if tag is None:
            end = fragment.find("-->", match.end())
            close_end = end + 3 if end != -1 else -1
        elif tag.lower() == "plaintext":
            close_end = -1
        else:
            close = re.compile(rf"</{tag}\s*>", re.IGNORECASE).search(fragment, match.end())
            close_end = close.end() if close else -1
        if close_end == -1:
            rest = html.unescape(_TAGS.sub("", fragment[match.end() :]))
            return ("<!--" if tag is None else f"<{tag}>") if rest.strip() else None
        position = close_end
    return None


_FENCE_LINE = re.compile(r"^\s*(```|~~~)")


def _source_line(source: str, opening: str, first_line: int) -> int:
    """File line of the last ``opening`` (its tag name, any case) in ``source`` outside fenced
    code: an unclosed opening follows every closed one of its kind."""
    name = re.escape(opening.rstrip(">"))
    pattern = re.compile(name + (r"" if opening == "<!--" else r"(?=[\s/>]|$)"), re.I)
    found = None
    fenced = False
    for index, line in enumerate(source.split("\n")):
        if _FENCE_LINE.match(line):
            fenced = not fenced
            continue
        if not fenced and pattern.search(line):
            found = index
    return first_line + (found if found is not None else 0)


def swallowing_error(opening: str, path: str, line: int, where: str = "") -> ContentError:
    closing = "-->" if opening == "<!--" else "</" + opening[1:]
    return ContentError(
        path,
        line,
        f"{where}'{opening}' is never closed: everything after it would be dropped from the page "
        f"(close it with '{closing}', or write it between backquotes `…` to show it as text)",
    )


def render_markdown_checked(
    text: str, path: str, first_line: int
) -> tuple[str, str, list[ContentError]]:
    """:func:`render_markdown`, plus an error naming the line of an unclosed ``<script>``,
    ``<iframe>``, ``<textarea>``, comment… that would swallow the rest of the text."""
    body, toc = _convert_markdown(text)
    opening = unclosed_swallower(body)
    problems = (
        [swallowing_error(opening, path, _source_line(text, opening, first_line))]
        if opening
        else []
    )
    return sanitize(body), sanitize(toc), problems


def _text_html(text: str, text_format: str) -> str:
    """A question or feedback text in one of GIFT's formats as HTML, NOT yet sanitised."""
    if text_format == "markdown":
        return _convert_markdown(text)[0]
    if text_format == "plain":
        return html.escape(text).replace("\n", "<br>")
    if text_format == "html":
        return text
    # "moodle" auto-format: HTML allowed, line breaks kept.
    return text.replace("\r\n", "\n").replace("\n", "<br>\n")


def render_text(text: str, text_format: str) -> str:
    """Render a question or feedback text in one of GIFT's formats to safe HTML."""
    if not text:
        return ""
    if text_format == "plain":
        return _text_html(text, text_format)
    return sanitize(_text_html(text, text_format))


def text_swallower(text: str, text_format: str) -> str | None:
    """:func:`unclosed_swallower` for a question or feedback text."""
    return unclosed_swallower(_text_html(text, text_format)) if text else None


_FENCE = re.compile(r"^---[ \t]*$")


@dataclass
class Document:
    """A text file split into YAML front matter and a Markdown body."""

    path: str
    meta: dict[str, Any]
    key_lines: dict[str, int] = field(default_factory=dict)  # front matter key -> file line
    body: str = ""
    body_line: int = 1  # file line where the body starts
    start_line: int = 1  # line of the opening '---'

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.start_line)

    def error(self, key: str | None, message: str) -> ContentError:
        return ContentError(self.path, self.line_of(key) if key else self.start_line, message)


class DuplicateKey(Exception):
    def __init__(self, key: str, line: int):
        super().__init__(key)
        self.key, self.line = key, line


def _key_lines(node: yaml.Node | None, offset: int) -> dict[str, int]:
    """File lines of every mapping key and list item, by dotted path (``a.b``, ``courses.0``)."""
    found: dict[str, int] = {}

    def walk(n: yaml.Node, prefix: str) -> None:
        if isinstance(n, yaml.MappingNode):
            for key_node, value in n.value:
                path = f"{prefix}{key_node.value}"
                if path in found:
                    raise DuplicateKey(path, key_node.start_mark.line + offset)
                found[path] = key_node.start_mark.line + offset
                walk(value, path + ".")
        elif isinstance(n, yaml.SequenceNode):
            for index, item in enumerate(n.value):
                path = f"{prefix}{index}"
                found[path] = item.start_mark.line + offset
                walk(item, path + ".")

    if node is not None:
        walk(node, "")
    return found


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader, whose impossible scalars (a date 2026-02-30, ``!!int 0x``,
    ``!!bool maybe``) are YAML errors with a line instead of bare Python exceptions."""


_KINDS = {
    "tag:yaml.org,2002:bool": "true/false value",
    "tag:yaml.org,2002:int": "whole number",
    "tag:yaml.org,2002:float": "number",
    "tag:yaml.org,2002:timestamp": "date",
}


def _checked(construct):
    def construct_scalar(loader: _Loader, node: yaml.Node):
        try:
            return construct(loader, node)
        except (ValueError, TypeError, KeyError, AttributeError, OverflowError):
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"'{node.value}' is not a valid {_KINDS.get(node.tag, 'value')}",
                node.start_mark,
            ) from None

    return construct_scalar


for _tag in ("null", "bool", "int", "float", "binary", "timestamp"):
    _tag = f"tag:yaml.org,2002:{_tag}"
    _Loader.add_constructor(_tag, _checked(yaml.SafeLoader.yaml_constructors[_tag]))


def _refuse_aliases(source: str, path: str, offset: int) -> None:
    """Content never needs YAML's ``&anchor``/``*alias``, and nested aliases make a few lines
    stand for billions of values (each walk over them would never end): refuse them."""
    for event in yaml.parse(source, Loader=_Loader):
        if isinstance(event, yaml.AliasEvent):
            raise ContentError(
                path,
                event.start_mark.line + offset,
                "YAML: aliases (*name) are not supported: write the value out",
            )


def parse_yaml(source: str, path: str, *, first_line: int = 1) -> Document:
    """Parse a YAML mapping; ``first_line`` is the file line of the source's first line."""
    offset = first_line  # PyYAML marks are 0-based
    try:
        _refuse_aliases(source, path, offset)
        node = yaml.compose(source, Loader=_Loader)
        meta = yaml.load(source, Loader=_Loader) if node is not None else {}
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + offset if mark is not None else first_line
        problem = exc.problem or exc.context or "invalid YAML"
        raise ContentError(path, line, f"YAML: {problem}") from None
    except yaml.reader.ReaderError as exc:  # a control character: no mark, a position
        line = source.count("\n", 0, exc.position) + offset
        raise ContentError(
            path, line, f"YAML: the character U+{exc.character:04X} is not allowed"
        ) from None
    if not isinstance(meta, dict):
        raise ContentError(path, first_line, "YAML: expected 'key: value' lines")
    try:
        key_lines = _key_lines(node, offset)
    except DuplicateKey as exc:
        raise ContentError(path, exc.line, f"YAML: '{exc.key}' is given twice") from None
    return Document(
        path=path,
        meta={str(k): v for k, v in meta.items()},
        key_lines=key_lines,
        start_line=max(first_line - 1, 1),
    )


def parse_front_matter(text: str, path: str) -> Document:
    """Split ``---`` YAML front matter from the body. Raises ``ContentError`` with the file line."""
    text = text.removeprefix("\ufeff")
    lines = text.splitlines()
    if not lines or not _FENCE.match(lines[0]):
        raise ContentError(path, 1, "front matter: the file must start with a '---' line")
    end = next((i for i in range(1, len(lines)) if _FENCE.match(lines[i])), None)
    if end is None:
        raise ContentError(path, 1, "front matter: no closing '---' line")
    try:
        doc = parse_yaml("\n".join(lines[1:end]), path, first_line=2)
    except ContentError as exc:
        raise ContentError(
            path, exc.line, exc.message.replace("YAML:", "front matter:", 1)
        ) from None
    doc.start_line = 1
    doc.body = "\n".join(lines[end + 1 :])
    doc.body_line = end + 2
    return doc
