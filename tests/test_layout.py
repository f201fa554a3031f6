"""The layout's menu and offline notice are rendered once per role and language and kept
(app/layout.py): each account still gets the menu of its role, in its language."""

from __future__ import annotations

from app.models import Role, db
from tests import factories


def menu(client) -> str:
    page = client.get("/courses").get_data(as_text=True)
    start = page.index('<nav class="nav"')
    return page[start : page.index("</nav>", start)]


def test_each_account_gets_the_menu_of_its_role_in_its_language(client, login, units):
    official = factories.make_user("official.x", role=Role.OFFICIAL, unit=units["A"])
    hr = factories.make_user("hr.x", role=Role.HR, unit=units["A"])
    english = factories.make_user("official.en", role=Role.OFFICIAL, unit=units["A"])
    english.locale = "en"
    db.session.commit()
    for _round in range(2):  # the second round reads the kept menus
        login(official)
        nav = menu(client)
        assert "Bồi dưỡng của tôi" in nav and "/hr/" not in nav
        client.post("/auth/logout")
        login(hr)
        nav = menu(client)
        assert "/hr/" in nav and "/my/training" not in nav
        client.post("/auth/logout")
        login(english)
        nav = menu(client)
        assert "My training" in nav and 'aria-label="Main menu"' in nav
        assert "/hr/" not in nav
        client.post("/auth/logout")


def test_the_kept_menu_holds_nothing_of_the_account(client, login, units):
    first = factories.make_user("official.one", full_name="Nguyễn Văn Một", unit=units["A"])
    second = factories.make_user("official.two", full_name="Trần Thị Hai", unit=units["A"])
    login(first)
    assert "Nguyễn Văn Một" not in menu(client)
    client.post("/auth/logout")
    login(second)
    page = client.get("/courses").get_data(as_text=True)
    assert "Trần Thị Hai" in page and "Nguyễn Văn Một" not in page


def test_language_links_keep_the_page_s_parameters(client, login, units):
    official = factories.make_user("official.links", role=Role.OFFICIAL, unit=units["A"])
    login(official)
    for _round in range(2):  # the second round reads the kept links
        page = client.get("/courses").get_data(as_text=True)
        assert 'href="?lang=vi" lang="vi" aria-current="true"' in page
        assert 'href="?lang=en" lang="en" >' in page
        page = client.get("/my/training?year=2025&lang=en").get_data(as_text=True)
        assert 'href="?year=2025&amp;lang=vi" lang="vi" >' in page
        assert 'href="?year=2025&amp;lang=en" lang="en" aria-current="true"' in page
        page = client.get("/courses").get_data(as_text=True)  # English is remembered
        assert 'href="?lang=en" lang="en" aria-current="true"' in page
        client.get("/courses?lang=vi")
