"""The roster import: one function (``import_roster``) that the HR/admin upload page, the
``people import`` command and the JSON API (``POST /api/v1/roster``) call with the rows, who
acts (an account, an API client, or None for the operator) and ``dry_run``.

All or nothing: every row is checked first; if any is wrong nothing is written and every wrong
row is listed with its line (the header is line 1). Accounts are matched by username, case
aside; a move keeps the account (records, ``joined_on``) and records the membership's dates;
a ``left_on`` makes the account inactive; nothing is deleted.

New accounts get a random temporary password that must be changed at first login. It exists
in clear only in the returned report (``report.passwords``): the caller shows or sends it once,
in the response of that import, and nothing keeps it. Because it is random (12 characters of
32: 60 bits, some 70 years of a GPU on average even at one round), it is hashed with 20 PBKDF2
rounds instead of the slow default made for chosen passwords: 20,000 of them in a fraction of
a second instead of hours. The first login replaces it with a chosen password and the default
hash.

Statements are batched: the number of SQL statements grows with the number of chunks of
``CHUNK`` rows, never per row.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import logging
import re
import secrets
from dataclasses import dataclass, field
from typing import IO, Any

from flask_babel import gettext as _
from openpyxl import Workbook
from sqlalchemy import Select, func, insert, select, update

from app import audit
from app.models import ApiClient, Position, Role, Unit, User, db, local_date
from app.models.status import TOUCHED, touch
from app.people.scope import common_root, visible_unit_ids
from app.people.units import chunks, is_ended, record_moves, start_memberships
from app.tabular import (
    TableError,
    TableRow,
    clean_text,
    header_key,
    looks_like_formula,
    parse_date,
    read_table,
)
from app.text import fold

logger = logging.getLogger(__name__)

MAX_ROWS = 100_000
MAX_BYTES = 20 * 1024 * 1024
TEMPORARY_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"  # 32, without 0/o and 1/l
TEMPORARY_HASH_ROUNDS = 20
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]*$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
COLUMNS = {
    "username": ("tên đăng nhập", "ten_dang_nhap"),
    "full_name": ("họ và tên", "họ tên", "ho_va_ten"),
    "unit_code": ("mã đơn vị", "ma_don_vi"),
    "position_code": ("mã vị trí", "ma_vi_tri"),
    "email": ("thư điện tử", "email", "e-mail"),
    "role": ("vai trò", "vai_tro"),
    "joined_on": ("ngày vào làm", "ngay_vao_lam"),
    "left_on": ("ngày nghỉ", "ngay_nghi"),
}
TEMPLATE_HEADERS = [
    "tên đăng nhập",
    "họ và tên",
    "mã đơn vị",
    "mã vị trí",
    "thư điện tử",
    "vai trò",
    "ngày vào làm",
    "ngày nghỉ",
]
ROLE_NAMES = {
    "official": Role.OFFICIAL,
    "công chức": Role.OFFICIAL,
    "cán bộ": Role.OFFICIAL,
    "hr": Role.HR,
    "nhân sự": Role.HR,
}
FIELDS = (
    "full_name",
    "email",
    "position_id",
    "role",
    "unit_id",
    "joined_on",
    "left_on",
    "is_active",
)


@dataclass(slots=True)
class RowChange:
    line: int
    username: str
    full_name: str
    unit_code: str
    before_unit: str | None = None  # for a move


@dataclass(slots=True)
class NewAccount:
    unit_code: str
    unit_name: str
    username: str
    full_name: str
    password: str


@dataclass
class RosterReport:
    dry_run: bool
    errors: list[tuple[int, str]] = field(default_factory=list)
    created: list[RowChange] = field(default_factory=list)
    updated: list[RowChange] = field(default_factory=list)
    moved: list[RowChange] = field(default_factory=list)
    deactivated: list[RowChange] = field(default_factory=list)
    unchanged: int = 0
    passwords: list[NewAccount] = field(default_factory=list)  # in clear: show once, keep none

    @property
    def ok(self) -> bool:
        return not self.errors


def read_roster(filename: str, stream: IO[bytes] | bytes) -> list[TableRow]:
    """The rows of a roster file (CSV or XLSX); ``TableError`` for a file that cannot be read."""
    return read_table(
        filename,
        stream,
        columns=COLUMNS,
        required=("username", "full_name", "unit_code"),
        max_rows=MAX_ROWS,
        max_bytes=MAX_BYTES,
        formulas=True,
    )


def rows_from_records(records: list[dict[str, Any]], *, first_line: int = 2) -> list[TableRow]:
    """Rows for ``import_roster`` from JSON-like records (the API): keys as the file's headers
    (English or Vietnamese), text cleaned as from a file; record ``i`` (from 0) is "line"
    ``i + first_line``: by default as if under a header line; the API numbers from 0, as its
    JSON array. Unknown keys raise ``TableError``."""
    aliases = {alias: key for key, names in COLUMNS.items() for alias in (key, *names)}
    rows = []
    for index, record in enumerate(records):
        values = {}
        for name, value in record.items():
            key = aliases.get(header_key(name))
            if key is None:
                raise TableError(_("Unknown columns: %(columns)s.", columns=name))
            values[key] = clean_text(value)
        rows.append(TableRow(line=index + first_line, values=values))
    return rows


def temporary_password() -> str:
    """12 characters of 32 (60 random bits), grouped by four to be read off paper."""
    raw = "".join(TEMPORARY_ALPHABET[b & 31] for b in secrets.token_bytes(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def temporary_password_hash(password: str) -> str:
    """Werkzeug's ``pbkdf2:sha256:<rounds>$salt$hash`` format (``check_password_hash`` reads
    it), made without Werkzeug's per-character salt generation, which would dominate."""
    salt = secrets.token_hex(8)
    digest = hashlib.pbkdf2_hmac(
        "sha256", password.encode(), salt.encode(), TEMPORARY_HASH_ROUNDS
    ).hex()
    return f"pbkdf2:sha256:{TEMPORARY_HASH_ROUNDS}${salt}${digest}"


