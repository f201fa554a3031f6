"""Units from a file, mergers, and each year's report placing officials where they were on its
deadline; leavers in the compliance report."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.compliance import services
from app.models import Role, Standard, Unit, UnitMembership, User, db
from app.people import units as unit_service
from tests.factories import make_user


def unit(code: str) -> Unit:
    db.session.expire_all()
    return db.session.scalar(select(Unit).where(Unit.code == code))


def write(tmp_path, text: str, name: str = "units.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def standard(year: int, **fields) -> Standard:
    values = {
        "year": year,
        "title": f"Chuẩn {year}",
        "issuer": "UBND tỉnh",
        "legal_basis": [],
        "start_date": date(year, 1, 1),
        "deadline": date(year, 12, 15),
        "min_hours": Decimal(8),
        "source_path": f"standards/{year}.yml",
        "content_hash": "x",
        **fields,
    }
    row = Standard(**values)
    db.session.add(row)
    db.session.commit()
    return row


def report(runner, year: int, *extra) -> list[dict]:
    result = runner.invoke(
        args=["report", "compliance", "--year", str(year), "--format", "json", *extra]
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.output)["rows"]


def test_units_import_creates_a_tree_in_any_order_and_updates(runner, units, tmp_path):
    path = write(
        tmp_path,
        "code,name,kind,parent_code\n"
        "X1,Xã Mới Một,xã,H\n"  # its parent comes on the next line
        "H,Huyện Thử,district,P\n"
        "A,Xã An (đổi tên),commune,H\n",  # an existing unit renamed and moved
    )
    dry = runner.invoke(args=["people", "import-units", path, "--dry-run"])
    assert dry.exit_code == 0 and "2 created, 1 updated" in dry.output
    assert unit("H") is None
    result = runner.invoke(args=["people", "import-units", path])
    assert result.exit_code == 0, result.output
    h, x1, a, a1 = unit("H"), unit("X1"), unit("A"), unit("A1")
    assert x1.path == f"{h.path}{x1.id}/" and x1.depth == 2
    assert a.name == "Xã An (đổi tên)" and a.path == f"{h.path}{a.id}/"
    assert a1.path == f"{a.path}{a1.id}/" and a1.depth == 3  # the subtree moved along


def test_units_import_lists_every_bad_row_and_writes_nothing(runner, units, tmp_path):
    path = write(
        tmp_path,
        "code,name,kind,parent_code\n"
        "N1,Đúng,commune,P\n"  # 2: fine
        "N2,,commune,P\n"  # 3: no name
        "N3,Sai Loại,village,P\n"  # 4: unknown kind
        "N4,Cha Lạ,commune,NOPE\n"  # 5: unknown parent
        "P,Tỉnh,province,A1\n"  # 6: P under its own descendant
        "N1,Trùng,commune,P\n",  # 7: twice
    )
    result = runner.invoke(args=["people", "import-units", path])
    assert result.exit_code == 1
    for line in (3, 4, 5, 6, 7):
        assert f"line {line}:" in result.output
    assert "line 2:" not in result.output
    assert "tổ tiên" in result.output or "cấp trên của chính nó" in result.output
    assert unit("N1") is None and unit("P").parent_id is None


@pytest.fixture
def merger(units, clock):
    """Communes A and B, one official each (and an HR of A), merged into a new commune C on
    01/07/2026; a 2025 and a 2026 standard of 8 hours."""
    clock.freeze(datetime(2026, 8, 1, 3, 0))
    c = unit_service  # noqa: F841
    from app.people.services import create_unit

    create_unit("C", "Xã Hợp Nhất", "commune", units["P"])
    an = make_user("an", unit=units["A"], full_name="Nguyễn Văn An")
    binh = make_user("binh", unit=units["B"], full_name="Trần Thị Bình")
    hr = make_user("hr.an", role=Role.HR, unit=units["A"])
    standard(2025)
    standard(2026, unit_codes=["A"])
    db.session.commit()
    return {"an": an.id, "binh": binh.id, "hr": hr.id}


def test_a_merger_moves_officials_and_reports_keep_each_year_s_units(runner, merger):
    result = runner.invoke(args=["people", "merge", "A", "B", "--into", "C", "--on", "2026-07-01"])
    assert result.exit_code == 0, result.output
    a, b, c = unit("A"), unit("B"), unit("C")
    assert (a.successor_id, a.valid_to, a.is_active) == (c.id, date(2026, 6, 30), False)
    assert b.successor_id == c.id
    assert unit("A1").parent_id == c.id  # units under a merged unit move under its successor
    an, hr = db.session.get(User, merger["an"]), db.session.get(User, merger["hr"])
    assert an.unit_id == c.id and hr.unit_id == c.id
    history = db.session.execute(
        select(UnitMembership.unit_id, UnitMembership.start_on, UnitMembership.end_on)
        .where(UnitMembership.user_id == an.id)
        .order_by(UnitMembership.id)
    ).all()
    assert history == [(a.id, None, date(2026, 6, 30)), (c.id, date(2026, 7, 1), None)]

    before = {r["username"]: r["unit_code"] for r in report(runner, 2025)}
    assert before == {"an": "A", "binh": "B"}
    assert {r["username"] for r in report(runner, 2025, "--unit", "A")} == {"an"}
    after = {r["username"]: (r["unit_code"], r["status"]) for r in report(runner, 2026)}
    # the 2026 standard names unit A: since the merger it covers A's successor C, so Bình,
    # who came from B, is covered too
    assert after == {"an": ("C", "not_started"), "binh": ("C", "not_started")}


def test_the_dashboard_units_count_the_old_communes_before_the_merger(merger, hr_province):
    unit_service.merge_units(["A", "B"], "C", date(2026, 7, 1))
    db.session.commit()
    std = db.session.scalar(select(Standard).where(Standard.year == 2025))
    rows = list(
        services.statuses(std, services.scope_criterion(hr_province), today=date(2026, 8, 1))
    )
    assert sorted(r.unit_code for r in rows) == ["A", "B"]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["A", "--into", "A"], "chính nó"),
        (["P", "--into", "A"], "cấp dưới"),
        (["A", "--into", "NOPE"], "NOPE"),
    ],
)
def test_impossible_mergers_are_refused(runner, merger, args, words):
    result = runner.invoke(args=["people", "merge", *args, "--on", "2026-07-01"])
    assert result.exit_code == 1 and words in result.output
    assert unit("A").successor_id is None


def test_a_merger_into_an_ended_unit_is_refused(runner, merger):
    assert (
        runner.invoke(args=["people", "merge", "B", "--into", "C", "--on", "2026-07-01"]).exit_code
        == 0
    )
    result = runner.invoke(args=["people", "merge", "A", "--into", "B", "--on", "2026-08-01"])
    assert result.exit_code == 1 and "B" in result.output and "chấm dứt" in result.output
    again = runner.invoke(args=["people", "merge", "B", "--into", "A", "--on", "2026-08-01"])
    assert again.exit_code == 1


def test_a_leaver_keeps_history_and_is_not_covered_after_leaving(runner, merger, tmp_path):
    """Chi left on 31/05/2026: the 2025 report still lists her (active that year, overdue with
    no training); the 2026 one says the standard does not apply (she was not in service on its
    deadline, 15/12/2026), even though 5 months of work would also exempt her."""
    make_user("chi", unit=unit("A"), full_name="Lê Thị Chi")
    path = write(
        tmp_path, "username,full_name,unit_code,left_on\nchi,Lê Thị Chi,A,31/05/2026\n", "r.csv"
    )
    assert runner.invoke(args=["people", "import", path]).exit_code == 0
    chi = db.session.scalar(select(User).where(User.username == "chi"))
    assert not chi.is_active and chi.left_on == date(2026, 5, 31)
    std2025 = db.session.scalar(select(Standard).where(Standard.year == 2025))
    std2026 = db.session.scalar(select(Standard).where(Standard.year == 2026))
    std2026.min_months_worked = 6
    db.session.commit()
    last_year = {r["username"]: r["status"] for r in report(runner, 2025)}
    assert last_year["chi"] == "overdue"
    this_year = {r["username"]: r for r in report(runner, 2026)}
    assert this_year["chi"]["status"] == "not_applicable"
    assert "31/05/2026" in this_year["chi"]["reason"]
    assert std2025  # the row exists for both years


def test_the_report_s_statements_do_not_grow_with_moved_officials(merger, count_queries):
    """The unit on the deadline comes from one join, whatever the number of officials."""
    std = db.session.scalar(select(Standard).where(Standard.year == 2025))

    def statements() -> int:
        db.session.refresh(std)  # loaded before counting, after each commit
        with count_queries() as counter:
            list(services.statuses(std, services.scope_criterion(None), today=date(2026, 8, 1)))
        return counter.count

    few = statements()
    for i in range(30):
        make_user(f"them.{i}", unit=unit("A"), commit=False)
    db.session.commit()
    unit_service.merge_units(["A", "B"], "C", date(2026, 7, 1))
    db.session.commit()
    assert statements() == few


def test_hr_pages_for_the_year_before_a_merger_work_for_every_hr(client, login, merger, units):
    """HR of the successor (moved there by the merger) and HR of the province open the
    dashboard, the list and the exports of 2025, when the officials were in A and B."""
    unit_service.merge_units(["A", "B"], "C", date(2026, 7, 1))
    db.session.commit()
    province_hr = make_user("hr.tinh", role=Role.HR, unit=unit("P"))
    for hr in (db.session.get(User, merger["hr"]), province_hr):
        login(hr)
        for url in (
            "/hr/?year=2025",
            "/hr/officials?year=2025",
            "/hr/export.csv?year=2025&level=units",
            "/hr/export.csv?year=2025",
            "/hr/?year=2026",
        ):
            assert client.get(url).status_code == 200, (hr.username, url)
        client.post("/auth/logout")
    login(province_hr)
    page = client.get("/hr/officials?year=2025").get_data(as_text=True)
    assert "Xã An (thử)" in page and "Xã Bình (thử)" in page
