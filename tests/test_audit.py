"""The audit trail: every state change HR or an admin makes through the site or the command
line leaves an entry with who, when, from which address, what, and the values before and
after. The test enumerates the URL map and the command groups, so a new route or command that
writes fails here until it is audited or listed below with its reason.

Not audited, on purpose: what users do for themselves (signing in and out, changing their own
password) and what officials do in their own training (marking lessons, starting, saving and
submitting quiz attempts, issuing their own certificate) — these are the official's own
actions, not HR's, and are kept in their own tables (attempts, completions, certificates).
"""

from __future__ import annotations

import csv
import io
from datetime import datetime

import click
import pytest
from sqlalchemy import func, select

from app import create_app
from app.models import AuditEntry, LoginFailure, Role, User, db
from tests.compliance.scenario import build
from tests.factories import PASSWORD, make_user, write_course

NOW = datetime(2026, 12, 20, 2, 0)
CLIENT_ADDRESS = "127.0.0.1"

# Non-GET endpoints that are the user's own actions, not HR's or an admin's.
OWN_ACTIONS = {
    "auth.login": "the user signs in (failures are counted in login_failure for throttling)",
    "auth.logout": "the user signs out",
    "auth.logout_everywhere": "the user signs themselves out on every device",
    "auth.change_password": "the user changes their own password",
    "learn.complete": "an official marks their own lesson",
    "quiz.start": "an official starts their own attempt",
    "quiz.save": "an official saves their own answers",
    "quiz.submit": "an official submits their own attempt",
}

# Writes audited with the API client (or the revoking user) as who: checked in
# test_api_writes_and_client_revocations_are_audited below, not by the route table.
AUDITED_ELSEWHERE = {
    "api.add_external_training": "an API client records training: audited with the client",
    "api.roster_upsert": "an API client upserts a roster: audited with the client (also in "
    "tests/api/test_roster_api.py)",
    "api_clients.revoke": "revoking a client: audited with who revoked it",
}

# Commands that change nothing HR or an admin decided.
UNAUDITED_COMMANDS = {
    "content check": "reads the files only",
    "content sources": "reads the files only",
    "quiz inspect": "reads a file only",
    "report compliance": "reads only",
    "people list": "reads only",
    "openapi print": "prints the API's OpenAPI document",
    "openapi write": "writes the API's OpenAPI document to a file",
    "openapi list-config-prefixes": "prints flask-smorest's settings",
    "people template": "writes a template file, nothing in the database",
    "users purge-sessions": "forgets expired sessions and sign-in failures (housekeeping)",
    "compliance rebuild": "recomputes the kept statuses from the records; changes no record",
    "quiz close-overdue": "closes officials' attempts whose time is up, by the quiz's own rules",
    "notify reminders": "the reminders it writes are themselves the record (Administration › "
    "Messages, with their status)",
}
UNAUDITED_GROUPS = {"db": "schema migrations (Flask-Migrate), no data"}


@pytest.fixture
def world(app, content_dirs, clock):
    built = build(content_dirs)
    clock.freeze(NOW)
    people = built.people
    people["admin"] = make_user("admin", role=Role.ADMIN)
    people["hr2"] = make_user("hr.x", role=Role.HR, unit=people["an"].unit)
    db.session.commit()
    return people


def _as(client, user):
    client.post(
        "/auth/login", data={"username": user.username, "password": "correct horse battery"}
    )


def last_id() -> int:
    return db.session.scalar(select(func.coalesce(func.max(AuditEntry.id), 0)))


def entries_after(start: int) -> list[AuditEntry]:
    return list(
        db.session.scalars(select(AuditEntry).where(AuditEntry.id > start).order_by(AuditEntry.id))
    )


