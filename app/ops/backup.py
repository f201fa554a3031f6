"""Backups and restores of the whole database, for ``flask --app run.py db backup|restore``.

SQLite: the online backup API (``sqlite3.Connection.backup``), a consistent copy taken page by
page while the site keeps reading and writing. PostgreSQL: ``pg_dump`` in its custom format and
``pg_restore``, the programs of the server's major version (``/usr/lib/postgresql/<major>/bin``,
else ``PG_BIN``, else the ``PATH``). A restore replaces a database that has tables only when
asked to (``replace=True``); a SQLite file that is gone is created again.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import SQLAlchemyError

from app.models import db

PG_LIB = Path("/usr/lib/postgresql")


class BackupError(Exception):
    """Something an operator can act on: printed as is, the command fails."""


@dataclass(frozen=True)
class Restored:
    tables: int
    replaced: bool  # the database had tables before


def backup(path: Path) -> None:
    """Write a backup of the whole database to ``path`` (atomically: a failed backup leaves
    nothing at ``path``, and an older file there stays until the new one is complete)."""
    path = path.resolve()
    if not path.parent.is_dir():
        raise BackupError(f"{path.parent} is not a directory.")
    partial = path.with_name(path.name + ".part")
    partial.unlink(missing_ok=True)
    try:
        if db.engine.dialect.name == "postgresql":
            _pg_dump(partial)
        else:
            _sqlite_backup(partial)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def restore(path: Path, *, replace: bool) -> Restored:
    """Put the database back as it was in the backup at ``path``. A database that has any
    table is replaced only with ``replace``; nothing is changed when the file is no backup."""
    if not path.is_file():
        raise BackupError(f"{path}: no such file.")
    engine = db.engine
    if engine.dialect.name == "postgresql":
        _check_pg_archive(path)
    else:
        _check_sqlite_file(path)
    existing = _table_count()
    if existing and not replace:
        raise BackupError(
            f"The database already has {existing} table(s): add --yes to replace it "
            "with the backup (everything written since the backup is lost)."
        )
    db.session.remove()
    engine.dispose()  # no pooled connection keeps a lock or an old view of the database
    if engine.dialect.name == "postgresql":
        _pg_restore(path)
    else:
        _sqlite_restore(path)
    engine.dispose()
    return Restored(tables=_table_count(), replaced=bool(existing))


def _table_count() -> int:
    try:
        with db.engine.connect() as connection:
            return len(inspect(connection).get_table_names())
    except SQLAlchemyError as exc:
        raise BackupError(f"The database does not answer: {exc}") from exc


# --- SQLite --------------------------------------------------------------------------------


def _sqlite_database() -> str | None:
    """The file of the SQLite database, None in memory."""
    database = db.engine.url.database
    return None if database in (None, "", ":memory:") else database


def _sqlite_backup(target: Path) -> None:
    database = _sqlite_database()
    if database is not None and not Path(database).is_file():
        raise BackupError(f"{database}: the database file does not exist.")
    raw = db.engine.raw_connection()  # the engine's own connection: in memory too
    try:
        copy = sqlite3.connect(target)
        try:
            raw.driver_connection.backup(copy)
        finally:
            copy.close()
    finally:
        raw.close()


def _read_only(path: Path) -> str:
    """A URI that opens ``path`` read-only (and never creates it)."""
    return f"{path.resolve().as_uri()}?mode=ro"


def _check_sqlite_file(path: Path) -> None:
    try:
        connection = sqlite3.connect(_read_only(path), uri=True)
        try:
            result = connection.execute("PRAGMA quick_check").fetchone()
            tables = connection.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
            ).fetchone()[0]
        finally:
            connection.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is not a SQLite backup: {exc}") from exc
    if result != ("ok",):
        raise BackupError(f"{path} is damaged: {result[0]}")
    if not tables:
        raise BackupError(f"{path} is an empty database: nothing to restore.")


def _sqlite_restore(path: Path) -> None:
    database = _sqlite_database()
    source = sqlite3.connect(_read_only(path), uri=True)
    try:
        if database is None:
            raw = db.engine.raw_connection()
            try:
                source.backup(raw.driver_connection)
            finally:
                raw.close()
            return
        Path(database).parent.mkdir(parents=True, exist_ok=True)
        target = sqlite3.connect(database, timeout=15)
        try:
            source.backup(target)  # page by page, under SQLite's own locks
        finally:
            target.close()
    finally:
        source.close()


# --- PostgreSQL ----------------------------------------------------------------------------


def pg_program(name: str) -> Path:
    """``pg_dump`` or ``pg_restore`` of the server's major version (an older one refuses to
    dump a newer server): ``/usr/lib/postgresql/<major>/bin``, then ``PG_BIN``, then the
    ``PATH``."""
    with db.engine.connect() as connection:
        major = int(connection.execute(text("SHOW server_version_num")).scalar_one()) // 10000
    candidates = [PG_LIB / str(major) / "bin" / name]
    if os.environ.get("PG_BIN"):
        candidates.append(Path(os.environ["PG_BIN"]) / name)
    if shutil.which(name):
        candidates.append(Path(shutil.which(name)))
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            if candidate == candidates[0] or _major_of(candidate) >= major:
                return candidate
    raise BackupError(
        f"{name} for PostgreSQL {major} was not found: install postgresql-client-{major} "
        "or set PG_BIN to the directory that holds it."
    )


def _major_of(program: Path) -> int:
    output = subprocess.run(
        [str(program), "--version"], capture_output=True, text=True, check=False
    ).stdout
    try:
        return int(output.split()[-1].split(".")[0])
    except (IndexError, ValueError):
        return 0


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """The database URL as libpq reads it, the password in the environment (not in ``ps``)."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return url.set(drivername="postgresql", password=None).render_as_string(False), env


def _run(args: list[str], env: dict[str, str], what: str) -> None:
    result = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"{what} failed: {result.stderr.strip() or result.stdout.strip()}")


def _pg_dump(target: Path) -> None:
    conninfo, env = _libpq(db.engine.url)
    program = pg_program("pg_dump")
    _run([str(program), "--format=custom", "--file", str(target), conninfo], env, "pg_dump")


def _check_pg_archive(path: Path) -> None:
    program = pg_program("pg_restore")
    result = subprocess.run(
        [str(program), "--list", str(path)], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BackupError(f"{path} is not a pg_dump backup: {result.stderr.strip()}")


def _pg_restore(path: Path) -> None:
    conninfo, env = _libpq(db.engine.url)
    program = pg_program("pg_restore")
    _run(
        [
            str(program),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            "--dbname",
            conninfo,
            str(path),
        ],
        env,
        "pg_restore",
    )
