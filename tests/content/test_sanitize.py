"""Author text becomes HTML once, at load time, and nothing executable survives."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from app.content.loader import read_content
from app.content.markdown import render_markdown, render_text, sanitize
from app.models import db, utcnow
from tests.factories import load_content, write_course

PAYLOADS = [
    "<script>alert('xss')</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">bấm</a>',
    "[bấm vào đây](javascript:alert(1))",
    "[hoa](JaVaScRiPt:alert(1))",
    '<a href="jav&#x09;ascript:alert(1)">tab</a>',
    '<svg onload="alert(1)"><circle r="5"/></svg>',
    '<iframe src="https://example.com"></iframe>',
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">d</a>',
    "<body onload=alert(1)>",
    '<form action="https://evil.example"><input name=x></form>',
    "![ảnh](javascript:alert(1))",
    '<details open ontoggle="alert(1)">x</details>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph>"
    "</table></mtext></math>",
]

DANGEROUS_TAGS = {
    "script",
    "iframe",
    "svg",
    "math",
    "form",
    "input",
    "style",
    "object",
    "embed",
    "body",
}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "background", "poster"}


class _Inspector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in DANGEROUS_TAGS:
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"{tag} {name}=")
            if name == "style":
                self.problems.append(f"{tag} style=")
            if name in URL_ATTRIBUTES and value:
                scheme = "".join(value.split()).lower().split(":", 1)[0]
                if ":" in value and scheme not in ("http", "https", "mailto", "tel"):
                    self.problems.append(f"{tag} {name}={value}")


def assert_inert(html: str) -> None:
    """Parse like a browser would: no dangerous element, handler, style or URL scheme."""
    inspector = _Inspector()
    inspector.feed(html)
    inspector.close()
    assert inspector.problems == [], (inspector.problems, html)


@pytest.mark.unit
@pytest.mark.parametrize("payload", PAYLOADS)
def test_markdown_payloads_are_neutralised(payload):
    body, _toc = render_markdown(f"Đoạn văn.\n\n{payload}\n\nKết thúc.")
    assert_inert(body)
    assert "Kết thúc." in body


@pytest.mark.unit
@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("text_format", ["moodle", "html", "markdown", "plain"])
def test_question_text_formats_are_neutralised(payload, text_format):
    assert_inert(render_text(payload, text_format))


@pytest.mark.unit
def test_safe_markdown_features_survive():
    body, toc = render_markdown(
        "## Mục một\n\n| A | B |\n|---|---|\n| 1 | 2 |\n\n"
        '!!! note "Lưu ý"\n    Ghi chú.\n\nChú thích[^1].\n\n[^1]: Nguồn.\n\n'
        "```\nmã\n```\n\n[Cổng](https://dichvucong.gov.vn) và [thư](mailto:a@b.vn)\n"
    )
    assert '<h2 id="muc-mot">Mục một</h2>' in body
    assert "<table>" in body and "admonition note" in body and 'id="fn:1"' in body
    assert "<pre><code>mã" in body
    assert 'href="https://dichvucong.gov.vn"' in body and 'href="mailto:a@b.vn"' in body
    assert 'href="#muc-mot"' in toc


@pytest.mark.unit
def test_plain_format_escapes_markup():
    assert render_text("a < b & <b>c</b>", "plain") == "a &lt; b &amp; &lt;b&gt;c&lt;/b&gt;"


@pytest.mark.unit
def test_sanitize_keeps_text_of_removed_tags():
    assert sanitize("<marquee>Chào</marquee>") == "Chào"


def test_served_lesson_carries_no_executable_payload(app, client, login, official, content_dirs):
    courses, quizzes = content_dirs
    write_course(courses, "an-toan", lessons={"01-bai.md": "\n\n".join(PAYLOADS)})
    content, errors = read_content(courses, quizzes)
    assert errors == []
    load_content(content, now=utcnow())
    db.session.commit()
    login(official)
    response = client.get("/courses/an-toan/bai")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    article = page[page.index('<div class="prose">') : page.index('<div class="lesson-actions">')]
    assert_inert(article)
    assert "bấm vào đây" in article
