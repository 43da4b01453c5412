"""Box-office change records as the MariaDB connector writes them, for tests that need no live capture.

The row schemas are the ones a live capture of the box-office DDL produced
(``fixtures/box_office_row_fields.json``); envelopes and source blocks come from
:mod:`pipelines.debezium.records`. Records go through the real decoder, so adapters see exactly what they
see in production (including the per-schema ``row_schema``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from pipelines.debezium import ChangeEvent, DebeziumDecoder, TransactionEvent
from pipelines.debezium.capture import DECODE_OPTIONS
from pipelines.debezium.logical import CONNECT_DECIMAL
from pipelines.debezium.records import change_event, transaction_record

FIELDS: dict[str, list[dict[str, Any]]] = json.loads(
    (Path(__file__).parent / "fixtures" / "box_office_row_fields.json").read_text()
)
PEPPER = b"test-pepper-0123456789abcdef"
#: 2026-11-28T01:00:00Z, the commit time of every test record unless a test says otherwise
COMMIT_MS = 1795827600000
COMMIT = datetime.fromisoformat("2026-11-28T01:00:00+00:00")


@dataclass
class Tx:
    """One source transaction being written: numbers its changes like Debezium does."""

    id: str
    total: int = 0
    per_table: dict[str, int] = field(default_factory=dict)

    def block(self, table: str) -> dict[str, Any]:
        self.total += 1
        self.per_table[table] = self.per_table.get(table, 0) + 1
        return {"id": self.id, "total_order": self.total, "data_collection_order": self.per_table[table]}


class BoxOfficeWire:
    """Writes and decodes box-office records; binlog positions rise with every change."""

    def __init__(self, prefix: str = "box_office", database: str = "boxoffice") -> None:
        self.prefix = prefix
        self.database = database
        self.position = 4
        self.decoder = DebeziumDecoder(options=DECODE_OPTIONS)

    def topic(self, table: str) -> str:
        return f"{self.prefix}.{self.database}.{table}"

    def raw(
        self,
        table: str,
        op: str,
        *,
        before: Mapping[str, Any] | None = None,
        after: Mapping[str, Any] | None = None,
        tx: Tx | None = None,
        ts_ms: int = COMMIT_MS,
        fields: list[dict[str, Any]] | None = None,
        snapshot: str = "false",
    ) -> bytes:
        """The record's value bytes."""
        fields = fields if fields is not None else FIELDS[table]
        self.position += 100
        position = {"file": "binlog.000042", "pos": self.position, "row": 0, "gtid": tx.id if tx else None}
        return change_event(
            connector="mariadb",
            topic_prefix=self.prefix,
            database=self.database,
            table=table,
            op=op,
            row_fields=fields,
            before=_wire_row(fields, before),
            after=_wire_row(fields, after),
            position=position,
            ts_ms=ts_ms,
            transaction=None if tx is None else tx.block(f"{self.database}.{table}"),
            snapshot=snapshot,
        )

    def change(self, table: str, op: str, **kwargs: Any) -> ChangeEvent:
        """A decoded change event (see :meth:`raw` for the arguments)."""
        event = self.decoder.decode(
            self.raw(table, op, **kwargs), topic=self.topic(table), partition=0, offset=self.position
        )
        assert isinstance(event, ChangeEvent)
        return event

    def read(self, table: str, row: Mapping[str, Any]) -> ChangeEvent:
        """A snapshot read (no transaction)."""
        return self.change(table, "r", after=row, snapshot="true")

    def end(self, tx: Tx, ts_ms: int = COMMIT_MS) -> TransactionEvent:
        """The END record of ``tx`` with its per-table counts."""
        value = transaction_record(
            "END", tx.id, ts_ms, data_collections={k: v for k, v in tx.per_table.items()}
        )
        event = self.decoder.decode(
            value, topic=f"{self.prefix}.transaction", partition=0, offset=self.position
        )
        assert isinstance(event, TransactionEvent)
        return event


def _wire_row(fields: list[dict[str, Any]], row: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """Python values as the encoder wants them: ints of DECIMAL columns as Decimal, missing columns NULL."""
    if row is None:
        return None
    names = {f["field"]: f for f in fields}
    out: dict[str, Any] = {}
    for name, value in row.items():
        spec = names[name]
        if spec.get("name") == CONNECT_DECIMAL and isinstance(value, int):
            value = Decimal(value)
        out[name] = value
    return out


VENUE_NY = {
    "VEN_ID": 9001, "VEN_CD": "HUDNYC", "VEN_NM": "Hudson Hall", "CITY_NM": "New York", "CNTRY_CD": "US",
    "TZ_NM": "America/New_York", "CAP_QTY": 19500, "ACTV_FLG": "Y", "CRT_DT": datetime(1998, 5, 1, 9, 0),
}  # fmt: skip
EVENT_1042 = {
    "EVT_ID": 1042, "VEN_ID": 9001, "EVT_NM": "Spring Forward Tour", "ARTIST_NM": "The Daylight Savers",
    "EVT_TYP_CD": "C", "EVT_STAT_CD": "O", "EVT_DT": datetime(2026, 12, 5, 20, 0), "DOORS_DT": None,
    "PRESALE_DT": None, "ONSALE_DT": None, "OFFSALE_DT": None, "TKT_LMT": 8, "HOLD_MINS": 10, "CURR_CD": "USD",
    "CRT_DT": datetime(2026, 10, 1, 12, 0),
}  # fmt: skip


def seat_row(seat_id: int, number: str, **changes: Any) -> dict[str, Any]:
    """A ``SEAT_INV`` row of event 1042, section 101, row C (available unless ``changes`` say otherwise)."""
    row = {
        "SEAT_ID": seat_id, "EVT_ID": 1042, "SECT_CD": "101", "ROW_CD": "C", "SEAT_NO": number, "PRC_LVL_CD": "P1",
        "FACE_AMT": 12500, "SEAT_STAT_CD": "A", "ADA_FLG": 0, "HOLD_TOKEN": None, "HOLD_ACCT_ID": None,
        "HOLD_EXP_DT": None, "ORD_ID": None, "UPD_DT": datetime(2026, 11, 27, 19, 0),
    }  # fmt: skip
    row.update(changes)
    return row
