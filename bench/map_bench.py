"""Decode-and-map throughput per legacy system, next to decode alone, in one process.

For each system's hottest table (box office ``SEAT_INV``, pricing ``resale.listing``, CRM ``dbo.Customer``)
the benchmark builds a pool of distinct records from recorded envelopes (``bench/data/*.jsonl``: real records
of a live capture for the box office and pricing; the CRM's SQL Server records are written with
:mod:`pipelines.debezium.records`, as no SQL Server runs here) by varying keys, values and source positions,
then measures, best of ``--repeat``:

* decode only: :class:`~pipelines.debezium.DebeziumDecoder` on every record as the runtime decodes: only the
  row columns the system's adapter maps (``columns=adapter.columns_read``), record keys checked but not
  decoded (``key_values=False``);
* decode and map: the same, each result handed to the system's adapter.

Box-office seat changes come in transactions of ``--seats-per-tx`` seats (a cart hold: A to H) followed by
their transaction END record, as the connector writes them with ``provide.transaction.metadata=true``; the
rate counts seat changes. Two wire forms are measured: (a) schema-enabled JSON as the stack's Connect worker
writes it (every record carries its ~4 KB schema), (b) the same payloads with ``schemas.enable=false`` and the
row types given once (``schemaless_fields``). Prints a table and the map/decode ratio.

    .venv/bin/python bench/map_bench.py --messages 200000
"""

from __future__ import annotations

import platform
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import msgspec
import orjson
import typer
from rich.console import Console
from rich.table import Table

from bench.timing import best
from legacy_adapters import box_office, crm, pricing
from pipelines.canonical import (
    EventType,
    Money,
    SeatChanged,
    SeatData,
    SeatRef,
    SeatStatus,
    derive_event_id,
    seat_key,
)
from pipelines.canonical.codec import encode_event
from pipelines.debezium import ChangeEvent, DebeziumDecoder
from pipelines.debezium.capture import DECODE_OPTIONS
from pipelines.debezium.decoder import ColumnsOf
from pipelines.debezium.encoder import b64, field, unscaled_bytes
from pipelines.debezium.records import change_event, envelope_schema
from pipelines.mapping import Adapter

DATA = Path(__file__).parent / "data"
PEPPER = b"bench-pepper-0123456789"
Record = tuple[str, bytes | None, bytes]


def _templates(name: str) -> dict[str, dict[str, Any]]:
    rows = [orjson.loads(line) for line in (DATA / name).read_bytes().splitlines() if line.strip()]
    return {row["role"]: row for row in rows}


def _decimal(value: int) -> str:
    return b64(unscaled_bytes(value))


def box_office_records(
    count: int, seats_per_tx: int, schemas: bool
) -> tuple[list[Record], list[Record], int]:
    """(set-up records, timed records, seat changes among them): seats of event 1042 held in carts."""
    t = _templates("box_office.jsonl")
    setup: list[Record] = []
    for role in ("venue", "event"):  # as snapshot reads: no transaction to wait for
        value = orjson.loads(t[role]["value"])
        value["payload"].update(transaction=None, op="r")
        payload = value if schemas else value["payload"]
        setup.append((t[role]["topic"], None, orjson.dumps(payload)))
    seat = orjson.loads(t["seat"]["value"])
    end = orjson.loads(t["end"]["value"])
    seat_topic, end_topic = t["seat"]["topic"], t["end"]["topic"]
    records: list[Record] = []
    collection = next(d["data_collection"] for d in end["payload"]["data_collections"])
    for n in range(count):
        i, order = divmod(n, seats_per_tx)
        tx_id = f"0-1-{100000 + i}"
        seat_id = _decimal(1000 + n)
        before = {
            **seat["payload"]["before"],
            "SEAT_ID": seat_id,
            "SEAT_STAT_CD": "A",
            "ORD_ID": None,
            "SEAT_NO": str(n % 40 + 1),
        }
        after = {
            **before,
            "SEAT_STAT_CD": "H",
            "HOLD_TOKEN": f"cart-{i:012d}",
            "HOLD_ACCT_ID": "6F9619FF-8B86-D011-B42D-00C04FC964FF",
            "HOLD_EXP_DT": 1793496600000 + 600_000 + i,
            "SECT_CD": f"S{n % 97}",
        }
        payload = {
            **seat["payload"],
            "before": before,
            "after": after,
            "source": {**seat["payload"]["source"], "pos": 4 + 900 * i, "row": order, "gtid": tx_id},
            "transaction": {"id": tx_id, "total_order": order + 1, "data_collection_order": order + 1},
        }
        value = {"schema": seat["schema"], "payload": payload} if schemas else payload
        key = {"schema": orjson.loads(t["seat"]["key"])["schema"], "payload": {"SEAT_ID": seat_id}}
        records.append((seat_topic, orjson.dumps(key if schemas else key["payload"]), orjson.dumps(value)))
        if order == seats_per_tx - 1 or n == count - 1:
            data = [{"data_collection": collection, "event_count": order + 1}]
            end_payload = {**end["payload"], "id": tx_id, "event_count": order + 1, "data_collections": data}
            value = {"schema": end["schema"], "payload": end_payload} if schemas else end_payload
            records.append((end_topic, None, orjson.dumps(value)))
    return setup, records, count


