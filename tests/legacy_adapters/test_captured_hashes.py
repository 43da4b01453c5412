"""Personal data that reaches us hashed (an unkeyed SHA-256 the source stored, a digest the connector made) is
re-keyed under the platform's pepper: expected values come from the definition, HMAC-SHA256 of the bytes 0xFF,
``digest:`` and the lower-case hex digest, written out here. Records go through the real decoder."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest

from legacy_adapters import box_office, pricing
from legacy_adapters.mapping.values import captured_hash
from pipelines.debezium import ChangeEvent, DebeziumDecoder, DebeziumRecord
from pipelines.debezium.capture import DECODE_OPTIONS
from pipelines.debezium.encoder import decimal_field, field
from pipelines.debezium.records import change_event
from pipelines.mapping import InvalidValueError, Mapped
from tests.legacy_adapters.wire import EVENT_1042, PEPPER, VENUE_NY, BoxOfficeWire, Tx, seat_row

OTHER_PEPPER = b"another-pepper-0123456789"
IP = "198.51.100.7"
IP_DIGEST = hashlib.sha256(IP.encode()).hexdigest()  # what both legacy applications store
DEVICE_DIGEST = hashlib.sha256(b"device-fingerprint-42").hexdigest()


def rekeyed(digest: str, pepper: bytes = PEPPER) -> str:
    """The canonical hash of a stored digest, by its definition: HMAC-SHA256(pepper, 0xFF "digest:" hex)."""
    return hmac.new(pepper, b"\xffdigest:" + digest.encode(), hashlib.sha256).hexdigest()


def feed(adapter: Any, *records: DebeziumRecord) -> Mapped:
    out = Mapped()
    for record in records:
        out.extend(adapter.handle(record))
    return out


# -- the reader ------------------------------------------------------------------------------------------------
def test_a_digest_is_re_keyed_whatever_its_case_and_padding() -> None:
    expected = rekeyed(IP_DIGEST)
    assert captured_hash(IP_DIGEST, "ip", pepper=PEPPER) == expected
    assert captured_hash(f" {IP_DIGEST.upper()}  ", "ip", pepper=PEPPER) == expected
    assert captured_hash(bytes.fromhex(IP_DIGEST), "ip", pepper=PEPPER) == expected
    assert expected != IP_DIGEST and len(expected) == 64
    assert captured_hash(None, "ip", pepper=PEPPER) is None
    assert captured_hash("  ", "ip", pepper=PEPPER) is None


def test_another_pepper_gives_another_hash() -> None:
    mine = captured_hash(IP_DIGEST, "ip", pepper=PEPPER)
    theirs = captured_hash(IP_DIGEST, "ip", pepper=OTHER_PEPPER)
    assert (mine, theirs) == (rekeyed(IP_DIGEST), rekeyed(IP_DIGEST, OTHER_PEPPER))
    assert mine != theirs


@pytest.mark.parametrize(
    "clear",
    [
        IP,
        "anne.k@example.org",
        "0958",  # a short number: hex digits, but no digest
        IP_DIGEST[:63],
        IP_DIGEST + "0",
        "g" * 64,
        f"{IP_DIGEST[:32]} {IP_DIGEST[32:]}",
    ],
)
def test_a_value_that_is_not_a_full_digest_is_refused_without_echoing_it(clear: str) -> None:
    with pytest.raises(InvalidValueError) as caught:
        captured_hash(clear, "listing_attrs.ip_hash", pepper=PEPPER)
    assert caught.value.column == "listing_attrs.ip_hash"
    assert clear not in str(caught.value) and clear not in caught.value.reason


def test_a_shortened_digest_is_accepted_only_down_to_min_digits() -> None:
    short = IP_DIGEST[:32]
    assert captured_hash(short, "Phone", pepper=PEPPER, min_digits=32) == rekeyed(short)
    with pytest.raises(InvalidValueError):
        captured_hash(short[:31], "Phone", pepper=PEPPER, min_digits=32)
    with pytest.raises(InvalidValueError):
        captured_hash(short, "Phone", pepper=PEPPER)  # 64 digits unless the caller says otherwise


# -- the same digest from two systems joins ------------------------------------------------------------------------
LISTING = [
    field("listing_id", "string", logical="io.debezium.data.Uuid", version=1),
    field("event_ref", "string"),
    field("seat_ref", "string"),
    field("seller_account_id", "string", logical="io.debezium.data.Uuid", version=1),
    field("origin_order_no", "string", optional=True),
    decimal_field("ask_amount", 12, 2),
    decimal_field("face_amount", 12, 2, optional=True),
    field("currency", "string"),
    field("status", "string"),
    field("listing_attrs", "string", logical="io.debezium.data.Json", version=1),
    field("listed_at", "string", logical="io.debezium.time.ZonedTimestamp", version=1),
    field("expires_at", "string", optional=True, logical="io.debezium.time.ZonedTimestamp", version=1),
    field("updated_at", "string", logical="io.debezium.time.ZonedTimestamp", version=1),
    field("deleted_at", "string", optional=True, logical="io.debezium.time.ZonedTimestamp", version=1),
]


def _listing(attrs: dict[str, Any]) -> ChangeEvent:
    """A ``resale.listing`` insert as the PostgreSQL connector writes it."""
    row = {
        "listing_id": "00000000-0000-4000-8000-00000000a001", "event_ref": "BO-1042", "seat_ref": "101:C:1",
        "seller_account_id": "6f9619ff-8b86-d011-b42d-00c04fc964ff", "origin_order_no": "WEB000008301",
        "ask_amount": Decimal("180.00"), "face_amount": Decimal("125.00"), "currency": "USD", "status": "active",
        "listing_attrs": json.dumps(attrs), "listed_at": "2026-11-28T02:00:00.000000Z", "expires_at": None,
        "updated_at": "2026-11-28T02:00:00.000000Z", "deleted_at": None,
    }  # fmt: skip
    value = change_event(
        connector="postgresql", topic_prefix="pricing", database="pricing", schema="resale", table="listing",
        op="c", row_fields=LISTING, position={"lsn": 185432336, "txId": 43932}, ts_ms=1795831200000, after=row,
    )  # fmt: skip
    event = DebeziumDecoder(options=DECODE_OPTIONS).decode(
        value, topic="pricing.resale.listing", partition=0, offset=1
    )
    assert isinstance(event, ChangeEvent)
    return event


def _order(pepper: bytes, ip_hash: str | None, device_hash: str | None) -> Mapped:
    """A box-office web order of one seat, its header carrying the stored digests."""
    wire = BoxOfficeWire()
    adapter = box_office.adapter(pepper=pepper)
    feed(adapter, wire.read("VENUE", VENUE_NY), wire.read("EVT_MASTER", EVENT_1042))
    tx = Tx("0-1-830")
    header = {
        "ORD_ID": 8301, "ORD_NO": "WEB000008301", "EVT_ID": 1042, "CHNL_CD": "W", "ORD_STAT_CD": "P",
        "ORD_DT": datetime(2026, 11, 27, 19, 0), "TOT_AMT": 12500, "FEE_AMT": 0, "TAX_AMT": 0, "CURR_CD": "USD",
        "CLNT_IP_HASH": ip_hash, "DEVICE_HASH": device_hash,
    }  # fmt: skip
    line = {"ORD_ID": 8301, "LN_NO": 1, "SEAT_ID": 41, "LN_PRC_AMT": 12500, "DISC_AMT": 0, "LN_STAT_CD": "A"}
    sold = seat_row(41, "1", SEAT_STAT_CD="S", ORD_ID=8301)
    return feed(
        adapter,
        wire.change("ORD_HDR", "c", after=header, tx=tx),
        wire.change("ORD_LN", "c", after=line, tx=tx),
        wire.change("SEAT_INV", "u", before=seat_row(41, "1"), after=sold, tx=tx),
        wire.end(tx),
    )


def test_the_same_stored_ip_and_device_digests_join_an_order_and_a_resale_listing() -> None:
    order = _order(PEPPER, IP_DIGEST, DEVICE_DIGEST.upper())  # the box office's column is CHAR(64), any case
    attrs = {"channel": "W", "ip_hash": IP_DIGEST, "device_hash": DEVICE_DIGEST}
    listed = feed(pricing.adapter(pepper=PEPPER), _listing(attrs))
    assert order.failures == [] and listed.failures == []
    placed = next(e for e in order.events if e.type.value == "order.placed")
    (listing,) = listed.events
    assert placed.data.client_ip_hash == listing.data.client_ip_hash == rekeyed(IP_DIGEST)
    assert placed.data.device_hash == listing.data.device_hash == rekeyed(DEVICE_DIGEST)


def test_each_system_re_keys_under_the_pepper_it_is_given() -> None:
    (listing,) = feed(pricing.adapter(pepper=OTHER_PEPPER), _listing({"ip_hash": IP_DIGEST})).events
    placed = next(e for e in _order(OTHER_PEPPER, IP_DIGEST, None).events if e.type.value == "order.placed")
    assert placed.data.client_ip_hash == listing.data.client_ip_hash == rekeyed(IP_DIGEST, OTHER_PEPPER)
    assert listing.data.client_ip_hash != rekeyed(IP_DIGEST) and listing.data.device_hash is None


def test_a_resale_listing_with_a_clear_ip_is_refused_without_echoing_it() -> None:
    (failure,) = feed(pricing.adapter(pepper=PEPPER), _listing({"ip_hash": IP})).failures
    assert isinstance(failure, InvalidValueError) and failure.column == "listing_attrs.ip_hash"
    assert IP not in str(failure)