def _csv(rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _unlock(client, p):
    db.session.add(LoginFailure(username=p["an"].username, address="10.1.1.1"))
    db.session.commit()
    return client.post(f"/people/{p['an'].id}/unlock")


def _upload(client, url: str, text: str, **fields):
    data = {"file": (io.BytesIO(text.encode("utf-8")), "danh-sach.csv"), **fields}
    return client.post(url, data=data, content_type="multipart/form-data")


# endpoint -> (who acts, what they send)
ROUTE_CASES = {
    "api_clients.index": (
        "admin",
        lambda c, p: c.post("/api-clients/", data={"name": "He thong", "units": "X"}),
    ),
    "roster.import_roster": (
        "admin",
        lambda c, p: _upload(
            c, "/people/import", "username,full_name,unit_code\nmoi.01,Nguyễn Văn Mới,X\n"
        ),
    ),
    "roster.unit_tree": (
        "admin",
        lambda c, p: _upload(
            c, "/people/units", "code,name,kind,parent_code\nX2,Xã Mới (thử),commune,P\n"
        ),
    ),
    "roster.merge": (
        "admin",
        lambda c, p: c.post("/people/merge", data={"codes": "Y", "into": "X", "on": "2026-07-01"}),
    ),
    "admin.end_sessions": ("admin", lambda c, p: c.post(f"/admin/users/{p['an'].id}/logout")),
    "compliance.add_external": (
        "hr",
        lambda c, p: c.post(
            f"/hr/officials/{p['an'].id}/external",
            data={"title": "Lớp tập huấn", "hours": "4", "end_date": "2026-10-02"},
        ),
    ),
    "compliance.extend": (
        "hr",
        lambda c, p: c.post(
            f"/hr/officials/{p['an'].id}/extension?year=2026",
            data={"deadline": "2026-12-28", "reason": "Đi học dài hạn"},
        ),
    ),
    "compliance.exempt": (
        "hr",
        lambda c, p: c.post(
            f"/hr/officials/{p['an'].id}/exemption?year=2026",
            data={"reason": "Biệt phái dài hạn"},
        ),
    ),
    "compliance.leave": (
        "hr",
        lambda c, p: c.post(
            f"/hr/officials/{p['an'].id}/leave?year=2026",
            data={"start_date": "2026-01-01", "end_date": "2026-02-01", "kind": "Nghỉ ốm"},
        ),
    ),
    "compliance.import_records": (
        "hr",
        lambda c, p: c.post(
            "/hr/import",
            data={
                "file": (
                    io.BytesIO(
                        _csv(
                            [
                                ["username", "course", "title", "hours", "completed_on"],
                                ["lan", "", "Tập huấn ngoài", "4", "10/02/2026"],
                                ["lan", "khoa-d", "", "", "11/02/2026"],
                            ]
                        )
                    ),
                    "ho-so.csv",
                ),
            },
            content_type="multipart/form-data",
        ),
    ),
    "quiz.override": (
        "hr",
        lambda c, p: c.post(
            f"/quiz/khoa-a/overrides/{p['an'].id}",
            data={"extra_minutes": "15", "extra_attempts": "1", "reason": "Mất kết nối mạng"},
        ),
    ),
    "certificates.course_certificate": (
        "hr",
        lambda c, p: c.post(f"/certificates/course/khoa-a/2026?user={p['an'].id}"),
    ),
    "certificates.standard_certificate": (
        "hr",
        lambda c, p: c.post(f"/certificates/standard/2026?user={p['binh'].id}"),
    ),
    "people.create": (
        "hr",
        lambda c, p: c.post(
            "/people/new",
            data={"username": "moi", "full_name": "Lê Mới", "role": "official", "unit": "X"},
        ),
    ),
    "people.edit": (
        "admin",
        lambda c, p: c.post(
            f"/people/{p['an'].id}",
            data={"full_name": "An Mới", "role": "hr", "unit": "Y", "position": "CM-VP"},
        ),
    ),
    "people.set_active": (
        "hr",
        lambda c, p: c.post(f"/people/{p['an'].id}/active", data={"active": "0"}),
    ),
    "people.reset_password": ("hr", lambda c, p: c.post(f"/people/{p['an'].id}/password")),
    "people.unlock": ("hr", _unlock),
    "people.scope": (
        "hr",
        lambda c, p: c.post(f"/people/{p['hr2'].id}/scope", data={"units": ["Y", "Z"]}),
    ),
}


def writing_endpoints(app) -> set[str]:
    return {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.methods - {"GET", "HEAD", "OPTIONS"}
    }


def test_every_writing_route_is_audited_or_is_the_users_own_action():
    app = create_app("testing")
    endpoints = writing_endpoints(app)
    assert not set(ROUTE_CASES) & set(OWN_ACTIONS)
    covered = set(ROUTE_CASES) | set(OWN_ACTIONS) | set(AUDITED_ELSEWHERE)
    assert endpoints - covered == set(), "audit it or justify it"
    assert covered <= endpoints  # no stale entries


@pytest.mark.parametrize("endpoint", sorted(ROUTE_CASES))
def test_a_writing_route_leaves_an_audit_entry(client, world, endpoint):
    who, send = ROUTE_CASES[endpoint]
    actor = world[who]
    _as(client, actor)
    start = last_id()
    response = send(client, world)
    assert response.status_code < 400, response.get_data(as_text=True)[:2000]
    entries = entries_after(start)
    assert entries, f"{endpoint} left no audit entry"
    for entry in entries:
        assert (entry.actor_id, entry.actor_name) == (actor.id, actor.username)
        assert entry.address == CLIENT_ADDRESS
        assert entry.created_at == NOW
        assert entry.action and entry.object_type
        assert entry.after is not None or entry.before is not None


def test_a_refused_change_leaves_no_entry(client, world):
    _as(client, world["hr"])
    start = last_id()
    response = client.post(
        f"/hr/officials/{world['an'].id}/extension?year=2026",
        data={"deadline": "2027-01-15", "reason": "Không hợp lệ"},
    )
    assert response.status_code == 400
    assert entries_after(start) == []


def test_a_dry_run_import_leaves_no_entry(client, world):
    _as(client, world["hr"])
    start = last_id()
    client.post(
        "/hr/import",
        data={
            "dry_run": "y",
            "file": (
                io.BytesIO(
                    _csv(
                        [
                            ["username", "title", "hours", "completed_on"],
                            ["lan", "T", "4", "10/02/2026"],
                        ]
                    )
                ),
                "a.csv",
            ),
        },
        content_type="multipart/form-data",
    )
    assert entries_after(start) == []


def test_values_before_and_after_are_kept(client, world):
    _as(client, world["admin"])
    an = world["an"]
    old_unit = an.unit_id
    ROUTE_CASES["people.edit"][1](client, world)
    entries = {e.action: e for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))}
    assert entries["account.edit"].before == {"full_name": "An", "position_id": an.position_id} or (
        entries["account.edit"].before["full_name"] == "An"
    )
    assert entries["account.edit"].after["full_name"] == "An Mới"
    assert entries["account.move"].before == {"unit_id": old_unit}
    assert entries["account.role"].before["role"] == "official"
    assert entries["account.role"].after == {"role": "hr"}


