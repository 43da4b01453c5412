"""Ad-hoc incremental snapshots through Debezium's signal table, followed through its notifications.

An ``execute-snapshot`` signal of type ``incremental`` makes the running connector re-read a table in chunks
(``snapshot.chunk_size`` rows, ordered by the key) interleaved with streaming, so changes keep flowing; with
``additional-conditions`` only rows matching the filter are read. Progress comes from the notification topic
(``<prefix>.notifications``: STARTED, IN_PROGRESS, TABLE_SCAN_COMPLETED, COMPLETED or ABORTED) and from the
``r`` events arriving on the table's topic.

Hazards: the signal row is read from the change stream, so a paused or stopped connector acts on it only when
it resumes; the filter is SQL run by the connector on the source (it must be valid there); every connector that
captures the same signal table sees the signal.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from connectors.exceptions import SnapshotError
from connectors.render import data_collection, notification_topic, table_topic
from connectors.sources.base import Source
from connectors.spec import ConnectorSpec
from connectors.topics import TailReader

FINAL = ("COMPLETED", "ABORTED")
#: after COMPLETED, how long to wait for scanned rows still on their way to the table's topic
_DRAIN_S = 30.0


def snapshot_signal(spec: ConnectorSpec, tables: Sequence[str], where: str | None = None) -> dict[str, Any]:
    """The ``data`` of an incremental ``execute-snapshot`` signal for ``tables`` (optionally filtered)."""
    collections = [data_collection(spec, t) for t in tables]
    data: dict[str, Any] = {"data-collections": collections, "type": "incremental"}
    if where:
        data["additional-conditions"] = [{"data-collection": c, "filter": where} for c in collections]
    return data


def request_snapshot(
    source: Source, spec: ConnectorSpec, tables: Sequence[str], where: str | None = None
) -> str:
    """Write the signal into the spec's signal table; returns its id (Debezium's notifications repeat it)."""
    unknown = [t for t in tables if t not in spec.table_names]
    if unknown:
        raise SnapshotError(
            spec.name,
            ", ".join(unknown),
            f"not captured by this connector: choose one of {', '.join(spec.table_names)}",
        )
    signal_id = str(uuid.uuid4())
    source.write_signal(
        signal_id, "execute-snapshot", orjson.dumps(snapshot_signal(spec, tables, where)).decode()
    )
    return signal_id


@dataclass(frozen=True)
class Progress:
    """One step of a snapshot: ``rows`` read so far (``r`` events seen on the table's topic)."""

    kind: str
    rows: int
    message: str = ""
    done: bool = False
    failed: bool = False


class SnapshotFollower:
    """Watches the notification topic and the table's topic from *before* the signal is written.

    Use: ``with SnapshotFollower(...) as follower: signal_id = request_snapshot(...); for p in
    follower.follow(signal_id): ...``.
    """

    def __init__(self, bootstrap: str, spec: ConnectorSpec, table: str) -> None:
        self.spec = spec
        self.table = table
        self.collection = data_collection(spec, table)
        self._notifications = notification_topic(spec.topic_prefix)
        self._topic = table_topic(spec, table)
        self._reader = TailReader(bootstrap, [self._notifications, self._topic])

    def __enter__(self) -> SnapshotFollower:
        self._reader.start_at_end()
        return self

    def __exit__(self, *exc: object) -> None:
        self._reader.close()

    def follow(self, signal_id: str, timeout_s: float = 600.0) -> Iterator[Progress]:
        """Progress until Debezium reports the snapshot COMPLETED (or ABORTED) and the rows it scanned have
        arrived on the table's topic (notifications and rows travel on different topics, in no fixed order)."""
        rows, scanned = 0, 0
        deadline = time.monotonic() + timeout_s
        started = False
        final: Progress | None = None
        while time.monotonic() < deadline:
            for topic, value in self._reader.poll(0.5):
                payload = value.get("payload", value) if isinstance(value, dict) else None
                if not isinstance(payload, dict):
                    continue
                if topic == self._topic:
                    source = payload.get("source") or {}
                    if payload.get("op") == "r" and source.get("snapshot") == "incremental":
                        rows += 1
                        yield Progress("row", rows)
                    continue
                if payload.get("aggregate_type") != "Incremental Snapshot" or payload.get("id") != signal_id:
                    continue
                kind = str(payload.get("type"))
                extra = payload.get("additional_data") or {}
                if kind == "STARTED":
                    started = True
                    yield Progress(kind, rows, f"started: {extra.get('data_collections', self.collection)}")
                elif kind == "TABLE_SCAN_COMPLETED":
                    status = extra.get("status", "")
                    scanned += int(extra.get("total_rows_scanned") or 0)
                    failed = status not in ("SUCCEEDED", "EMPTY")
                    message = f"{extra.get('scanned_collection')}: {status}, {scanned} rows scanned"
                    yield Progress(kind, rows, message, failed=failed)
                elif kind in FINAL:
                    final = Progress(kind, rows, kind.lower(), done=True, failed=kind == "ABORTED")
                    deadline = min(deadline, time.monotonic() + _DRAIN_S)
                else:
                    yield Progress(kind, rows, kind.lower())
            if final is not None and (final.failed or rows >= scanned):
                break
        if final is not None:
            yield Progress(final.kind, rows, final.message, done=True, failed=final.failed)
            return
        why = "no notification arrived (is the connector running?)" if not started else "it did not complete"
        raise SnapshotError(self.spec.name, self.table, f"{why} within {timeout_s:.0f} s")
