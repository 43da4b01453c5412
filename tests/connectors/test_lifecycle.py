"""The desired ``state`` of a spec, and the operational commands: pause, resume, restart, offsets, delete."""

from __future__ import annotations

from typing import Any

import pytest

from connectors.connect_client import ConnectClient
from tests.connectors.conftest import Cli

pytestmark = pytest.mark.stack


def test_state_offsets_reset_and_delete(cli: Cli, make_spec: Any, connect: ConnectClient) -> None:
    paused = make_spec("pricing", state="paused")
    result = cli("apply", str(paused.path))
    assert f"{paused.name}: created paused (its tasks never started)" in result.stdout
    assert connect.status(paused.name)["connector"]["state"] == "PAUSED"

    running = make_spec("pricing", name=paused.name)
    plan = cli("plan", str(running.path)).stdout
    assert "config unchanged, state changes (state PAUSED -> RUNNING)" in plan
    result = cli("apply", str(running.path))
    assert f"{paused.name}: resumed" in result.stdout
    assert f"{paused.name}: RUNNING with 1 task(s)" in result.stdout

    stored = cli.json("offsets", paused.name)
    assert stored["offset"] and "lsn" in stored["offset"]
    assert "running" in cli("restart", paused.name).stdout

    result = cli("offsets", paused.name, "--reset", "--yes")
    assert "offsets reset; left STOPPED" in result.stdout
    assert connect.status(paused.name)["connector"]["state"] == "STOPPED"
    assert cli.json("offsets", paused.name)["offset"] is None

    stopped = make_spec("pricing", name=paused.name, state="stopped")
    assert "unchanged: nothing to do (state STOPPED)" in cli("apply", str(stopped.path)).stdout

    result = cli("delete", paused.name)
    assert f"replication slot {paused.spec.postgresql.slot} remains" in result.stdout
    assert not connect.exists(paused.name)
    assert "ABSENT" in cli("status", str(stopped.path)).stdout