def commands(app) -> dict[str, click.Command]:
    found = {}

    def walk(command, path):
        if isinstance(command, click.Group):
            for name, sub in command.commands.items():
                walk(sub, [*path, name])
        else:
            found[" ".join(path)] = command

    walk(app.cli, [])
    return found


COMMAND_CASES = {
    "content load": lambda runner, dirs: (
        write_course(dirs[0], "khoa-moi"),
        runner.invoke(args=["content", "load"]),
    )[1],
    "users create-admin": lambda runner, dirs: runner.invoke(
        args=["users", "create-admin", "quantri"], input="mat-khau-dai-du\n"
    ),
    "org sync-positions": lambda runner, dirs: runner.invoke(args=["org", "sync-positions"]),
    "demo seed": lambda runner, dirs: runner.invoke(args=["demo", "seed"]),
    "api create-client": lambda runner, dirs: (
        runner.invoke(
            args=[
                "people",
                "import-units",
                _write(dirs, "dv.csv", "code,name,kind,parent_code\nU,Xã U,commune,\n"),
            ]
        ),
        runner.invoke(args=["api", "create-client", "he-thong", "--units", "U"]),
    )[1],
    "api revoke-client": lambda runner, dirs: (
        runner.invoke(
            args=[
                "people",
                "import-units",
                _write(dirs, "dv.csv", "code,name,kind,parent_code\nU,Xã U,commune,\n"),
            ]
        ),
        runner.invoke(args=["api", "create-client", "he-thong", "--units", "U"]),
        runner.invoke(args=["api", "revoke-client", "he-thong"]),
    )[2],
    "people import": lambda runner, dirs: (
        runner.invoke(
            args=[
                "people",
                "import-units",
                _write(dirs, "dv.csv", "code,name,kind,parent_code\nU,Xã U,commune,\n"),
            ]
        ),
        runner.invoke(
            args=[
                "people",
                "import",
                _write(dirs, "ds.csv", "username,full_name,unit_code\nm.1,Mới,U\n"),
            ]
        ),
    )[1],
    "people import-units": lambda runner, dirs: runner.invoke(
        args=[
            "people",
            "import-units",
            _write(dirs, "dv.csv", "code,name,kind,parent_code\nU,Xã U,commune,\n"),
        ]
    ),
    "people merge": lambda runner, dirs: (
        runner.invoke(
            args=[
                "people",
                "import-units",
                _write(
                    dirs, "dv.csv", "code,name,kind,parent_code\nU,Xã U,commune,\nV,Xã V,commune,\n"
                ),
            ]
        ),
        runner.invoke(args=["people", "merge", "U", "--into", "V", "--on", "2026-07-01"]),
    )[1],
}


