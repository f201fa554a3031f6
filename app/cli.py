"""Command groups under ``flask --app run.py``: thin wrappers over services."""

from __future__ import annotations

import functools
import json
import sys
import time
from datetime import timedelta
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from app import audit, demo
from app.api import clients as api_clients
from app.auth import services as auth_services
from app.compliance import exports, kept, notify, tables
from app.compliance import queries as compliance_queries
from app.content import loader
from app.content.citations import citing_files
from app.content.errors import ContentErrors
from app.content.gift import inspect_dict, parse_gift
from app.content.legal import read_register
from app.content.quizzes import PARSERS
from app.models import Role, Unit, db, local_date, utcnow
from app.ops import backup, locks
from app.people import services as people
from app.people.commands import people_cli
from app.progress import services as progress
from app.quiz import services as quiz_services

content_cli = AppGroup("content", help="Check and load courses and quizzes from files.")
users_cli = AppGroup("users", help="Accounts of officials, HR and admins.")
org_cli = AppGroup("org", help="Organisation reference data: job positions.")
demo_cli = AppGroup("demo", help="Demo data for trying the site.")
quiz_cli = AppGroup("quiz", help="Question files and quiz attempts.")
report_cli = AppGroup("report", help="Compliance reports for scheduled jobs.")
notify_cli = AppGroup("notify", help="Reminders by e-mail (or to the outbox).")
api_cli = AppGroup("api", help="Clients of the JSON API (/api/v1) and their tokens.")
compliance_cli = AppGroup("compliance", help="The kept compliance statuses.")


def _one_at_a_time(name: str):
    """A scheduled job that cron may start on every application server at once: one runs, the
    others say so and exit 0 (app/ops/locks.py)."""

    def decorate(command):
        @functools.wraps(command)
        def run(*args, **kwargs):
            with locks.job_lock(name) as acquired:
                if not acquired:
                    click.echo(f"{name} is already running elsewhere: nothing done.")
                    return None
                return command(*args, **kwargs)

        return run

    return decorate


def _read_all():
    courses_dir = Path(current_app.config["COURSES_DIR"])
    folders = [p for p in courses_dir.iterdir() if p.is_dir()] if courses_dir.is_dir() else []
    with click.progressbar(length=len(folders), label="Reading content", file=sys.stderr) as bar:
        content, errors = loader.read_content(
            courses_dir, current_app.config["QUIZZES_DIR"], on_progress=lambda _name: bar.update(1)
        )
    return content, errors


def _report_errors(errors) -> None:
    for error in errors:
        click.echo(str(error), err=True)


def _problems(content, errors, strict: bool):
    """Print every problem (errors and warnings, by file and line) on standard error; return
    the ones that stop the command (warnings too with ``--strict``)."""
    if strict:
        errors = sorted([*errors, *(w.as_error() for w in content.warnings)])
    _report_errors(sorted([*errors, *([] if strict else content.warnings)]))
    return errors


_STRICT = click.option("--strict", is_flag=True, help="Treat warnings as errors.")


@content_cli.command("check")
@_STRICT
def check_content_command(strict: bool):
    """Validate every course and quiz file; print problems as path:line: message
    (path:line: warning: message for warnings, which do not fail the check)."""
    content, errors = _read_all()
    errors = _problems(content, errors, strict)
    if errors:
        raise click.ClickException(f"{len(errors)} problem(s) found.")
    click.echo(
        f"OK: {len(content.courses)} courses, "
        f"{sum(len(c.lessons) for c in content.courses)} lessons, "
        f"{len(content.quizzes)} quizzes, "
        f"{sum(len(q.questions) for q in content.quizzes)} questions, "
        f"{len(content.standards)} standards"
        + (f", {len(content.warnings)} warning(s)." if content.warnings else ".")
    )


