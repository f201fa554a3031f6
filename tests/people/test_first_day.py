"""A province's first day, as from a fresh clone: an admin, the units file and a roster from the
templates, then a new HR account signs in with its temporary password, is made to change it,
and sees exactly its units' officials."""

from __future__ import annotations

import csv
import io

from app.models import db
from app.people import roster

UNITS = """code,name,kind,parent_code
PT,Tỉnh Phú Thọ (thử),province,
XA-AN,Xã An Phú (thử),xã,PT
XA-BINH,Xã Bình Minh (thử),commune,PT
XA-AN-1CUA,Bộ phận một cửa xã An Phú (thử),agency,XA-AN
"""


def test_from_a_fresh_clone_to_an_hr_dashboard(app, runner, client, tmp_path):
    created = runner.invoke(args=["users", "create-admin", "quantri"], input="mat-khau-quan-tri\n")
    assert created.exit_code == 0, created.output
    units_file = tmp_path / "don-vi.csv"
    units_file.write_text(UNITS, encoding="utf-8")
    assert runner.invoke(args=["people", "import-units", str(units_file)]).exit_code == 0

    template = tmp_path / "mau.csv"
    assert runner.invoke(args=["people", "template", str(template)]).exit_code == 0
    lines = template.read_text(encoding="utf-8-sig").splitlines()
    rows = [
        "hr.anphu,Lê Văn Nhân Sự,XA-AN,,,hr,01/01/2020,",
        "an.01,Nguyễn Thị Một,XA-AN,,,,01/03/2021,",
        "an.02,Trần Văn Hai,XA-AN-1CUA,,,,,",
        "binh.01,Phạm Thị Ba,XA-BINH,,,,,",
    ]
    roster_file = tmp_path / "danh-sach.csv"
    roster_file.write_text("\n".join([lines[0], *rows]) + "\n", encoding="utf-8")
    secrets = tmp_path / "mat-khau.csv"
    imported = runner.invoke(
        args=["people", "import", str(roster_file), "--passwords", str(secrets)]
    )
    assert imported.exit_code == 0, imported.output
    sheet = {
        row["tên đăng nhập"]: row["mật khẩu tạm thời"]
        for row in csv.DictReader(io.StringIO(secrets.read_text(encoding="utf-8-sig")))
    }
    assert set(sheet) == {"hr.anphu", "an.01", "an.02", "binh.01"}
    db.session.remove()

    signed_in = client.post(
        "/auth/login", data={"username": "hr.anphu", "password": sheet["hr.anphu"]}
    )
    assert signed_in.headers["Location"].endswith("/auth/password")
    assert client.get("/hr/officials").status_code == 302  # not before a new password
    changed = client.post(
        "/auth/password",
        data={"current": sheet["hr.anphu"], "new": "mat-khau-rieng", "confirm": "mat-khau-rieng"},
    )
    assert changed.status_code == 302
    page = client.get("/hr/officials").get_data(as_text=True)
    assert "Nguyễn Thị Một" in page and "Trần Văn Hai" in page
    assert "Phạm Thị Ba" not in page
    assert roster.MAX_ROWS == 100_000