def _write(dirs, name: str, text: str) -> str:
    path = dirs[0].parent / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_every_writing_command_is_audited_or_justified():
    app = create_app("testing")
    names = set(commands(app))
    groups = {name for name in names if name.split()[0] in UNAUDITED_GROUPS}
    listed = set(COMMAND_CASES) | set(UNAUDITED_COMMANDS)
    assert not set(COMMAND_CASES) & set(UNAUDITED_COMMANDS)
    assert names - groups - listed == set(), "audit it or justify it"
    assert listed <= names


@pytest.mark.parametrize("name", sorted(COMMAND_CASES))
def test_a_writing_command_leaves_an_audit_entry(app, runner, content_dirs, name):
    result = COMMAND_CASES[name](runner, content_dirs)
    assert result.exit_code == 0, result.output
    entries = db.session.scalars(select(AuditEntry)).all()
    assert entries, f"{name} left no audit entry"
    assert all(e.address == "cli" and e.actor_name == "cli" for e in entries)


# --- Reading the trail -------------------------------------------------------------------------


def test_hr_see_entries_about_their_units_only(client, world):
    _as(client, world["admin"])
    client.post(f"/people/{world['khanh'].id}/password")  # unit S
    client.post(f"/people/{world['an'].id}/password")  # unit X
    client.post("/auth/logout")
    _as(client, world["hr2"])  # HR of X
    page = client.get("/people/audit").get_data(as_text=True)
    assert f"#{world['an'].id}<" in page and f"#{world['khanh'].id}<" not in page
    assert client.get("/people/audit.csv").status_code == 403


def test_admins_export_the_trail_as_csv_with_filters(client, world):
    _as(client, world["admin"])
    client.post(f"/people/{world['an'].id}/password")
    client.post(f"/people/{world['an'].id}/active", data={"active": "0"})
    response = client.get("/people/audit.csv?action=account.deactivate")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:5] == ["id", "created_at_utc", "actor", "address", "action"]
    assert [r[4] for r in rows[1:]] == ["account.deactivate"]
    assert rows[1][2:4] == ["admin", CLIENT_ADDRESS]


