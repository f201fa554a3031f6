"""Parse a page like a browser would and list whatever could run script or restyle it.

Two levels:

* ``page_problems``: the whole page. The application's own markup is known (scripts from
  ``/static``, the stylesheet ``<link>`` and ``<meta>`` in ``<head>``, forms posting to the
  site, the dashboard's ``<svg class="chart">``); anything else executable is a problem.
* ``fragment_problems``: author HTML shown as is (the sanitised Markdown and GIFT texts, in
  ``.prose``, ``.qtext``, ``.feedback``, ``.response``, the answer labels…): no form control,
  no embedded document, no SVG/MathML, no style sheet and no style attribute at all (except
  the ``text-align`` that Markdown tables put on cells).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Never produced by the application, never allowed from text.
FORBIDDEN_TAGS = {
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "math",
    "style",
    "base",
    "isindex",
    "xml",
    "bgsound",
    "layer",
    "ilayer",
    "noembed",
    "noscript",
    "plaintext",
    "xmp",
    "template",
    "portal",
    "set",
    "animate",
    "foreignobject",
    "use",
}
# Produced by the application's templates only (checked separately); never inside author HTML.
APP_ONLY_TAGS = {
    "script",
    "link",
    "meta",
    "form",
    "input",
    "button",
    "select",
    "option",
    "textarea",
    "svg",
    "html",
    "head",
    "body",
    "title",
    "dialog",
    "video",
    "audio",
    "source",
    "marquee",
    "keygen",
}
URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "xlink:href",
    "background",
    "poster",
    "data",
    "codebase",
    "cite",
    "lowsrc",
    "dynsrc",
    "longdesc",
    "usemap",
    "ping",
    "manifest",
    "icon",
    "profile",
    "archive",
    "classid",
    "to",
    "values",
    "from",
    "by",
}
SAFE_SCHEMES = {"http", "https", "mailto", "tel"}
_TAB_OR_NEWLINE = re.compile(r"[\t\n\r]")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")
_TEXT_ALIGN = re.compile(r"^\s*text-align\s*:\s*(left|right|center|justify|start|end)\s*;?\s*$")


def bad_url(value: str) -> bool:
    """As the URL standard reads a scheme: C0 controls and spaces around the URL and tabs or
    newlines anywhere in it are dropped first; then only the safe schemes are allowed."""
    squeezed = _TAB_OR_NEWLINE.sub("", value.strip("".join(map(chr, range(0x21)))))
    match = _SCHEME.match(squeezed)
    return bool(match) and match.group(1).lower() not in SAFE_SCHEMES


def _attribute_problems(tag: str, attrs: list[tuple[str, str | None]], *, fragment: bool):
    for name, value in attrs:
        value = value or ""
        if name.startswith("on"):
            yield f"<{tag} {name}=…> event handler"
        elif name in URL_ATTRIBUTES and bad_url(value):
            yield f"<{tag} {name}={value!r}> unsafe URL"
        elif name == "srcset" and any(bad_url(part.strip()) for part in value.split(",")):
            yield f"<{tag} srcset={value!r}> unsafe URL"
        elif name == "style":
            if not (tag in ("td", "th") and _TEXT_ALIGN.match(value)):
                yield f"<{tag} style={value!r}>"
        elif name in ("http-equiv", "srcdoc", "xmlns:xlink", "is"):
            yield f"<{tag} {name}=…>"


class _Checker(HTMLParser):
    def __init__(self, *, fragment: bool):
        super().__init__(convert_charrefs=True)
        self.fragment = fragment
        self.problems: list[str] = []
        self.in_head = False
        self.script_open = False

    def handle_starttag(self, tag, attrs):
        self.problems += _attribute_problems(tag, attrs, fragment=self.fragment)
        values = dict(attrs)
        if tag in FORBIDDEN_TAGS:
            self.problems.append(f"<{tag}>")
        elif tag in APP_ONLY_TAGS:
            if self.fragment:
                self.problems.append(f"<{tag}> in author HTML")
            else:
                self.problems += self._app_tag_problems(tag, values)
        if tag == "head":
            self.in_head = True
        if tag == "script":
            self.script_open = True

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag == "script":
            self.script_open = False

    def handle_endtag(self, tag):
        if tag == "head":
            self.in_head = False
        if tag == "script":
            self.script_open = False

    def handle_data(self, data):
        if self.script_open and data.strip():
            self.problems.append(f"inline script {data[:60]!r}")

    def handle_comment(self, data):
        if self.fragment or re.search(r"<\s*script|\[if", data, re.I):
            self.problems.append(f"comment {data[:60]!r}")

    def unknown_decl(self, data):
        self.problems.append(f"declaration {data[:60]!r}")

    def handle_pi(self, data):
        self.problems.append(f"processing instruction {data[:60]!r}")

    def _app_tag_problems(self, tag: str, values: dict[str, str | None]) -> list[str]:
        if tag == "script":
            src = values.get("src") or ""
            if not src.startswith("/static/") or set(values) - {"src", "defer"}:
                return [f"<script {values}>"]
        elif tag in ("link", "meta"):
            if not self.in_head or set(values) - {
                "rel",
                "href",
                "type",
                "charset",
                "name",
                "content",
            }:
                return [f"<{tag} {values}> outside the head or unknown"]
            href = values.get("href") or ""
            if tag == "link" and not (
                href.startswith("/static/") or href == "/manifest.webmanifest"
            ):
                return [f"<link href={href!r}>"]
        elif tag == "svg":
            if values.get("class") != "chart" or values.get("role") != "img":
                return [f"<svg {values}>"]
        elif tag == "form":
            action = values.get("action")
            if action is not None and not (action.startswith("/") and not action.startswith("//")):
                return [f"<form action={action!r}>"]
        elif tag in ("html", "head", "body", "title"):
            if set(values) - {"lang"} and not (
                tag == "body" and set(values) == {"data-user"} and values["data-user"].isdigit()
            ):
                return [f"<{tag} {values}>"]
        elif tag in ("dialog", "video", "audio", "source", "marquee", "keygen"):
            return [f"<{tag}>"]
        return []


def _check(html: str, *, fragment: bool) -> list[str]:
    checker = _Checker(fragment=fragment)
    checker.feed(html)
    checker.close()
    return checker.problems


def page_problems(html: str) -> list[str]:
    return _check(html, fragment=False)


def fragment_problems(html: str) -> list[str]:
    return _check(html, fragment=True)


# Containers in which the templates show author HTML as is (``|safe`` or Markup).
AUTHOR_HTML_CLASSES = {"prose", "qtext", "feedback", "response", "toc", "author-html"}


class _Regions(HTMLParser):
    """Collects the raw source of every element whose class marks author HTML."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "wbr"}

    def __init__(self, extra_selectors: set[tuple[str, str]]):
        super().__init__(convert_charrefs=True)
        self.extra = extra_selectors
        self.depth = 0
        self.start: int | None = None
        self.regions: list[str] = []
        self.lines: list[int] = []

    def feed_source(self, source: str) -> list[str]:
        self.source = source
        self.offsets = [0]
        for line in source.splitlines(keepends=True):
            self.offsets.append(self.offsets[-1] + len(line))
        self.feed(source)
        self.close()
        return self.regions

    def _pos(self) -> int:
        line, col = self.getpos()
        return self.offsets[line - 1] + col

    def _marks(self, tag, attrs) -> bool:
        classes = set((dict(attrs).get("class") or "").split())
        return bool(classes & AUTHOR_HTML_CLASSES) or any(
            tag == t and c in classes for t, c in self.extra
        )

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        if self.start is not None:
            self.depth += 1
        elif self._marks(tag, attrs):
            self.start = self._pos() + len(self.get_starttag_text() or "")
            self.depth = 1

    def handle_endtag(self, tag):
        if tag in self.VOID or self.start is None:
            return
        self.depth -= 1
        if self.depth == 0:
            self.regions.append(self.source[self.start : self._pos()])
            self.start = None


def author_regions(html: str, extra: set[tuple[str, str]] | None = None) -> list[str]:
    """The inner HTML of every author-HTML container of a page."""
    return _Regions(extra or set()).feed_source(html)


def assert_inert_page(html: str, *, where: str = "") -> None:
    """The whole page carries nothing executable, and no author region carries active markup."""
    problems = page_problems(html)
    for region in author_regions(html):
        problems += fragment_problems(region)
    assert problems == [], (where, problems[:20])
