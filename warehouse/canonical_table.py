"""The DuckDB canonical table: every canonical event once, written idempotently on its ``id``.

Writes are bulk: a batch of events becomes one Arrow table and one ``INSERT ... SELECT ... ON CONFLICT (id) DO
NOTHING``, so a replayed change (Debezium is at-least-once) is absorbed. The positions a writer has consumed up to
(Kafka offsets of a loader group, or any other opaque checkpoint) are stored in the same DuckDB transaction as the
rows they cover: after a crash, rows and checkpoint agree.

Hazard: DuckDB allows one writing process per database file; a second writer gets :class:`WarehouseLockedError`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import msgspec
import pyarrow as pa

from pipelines.canonical import Envelope
from warehouse.exceptions import WarehouseLockedError

DDL = (
    """
    CREATE TABLE IF NOT EXISTS canonical_events (
        id              UUID PRIMARY KEY,
        type            VARCHAR NOT NULL,
        key             VARCHAR NOT NULL,
        occurred_at     TIMESTAMPTZ NOT NULL,
        schema_version  INTEGER NOT NULL,
        deleted         BOOLEAN NOT NULL,
        source_system   VARCHAR NOT NULL,
        source_table    VARCHAR NOT NULL,
        source_tx_id    VARCHAR,
        source_snapshot BOOLEAN NOT NULL,
        source          JSON NOT NULL,
        data            JSON NOT NULL,
        loaded_at       TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS loader_checkpoints (
        consumer    VARCHAR NOT NULL,
        stream      VARCHAR NOT NULL,
        part        INTEGER NOT NULL,
        position    VARCHAR NOT NULL,
        updated_at  TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
        PRIMARY KEY (consumer, stream, part)
    )
    """,
)

_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("type", pa.string()),
        ("key", pa.string()),
        ("occurred_at", pa.timestamp("us", tz="UTC")),
        ("schema_version", pa.int32()),
        ("deleted", pa.bool_()),
        ("source_system", pa.string()),
        ("source_table", pa.string()),
        ("source_tx_id", pa.string()),
        ("source_snapshot", pa.bool_()),
        ("source", pa.string()),
        ("data", pa.string()),
    ]
)

_json = msgspec.json.Encoder()

#: a checkpoint: (consumer, stream, partition) -> position (e.g. the next Kafka offset, as text)
Checkpoints = Mapping[tuple[str, str, int], str]


def events_to_arrow(events: Iterable[Envelope]) -> pa.Table:
    """One Arrow table of events, the first of each ``id`` kept (a batch may repeat a replayed change)."""
    seen: set[str] = set()
    columns: dict[str, list[Any]] = {name: [] for name in _SCHEMA.names}
    for event in events:
        if event.id in seen:
            continue
        seen.add(event.id)
        source = event.source
        columns["id"].append(event.id)
        columns["type"].append(event.type)
        columns["key"].append(event.key)
        columns["occurred_at"].append(event.occurred_at)
        columns["schema_version"].append(event.schema_version)
        columns["deleted"].append(bool(getattr(event, "deleted", False)))
        columns["source_system"].append(source.system)
        table = f"{source.schema}.{source.table}" if source.schema else source.table
        columns["source_table"].append(f"{source.database}.{table}")
        columns["source_tx_id"].append(source.tx_id)
        columns["source_snapshot"].append(source.snapshot)
        columns["source"].append(_json.encode(source).decode())
        columns["data"].append(_json.encode(event.data).decode())  # type: ignore[attr-defined]
    return pa.table(columns, schema=_SCHEMA)


class CanonicalTable:
    """The canonical table in one DuckDB file (or ``:memory:``)."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        try:
            self.conn = duckdb.connect(self.path)
        except duckdb.IOException as exc:
            raise WarehouseLockedError(self.path, str(exc).splitlines()[0]) from exc
        for statement in DDL:
            self._run(statement)

    def _run(self, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
        """Execute and drain (DuckDB wants every result finished before the next statement)."""
        return self.conn.execute(sql, params).fetchall()

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> CanonicalTable:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def write(self, events: Sequence[Envelope], checkpoints: Checkpoints | None = None) -> int:
        """Insert the events not already present and store ``checkpoints``, in one transaction.

        Returns how many rows were new. Safe to call again with the same events: nothing is duplicated.
        """
        with self.transaction():
            added = self.insert_events(events)
            self.store_checkpoints(checkpoints or {})
        return added

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One DuckDB transaction: committed when the block ends, rolled back if it raises."""
        self.conn.begin()
        try:
            yield
            self.conn.commit()
        except BaseException:
            self.conn.rollback()
            raise

    def insert_events(self, events: Sequence[Envelope]) -> int:
        """Insert the events not already present, inside the caller's transaction; how many were new."""
        batch = events_to_arrow(events)
        if not batch.num_rows:
            return 0
        before = self.count()
        self.conn.register("incoming_batch", batch)
        try:
            self._run(
                """
                INSERT INTO canonical_events
                    (id, type, key, occurred_at, schema_version, deleted, source_system, source_table,
                     source_tx_id, source_snapshot, source, data)
                SELECT CAST(id AS UUID), type, key, occurred_at, schema_version, deleted, source_system,
                       source_table, source_tx_id, source_snapshot, source, data
                FROM incoming_batch
                ON CONFLICT (id) DO NOTHING
                """
            )
        finally:
            self.conn.unregister("incoming_batch")
        return self.count() - before

    def store_checkpoints(self, checkpoints: Checkpoints) -> None:
        """Upsert checkpoints, inside the caller's transaction."""
        for (consumer, stream, part), position in checkpoints.items():
            self._run(
                """
                INSERT INTO loader_checkpoints (consumer, stream, part, position) VALUES (?, ?, ?, ?)
                ON CONFLICT (consumer, stream, part)
                DO UPDATE SET position = excluded.position, updated_at = now()
                """,
                [consumer, stream, part, position],
            )

    def checkpoints(self, consumer: str) -> dict[tuple[str, int], str]:
        """Stored positions of ``consumer``: (stream, partition) -> position."""
        rows = self._run(
            "SELECT stream, part, position FROM loader_checkpoints WHERE consumer = ?", [consumer]
        )
        return {(stream, part): position for stream, part, position in rows}

    def count(self) -> int:
        ((count,),) = self._run("SELECT count(*) FROM canonical_events")
        return int(count)
