"""A typed client for the Kafka Connect REST API.

Transient answers (409 while the cluster rebalances, 5xx, connection refused) are retried with exponential
backoff; terminal ones (400, 404, 422) raise at once with Connect's own message.
"""

from __future__ import annotations

import time
from types import TracebackType
from typing import Any

import httpx
from tenacity import retry, retry_if_exception, stop_after_delay, wait_exponential

from connectors.exceptions import (
    ConnectorError,
    ConnectorNotFoundError,
    ConnectorNotReadyError,
    ConnectRebalancingError,
    ConnectRestError,
    ConnectServerError,
    ConnectUnavailableError,
)

JSON = Any


def _retryable(exc: BaseException) -> bool:
    return isinstance(exc, ConnectorError) and exc.retryable


class ConnectClient:
    """Kafka Connect's REST API at ``url``. Use as a context manager, or call :meth:`close`."""

    def __init__(self, url: str, timeout_s: float = 30.0, retry_for_s: float = 60.0) -> None:
        self.url = url.rstrip("/")
        self.retry_for_s = retry_for_s
        self._http = httpx.Client(base_url=self.url, timeout=timeout_s)

    def __enter__(self) -> ConnectClient:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # -- transport -------------------------------------------------------------------------------------------
    def _request_once(self, method: str, path: str, body: JSON | None = None) -> JSON:
        try:
            response = self._http.request(method, path, json=body)
        except httpx.TransportError as exc:
            raise ConnectUnavailableError(self.url, type(exc).__name__) from exc
        if response.status_code < 300:
            return response.json() if response.content else None
        try:
            message = str(response.json().get("message", response.text))
        except ValueError:
            message = response.text
        status = response.status_code
        if status == 409:
            raise ConnectRebalancingError(method, path, status, message)
        if status >= 500:
            raise ConnectServerError(method, path, status, message)
        if status == 404:
            name = path.split("/")[2] if path.startswith("/connectors/") else None
            raise ConnectorNotFoundError(method, path, status, message, connector=name)
        raise ConnectRestError(method, path, status, message)

    def request(self, method: str, path: str, body: JSON | None = None) -> JSON:
        retrying = retry(
            retry=retry_if_exception(_retryable),
            wait=wait_exponential(multiplier=0.25, max=5),
            stop=stop_after_delay(self.retry_for_s),
            reraise=True,
        )
        return retrying(self._request_once)(method, path, body)

    # -- the API ---------------------------------------------------------------------------------------------
    def server_info(self) -> JSON:
        return self.request("GET", "/")

    def plugins(self) -> list[dict[str, str]]:
        return list(self.request("GET", "/connector-plugins"))

    def connectors(self) -> list[str]:
        return list(self.request("GET", "/connectors"))

    def config(self, name: str) -> dict[str, str]:
        return dict(self.request("GET", f"/connectors/{name}/config"))

    def put_config(self, name: str, config: dict[str, str]) -> JSON:
        """Create or update (``PUT /connectors/{name}/config`` does both)."""
        return self.request("PUT", f"/connectors/{name}/config", config)

    def create(self, name: str, config: dict[str, str], initial_state: str = "RUNNING") -> JSON:
        """Create a connector in ``initial_state`` (RUNNING, PAUSED or STOPPED); 409 if it exists already."""
        return self.request(
            "POST", "/connectors", {"name": name, "config": config, "initial_state": initial_state}
        )

    def status(self, name: str) -> JSON:
        return self.request("GET", f"/connectors/{name}/status")

    def validate(self, connector_class: str, config: dict[str, str]) -> JSON:
        short = connector_class.rsplit(".", 1)[-1]
        return self.request(
            "PUT",
            f"/connector-plugins/{short}/config/validate",
            {"connector.class": connector_class, **config},
        )

    def exists(self, name: str) -> bool:
        try:
            self.request("GET", f"/connectors/{name}")
        except ConnectorNotFoundError:
            return False
        return True

    def tasks(self, name: str) -> list[dict[str, Any]]:
        return list(self.request("GET", f"/connectors/{name}/tasks"))

    def pause(self, name: str) -> None:
        self.request("PUT", f"/connectors/{name}/pause")

    def resume(self, name: str) -> None:
        self.request("PUT", f"/connectors/{name}/resume")

    def stop(self, name: str) -> None:
        self.request("PUT", f"/connectors/{name}/stop")

    def restart(self, name: str, include_tasks: bool = True) -> None:
        self.request(
            "POST", f"/connectors/{name}/restart?includeTasks={str(include_tasks).lower()}&onlyFailed=false"
        )

    def delete(self, name: str) -> None:
        self.request("DELETE", f"/connectors/{name}")

    def offsets(self, name: str) -> JSON:
        return self.request("GET", f"/connectors/{name}/offsets")

    def patch_offsets(self, name: str, offsets: list[dict[str, Any]]) -> JSON:
        """Move stored offsets (``PATCH``; the connector must be STOPPED). Each item has ``partition`` and
        ``offset`` as ``GET .../offsets`` shows them; an ``offset`` of None removes that partition's offset."""
        return self.request("PATCH", f"/connectors/{name}/offsets", {"offsets": offsets})

    def reset_offsets(self, name: str) -> JSON:
        """Forget every stored offset (the connector must be STOPPED first); the next start snapshots anew."""
        return self.request("DELETE", f"/connectors/{name}/offsets")

    def wait_running(self, name: str, timeout_s: float = 120.0, wanted: str = "RUNNING") -> JSON:
        """Wait until the connector and all its tasks are in ``wanted``; raise with the failing trace otherwise."""
        deadline = time.monotonic() + timeout_s
        states: dict[str, str] = {}
        trace: str | None = None
        while time.monotonic() < deadline:
            try:
                status = self.status(name)
            except ConnectorNotFoundError:
                time.sleep(0.5)
                continue
            states = {"connector": status["connector"]["state"]}
            trace = status["connector"].get("trace")
            for task in status.get("tasks", []):
                states[f"task-{task['id']}"] = task["state"]
                trace = trace or task.get("trace")
            if "FAILED" in states.values():
                break
            tasks_ok = wanted != "RUNNING" or any(k.startswith("task-") for k in states)
            if tasks_ok and all(v == wanted for v in states.values()):
                return status
            time.sleep(0.5)
        raise ConnectorNotReadyError(name, wanted, states, trace)
