"""An official on a phone: reading, a quiz with a dropped connection, submitting."""

from __future__ import annotations

import re

from tests.factories import PASSWORD


def test_lesson_fits_a_phone_screen_and_marks_completed(phone, live):
    phone.goto(live + "/courses/mot-cua/tiep-nhan")
    assert phone.locator("h1").inner_text() == "Tiep Nhan"
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
    phone.click("text=Đánh dấu đã học xong")
    phone.wait_for_load_state()
    assert "Đã ghi nhận hoàn thành bài học." in phone.content()
    assert phone.console_errors == []


def test_quiz_answers_are_saved_as_you_go_and_survive_a_dropped_connection(phone, live):
    phone.goto(live + "/quiz/mot-cua")
    phone.click("text=Bắt đầu làm bài")
    phone.wait_for_url(re.compile(r".*/quiz/attempts/\d+$"))
    attempt_url = phone.url
    question = phone.locator("fieldset.question", has_text="cấp huyện chấm dứt")
    question.locator("input[value=true]").check()
    phone.wait_for_function("document.getElementById('save-status').textContent === 'Đã lưu'")
    assert re.match(r"\d+:\d\d", phone.locator("#timer").inner_text())

    # The connection drops: the answer is kept on the phone and sent when it comes back.
    phone.context.set_offline(True)
    short = phone.locator("fieldset.question", has_text="Luật số")
    short.locator("input[type=text]").fill("80")
    phone.wait_for_function(
        "document.getElementById('save-status').textContent.startsWith('Chưa lưu')"
    )
    phone.context.set_offline(False)
    phone.evaluate("window.dispatchEvent(new Event('online'))")
    phone.wait_for_function("document.getElementById('save-status').textContent === 'Đã lưu'")

    phone.reload()
    assert phone.url == attempt_url
    assert (
        phone.locator("fieldset.question", has_text="cấp huyện chấm dứt")
        .locator("input[value=true]")
        .is_checked()
    )
    assert (
        phone.locator("fieldset.question", has_text="Luật số")
        .locator("input[type=text]")
        .input_value()
        == "80"
    )

    phone.once("dialog", lambda dialog: dialog.accept())
    phone.click("#submit-attempt")
    phone.wait_for_url(re.compile(r".*/result$"))
    text = phone.locator("main").inner_text()
    assert "Kết quả lượt 1" in text and "%" in text
    script_errors = [e for e in phone.console_errors if "net::ERR_INTERNET_DISCONNECTED" not in e]
    assert script_errors == []


def test_answers_the_server_never_got_are_restored_after_reload(phone, live):
    phone.goto(live + "/quiz/mot-cua")
    phone.click("text=Bắt đầu làm bài")
    phone.wait_for_url(re.compile(r".*/quiz/attempts/\d+$"))
    # The server cannot be reached while the official types (a weak connection).
    phone.route("**/save", lambda route: route.abort())
    phone.locator("fieldset.question", has_text="Năm ban hành").locator("input[type=text]").fill(
        "2025"
    )
    phone.wait_for_function(
        "document.getElementById('save-status').textContent.startsWith('Chưa lưu')"
    )
    phone.unroute("**/save")
    phone.reload()  # the copy kept on the phone is put back and sent
    field = phone.locator("fieldset.question", has_text="Năm ban hành").locator("input[type=text]")
    assert field.input_value() == "2025"
    phone.wait_for_function("document.getElementById('save-status').textContent === 'Đã lưu'")
    # the server has it now: a new tab renders it
    fresh = phone.context.new_page()
    fresh.goto(phone.url)
    html = fresh.locator("fieldset.question", has_text="Năm ban hành").inner_html()
    assert 'value="2025"' in html


def test_an_answer_saved_on_another_device_is_not_overwritten(phone, live, browser):
    phone.goto(live + "/quiz/mot-cua")
    phone.click("text=Bắt đầu làm bài")
    phone.wait_for_url(re.compile(r".*/quiz/attempts/\d+$"))
    attempt_url = phone.url
    question = 'fieldset.question:has-text("cấp huyện chấm dứt")'
    phone.locator(question).locator("input[value=true]").check()
    phone.wait_for_function("document.getElementById('save-status').textContent === 'Đã lưu'")

    laptop_context = browser.new_context(viewport={"width": 1200, "height": 800}, bypass_csp=True)
    laptop = laptop_context.new_page()
    laptop.goto(live + "/auth/login")
    laptop.fill("#username", "cc.an")
    laptop.fill("#password", PASSWORD)
    laptop.click("button[type=submit]")
    laptop.goto(attempt_url)
    laptop.locator(question).locator("input[value=false]").check()
    laptop.wait_for_function("document.getElementById('save-status').textContent === 'Đã lưu'")
    laptop_context.close()

    phone.reload()  # nothing unsent on the phone: the later answer stands
    phone.wait_for_timeout(500)
    assert phone.locator(question).locator("input[value=false]").is_checked()
    fresh = phone.context.new_page()
    fresh.goto(attempt_url)
    assert 'value="false" checked' in fresh.locator(question).inner_html()


def test_signed_out_mid_attempt_the_answer_is_kept_and_comes_back_after_sign_in(phone, live):
    phone.goto(live + "/quiz/mot-cua")
    phone.click("text=Bắt đầu làm bài")
    phone.wait_for_url(re.compile(r".*/quiz/attempts/\d+$"))
    attempt_url = phone.url
    phone.context.clear_cookies()  # the session ended (password changed elsewhere, expiry)
    field = phone.locator("fieldset.question", has_text="Năm ban hành").locator("input[type=text]")
    field.fill("2025")
    # The save is answered by the sign-in page: never "Saved"; the page goes to sign in.
    phone.wait_for_url(re.compile(r".*/auth/login.*"))
    phone.fill("#username", "cc.an")
    phone.fill("#password", PASSWORD)
    phone.click("button[type=submit]")
    phone.wait_for_url(attempt_url)
    field = phone.locator("fieldset.question", has_text="Năm ban hành").locator("input[type=text]")
    assert field.input_value() == "2025"  # put back from the device
    phone.wait_for_function("document.getElementById('save-status').textContent === 'Đã lưu'")
    fresh = phone.context.new_page()
    fresh.goto(attempt_url)
    assert (
        'value="2025"' in fresh.locator("fieldset.question", has_text="Năm ban hành").inner_html()
    )


def test_a_save_the_network_never_answers_does_not_block_the_next_ones(phone, live):
    phone.goto(live + "/quiz/mot-cua")
    phone.click("text=Bắt đầu làm bài")
    phone.wait_for_url(re.compile(r".*/quiz/attempts/\d+$"))
    phone.clock.install()  # the page's timers, to skip the 20 s a hanging request is given
    hanging = []
    phone.route("**/save", lambda route: hanging.append(route))  # never answered
    phone.locator("fieldset.question", has_text="Năm ban hành").locator("input[type=text]").fill(
        "2025"
    )
    phone.clock.run_for(1_000)  # past the typing pause: the save goes out, and hangs
    for _ in range(50):
        if hanging:
            break
        phone.wait_for_timeout(100)
    assert len(hanging) == 1
    assert phone.locator("#save-status").inner_text() == "Đang lưu…"
    phone.unroute("**/save")
    phone.clock.run_for(31_000)  # the request is given up on, then tried again
    phone.wait_for_function("document.getElementById('save-status').textContent === 'Đã lưu'")
