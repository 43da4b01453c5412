"""`stack up | down | status`: idempotent, stops only its own processes, and fails in one clear line.

These run a second, private stack (own home, own ports) so they can stop it without disturbing the session's.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from stack.process import group_members, local_port_range, port_bindable, port_holder

pytestmark = pytest.mark.stack

CLI = [sys.executable, "-m", "cli"]
PORTS = {
    "POSTGRES_PORT": 25532,
    "MARIADB_PORT": 23406,
    "KAFKA_PORT": 29192,
    "KAFKA_CONTROLLER_PORT": 29193,
    "CONNECT_PORT": 28183,
}


def _env(home: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["INVENTORY_CDC_STACK_HOME"] = str(home)
    env.update({f"INVENTORY_CDC_STACK_{k}": str(v) for k, v in PORTS.items()})
    env.update(extra)
    return env


def run(home: Path, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, "stack", *args],
        env=_env(home, **extra),
        capture_output=True,
        text=True,
        timeout=400,
        check=False,
    )


def processes_under(home: Path) -> list[int]:
    """Pids whose command line or working directory mentions the private stack's home."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            cwd = os.readlink(entry / "cwd")
        except OSError:
            continue
        if str(home) in cmdline or cwd.startswith(str(home)):
            found.append(int(entry.name))
    return found


def group_alive(pgid: int) -> bool:
    return bool(group_members(pgid))


@pytest.fixture()
def private_home() -> Iterator[Path]:
    # not pytest's tmp_path: the database accounts must be able to traverse the home (mode 0700 there)
    home = Path(tempfile.mkdtemp(prefix="inventory-cdc-stack-"))
    home.chmod(0o755)
    yield home
    run(home, "down")
    shutil.rmtree(home, ignore_errors=True)


def test_up_is_idempotent_and_down_leaves_nothing_running(private_home: Path) -> None:
    first = run(private_home, "up")
    assert first.returncode == 0, first.stderr
    for service in ("postgres", "mariadb", "kafka", "connect"):
        assert f"{service}" in first.stdout and "healthy after" in first.stdout
    status = orjson.loads(run(private_home, "status", "-o", "json").stdout)
    assert {row["service"]: row["state"] for row in status} == dict.fromkeys(
        ("postgres", "mariadb", "kafka", "connect"), "healthy"
    )
    pids = {row["service"]: row["pid"] for row in status}
    before = sorted(processes_under(private_home))

    logs = run(private_home, "logs", "kafka", "-n", "5")
    assert logs.returncode == 0 and 0 < len(logs.stdout.strip().splitlines()) <= 5

    second = run(private_home, "up")
    assert second.returncode == 0, second.stderr
    assert second.stdout.count("already running") == 4
    again = {
        row["service"]: row["pid"] for row in orjson.loads(run(private_home, "status", "-o", "json").stdout)
    }
    assert again == pids
    assert sorted(processes_under(private_home)) == before

    down = run(private_home, "down")
    assert down.returncode == 0, down.stderr
    assert not any(group_alive(pid) for pid in pids.values())
    assert processes_under(private_home) == []
    assert all(port_bindable("127.0.0.1", port) for port in PORTS.values())
    status = orjson.loads(run(private_home, "status", "-o", "json").stdout)
    assert {row["state"] for row in status} == {"stopped"}


def _one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_unknown_service_is_one_line_error(private_home: Path) -> None:
    line = _one_line_error(run(private_home, "up", "zookeeper"))
    assert "unknown service 'zookeeper'" in line and "postgres, mariadb, kafka, connect" in line
    line = _one_line_error(run(private_home, "logs", "zookeeper"))
    assert "unknown service" in line


def test_port_taken_by_a_stranger_is_one_line_error(private_home: Path) -> None:
    with socket.socket() as squatter:
        # a previous test's connections may leave the port in TIME_WAIT; a listener may still bind
        squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        squatter.bind(("127.0.0.1", PORTS["POSTGRES_PORT"]))
        squatter.listen()
        assert port_holder(PORTS["POSTGRES_PORT"]) == "listener"
        line = _one_line_error(run(private_home, "up", "postgres"))
    assert (
        f"port {PORTS['POSTGRES_PORT']} for postgres is taken by a process this stack did not start" in line
    )
    assert "INVENTORY_CDC_STACK_POSTGRES_PORT" in line
    assert processes_under(private_home) == []


def test_port_held_by_an_outgoing_connection_says_to_move_below_the_kernel_range(private_home: Path) -> None:
    kernel = local_port_range()
    assert kernel is not None
    with socket.socket() as server, socket.socket() as client:
        server.bind(("127.0.0.1", 0))
        server.listen()
        # a client whose local end is a port of the kernel's range, as any outgoing connection may have
        for port in range(kernel.stop - 1, kernel.start, -7):
            try:
                client.bind(("127.0.0.1", port))
                break
            except OSError:
                continue
        else:
            pytest.fail(f"no free port in {kernel.start}-{kernel.stop - 1} to bind a client to")
        client.connect(server.getsockname())
        accepted, _ = server.accept()
        with accepted:
            assert port_holder(port) == "connection"
            line = _one_line_error(
                run(private_home, "up", "postgres", INVENTORY_CDC_STACK_POSTGRES_PORT=str(port))
            )
    assert f"port {port} for postgres is the local end of an outgoing connection" in line
    assert f"choose a port below {kernel.start} with INVENTORY_CDC_STACK_POSTGRES_PORT=PORT" in line
    assert processes_under(private_home) == []


def test_missing_binary_names_the_debian_package(private_home: Path) -> None:
    line = _one_line_error(run(private_home, "up", "mariadb", INVENTORY_CDC_MARIADBD="/nonexistent/mariadbd"))
    assert "`mariadbd` is not installed" in line and "mariadb-server" in line


def test_start_timeout_quotes_the_log_tail_and_cleans_up(private_home: Path) -> None:
    result = run(private_home, "up", "postgres", INVENTORY_CDC_STACK_START_TIMEOUT_S="0.01")
    assert result.returncode == 1
    assert "postgres did not become healthy within" in result.stderr
    assert "postgres.log" in result.stderr
    # what follows the first line is quoted from the service's own log
    log_lines = {line.strip() for line in (private_home / "logs" / "postgres.log").read_text().splitlines()}
    quoted = [line.strip() for line in result.stderr.splitlines()[1:] if line.strip()]
    assert quoted and all(line in log_lines for line in quoted)
    assert processes_under(private_home) == []
