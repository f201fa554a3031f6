"""Forms speak the user's language, WTForms' own messages included; an impossible date is
named as such."""

from __future__ import annotations

import pytest

from tests.compliance.scenario import build


@pytest.fixture
def on_record(client, login, app, content_dirs):
    """HR on the record of an official, in 2026 (a standard is declared for that year)."""
    people = build(content_dirs).people
    login(people["hr"])
    return f"/hr/officials/{people['an'].id}"


def test_an_empty_required_field_is_explained_in_vietnamese(client, on_record):
    page = client.post(f"{on_record}/extension?year=2026", data={"deadline": "", "reason": ""})
    assert page.status_code == 400
    text = page.get_data(as_text=True)
    assert "Mục này không được để trống." in text and "This field is required" not in text
    # the field in error points to its message; the others carry no empty description
    assert 'aria-describedby="extension-reason-errors"' in text
    assert 'id="extension-reason-errors"' in text
    assert 'aria-describedby="None"' not in text


def test_the_same_messages_in_english(client, on_record):
    page = client.post(
        f"{on_record}/extension?year=2026&lang=en", data={"deadline": "", "reason": ""}
    )
    assert "This field is required." in page.get_data(as_text=True)


@pytest.mark.parametrize("typed", ["2026-02-30", "31/04/2026", "29/02/2026"])
def test_an_impossible_date_is_said_not_to_exist(client, on_record, typed):
    page = client.post(
        f"{on_record}/extension?year=2026", data={"deadline": typed, "reason": "Đi học dài hạn"}
    )
    assert page.status_code == 400
    day, month = (typed[8:10], typed[5:7]) if "-" in typed else (typed[:2], typed[3:5])
    text = page.get_data(as_text=True)
    assert f"Ngày {day}/{month}/2026 không có trên lịch." in text
    english = client.post(
        f"{on_record}/extension?year=2026&lang=en",
        data={"deadline": typed, "reason": "Đi học dài hạn"},
    ).get_data(as_text=True)
    assert f"The date {day}/{month}/2026 does not exist." in english


def test_a_date_that_is_not_one_says_how_to_write_it(client, on_record):
    text = client.post(
        f"{on_record}/extension?year=2026", data={"deadline": "hôm qua", "reason": "Đi học dài hạn"}
    ).get_data(as_text=True)
    assert "Ngày không hợp lệ. Hãy nhập theo dạng ngày/tháng/năm (dd/mm/yyyy)." in text


def test_a_date_typed_day_first_is_understood(client, on_record):
    client.post(
        f"{on_record}/leave?year=2026",
        data={"start_date": "01/03/2026", "end_date": "31/03/2026", "kind": "Nghỉ ốm"},
    )
    page = client.get(f"{on_record}?year=2026").get_data(as_text=True)
    assert "01/03/2026" in page and "31/03/2026" in page


def test_too_short_a_reason_is_counted_in_vietnamese(client, on_record):
    text = client.post(f"{on_record}/exemption?year=2026", data={"reason": "ốm"}).get_data(
        as_text=True
    )
    assert "Phải dài từ 5 đến 1000 ký tự." in text
    assert 'id="exemption-reason"' in text and 'id="reason"' not in text


def test_too_long_a_name_is_counted_in_vietnamese(client):
    page = client.post("/auth/login", data={"username": "a" * 81, "password": "x"})
    assert "Không được dài quá 80 ký tự." in page.get_data(as_text=True)


def test_a_number_that_is_not_one_is_explained_in_vietnamese(client, on_record):
    text = client.post(
        f"{on_record}/external",
        data={"title": "Lớp tập huấn", "hours": "mười", "end_date": "2026-03-01"},
    ).get_data(as_text=True)
    assert "Không phải là số hợp lệ." in text and "Not a valid decimal value" not in text