def _text(values: dict[str, Any], key: str) -> str:
    value = values.get(key)
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a code typed as a number in Excel
    return str(value).strip()


@dataclass(slots=True)
class _Existing:
    id: int
    username: str
    full_name: str
    email: str | None
    role: str
    unit_id: int | None
    position_id: int | None
    joined_on: dt.date | None
    left_on: dt.date | None
    is_active: bool


def _existing_accounts(usernames: list[str]) -> dict[str, _Existing]:
    found: dict[str, _Existing] = {}
    for part in chunks(usernames):
        for row in db.session.execute(
            select(
                User.id,
                User.username,
                User.full_name,
                User.email,
                User.role,
                User.unit_id,
                User.position_id,
                User.joined_on,
                User.left_on,
                User.is_active,
            ).where(func.lower(User.username).in_(part))
        ):
            found[row.username.lower()] = _Existing(*row)
    return found


Actor = User | ApiClient | None


def _reach(actor: Actor) -> tuple[set[int] | None, set[Role]]:
    """The units ``actor`` may import into (None: every unit) and the roles it may grant.
    The operator (None) and admins: every unit, officials and HR. HR and API clients: the
    units of their scope, officials only. Anyone else: nothing."""
    if actor is None or (isinstance(actor, User) and actor.role == Role.ADMIN):
        return None, {Role.OFFICIAL, Role.HR}
    visible = set(db.session.scalars(visible_unit_ids(actor)))
    if isinstance(actor, ApiClient) or actor.role == Role.HR:
        return visible, {Role.OFFICIAL}
    return visible, set()


