"""``/healthz`` for load balancers and monitoring: no login, no session, no page."""

from __future__ import annotations

from flask import Blueprint, jsonify

from app.ops import health

bp = Blueprint("ops", __name__)


@bp.get("/healthz")
def healthz():
    """200 ``{"status": "ok"}`` when the database answers, 503 otherwise (the proxy then
    sends visitors to the other application servers)."""
    ok = health.database_answers()
    response = jsonify({"status": "ok" if ok else "unavailable"})
    response.status_code = 200 if ok else 503
    response.headers["Cache-Control"] = "no-store"
    return response
