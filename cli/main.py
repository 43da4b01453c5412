"""The `inventory-cdc` command: the composition root that wires adapters, transports and sinks."""

from __future__ import annotations

from importlib.metadata import version
from typing import Annotated

import typer

from cli import connectors, demo, dlq, legacy, run, simulate, stack
from cli.errors import OneLineUsageErrors

app = typer.Typer(
    cls=OneLineUsageErrors,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    help="Change data capture from legacy ticketing databases into one canonical inventory stream.",
)
app.add_typer(stack.app, name="stack")
app.add_typer(legacy.app, name="legacy")
app.command(name="demo")(demo.demo)
app.add_typer(connectors.app, name="connectors")
app.command(name="simulate")(simulate.simulate)
app.command(name="run")(run.run)
app.add_typer(dlq.app, name="dlq")


def _print_version(asked: bool) -> None:
    if not asked:
        return
    from stack.fetch import pinned_versions

    pins = pinned_versions()
    typer.echo(
        f"inventory-cdc {version('inventory-cdc')} "
        f"(Debezium {pins.get('debezium', 'unknown')}, Kafka {pins.get('kafka', 'unknown')})"
    )
    raise typer.Exit()


@app.callback()
def main(
    show_version: Annotated[
        bool,
        typer.Option(
            "--version",
            is_eager=True,
            callback=_print_version,
            help="Print the version, with the Debezium and Kafka versions the stack pins, and exit.",
        ),
    ] = False,
) -> None:
    """Change data capture from legacy ticketing databases into one canonical inventory stream."""