def _audit_unit(actor: Actor) -> Unit | None:
    """The unit an import's audit entry is about, for HR's view of the trail: an HR
    account's unit, an API client's unit (the closest unit above all of them if several)."""
    if isinstance(actor, ApiClient):
        return common_root(actor.units)
    if actor is not None and actor.role == Role.HR:
        return actor.unit
    return None


def _actor_label(actor: Actor) -> str:
    if actor is None:
        return "operator"
    if isinstance(actor, ApiClient):
        return f"API client {actor.id}"
    return f"user {actor.id}"


def import_roster(
    rows: list[TableRow],
    *,
    actor: Actor,
    dry_run: bool,
    now: dt.datetime,
    address: str | None = None,
) -> RosterReport:
    """Check every row, then (unless ``dry_run`` or any row is wrong) create, update, move and
    deactivate accounts. ``actor`` None is the operator (the command line without ``--as``):
    every unit. HR and API clients may import officials of their own units only; nobody
    imports an admin."""
    report = RosterReport(dry_run=dry_run)
    today = local_date(now)
    units = {
        code.upper(): (uid, code, name, ended)
        for uid, code, name, ended in (
            (u.id, u.code, u.name, is_ended(u)) for u in db.session.scalars(select(Unit))
        )
    }
    unit_codes = {uid: code for uid, code, _n, _e in units.values()}
    successors = dict(db.session.execute(select(Unit.id, Unit.successor_id)).all())
    positions = {
        code.upper(): pid for pid, code in db.session.execute(select(Position.id, Position.code))
    }
    visible, grantable = _reach(actor)
    names = sorted({_text(r.values, "username").lower() for r in rows} - {""})
    existing = _existing_accounts(names)

    seen: dict[str, int] = {}
    plans: list[tuple[TableRow, dict[str, Any], _Existing | None]] = []
    for row in rows:
        values = row.values
        problems: list[str] = []
        if any(looks_like_formula(v) for v in values.values()):
            report.errors.append((row.line, _("formulas are not accepted; type the values")))
            continue
        username = _text(values, "username").lower()
        full_name = _text(values, "full_name")
        unit_code = _text(values, "unit_code")
        position_code = _text(values, "position_code")
        email = _text(values, "email")
        role_text = _text(values, "role").lower()
        current = existing.get(username)
        if not username:
            problems.append(_("no username"))
        elif len(username) > 80:
            problems.append(_("the username is longer than %(n)d characters", n=80))
        elif not USERNAME.match(username):
            problems.append(
                _("a username has only letters without accents, digits, dots, dashes or @")
            )
        elif username in seen:
            problems.append(
                _(
                    "username %(name)s is already on line %(line)d",
                    name=username,
                    line=seen[username],
                )
            )
        seen.setdefault(username, row.line)
        if not full_name:
            problems.append(_("no full name"))
        elif len(full_name) > 200:
            problems.append(_("the full name is longer than %(n)d characters", n=200))
        unit = units.get(unit_code.upper())
        if not unit_code:
            problems.append(_("no unit code"))
        elif unit is None or (visible is not None and unit[0] not in visible):
            problems.append(_("unit '%(code)s' is not one of your units", code=unit_code))
        elif unit[3]:
            successor = unit_codes.get(successors.get(unit[0]))
            problems.append(
                _(
                    "unit %(code)s has ended (merged into %(successor)s)",
                    code=unit[1],
                    successor=successor or "?",
                )
            )
        position_id = None
        if position_code:
            position_id = positions.get(position_code.upper())
            if position_id is None:
                problems.append(_("unknown position code '%(code)s'", code=position_code))
        if email and (len(email) > 254 or not EMAIL.match(email)):
            problems.append(_("'%(email)s' is not an e-mail address", email=email))
        role = (
            ROLE_NAMES.get(role_text) if role_text else (current.role if current else Role.OFFICIAL)
        )
        if role_text and role is None:
            problems.append(_("unknown role '%(role)s' (official or hr)", role=role_text))
        elif role not in grantable:
            problems.append(_("you may not grant the role '%(role)s'", role=role))
        dates: dict[str, dt.date | None] = {}
        for key in ("joined_on", "left_on"):
            raw = values.get(key)
            if raw in (None, ""):
                continue
            try:
                dates[key] = parse_date(raw)
            except ValueError:
                problems.append(_("'%(value)s' is not a date (dd/mm/yyyy)", value=raw))
        joined = dates.get("joined_on", current.joined_on if current else None)
        left = dates.get("left_on", current.left_on if current else None)
        if joined and left and left < joined:
            problems.append(_("the leaving date is before the joining date"))
        if current is not None:
            if current.role == Role.ADMIN:
                problems.append(_("an administrator account cannot be changed by an import"))
            elif visible is not None and (
                current.unit_id not in visible or current.role not in grantable
            ):
                problems.append(_("username %(name)s is already in use", name=username))
        if problems:
            report.errors.append((row.line, "; ".join(problems)))
            continue
        plan = {
            "full_name": full_name,
            "email": email or (current.email if current else None),
            "position_id": position_id or (current.position_id if current else None),
            "role": str(role),
            "unit_id": unit[0],
            "joined_on": joined,
            "left_on": left,
            "is_active": (current.is_active if current else True) and left is None,
        }
        if current is not None and left is None:
            plan["is_active"] = current.is_active
        plans.append((row, plan, current))

    if report.errors:
        return report

    creates: list[tuple[TableRow, dict[str, Any]]] = []
    updates: list[dict[str, Any]] = []
    moves: list[tuple[int, int | None, int]] = []
    for row, plan, current in plans:
        username = _text(row.values, "username").lower()
        change = RowChange(row.line, username, plan["full_name"], unit_codes[plan["unit_id"]])
        if current is None:
            report.created.append(change)
            if plan["left_on"] is not None:
                plan["is_active"] = False
            creates.append((row, plan))
            continue
        before = {name: getattr(current, name) for name in FIELDS}
        if before == plan:
            report.unchanged += 1
            continue
        if current.unit_id != plan["unit_id"]:
            change.before_unit = unit_codes.get(current.unit_id)
            report.moved.append(change)
            moves.append((current.id, current.unit_id, plan["unit_id"]))
        if current.is_active and not plan["is_active"]:
            report.deactivated.append(change)
        if any(before[n] != plan[n] for n in FIELDS if n not in ("unit_id", "is_active")):
            report.updated.append(change)
        updates.append({"id": current.id, **plan, "search_name": fold(plan["full_name"])})
    if dry_run:
        return report

    for part in chunks(creates):  # a chunk at a time: memory and statements per chunk
        params = []
        for row, plan in part:
            username = _text(row.values, "username").lower()
            password = ""
            if plan["is_active"]:
                password = temporary_password()
                unit = units[unit_codes[plan["unit_id"]].upper()]
                report.passwords.append(
                    NewAccount(unit[1], unit[2], username, plan["full_name"], password)
                )
            plan.update(  # in place: no second dict per row
                username=username,
                search_name=fold(plan["full_name"]),
                password_hash=temporary_password_hash(password) if password else "",
                must_change_password=True,
                session_version=1,
                created_at=now,
            )
            params.append(plan)
        db.session.execute(insert(User).execution_options(**TOUCHED), params)  # executemany
        ids = dict(
            db.session.execute(
                select(User.username, User.id).where(
                    User.username.in_([p["username"] for p in params])
                )
            ).all()
        )
        touch(ids.values())  # their kept statuses (app.compliance.kept)
        start_memberships([(ids[p["username"]], p["unit_id"], p["joined_on"]) for p in params])
    for part in chunks(updates):
        db.session.execute(update(User), part)
    record_moves(moves, today)
    db.session.flush()
    report.passwords.sort(key=lambda a: (a.unit_code, a.full_name.casefold(), a.username))
    logger.info(
        "roster import by %s: %d created, %d updated, %d moved, %d deactivated",
        _actor_label(actor),
        len(report.created),
        len(report.updated),
        len(report.moved),
        len(report.deactivated),
    )
    audit.record(
        actor,
        "roster.import",
        None,
        object_type="roster",
        unit=_audit_unit(actor),
        after={
            name: [change.username for change in getattr(report, name)]
            for name in ("created", "updated", "moved", "deactivated")
        },
        address=address or audit.CLI,
        now=now,
    )
    return report


