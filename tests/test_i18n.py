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
    untranslated = [m.id for m in catalog if m.id and not m.string]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert untranslated == [] and fuzzy == []


def test_placeholders_survive_translation():
    import re

    with PO.open("rb") as fh:
        catalog = read_po(fh, locale="vi")
    pattern = re.compile(r"%\(\w+\)[sdf]")
    for message in catalog:
        if message.id:
            assert sorted(pattern.findall(message.id)) == sorted(pattern.findall(message.string)), (
                message.id
            )


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
