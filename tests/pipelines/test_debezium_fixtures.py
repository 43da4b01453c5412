"""Hand-written Debezium records in the documented JsonConverter format, decoded to hand-computed values.

The fixture files under ``fixtures/`` were written from the Debezium connector documentation (MariaDB/MySQL,
PostgreSQL, SQL Server: envelope, source block, transaction metadata, heartbeats, schema changes). The
expected values below are computed by hand in the comments, not by the code under test.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal

import pytest

from pipelines.canonical import BinlogPosition, Connector, PostgresPosition, SqlServerPosition
from pipelines.debezium import (
    ChangeEvent,
    DebeziumDecoder,
    DecodeOptions,
    Heartbeat,
    Op,
    SchemaChange,
    SnapshotMarker,
    Tombstone,
    TransactionEvent,
    TransactionStatus,
)


def test_mariadb_seat_inv_update_decodes_every_column(fixture_bytes: Callable[..., bytes]) -> None:
    record = DebeziumDecoder().decode(
        fixture_bytes("mariadb_seat_inv_update.json"),
        topic="boxoffice.boxoffice.SEAT_INV",
        partition=3,
        offset=42,
    )
    assert isinstance(record, ChangeEvent)
    assert record.op is Op.UPDATE
    assert str(record.table) == "boxoffice.SEAT_INV"
    assert record.after == {
        "SEAT_ID": 880417,
        "EVT_ID": 1042,
        "SECT_CD": "A",
        "ROW_CD": "12",
        "SEAT_NO": "7",
        "PRC_LVL_CD": "P1",
        "FACE_AMT": 8900,  # integer cents stay integers
        "SEAT_STAT_CD": "S",
        # TINYINT(1) arrives as INT16 (documented snapshot quirk): stays an int for the adapter to map
        "ADA_FLG": 0,
        "HOLD_TOKEN": None,
        "HOLD_ACCT_ID": None,
        "HOLD_EXP_DT": None,
        "ORD_ID": 555001,
        # 1773514931000 ms: 20526 days (56*365 + 14 leap days + 31 + 28 + 13) * 86_400_000 = 1773446400000,
        # plus 19:02:11 = 68_531_000 ms -> the venue's wall-clock reading, no zone attached
        "UPD_DT": datetime(2026, 3, 14, 19, 2, 11),
        "UPD_TS": datetime(2026, 3, 14, 18, 2, 11, tzinfo=UTC),
    }
    before = record.before
    assert before is not None and before["SEAT_STAT_CD"] == "H"
    # 1773515402000 ms = 1773446400000 + 19:10:02 (69_002_000 ms)
    assert before["HOLD_EXP_DT"] == datetime(2026, 3, 14, 19, 10, 2)
    # a NOT NULL zero date ('0000-00-00 00:00:00') arrives as the epoch: the adapter reads it as "unknown"
    assert before["UPD_DT"] == datetime(1970, 1, 1)
    assert before["HOLD_ACCT_ID"] == "3F2504E0-4F89-11D3-9A0C-0305E82C3301"
    source = record.source
    assert source.connector is Connector.MARIADB
    assert source.position == BinlogPosition(
        file="mariadb-bin.000042", pos=91233, row=2, gtid="0-1-88231", server_id=1
    )
    assert source.snapshot is SnapshotMarker.FALSE and not source.is_snapshot
    # ts_us wins over ts_ms for the commit time: 1773511331250000 µs = 2026-03-14T18:02:11.25Z
    assert source.committed_at == datetime(2026, 3, 14, 18, 2, 11, 250000, tzinfo=UTC)
    assert source.tx_id == "0-1-88231"  # the transaction block's id
    assert record.transaction is not None and record.transaction.total_order == 3
    assert record.record is not None and str(record.record) == "boxoffice.boxoffice.SEAT_INV[3]@42"
    canonical = source.to_canonical("box_office")
    assert (canonical.system, canonical.table, canonical.snapshot) == ("box_office", "SEAT_INV", False)


def test_postgres_price_levels_update_decodes_every_column(fixture_bytes: Callable[..., bytes]) -> None:
    record = DebeziumDecoder().decode(fixture_bytes("postgres_price_levels_update.json"))
    assert isinstance(record, ChangeEvent)
    assert record.before is None  # REPLICA IDENTITY DEFAULT: no before image on updates
    assert record.after == {
        "id": "PL-88",
        "event_ref": "BO-1042",
        "name": "Category 1",
        "face_value": Decimal("89.00"),  # "IsQ=" = 0x22C4 = 8900, scale 2
        "discount_pct": Decimal("12.345"),  # VariableScaleDecimal: "MDk=" = 0x3039 = 12345, scale 3
        "valid_from": datetime(2026, 3, 14, 8, 0, tzinfo=UTC),
        "created_at": datetime(2026, 3, 14, 9, 0),  # 1773478800000000 µs = 20526 days + 9 h, wall-clock
        "deleted_at": None,
        # JSON floats become Decimal so money-like numbers survive exactly
        "rules": {"max_per_order": 8, "vat": Decimal("0.20"), "zones": ["A", "B"]},
        "batch_id": uuid.UUID("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
        "active": True,
        "tier": "premium",
        "hold_window": timedelta(minutes=90),  # 5_400_000_000 µs
        "tags": ["ballet", None, "winter"],
    }
    assert record.source.position == PostgresPosition(lsn=24023128)
    assert record.source.tx_id == "771"  # no transaction block: PostgreSQL's txId
    assert record.table.schema == "public"
    # ts_us = 1773489600500123 -> 2026-03-14T12:00:00.500123Z
    assert record.source.committed_at == datetime(2026, 3, 14, 12, 0, 0, 500123, tzinfo=UTC)


def test_sqlserver_customers_create_decodes_every_column(fixture_bytes: Callable[..., bytes]) -> None:
    record = DebeziumDecoder().decode(fixture_bytes("sqlserver_customers_create.json"))
    assert isinstance(record, ChangeEvent) and record.op is Op.CREATE
    assert record.after == {
        "customer_id": "3F2504E0-4F89-11D3-9A0C-0305E82C3301",  # uniqueidentifier is a plain string
        "email": "Änne.Kretschmar@example.org",
        # money: Decimal scale 4; "ALxhAA==" = 00 BC 61 00 = 12_345_600 -> 1234.5600
        "credit_limit": Decimal("1234.5600"),
        "is_vip": True,  # bit -> boolean
        "tier": 3,
        # datetime2(7): 1561881600123456700 ns = 18077 days + 8 h + 0.1234567 s; the last 100 ns tick is
        # truncated under the default policy
        "created_at": datetime(2019, 6, 30, 8, 0, 0, 123456),
        # datetimeoffset keeps its offset; 7 fraction digits truncated to 6
        "last_login": datetime(2026, 1, 5, 17, 42, 9, 123456, tzinfo=timezone(timedelta(hours=1))),
        "birth_date": date(1987, 6, 5),  # 6364 days
        "call_window": time(18, 0),  # io.debezium.time.Time: 64_800_000 ms
        "row_ver": b"\x00\x00\x00\x00\x00\x00\x07\xd1",  # rowversion 2001
    }
    assert record.source.position == SqlServerPosition(
        commit_lsn="00000027:00000758:0005", change_lsn="00000027:00000758:0003", event_serial_no=1
    )
    assert record.source.tx_id == "00000027:00000758:0005"


def test_sqlserver_sub_microsecond_reject_policy_names_the_field(fixture_bytes: Callable[..., bytes]) -> None:
    decoder = DebeziumDecoder(options=DecodeOptions(sub_microsecond="reject"))
    with pytest.raises(Exception) as info:
        decoder.decode(
            fixture_bytes("sqlserver_customers_create.json"), topic="crm.crm.dbo.customers", offset=9
        )
    error = info.value
    assert getattr(error, "field", None) == "payload.after.created_at"
    assert getattr(error, "position", None) == SqlServerPosition(
        commit_lsn="00000027:00000758:0005", change_lsn="00000027:00000758:0003", event_serial_no=1
    )
    assert getattr(error, "offset", None) == 9


def test_heartbeat_with_server_name_from_key(fixture_bytes: Callable[..., bytes]) -> None:
    record = DebeziumDecoder().decode(
        fixture_bytes("heartbeat.json", "value"),
        key=fixture_bytes("heartbeat.json", "key"),
        topic="__debezium-heartbeat.boxoffice",
    )
    assert isinstance(record, Heartbeat)
    assert (record.ts_ms, record.server_name) == (1773511400000, "boxoffice")


def test_transaction_begin_and_end_with_per_table_counts(fixture_bytes: Callable[..., bytes]) -> None:
    decoder = DebeziumDecoder()
    begin = decoder.decode(
        fixture_bytes("transaction_begin_end.json", "begin"), topic="boxoffice.transaction"
    )
    end = decoder.decode(fixture_bytes("transaction_begin_end.json", "end"), topic="boxoffice.transaction")
    assert isinstance(begin, TransactionEvent) and isinstance(end, TransactionEvent)
    assert (begin.status, begin.id, begin.event_count, begin.data_collections) == (
        TransactionStatus.BEGIN,
        "0-1-88231",
        None,
        (),
    )
    assert end.status is TransactionStatus.END and end.event_count == 4
    counts = {c.data_collection: c.event_count for c in end.data_collections}
    assert counts == {"boxoffice.ORD_HDR": 1, "boxoffice.ORD_LN": 1, "boxoffice.SEAT_INV": 2}
    assert sum(counts.values()) == end.event_count


def test_schema_change_event(fixture_bytes: Callable[..., bytes]) -> None:
    record = DebeziumDecoder().decode(fixture_bytes("mysql_schema_change.json"), topic="boxoffice")
    assert isinstance(record, SchemaChange)
    assert record.database == "boxoffice"
    assert record.ddl is not None and record.ddl.startswith("ALTER TABLE SEAT_INV ADD COLUMN")
    assert record.table_changes[0]["table"]["primaryKeyColumnNames"] == [
        "EVT_ID",
        "SECT_CD",
        "ROW_CD",
        "SEAT_NO",
    ]
    assert record.source is not None
    assert record.source.position == BinlogPosition(file="mysql-bin.000003", pos=570, row=0, server_id=223344)


def test_truncate_has_no_rows(fixture_bytes: Callable[..., bytes]) -> None:
    record = DebeziumDecoder().decode(fixture_bytes("postgres_truncate_message_delete.json", "truncate"))
    assert isinstance(record, ChangeEvent)
    assert (record.op, record.before, record.after, record.row) == (Op.TRUNCATE, None, None, None)
    assert record.table.table == "resale_listings"


def test_delete_with_replica_identity_default_keeps_only_the_key(fixture_bytes: Callable[..., bytes]) -> None:
    record = DebeziumDecoder().decode(fixture_bytes("postgres_truncate_message_delete.json", "delete"))
    assert isinstance(record, ChangeEvent) and record.op is Op.DELETE
    # the documented PostgreSQL delete carries only the primary key in `before`; other columns come as None
    assert record.before == {"id": "RL-78", "status": None}
    assert record.row == record.before and record.after is None


def test_logical_decoding_message(fixture_bytes: Callable[..., bytes]) -> None:
    record = DebeziumDecoder().decode(fixture_bytes("postgres_truncate_message_delete.json", "message"))
    assert isinstance(record, ChangeEvent) and record.op is Op.MESSAGE
    assert record.message is not None
    assert (record.message.prefix, record.message.content) == ("resale-audit", b'{"seat":"A:12:7"}')
    assert record.source.position == PostgresPosition(lsn=46523200)


@pytest.mark.parametrize("value", [None, b"", b"null", b'{"schema": null, "payload": null}'])
def test_tombstones(fixture_bytes: Callable[..., bytes], value: bytes | None) -> None:
    key = b'{"schema": {"type": "struct", "fields": [{"type": "string", "optional": false, "field": "id"}], '
    key += b'"optional": false, "name": "pricing.public.resale_listings.Key"}, "payload": {"id": "RL-78"}}'
    record = DebeziumDecoder().decode(
        value, key=key, topic="pricing.public.resale_listings", partition=1, offset=7
    )
    assert isinstance(record, Tombstone)
    assert record.key == {"id": "RL-78"}
    assert record.record is not None and record.record.offset == 7