def pricing_listings(count: int) -> tuple[list[Record], list[Record]]:
    """New active resale listings (one ``resale.listed`` each), varied from a recorded listing insert."""
    t = _templates("pricing.jsonl")["listing"]
    template = orjson.loads(t["value"])
    key_schema = orjson.loads(t["key"])["schema"]
    records: list[Record] = []
    for n in range(count):
        listing_id = f"00000000-0000-4000-8000-{n:012x}"
        after = {
            **template["payload"]["after"],
            "listing_id": listing_id,
            "ask_amount": _decimal(10_000 + n % 50_000),
            "seat_ref": f"{n % 90 + 100}:{chr(65 + n % 26)}:{n % 30 + 1}",
        }
        source = {**template["payload"]["source"], "lsn": 185432336 + 512 * n, "txId": 43932 + n}
        payload = {**template["payload"], "after": after, "source": source, "transaction": None}
        value = orjson.dumps({"schema": template["schema"], "payload": payload})
        records.append(
            (t["topic"], orjson.dumps({"schema": key_schema, "payload": {"listing_id": listing_id}}), value)
        )
    return [], records


CRM_CUSTOMER = [
    field("CustomerId", "string"),
    field("Email", "string", optional=True, parameters={"masked": "true"}),
    field("Phone", "string", optional=True, parameters={"masked": "true"}),
    field("GivenName", "string", optional=True, parameters={"masked": "true"}),
    field("FamilyName", "string", optional=True, parameters={"masked": "true"}),
    field("CountryCode", "string", optional=True),
    field("PostalCode", "string", optional=True),
    field("PreferredLang", "string", optional=True),
    field("IsVerified", "boolean"),
    field("MarketingOptIn", "boolean"),
    field("IsBlocked", "boolean"),
    field("LifetimeSpend", "bytes", logical="org.apache.kafka.connect.data.Decimal", version=1,
          parameters={"scale": "4", "connect.decimal.precision": "19"}),
    field("CreatedAt", "int64", logical="io.debezium.time.Timestamp", version=1),
    field("UpdatedAt", "int64", optional=True, logical="io.debezium.time.NanoTimestamp", version=1),
    field("RowVer", "bytes"),
]  # fmt: skip


def crm_customers(count: int) -> tuple[list[Record], list[Record]]:
    """Customer updates in SQL Server's format (no live SQL Server here: written with the record encoder)."""
    envelope = envelope_schema(
        connector="sqlserver",
        topic_prefix="crm",
        database="crm",
        schema="dbo",
        table="Customer",
        row_fields=CRM_CUSTOMER,
    )
    records: list[Record] = []
    for n in range(count):
        customer_id = f"6F9619FF-8B86-D011-B42D-{n:012X}"
        row = {
            "CustomerId": customer_id, "Email": f"{n:064x}", "Phone": f"{n:032x}", "GivenName": f"{n + 1:064x}",
            "FamilyName": f"{n + 2:064x}", "CountryCode": "GB", "PostalCode": "SW1A 1AA", "PreferredLang": "en-GB",
            "IsVerified": True, "MarketingOptIn": n % 2 == 0, "IsBlocked": False, "LifetimeSpend": Decimal("1234.5678"),
            "CreatedAt": 1774745999999, "UpdatedAt": 1774746000000000000 + n, "RowVer": n.to_bytes(8, "big"),
        }  # fmt: skip
        lsn = f"{0x25 + n // 65536:08x}:{n % 65536:08x}:0005"
        value = change_event(
            connector="sqlserver", topic_prefix="crm", database="crm", schema="dbo", table="Customer", op="u",
            row_fields=CRM_CUSTOMER, envelope=envelope, before=row, after=row, ts_ms=1774746000000 + n,
            position={"commit_lsn": lsn, "change_lsn": lsn[:-4] + "0003", "event_serial_no": 2},
        )  # fmt: skip
        records.append(("crm.crm.dbo.Customer", None, value))
    return [], records


def schemaless_fields(name: str, role: str) -> dict[str, list[dict[str, Any]]]:
    """The row fields of a template record, for a decoder fed schemaless payloads of its topic."""
    row = _templates(name)[role]
    schema = orjson.loads(row["value"])["schema"]
    return {row["topic"]: next(f for f in schema["fields"] if f["field"] == "after")["fields"]}


