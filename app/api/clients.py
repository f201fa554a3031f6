"""API clients: creation and revocation (pages and command line), bearer-token checks and
the per-client rate limit.

Only the SHA-256 of a token is stored: tokens are 256 random bits, so a slow hash adds
nothing. Checking a token, counting the request in its minute and recording the last use
happen in one short transaction on a connection of their own (``_touch``), never through the
ORM session: a GET must not flush, and the count must hold even when the request fails.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app import audit
from app.models import ApiClient, ApiRateWindow, Unit, User, db
from app.people.scope import can_see_unit

logger = logging.getLogger(__name__)

TOKEN_PREFIX = "bdcc_"


class ClientError(Exception):
    pass


class DuplicateName(ClientError):
    pass


class NoUnits(ClientError):
    pass


class UnitOutOfScope(ClientError):
    pass


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_client(
    name: str,
    units: list[Unit],
    *,
    can_write: bool,
    days: int | None,
    created_by: User | None,
    now: datetime,
    address: str | None = None,
) -> tuple[ApiClient, str]:
    """A new client and its token (returned once, never stored). HR may only give units of
    their own scope."""
    name = name.strip()
    if not units:
        raise NoUnits("a client needs at least one unit")
    if created_by is not None and not all(can_see_unit(created_by, unit) for unit in units):
        raise UnitOutOfScope("a unit outside the creator's scope")
    if db.session.scalar(select(ApiClient.id).where(ApiClient.name == name)) is not None:
        raise DuplicateName(name)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    client = ApiClient(
        name=name,
        token_hash=hash_token(token),
        token_prefix=token[: len(TOKEN_PREFIX) + 4],
        can_write=can_write,
        expires_at=now + timedelta(days=days) if days else None,
        created_at=now,
        created_by_id=created_by.id if created_by is not None else None,
        units=list(units),
    )
    db.session.add(client)
    db.session.flush()
    logger.info("API client created: id=%s name=%r write=%s", client.id, name, can_write)
    audit.record(
        created_by,
        "api_client.create",
        client,
        after={
            "name": name,
            "units": [unit.code for unit in units],
            "can_write": can_write,
            "expires_at": client.expires_at.isoformat() if client.expires_at else None,
        },
        address=address or audit.CLI,
        unit=units[0],
        now=now,
    )
    return client, token


def revoke_client(
    client: ApiClient, *, now: datetime, by: User | None = None, address: str | None = None
) -> None:
    if client.revoked_at is None:
        client.revoked_at = now
        db.session.flush()
        logger.info("API client revoked: id=%s name=%r", client.id, client.name)
        audit.record(
            by,
            "api_client.revoke",
            client,
            after={"name": client.name},
            address=address or audit.CLI,
            unit=client.units[0] if client.units else None,
            now=now,
        )


def client_named(name: str) -> ApiClient | None:
    return db.session.scalar(select(ApiClient).where(ApiClient.name == name.strip()))


def clients_visible_to(viewer: User) -> list[ApiClient]:
    """Admins see every client; HR the clients whose units are all inside their scope."""
    clients = db.session.scalars(select(ApiClient).order_by(ApiClient.name)).all()
    return [c for c in clients if all(can_see_unit(viewer, unit) for unit in c.units)]


@dataclass(frozen=True)
class Check:
    """The outcome of a bearer token: a client id, or why not; ``retry_after`` when limited."""

    client_id: int | None
    retry_after: int | None = None


def check_token(token: str, *, now: datetime) -> Check:
    """Find the client of ``token``, count the request in its minute and record the use, in a
    transaction of its own. Over ``API_RATE_LIMIT`` requests a minute: ``retry_after`` is the
    number of seconds until the next minute."""
    limit = current_app.config["API_RATE_LIMIT"]
    minute = int(_epoch_seconds(now) // 60)
    with db.engine.begin() as conn:
        row = conn.execute(
            select(ApiClient.id, ApiClient.revoked_at, ApiClient.expires_at).where(
                ApiClient.token_hash == hash_token(token)
            )
        ).first()
        if row is None or row.revoked_at is not None or (row.expires_at and row.expires_at <= now):
            return Check(client_id=None)
        insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
        stmt = insert(ApiRateWindow).values(client_id=row.id, minute=minute, requests=1)
        stmt = stmt.on_conflict_do_update(
            index_elements=["client_id", "minute"],
            set_={"requests": ApiRateWindow.requests + 1},
        ).returning(ApiRateWindow.requests)
        count = conn.execute(stmt).scalar_one()
        conn.execute(
            delete(ApiRateWindow).where(
                ApiRateWindow.client_id == row.id, ApiRateWindow.minute < minute - 1
            )
        )
        conn.execute(update(ApiClient).where(ApiClient.id == row.id).values(last_used_at=now))
    if count > limit:
        return Check(client_id=row.id, retry_after=max(1, 60 - int(_epoch_seconds(now)) % 60))
    return Check(client_id=row.id)


def _epoch_seconds(naive_utc: datetime) -> float:
    return (naive_utc - datetime(1970, 1, 1)).total_seconds()
