"""The canonical contract: deterministic ids, strict round trips, checked-in schema and docs in sync."""

from __future__ import annotations

import hashlib
import hmac
import re
import uuid
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import msgspec
import pytest

from pipelines.canonical import (
    EVENT_CLASSES,
    ID_NAMESPACE,
    BinlogPosition,
    CanonicalDecodeError,
    Connector,
    ContractViolation,
    EventType,
    InvalidKeyError,
    Money,
    MoneyError,
    PostgresPosition,
    SeatChanged,
    SeatData,
    SeatRef,
    SeatStatus,
    Source,
    SqlServerPosition,
    decode_event,
    derive_event_id,
    encode_event,
    encode_events_ndjson,
    event_id_name,
    make_key,
    parse_key,
    pii_hash,
    rekey_digest,
    seat_key,
)
from pipelines.canonical.docgen import BEGIN, END, extract_generated, render_reference
from pipelines.canonical.examples import build_examples
from pipelines.canonical.fieldtypes import CanonicalStruct, TimedStruct
from pipelines.canonical.jsonschema import SCHEMA_FILE, canonical_json_schema, render_json_schema
from pipelines.exceptions import InventoryCdcError

DOCS = Path(__file__).resolve().parents[2] / "docs" / "canonical-events.md"
SOURCE = Source(
    system="box_office",
    connector=Connector.MARIADB,
    database="boxoffice",
    table="SEAT_INV",
    position=BinlogPosition(file="mariadb-bin.000042", pos=91233, row=2),
)
PK: dict[str, str | int] = {"EVT_ID": "BO-1042", "SECT_CD": "A", "ROW_CD": "12", "SEAT_NO": 7}


def seat_changed(**overrides: object) -> SeatChanged:
    fields: dict[str, object] = {
        "id": derive_event_id(EventType.SEAT_CHANGED, SOURCE, PK),
        "key": seat_key("BO-1042", "A", "12", 7),
        "occurred_at": datetime(2026, 3, 14, 18, 2, 11, 250000, tzinfo=UTC),
        "source": SOURCE,
        "data": SeatData(
            event_id="BO-1042", seat=SeatRef(section="A", row="12", seat="7"), status=SeatStatus.SOLD
        ),
    }
    fields.update(overrides)
    return SeatChanged(**fields)  # type: ignore[arg-type]


# --- deterministic id -------------------------------------------------------------------------------------


def test_id_namespace_is_the_documented_uuid5() -> None:
    assert uuid.uuid5(uuid.NAMESPACE_URL, "urn:inventory-cdc:canonical-event-id:v1") == ID_NAMESPACE


def test_id_recipe_name_is_the_documented_json_array() -> None:
    assert event_id_name("seat.changed", SOURCE, PK) == (
        '["v1","seat.changed","box_office","boxoffice","","SEAT_INV",'
        '[["EVT_ID","BO-1042"],["ROW_CD","12"],["SEAT_NO",7],["SECT_CD","A"]],'
        '["binlog","mariadb-bin.000042",91233,2]]'
    )
    assert derive_event_id("seat.changed", SOURCE, PK) == str(
        uuid.uuid5(ID_NAMESPACE, event_id_name("seat.changed", SOURCE, PK))
    )


def test_the_documented_id_example_holds() -> None:
    text = DOCS.read_text(encoding="utf-8")
    pk = {"SEAT_ID": 880417}
    assert event_id_name("seat.changed", SOURCE, pk) in text
    assert derive_event_id("seat.changed", SOURCE, pk) == "dde8fd89-1676-5bc8-871a-20e5235ca527"
    assert "dde8fd89-1676-5bc8-871a-20e5235ca527" in text


def test_same_change_same_id_whatever_the_key_order_or_replay() -> None:
    replayed = msgspec.json.decode(msgspec.json.encode(SOURCE), type=Source)  # e.g. after a connector restart
    reordered = dict(reversed(list(PK.items())))
    assert derive_event_id(EventType.SEAT_CHANGED, replayed, reordered) == derive_event_id(
        EventType.SEAT_CHANGED, SOURCE, PK
    )


