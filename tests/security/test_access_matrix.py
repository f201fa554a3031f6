"""Every route as every role, on real objects: who gets the page, who is refused, and how.

The matrix lists each (endpoint, method) of the app's URL map; a route that is not listed fails
``test_every_route_has_a_row``, so a new page cannot ship without deciding who may open it.

Roles: anonymous; the owner (an official of commune A who has attempts, results,
certificates, a scanned record); another official of commune A; an official of commune B; HR of
commune A; HR of commune B; HR of the province (above A and B); an admin. Refusals are 403
for the wrong role, 404 for an object outside one's scope (no hint that it exists), and a
redirect to the sign-in page for anonymous visitors. POSTs send no CSRF token (the testing
config turns CSRF off; tests/auth checks it separately) and, where a form is needed, send it
empty: a 400 then proves that the view let the user in and only refused the form.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.api import clients as api_clients
from app.certificates import services as certificates
from app.compliance import services as compliance
from app.content.loader import read_content
from app.models import Course, Lesson, Quiz, Role, db, local_date, local_year, utcnow
from app.people.services import sync_positions
from app.progress.services import complete_lesson
from app.quiz import services as quiz_services
from tests.conftest import FreshRequestClient, fresh_app
from tests.factories import PASSWORD, load_content, make_unit_tree, make_user, write_course

ROLES = (
    "anonymous",
    "owner",
    "peer",  # another official of the owner's commune
    "outsider",  # an official of another commune
    "hr_unit",
    "hr_other",
    "hr_province",
    "admin",
)
LOGIN = "login"  # a redirect to the sign-in page
OFFICIALS = ("owner", "peer", "outsider")
OWNER_NAME = "Nguyễn Văn Chủ"


def signed_in(ok: int | str) -> dict:
    """Anyone signed in."""
    return {"anonymous": LOGIN, **{role: ok for role in ROLES[1:]}}


def public(ok: int) -> dict:
    return dict.fromkeys(ROLES, ok)


def owner_only(ok: int) -> dict:
    """The owner's own object: everyone else gets 404."""
    return {**dict.fromkeys(ROLES, 404), "anonymous": LOGIN, "owner": ok}


def owner_and_staff(ok: int) -> dict:
    """The owner, HR of the owner's commune or above, admins."""
    return {
        **owner_only(ok),
        "hr_unit": ok,
        "hr_province": ok,
        "admin": ok,
    }


def staff(ok: int) -> dict:
    """HR and admins, on an object inside their scope."""
    return {
        "anonymous": LOGIN,
        **dict.fromkeys(OFFICIALS, 403),
        "hr_unit": ok,
        "hr_other": ok,
        "hr_province": ok,
        "admin": ok,
    }


def staff_of_owner(ok: int) -> dict:
    """HR of the owner's commune or above, admins; HR elsewhere get 404."""
    return {**staff(ok), "hr_other": 404}


def own_record_of_hr(ok: int) -> dict:
    """The record of HR of commune A: HR of the province and admins; not HR themselves."""
    return {**staff_of_owner(ok), "hr_unit": 404}


def admin_only(ok: int) -> dict:
    return {"anonymous": LOGIN, **dict.fromkeys(ROLES[1:-1], 403), "admin": ok}


@dataclass
class Case:
    endpoint: str
    method: str
    url: str  # with {placeholders} filled from the world
    expected: dict
    data: dict | None = None
    headers: dict = field(default_factory=dict)
    fresh_clients: bool = False  # the request ends the session: use clients of its own
    names_owner: bool = False  # a list: the owner's name shows to those who may see them only

    @property
    def id(self) -> str:
        return f"{self.method} {self.endpoint} {self.url}"


