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


# --- Nothing is dropped silently: an unclosed swallowing tag is an error naming its line -------


@pytest.mark.parametrize(
    ("body", "line", "opening"),
    [
        ("Mở đầu.\n\n<script>\nalert(1)\n\n## Phần sau\n\nNội dung quan trọng.", 7, "<script>"),
        ('Xem bản đồ:\n\n<iframe src="https://example.com">\n\nPhần sau.', 7, "<iframe>"),
        ("Ghi chú <textarea> ở đây.\n\nPhần sau vẫn phải hiện.", 5, "<textarea>"),
        ("<div>\n<!-- ghi chú của tác giả\n</div>\n\nPhần sau.", 6, "<!--"),
        ("Đã đóng <script>x</script> rồi.\n\nSau đó <style>\n\nPhần sau.", 7, "<style>"),
    ],
)
def test_an_unclosed_tag_that_would_swallow_the_rest_is_an_error_naming_its_line(
    content_dirs, body, line, opening
):
    courses, quizzes = content_dirs
    write_course(courses, "an-toan", lessons={"01-bai.md": body})
    _, errors = read_content(courses, quizzes)
    closing = "-->" if opening == "<!--" else "</" + opening[1:]
    assert [str(e) for e in errors] == [
        f"courses/an-toan/01-bai.md:{line}: '{opening}' is never closed: everything after it "
        f"would be dropped from the page (close it with '{closing}', or write it between "
        "backquotes `…` to show it as text)"
    ]


def test_tags_shown_as_code_or_closed_are_not_swallowing(content_dirs):
    courses, quizzes = content_dirs
    body = "Thẻ `<script>` và `<!--` nguy hiểm.\n\n```\n<iframe>\n```\n\n<!-- ghi chú -->\n\nHết."
    write_course(courses, "an-toan", lessons={"01-bai.md": body})
    assert read_content(courses, quizzes)[1] == []


def test_an_unclosed_comment_in_a_question_is_an_error_on_its_line(content_dirs):
    courses, quizzes = content_dirs
    (quizzes / "thu.gift").write_text(
        "::A::Câu một {T}\n\n::B::[html]Câu <!-- hai {=a ~b#sai <b>đậm</b>}\n", encoding="utf-8"
    )
    _, errors = read_content(courses, quizzes)
    assert [str(e) for e in errors] == [
        "quizzes/thu.gift:3: question text: '<!--' is never closed: everything after it would "
        "be dropped from the page (close it with '-->', or write it between backquotes `…` to "
        "show it as text)"
    ]