@content_cli.command("load")
@_STRICT
def load_content_command(strict: bool):
    """Load files into the database in one transaction; a broken file loads nothing."""
    content, errors = _read_all()
    errors = _problems(content, errors, strict)
    if errors:
        raise click.ClickException(f"Aborted: {len(errors)} error(s), nothing changed.")
    now = utcnow()
    try:
        report = loader.load_content(content, now=now)
    except ContentErrors as exc:
        db.session.rollback()
        _report_errors(exc.errors)
        raise click.ClickException(
            f"Aborted: {len(exc.errors)} error(s), nothing changed."
        ) from None
    progress.refresh_after_load(report.lesson_course_ids, report.course_ids, now=now)
    audit.record(
        None,
        "content.load",
        object_type="content",
        after={
            "created": report.created,
            "updated": report.updated,
            "deactivated": report.deactivated,
            "unchanged": report.unchanged,
        },
        address=audit.CLI,
        now=now,
    )
    db.session.commit()
    for line in report.created:
        click.echo(f"created {line}")
    for line in report.updated:
        click.echo(f"updated {line}")
    for line in report.deactivated:
        click.echo(f"deactivated {line}")
    click.echo(
        f"Loaded: {len(report.created)} created, {len(report.updated)} updated, "
        f"{len(report.deactivated)} deactivated, {report.unchanged} unchanged."
    )


@content_cli.command("sources")
@click.argument("doc_id", required=False)
def content_sources_command(doc_id: str | None):
    """List the lessons and questions citing each legal document (or document DOC_ID): one
    line per citing file, its path first. Read from the files; no database needed."""
    courses_dir = Path(current_app.config["COURSES_DIR"])
    register, register_errors = read_register(courses_dir)
    _report_errors(register_errors)
    found = citing_files(courses_dir, Path(current_app.config["QUIZZES_DIR"]))
    order = {doc: index for index, doc in enumerate(register.documents)}
    found.sort(key=lambda f: (order.get(f.doc, len(order)), f.doc, f.path))
    if doc_id is not None:
        found = [f for f in found if f.doc == doc_id]
        if not found and register.get(doc_id) is None:
            raise click.ClickException(f"'{doc_id}' is not in {register.path} and nobody cites it.")
    for item in found:
        click.echo(item.describe())
    cited = {f.doc for f in found}
    for document in register.documents.values():
        if document.id not in cited and doc_id in (None, document.id):
            click.echo(f"{register.path}:{document.line}: {document.id} is cited by no file")


@users_cli.command("create-admin")
@click.argument("username")
@click.option("--full-name", default="Quản trị hệ thống", show_default=True)
def create_admin_command(username: str, full_name: str):
    """Create an admin account; the password is asked, or read from standard input."""
    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    if len(password) < 10:
        raise click.ClickException("The password must have at least 10 characters.")
    try:
        user = people.create_user(username, full_name, password, role=Role.ADMIN)
    except people.PeopleError as exc:
        raise click.ClickException(str(exc)) from None
    audit.record(
        None,
        "account.create",
        user,
        after={"username": user.username, "full_name": user.full_name, "role": user.role},
        address=audit.CLI,
    )
    db.session.commit()
    click.echo(f"Admin '{username.strip().lower()}' created.")


@users_cli.command("purge-sessions")
def purge_sessions_command():
    """Forget sessions older than the remember-me cookie and failed sign-ins older than the
    throttling window (run daily from cron)."""
    config, now = current_app.config, utcnow()
    remember = config.get("REMEMBER_COOKIE_DURATION", timedelta(days=365))
    sessions = auth_services.purge_sessions(before=now - remember)
    window = timedelta(minutes=config["LOGIN_WINDOW_MINUTES"])
    failures = auth_services.purge_login_failures(before=now - window)
    db.session.commit()
    click.echo(f"Purged {sessions} session(s) and {failures} failed sign-in(s).")


@org_cli.command("sync-positions")
def sync_positions_command():
    """Create or update the job positions from app/data/positions.yml."""
    created, updated = people.sync_positions()
    audit.record(
        None,
        "positions.sync",
        object_type="position",
        after={"created": created, "updated": updated},
        address=audit.CLI,
    )
    db.session.commit()
    click.echo(f"Positions: {created} created, {updated} updated.")


