"""``inventory-cdc stack``: the local runtime (PostgreSQL, MariaDB, Kafka, Kafka Connect) as local processes."""

from __future__ import annotations

import time
from dataclasses import asdict
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import orjson
import typer
from rich.console import Console
from rich.table import Table

from cli.errors import fail, user_errors
from stack.exceptions import UnknownServiceError
from stack.fetch import fetch as fetch_jars
from stack.manager import SERVICE_NAMES, Stack, StartResult

app = typer.Typer(
    no_args_is_help=True, help="Run the local stack: PostgreSQL, MariaDB, Kafka and Kafka Connect."
)
console = Console(highlight=False)


class Output(StrEnum):
    table = "table"
    json = "json"


def _check_names(names: list[str] | None) -> list[str]:
    for name in names or []:
        if name not in SERVICE_NAMES:
            raise UnknownServiceError(name, SERVICE_NAMES)
    return list(names or [])


@app.command()
@user_errors
def up(
    services: Annotated[
        list[str] | None, typer.Argument(help=f"Services to start (default all): {', '.join(SERVICE_NAMES)}")
    ] = None,
) -> None:
    """Start the stack (idempotent: running services are reused) and wait until each is healthy."""
    stack = Stack()
    names = _check_names(services)
    began = time.monotonic()

    def report(result: StartResult) -> None:
        verb = "started" if result.started else "already running"
        console.print(
            f"[green]✔[/] {result.service:<8} {verb:<16} pid {result.pid:<8} "
            f"{stack.settings.host}:{result.port:<6} healthy after {result.seconds:5.1f}s"
        )

    stack.up(names, on_ready=report)
    console.print(f"stack ready in {time.monotonic() - began:.1f}s (home {stack.settings.home})")


@app.command()
@user_errors
def fetch() -> None:
    """Fetch Kafka, Kafka Connect and the Debezium plugins with Maven (once; `up` does it too)."""
    stack = Stack()
    began = time.monotonic()
    fetched = fetch_jars(stack.settings.jvm_home, stack.settings.log_dir / "fetch.log")
    where = stack.settings.jvm_home
    if fetched:
        console.print(f"fetched the stack's jars into {where} in {time.monotonic() - began:.1f}s")
    else:
        console.print(f"the stack's jars are in place ({where})")


@app.command()
@user_errors
def down(
    services: Annotated[list[str] | None, typer.Argument(help="Services to stop (default all).")] = None,
) -> None:
    """Stop what this stack started (by pid; nothing else is touched)."""
    stopped = Stack().down(_check_names(services))
    console.print(f"stopped: {', '.join(stopped)}" if stopped else "nothing was running")


@app.command()
@user_errors
def status(
    output: Annotated[Output, typer.Option("--output", "-o", help="table or json")] = Output.table,
) -> None:
    """Each service with its port, pid and health."""
    rows = Stack().status()
    if output is Output.json:
        typer.echo(orjson.dumps([asdict(r) for r in rows], option=orjson.OPT_INDENT_2).decode())
        return
    table = Table("service", "port", "pid", "health", "log")
    colours = {"healthy": "green", "unhealthy": "yellow", "stopped": "dim", "port-taken": "red"}
    for row in rows:
        table.add_row(
            row.service, str(row.port), str(row.pid or "-"), f"[{colours[row.state]}]{row.state}[/]", row.log
        )
    console.print(table)


@app.command()
@user_errors
def logs(
    service: Annotated[
        str | None, typer.Argument(help="One service; default: the tail of every log.")
    ] = None,
    lines: Annotated[int, typer.Option("--lines", "-n", min=1, help="How many lines.")] = 40,
    follow: Annotated[bool, typer.Option("--follow", "-f", help="Keep printing new lines.")] = False,
) -> None:
    """Show a service's log (the stack keeps one per service under its home)."""
    stack = Stack()
    names = _check_names([service] if service else None) or SERVICE_NAMES
    for name in names:
        path = Path(stack.log_path(name))
        if not path.exists():
            if service:
                raise fail(f"{name} has no log yet ({path}): start it with `inventory-cdc stack up {name}`")
            continue
        if len(names) > 1:
            console.rule(name)
        text = path.read_text(errors="replace").splitlines()[-lines:]
        typer.echo("\n".join(text))
    if follow and service:
        path = Path(stack.log_path(service))
        with open(path, errors="replace") as fh:
            fh.seek(0, 2)
            while True:
                line = fh.readline()
                if line:
                    typer.echo(line, nl=False)
                else:
                    time.sleep(0.5)
