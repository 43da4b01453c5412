"""Turn a ``source`` block into :class:`~pipelines.debezium.model.SourceInfo` with a typed position.

Required position fields per connector: PostgreSQL ``lsn``; MySQL/MariaDB ``file`` and ``pos`` (``row``
defaults to 0); SQL Server ``commit_lsn``. The transaction id is the envelope's ``transaction.id`` when
transaction metadata is on, else PostgreSQL's ``txId`` or MySQL/MariaDB's ``gtid``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Final

from pipelines.canonical.source import (
    BinlogPosition,
    Connector,
    Position,
    PostgresPosition,
    SqlServerPosition,
)
from pipelines.debezium.exceptions import DecodeError
from pipelines.debezium.model import SnapshotMarker, SourceInfo
from pipelines.debezium.wire import SourceWire

_EPOCH_UTC: Final = datetime(1970, 1, 1, tzinfo=UTC)
_CONNECTORS: Final = {c.value: c for c in Connector}
_SNAPSHOT: Final = {m.value: m for m in SnapshotMarker}


def _required(value: object, path: str, connector: str) -> None:
    if value is None:
        raise DecodeError(path, f"the {connector} connector's source block must carry it")


def position_of(wire: SourceWire, path: str = "payload.source") -> Position:
    """The change-log position in ``wire``; raise :class:`DecodeError` naming a missing position field."""
    connector = wire.connector
    if connector == "postgresql":
        _required(wire.lsn, f"{path}.lsn", connector)
        return PostgresPosition(lsn=wire.lsn)  # type: ignore[arg-type]
    if connector in ("mysql", "mariadb"):
        _required(wire.file, f"{path}.file", connector)
        _required(wire.pos, f"{path}.pos", connector)
        return BinlogPosition(
            file=wire.file,  # type: ignore[arg-type]
            pos=wire.pos,  # type: ignore[arg-type]
            row=wire.row or 0,
            gtid=wire.gtid,
            server_id=wire.server_id,
        )
    if connector == "sqlserver":
        _required(wire.commit_lsn, f"{path}.commit_lsn", connector)
        return SqlServerPosition(
            commit_lsn=wire.commit_lsn,  # type: ignore[arg-type]
            change_lsn=wire.change_lsn,
            event_serial_no=wire.event_serial_no,
        )
    raise DecodeError(
        f"{path}.connector", f"unsupported connector {connector!r}; supported: {', '.join(_CONNECTORS)}"
    )


def _snapshot(value: str | bool | None, path: str) -> SnapshotMarker:
    if value is None or value is False:
        return SnapshotMarker.FALSE
    if value is True:
        return SnapshotMarker.TRUE
    marker = _SNAPSHOT.get(value)
    if marker is None:
        raise DecodeError(f"{path}.snapshot", f"unknown snapshot marker {value!r}")
    return marker


def source_info(
    wire: SourceWire, transaction_id: str | None = None, path: str = "payload.source"
) -> SourceInfo:
    """Decode a source block; ``transaction_id`` (from the envelope's transaction block) wins as ``tx_id``."""
    position = position_of(wire, path)
    micros = wire.ts_us if wire.ts_us is not None else wire.ts_ms * 1000
    try:
        committed_at = _EPOCH_UTC + timedelta(microseconds=micros)
    except OverflowError:
        raise DecodeError(f"{path}.ts_ms", f"{wire.ts_ms} ms is not a representable commit time") from None
    tx_id = transaction_id
    if tx_id is None:
        tx_id = str(wire.txId) if wire.txId is not None else wire.gtid
    return SourceInfo(
        connector=_CONNECTORS[wire.connector],
        name=wire.name,
        version=wire.version,
        database=wire.db,
        schema=wire.schema,
        table=wire.table,
        ts_ms=wire.ts_ms,
        committed_at=committed_at,
        snapshot=_snapshot(wire.snapshot, path),
        position=position,
        tx_id=tx_id,
    )