@pytest.mark.parametrize(
    "changed",
    [
        msgspec.structs.replace(SOURCE, position=BinlogPosition(file="mariadb-bin.000042", pos=91233, row=3)),
        msgspec.structs.replace(SOURCE, position=BinlogPosition(file="mariadb-bin.000043", pos=91233, row=2)),
        msgspec.structs.replace(SOURCE, position=BinlogPosition(file="mariadb-bin.000042", pos=91234, row=2)),
        msgspec.structs.replace(SOURCE, table="SEAT_HOLD"),
        msgspec.structs.replace(SOURCE, system="pricing"),
        msgspec.structs.replace(SOURCE, database="boxoffice2"),
    ],
)
def test_different_position_or_table_different_id(changed: Source) -> None:
    assert derive_event_id(EventType.SEAT_CHANGED, changed, PK) != derive_event_id(
        EventType.SEAT_CHANGED, SOURCE, PK
    )


def test_different_key_or_type_different_id() -> None:
    base = derive_event_id(EventType.SEAT_CHANGED, SOURCE, PK)
    assert derive_event_id(EventType.SEAT_CHANGED, SOURCE, {**PK, "SEAT_NO": 8}) != base
    assert derive_event_id(EventType.SEAT_CHANGED, SOURCE, {**PK, "SEAT_NO": "7"}) != base  # types are kept
    assert derive_event_id(EventType.HOLD_PLACED, SOURCE, PK) != base


def test_positions_of_every_connector_identify_changes() -> None:
    pg = msgspec.structs.replace(
        SOURCE, connector=Connector.POSTGRESQL, position=PostgresPosition(lsn=24023128)
    )
    ss = msgspec.structs.replace(
        SOURCE,
        connector=Connector.SQLSERVER,
        position=SqlServerPosition(commit_lsn="00000027:00000758:0005", change_lsn="00000027:00000758:0003"),
    )
    ss_upper = msgspec.structs.replace(
        ss,
        position=SqlServerPosition(commit_lsn="00000027:00000758:0005", change_lsn="00000027:00000758:0003"),
    )
    ids = {derive_event_id(EventType.SEAT_CHANGED, s, PK) for s in (SOURCE, pg, ss)}
    assert len(ids) == 3
    assert derive_event_id(EventType.SEAT_CHANGED, ss, PK) == derive_event_id(
        EventType.SEAT_CHANGED, ss_upper, PK
    )


@pytest.mark.parametrize("pk", [{}, {"ID": 1.5}, {"ID": True}, {"ID": None}])
def test_id_recipe_rejects_unusable_primary_keys(pk: dict[str, object]) -> None:
    with pytest.raises(ContractViolation):
        derive_event_id(EventType.SEAT_CHANGED, SOURCE, pk)  # type: ignore[arg-type]


# --- round trips and strict decoding ----------------------------------------------------------------------


@pytest.mark.parametrize("event_type", list(EVENT_CLASSES))
def test_every_event_type_round_trips(event_type: EventType) -> None:
    event = build_examples()[event_type]
    assert event.type is event_type
    data = encode_event(event)
    decoded = decode_event(data)
    assert decoded == event and type(decoded) is type(event)
    assert encode_event(decoded) == data
    assert msgspec.json.decode(data)["type"] == event_type.value


def test_examples_cover_every_type() -> None:
    assert set(build_examples()) == set(EventType)


def test_ndjson() -> None:
    events = list(build_examples().values())
    lines = encode_events_ndjson(events).splitlines()
    assert [decode_event(line) for line in lines] == events