class _SeatRow(msgspec.Struct, gc=False):
    """The mapped SEAT_INV columns as raw wire values: what a fused, typed decode would start from."""

    SEAT_ID: str
    EVT_ID: int
    SECT_CD: str
    ROW_CD: str
    SEAT_NO: str
    PRC_LVL_CD: str | None
    FACE_AMT: int
    SEAT_STAT_CD: str
    ADA_FLG: int
    HOLD_TOKEN: str | None
    HOLD_ACCT_ID: str | None
    HOLD_EXP_DT: int | None
    ORD_ID: str | None


class _SeatPayload(msgspec.Struct, gc=False):
    op: str
    before: _SeatRow | None
    after: _SeatRow | None
    source: dict[str, Any]
    transaction: dict[str, Any] | None


class _SeatMessage(msgspec.Struct, gc=False):
    payload: _SeatPayload


def parse_floor(records: list[Record], schemas: bool, repeat: int) -> float:
    """Seconds msgspec alone needs to parse the seat records into typed structs (no conversion, no mapping)."""
    decode = msgspec.json.Decoder(_SeatMessage if schemas else _SeatPayload).decode
    seats = [value for _, key, value in records if key is not None]
    return best(lambda: [decode(v) for v in seats], repeat)


def floors(records: list[Record], repeat: int) -> tuple[float, float]:
    """(µs to parse a seat record's payload, µs to build, identify and encode one ``seat.changed``), best of
    ``repeat``: the two steps no Python normalizer can skip, timed alone, so their sum bounds any Python
    decode-and-map from above whatever the mapping does.

    Parsing is what :class:`DebeziumDecoder` itself does with a schema-enabled record of a schema it has seen:
    its generated envelope struct over the payload's bytes (the schema skipped by one prefix compare); no
    conversion of values, no source block, no key. The event is built from values computed beforehand: the
    structs of the contract (``Source``, ``SeatRef``, ``Money``, ``SeatData``, ``SeatChanged``), the id recipe
    and the encoder the runtime produces with."""
    decoder = DebeziumDecoder(options=DECODE_OPTIONS, columns=box_office.adapter(pepper=PEPPER).columns_read)
    seats = [(topic, key, value) for topic, key, value in records if key is not None]
    changes = [decoder.decode(value, key=key, topic=topic) for topic, key, value in seats]
    prefix, plan = decoder._last_by_topic[seats[0][0]]
    assert plan.change is not None
    parse = plan.change._decoder.decode
    payloads = [memoryview(value)[len(prefix) : -1] for _, _, value in seats]
    parse_s = best(lambda: [parse(p) for p in payloads], repeat)
    inputs = []
    for change in changes:
        assert isinstance(change, ChangeEvent) and change.after is not None
        row = change.after
        labels = (str(row["SECT_CD"]), str(row["ROW_CD"]), str(row["SEAT_NO"]))
        inputs.append((change, labels, {"SEAT_ID": int(row["SEAT_ID"])}, int(row["FACE_AMT"] * 100)))
    expires = datetime(2026, 10, 31, 18, 40, tzinfo=UTC)

    def build() -> None:
        for change, (section, row, seat), pk, cents in inputs:
            source = change.source.to_canonical("box_office")
            data = SeatData(
                event_id="BO-1042",
                seat=SeatRef(section=section, row=row, seat=seat),
                status=SeatStatus.HELD,
                price_level="P1",
                face_value=Money(amount=cents, currency="USD"),
                hold_id="cart-1",
                holder_customer_id="6f9619ff-8b86-d011-b42d-00c04fc964ff",
                hold_expires_at=expires,
            )
            event = SeatChanged(
                id=derive_event_id(EventType.SEAT_CHANGED, source, pk),
                key=seat_key("BO-1042", section, row, seat),
                occurred_at=change.source.committed_at,
                source=source,
                data=data,
            )
            encode_event(event)

    build_s = best(build, repeat)
    return parse_s / len(seats) * 1e6, build_s / len(seats) * 1e6


def calibration(repeat: int = 7) -> float:
    """Microseconds of ``sum(range(1000))`` here (about 7 on a current laptop core), to compare hosts."""
    return best(lambda: [sum(range(1000)) for _ in range(2000)], repeat) / 2000 * 1e6