# --- Passwords sheet, template, listing ---------------------------------------------------------


def passwords_csv(accounts: list[NewAccount]) -> bytes:
    """The new accounts with their temporary passwords, by unit (UTF-8 with BOM, for Excel)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["mã đơn vị", "tên đơn vị", "tên đăng nhập", "họ và tên", "mật khẩu tạm thời"])
    for a in accounts:
        writer.writerow([a.unit_code, a.unit_name, a.username, a.full_name, a.password])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def template_codes(actor: User | None) -> tuple[list[tuple[str, str, str]], list[tuple[str, str]]]:
    """Units in service the actor may import into (code, name, kind), and current positions."""
    stmt = select(Unit.code, Unit.name, Unit.kind).where(
        Unit.is_active.is_(True), Unit.successor_id.is_(None), Unit.valid_to.is_(None)
    )
    if actor is not None and actor.role != Role.ADMIN:
        stmt = stmt.where(Unit.id.in_(visible_unit_ids(actor)))
    units = [tuple(r) for r in db.session.execute(stmt.order_by(Unit.path))]
    positions = [
        tuple(r)
        for r in db.session.execute(
            select(Position.code, Position.name)
            .where(Position.is_current.is_(True))
            .order_by(Position.sort_order)
        )
    ]
    return units, positions


def _example(units, positions) -> list[str]:
    return [
        "nguyen.van.an",
        "Nguyễn Văn An",
        units[0][0] if units else "",
        positions[0][0] if positions else "",
        "an.nv@example.vn",
        "official",
        "01/07/2025",
        "",
    ]


def template_csv(actor: User | None) -> bytes:
    units, positions = template_codes(actor)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(TEMPLATE_HEADERS)
    writer.writerow(_example(units, positions))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def template_xlsx(actor: User | None) -> bytes:
    """The roster sheet (header and an example row), then the valid unit and position codes."""
    units, positions = template_codes(actor)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Danh sách")
    sheet.append(TEMPLATE_HEADERS)
    sheet.append(_example(units, positions))
    unit_sheet = book.create_sheet("Mã đơn vị")
    unit_sheet.append(["mã đơn vị", "tên đơn vị", "loại"])
    for row in units:
        unit_sheet.append(list(row))
    position_sheet = book.create_sheet("Mã vị trí")
    position_sheet.append(["mã vị trí", "tên vị trí"])
    for row in positions:
        position_sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


LIST_FIELDS = (
    "username",
    "full_name",
    "unit_code",
    "unit_name",
    "position_code",
    "role",
    "email",
    "joined_on",
    "left_on",
    "is_active",
)


def account_list(unit: Unit | None = None) -> Select:
    """Every account (in ``unit``'s subtree when given) with unit, position, role, dates and
    the active flag, by unit and username: ``people list``."""
    stmt = (
        select(
            User.username,
            User.full_name,
            Unit.code.label("unit_code"),
            Unit.name.label("unit_name"),
            Position.code.label("position_code"),
            User.role,
            User.email,
            User.joined_on,
            User.left_on,
            User.is_active,
        )
        .outerjoin(Unit, Unit.id == User.unit_id)
        .outerjoin(Position, Position.id == User.position_id)
        .order_by(Unit.path, User.username)
    )
    if unit is not None:
        stmt = stmt.where(Unit.path.startswith(unit.path, autoescape=True))
    return stmt