def bad(path: list[str | int], value: object, *, delete: bool = False) -> bytes:
    doc = msgspec.json.decode(encode_event(seat_changed()))
    node = doc
    for part in path[:-1]:
        node = node[part]
    if delete:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return msgspec.json.encode(doc)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (bad(["data", "seat", "row"], 12), "$.data.seat.row"),
        (bad(["data", "status"], "sold_out"), "$.data.status"),
        (bad(["data", "event_id"], None, delete=True), "$.data.event_id"),
        (bad(["data", "surprise"], 1), "$.data.surprise"),
        (bad(["type"], "seat.exploded"), "$.type"),
        (bad(["occurred_at"], "2026-03-14T19:02:11+01:00"), "$.occurred_at"),
        (bad(["occurred_at"], "2026-03-14T18:02:11"), "$.occurred_at"),
        (bad(["key"], "event:BO-1042"), "$.key"),
        (bad(["id"], "not-a-uuid"), "$.id"),
        (bad(["source", "position", "kind"], "oracle"), "$.source.position.kind"),
        (bad(["source", "position", "pos"], -1), "$.source.position.pos"),
        (bad(["source", "system"], "Box Office"), "$.source.system"),
        (b"{", "$"),
    ],
)
def test_decoding_a_wrong_event_names_the_field(data: bytes, field: str) -> None:
    with pytest.raises(CanonicalDecodeError) as info:
        decode_event(data)
    assert info.value.field == field, info.value.reason
    assert isinstance(info.value, InventoryCdcError) and not info.value.retryable


def test_deleted_only_on_state_events() -> None:
    assert seat_changed(deleted=True).deleted
    hold = build_examples()[EventType.HOLD_PLACED]
    with pytest.raises(ContractViolation, match="not a state event"):
        msgspec.structs.replace(hold, deleted=True)


def test_construction_rejects_non_utc_times_and_wrong_keys() -> None:
    with pytest.raises(ContractViolation, match="UTC"):
        seat_changed(occurred_at=datetime(2026, 3, 14, 19, 2, 11, tzinfo=timezone(timedelta(hours=1))))
    with pytest.raises(ContractViolation, match="UTC"):
        seat_changed(occurred_at=datetime(2026, 3, 14, 18, 2, 11))
    with pytest.raises(ContractViolation, match=r"`key` of seat\.changed events is `seat:"):
        seat_changed(key="order:ORD-1")


def _canonical_structs() -> list[type]:
    found: list[type] = []
    todo: list[type] = [CanonicalStruct]
    while todo:
        for sub in todo.pop().__subclasses__():
            found.append(sub)
            todo.append(sub)
    return found


def test_every_struct_with_times_checks_them_and_only_those_pay_for_a_check() -> None:
    structs = _canonical_structs()
    assert len(structs) >= 30 and SeatData in structs and Money in structs
    for cls in structs:
        if cls is TimedStruct:
            continue
        times = [f.name for f in msgspec.structs.fields(cls) if "datetime" in str(f.type)]
        assert bool(times) == issubclass(cls, TimedStruct), (cls.__name__, times)
    # and the check holds in every datetime field of every example event, data bodies included
    local = datetime(2026, 3, 14, 19, 2, 11, tzinfo=timezone(timedelta(hours=1)))
    checked = 0
    for event in build_examples().values():
        for owner, field in [(event, "occurred_at")] + [
            (event.data, f.name) for f in msgspec.structs.fields(event.data) if "datetime" in str(f.type)
        ]:
            with pytest.raises(ContractViolation, match=f"`{field}` must be a tz-aware UTC"):
                msgspec.structs.replace(owner, **{field: local})
            checked += 1
    assert checked > len(build_examples())


# --- keys, money, PII -------------------------------------------------------------------------------------


def test_keys_escape_and_parse_back() -> None:
    assert seat_key("BO-1042", "A", "12", 7) == "seat:BO-1042:A:12:7"
    key = make_key("seat", "BO:1042", "100%", "12", "7")
    assert key == "seat:BO%3A1042:100%25:12:7"
    assert parse_key(key) == ("seat", ("BO:1042", "100%", "12", "7"))
    for broken in ("seat:BO-1042:A:12", "nothing:1", "order", "order:"):
        with pytest.raises(InvalidKeyError):
            parse_key(broken)
    for components in (("",), ("a\nb",)):
        with pytest.raises(InvalidKeyError):
            make_key("order", *components)


