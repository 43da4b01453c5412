"""The `inventory-cdc` command: the composition root."""

from __future__ import annotations

import typer

app = typer.Typer(no_args_is_help=True, add_completion=False, help="Change data capture from legacy ticketing databases.")
