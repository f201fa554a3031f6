"""``/api/v1``: JSON for provincial personnel systems, on the same services as the pages.

Every request goes: bearer token (401), rate limit (429), write permission (403), then the
object of the path inside the client's scope (404), then the query string or body (400).
The blueprint takes no cookie and sets none, so CSRF does not apply to it (``csrf.exempt``).
"""

from __future__ import annotations

import base64
import binascii
import functools
import logging
from dataclasses import replace
from decimal import Decimal
from typing import Any

from flask import Blueprint, Flask, current_app, g, json, render_template, request
from flask_smorest import Api
from flask_smorest import Blueprint as ApiBlueprint
from flask_smorest.utils import prepare_response
from sqlalchemy import Select, select
from sqlalchemy.orm import aliased
from webargs.flaskparser import FlaskParser
from werkzeug.exceptions import HTTPException

from app import audit
from app.api import clients
from app.api import schemas as s
from app.api.problems import MESSAGES, Problem, problem_response
from app.certificates.services import find_certificate
from app.compliance import queries as compliance_queries
from app.compliance import records, services, tables
from app.compliance.text import reason, status_label
from app.extensions import csrf
from app.models import (
    ApiClient,
    Position,
    QuizAttempt,
    Unit,
    User,
    db,
    local_date,
    utcnow,
)
from app.people import roster
from app.people.scope import can_see_user, in_scope, unit_in_scope
from app.tabular import TableError

logger = logging.getLogger(__name__)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
PROBLEM = "application/problem+json"


class _Parser(FlaskParser):
    DEFAULT_VALIDATION_STATUS = 400  # RFC 9110: a request the server will not process


class _Blueprint(ApiBlueprint):
    ARGUMENTS_PARSER = _Parser()


class _Api(Api):
    """flask-smorest with problem details for errors, and no app-wide error handler (the
    pages keep theirs; ``app.errors`` answers problem details under ``/api/``)."""

    ERROR_SCHEMA = s.ProblemOut

    def _register_error_handlers(self):
        pass

    def _register_responses(self):
        response = {"description": "Problem details (RFC 9457)", "schema": s.ProblemOut}
        prepare_response(response, self.spec, PROBLEM)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)


bp = _Blueprint(
    "api", __name__, url_prefix="/api/v1", description="Training compliance of commune officials."
)
docs_bp = Blueprint("api_docs", __name__, url_prefix="/api/v1")


def init_api(app: Flask) -> None:
    """One flask-smorest ``Api`` per app: its document is built from the schemas below."""
    app.config.setdefault("API_TITLE", "Bồi dưỡng công chức API")
    app.config.setdefault("API_VERSION", "1.0.0")
    app.config.setdefault("OPENAPI_VERSION", "3.1.0")
    api = _Api(
        app,
        spec_kwargs={
            "info": {
                "description": "Officials, units, compliance and records, for provincial "
                "personnel systems. Errors are RFC 9457 problem details."
            },
            "security": [{"bearer": []}],
        },
    )
    api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    api.register_blueprint(bp)
    app.register_blueprint(docs_bp)
    csrf.exempt(bp)
    csrf.exempt(docs_bp)
    app.extensions["api_v1"] = api


# --- Documents ------------------------------------------------------------------------------


@docs_bp.get("/openapi.json")
def openapi_json():
    """The OpenAPI 3.1 document (no token needed)."""
    spec = current_app.extensions["api_v1"].spec.to_dict()
    return current_app.response_class(
        json.dumps(spec, ensure_ascii=False), mimetype="application/json"
    )


@docs_bp.get("/docs")
def reference():
    """A readable reference, rendered here from the document: no script, no CDN."""
    spec = current_app.extensions["api_v1"].spec.to_dict()
    operations = [
        (path, method.upper(), op)
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if method in ("get", "post", "put", "patch", "delete")
    ]
    schemas = spec.get("components", {}).get("schemas", {})
    return render_template("api/reference.html", spec=spec, operations=operations, schemas=schemas)


# --- Authentication, rate limit, errors, audit --------------------------------------------


class RateLimited(Problem):
    def __init__(self, retry_after: int):
        super().__init__(429, "rate_limited", _msg("rate_limited"))
        self.retry_after = retry_after


