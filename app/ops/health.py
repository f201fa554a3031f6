"""Whether the database answers, for ``/healthz``."""

from __future__ import annotations

import logging

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.models import db

logger = logging.getLogger(__name__)


def database_answers() -> bool:
    """One trivial query; any database error (down, unreachable, file missing) is False."""
    try:
        db.session.execute(text("SELECT 1")).scalar_one()
    except SQLAlchemyError as exc:
        logger.warning("health check: the database does not answer: %s", exc)
        db.session.rollback()
        return False
    return True
