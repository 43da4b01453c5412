"""Every legacy adapter is a plain object the runtime can drive through pipelines.mapping.Adapter: factories,
table names, the columns they read, unknown tables, records with nothing to map, and schema drift (a new column passes, a dropped or
retyped mapped column is a typed error, also inside a transaction)."""

from __future__ import annotations

from typing import Any

import pytest

from legacy_adapters import box_office, crm, pricing
from legacy_adapters.box_office.tables import SEAT_INV
from legacy_adapters.pricing.tables import PRICE_LEVEL
from legacy_adapters.registry import SYSTEMS
from pipelines.canonical import ContractViolation
from pipelines.debezium import TableId
from pipelines.debezium.records import heartbeat_record
from pipelines.exceptions import InventoryCdcError
from pipelines.mapping import Adapter, Mapped, SchemaDriftError, UnknownTableError
from pipelines.mapping.exceptions import MappingError
from tests.legacy_adapters.wire import EVENT_1042, FIELDS, PEPPER, VENUE_NY, BoxOfficeWire, Tx, seat_row


def _adapters() -> list[Adapter]:
    return [box_office.adapter(pepper=PEPPER), pricing.adapter(pepper=PEPPER), crm.adapter(pepper=PEPPER)]


def test_each_system_package_has_an_adapter_factory_satisfying_the_protocol() -> None:
    adapters = _adapters()
    assert [a.system for a in adapters] == list(SYSTEMS)
    assert all(isinstance(a, Adapter) for a in adapters)
    assert [a.needs_transactions for a in adapters] == [True, False, False]
    assert adapters[0].tables == {"VENUE", "EVT_MASTER", "SEAT_INV", "ORD_HDR", "ORD_LN", "ORD_CHGBK"}
    assert adapters[1].tables == {"pricing.price_level", "pricing.package", "resale.listing", "resale.sale"}
    assert adapters[2].tables == {"dbo.Customer", "dbo.FanClubTier", "dbo.PresaleGrant", "dbo.Chargeback"}
    # the tables a system captures are its mapped tables plus ones mapped to nothing, never fewer
    for adapter in adapters:
        captured = {
            t.split(".", 1)[1] if adapter.system == "box_office" else t
            for t in SYSTEMS[adapter.system].captured_tables
        }
        assert adapter.tables <= captured


def test_a_pepper_too_short_to_be_a_secret_is_refused_up_front() -> None:
    with pytest.raises(ContractViolation):
        box_office.adapter(pepper=b"short")
    with pytest.raises(ContractViolation):
        crm.adapter(pepper=b"short")
    with pytest.raises(ContractViolation):
        pricing.adapter(pepper=b"short")


def test_mapping_errors_sit_under_the_project_root() -> None:
    assert issubclass(MappingError, InventoryCdcError)
    assert issubclass(UnknownTableError, MappingError) and issubclass(SchemaDriftError, MappingError)


def test_an_unknown_table_is_a_typed_error_and_the_signal_table_maps_to_nothing() -> None:
    wire = BoxOfficeWire()
    adapter = box_office.adapter(pepper=PEPPER)
    fields = [{"type": "int64", "optional": False, "field": "ID"}]
    stray = wire.change("PROMO_CODE", "c", after={"ID": 1}, fields=fields)
    (failure,) = adapter.handle(stray).failures
    assert isinstance(failure, UnknownTableError) and failure.table == "boxoffice.PROMO_CODE"
    assert failure.record == stray.record
    signal = wire.change("DBZ_SIGNAL", "c", after={"id": "x", "type": "execute-snapshot", "data": None})
    assert not adapter.handle(signal)


def test_tombstones_heartbeats_and_truncates() -> None:
    wire = BoxOfficeWire()
    adapter = box_office.adapter(pepper=PEPPER)
    tombstone = wire.decoder.decode(None, topic=wire.topic("SEAT_INV"))
    key, value = heartbeat_record("box_office", 1795827600000)
    heartbeat = wire.decoder.decode(value, key=key, topic="__debezium-heartbeat.box_office")
    assert not adapter.handle(tombstone) and not adapter.handle(heartbeat)
    truncate = wire.change("SEAT_INV", "t")
    (failure,) = adapter.handle(truncate).failures
    assert "TRUNCATE" in failure.reason and failure.table == "boxoffice.SEAT_INV"