CASES = [
    # --- signing in and out ----------------------------------------------------------------
    Case("auth.login", "GET", "/auth/login", {**signed_in(302), "anonymous": 200}),
    Case("auth.login", "POST", "/auth/login", public(400), data={}),
    Case("auth.logout", "POST", "/auth/logout", public(LOGIN), fresh_clients=True),
    Case(
        "auth.logout_everywhere",
        "POST",
        "/auth/logout-everywhere",
        public(LOGIN),
        fresh_clients=True,
    ),
    Case("auth.change_password", "GET", "/auth/password", signed_in(200)),
    Case("auth.change_password", "POST", "/auth/password", signed_in(400), data={}),
    # --- learning ----------------------------------------------------------------------------
    Case("learn.home", "GET", "/", signed_in(200)),
    Case("learn.my_training", "GET", "/my/training", signed_in(200)),
    Case("learn.catalogue", "GET", "/courses", signed_in(200)),
    Case("learn.course", "GET", "/courses/khoa-b", signed_in(200)),
    Case("learn.lesson", "GET", "/courses/khoa-b/mo-dau", signed_in(200)),
    Case("learn.complete", "POST", "/courses/khoa-b/mo-dau/complete", signed_in(302)),
    Case("learn.standard", "GET", "/standards/{year}", signed_in(200)),
    Case("static", "GET", "/static/favicon.svg", public(200)),
    # --- quizzes -----------------------------------------------------------------------------
    Case("quiz.overview", "GET", "/quiz/mot-cua", signed_in(200)),
    Case("quiz.start", "POST", "/quiz/mot-cua/start", signed_in(302)),
    Case("quiz.take", "GET", "/quiz/attempts/{open_attempt}", owner_only(200)),
    Case(
        "quiz.save",
        "POST",
        "/quiz/attempts/{open_attempt}/save",
        owner_only(200),
        data={},
        headers={"Accept": "application/json"},
    ),
    # Last of the cases on an attempt of quiz "khoa-c" (the owner's submit closes it).
    Case("quiz.submit", "POST", "/quiz/attempts/{submit_attempt}/submit", owner_only(302)),
    Case("quiz.submit", "POST", "/quiz/attempts/{done_attempt}/submit", owner_only(302)),
    Case("quiz.result", "GET", "/quiz/attempts/{done_attempt}/result", owner_and_staff(200)),
    # Someone else's attempt in progress: not even HR see it before it is submitted.
    Case("quiz.result", "GET", "/quiz/attempts/{open_attempt}/result", owner_only(302)),
    Case("quiz.stats", "GET", "/quiz/mot-cua/statistics", admin_only(200)),
    Case("quiz.override", "GET", "/quiz/mot-cua/overrides/{owner}", staff_of_owner(200)),
    Case("quiz.override", "POST", "/quiz/mot-cua/overrides/{owner}", staff_of_owner(400), {}),
    # --- certificates --------------------------------------------------------------------------
    Case(
        "certificates.course_certificate",
        "GET",
        "/certificates/course/khoa-b/{year}?user={owner}",
        owner_and_staff(200),
    ),
    Case(
        "certificates.course_certificate",
        "POST",
        "/certificates/course/khoa-b/{year}?user={owner}",
        owner_and_staff(200),
        data={},
    ),
    Case(
        "certificates.standard_certificate",
        "GET",
        "/certificates/standard/{year}?user={owner}",
        owner_and_staff(200),
    ),
    Case(
        "certificates.standard_certificate",
        "POST",
        "/certificates/standard/{year}?user={owner}",
        owner_and_staff(200),
        data={},
    ),
    Case("certificates.verify_form", "GET", "/verify", public(200)),
    # --- accounts, rosters, units (issue 9) -----------------------------------------------
    Case("people.index", "GET", "/people/", staff(200)),
    Case("people.create", "GET", "/people/new", staff(200)),
    Case("people.create", "POST", "/people/new", staff(400), data={}),
    Case("people.edit", "GET", "/people/{deep}", staff_of_owner(200)),
    Case("people.edit", "POST", "/people/{deep}", staff_of_owner(400), data={}),
    Case("people.set_active", "POST", "/people/{deep}/active", staff_of_owner(302), data={}),
    Case("people.reset_password", "POST", "/people/{deep}/password", staff_of_owner(200)),
    Case("people.unlock", "POST", "/people/{deep}/unlock", staff_of_owner(302)),
    Case("people.scope", "POST", "/people/{hr_unit}/scope", own_record_of_hr(302), data={}),
    Case("people.audit_trail", "GET", "/people/audit", staff(200)),
    Case("people.audit_export", "GET", "/people/audit.csv", admin_only(200)),
    Case("roster.import_roster", "GET", "/people/import", staff(200)),
    Case("roster.import_roster", "POST", "/people/import", staff(400), data={}),
    Case("roster.template", "GET", "/people/template.xlsx", staff(200)),
    Case("roster.unit_tree", "GET", "/people/units", admin_only(200)),
    Case("roster.unit_tree", "POST", "/people/units", admin_only(400), data={}),
    Case("roster.merge", "GET", "/people/merge", admin_only(200)),
    Case("roster.merge", "POST", "/people/merge", admin_only(400), data={}),
    # --- year-end evidence and offline reading ---------------------------------------------
    Case("records.record_pdf", "GET", "/records/{year}.pdf?user={owner}", owner_and_staff(200)),
    Case("records.unit_records", "GET", "/hr/records/{year}.zip?unit=A", staff_of_owner(200)),
    Case("offline.service_worker", "GET", "/sw.js", public(200)),
    Case("offline.manifest", "GET", "/manifest.webmanifest", public(200)),
    Case("offline.offline", "GET", "/offline", public(200)),
    # --- the JSON API: bearer tokens only; a browser session opens nothing (tests/api has the
    # matrix of tokens). The document and its reference page are public.
    Case("api_docs.openapi_json", "GET", "/api/v1/openapi.json", public(200)),
    Case("api_docs.reference", "GET", "/api/v1/docs", public(200)),
    Case("api_clients.index", "GET", "/api-clients/", staff(200)),
    Case("api_clients.index", "POST", "/api-clients/", staff(400), data={}),
    Case("api_clients.revoke", "POST", "/api-clients/{api_client}/revoke", staff_of_owner(302)),
    Case("api.units", "GET", "/api/v1/units", public(401)),
    Case("api.unit", "GET", "/api/v1/units/A", public(401)),
    Case("api.positions", "GET", "/api/v1/positions", public(401)),
    Case("api.officials", "GET", "/api/v1/officials", public(401)),
    Case("api.official", "GET", "/api/v1/officials/owner", public(401)),
    Case("api.official_records", "GET", "/api/v1/officials/owner/records", public(401)),
    Case(
        "api.add_external_training",
        "POST",
        "/api/v1/officials/owner/external-training",
        public(401),
        data={},
    ),
    Case("api.roster_upsert", "POST", "/api/v1/roster", public(401), data={}),
    Case("api.compliance_officials", "GET", "/api/v1/compliance/{year}/officials", public(401)),
    Case("api.compliance_units", "GET", "/api/v1/compliance/{year}/units", public(401)),
    Case("api.standard", "GET", "/api/v1/standards/{year}", public(401)),
    Case("api.certificate", "GET", "/api/v1/certificates/{code}", public(401)),
    # --- operations ------------------------------------------------------------------------
    Case("ops.healthz", "GET", "/healthz", public(200)),
    Case("certificates.verify", "GET", "/verify/{code}", public(200)),
    # --- HR ----------------------------------------------------------------------------------
    Case("compliance.dashboard", "GET", "/hr/?year={year}", staff(200)),
    Case("compliance.officials", "GET", "/hr/officials?year={year}", staff(200), names_owner=True),
    Case("compliance.officials", "GET", "/hr/officials?unit=A", staff_of_owner(200)),
    Case("compliance.export", "GET", "/hr/export.csv?year={year}", staff(200), names_owner=True),
    Case("compliance.export", "GET", "/hr/export.xlsx?year={year}&unit=A", staff_of_owner(200)),
    Case("compliance.official", "GET", "/hr/officials/{owner}", staff_of_owner(200)),
    # An official of a unit inside commune A: HR above see them too.
    Case("compliance.official", "GET", "/hr/officials/{deep}", staff_of_owner(200)),
    # HR's own record: other HR above and admins manage it, never HR themselves.
    Case("compliance.official", "GET", "/hr/officials/{hr_unit}", own_record_of_hr(200)),
    Case("quiz.override", "GET", "/quiz/mot-cua/overrides/{hr_unit}", own_record_of_hr(200)),
    Case("compliance.add_external", "GET", "/hr/officials/{owner}/external", staff_of_owner(200)),
    Case(
        "compliance.add_external",
        "POST",
        "/hr/officials/{owner}/external",
        staff_of_owner(400),
        data={},
    ),
    Case("compliance.external_scan", "GET", "/hr/external/{scan}/scan", staff_of_owner(200)),
    Case("compliance.extend", "POST", "/hr/officials/{owner}/extension", staff_of_owner(400), {}),
    Case("compliance.exempt", "POST", "/hr/officials/{owner}/exemption", staff_of_owner(400), {}),
    Case("compliance.leave", "POST", "/hr/officials/{owner}/leave", staff_of_owner(400), {}),
    Case("compliance.import_records", "GET", "/hr/import", staff(200)),
    Case("compliance.import_records", "POST", "/hr/import", staff(400), data={}),
    # --- administration ----------------------------------------------------------------------
    Case("admin.index", "GET", "/admin/", admin_only(200)),
    Case("admin.users", "GET", "/admin/users", admin_only(200)),
    Case("admin.outbox", "GET", "/admin/outbox", admin_only(200)),
    Case(
        "admin.end_sessions",
        "POST",
        "/admin/users/{deep}/logout",
        admin_only(302),
        fresh_clients=True,
    ),
]