@demo_cli.command("seed")
def seed_demo_command():
    """Create a demo province with communes, officials, HR and an admin (safe to re-run)."""
    now = utcnow()
    logins = demo.seed(
        now=now,
        progress=lambda items, label: click.progressbar(items, label=label, file=sys.stderr),
    )
    audit.record(
        None,
        "demo.seed",
        object_type="demo",
        after={"logins": [username for _role, username, _description in logins]},
        address=audit.CLI,
        now=now,
    )
    db.session.commit()
    click.echo(f"Demo logins (password for all: {demo.PASSWORD}):")
    for role, username, description in logins:
        click.echo(f"  {role:<9} {username:<18} {description}")


@quiz_cli.command("inspect")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help='Print {"questions": [...]} as JSON.')
def inspect_quiz_command(path: Path, as_json: bool):
    """Show what the parser understood of a GIFT (.gift) or Aiken (.aiken) file."""
    parser = PARSERS.get(path.suffix.lower(), parse_gift)
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise click.ClickException(f"{path}:{line}: not valid UTF-8 text") from None
    questions, problems = parser(text, str(path))
    errors = [p for p in problems if not p.is_warning]
    if as_json:
        payload = {"questions": [inspect_dict(q) for q in questions]}
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        for number, question in enumerate(questions, start=1):
            data = inspect_dict(question)
            kind = data["type"] + (" (single)" if data["single"] else "")
            if data["type"] == "multichoice" and not data["single"]:
                kind += " (multiple)"
            click.echo(f"{number}. line {data['line']}: {kind} {data['title']!r}")
            click.echo(f"   {data['text'][:120]}")
            for answer in data["answers"]:
                if data["type"] == "match":
                    click.echo(f"   - {answer['question']} -> {answer['answer']}")
                else:
                    click.echo(f"   - [{answer['weight']:+.4g}] {answer['text']}")
        warnings = len(problems) - len(errors)
        click.echo(
            f"{len(questions)} questions, {len(errors)} errors"
            + (f", {warnings} warnings." if warnings else ".")
        )
    for problem in sorted(problems):  # standard error: --json output stays pure JSON
        click.echo(str(problem), err=True)
    if errors:
        raise SystemExit(1)


@quiz_cli.command("close-overdue")
@_one_at_a_time("quiz close-overdue")
def close_overdue_command():
    """Submit or close attempts whose time is up (run every few minutes from cron)."""
    closed = quiz_services.finalize_overdue(now=utcnow())
    db.session.commit()
    click.echo(f"Closed {closed} attempt(s).")


@report_cli.command("compliance")
@click.option("--year", type=int, required=True)
@click.option(
    "--unit", "unit_code", help="Code of a unit: report that unit and everything under it."
)
@click.option(
    "--level", type=click.Choice(["officials", "units"]), default="officials", show_default=True
)
@click.option(
    "--format", "fmt", type=click.Choice(exports.FORMATS), default="csv", show_default=True
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File (default: stdout).",
)
def report_compliance_command(year, unit_code, level, fmt, output):
    """Compliance of every official (or every unit) for a year, as on the HR dashboard."""
    standard = compliance_queries.standard_for(year)
    if standard is None:
        raise click.ClickException(f"No standard has been declared for {year}.")
    unit = None
    if unit_code:
        unit = db.session.scalar(select(Unit).where(Unit.code == unit_code))
        if unit is None:
            raise click.ClickException(f"Unknown unit '{unit_code}'.")
    table = tables.export_table(  # an operator sees every unit
        None, standard, tables.OfficialFilter(unit=unit), level, today=local_date(utcnow())
    )
    if fmt == "xlsx":
        data = exports.xlsx_bytes(table, sheet=f"Dat chuan {year}")
        if output is None:
            sys.stdout.buffer.write(data)
        else:
            output.write_bytes(data)
        return
    chunks = (
        exports.csv_chunks(table)
        if fmt == "csv"
        else (line.encode("utf-8") for line in exports.json_lines(table))
    )
    stream = output.open("wb") if output else sys.stdout.buffer
    try:
        for chunk in chunks:
            stream.write(chunk)
    finally:
        if output:
            stream.close()
        else:
            stream.flush()