def test_no_route_edits_or_deletes_an_entry(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("people.audit"):
            assert rule.methods <= {"GET", "HEAD", "OPTIONS"}, rule


def test_an_entry_cannot_be_changed_or_deleted(world):
    from app import audit

    entry = audit.record(world["admin"], "account.edit", world["an"], after={}, address="x")
    db.session.commit()
    entry.action = "other"
    with pytest.raises(RuntimeError):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(AuditEntry, entry.id))
    with pytest.raises(RuntimeError):
        db.session.flush()
    db.session.rollback()
    assert db.session.get(User, world["an"].id) is not None


@pytest.mark.parametrize("n", [3, 300])
def test_record_many_is_one_statement_whatever_the_number(app, units, count_queries, n):
    from app import audit

    admin = make_user("admin", role=Role.ADMIN)
    assert admin.username  # loaded before counting
    changes = [
        audit.Change("account.create", "user", i, units["A"].id, after={"n": i}) for i in range(n)
    ]
    with count_queries() as counter:
        assert audit.record_many(admin, changes, address="10.0.0.1", now=NOW) == n
    assert counter.count == 1
    rows = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [r.after for r in rows] == [{"n": i} for i in range(n)]
    assert {(r.actor_name, r.address, r.unit_id) for r in rows} == {
        ("admin", "10.0.0.1", units["A"].id)
    }


def test_the_csv_export_neutralises_formulas(client, world):
    _as(client, world["admin"])
    client.post(
        f"/people/{world['an'].id}",
        data={"full_name": '=HYPERLINK("http://x")', "role": "official", "unit": "X"},
    )
    text = client.get("/people/audit.csv?action=account.edit").get_data(as_text=True)
    after = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))[1][9]
    assert after.startswith('{"full_name": "=HYPERLINK')  # JSON: never starts with "="
    client.post("/auth/logout")
    db.session.add(AuditEntry(actor_name="=cmd", address="@x", action="a", object_type="t"))
    db.session.commit()
    _as(client, world["admin"])
    rows = list(
        csv.reader(
            io.StringIO(
                client.get("/people/audit.csv?action=a").get_data(as_text=True).lstrip("\ufeff")
            )
        )
    )
    assert rows[1][2:4] == ["'=cmd", "'@x"]


def test_api_writes_and_client_revocations_are_audited(app, client, world):
    from app.api import clients

    admin = world["admin"]
    unit = world["an"].unit
    api_client, token = clients.create_client(
        "He thong", [unit], can_write=True, days=None, created_by=admin, now=NOW
    )
    db.session.commit()
    start = db.session.scalar(select(func.max(AuditEntry.id))) or 0
    response = client.post(
        f"/api/v1/officials/{world['an'].username}/external-training",
        json={"title": "Lớp tập huấn", "hours": 4, "end_date": "2026-10-02"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code < 400, response.get_data(as_text=True)[:500]
    written = entries_after(start)
    assert any(e.object_type == "api_client" and e.object_id == api_client.id for e in written)
    # every entry names the client as who, from the caller's address
    assert {(e.actor_id, e.actor_name, e.address) for e in written} == {
        (None, "api:He thong", CLIENT_ADDRESS)
    }
    start = max(e.id for e in written)
    response = client.post(
        "/api/v1/roster",
        json={
            "officials": [
                {"username": "moi.01", "full_name": "Nguyễn Văn Mới", "unit_code": unit.code}
            ]
        },
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    written = entries_after(start)
    assert {e.action for e in written} == {"roster.import", "api.roster_upsert"}
    assert {(e.actor_name, e.address) for e in written} == {("api:He thong", CLIENT_ADDRESS)}
    start = max(e.id for e in written)
    client.post("/auth/login", data={"username": admin.username, "password": PASSWORD})
    client.post(f"/api-clients/{api_client.id}/revoke")
    (entry,) = entries_after(start)
    assert (entry.action, entry.actor_id) == ("api_client.revoke", admin.id)