def _msg(code: str):
    return MESSAGES[code]


@bp.before_request
def _authenticate():
    scheme, _sep, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > 200:
        raise Problem(401, "unauthorized", _msg("unauthorized"))
    check = clients.check_token(token, now=utcnow())
    if check.client_id is None:
        raise Problem(401, "invalid_token", _msg("invalid_token"))
    if check.retry_after is not None:
        raise RateLimited(check.retry_after)
    client = db.session.get(ApiClient, check.client_id)
    g.api_client = client
    if request.method not in SAFE_METHODS and not client.can_write:
        raise Problem(403, "read_only_token", _msg("read_only_token"))


@bp.errorhandler(HTTPException)
def _problem(error):
    return problem_response(error)


@bp.after_request
def _after(response):
    response.headers["Cache-Control"] = "no-store"
    client = g.get("api_client")
    wrote = request.method not in SAFE_METHODS and not g.get("api_wrote_nothing")
    if client is not None and wrote and response.status_code < 400:
        # The single call site for every API write: committed with it by _commit_request.
        logger.info("API write: client=%s %s %s", client.id, request.method, request.path)
        audit.record(
            client,
            request.endpoint or "api",
            None,
            object_type="api_client",
            object_id=client.id,
            after={"client": client.name, "method": request.method, "path": request.path},
            address=request.remote_addr,
        )
    return response


def _client() -> ApiClient:
    return g.api_client


def problem_docs(*codes: int):
    """Document the problem responses an operation may give (besides 401 and 429)."""

    def decorate(view):
        for code in (401, 429, *codes):
            view = bp.alt_response(code, schema=s.ProblemOut, content_type=PROBLEM)(view)
        return view

    return decorate


# --- Paging --------------------------------------------------------------------------------


def _encode(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"id:{last_id}".encode()).decode().rstrip("=")


