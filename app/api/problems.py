"""Errors of the API as RFC 9457 problem details: ``application/problem+json`` with a stable
``code`` for programs and a Vietnamese ``detail`` for people."""

from __future__ import annotations

from typing import Any

from flask import Response, json
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

PROBLEM_TYPE = "https://boiduong.invalid/api/problems/"

# Stable codes by HTTP status, for the errors that carry no code of their own.
BY_STATUS = {
    400: ("invalid_request", _l("The request is not valid.")),
    401: ("unauthorized", _l("A valid API token is required (Authorization: Bearer …).")),
    403: ("forbidden", _l("This token may not do that.")),
    404: ("not_found", _l("Not found, or outside this client's scope.")),
    405: ("method_not_allowed", _l("This method is not allowed here.")),
    413: ("too_large", _l("The request is too large.")),
    429: ("rate_limited", _l("Too many requests: wait before trying again.")),
    500: ("server_error", _l("Server error: the request was not applied.")),
}


# Codes of the API's own errors.
MESSAGES = {
    "unauthorized": BY_STATUS[401][1],
    "invalid_token": _l("This API token is unknown, revoked or expired."),
    "read_only_token": _l("This API token is read-only."),
    "rate_limited": BY_STATUS[429][1],
    "invalid_cursor": _l("The cursor is not valid: start again from the first page."),
    "unit_not_found": _l("No such unit in this client's scope."),
    "official_not_found": _l("No such official in this client's scope."),
    "certificate_not_found": _l("No certificate has this code."),
    "no_standard": _l("No standard is declared for this year."),
    "ends_in_future": _l("The training cannot end in the future."),
    "ends_before_start": _l("The training ends before it starts."),
    "hours_not_positive": _l("The hours must be positive."),
    "roster_rejected": _l("Some officials are not valid (see rows): nothing was written."),
}


class Problem(HTTPException):
    """An API error with its own stable code and message."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: Any,
        *,
        errors: dict | None = None,
        extensions: dict[str, Any] | None = None,
    ):
        super().__init__(description=str(detail))
        self.code = status
        self.problem_code = code
        self.detail = detail
        self.errors = errors
        self.extensions = extensions or {}  # RFC 9457 extension members, e.g. ``rows``


def problem_response(error: HTTPException) -> Response:
    """The problem document of any HTTP error raised under ``/api/``."""
    status = error.code or 500
    code, detail = BY_STATUS.get(status, ("error", error.name))
    errors = None
    if isinstance(error, Problem):
        code, detail, errors = error.problem_code, error.detail, error.errors
    else:
        data = getattr(error, "data", None) or {}
        if status in (400, 422) and "messages" in data:  # the schema's validation errors
            code, status = "validation_failed", 400
            detail = _l("Some fields are not valid: see errors.")
            errors = data["messages"]
    with force_locale("vi"):
        body = {
            "type": PROBLEM_TYPE + code,
            "title": code.replace("_", " "),
            "status": status,
            "code": code,
            "detail": str(detail),
        }
    if errors is not None:
        body["errors"] = errors
    if isinstance(error, Problem):
        body.update(error.extensions)
    response = Response(
        json.dumps(body, ensure_ascii=False), status=status, mimetype="application/problem+json"
    )
    if status == 401:
        response.headers["WWW-Authenticate"] = "Bearer"
    retry_after = getattr(error, "retry_after", None)
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    return response
