"""``inventory-cdc simulate``: write a seeded ticketing workload into the live legacy databases.

The box office (MariaDB) and pricing (PostgreSQL) databases come from the local stack; the CRM (SQL Server) is
written only where ``INVENTORY_CDC_CRM_URL`` is set, else its operations stay in the run's ledger. Ledger and
ground truth go to ``runs/<scenario>-<seed>-<timestamp>-<tag>/`` (or ``--out``), never into the databases.
"""

from __future__ import annotations

import os
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import orjson
import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from cli.errors import err_console, fail, register, user_errors
from cli.legacy import CRM_URL_ENV
from legacy_adapters import box_office, crm, pricing
from simulator.exceptions import DatabaseUnavailableError, SimulatorError
from simulator.operations import OP_TYPES
from simulator.runner import Bounds, Simulation, Summary, Targets
from simulator.scenarios import SCENARIOS
from stack.settings import StackSettings

register(SimulatorError)

console = Console(highlight=False)


class Output(StrEnum):
    table = "table"
    json = "json"


def _targets(settings: StackSettings, box_office_db: str, pricing_db: str) -> Targets:
    box = make_url(settings.mariadb_url(box_office_db)).update_query_dict({"charset": "utf8mb4"})
    prices = make_url(settings.postgres_url(pricing_db))
    raw = os.environ.get(CRM_URL_ENV, "").strip()
    crm_url: URL | None = None
    if raw:
        try:
            crm_url = make_url(raw).set(database=crm.DATABASE)
        except ArgumentError:
            raise fail(
                f"{CRM_URL_ENV} is not a SQLAlchemy URL (mssql+pymssql://USER:PASSWORD@HOST:PORT/master)"
            ) from None
    return Targets(box_office=box, pricing=prices, crm=crm_url)


def _render(summary: Summary) -> None:
    kinds = Table("operation", "count", title="transactions by kind")
    order = [t.__name__ for t in OP_TYPES]
    for name in sorted(summary.by_kind, key=order.index):
        kinds.add_row(name, str(summary.by_kind[name]))
    rows = Table("table", "rows", title="rows by table")
    for name, count in sorted(summary.rows.items()):
        rows.add_row(name, str(count))
    console.print(kinds)
    console.print(rows)
    systems = ", ".join(f"{name} {count}" for name, count in sorted(summary.db_transactions.items()))
    console.print(
        f"{summary.transactions} transactions in {summary.elapsed_s:.1f}s: {summary.rate:.1f} tx/s "
        f"(database transactions: {systems}; ledger only: {summary.ledger_only}); stopped by {summary.stopped_by}"
    )
    console.print(f"business time {summary.business_start} .. {summary.business_end}")
    console.print(f"ledger:       {summary.ledger}")
    console.print(f"ground truth: {summary.ground_truth}")


@user_errors
def simulate(
    scenario: Annotated[str, typer.Option("--scenario", "-s", help=f"Workload: {', '.join(SCENARIOS)}.")],
    seed: Annotated[int, typer.Option("--seed", help="Same seed, same sequence of business operations.")],
    rate: Annotated[
        float | None,
        typer.Option(
            "--rate", help="Target transactions a second (token bucket); default: as fast as possible."
        ),
    ] = None,
    duration: Annotated[
        float | None, typer.Option("--duration", help="Stop after this many seconds of wall time.")
    ] = None,
    transactions: Annotated[
        int | None,
        typer.Option(
            "--transactions",
            "-n",
            help="Stop after this many business transactions (default: the scenario's).",
        ),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Directory for ledger.jsonl and ground_truth.json.")
    ] = None,
    box_office_db: Annotated[
        str, typer.Option("--box-office-db", help="Box-office database (MariaDB).")
    ] = box_office.DATABASE,
    pricing_db: Annotated[
        str, typer.Option("--pricing-db", help="Pricing database (PostgreSQL).")
    ] = pricing.DATABASE,
    output: Annotated[
        Output, typer.Option("--output", "-o", help="Summary as a table or json.")
    ] = Output.table,
) -> None:
    """Write a seeded ticketing workload (on-sales, presales, holds, orders, resale, bots) into the legacy databases."""
    if scenario not in SCENARIOS:
        raise fail(f"unknown scenario {scenario!r}: choose one of {', '.join(SCENARIOS)}", code=2)
    if rate is not None and not rate > 0:
        raise fail(f"--rate {rate}: the rate must be a positive number of transactions a second", code=2)
    if duration is not None and not duration > 0:
        raise fail(f"--duration {duration}: the duration must be a positive number of seconds", code=2)
    if transactions is not None and transactions <= 0:
        raise fail(f"--transactions {transactions}: the count must be positive", code=2)
    chosen = SCENARIOS[scenario]
    simulation = Simulation(
        chosen,
        seed,
        _targets(StackSettings(), box_office_db, pricing_db),
        Bounds(transactions=transactions, duration=duration, rate=rate),
        out=out,
    )
    total = (
        transactions
        if transactions is not None
        else (chosen.default_transactions if duration is None else None)
    )
    progress = Progress(
        SpinnerColumn(),
        TextColumn(f"{scenario} seed {seed}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]:>7.1f} tx/s"),
        TimeElapsedColumn(),
        console=err_console,
    )
    task = progress.add_task("simulate", total=total, rate=0.0)

    def advance(done: int, elapsed: float) -> None:
        if not progress.live.is_started:  # only once the databases passed their checks
            progress.start()
        progress.update(task, completed=done, rate=done / elapsed if elapsed else 0.0)

    try:
        summary = simulation.run(advance)
    except DatabaseUnavailableError as exc:
        hint = (
            f"check {CRM_URL_ENV} and that SQL Server runs"
            if exc.system == "crm"
            else "start it with `inventory-cdc stack up`"
        )
        raise fail(f"{exc}: {hint}") from None
    finally:
        progress.stop()
    if output is Output.json:
        typer.echo(orjson.dumps(summary.as_dict(), option=orjson.OPT_INDENT_2).decode())
    else:
        _render(summary)
    if summary.stopped_by == "interrupted":
        raise typer.Exit(130)
