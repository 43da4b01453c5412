"""The CRM adapter on change events in Debezium's documented SQL Server format (no SQL Server runs here):
``source`` with ``change_lsn``, ``commit_lsn`` and ``event_serial_no``; ``money`` as a scale-4 Connect Decimal,
``datetime2`` as Timestamp / NanoTimestamp, ``bit`` as boolean, ``uniqueidentifier`` as upper-case text, personal
columns hashed by the connector. Envelopes and expected events are written by hand."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import unicodedata
from decimal import Decimal
from typing import Any

import pytest

from legacy_adapters import crm
from legacy_adapters.crm.cases import MONEY_MAX, MONEY_MIN
from pipelines.canonical import SqlServerPosition, encode_event
from pipelines.debezium import DebeziumDecoder
from pipelines.debezium.capture import DECODE_OPTIONS
from pipelines.debezium.encoder import field
from pipelines.debezium.records import change_event
from pipelines.mapping import InvalidValueError, Mapped, MissingReferenceError
from tests.legacy_adapters.wire import PEPPER

SALT = b"crm-capture-salt-0123"  # the connector's column.mask.hash salt in these records


def masked(value: str, width: int) -> str:
    """What column.mask.hash.v2.SHA-256.with.salt.<SALT> sends: hex SHA-256 of salt + value, cut to the column."""
    return hashlib.sha256(SALT + value.encode("utf-8")).hexdigest()[:width]


def rekeyed(digest: str, pepper: bytes = PEPPER) -> str:
    """The canonical hash of a stored digest, by its definition: HMAC-SHA256(pepper, 0xFF "digest:" hex)."""
    return hmac.new(pepper, b"\xffdigest:" + digest.encode(), hashlib.sha256).hexdigest()


def keyed(code: str) -> str:
    """The canonical presale-code hash, computed here from its definition (HMAC-SHA256 of NFKC, trimmed, casefolded)."""
    normalized = unicodedata.normalize("NFKC", code).strip().casefold()
    return hmac.new(PEPPER, normalized.encode("utf-8"), hashlib.sha256).hexdigest()


def _b64_money(unscaled: int) -> str:
    return base64.b64encode(unscaled.to_bytes(9, "big", signed=True).lstrip(b"\x00") or b"\x00").decode()


EMAIL_A = "zoë.ñandú@exämple.com"
PHONE_A = "+44 20 7946 0958"
# A customer insert exactly as the SQL Server connector (time.precision.mode=adaptive, decimal.handling.mode=precise,
# personal columns masked, BirthDate excluded) writes it with the JSON converter, schemas enabled.
CUSTOMER_ROW_SCHEMA = [
    {"type": "string", "optional": False, "field": "CustomerId"},
    {"type": "string", "optional": True, "parameters": {"masked": "true"}, "field": "Email"},
    {"type": "string", "optional": True, "parameters": {"masked": "true"}, "field": "Phone"},
    {"type": "string", "optional": True, "parameters": {"masked": "true"}, "field": "GivenName"},
    {"type": "string", "optional": True, "parameters": {"masked": "true"}, "field": "FamilyName"},
    {"type": "string", "optional": True, "field": "CountryCode"},
    {"type": "string", "optional": True, "field": "PostalCode"},
    {"type": "string", "optional": True, "field": "PreferredLang"},
    {"type": "boolean", "optional": False, "default": False, "field": "IsVerified"},
    {"type": "boolean", "optional": False, "default": False, "field": "MarketingOptIn"},
    {"type": "boolean", "optional": False, "default": False, "field": "IsBlocked"},
    {"type": "bytes", "optional": False, "name": "org.apache.kafka.connect.data.Decimal", "version": 1,
     "parameters": {"scale": "4", "connect.decimal.precision": "19"}, "field": "LifetimeSpend"},
    {"type": "int64", "optional": False, "name": "io.debezium.time.Timestamp", "version": 1, "field": "CreatedAt"},
    {"type": "int64", "optional": True, "name": "io.debezium.time.NanoTimestamp", "version": 1, "field": "UpdatedAt"},
    {"type": "bytes", "optional": False, "field": "RowVer"},
]  # fmt: skip
CUSTOMER_CREATE = {
    "schema": {
        "type": "struct",
        "fields": [
            {"type": "struct", "fields": CUSTOMER_ROW_SCHEMA, "optional": True, "name": "crm.crm.dbo.Customer.Value", "field": "before"},
            {"type": "struct", "fields": CUSTOMER_ROW_SCHEMA, "optional": True, "name": "crm.crm.dbo.Customer.Value", "field": "after"},
            {
                "type": "struct",
                "fields": [
                    {"type": "string", "optional": False, "field": "version"},
                    {"type": "string", "optional": False, "field": "connector"},
                    {"type": "string", "optional": False, "field": "name"},
                    {"type": "int64", "optional": False, "field": "ts_ms"},
                    {"type": "string", "optional": True, "name": "io.debezium.data.Enum", "version": 1,
                     "parameters": {"allowed": "true,first,first_in_data_collection,last_in_data_collection,last,false,incremental"},
                     "default": "false", "field": "snapshot"},
                    {"type": "string", "optional": False, "field": "db"},
                    {"type": "string", "optional": True, "field": "sequence"},
                    {"type": "int64", "optional": True, "field": "ts_us"},
                    {"type": "int64", "optional": True, "field": "ts_ns"},
                    {"type": "string", "optional": False, "field": "schema"},
                    {"type": "string", "optional": False, "field": "table"},
                    {"type": "string", "optional": True, "field": "change_lsn"},
                    {"type": "string", "optional": True, "field": "commit_lsn"},
                    {"type": "int64", "optional": True, "field": "event_serial_no"},
                ],
                "optional": False,
                "name": "io.debezium.connector.sqlserver.Source",
                "field": "source",
            },
            {"type": "struct", "fields": [
                {"type": "string", "optional": False, "field": "id"},
                {"type": "int64", "optional": False, "field": "total_order"},
                {"type": "int64", "optional": False, "field": "data_collection_order"},
            ], "optional": True, "name": "event.block", "version": 1, "field": "transaction"},
            {"type": "string", "optional": False, "field": "op"},
            {"type": "int64", "optional": True, "field": "ts_ms"},
        ],
        "optional": False,
        "name": "crm.crm.dbo.Customer.Envelope",
        "version": 1,
    },
    "payload": {
        "before": None,
        "after": {
            "CustomerId": "6F9619FF-8B86-D011-B42D-00C04FC964FF",
            "Email": masked(EMAIL_A, 254),
            "Phone": masked(PHONE_A, 32),
            "GivenName": masked("Zoë", 100),
            "FamilyName": masked("王小明", 100),
            "CountryCode": "GB",
            "PostalCode": "SW1A 1AA",
            "PreferredLang": "en-GB",
            "IsVerified": True,
            "MarketingOptIn": False,
            "IsBlocked": False,
            "LifetimeSpend": _b64_money(12345678),  # 1234.5678
            "CreatedAt": 1774745999999,  # 2026-03-29T00:59:59.999
            "UpdatedAt": 1774746000000000000,  # 2026-03-29T01:00:00.0000000
            "RowVer": "AAAAAAAAB9E=",
        },
        "source": {
            "version": "3.5.0.Final",
            "connector": "sqlserver",
            "name": "crm",
            "ts_ms": 1774746000120,
            "snapshot": "false",
            "db": "crm",
            "sequence": None,
            "ts_us": 1774746000120000,
            "ts_ns": 1774746000120000000,
            "schema": "dbo",
            "table": "Customer",
            "change_lsn": "0000002a:00000d98:0003",
            "commit_lsn": "0000002a:00000d98:0005",
            "event_serial_no": 1,
        },
        "transaction": None,
        "op": "c",
        "ts_ms": 1774746000457,
    },
}  # fmt: skip


def _decode(value: Any, table: str) -> Any:
    raw = value if isinstance(value, bytes) else json.dumps(value).encode()
    return DECODER.decode(raw, topic=f"crm.crm.dbo.{table}", partition=0, offset=1)


# as the runtime decodes: only the columns the adapter reads
DECODER = DebeziumDecoder(options=DECODE_OPTIONS, columns=crm.adapter(pepper=PEPPER).columns_read)
TIER = [field("TierId", "int16"), field("TierCode", "string"), field("TierName", "string"), field("PresalePriority", "int16"),
        field("PresaleLeadHours", "int16"), field("AnnualFee", "bytes", logical="org.apache.kafka.connect.data.Decimal", version=1,
        parameters={"scale": "4", "connect.decimal.precision": "19"}), field("IsActive", "boolean"),
        field("CreatedAt", "int64", logical="io.debezium.time.Timestamp", version=1)]  # fmt: skip
GRANT = [
    field("GrantId", "string"), field("CustomerId", "string"), field("EventRef", "string"), field("PresaleCode", "string"),
    field("TierId", "int16", optional=True), field("MaxTickets", "int16"),
    field("ValidFrom", "int64", logical="io.debezium.time.Timestamp", version=1),
    field("ValidTo", "int64", logical="io.debezium.time.Timestamp", version=1),
    field("RedeemedAt", "int64", optional=True, logical="io.debezium.time.Timestamp", version=1),
    field("IsRevoked", "boolean"),
]  # fmt: skip
CHARGEBACK = [
    field("ChargebackId", "string"), field("CustomerId", "string"), field("OrderRef", "string"),
    field("Amount", "bytes", logical="org.apache.kafka.connect.data.Decimal", version=1,
          parameters={"scale": "4", "connect.decimal.precision": "19"}),
    field("CurrencyCode", "string"), field("ReasonCode", "string"), field("IsFraud", "boolean"),
    field("ReportedAt", "int64", logical="io.debezium.time.Timestamp", version=1),
    field("ResolvedAt", "int64", optional=True, logical="io.debezium.time.Timestamp", version=1),
    field("Notes", "string", optional=True),
]  # fmt: skip


def sqlserver(
    table: str, fields: list[dict[str, Any]], op: str, lsn: int, serial: int = 1, **rows: Any
) -> Any:
    commit = f"0000002b:{lsn:08x}:0005"
    value = change_event(
        connector="sqlserver", topic_prefix="crm", database="crm", schema="dbo", table=table, op=op, row_fields=fields,
        position={"commit_lsn": commit, "change_lsn": f"0000002b:{lsn:08x}:0002", "event_serial_no": serial},
        ts_ms=1795827600000 + lsn, **rows,
    )  # fmt: skip
    return _decode(value, table)


def feed(adapter: Any, *records: Any) -> Mapped:
    out = Mapped()
    for record in records:
        out.extend(adapter.handle(record))
    return out


@pytest.fixture()
def adapter() -> Any:
    return crm.adapter(pepper=PEPPER)


def test_a_customer_insert_maps_with_its_hashes_re_keyed_and_its_sql_server_position(adapter: Any) -> None:
    record = _decode(CUSTOMER_CREATE, "Customer")
    out = feed(adapter, record)
    assert out.failures == []
    (event,) = out.events
    assert json.loads(encode_event(event))["data"] == {
        "customer_id": "6f9619ff-8b86-d011-b42d-00c04fc964ff",
        "status": "active",
        "verified": True,
        # hashed at capture with a salt Connect shows to anyone who reads its config: re-keyed under the pepper
        "email_hash": rekeyed(hashlib.sha256(SALT + EMAIL_A.encode()).hexdigest()),
        # shortened by Debezium to the column's NVARCHAR(32), re-keyed as it is: a full 64-digit hash
        "phone_hash": rekeyed(masked(PHONE_A, 32)),
        "name_hash": None,  # given and family name are hashed apart: no hash of the joined name exists
        "country": "GB",
        "preferred_language": "en-GB",
        "marketing_opt_in": False,
        "created_at": "2026-03-29T00:59:59.999000Z",
    }
    assert (event.type.value, event.key, event.deleted) == (
        "customer.changed",
        "customer:6f9619ff-8b86-d011-b42d-00c04fc964ff",
        False,
    )
    assert event.source.position == SqlServerPosition(
        commit_lsn="0000002a:00000d98:0005", change_lsn="0000002a:00000d98:0003", event_serial_no=1
    )
    assert (event.source.system, event.source.database, event.source.schema, event.source.table) == (
        "crm",
        "crm",
        "dbo",
        "Customer",
    )
    assert event.occurred_at.isoformat() == "2026-03-29T01:00:00.120000+00:00"


def test_blocked_customers_are_suspended_and_deletes_are_deletions(adapter: Any) -> None:
    fields = CUSTOMER_ROW_SCHEMA
    erased = {
        "CustomerId": "00000000-0000-0000-0000-000000000000", "Email": None, "Phone": None, "GivenName": None,
        "FamilyName": None, "CountryCode": None, "PostalCode": None, "PreferredLang": None, "IsVerified": False,
        "MarketingOptIn": False, "IsBlocked": True, "LifetimeSpend": Decimal("0.0000"), "CreatedAt": 1577836800000,
        "UpdatedAt": None, "RowVer": b"\x00" * 8,
    }  # fmt: skip
    updated = sqlserver(
        "Customer", fields, "u", 0x10, serial=2, before={**erased, "IsBlocked": False}, after=erased
    )
    deleted = sqlserver("Customer", fields, "d", 0x11, before=erased)
    out = feed(adapter, updated, deleted)
    assert [
        (e.data.status.value, e.deleted, e.data.email_hash, e.data.created_at.isoformat()) for e in out.events
    ] == [
        ("suspended", False, None, "2020-01-01T00:00:00+00:00"),
        ("suspended", True, None, "2020-01-01T00:00:00+00:00"),
    ]
    assert out.events[0].source.position.event_serial_no == 2
    assert out.events[0].id != out.events[1].id


def _customer(**after: Any) -> Any:
    record = json.loads(json.dumps(CUSTOMER_CREATE))
    record["payload"]["after"].update(after)
    return _decode(record, "Customer")


@pytest.mark.parametrize(
    ("column", "clear"),
    [
        ("Email", EMAIL_A),  # a connector without column.mask.hash
        ("Phone", PHONE_A),
        ("Phone", "0958"),  # a short number: hex digits, but far fewer than a digest
        ("Email", "a" * 64 + "@b.c"),  # 64 hex digits and more: not a digest either
    ],
)
def test_personal_data_that_arrives_in_clear_is_refused_without_echoing_it(
    adapter: Any, column: str, clear: str
) -> None:
    (failure,) = feed(adapter, _customer(**{column: clear})).failures
    assert isinstance(failure, InvalidValueError) and failure.column == column
    assert clear not in str(failure) and clear not in failure.reason


def test_a_phone_digest_cut_to_its_column_is_re_keyed_and_joins_digests_cut_alike(adapter: Any) -> None:
    short = masked(PHONE_A, 32)
    assert len(short) == 32
    phones = (short, short.upper(), masked("+1 555 0100", 32))
    customers = [
        _customer(CustomerId=f"00000000-0000-0000-0000-0000000000A{n}", Phone=p) for n, p in enumerate(phones)
    ]
    hashes = [event.data.phone_hash for event in feed(adapter, *customers).events]
    assert hashes[0] == hashes[1] == rekeyed(short)
    assert len(hashes[0]) == 64 and hashes[0] != short and hashes[2] != hashes[0]
    # only digests cut to the same width join: the full digest of the same number is another hash
    assert rekeyed(masked(PHONE_A, 64)) != hashes[0]


def test_another_pepper_gives_other_hashes_of_the_same_digests() -> None:
    other_pepper = b"another-pepper-0123456789"
    record = _decode(CUSTOMER_CREATE, "Customer")
    (mine,) = feed(crm.adapter(pepper=PEPPER), record).events
    (theirs,) = feed(crm.adapter(pepper=other_pepper), record).events
    digest = hashlib.sha256(SALT + EMAIL_A.encode()).hexdigest()
    assert (mine.data.email_hash, theirs.data.email_hash) == (rekeyed(digest), rekeyed(digest, other_pepper))
    assert mine.data.email_hash != theirs.data.email_hash
    assert mine.data.phone_hash != theirs.data.phone_hash


def _grant(**changes: Any) -> dict[str, Any]:
    row = {
        "GrantId": "00000000-0000-0000-0000-00000000E001", "CustomerId": "6F9619FF-8B86-D011-B42D-00C04FC964FF",
        "EventRef": "BO-1042", "PresaleCode": "GOLD2026", "TierId": 1, "MaxTickets": 4,
        "ValidFrom": 1762354800000, "ValidTo": 1762527600000, "RedeemedAt": 1762354800001, "IsRevoked": False,
    }  # fmt: skip
    row.update(changes)
    return row


def test_presale_grants_carry_their_tier_code_and_the_keyed_hash_of_their_code(adapter: Any) -> None:
    gold = {"TierId": 1, "TierCode": "GOLD", "TierName": "Gold ★", "PresalePriority": 1, "PresaleLeadHours": 48,
            "AnnualFee": Decimal("49.9900"), "IsActive": True, "CreatedAt": 1546300800000}  # fmt: skip
    missing = feed(adapter, sqlserver("PresaleGrant", GRANT, "c", 0x20, after=_grant()))
    (failure,) = missing.failures
    assert isinstance(failure, MissingReferenceError) and (failure.entity, failure.ref) == ("tier", "1")
    assert not feed(adapter, sqlserver("FanClubTier", TIER, "r", 0x21, after=gold))  # remembered, no event
    out = feed(
        adapter,
        sqlserver("PresaleGrant", GRANT, "c", 0x22, after=_grant()),
        sqlserver("PresaleGrant", GRANT, "c", 0x23, after=_grant(
            GrantId="00000000-0000-0000-0000-00000000E002", EventRef="bo-1042", PresaleCode="ÉTÉ-2026-☀", TierId=None,
            MaxTickets=255, RedeemedAt=None, IsRevoked=True, ValidFrom=1772949600000, ValidTo=1772956800000)),
    )  # fmt: skip
    assert out.failures == []
    assert [json.loads(encode_event(e))["data"] for e in out.events] == [
        {
            "grant_id": "00000000-0000-0000-0000-00000000e001", "customer_id": "6f9619ff-8b86-d011-b42d-00c04fc964ff",
            "event_id": "BO-1042", "max_tickets": 4, "valid_from": "2025-11-05T15:00:00Z",
            "valid_until": "2025-11-07T15:00:00Z", "fan_club_tier": "GOLD", "presale_code_hash": keyed("GOLD2026"),
            "revoked": False,
        },
        {
            "grant_id": "00000000-0000-0000-0000-00000000e002", "customer_id": "6f9619ff-8b86-d011-b42d-00c04fc964ff",
            "event_id": "BO-1042", "max_tickets": 255, "valid_from": "2026-03-08T06:00:00Z",
            "valid_until": "2026-03-08T08:00:00Z", "fan_club_tier": None, "presale_code_hash": keyed("été-2026-☀"),
            "revoked": True,
        },
    ]  # fmt: skip
    # the same code typed at the box office hashes the same: grants join orders
    assert out.events[0].data.presale_code_hash == hmac.new(PEPPER, b"gold2026", hashlib.sha256).hexdigest()
    assert out.events[0].key == "presale-grant:00000000-0000-0000-0000-00000000e001"


def _chargeback(amount: Decimal, currency: str, **changes: Any) -> dict[str, Any]:
    row = {
        "ChargebackId": "00000000-0000-0000-0000-00000000F001", "CustomerId": "6F9619FF-8B86-D011-B42D-00C04FC964FF",
        "OrderRef": "BO0000005001", "Amount": amount, "CurrencyCode": currency, "ReasonCode": "10.4", "IsFraud": True,
        "ReportedAt": 1795114800000, "ResolvedAt": None, "Notes": "Issuer says: « pas moi » — 本人ではない",
    }  # fmt: skip
    row.update(changes)
    return row


def test_chargebacks_convert_money_exactly_or_refuse(adapter: Any) -> None:
    out = feed(
        adapter,
        sqlserver("Chargeback", CHARGEBACK, "c", 0x30, after=_chargeback(Decimal("213.3900"), "USD")),
        sqlserver(
            "Chargeback",
            CHARGEBACK,
            "c",
            0x31,
            after=_chargeback(MONEY_MIN, "EUR", OrderRef="zzzzzzzzzzzzzzzz"),
        ),
        sqlserver("Chargeback", CHARGEBACK, "c", 0x32, after=_chargeback(MONEY_MAX, "GBP")),
        sqlserver(
            "Chargeback",
            CHARGEBACK,
            "u",
            0x33,
            before=_chargeback(Decimal("1"), "USD"),
            after=_chargeback(Decimal("1"), "USD"),
        ),
    )
    assert [json.loads(encode_event(e))["data"] for e in out.events] == [
        {
            "chargeback_id": "00000000-0000-0000-0000-00000000f001", "order_id": "BO0000005001",
            "amount": {"amount": 21339, "currency": "USD"}, "reason": "fraud", "filed_at": "2026-11-19T19:00:00Z",
            "fraud_reported": True, "customer_id": "6f9619ff-8b86-d011-b42d-00c04fc964ff", "network_reason_code": "10.4",
        }
    ]  # fmt: skip
    assert [(type(f).__name__, f.column) for f in out.failures] == [("InvalidValueError", "Amount")] * 2
    assert "-922337203685477.5808 EUR" in out.failures[0].reason  # four decimals no euro amount has


def test_tables_without_a_canonical_event_map_to_nothing(adapter: Any) -> None:
    login = [field("LoginEventId", "int64"), field("CustomerId", "string", optional=True)]
    assert not feed(
        adapter, sqlserver("LoginEvent", login, "c", 0x40, after={"LoginEventId": 1, "CustomerId": None})
    )
