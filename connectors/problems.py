"""One finding of validation: which spec field, what is wrong, and what to do about it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Origin = Literal["spec", "connect", "database"]
Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """``field`` is the spec's dotted path (``connection.port``, ``tables[2]``); ``message`` says what to do.

    Messages never quote a password or any other secret value.
    """

    field: str
    message: str
    origin: Origin = "spec"
    severity: Severity = "error"

    def __str__(self) -> str:
        mark = "" if self.severity == "error" else "warning: "
        return f"{mark}{self.field}: {self.message}"


def errors(problems: list[Problem] | tuple[Problem, ...]) -> list[Problem]:
    """Only the problems that block (warnings are reported but do not fail)."""
    return [p for p in problems if p.severity == "error"]