def _decode(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        prefix, _sep, number = text.partition(":")
        if prefix != "id" or not number.isdigit() or len(number) > 12:
            raise ValueError(text)
        return int(number)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise Problem(400, "invalid_cursor", _msg("invalid_cursor")) from None


def _page(stmt: Select, id_column, args: dict, item) -> dict[str, Any]:
    """One page after the cursor, by id: ``limit + 1`` rows tell whether there is more."""
    limit = args["limit"]
    stmt = stmt.where(id_column > _decode(args.get("cursor"))).order_by(id_column)
    rows = db.session.execute(stmt.limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    items = [item(*row) for row in rows]
    return {"items": items, "next_cursor": _encode(rows[-1][0].id) if more else None}


def _unit_or_404(code: str) -> Unit:
    unit = db.session.scalar(select(Unit).where(Unit.code == code, unit_in_scope(_client())))
    if unit is None:
        raise Problem(404, "unit_not_found", _msg("unit_not_found"))
    return unit


def _official_or_404(username: str) -> User:
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None or not can_see_user(_client(), user):
        raise Problem(404, "official_not_found", _msg("official_not_found"))
    return user


def scoped_official(view):
    """Find the official of the path (404 outside the scope) before the body is read."""

    @functools.wraps(view)
    def wrapper(*args, username: str, **kwargs):
        return view(*args, official=_official_or_404(username), **kwargs)

    return wrapper


def _standard_or_404(year: int):
    standard = compliance_queries.standard_for(year)
    if standard is None:
        raise Problem(404, "no_standard", _msg("no_standard"))
    return standard


# --- Units and positions ---------------------------------------------------------------------


def _unit_dict(unit: Unit, successor_code: str | None) -> dict[str, Any]:
    return {
        "code": unit.code,
        "name": unit.name,
        "kind": unit.kind,
        "parent_code": unit.parent.code if unit.parent else None,
        "depth": unit.depth,
        "active": unit.is_active,
        "valid_from": unit.valid_from,
        "valid_to": unit.valid_to,
        "successor_code": successor_code,
        "updated_at": unit.updated_at,
    }


@bp.route("/units")
@bp.arguments(s.SyncArgs, location="query")
@bp.response(200, s.UnitPage)
@problem_docs(400)
def units(args):
    """Units of the client's scope (the tree by `parent_code`; mergers by `successor_code`)."""
    successor = aliased(Unit)
    stmt = (
        select(Unit, successor.code)
        .outerjoin(successor, successor.id == Unit.successor_id)
        .where(unit_in_scope(_client()))
    )
    if args.get("updated_since"):
        stmt = stmt.where(Unit.updated_at >= args["updated_since"])
    return _page(stmt, Unit.id, args, _unit_dict)


@bp.route("/units/<code>")
@bp.response(200, s.UnitDetailOut)
@problem_docs(404)
def unit(code: str):
    """One unit and the codes of the units directly under it."""
    found = _unit_or_404(code)
    successor = db.session.get(Unit, found.successor_id) if found.successor_id else None
    children = db.session.scalars(
        select(Unit.code).where(Unit.parent_id == found.id).order_by(Unit.code)
    ).all()
    return {**_unit_dict(found, successor.code if successor else None), "children": children}


@bp.route("/positions")
@bp.arguments(s.SyncArgs, location="query")
@bp.response(200, s.PositionPage)
@problem_docs(400)
def positions(args):
    """Job positions (reference data, the same for every client)."""
    stmt = select(Position)
    if args.get("updated_since"):
        stmt = stmt.where(Position.updated_at >= args["updated_since"])
    return _page(
        stmt,
        Position.id,
        args,
        lambda p: {
            "code": p.code,
            "name": p.name,
            "group": p.group,
            "sector": p.sector,
            "current": p.is_current,
            "legal_basis": p.legal_basis,
            "updated_at": p.updated_at,
        },
    )


# --- Officials -------------------------------------------------------------------------------


def _official_dict(user: User) -> dict[str, Any]:
    return {
        "username": user.username,
        "full_name": user.full_name,
        "unit_code": user.unit.code if user.unit else None,
        "position_code": user.position.code if user.position else None,
        "role": user.role,
        "active": user.is_active,
        "joined_on": user.joined_on,
        "left_on": user.left_on,
        "updated_at": user.updated_at,
    }


@bp.route("/officials")
@bp.arguments(s.OfficialArgs, location="query")
@bp.response(200, s.OfficialPage)
@problem_docs(400, 404)
def officials(args):
    """Accounts of the client's units (officials, and HR with `role`), active or not."""
    stmt = select(User).where(in_scope(_client()))
    if args.get("unit"):
        stmt = stmt.join(Unit, Unit.id == User.unit_id).where(
            Unit.path.startswith(_unit_or_404(args["unit"]).path, autoescape=True)
        )
    if args.get("position"):
        stmt = stmt.where(
            User.position_id.in_(select(Position.id).where(Position.code == args["position"]))
        )
    if args.get("active") is not None:
        stmt = stmt.where(User.is_active.is_(args["active"]))
    if args.get("updated_since"):
        stmt = stmt.where(User.updated_at >= args["updated_since"])
    return _page(stmt, User.id, args, _official_dict)


@bp.route("/officials/<username>")
@bp.response(200, s.OfficialOut)
@problem_docs(404)
def official(username: str):
    return _official_dict(_official_or_404(username))


@bp.route("/officials/<username>/records")
@scoped_official
@bp.arguments(s.YearArgs, location="query")
@bp.response(200, s.RecordOut)
@problem_docs(400, 404)
def official_records(args, official: User):
    """Course completions, quiz results (score and pass only) and external training."""
    year = args.get("year") or local_date(utcnow()).year
    record = records.official_record(official, year, today=local_date(utcnow()))
    return {
        "username": official.username,
        "year": year,
        "courses": [
            {
                "slug": row.slug,
                "title": row.title,
                "lessons_completed": row.lessons_completed,
                "lesson_count": row.lesson_count,
                "completed_at": row.completed_at,
                "quiz_grade": row.quiz_grade,
            }
            for row in record.rows
        ],
        "quiz_results": [_quiz_result(a) for a in record.attempts if a.submitted_at is not None],
        "external_training": [_external_dict(e) for e in record.external if e.year == year],
    }


def _quiz_result(attempt: QuizAttempt) -> dict[str, Any]:
    return {
        "quiz": attempt.quiz.slug,
        "title": attempt.quiz.title,
        "number": attempt.number,
        "submitted_at": attempt.submitted_at,
        "score": attempt.score,
        "passed": attempt.passed,
    }


def _external_dict(record) -> dict[str, Any]:
    return {
        "id": record.id,
        "year": record.year,
        "title": record.title,
        "provider": record.provider,
        "hours": record.hours,
        "start_date": record.start_date,
        "end_date": record.end_date,
        "source": record.source,
    }


EXTERNAL_ERRORS = {
    services.EndsInFuture: "ends_in_future",
    services.EndsBeforeStart: "ends_before_start",
    services.NotPositive: "hours_not_positive",
}


@bp.route("/officials/<username>/external-training", methods=["POST"])
@scoped_official
@bp.arguments(s.ExternalTrainingIn)
@bp.response(201, s.ExternalTrainingOut)
@problem_docs(400, 403, 404)
def add_external_training(data, official: User):
    """Record training done elsewhere, with the checks of HR's form (needs a write token)."""
    try:
        record = services.add_external_training(
            official,
            title=data["title"],
            provider=data["provider"],
            hours=Decimal(str(data["hours"])).quantize(Decimal("0.01")),
            start_date=data["start_date"],
            end_date=data["end_date"],
            note=data["note"],
            file=None,
            created_by=None,
            api_client=_client(),
            source="api",
            now=utcnow(),
            address=request.remote_addr,
        )
    except tuple(EXTERNAL_ERRORS) as exc:
        code = EXTERNAL_ERRORS[type(exc)]
        raise Problem(400, code, _msg(code)) from None
    return _external_dict(record)


# --- Roster upsert --------------------------------------------------------------------------


@bp.route("/roster", methods=["POST"])
@bp.arguments(s.RosterArgs, location="query")
@bp.arguments(s.RosterIn)
@bp.response(200, s.RosterOut)
@bp.alt_response(400, schema=s.RosterProblemOut, content_type=PROBLEM)
@problem_docs(403, 413)
def roster_upsert(args, data):
    """Roster upsert: create, update, move and deactivate officials of the client's units.

    The roster import's checks, all or nothing: any bad row gives a 400 listing every bad row
    in `rows`, and nothing is written. `dry_run=true` checks and answers the same, writing
    nothing. New accounts' temporary passwords are in this answer only. Needs a write token.
    """
    records = data["officials"]
    try:
        rows = roster.rows_from_records(records, first_line=0)  # "line" = index in the array
    except TableError as exc:  # the schema allows only known fields: not expected
        raise Problem(400, "invalid_request", str(exc)) from None
    report = roster.import_roster(
        rows,
        actor=_client(),
        dry_run=args["dry_run"],
        now=utcnow(),
        address=request.remote_addr,
    )
    if report.errors or report.dry_run:
        g.api_wrote_nothing = True
        db.session.rollback()
    if report.errors:
        bad = [
            {
                "index": line,
                "username": records[line].get("username"),
                "message": message,
            }
            for line, message in report.errors
        ]
        raise Problem(400, "roster_rejected", _msg("roster_rejected"), extensions={"rows": bad})
    return {
        "dry_run": report.dry_run,
        "counts": {
            "created": len(report.created),
            "updated": len(report.updated),
            "moved": len(report.moved),
            "deactivated": len(report.deactivated),
            "unchanged": report.unchanged,
        },
        **{
            name: [change.username for change in getattr(report, name)]
            for name in ("created", "updated", "moved", "deactivated")
        },
        "temporary_passwords": [
            {
                "username": account.username,
                "full_name": account.full_name,
                "unit_code": account.unit_code,
                "temporary_password": account.password,
            }
            for account in report.passwords
        ],
    }


# --- Compliance ------------------------------------------------------------------------------


def _filter(args) -> tables.OfficialFilter:
    return tables.OfficialFilter(
        unit=_unit_or_404(args["unit"]) if args.get("unit") else None,
        position=args.get("position", ""),
        status=args.get("status", ""),
    )


@bp.route("/compliance/<int:year>/officials")
@bp.arguments(s.ComplianceArgs, location="query")
@bp.response(200, s.ComplianceRowPage)
@problem_docs(400, 404)
def compliance_officials(args, year: int):
    """Each official's status under the year's standard: the rows of HR's table and exports."""
    standard = _standard_or_404(year)
    flt = _filter(args)
    rows, last = tables.official_rows_after(
        _client(),
        standard,
        flt,
        today=local_date(utcnow()),
        after_id=_decode(args.get("cursor")),
        limit=args["limit"],
    )
    labels: dict = {}
    reasons: dict = {}
    items = []
    for row in rows:
        result = row.result
        if result not in reasons:
            reasons[result] = reason(result, standard)
        if result.status not in labels:
            labels[result.status] = status_label(result.status)
        items.append(
            {
                "username": row.username,
                "full_name": row.full_name,
                "unit_code": row.unit_code,
                "position_code": row.position_code,
                "status": str(result.status),
                "status_label": labels[result.status],
                "reason": reasons[result],
                "required_done": result.required_done,
                "required_total": result.required_total,
                "missing_courses": list(result.missing),
                "hours": result.hours,
                "hours_required": result.hours_required,
                "deadline": result.deadline,
            }
        )
    return {"items": items, "next_cursor": _encode(last) if last is not None else None}


@bp.route("/compliance/<int:year>/units")
@bp.arguments(s.ComplianceUnitArgs, location="query")
@bp.response(200, s.UnitSummariesOut)
@problem_docs(400, 404)
def compliance_units(args, year: int):
    """Counts per status for each unit one level below `unit` (default: the client's unit; a
    client of several units gets one line per unit) and the total: the units table of HR's
    page and exports (one level of the tree: no paging)."""
    standard = _standard_or_404(year)
    flt = _filter(args)
    today = local_date(utcnow())
    roots = [flt.unit] if flt.unit is not None else sorted(_client().units, key=lambda u: u.path)
    if len(roots) == 1:
        flt = replace(flt, unit=roots[0])
        summaries, total = tables.unit_summaries(_client(), standard, flt, today=today)
    else:  # several subtrees: one line for each, and their total
        summaries = [
            tables.unit_summaries(_client(), standard, replace(flt, unit=root), today=today)[1]
            for root in roots
        ]
        total = services.UnitSummary(unit=None)
        for summary in summaries:
            total.counts.update(summary.counts)

    def line(summary) -> dict[str, Any]:
        share = summary.compliant_share
        return {
            "unit_code": summary.unit.code if summary.unit else None,
            "unit_name": summary.unit.name if summary.unit else None,
            "officials": sum(summary.counts.values()),
            "counts": {str(k): v for k, v in summary.counts.items()},
            "compliant_share": float(share) if share is not None else None,
        }

    return {"year": year, "items": [line(x) for x in summaries], "total": line(total)}


@bp.route("/standards/<int:year>")
@bp.response(200, s.StandardOut)
@problem_docs(404)
def standard(year: int):
    """The declared standard of a year: dates, hours, courses (for everyone or a position)."""
    found = _standard_or_404(year)
    return {
        "year": found.year,
        "title": found.title,
        "version": found.version,
        "issuer": found.issuer,
        "legal_basis": list(found.legal_basis or []),
        "start_date": found.start_date,
        "deadline": found.deadline,
        "min_hours": found.min_hours,
        "pass_mark": found.pass_mark,
        "external_hours_cap": found.external_hours_cap,
        "count_external": found.count_external,
        "min_months_worked": found.min_months_worked,
        "joined_after": found.joined_after,
        "unit_kinds": found.unit_kinds,
        "unit_codes": found.unit_codes,
        "position_codes": found.position_codes,
        "courses": [
            {
                "slug": course.slug,
                "title": course.title,
                "position_code": position.code if position else None,
            }
            for course, position in compliance_queries.required_courses(found)
        ],
    }


@bp.route("/certificates/<code>")
@bp.response(200, s.CertificateOut)
@problem_docs(404)
def certificate(code: str):
    """Verify a certificate by its code (as the public verification page does)."""
    found = find_certificate(code)
    if found is None:
        raise Problem(404, "certificate_not_found", _msg("certificate_not_found"))
    return {
        "code": found.code,
        "kind": found.kind,
        "title": found.title,
        "holder_name": found.holder_name,
        "year": found.year,
        "completed_on": found.completed_on,
        "issued_at": found.issued_at,
        "details": list(found.details or []),
    }
