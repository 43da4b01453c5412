"""Turning the project's errors into one-line messages and exit codes, never tracebacks."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import typer
from confluent_kafka import KafkaException
from rich.console import Console

from connectors.exceptions import ConnectorError
from stack.exceptions import StackError

P = ParamSpec("P")
R = TypeVar("R")

err_console = Console(stderr=True, highlight=False, soft_wrap=True)

#: errors a user can act on: shown as one line (plus any log tail they carry), exit code 1
USER_ERRORS: tuple[type[Exception], ...] = (StackError, ConnectorError)


def register(*types: type[Exception]) -> None:
    """Add error roots of other sub-packages (the composition root knows them all)."""
    global USER_ERRORS
    USER_ERRORS = USER_ERRORS + tuple(t for t in types if t not in USER_ERRORS)


def fail(message: str, code: int = 1) -> typer.Exit:
    err_console.print(f"[bold red]error:[/] {message}", markup=True)
    return typer.Exit(code)


def user_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Decorator for commands: project errors become ``error: ...`` on stderr and exit code 1."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except USER_ERRORS as exc:
            err_console.print("[bold red]error:[/] ", end="", markup=True)
            err_console.print(str(exc), markup=False)
            raise typer.Exit(1) from None
        except KafkaException as exc:
            # librdkafka's errors (broker unreachable, topic authorisation ...) say what happened in one line
            error = exc.args[0] if exc.args else exc
            reason = error.str() if hasattr(error, "str") else str(error)
            err_console.print("[bold red]error:[/] ", end="", markup=True)
            err_console.print(
                f"Kafka: {reason} (is the stack up? `inventory-cdc stack status`)", markup=False
            )
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            err_console.print("interrupted", markup=False)
            raise typer.Exit(130) from None

    return wrapper
