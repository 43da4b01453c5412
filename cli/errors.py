"""Turning the project's errors into one-line messages and exit codes, never tracebacks."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn, ParamSpec, TypeVar

import typer
from confluent_kafka import KafkaException
from rich.console import Console
from typer.core import TyperGroup

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


class OneLineUsageErrors(TyperGroup):
    """The root command group: a broken command line (unknown command or option, a bad value) is one line,
    ``error: <what> (see `<command> --help`)``, exit code 2, instead of a usage block and a boxed message."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        run = functools.partial(
            super().main, args, prog_name, complete_var, windows_expand_args=windows_expand_args, **extra
        )
        if not standalone_mode:  # a caller that handles errors itself (tests, embedding)
            return run(standalone_mode=False)
        try:
            code = run(standalone_mode=False)
        except typer.TyperException as exc:  # click's usage and parameter errors
            _usage_error(exc)
        except typer.Abort:
            err_console.print("aborted", markup=False)
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)


def _usage_error(exc: typer.TyperException) -> NoReturn:
    ctx = getattr(exc, "ctx", None)
    if type(exc).__name__ == "NoArgsIsHelpError" and ctx is not None:
        typer.echo(ctx.get_help())  # a bare group: its help says what it needs
        sys.exit(exc.exit_code)
    message = " ".join(exc.format_message().split())
    where = f" (see `{ctx.command_path} --help`)" if ctx is not None else ""
    err_console.print("[bold red]error:[/] ", end="", markup=True)
    err_console.print(f"{message}{where}", markup=False)
    sys.exit(exc.exit_code)
