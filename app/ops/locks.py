"""One scheduled job at a time across every application server.

Cron runs ``quiz close-overdue`` and ``notify reminders`` on every application server (so that
losing one server loses no job); :func:`job_lock` lets one of them run and the others stop at
once. On PostgreSQL it is a session-level advisory lock (``pg_try_advisory_lock``) held on a
connection of its own while the job runs, so the job's own commits do not release it, and the
server releases it if the process dies. On SQLite every process shares one file on one machine,
so the lock is an exclusive ``flock`` on a file next to the database, likewise released by the
operating system if the process dies (no stale lock to clean up). An in-memory database lives
in one process: a lock of that process.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text

from app.models import db

_memory_locks: dict[str, threading.Lock] = {}
_memory_guard = threading.Lock()


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for ``pg_try_advisory_lock`` (the same in every process)."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


@contextmanager
def job_lock(name: str) -> Iterator[bool]:
    """``with job_lock("quiz close-overdue") as acquired:``; ``acquired`` is False when the
    same job is running elsewhere (never waits)."""
    engine = db.engine
    if engine.dialect.name == "postgresql":
        with _advisory_lock(engine, lock_key(name)) as acquired:
            yield acquired
    elif engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:"):
        with _file_lock(Path(engine.url.database), name) as acquired:
            yield acquired
    else:
        with _memory_lock(name) as acquired:
            yield acquired


@contextmanager
def _advisory_lock(engine, key: int) -> Iterator[bool]:
    with engine.connect() as connection:
        acquired = connection.execute(
            text("SELECT pg_try_advisory_lock(:key)"), {"key": key}
        ).scalar_one()
        connection.commit()  # the lock belongs to the session, not to this transaction
        try:
            yield bool(acquired)
        finally:
            if acquired:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                connection.commit()


def lock_file_path(database: Path, name: str) -> Path:
    slug = "".join(c if c.isalnum() else "-" for c in name)
    return database.with_name(f"{database.name}.{slug}.lock")


@contextmanager
def _file_lock(database: Path, name: str) -> Iterator[bool]:
    path = lock_file_path(database, name)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())  # who holds it, for a curious operator
            yield True
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


@contextmanager
def _memory_lock(name: str) -> Iterator[bool]:
    with _memory_guard:
        lock = _memory_locks.setdefault(name, threading.Lock())
    if not lock.acquire(blocking=False):
        yield False
        return
    try:
        yield True
    finally:
        lock.release()
