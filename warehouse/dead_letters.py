"""The DuckDB dead-letter table: records the pipeline set aside, with reason, raw record and source position.

Written idempotently on the dead letter's ``id`` (the same poison record redelivered is kept once), in the same
transaction as the canonical events of its batch. ``dlq replay`` deletes the rows whose records now map, in the
transaction that inserts their events; rows that still fail get ``replays`` counted up and the latest message.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import duckdb
import msgspec
import pyarrow as pa

from pipelines.runtime.deadletter import DeadLetter

DDL = """
    CREATE TABLE IF NOT EXISTS dead_letters (
        id            UUID PRIMARY KEY,
        system        VARCHAR,
        error         VARCHAR NOT NULL,
        reason        VARCHAR NOT NULL,
        message       VARCHAR NOT NULL,
        retryable     BOOLEAN NOT NULL,
        field         VARCHAR,
        source_table  VARCHAR,
        column_name   VARCHAR,
        topic         VARCHAR NOT NULL,
        part          INTEGER NOT NULL,
        record_offset BIGINT NOT NULL,
        position      JSON,
        raw_key       BLOB,
        raw_value     BLOB,
        value_inline  BOOLEAN NOT NULL,
        value_size    BIGINT NOT NULL,
        value_sha256  VARCHAR,
        failed_at     TIMESTAMPTZ,
        replays       INTEGER NOT NULL DEFAULT 0,
        last_replay   VARCHAR
    )
"""

_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("system", pa.string()),
        ("error", pa.string()),
        ("reason", pa.string()),
        ("message", pa.string()),
        ("retryable", pa.bool_()),
        ("field", pa.string()),
        ("source_table", pa.string()),
        ("column_name", pa.string()),
        ("topic", pa.string()),
        ("part", pa.int32()),
        ("record_offset", pa.int64()),
        ("position", pa.string()),
        ("raw_key", pa.binary()),
        ("raw_value", pa.binary()),
        ("value_inline", pa.bool_()),
        ("value_size", pa.int64()),
        ("value_sha256", pa.string()),
        ("failed_at", pa.timestamp("us", tz="UTC")),
    ]
)
_COLUMNS = ", ".join(_SCHEMA.names)
_json = msgspec.json.Encoder()


def _arrow(letters: Iterable[DeadLetter]) -> pa.Table:
    rows: dict[str, list[Any]] = {name: [] for name in _SCHEMA.names}
    seen: set[str] = set()
    for d in letters:
        if d.id in seen:
            continue
        seen.add(d.id)
        for name, value in (
            ("id", d.id),
            ("system", d.system),
            ("error", d.error),
            ("reason", d.reason),
            ("message", d.message),
            ("retryable", d.retryable),
            ("field", d.field),
            ("source_table", d.table),
            ("column_name", d.column),
            ("topic", d.topic),
            ("part", d.partition),
            ("record_offset", d.offset),
            ("position", None if d.position is None else _json.encode(d.position).decode()),
            ("raw_key", d.key),
            ("raw_value", d.value),
            ("value_inline", d.value_inline),
            ("value_size", d.value_size),
            ("value_sha256", d.value_sha256),
            ("failed_at", d.failed_at),
        ):
            rows[name].append(value)
    return pa.table(rows, schema=_SCHEMA)


def insert_dead_letters(conn: duckdb.DuckDBPyConnection, letters: Sequence[DeadLetter]) -> None:
    """Insert dead letters not already present, inside the caller's transaction."""
    if not letters:
        return
    conn.register("incoming_dead_letters", _arrow(letters))
    try:
        conn.execute(
            f"INSERT INTO dead_letters ({_COLUMNS}) SELECT {_COLUMNS.replace('id,', 'CAST(id AS UUID),', 1)} "
            "FROM incoming_dead_letters ON CONFLICT (id) DO NOTHING"
        ).fetchall()
    finally:
        conn.unregister("incoming_dead_letters")


def _letter(row: tuple[Any, ...]) -> DeadLetter:
    (id_, system, error, reason, message, retryable, field, table, column, topic, part, offset, position,
     key, value, inline, size, sha, failed_at) = row  # fmt: skip
    return DeadLetter(
        id=str(id_),
        system=system,
        error=error,
        reason=reason,
        message=message,
        retryable=retryable,
        field=field,
        table=table,
        column=column,
        topic=topic,
        partition=part,
        offset=offset,
        position=None if position is None else msgspec.json.decode(position),
        key=None if key is None else bytes(key),
        value=None if value is None else bytes(value),
        value_inline=inline,
        value_size=size,
        value_sha256=sha,
        failed_at=failed_at,
    )


def list_dead_letters(
    conn: duckdb.DuckDBPyConnection, *, system: str | None = None, limit: int | None = None
) -> list[tuple[DeadLetter, int, str | None]]:
    """Dead letters, oldest first: (letter, replays, last replay message)."""
    sql = f"SELECT {_COLUMNS}, replays, last_replay FROM dead_letters"
    params: list[Any] = []
    if system is not None:
        sql += " WHERE system = ?"
        params.append(system)
    sql += " ORDER BY failed_at, topic, part, record_offset"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    return [(_letter(r[:-2]), r[-2], r[-1]) for r in conn.execute(sql, params).fetchall()]


def find_dead_letters(conn: duckdb.DuckDBPyConnection, id_prefix: str) -> list[DeadLetter]:
    """Dead letters whose id starts with ``id_prefix`` (a full id, or its first characters)."""
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM dead_letters WHERE CAST(id AS VARCHAR) LIKE ? ORDER BY id",
        [id_prefix.lower() + "%"],
    ).fetchall()
    return [_letter(r) for r in rows]


def delete_dead_letters(conn: duckdb.DuckDBPyConnection, ids: Sequence[str]) -> None:
    """Delete dead letters (inside the caller's transaction)."""
    for id_ in ids:
        conn.execute("DELETE FROM dead_letters WHERE id = CAST(? AS UUID)", [id_]).fetchall()


def note_replay(conn: duckdb.DuckDBPyConnection, outcomes: Mapping[str, str]) -> None:
    """Count a replay that still failed, with its message (inside the caller's transaction)."""
    for id_, message in outcomes.items():
        conn.execute(
            "UPDATE dead_letters SET replays = replays + 1, last_replay = ? WHERE id = CAST(? AS UUID)",
            [message, id_],
        ).fetchall()


def count_dead_letters(conn: duckdb.DuckDBPyConnection) -> int:
    ((n,),) = conn.execute("SELECT count(*) FROM dead_letters").fetchall()
    return int(n)
