"""Making Kafka Connect run what the spec says: config through ``PUT /connectors/{name}/config`` (which creates
or updates), then the desired state, then waiting until the connector and its tasks are there.

Hazards: every config change restarts the connector's tasks; pausing or stopping a connector keeps its source
position pinned (a PostgreSQL slot retains WAL, a binlog may expire), so a paused connector is not free.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from connectors.connect_client import ConnectClient
from connectors.plan import Plan
from connectors.render import Rendered
from connectors.snapshot import request_snapshot
from connectors.sources.base import Source
from connectors.spec import ConnectorSpec

#: a task restarted by a config change may report RUNNING before it fails: watch it this long after the wait
SETTLE_S = 3.0


@dataclass
class ApplyResult:
    connector: str
    outcome: str
    state: str
    messages: list[str] = field(default_factory=list)
    status: dict[str, Any] | None = None
    snapshot_signal: str | None = None


def current_state(client: ConnectClient, name: str) -> str | None:
    """The connector's state (RUNNING, PAUSED, STOPPED, FAILED, UNASSIGNED), or None when it does not exist."""
    if not client.exists(name):
        return None
    status = client.status(name)
    states = [status["connector"]["state"], *(t["state"] for t in status.get("tasks", []))]
    return "FAILED" if "FAILED" in states else str(status["connector"]["state"])


def apply_plan(
    client: ConnectClient,
    spec: ConnectorSpec,
    rendered: Rendered,
    plan: Plan,
    source: Callable[[], Source] | None = None,
    timeout_s: float = 180.0,
) -> ApplyResult:
    """Carry out ``plan`` (made by :func:`connectors.plan.make_plan` just before). An unchanged spec is a no-op.

    Raises :class:`~connectors.exceptions.ConnectorNotReadyError` (with the first line of the failing task's
    trace) when the connector does not reach the wanted state in ``timeout_s``.
    """
    name, wanted = spec.name, plan.state_after
    if not plan.changed:
        return ApplyResult(name, "unchanged", wanted, [f"{name}: unchanged, nothing to do ({wanted})"])
    messages: list[str] = []
    if plan.action == "create" and wanted != "RUNNING":
        client.create(name, rendered.config, initial_state=wanted)
        messages.append(f"{name}: created {wanted.lower()} (its tasks never started)")
    elif plan.action in ("create", "update"):
        client.put_config(name, rendered.config)
        messages.append(
            f"{name}: {'created' if plan.action == 'create' else 'updated'} ({len(plan.changes)} field(s))"
        )
    before = plan.state_before
    if plan.action != "create" or wanted == "RUNNING":
        if wanted == "PAUSED" and before != "PAUSED":
            client.pause(name)
            messages.append(f"{name}: paused")
        elif wanted == "STOPPED" and before != "STOPPED":
            client.stop(name)
            messages.append(f"{name}: stopped")
        elif wanted == "RUNNING" and before in ("PAUSED", "STOPPED"):
            client.resume(name)
            messages.append(f"{name}: resumed")
        elif wanted == "RUNNING" and before == "FAILED" and plan.action == "unchanged":
            client.restart(name)
            messages.append(f"{name}: restarted (it had failed)")
    if plan.action == "update":
        time.sleep(1.0)  # let Connect begin the task restart before its status is read
    status = client.wait_running(name, timeout_s=timeout_s, wanted=wanted)
    if wanted == "RUNNING":
        time.sleep(SETTLE_S)
        status = client.wait_running(name, timeout_s=timeout_s, wanted=wanted)
    messages.append(f"{name}: {wanted} with {len(status.get('tasks', []))} task(s)")
    result = ApplyResult(
        name, plan.action if plan.action != "unchanged" else "state", wanted, messages, status
    )
    if plan.added_tables and wanted == "RUNNING" and source is not None:
        with source() as src:
            result.snapshot_signal = request_snapshot(src, spec, list(plan.added_tables))
        messages.append(
            f"{name}: incremental snapshot requested for {', '.join(plan.added_tables)} (signal {result.snapshot_signal})"
        )
    return result