QUIZ = "\n\n".join(f"::C{i}::Câu hỏi số {i}?{{T}}" for i in range(1, 6))


def standard(year: int) -> str:
    return f"""year: {year}
title: "Chuẩn bồi dưỡng năm {year} (thử)"
issuer: "UBND tỉnh Thử Nghiệm"
legal_basis: ["Kế hoạch số 1/KH-UBND (thử)"]
period: {{start: {year}-01-01, deadline: {year}-12-31}}
applies_to:
  unit_kinds: [commune, ward]
required:
  everyone: [khoa-b]
hours: {{minimum: 1, external: counted, external_cap: 4}}
pass_mark: 70
"""


def build_world(content_dirs) -> dict:
    """Units P > A, B; one user per role; the owner's attempts, certificates and scan."""
    courses, quizzes = content_dirs
    now = utcnow()
    year = local_year(now)
    write_course(courses, "mot-cua", title="Một cửa")
    write_course(courses, "khoa-b", title="Khóa B", track="ethics")
    write_course(courses, "khoa-c", title="Khóa C", track="it")
    for slug in ("mot-cua", "khoa-c"):
        (quizzes / f"{slug}.gift").write_text(QUIZ, encoding="utf-8")
        (quizzes / f"{slug}.yml").write_text(
            f"course: {slug}\npass_mark: 60\nattempts: 5\n", encoding="utf-8"
        )
    (courses / "standards").mkdir()
    (courses / "standards" / f"{year}.yml").write_text(standard(year), encoding="utf-8")
    sync_positions()
    content, errors = read_content(courses, quizzes)
    assert errors == [], [str(e) for e in errors]
    load_content(content, now=now - timedelta(hours=2))

    units = make_unit_tree()
    users = {
        "owner": make_user("owner", unit=units["A"], full_name=OWNER_NAME),
        "peer": make_user("peer", unit=units["A"]),
        "outsider": make_user("outsider", unit=units["B"]),
        "hr_unit": make_user("hr.unit", role=Role.HR, unit=units["A"]),
        "hr_other": make_user("hr.other", role=Role.HR, unit=units["B"]),
        "hr_province": make_user("hr.province", role=Role.HR, unit=units["P"]),
        "admin": make_user("admin", role=Role.ADMIN),
    }
    deep = make_user("deep", unit=units["A1"])
    owner = users["owner"]
    earlier = now - timedelta(hours=1)
    quizzes_by_slug = {q.slug: q for q in db.session.scalars(select(Quiz))}

    done = quiz_services.start_attempt(quizzes_by_slug["mot-cua"], owner, now=earlier)
    for item in quiz_services.attempt_questions(done):
        item.response = True
    quiz_services.submit_attempt(done, None, now=earlier + timedelta(minutes=5))
    open_attempt = quiz_services.start_attempt(quizzes_by_slug["mot-cua"], owner, now=now)
    submit_attempt = quiz_services.start_attempt(quizzes_by_slug["khoa-c"], owner, now=now)

    for lesson in db.session.scalars(select(Lesson).join(Course).where(Course.slug == "khoa-b")):
        complete_lesson(owner, lesson, now=earlier)
    course_b = db.session.scalar(select(Course).where(Course.slug == "khoa-b"))
    course_certificate = certificates.issue_course_certificate(owner, course_b, year, now=now)
    certificates.issue_standard_certificate(owner, year, now=now)
    scan = compliance.add_external_training(
        owner,
        title="Lớp bồi dưỡng kỹ năng",
        provider="Trường Chính trị tỉnh",
        hours=compliance.Decimal(2),
        start_date=None,
        end_date=local_date(now),
        note="",
        file=("giay-chung-nhan.pdf", "application/pdf", b"%PDF-1.4\n%%EOF\n"),
        created_by=users["hr_unit"],
        now=now,
    )
    api_client, _token = api_clients.create_client(
        "matrix", [units["A"]], can_write=False, days=None, created_by=users["hr_unit"], now=now
    )
    db.session.commit()
    return {
        "users": users,
        "values": {
            "year": year,
            "owner": owner.id,
            "deep": deep.id,
            "hr_unit": users["hr_unit"].id,
            "open_attempt": open_attempt.id,
            "done_attempt": done.id,
            "submit_attempt": submit_attempt.id,
            "code": course_certificate.code,
            "scan": scan.id,
            "api_client": api_client.id,
        },
    }


