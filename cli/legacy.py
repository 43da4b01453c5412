"""``inventory-cdc legacy``: the legacy systems' databases (schemas, tables, capture users, publication)."""

from __future__ import annotations

import os
from dataclasses import asdict
from enum import StrEnum
from typing import Annotated

import orjson
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from cli.errors import err_console, fail, register, user_errors
from legacy_adapters.exceptions import DatabaseUnreachableError, LegacyError
from legacy_adapters.install import InitReport
from legacy_adapters.registry import SYSTEMS, installer
from legacy_adapters.system import LegacySystem
from stack.settings import StackSettings

register(LegacyError)

#: SQLAlchemy URL of a SQL Server sysadmin login; CRM is initialised only where it is set (compose)
CRM_URL_ENV = "INVENTORY_CDC_CRM_URL"

app = typer.Typer(no_args_is_help=True, help="The legacy systems' databases: schemas, tables, capture users.")
console = Console(highlight=False)

_COLOURS = {"created": "green", "updated": "yellow"}


class Output(StrEnum):
    table = "table"
    json = "json"


def _admin_url(system: LegacySystem, settings: StackSettings) -> URL | None:
    """Where the system's engine runs, with an administrative login; None when it does not run here."""
    if system.engine == "mariadb":
        return make_url(settings.mariadb_url())
    if system.engine == "postgresql":
        return make_url(settings.postgres_url())
    raw = os.environ.get(CRM_URL_ENV, "").strip()
    if not raw:
        return None
    try:
        return make_url(raw)
    except ArgumentError:
        raise fail(
            f"{CRM_URL_ENV} is not a SQLAlchemy URL (mssql+pymssql://USER:PASSWORD@HOST:PORT/master)"
        ) from None


def _init_one(system: LegacySystem, url: URL, settings: StackSettings) -> InitReport:
    try:
        return installer(system)(url, settings.secrets.debezium_password)
    except DatabaseUnreachableError as exc:
        hint = (
            "start it with `inventory-cdc stack up`"
            if system.local
            else f"check {CRM_URL_ENV} and that it runs"
        )
        raise fail(f"{exc}: {hint}") from None


def _render(reports: list[InitReport]) -> None:
    """One row per system and kind of object: how many were already present, and each one created or updated."""
    table = Table("system", "kind", "present", "changes")
    for report in reports:
        kinds = dict.fromkeys(step.kind for step in report.steps)
        for kind in kinds:
            steps = [step for step in report.steps if step.kind == kind]
            changes = "\n".join(
                f"[{_COLOURS[step.outcome]}]{step.outcome}[/] {escape(step.name)}"
                for step in steps
                if step.outcome != "present"
            )
            table.add_row(report.system, kind, str(sum(step.outcome == "present" for step in steps)), changes)
    console.print(table)
    created = sum(r.count("created") for r in reports)
    updated = sum(r.count("updated") for r in reports)
    present = sum(r.count("present") for r in reports)
    if created or updated:
        console.print(f"created {created}, updated {updated}, already present {present}")
    else:
        console.print(f"nothing to do: all {present} objects were already present")


@app.command()
@user_errors
def init(
    system: Annotated[
        str | None,
        typer.Argument(help=f"One system (default: every one that runs here): {', '.join(SYSTEMS)}"),
    ] = None,
    output: Annotated[Output, typer.Option("--output", "-o", help="table or json")] = Output.table,
) -> None:
    """Create the legacy databases, tables, Debezium capture users, grants and publication (idempotent)."""
    if system is not None and system not in SYSTEMS:
        raise fail(f"unknown legacy system {system!r}: choose one of {', '.join(SYSTEMS)}", code=2)
    settings = StackSettings()
    reports: list[InitReport] = []
    for candidate in [SYSTEMS[system]] if system else list(SYSTEMS.values()):
        url = _admin_url(candidate, settings)
        if url is None:
            message = (
                f"{candidate.name} runs only where {candidate.engine_title} runs (compose): "
                f"set {CRM_URL_ENV} to initialise it"
            )
            if system is not None:
                raise fail(message, code=2)
            err_console.print(f"{candidate.name}: skipped: {message}", markup=False)
            continue
        reports.append(_init_one(candidate, url, settings))
    if output is Output.json:
        typer.echo(orjson.dumps([asdict(r) for r in reports], option=orjson.OPT_INDENT_2).decode())
    else:
        _render(reports)
