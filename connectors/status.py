"""What a connector is doing: its and its tasks' states, the last event seen per table, and the retention runway.

Hazard the runway exists for: a paused, stopped or failed connector still holds a position at the source. On
PostgreSQL its slot retains WAL (up to ``max_slot_wal_keep_size``, or until the disk is full); on MariaDB/MySQL
the binlog it needs expires after ``binlog_expire_logs_seconds``; on SQL Server the CDC cleanup job deletes
change rows after its retention. Past the runway the connector can only start over with a new snapshot.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from connectors.connect_client import ConnectClient
from connectors.exceptions import (
    ConnectorNotFoundError,
    SourceLoginError,
    SourceQueryError,
    SourceUnreachableError,
)
from connectors.render import table_topic
from connectors.sources.base import Runway, Source
from connectors.spec import ConnectorSpec
from connectors.topics import newest_records


@dataclass(frozen=True)
class TaskState:
    id: int
    state: str
    worker: str
    #: first line of the task's stack trace when it failed
    error: str | None = None


@dataclass(frozen=True)
class LastEvent:
    table: str
    topic: str
    op: str | None = None
    #: source commit time of the newest event (ms since the epoch), and its age in seconds
    source_ts_ms: int | None = None
    age_s: float | None = None
    offset: int | None = None


@dataclass
class ConnectorStatus:
    connector: str
    state: str
    tasks: list[TaskState] = field(default_factory=list)
    last_events: list[LastEvent] = field(default_factory=list)
    runway: Runway | None = None
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _first_line(trace: str | None) -> str | None:
    lines = (trace or "").strip().splitlines()
    return lines[0] if lines else None


def source_offset(client: ConnectClient, name: str) -> dict[str, Any] | None:
    """The connector's stored source offset (Debezium keeps one partition per connector)."""
    offsets = client.offsets(name).get("offsets", [])
    return dict(offsets[0]["offset"]) if offsets else None


def connector_status(
    client: ConnectClient,
    spec: ConnectorSpec,
    bootstrap: str,
    source: Source | None,
    disk_path: Path | None = None,
) -> ConnectorStatus:
    """Everything ``connectors status`` shows for one connector. ``source`` None skips the runway."""
    try:
        raw = client.status(spec.name)
    except ConnectorNotFoundError:
        return ConnectorStatus(
            spec.name, "ABSENT", notes=["not deployed: `inventory-cdc connectors apply` creates it"]
        )
    report = ConnectorStatus(spec.name, str(raw["connector"]["state"]))
    if raw["connector"].get("trace"):
        report.notes.append(f"connector: {_first_line(raw['connector']['trace'])}")
    for task in raw.get("tasks", []):
        report.tasks.append(
            TaskState(
                int(task["id"]),
                str(task["state"]),
                str(task.get("worker_id", "")),
                _first_line(task.get("trace")),
            )
        )
    topics = {table_topic(spec, t): t for t in spec.table_names}
    now_ms = time.time() * 1000
    newest = newest_records(bootstrap, topics)
    for topic, table in topics.items():
        record = newest.get(topic)
        if record is None:
            report.last_events.append(LastEvent(table, topic))
            continue
        ts = (record.payload.get("source") or {}).get("ts_ms") or record.timestamp_ms
        report.last_events.append(
            LastEvent(
                table, topic, record.payload.get("op"), int(ts), max(0.0, (now_ms - ts) / 1000), record.offset
            )
        )
    if source is not None:
        try:
            report.runway = source.runway(source_offset(client, spec.name), disk_path)
        except (SourceUnreachableError, SourceLoginError, SourceQueryError) as exc:
            report.notes.append(f"runway unknown: {exc}")
    return report
