"""The Connect client's status handling against a tiny HTTP server on 127.0.0.1 (real sockets, canned statuses).

Not a model of Kafka Connect: only of how HTTP statuses are treated (409 and 5xx retried, 4xx terminal).
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from connectors.connect_client import ConnectClient
from connectors.exceptions import (
    ConnectorNotFoundError,
    ConnectRebalancingError,
    ConnectRestError,
    ConnectUnavailableError,
)


class Canned(ThreadingHTTPServer):
    """Answers each request with the next (status, body) of ``script`` (the last one repeats)."""

    def __init__(self, script: list[tuple[int, dict[str, object]]]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.script = script
        self.seen: list[str] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: Canned

    def _answer(self) -> None:
        self.server.seen.append(f"{self.command} {self.path}")
        index = min(len(self.server.seen), len(self.server.script)) - 1
        status, body = self.server.script[index]
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_PUT = do_POST = do_DELETE = _answer

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture()
def serve() -> Iterator[type[Canned]]:
    servers: list[Canned] = []

    class Started(Canned):
        def __init__(self, script: list[tuple[int, dict[str, object]]]) -> None:
            super().__init__(script)
            servers.append(self)
            threading.Thread(target=self.serve_forever, daemon=True).start()

    yield Started
    for server in servers:
        server.shutdown()
        server.server_close()


def test_a_409_during_a_rebalance_is_retried_until_it_succeeds(serve: type[Canned]) -> None:
    server = serve(
        [(409, {"message": "rebalance in progress"}), (409, {"message": "rebalance"}), (200, {"name": "x"})]
    )
    with ConnectClient(server.url, retry_for_s=10) as client:
        assert client.put_config("x", {"a": "b"}) == {"name": "x"}
    assert server.seen == ["PUT /connectors/x/config"] * 3


def test_a_server_error_is_retried(serve: type[Canned]) -> None:
    server = serve([(500, {"message": "Request timed out"}), (200, {})])
    with ConnectClient(server.url, retry_for_s=10) as client:
        client.pause("x")
    assert len(server.seen) == 2


def test_terminal_errors_are_raised_at_once_with_connects_message(serve: type[Canned]) -> None:
    server = serve([(404, {"error_code": 404, "message": "Connector x not found"})])
    with ConnectClient(server.url, retry_for_s=10) as client, pytest.raises(ConnectorNotFoundError) as info:
        client.status("x")
    assert info.value.connector == "x"
    assert "Connector x not found" in str(info.value)
    assert len(server.seen) == 1
    server = serve([(400, {"message": "Connector configuration is invalid"})])
    with ConnectClient(server.url, retry_for_s=10) as client, pytest.raises(ConnectRestError) as bad:
        client.put_config("x", {})
    assert bad.value.status == 400 and not bad.value.retryable
    assert len(server.seen) == 1


def test_a_rebalance_that_never_ends_gives_up_after_the_retry_window(serve: type[Canned]) -> None:
    server = serve([(409, {"message": "rebalance in progress"})])
    with ConnectClient(server.url, retry_for_s=1.0) as client, pytest.raises(ConnectRebalancingError):
        client.resume("x")
    assert 2 <= len(server.seen) <= 10


def test_a_refused_connection_is_retried_then_reported_as_unavailable() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with (
        ConnectClient(f"http://127.0.0.1:{port}", retry_for_s=0.5) as client,
        pytest.raises(ConnectUnavailableError) as info,
    ):
        client.connectors()
    assert info.value.retryable
    assert "inventory-cdc stack up" in str(info.value)
