"""The simulator's errors, all under :class:`SimulatorError`.

Each carries the facts a caller needs as attributes and says whether retrying makes sense (``retryable``).
"""

from __future__ import annotations

from collections.abc import Sequence


class SimulatorError(Exception):
    """Root of every error the simulator raises on purpose."""

    retryable = False


class UnknownScenarioError(SimulatorError):
    """A scenario name the simulator does not know."""

    def __init__(self, name: str, known: Sequence[str]) -> None:
        self.name = name
        self.known = tuple(known)
        super().__init__(f"unknown scenario {name!r}: choose one of {', '.join(self.known)}")


class InvalidBoundError(SimulatorError):
    """A rate, duration or transaction count that cannot be honoured (zero, negative, not a number)."""

    def __init__(self, option: str, value: object, reason: str) -> None:
        self.option = option
        self.value = value
        self.reason = reason
        super().__init__(f"{option} {value}: {reason}")


class NotInitialisedError(SimulatorError):
    """A legacy database the simulator writes to is missing, or lacks tables: ``legacy init`` has not run."""

    def __init__(self, system: str, database: str, missing: Sequence[str]) -> None:
        self.system = system
        self.database = database
        self.missing = tuple(missing)
        what = "does not exist" if not missing else f"lacks {', '.join(self.missing)}"
        super().__init__(
            f"the {system} database {database!r} is not initialised (it {what}): run `inventory-cdc legacy init`"
        )


class DatabaseUnavailableError(SimulatorError):
    """A database server did not answer or refused the login. Retry once it runs."""

    retryable = True

    def __init__(self, system: str, engine: str, where: str, reason: str) -> None:
        self.system = system
        self.engine = engine
        self.where = where
        self.reason = reason
        super().__init__(f"{engine} for {system} at {where} is not usable ({reason})")


class MissingDriverError(SimulatorError):
    """A database URL names a driver that is not installed here (the CRM's SQL Server driver, typically)."""

    def __init__(self, system: str, driver: str) -> None:
        self.system = system
        self.driver = driver
        super().__init__(f"{system}: the driver of {driver!r} is not installed here: add its Python package")


class PlanDivergedError(SimulatorError):
    """A write touched other rows than the plan expected: someone else changed this run's rows.

    The run stops: from here on the plan and the database disagree, so the ledger would lie.
    """

    def __init__(self, system: str, seq: int, kind: str, table: str, expected: int, actual: int) -> None:
        self.system = system
        self.seq = seq
        self.kind = kind
        self.table = table
        self.expected = expected
        self.actual = actual
        super().__init__(
            f"{system}: operation {seq} ({kind}) changed {actual} rows of {table}, the plan expected {expected}: "
            "this run's rows were changed by someone else"
        )


class WriteFailedError(SimulatorError):
    """The database refused one operation's transaction (rolled back). ``reason`` is the server's first line."""

    def __init__(self, system: str, seq: int, kind: str, reason: str, retryable: bool = False) -> None:
        self.system = system
        self.seq = seq
        self.kind = kind
        self.reason = reason
        self.retryable = retryable
        super().__init__(f"{system}: operation {seq} ({kind}) failed and was rolled back: {reason}")


class RunOutputError(SimulatorError):
    """The run directory cannot be used (it already holds a run, or cannot be written)."""

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"run directory {path}: {reason}")


class RunStoppedError(SimulatorError):
    """A run stopped on an error after ``transactions`` committed operations; ledger and ground truth in ``run_dir``
    describe them. ``cause`` is the error that stopped it."""

    def __init__(self, cause: SimulatorError, transactions: int, run_dir: str) -> None:
        self.cause = cause
        self.transactions = transactions
        self.run_dir = run_dir
        self.retryable = cause.retryable
        super().__init__(
            f"{cause} (the run stopped after {transactions} transactions; ledger and ground truth in {run_dir})"
        )
