"""Vietnamese first: interface strings, dates dd/mm/yyyy, English on request."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from babel.messages.pofile import read_po
from flask_babel import force_locale

from app.i18n import date_filter, datetime_filter, number_filter

PO = (
    Path(__file__).resolve().parent.parent
    / "app"
    / "translations"
    / "vi"
    / "LC_MESSAGES"
    / "messages.po"
)


def test_every_vietnamese_entry_is_translated_and_not_fuzzy():
    with PO.open("rb") as fh:
        catalog = read_po(fh, locale="vi")
    untranslated = [
        m.id
        for m in catalog
        if m.id and not (m.string if isinstance(m.string, str) else all(m.string))
    ]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert untranslated == [] and fuzzy == []


def test_placeholders_survive_translation():
    import re

    with PO.open("rb") as fh:
        catalog = read_po(fh, locale="vi")
    pattern = re.compile(r"%\(\w+\)[sdf]")
    for message in catalog:
        if not message.id:
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        expected = set().union(*(pattern.findall(i) for i in ids))
        for string in strings:
            # no unknown placeholder, and every one of the singular form is kept
            # (a plural's count may be left out where Vietnamese needs no number)
            assert set(pattern.findall(string)) <= expected, message.id
            assert set(pattern.findall(ids[0])) - {"%(num)d"} <= set(pattern.findall(string))


def test_dates_are_day_month_year_in_vietnam_time(app):
    with app.test_request_context(), force_locale("vi"):
        assert date_filter(date(2026, 3, 5)) == "05/03/2026"
        # 31/12/2025 18:00 UTC is already 01/01/2026 in Hà Nội
        assert date_filter(datetime(2025, 12, 31, 18, 0)) == "01/01/2026"
        assert datetime_filter(datetime(2026, 3, 5, 1, 30)) == "05/03/2026 08:30"
        assert date_filter(None) == ""


def test_numbers_use_the_vietnamese_decimal_comma(app):
    with app.test_request_context(), force_locale("vi"):
        assert number_filter(12.5) == "12,5"
        assert number_filter(4) == "4"
        # cut, never rounded up to a threshold; no "-0" for a tiny negative statistic
        assert number_filter(15.996) == "15,99" and number_filter(69.999, 1) == "69,9"
        assert number_filter(-0.004) == "0" and number_filter(-1.25) == "-1,25"


def test_interface_is_vietnamese_by_default_and_english_on_request(client):
    assert "Đăng nhập" in client.get("/auth/login").get_data(as_text=True)
    english = client.get("/auth/login?lang=en").get_data(as_text=True)
    assert "Sign in" in english and 'lang="en"' in english
    # the choice is remembered for the session
    assert "Sign in" in client.get("/auth/login").get_data(as_text=True)
    assert "Đăng nhập" in client.get("/auth/login?lang=vi").get_data(as_text=True)


def test_unknown_language_falls_back_to_vietnamese(client):
    assert "Đăng nhập" in client.get("/auth/login?lang=xx").get_data(as_text=True)


def test_error_pages_are_vietnamese(client, login, official):
    login(official)
    page = client.get("/khong-ton-tai")
    assert page.status_code == 404 and "Không tìm thấy trang" in page.get_data(as_text=True)


def test_every_interface_string_is_in_the_catalogue():
    """Strings wrapped in _() in code and templates (macros included) all reach messages.po."""
    from babel.messages.extract import extract_from_dir

    root = PO.parents[4]
    method_map = [("app/**.py", "python"), ("app/templates/**.html", "jinja2")]
    keywords = {"_": None, "_l": None, "gettext": None, "lazy_gettext": None, "ngettext": (1, 2)}
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        root, method_map, keywords=keywords, directory_filter=lambda path: "/." not in path
    ):
        found.add(message if isinstance(message, str) else message[0])
    with PO.open("rb") as fh:
        catalog = read_po(fh, locale="vi")
    known = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}
    assert found - known == set()