def _setup(adapter: Any, wire: BoxOfficeWire) -> None:
    assert not adapter.handle(wire.read("VENUE", VENUE_NY)).failures
    assert not adapter.handle(wire.read("EVT_MASTER", EVENT_1042)).failures


def test_a_new_column_does_not_break_mapping() -> None:
    wire = BoxOfficeWire()
    adapter = box_office.adapter(pepper=PEPPER)
    _setup(adapter, wire)
    widened = [*FIELDS["SEAT_INV"], {"type": "string", "optional": True, "field": "VIEW_NOTE"}]
    record = wire.change(
        "SEAT_INV", "r", after={**seat_row(1, "1"), "VIEW_NOTE": "pillar"}, fields=widened, snapshot="true"
    )
    out = adapter.handle(record)
    assert out.failures == [] and [e.key for e in out.events] == ["seat:BO-1042:101:C:1"]


@pytest.mark.parametrize(
    ("change", "column", "fields"),
    [
        ("removed", "PRC_LVL_CD", [f for f in FIELDS["SEAT_INV"] if f["field"] != "PRC_LVL_CD"]),
        (
            "retyped",
            "FACE_AMT",
            [
                {**f, "type": "string", "default": None} if f["field"] == "FACE_AMT" else f
                for f in FIELDS["SEAT_INV"]
            ],
        ),
    ],
)
def test_a_dropped_or_retyped_mapped_column_is_a_schema_drift_error(
    change: str, column: str, fields: list[dict[str, Any]]
) -> None:
    wire = BoxOfficeWire()
    adapter = box_office.adapter(pepper=PEPPER)
    _setup(adapter, wire)
    row = {k: v for k, v in seat_row(1, "1").items() if k in {f["field"] for f in fields}}
    if change == "retyped":
        row[column] = "12500"
    record = wire.change("SEAT_INV", "r", after=row, fields=fields, snapshot="true")
    (failure,) = adapter.handle(record).failures
    assert isinstance(failure, SchemaDriftError)
    assert (failure.change, failure.column, failure.table) == (change, column, "boxoffice.SEAT_INV")
    assert failure.record == record.record and failure.position == record.source.position
    assert not failure.retryable


def test_a_drifted_change_inside_a_transaction_does_not_hold_the_transaction_back() -> None:
    wire = BoxOfficeWire()
    adapter = box_office.adapter(pepper=PEPPER)
    _setup(adapter, wire)
    narrowed = [f for f in FIELDS["SEAT_INV"] if f["field"] != "SEAT_STAT_CD"]
    tx = Tx("0-1-900")
    good = wire.change("SEAT_INV", "u", before=seat_row(1, "1"), after=seat_row(1, "1", ADA_FLG=1), tx=tx)
    row = {k: v for k, v in seat_row(2, "2").items() if k != "SEAT_STAT_CD"}
    bad = wire.change("SEAT_INV", "u", before=row, after=row, tx=tx, fields=narrowed)
    out = Mapped()
    for record in (bad, good, wire.end(tx)):
        out.extend(adapter.handle(record))
    assert [type(f).__name__ for f in out.failures] == ["SchemaDriftError"]
    assert [e.key for e in out.events] == ["seat:BO-1042:101:C:1"]
    assert adapter.pending() == ()


def test_columns_read_are_the_mapped_columns_of_each_table_the_adapter_knows() -> None:
    bo, pr = box_office.adapter(pepper=PEPPER), pricing.adapter(pepper=PEPPER)
    assert bo.columns_read(TableId("any_database", None, "SEAT_INV")) == frozenset(SEAT_INV.columns)
    assert "UPD_TS" not in frozenset(SEAT_INV.columns)  # an audit column no mapping reads
    assert pr.columns_read(TableId("pricing", "pricing", "price_level")) == frozenset(PRICE_LEVEL.columns)
    assert pr.columns_read(TableId("pricing", "other_schema", "price_level")) is None
    assert bo.columns_read(TableId("boxoffice", None, "DBZ_SIGNAL")) is None  # ignored: decoded whole
    assert bo.columns_read(TableId("boxoffice", None, "NOT_A_TABLE")) is None
