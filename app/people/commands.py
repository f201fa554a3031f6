"""``flask --app run.py people …``: roster and unit imports, mergers, the list of accounts.
Thin wrappers over ``roster`` and ``units``; they commit."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import func, select

from app.models import Unit, User, db, utcnow
from app.people import roster, units
from app.tabular import TableError

people_cli = AppGroup("people", help="Rosters, units and mergers of a province.")


def _print_errors(errors: list[tuple[int, str]]) -> None:
    for line, message in errors:
        click.echo(f"line {line}: {message}", err=True)


def _read(reader, path: Path):
    try:
        with path.open("rb") as stream:
            return reader(path.name, stream)
    except TableError as exc:
        raise click.ClickException(f"{path}: {exc}") from None


@people_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check and show what would change; write nothing.")
@click.option("--as", "as_user", metavar="USERNAME", help="Import with this HR account's scope.")
@click.option(
    "--passwords",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the new accounts' temporary passwords to this CSV file (else to stdout).",
)
def import_roster_command(path: Path, dry_run: bool, as_user: str | None, passwords: Path | None):
    """Create, update, move and deactivate accounts from a roster (CSV or XLSX); one bad row
    imports nothing."""
    actor = None
    if as_user:
        actor = db.session.scalar(select(User).where(func.lower(User.username) == as_user.lower()))
        if actor is None:
            raise click.ClickException(f"Unknown user '{as_user}'.")
    rows = _read(roster.read_roster, path)
    report = roster.import_roster(rows, actor=actor, dry_run=dry_run, now=utcnow())
    if report.errors:
        db.session.rollback()
        _print_errors(report.errors)
        raise click.ClickException(f"Aborted: {len(report.errors)} row(s) wrong, nothing changed.")
    for kind, changes in (
        ("create", report.created),
        ("update", report.updated),
        ("move", report.moved),
        ("deactivate", report.deactivated),
    ):
        for c in changes:
            moved = f" from {c.before_unit}" if kind == "move" else ""
            click.echo(f"{kind} line {c.line}: {c.username} ({c.unit_code}){moved}")
    summary = (
        f"{len(report.created)} created, {len(report.updated)} updated, {len(report.moved)} "
        f"moved, {len(report.deactivated)} deactivated, {report.unchanged} unchanged."
    )
    if dry_run:
        db.session.rollback()
        click.echo(f"Dry run: {summary} Nothing written.")
        return
    db.session.commit()
    click.echo(f"Imported: {summary}")
    if report.passwords:
        data = roster.passwords_csv(report.passwords)
        if passwords is not None:
            passwords.write_bytes(data)
            passwords.chmod(0o600)
            click.echo(f"Temporary passwords of {len(report.passwords)} new accounts: {passwords}")
        else:
            click.echo("Temporary passwords (shown once, must be changed at first login):")
            click.echo(data.decode("utf-8-sig"), nl=False)


@people_cli.command("import-units")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check and show what would change; write nothing.")
def import_units_command(path: Path, dry_run: bool):
    """Create or update units (code, name, kind, parent_code); one bad row imports nothing."""
    rows = _read(units.read_units, path)
    try:
        report = units.import_units(rows, dry_run=dry_run)
    except units.UnitError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    if report.errors:
        db.session.rollback()
        _print_errors(report.errors)
        raise click.ClickException(f"Aborted: {len(report.errors)} row(s) wrong, nothing changed.")
    for line, code, name in report.created:
        click.echo(f"create line {line}: {code} {name}")
    for line, code, name in report.updated:
        click.echo(f"update line {line}: {code} {name}")
    summary = (
        f"{len(report.created)} created, {len(report.updated)} updated, "
        f"{report.unchanged} unchanged."
    )
    if dry_run:
        db.session.rollback()
        click.echo(f"Dry run: {summary} Nothing written.")
        return
    db.session.commit()
    click.echo(f"Units: {summary}")


@people_cli.command("merge")
@click.argument("codes", nargs=-1, required=True)
@click.option("--into", "into", required=True, help="Code of the successor unit.")
@click.option("--on", "on", required=True, type=click.DateTime(formats=["%Y-%m-%d"]))
@click.option("--dry-run", is_flag=True, help="Check and show what would change; write nothing.")
def merge_units_command(codes, into: str, on, dry_run: bool):
    """Merge units into a successor from a date: they end the day before, their accounts and
    sub-units move to it, each year's report keeps them where they were on its deadline."""
    try:
        report = units.merge_units(list(codes), into, on.date(), dry_run=dry_run)
    except units.UnitError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    names = ", ".join(u.code for u in report.ended)
    text = (
        f"{names} into {report.successor.code} on {report.on:%d/%m/%Y}: "
        f"{report.moved_accounts} account(s) and {report.moved_units} unit(s) moved."
    )
    if dry_run:
        db.session.rollback()
        click.echo(f"Dry run: {text} Nothing written.")
        return
    db.session.commit()
    click.echo(f"Merged {text}")


@people_cli.command("list")
@click.option("--unit", "unit_code", help="Only this unit and the units under it.")
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True
)
def list_accounts_command(unit_code: str | None, fmt: str):
    """Accounts with their unit, position, role, dates and active flag."""
    unit = None
    if unit_code:
        unit = db.session.scalar(select(Unit).where(func.upper(Unit.code) == unit_code.upper()))
        if unit is None:
            raise click.ClickException(f"Unknown unit '{unit_code}'.")
    rows = db.session.execute(roster.account_list(unit))
    out = sys.stdout
    if fmt == "json":
        records = [
            {
                name: (value.isoformat() if hasattr(value, "isoformat") else value)
                for name, value in zip(roster.LIST_FIELDS, row, strict=True)
            }
            for row in rows
        ]
        out.write(json.dumps(records, ensure_ascii=False, indent=1) + "\n")
        return
    writer = csv.writer(out)
    writer.writerow(roster.LIST_FIELDS)
    for row in rows:
        writer.writerow(
            [value.strftime("%d/%m/%Y") if hasattr(value, "strftime") else value for value in row]
        )


@people_cli.command("template")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def template_command(path: Path):
    """Write a roster template (.csv or .xlsx) with an example row and the valid codes."""
    if path.suffix.lower() == ".xlsx":
        path.write_bytes(roster.template_xlsx(None))
    elif path.suffix.lower() == ".csv":
        path.write_bytes(roster.template_csv(None))
    else:
        raise click.ClickException("Name a .csv or .xlsx file.")
    click.echo(f"Template written: {path}")