def client_of(app, role: str) -> FreshRequestClient:
    """A client with an address of its own per role, as people on their own devices: the
    sign-ins of the matrix never add up to the throttling limit of one address."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = f"192.0.2.{ROLES.index(role) + 1}"
    return client


def sign_in(app, role: str, user) -> FreshRequestClient:
    client = client_of(app, role)
    response = client.post("/auth/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def signed_in_clients(world) -> dict[str, FreshRequestClient]:
    app = world["app"]
    clients = {"anonymous": client_of(app, "anonymous")}
    return clients | {role: sign_in(app, role, user) for role, user in world["users"].items()}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """One app and one world for the module (building it per case would dominate the run
    time): the cases are written so that none changes what another expects."""
    root = tmp_path_factory.mktemp("matrix")
    dirs = (root / "courses", root / "quizzes")
    for folder in dirs:
        folder.mkdir()
    for app in fresh_app(dirs):
        world = {"app": app, **build_world(dirs)}
        world["clients"] = signed_in_clients(world)
        yield world


def outcome(response) -> int | str:
    """The status, with a redirect to the sign-in page told apart from other redirects."""
    if response.status_code == 302 and "/auth/login" in response.headers["Location"]:
        return LOGIN
    return response.status_code


def test_every_route_has_a_row(world):
    routes = {
        (rule.endpoint, method)
        for rule in world["app"].url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    listed = {(case.endpoint, case.method) for case in CASES}
    assert routes - listed == set(), "routes without a row in the access matrix"
    assert listed - routes == set(), "rows for routes that do not exist"


def test_every_row_names_every_role():
    for case in CASES:
        assert set(case.expected) == set(ROLES), case.id


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_access(world, case):
    url = case.url.format(**world["values"])
    adapter = world["app"].url_map.bind("localhost")
    assert adapter.match(url.split("?")[0], method=case.method)[0] == case.endpoint
    clients = signed_in_clients(world) if case.fresh_clients else world["clients"]
    # The owner goes last: their request may change the object (a submit closes the attempt).
    order = [role for role in ROLES if role != "owner"] + ["owner"]
    got, named = {}, set()
    for role in order:
        response = clients[role].open(url, method=case.method, data=case.data, headers=case.headers)
        body = response.get_data()  # a streamed export runs to its end
        response.close()
        got[role] = outcome(response)
        if got[role] == 200 and OWNER_NAME.encode() in body:  # not the signed-in name
            named.add(role)
    if case.fresh_clients:  # signing out may end every session of the user: start again
        world["clients"] = signed_in_clients(world)
    assert got == case.expected
    if case.names_owner:
        assert named == {"hr_unit", "hr_province", "admin"}
