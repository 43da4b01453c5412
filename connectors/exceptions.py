"""Errors of connector management. ``connectors`` may import nothing else of ours, so it has its own root."""

from __future__ import annotations


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