@compliance_cli.command("rebuild")
@click.option("--year", type=int, help="Only this year (default: every year with a standard).")
@_one_at_a_time("compliance rebuild")
def rebuild_command(year: int | None):
    """Recompute every kept status and unit count from the records (after an upgrade, a
    restore, or a change made outside the site)."""
    started = time.perf_counter()
    done = kept.rebuild(year)
    db.session.commit()
    if year is not None and year not in done:
        raise click.ClickException(f"No standard has been declared for {year}.")
    for each, officials in sorted(done.items()):
        click.echo(f"{each}: {officials} officials")
    click.echo(f"Rebuilt in {time.perf_counter() - started:.1f} s.")


@notify_cli.command("reminders")
@click.option(
    "--date", "on", type=click.DateTime(formats=["%Y-%m-%d"]), help="Run as if on this day."
)
@_one_at_a_time("notify reminders")
def reminders_command(on):
    """Send the reminders due today (run daily); nobody gets the same reminder twice."""
    now = utcnow()
    today = on.date() if on else local_date(now)
    report = notify.send_reminders(today=today, now=now)
    db.session.commit()
    click.echo(
        f"Reminders: {report.sent} sent, {report.outbox} to the outbox, "
        f"{report.failed} failed, {report.skipped} already sent before."
    )


@api_cli.command("create-client")
@click.argument("name")
@click.option("--units", required=True, help="Unit codes, comma-separated: their subtrees.")
@click.option("--write", is_flag=True, help="May write (external training); read-only without.")
@click.option("--days", type=click.IntRange(min=1), help="Expires after N days (default: never).")
def create_client_command(name: str, units: str, write: bool, days: int | None):
    """Create an API client; the token is printed once, alone on the last line."""
    codes = [code.strip() for code in units.split(",") if code.strip()]
    found = list(db.session.scalars(select(Unit).where(Unit.code.in_(codes))))
    unknown = sorted(set(codes) - {unit.code for unit in found})
    if unknown:
        raise click.ClickException(f"Unknown unit(s): {', '.join(unknown)}")
    try:
        client, token = api_clients.create_client(
            name, found, can_write=write, days=days, created_by=None, now=utcnow()
        )
    except api_clients.DuplicateName:
        raise click.ClickException(f"A client named {name!r} exists already.") from None
    except api_clients.NoUnits:
        raise click.ClickException("Give at least one unit code (--units).") from None
    db.session.commit()
    access = "read-write" if client.can_write else "read-only"
    expiry = f"until {client.expires_at:%Y-%m-%d %H:%M} UTC" if client.expires_at else "no expiry"
    click.echo(f"Client {client.name!r} created ({access}, {expiry}). Its token, shown once:")
    click.echo(token)


@api_cli.command("revoke-client")
@click.argument("name")
def revoke_client_command(name: str):
    """Revoke a client's token at once."""
    client = api_clients.client_named(name)
    if client is None:
        raise click.ClickException(f"No client named {name!r}.")
    api_clients.revoke_client(client, now=utcnow())
    db.session.commit()
    click.echo(f"Client {client.name!r} revoked.")


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def db_backup_command(file: Path):
    """Back up the whole database to FILE while the site runs (SQLite: its online backup;
    PostgreSQL: pg_dump, custom format)."""
    try:
        backup.backup(file)
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Backed up to {file} ({file.stat().st_size:,} bytes).")


@click.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Replace a database that already has tables.")
def db_restore_command(file: Path, yes: bool):
    """Restore the database from a backup made by `db backup`. Stop the application servers
    first; a database that has tables is replaced only with --yes."""
    try:
        restored = backup.restore(file, replace=yes)
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"Restored {restored.tables} tables from {file}"
        + (" (the previous database was replaced)." if restored.replaced else ".")
    )


def register_cli(app) -> None:
    for group in (
        content_cli,
        users_cli,
        org_cli,
        demo_cli,
        quiz_cli,
        report_cli,
        notify_cli,
        api_cli,
        compliance_cli,
    ):
        app.cli.add_command(group)
    app.cli.add_command(people_cli)
    migrations = app.cli.commands["db"]  # Flask-Migrate's group: `db upgrade`, `db backup`…
    for command in (db_backup_command, db_restore_command):
        migrations.add_command(command)
