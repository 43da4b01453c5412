"""Errors of connector management. ``connectors`` may import nothing else of ours, so it has its own root."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from connectors.problems import Problem


class ConnectorError(Exception):
    """Root of connector-management errors; ``retryable`` says whether trying again can help."""

    retryable = False


class ConnectUnavailableError(ConnectorError):
    """Kafka Connect's REST API did not answer (not started, or restarting)."""

    retryable = True

    def __init__(self, url: str, reason: str) -> None:
        self.url = url
        self.reason = reason
        super().__init__(
            f"Kafka Connect at {url} is not reachable ({reason}): start it with `inventory-cdc stack up`"
        )


class ConnectRestError(ConnectorError):
    """Kafka Connect answered with an error status."""

    def __init__(self, method: str, path: str, status: int, message: str) -> None:
        self.method = method
        self.path = path
        self.status = status
        self.message = message
        super().__init__(f"Kafka Connect refused {method} {path}: {status} {message}")


class ConnectRebalancingError(ConnectRestError):
    """409: the Connect cluster is rebalancing; the same request succeeds once it settles."""

    retryable = True


class ConnectServerError(ConnectRestError):
    """5xx from Connect: often transient (a worker restarting, a request forwarded to a busy leader)."""

    retryable = True


class ConnectorNotFoundError(ConnectRestError):
    """404: no connector of that name."""

    def __init__(
        self, method: str, path: str, status: int, message: str, connector: str | None = None
    ) -> None:
        super().__init__(method, path, status, message)
        self.connector = connector


class ConnectorNotReadyError(ConnectorError):
    """A connector or one of its tasks did not reach the wanted state in time."""

    retryable = True

    def __init__(self, connector: str, wanted: str, states: dict[str, str], trace: str | None = None) -> None:
        self.connector = connector
        self.wanted = wanted
        self.states = states
        self.trace = trace
        found = ", ".join(f"{k}={v}" for k, v in states.items()) or "no tasks"
        first = (trace or "").strip().splitlines()[:1]
        why = f"; {first[0]}" if first else ""
        super().__init__(f"connector {connector} did not reach {wanted} ({found}){why}")


class SpecError(ConnectorError):
    """A connector spec could not be loaded or is invalid; ``problems`` name each field and what to do."""

    def __init__(self, source: str, problems: Sequence[Problem]) -> None:
        self.source = source
        self.problems = tuple(problems)
        lines = "\n".join(f"  {p}" for p in self.problems)
        super().__init__(f"{source}: {len(self.problems)} problem(s)\n{lines}")


class ValidationFailedError(ConnectorError):
    """Validation (ours, Kafka Connect's, or against the live database) found errors; nothing was changed."""

    def __init__(self, connector: str, problems: Sequence[Problem]) -> None:
        self.connector = connector
        self.problems = tuple(problems)
        lines = "\n".join(f"  {p}" for p in self.problems)
        super().__init__(f"connector {connector} is not valid; nothing was changed:\n{lines}")


class SecretReferenceError(ConnectorError):
    """A config-provider reference could not be resolved here (the value itself is never part of the message)."""

    def __init__(self, reference: str, reason: str) -> None:
        self.reference = reference
        self.reason = reason
        super().__init__(f"cannot resolve {reference}: {reason}")


class SourceUnreachableError(ConnectorError):
    """The source database did not answer; ``field`` names the spec field that points at it."""

    retryable = True

    def __init__(
        self, engine: str, host: str, port: int, reason: str, field: str = "connection.host"
    ) -> None:
        self.engine = engine
        self.host = host
        self.port = port
        self.reason = reason
        self.field = field
        super().__init__(
            f"{field}: cannot reach {engine} at {host}:{port} ({reason}): "
            "check connection.host and connection.port, and that the database runs"
        )


class SourceLoginError(ConnectorError):
    """The source database refused the capture user's login."""

    def __init__(self, engine: str, user: str, reason: str) -> None:
        self.engine = engine
        self.user = user
        self.reason = reason
        super().__init__(
            f"connection.user: {engine} refused the login of {user!r} ({reason}): check connection.user and the "
            "secret connection.password refers to (run `inventory-cdc legacy init` to (re)create the capture user)"
        )


class SourceQueryError(ConnectorError):
    """A catalog query or a signal insert on the source database failed."""

    def __init__(self, engine: str, what: str, reason: str) -> None:
        self.engine = engine
        self.what = what
        self.reason = reason
        super().__init__(f"{engine}: {what} failed: {reason}")


class SnapshotError(ConnectorError):
    """An ad-hoc incremental snapshot could not be requested, or did not finish."""

    def __init__(self, connector: str, table: str, reason: str) -> None:
        self.connector = connector
        self.table = table
        self.reason = reason
        super().__init__(f"snapshot of {table} by connector {connector}: {reason}")
