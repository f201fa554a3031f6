"""``db backup`` and ``db restore``: back up, destroy, restore, and every record is back."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select

from app.models import QuizAttempt, Unit, User, db
from tests import factories
from tests.quiz.test_attempts import load_quiz, right_form, start


@pytest.fixture
def world(app, content_dirs):
    """Units, officials, a quiz loaded from files, a submitted attempt with its answers."""
    quiz = load_quiz(content_dirs)
    units = factories.make_unit_tree()
    people = [factories.make_user(f"cc{n}", unit=units["A"]) for n in range(3)]
    db.session.commit()
    client = app.test_client()
    client.post(
        "/auth/login", data={"username": people[0].username, "password": factories.PASSWORD}
    )
    attempt = start(client, quiz)
    assert (
        client.post(f"/quiz/attempts/{attempt.id}/submit", data=right_form(attempt)).status_code
        == 302
    )
    db.session.remove()
    return snapshot()


def snapshot() -> dict[str, list]:
    """Every row of every table, in a stable order."""
    db.session.remove()
    rows = {
        table.name: sorted((tuple(row) for row in db.session.execute(select(table))), key=repr)
        for table in db.metadata.sorted_tables
    }
    db.session.remove()
    return rows


def destroy() -> None:
    """The SQLite file and its journal deleted; on PostgreSQL every table dropped."""
    db.session.remove()
    if db.engine.dialect.name == "sqlite":
        database = Path(db.engine.url.database)
        db.engine.dispose()
        for path in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
            path.unlink(missing_ok=True)
        assert not database.exists()
    else:
        db.drop_all()


def test_backup_destroy_restore_finds_every_record(world, runner, tmp_path):
    assert len(world["user"]) == 3 and len(world["quiz_attempt"]) == 1
    assert world["attempt_question"]  # the answers of the attempt
    backup = tmp_path / "backup.dump"
    result = runner.invoke(args=["db", "backup", str(backup)])
    assert result.exit_code == 0, result.output
    assert backup.stat().st_size > 0
    destroy()
    result = runner.invoke(args=["db", "restore", str(backup)])
    assert result.exit_code == 0, result.output
    assert "Restored" in result.output
    assert snapshot() == world
    attempt = db.session.scalar(select(QuizAttempt))
    assert attempt.score == 100


def test_restore_replaces_a_database_with_tables_only_with_yes(world, runner, tmp_path):
    backup = tmp_path / "backup.dump"
    assert runner.invoke(args=["db", "backup", str(backup)]).exit_code == 0
    unit = db.session.scalar(select(Unit).where(Unit.code == "A"))
    factories.make_user("later", unit=unit)
    db.session.commit()

    result = runner.invoke(args=["db", "restore", str(backup)])
    assert result.exit_code == 1
    assert "--yes" in result.output
    assert db.session.scalar(select(User).where(User.username == "later")) is not None

    result = runner.invoke(args=["db", "restore", str(backup), "--yes"])
    assert result.exit_code == 0, result.output
    assert "replaced" in result.output
    assert snapshot() == world


def test_restore_refuses_a_file_that_is_no_backup(world, runner, tmp_path):
    junk = tmp_path / "notes.txt"
    junk.write_text("not a backup\n" * 100)
    for args in ([str(junk), "--yes"], [str(tmp_path / "missing.dump"), "--yes"]):
        result = runner.invoke(args=["db", "restore", *args])
        assert result.exit_code == 1
        assert "Error:" in result.output
    assert snapshot() == world


def test_a_failed_backup_leaves_no_file(app, runner, tmp_path):
    target = tmp_path / "no-such-dir" / "backup.dump"
    result = runner.invoke(args=["db", "backup", str(target)])
    assert result.exit_code == 1
    assert "is not a directory" in result.output
    assert not target.exists()


def test_sqlite_backup_while_a_request_is_writing(world, runner, tmp_path):
    """The site runs on: a writer is in the middle of a transaction; the backup is taken
    anyway and holds what was committed, not the half-written change."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    writer = sqlite3.connect(db.engine.url.database, timeout=15)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE user SET full_name = 'Half written' WHERE username = 'cc1'")
    backup = tmp_path / "backup.db"
    try:
        result = runner.invoke(args=["db", "backup", str(backup)])
    finally:
        writer.commit()
        writer.close()
    assert result.exit_code == 0, result.output
    copy = sqlite3.connect(backup)
    names = {row[0] for row in copy.execute("SELECT full_name FROM user")}
    copy.close()
    assert "Half written" not in names and len(names) == 3
