"""Stylesheet and scripts: served from the site itself, cached by browsers while unchanged."""

from __future__ import annotations

import re
import shutil

from flask import url_for


def asset_links(page: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', page)


def test_pages_link_versioned_assets_that_browsers_keep(client):
    links = asset_links(client.get("/auth/login").get_data(as_text=True))
    assert any(link.startswith("/static/css/app.css?v=") for link in links), links
    for link in links:
        assert re.search(r"\?v=[0-9a-f]{12}$", link), link
        response = client.get(link)
        assert response.status_code == 200
        assert response.cache_control.max_age == 365 * 24 * 3600
        response.close()
    plain = client.get("/static/css/app.css")  # an unversioned address is checked again
    assert plain.cache_control.max_age != 365 * 24 * 3600
    plain.close()


def test_a_changed_file_gets_a_new_address(app, tmp_path):
    static = tmp_path / "static"
    shutil.copytree(app.static_folder, static)
    app.static_folder = str(static)
    with app.test_request_context():
        before = url_for("static", filename="css/app.css")
        css = static / "css" / "app.css"
        css.write_text(css.read_text(encoding="utf-8") + "\n/* changed */\n", encoding="utf-8")
        after = url_for("static", filename="css/app.css")
        missing = url_for("static", filename="nowhere.css")
    assert before != after and after.startswith("/static/css/app.css?v=")
    assert missing == "/static/nowhere.css"