def test_money_from_decimal_is_exact() -> None:
    assert Money.from_decimal(Decimal("12.50"), "EUR") == Money(amount=1250, currency="EUR")
    assert Money.from_decimal(Decimal("1234.5600"), "USD").amount == 123456  # SQL Server money, scale 4
    assert Money.from_decimal(Decimal("1500"), "JPY").amount == 1500
    assert Money.from_decimal(Decimal("1.234"), "KWD").amount == 1234
    assert Money(amount=1250, currency="EUR").to_decimal() == Decimal("12.50")
    big = Decimal("12345678901234567890123456789012345.67")
    assert Money.from_decimal(big, "EUR").amount == 1234567890123456789012345678901234567
    with pytest.raises(MoneyError, match="refusing to round"):
        Money.from_decimal(Decimal("12.505"), "EUR")
    with pytest.raises(MoneyError):
        Money.from_decimal(Decimal("NaN"), "EUR")


def test_pii_hash_is_keyed_and_normalized() -> None:
    pepper = b"0123456789abcdef"
    a = pii_hash("  Anne.K@Example.ORG ", kind="email", pepper=pepper)
    assert a == pii_hash("anne.k@example.org", kind="email", pepper=pepper)
    assert re.fullmatch("[0-9a-f]{64}", a)
    assert a != pii_hash("anne.k@example.org", kind="email", pepper=b"another pepper!!")
    assert pii_hash("+43 (1) 234-56", kind="phone", pepper=pepper) == pii_hash(
        "43123456", kind="phone", pepper=pepper
    )
    with pytest.raises(ContractViolation):
        pii_hash("x@y", kind="email", pepper=b"short")
    with pytest.raises(ContractViolation):
        pii_hash("   ", kind="email", pepper=pepper)


def test_rekey_digest_is_the_keyed_hash_of_the_prefixed_lower_case_digest() -> None:
    pepper = b"0123456789abcdef"
    digest = hashlib.sha256(b"203.0.113.7").hexdigest()  # an unkeyed SHA-256 a source stored
    expected = hmac.new(pepper, b"\xffdigest:" + digest.encode(), hashlib.sha256).hexdigest()
    assert rekey_digest(digest, pepper=pepper) == expected
    assert rekey_digest(digest.upper(), pepper=pepper) == expected
    short = digest[:32]  # a digest the connector cut to a narrow column
    short_expected = hmac.new(pepper, b"\xffdigest:" + short.encode(), hashlib.sha256).hexdigest()
    assert rekey_digest(short, pepper=pepper) == short_expected
    assert rekey_digest(digest, pepper=b"another pepper!!") != expected
    # domain separation: never the hash of a clear value, not even of the text "digest:<hex>"
    assert expected not in {
        pii_hash(text, kind=kind, pepper=pepper)
        for text in (digest, f"digest:{digest}")
        for kind in ("email", "name", "identifier")
    }
    with pytest.raises(ContractViolation):
        rekey_digest(digest, pepper=b"short")
    for clear in ("203.0.113.7", "anne.k@example.org", "", digest + "0", digest + "\n"):
        with pytest.raises(ContractViolation) as caught:
            rekey_digest(clear, pepper=pepper)
        assert not clear or clear not in str(caught.value)


# --- generated artifacts stay in sync ---------------------------------------------------------------------


def test_checked_in_json_schema_matches_the_code() -> None:
    assert SCHEMA_FILE.read_bytes() == render_json_schema(), "run: python -m pipelines.canonical.export"


def test_json_schema_covers_every_type_with_a_discriminator() -> None:
    schema = canonical_json_schema()
    mapping = schema["discriminator"]["mapping"]
    assert set(mapping) == {t.value for t in EventType}
    assert schema["$defs"]["Money"]["properties"]["amount"]["type"] == "integer"


def test_docs_reference_is_generated_from_the_code() -> None:
    text = DOCS.read_text(encoding="utf-8")
    assert BEGIN in text and END in text
    assert extract_generated(text) == render_reference(), "run: python -m pipelines.canonical.export"


def test_every_json_example_in_the_docs_decodes() -> None:
    text = DOCS.read_text(encoding="utf-8")
    blocks = re.findall(r"```json\n(.*?)\n```", text, flags=re.DOTALL)
    events = [decode_event(block) for block in blocks if '"type"' in block and '"data"' in block]
    assert {event.type for event in events} == set(EventType)


def test_utc_datetimes_encode_with_z() -> None:
    data = msgspec.json.decode(encode_event(seat_changed()))
    assert data["occurred_at"] == "2026-03-14T18:02:11.250000Z"