def measure(
    make_decoder: Callable[[ColumnsOf | None], DebeziumDecoder],
    make_adapter: Callable[[], Adapter],
    setup: list[Record],
    records: list[Record],
    repeat: int,
) -> tuple[float, float, int, int]:
    """(decode seconds, decode+map seconds, events, failures) over ``records`` after feeding ``setup``."""

    def decode_only() -> None:
        decode = make_decoder(make_adapter().columns_read).decode
        for offset, (topic, key, value) in enumerate(records):
            decode(value, key=key, topic=topic, partition=0, offset=offset)

    counts = [0, 0]

    def decode_and_map() -> None:
        adapter = make_adapter()
        decoder = make_decoder(adapter.columns_read)
        for topic, key, value in setup:
            adapter.handle(decoder.decode(value, key=key, topic=topic))
        decode, handle = decoder.decode, adapter.handle
        events = failures = 0
        for offset, (topic, key, value) in enumerate(records):
            out = handle(decode(value, key=key, topic=topic, partition=0, offset=offset))
            events += len(out.events)
            failures += len(out.failures)
        counts[:] = [events, failures]

    return best(decode_only, repeat), best(decode_and_map, repeat), counts[0], counts[1]


def _cases(messages: int, seats_per_tx: int) -> Iterator[tuple[str, Any]]:
    for schemas in (True, False):
        form = "(a) schemas on" if schemas else "(b) schemas off"
        setup, records, seats = box_office_records(messages, seats_per_tx, schemas)
        fields = None if schemas else schemaless_fields("box_office.jsonl", "seat")
        if fields is not None:
            fields.update(schemaless_fields("box_office.jsonl", "venue"))
            fields.update(schemaless_fields("box_office.jsonl", "event"))
        yield (
            f"box office SEAT_INV {form}",
            (lambda columns, f=fields: DebeziumDecoder(
                options=DECODE_OPTIONS, schemaless_fields=f, columns=columns, key_values=False
            ),
             lambda: box_office.adapter(pepper=PEPPER), setup, records, seats),
        )  # fmt: skip
    setup, records = pricing_listings(messages)
    yield (
        "pricing resale.listing (a)",
        (
            lambda columns: DebeziumDecoder(options=DECODE_OPTIONS, columns=columns, key_values=False),
            lambda: pricing.adapter(pepper=PEPPER),
            setup,
            records,
            len(records),
        ),
    )
    setup, records = crm_customers(messages)
    yield (
        "crm dbo.Customer (a)",
        (
            lambda columns: DebeziumDecoder(options=DECODE_OPTIONS, columns=columns, key_values=False),
            lambda: crm.adapter(pepper=PEPPER),
            setup,
            records,
            len(records),
        ),
    )


def main(
    messages: Annotated[int, typer.Option(help="Changes per system and run.")] = 200_000,
    repeat: Annotated[int, typer.Option(help="Runs per measurement; the best counts.")] = 3,
    seats_per_tx: Annotated[int, typer.Option(help="Seat changes per box-office transaction.")] = 4,
    only: Annotated[str, typer.Option(help="Run only cases whose name contains this.")] = "",
) -> None:
    """Run the benchmark and print events/s."""
    console = Console(width=140)
    table = Table(title=f"decode vs decode+map, {messages:,} changes per case, best of {repeat}")
    for column in (
        "case",
        "bytes/record",
        "decode changes/s",
        "decode+map changes/s",
        "map/decode time",
        "events",
        "failures",
    ):
        table.add_column(column, justify="left" if column == "case" else "right")
    for name, (make_decoder, make_adapter, setup, records, changes) in _cases(messages, seats_per_tx):
        if only and only not in name:
            continue
        size = sum(len(v) for _, _, v in records) / len(records)
        decode_s, map_s, events, failures = measure(make_decoder, make_adapter, setup, records, repeat)
        table.add_row(
            name, f"{size:,.0f}", f"{changes / decode_s:,.0f}", f"{changes / map_s:,.0f}", f"{map_s / decode_s:.2f}x",
            f"{events:,}", f"{failures:,}",
        )  # fmt: skip
    console.print(table)
    for schemas in (True, False):
        _, records, seats = box_office_records(messages, seats_per_tx, schemas)
        floor = parse_floor(records, schemas, repeat)
        form = "(a) schemas on" if schemas else "(b) schemas off"
        console.print(
            f"parse floor, box office SEAT_INV {form}: {seats / floor:,.0f} changes/s (msgspec into typed structs only)"
        )
    _, records, _ = box_office_records(messages, seats_per_tx, True)
    parse_us, build_us = floors(records, repeat)
    console.print(
        f"floors, box office SEAT_INV (a): parsing the payload {parse_us:.2f} µs + building, identifying and "
        f"encoding one seat.changed {build_us:.2f} µs = {parse_us + build_us:.2f} µs: at most "
        f"{1e6 / (parse_us + build_us):,.0f} changes/s for any Python decode and map, before its mapping logic"
    )
    console.print(
        f"python {platform.python_version()}, msgspec {msgspec.__version__}, {platform.machine()}; "
        f"calibration sum(range(1000)) = {calibration():.1f} µs"
    )


if __name__ == "__main__":
    typer.run(main)
