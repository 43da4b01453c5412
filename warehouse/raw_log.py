"""The embedded transport's change log in DuckDB: every raw record received, so a restart can rebuild state.

Why: adapters keep lookups in memory (a seat needs its event's venue zone) and hold incomplete transactions.
On Kafka a restarted normalizer reads its topics again; the embedded engine has no topics, so every record it
hands over is appended here, in the DuckDB transaction that writes the events of its batch. At start the
embedded transport replays this log through fresh adapters (writes are idempotent on ``id``), then the engine
resumes from its own offsets; records the engine delivers again are recognised by the adapters.

Storage: JSON-with-schema values repeat the same schema for every record of a table; the schema is stored
once (``raw_schemas``, by a digest) and each row keeps only the payload. The split is found by parsing a
topic's first value; later values of the topic that begin with the same ``{"schema":...,"payload":`` bytes are
split by comparing bytes (rebuilding gives back exactly the value either way).

A lane's saved state (:mod:`warehouse.lane_states`) cuts the log short: the log below it is deleted
(:meth:`RawLog.prune`) in the transaction that saves it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence

import duckdb
import msgspec
import pyarrow as pa

DDL = (
    """
    CREATE TABLE IF NOT EXISTS raw_changes (
        system    VARCHAR NOT NULL,
        seq       BIGINT NOT NULL,
        topic     VARCHAR NOT NULL,
        raw_key   BLOB,
        schema_id VARCHAR,
        payload   BLOB
    )
    """,
    "CREATE TABLE IF NOT EXISTS raw_schemas (schema_id VARCHAR PRIMARY KEY, schema BLOB NOT NULL)",
)

_WHOLE = "-"  # schema_id of a value stored whole (not a {"schema", "payload"} object)
_SCHEMA = pa.schema(
    [
        ("system", pa.string()),
        ("seq", pa.int64()),
        ("topic", pa.string()),
        ("raw_key", pa.binary()),
        ("schema_id", pa.string()),
        ("payload", pa.binary()),
    ]
)


class _Split(msgspec.Struct):
    schema: msgspec.Raw = msgspec.Raw(b"")
    payload: msgspec.Raw = msgspec.Raw(b"")


_split = msgspec.json.Decoder(_Split)


class RawLog:
    """Appends and replays one DuckDB file's raw change log (the caller owns the transaction)."""

    def __init__(self, conn: duckdb.DuckDBPyConnection) -> None:
        self.conn = conn
        for statement in DDL:
            conn.execute(statement).fetchall()
        self._ids: dict[bytes, str] = {}
        self._known: set[str] = {r[0] for r in conn.execute("SELECT schema_id FROM raw_schemas").fetchall()}
        self._unconfirmed: set[str] = set()
        # topic -> (b'{"schema":<schema>,"payload":', schema id) of the topic's latest schema
        self._prefixes: dict[str, tuple[bytes, str]] = {}

    def next_seq(self, system: str) -> int:
        """The number past ``system``'s last record in the log (0 for an empty log)."""
        ((seq,),) = self.conn.execute(
            "SELECT coalesce(max(seq), -1) + 1 FROM raw_changes WHERE system = ?", [system]
        ).fetchall()
        return int(seq)

    def prune(self, system: str, below: int) -> None:
        """Delete ``system``'s records numbered below ``below``, inside the caller's transaction."""
        self.conn.execute("DELETE FROM raw_changes WHERE system = ? AND seq < ?", [system, below]).fetchall()

    def append(
        self, system: str, first_seq: int, records: Sequence[tuple[str, bytes | None, bytes | None]]
    ) -> None:
        """Append (topic, key, value) records numbered from ``first_seq``, inside the caller's transaction.

        Call :meth:`rolled_back` if that transaction is rolled back (schemas it stored are then unknown again).
        """
        if not records:
            return
        n = len(records)
        topics: list[str] = []
        keys: list[bytes | None] = []
        schema_ids: list[str | None] = []
        payloads: list[bytes | None] = []
        new_schemas: dict[str, bytes] = {}
        prefixes = self._prefixes
        for topic, key, value in records:
            topics.append(topic)
            keys.append(key)
            if value is None:
                schema_ids.append(None)
                payloads.append(None)
                continue
            cached = prefixes.get(topic)
            if cached is not None and value.startswith(cached[0]) and value.endswith(b"}"):
                schema_ids.append(cached[1])
                payloads.append(value[len(cached[0]) : -1])
                continue
            schema_id, payload = self._split(topic, value, new_schemas)
            schema_ids.append(schema_id)
            payloads.append(payload)
        table = pa.Table.from_arrays(
            [
                pa.array([system] * n, pa.string()),
                pa.array(range(first_seq, first_seq + n), pa.int64()),
                pa.array(topics, pa.string()),
                pa.array(keys, pa.binary()),
                pa.array(schema_ids, pa.string()),
                pa.array(payloads, pa.binary()),
            ],
            schema=_SCHEMA,
        )
        for schema_id, schema in new_schemas.items():
            self.conn.execute(
                "INSERT INTO raw_schemas VALUES (?, ?) ON CONFLICT DO NOTHING", [schema_id, schema]
            ).fetchall()
        self._known.update(new_schemas)
        self._unconfirmed.update(new_schemas)
        self.conn.register("incoming_raw", table)
        try:
            self.conn.execute("INSERT INTO raw_changes SELECT * FROM incoming_raw").fetchall()
        finally:
            self.conn.unregister("incoming_raw")

    def committed(self) -> None:
        """The caller's transaction committed: the schemas stored since are known for good."""
        self._unconfirmed.clear()

    def rolled_back(self) -> None:
        """The caller's transaction rolled back: forget the schemas stored since the last commit."""
        if self._unconfirmed:
            self._known -= self._unconfirmed
            self._unconfirmed.clear()
            self._prefixes.clear()

    def _split(self, topic: str, value: bytes, new: dict[str, bytes]) -> tuple[str, bytes]:
        try:
            parts = _split.decode(value)
        except (msgspec.DecodeError, msgspec.ValidationError):
            return _WHOLE, value
        schema = bytes(parts.schema)
        if not schema or not len(parts.payload):
            return _WHOLE, value
        schema_id = self._ids.get(schema)
        if schema_id is None:
            schema_id = hashlib.blake2b(schema, digest_size=16).hexdigest()
            self._ids[schema] = schema_id
        payload = bytes(parts.payload)
        # the decoder compares schema bytes; rebuilding must give back exactly what the engine sent
        prefix = b'{"schema":' + schema + b',"payload":'
        if prefix + payload + b"}" != value:
            return _WHOLE, value
        if schema_id not in self._known:
            new[schema_id] = schema
        self._prefixes[topic] = (prefix, schema_id)
        return schema_id, payload

    def replay(
        self, system: str, from_seq: int = 0, chunk: int = 20_000
    ) -> Iterator[tuple[int, str, bytes | None, bytes | None]]:
        """(seq, topic, key, value) of ``system``'s records from ``from_seq`` on, in the order received."""
        schemas = {
            r[0]: bytes(r[1])
            for r in self.conn.execute("SELECT schema_id, schema FROM raw_schemas").fetchall()
        }
        seq = from_seq - 1
        while True:
            rows = self.conn.execute(
                "SELECT seq, topic, raw_key, schema_id, payload FROM raw_changes "
                "WHERE system = ? AND seq > ? ORDER BY seq LIMIT ?",
                [system, seq, chunk],
            ).fetchall()
            if not rows:
                return
            for seq, topic, key, schema_id, payload in rows:
                value: bytes | None
                if payload is None:
                    value = None
                elif schema_id == _WHOLE:
                    value = bytes(payload)
                else:
                    value = b'{"schema":' + schemas[schema_id] + b',"payload":' + bytes(payload) + b"}"
                yield seq, topic, None if key is None else bytes(key), value
