"""The DuckDB canonical table: every canonical event once, written idempotently on its ``id``.

Writes are bulk: a batch of events becomes one Arrow table and one ``INSERT ... SELECT ... ON CONFLICT (id) DO
NOTHING``, so a replayed change (Debezium is at-least-once) is absorbed. The positions a writer has consumed up to
(Kafka offsets of a loader group, or any other opaque checkpoint) are stored in the same DuckDB transaction as the
rows they cover: after a crash, rows and checkpoint agree.

Checkpoints: DuckDB folds its write-ahead log into the file after every ``wal_autocheckpoint`` bytes, and a
checkpoint costs far more than the commits between (it rewrites the row groups that grew); the writer raises
the threshold from DuckDB's 16 MiB to :data:`WAL_AUTOCHECKPOINT` so a stream of batches checkpoints less often.

Hazards: DuckDB allows one writing process per database file; a second writer gets
:class:`WarehouseLockedError`. Up to :data:`WAL_AUTOCHECKPOINT` of committed batches live in the ``.wal`` file
(and in memory) until the next checkpoint or a clean close; opening the file after a crash replays them first.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Self

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

WAL_AUTOCHECKPOINT = "256MiB"
"""Write-ahead log size that triggers a checkpoint (DuckDB's default is 16 MiB; see the module docstring)."""

#: a checkpoint: (consumer, stream, partition) -> position (e.g. the next Kafka offset, as text)
Checkpoints = Mapping[tuple[str, str, int], str]


def events_to_arrow(events: Iterable[Envelope]) -> pa.Table:
    """One Arrow table of events, the first of each ``id`` kept (a batch may repeat a replayed change).

    Built column by column (no per-row dicts); ``source`` and ``data`` are encoded in one call per column
    (JSON lines: msgspec escapes newlines inside strings, so each line is one event's JSON).
    """
    batch = list(events)
    ids = [event.id for event in batch]
    if len(set(ids)) != len(ids):
        first: dict[str, Envelope] = {}
        for event in batch:
            first.setdefault(event.id, event)
        batch = list(first.values())
        ids = list(first)
    sources = [event.source for event in batch]
    tables = _source_tables
    columns: list[Any] = [
        ids,
        [_type_of(event) for event in batch],
        [event.key for event in batch],
        [event.occurred_at for event in batch],
        [event.schema_version for event in batch],
        [bool(getattr(event, "deleted", False)) for event in batch],
        [source.system for source in sources],
        [
            tables.get((s.database, s.schema, s.table)) or _source_table(s.database, s.schema, s.table)
            for s in sources
        ],
        [source.tx_id for source in sources],
        [source.snapshot for source in sources],
        _json_lines(sources),
        _json_lines([event.data for event in batch]),  # type: ignore[attr-defined]
    ]
    return pa.Table.from_arrays(
        [pa.array(column, field.type) for column, field in zip(columns, _SCHEMA, strict=True)], schema=_SCHEMA
    )


_types: dict[type, str] = {}
_source_tables: dict[tuple[str, str | None, str], str] = {}


def _type_of(event: Envelope) -> str:
    cls = type(event)
    name = _types.get(cls)
    if name is None:
        name = _types[cls] = str(event.type)
    return name


def _source_table(database: str, schema: str | None, table: str) -> str:
    name = f"{database}.{schema}.{table}" if schema else f"{database}.{table}"
    if len(_source_tables) < 10_000:
        _source_tables[(database, schema, table)] = name
    return name


def _json_lines(items: list[Any]) -> list[bytes]:
    if not items:
        return []
    return _json.encode_lines(items).split(b"\n")[:-1]


class CanonicalTable:
    """The canonical table in one DuckDB file (or ``:memory:``)."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        try:
            self.conn = duckdb.connect(self.path)
        except duckdb.IOException as exc:
            raise WarehouseLockedError(self.path, str(exc).splitlines()[0]) from exc
        self._run(f"SET wal_autocheckpoint = '{WAL_AUTOCHECKPOINT}'")
        for statement in DDL:
            self._run(statement)

    def _run(self, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
        """Execute and drain (DuckDB wants every result finished before the next statement)."""
        return self.conn.execute(sql, params).fetchall()

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Self:
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
        if not events:
            return 0
        batch = events_to_arrow(events)
        self.conn.register("incoming_batch", batch)
        try:
            # DuckDB reports the rows inserted: conflicts (ids already present) are not counted
            ((added,),) = self._run(
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
        return int(added)

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
