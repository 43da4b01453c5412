"""What the adapters needed from the decoder: a per-schema RowSchema on every change (one object per schema, so
drift checks run once), empty uuid columns in PostgreSQL key-only deletes, and the capture settings in one place."""

from __future__ import annotations

from typing import Any

from pipelines.debezium import ChangeEvent, DebeziumDecoder, RowSchema
from pipelines.debezium.capture import DECODE_OPTIONS, capture_config
from pipelines.debezium.encoder import field
from pipelines.debezium.records import change_event
from tests.legacy_adapters.wire import FIELDS, BoxOfficeWire, seat_row


def test_changes_of_one_schema_share_one_row_schema_with_value_kinds() -> None:
    wire = BoxOfficeWire()
    first = wire.read("SEAT_INV", seat_row(1, "1"))
    second = wire.read("SEAT_INV", seat_row(2, "2"))
    assert isinstance(first.row_schema, RowSchema) and first.row_schema is second.row_schema
    kinds = first.row_schema.columns
    assert (kinds["SEAT_ID"], kinds["EVT_ID"], kinds["SECT_CD"], kinds["HOLD_EXP_DT"], kinds["UPD_TS"]) == (
        "decimal",  # BIGINT UNSIGNED with bigint.unsigned.handling.mode=precise
        "int",
        "text",
        "timestamp",
        "zoned_timestamp",
    )
    assert first.row_schema.name is not None and first.row_schema.name.endswith("SEAT_INV.Value")
    widened = wire.change(
        "SEAT_INV",
        "r",
        after=seat_row(3, "3"),
        fields=[*FIELDS["SEAT_INV"], field("X", "string", optional=True)],
    )
    assert widened.row_schema is not first.row_schema and widened.row_schema is not None
    assert widened.row_schema.columns["X"] == "text"


def test_a_key_only_postgres_delete_decodes_empty_uuids_as_null() -> None:
    fields = [
        field("sale_id", "string", logical="io.debezium.data.Uuid", version=1),
        field("listing_id", "string", logical="io.debezium.data.Uuid", version=1),
    ]
    # REPLICA IDENTITY DEFAULT: Debezium fills the non-key NOT NULL columns of the before-image with empty values
    value = change_event(
        connector="postgresql", topic_prefix="pricing", database="pricing", schema="resale", table="sale", op="d",
        row_fields=fields, before={"sale_id": "00000000-0000-4000-8000-00000000c001", "listing_id": ""},
        position={"lsn": 1000}, ts_ms=1795827600000,
    )  # fmt: skip
    event = DebeziumDecoder(options=DECODE_OPTIONS).decode(value, topic="pricing.resale.sale")
    assert isinstance(event, ChangeEvent) and event.before is not None
    assert str(event.before["sale_id"]) == "00000000-0000-4000-8000-00000000c001"
    assert event.before["listing_id"] is None


def test_schemaless_records_decode_the_same_on_the_fast_path() -> None:
    fields: list[dict[str, Any]] = FIELDS["VENUE"]
    row = {
        "VEN_ID": 1,
        "VEN_CD": "A",
        "VEN_NM": "Hall",
        "CNTRY_CD": "US",
        "TZ_NM": "UTC",
        "ACTV_FLG": "Y",
        "CRT_DT": 0,
    }
    decoder = DebeziumDecoder(options=DECODE_OPTIONS, schemaless_fields={"t": fields})
    values = [
        change_event(connector="mariadb", topic_prefix="p", database="d", table="VENUE", op="c", row_fields=fields,
                     after={**row, "VEN_ID": n}, position={"file": "f", "pos": n}, ts_ms=0, schemas=False)
        for n in (1, 2)
    ]  # fmt: skip
    first, second = (decoder.decode(v, topic="t") for v in values)
    assert isinstance(first, ChangeEvent) and isinstance(second, ChangeEvent)
    assert (first.after or {})["VEN_ID"] == 1 and (second.after or {})["VEN_ID"] == 2
    assert first.row_schema is second.row_schema


def test_the_capture_settings_are_the_ones_the_decoder_is_written_for() -> None:
    assert capture_config("mariadb") == {
        "decimal.handling.mode": "precise",
        "time.precision.mode": "adaptive_time_microseconds",
        "provide.transaction.metadata": "true",
        "binary.handling.mode": "bytes",
        "tombstones.on.delete": "true",
        "bigint.unsigned.handling.mode": "precise",
    }
    assert capture_config("sqlserver")["time.precision.mode"] == "adaptive"
    assert "bigint.unsigned.handling.mode" not in capture_config("postgresql")
    assert DECODE_OPTIONS.decimal_format == "base64"
