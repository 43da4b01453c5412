"""The embedded lanes' saved normalizer states in DuckDB, beside the raw change log they cut short.

A lane saves its normalizer's state at a cut where nothing is held, with the sequence number of the first raw
record it does not reflect (:class:`~pipelines.runtime.sink.LaneState`), in the transaction that commits what
came before; the raw log below that number is deleted in the same transaction
(:meth:`warehouse.store.Warehouse.commit`). A restart loads the state and replays only the log from there, so
neither the log nor the restart grows with history.

Storage: a head row per system (``lane_state``) and the state's bytes cut into chunks of
:data:`CHUNK_BYTES` (``lane_state_chunks``), written as one Arrow batch: DuckDB writes a state at the adapters'
bounds (about 100 MB) in chunks several times faster than as one value (``bench/state_bench.py``).

Hazard: a state that no longer loads (an adapter whose state version changed) leaves only the log's tail to
replay: the lane starts with what the tail tells it, and changes referring to older rows (a seat of an event
created before) are dead letters until those rows are read again (re-snapshot the small tables, then
``dlq replay``).
"""

from __future__ import annotations

from typing import Final

import duckdb
import pyarrow as pa

from pipelines.runtime.sink import LaneState
from warehouse.exceptions import WarehouseError

CHUNK_BYTES: Final = 256 << 10

DDL = (
    """
    CREATE TABLE IF NOT EXISTS lane_state (
        system   VARCHAR PRIMARY KEY,
        next_seq BIGINT NOT NULL,
        chunks   INTEGER NOT NULL,
        saved_at TIMESTAMPTZ NOT NULL
    )
    """,
    "CREATE TABLE IF NOT EXISTS lane_state_chunks (system VARCHAR NOT NULL, n INTEGER NOT NULL, data BLOB NOT NULL)",
)
_CHUNKS = pa.schema([("system", pa.string()), ("n", pa.int32()), ("data", pa.binary())])


def create(conn: duckdb.DuckDBPyConnection) -> None:
    for statement in DDL:
        conn.execute(statement).fetchall()


def save(conn: duckdb.DuckDBPyConnection, saved: LaneState) -> None:
    """Replace ``saved.system``'s state with ``saved``, inside the caller's transaction."""
    state = saved.state
    parts = [state[i : i + CHUNK_BYTES] for i in range(0, len(state), CHUNK_BYTES)]
    conn.execute("DELETE FROM lane_state_chunks WHERE system = ?", [saved.system]).fetchall()
    table = pa.Table.from_arrays(
        [
            pa.array([saved.system] * len(parts), pa.string()),
            pa.array(range(len(parts)), pa.int32()),
            pa.array(parts, pa.binary()),
        ],
        schema=_CHUNKS,
    )
    conn.register("incoming_state", table)
    try:
        conn.execute("INSERT INTO lane_state_chunks SELECT * FROM incoming_state").fetchall()
    finally:
        conn.unregister("incoming_state")
    conn.execute(
        "INSERT OR REPLACE INTO lane_state VALUES (?, ?, ?, now())",
        [saved.system, saved.next_seq, len(parts)],
    ).fetchall()


def load(conn: duckdb.DuckDBPyConnection, system: str) -> LaneState | None:
    """``system``'s saved state, if one was saved."""
    head = conn.execute("SELECT next_seq, chunks FROM lane_state WHERE system = ?", [system]).fetchall()
    if not head:
        return None
    next_seq, chunks = head[0]
    parts = conn.execute(
        "SELECT data FROM lane_state_chunks WHERE system = ? ORDER BY n", [system]
    ).fetchall()
    if len(parts) != chunks:
        raise WarehouseError(f"the saved state of lane {system} has {len(parts)} of its {chunks} chunks")
    return LaneState(system, int(next_seq), b"".join(bytes(p[0]) for p in parts))


def next_seq(conn: duckdb.DuckDBPyConnection, system: str) -> int:
    """The first raw record ``system``'s saved state does not reflect (0 without a state)."""
    rows = conn.execute("SELECT next_seq FROM lane_state WHERE system = ?", [system]).fetchall()
    return int(rows[0][0]) if rows else 0
