"""Golden rows for pricing and resale: numeric(12,2) extremes, full unicode, jsonb shapes (one large enough to
be TOASTed), soft deletes, arrays with NULLs, malformed text references, and timestamptz instants around
daylight-saving changes (aware datetimes; ``fold`` picks the first or second pass through an overlap).

Rows are in insertion order: resale.sale references resale.listing. jsonb values are Python dicts and lists.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from uuid import UUID
from zoneinfo import ZoneInfo

from legacy_adapters.cases import GoldenCase

NEW_YORK = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")

CUSTOMER_A = UUID("6f9619ff-8b86-d011-b42d-00c04fc964ff")
CUSTOMER_B = UUID("a3c1e5b2-7d4f-4e6a-9b8c-0d1e2f3a4b5c")
LISTING_ACTIVE = UUID("00000000-0000-4000-8000-00000000a001")
LISTING_SOLD = UUID("00000000-0000-4000-8000-00000000a002")
LISTING_MAX = UUID("ffffffff-ffff-4fff-bfff-ffffffffffff")

#: the instant New York's clocks jumped from 02:00 EST to 03:00 EDT, and London's from 01:00 GMT to 02:00 BST
NEW_YORK_GAP = datetime(2026, 3, 8, 7, 0, tzinfo=UTC)
LONDON_GAP = datetime(2026, 3, 29, 1, 0, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)

CASES: tuple[GoldenCase, ...] = (
    # -- pricing.price_level -----------------------------------------------------------------------------------
    GoldenCase(
        "price_level_basic_unicode",
        "pricing.price_level",
        {
            "price_level_id": 1,
            "event_ref": "BO-1042",
            "level_code": "P1",
            "level_name": "Parterre Général 🎟️ 前方席",
            "sections": ["101", "102"],
            "amount": Decimal("125.00"),
            "fee_amount": Decimal("18.50"),
            "currency": "USD",
            "valid_from": datetime(2025, 11, 1, 15, 0, tzinfo=UTC),
            "valid_to": None,
            "created_at": datetime(2025, 10, 1, 12, 0, tzinfo=UTC),
            "updated_at": datetime(2025, 10, 1, 12, 0, tzinfo=UTC),
            "deleted_at": None,
        },
        "an ordinary price level: 125.00 USD is 12500 minor units; emoji with a variation selector and CJK in "
        "the name; open-ended validity; not deleted",
    ),
    GoldenCase(
        "price_level_max_amount_negative_fee_jpy",
        "pricing.price_level",
        {
            "price_level_id": 9223372036854775807,
            "event_ref": "BO-4294967295",
            "level_code": "ZZZZZZZZ",
            "level_name": "x",
            "sections": [],
            "amount": Decimal("9999999999.99"),
            "fee_amount": Decimal("-9999999999.99"),
            "currency": "JPY",
            "valid_from": datetime(1970, 1, 1, tzinfo=UTC),
            "valid_to": datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
            "created_at": datetime(1970, 1, 1, tzinfo=UTC),
            "updated_at": datetime(1970, 1, 1, tzinfo=UTC),
            "deleted_at": None,
        },
        "numeric(12,2) maximum and its negative (a fee waiver); JPY has no minor unit, so .99 cannot be kept "
        "in yen; bigint maximum key; empty array; validity from the epoch to the last representable microsecond",
    ),
    GoldenCase(
        "price_level_one_cent_kwd",
        "pricing.price_level",
        {
            "price_level_id": 3,
            "event_ref": "BO-1042",
            "level_code": "P9",
            "level_name": "Restricted view",
            "sections": ["999"],
            "amount": Decimal("0.01"),
            "fee_amount": Decimal("-0.01"),
            "currency": "KWD",
            "valid_from": NEW_YORK_GAP - MICROSECOND,
            "valid_to": NEW_YORK_GAP,
            "created_at": datetime(2026, 1, 1, tzinfo=UTC),
            "updated_at": datetime(2026, 1, 1, tzinfo=UTC),
            "deleted_at": None,
        },
        "smallest amount and smallest negative fee; KWD has three minor digits (0.01 KWD is 10 fils); valid for "
        "one microsecond ending at the instant New York skipped from 02:00 to 03:00",
    ),
    GoldenCase(
        "price_level_new_york_overlap_soft_deleted",
        "pricing.price_level",
        {
            "price_level_id": 4,
            "event_ref": "BO-1043",
            "level_code": "P2",
            "level_name": "Orchestra",
            "sections": ["ORCH", None],
            "amount": Decimal("89.50"),
            "fee_amount": Decimal("0.00"),
            "currency": "USD",
            "valid_from": datetime(2026, 11, 1, 1, 30, tzinfo=NEW_YORK, fold=0),
            "valid_to": datetime(2026, 11, 1, 1, 30, tzinfo=NEW_YORK, fold=1),
            "created_at": datetime(2026, 6, 1, tzinfo=UTC),
            "updated_at": datetime(2026, 11, 1, 6, 30, tzinfo=UTC),
            "deleted_at": datetime(2026, 11, 1, 6, 30, tzinfo=UTC),
        },
        "valid from the first 01:30 (EDT, 05:30Z) to the second 01:30 (EST, 06:30Z) of 2026-11-01 in New York: "
        "one real hour; soft-deleted; a NULL inside the sections array; zero fee",
    ),
    GoldenCase(
        "price_level_malformed_reference",
        "pricing.price_level",
        {
            "price_level_id": 5,
            "event_ref": " bo-1042 ",
            "level_code": "p1",
            "level_name": "",
            "sections": ["101"],
            "amount": Decimal("0.00"),
            "fee_amount": Decimal("0.00"),
            "currency": "usd",
            "valid_from": datetime(2026, 10, 25, 1, 30, tzinfo=LONDON, fold=1),
            "valid_to": None,
            "created_at": datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
            "updated_at": datetime(2026, 10, 25, 1, 30, tzinfo=UTC),
            "deleted_at": None,
        },
        "event reference with spaces and lower case, lower-case level and currency, empty name, free level; "
        "valid from the second 01:30 in London on 2026-10-25 (01:30Z)",
    ),
    # -- pricing.package ---------------------------------------------------------------------------------------
    GoldenCase(
        "package_nested_contents",
        "pricing.package",
        {
            "package_id": UUID("00000000-0000-4000-8000-00000000b001"),
            "package_code": "SPRING-2",
            "package_name": "Spring Forward × 2 + Parking 🚗",
            "contents": {
                "events": ["BO-1042", "BO-1043"],
                "seats_per_event": 2,
                "level_code": "P1",
                "perks": ["parking", "lounge 🍸"],
                "price_split": {"BO-1042": "60.00", "BO-1043": "64.99"},
            },
            "amount": Decimal("249.99"),
            "currency": "USD",
            "max_per_account": 2,
            "on_sale_at": datetime(2025, 11, 1, 15, 0, tzinfo=UTC),
            "off_sale_at": NEW_YORK_GAP,
            "created_at": datetime(2025, 10, 1, tzinfo=UTC),
            "updated_at": datetime(2025, 10, 2, tzinfo=UTC),
            "deleted_at": None,
        },
        "a two-event package: jsonb with arrays, nested object and money as strings; off sale at New York's gap",
    ),
    GoldenCase(
        "package_json_edge_values",
        "pricing.package",
        {
            "package_id": UUID("00000000-0000-4000-8000-00000000b002"),
            "package_code": "EDGE",
            "package_name": "Ünïcödé \u202eRTL\u202c 'quotes' \"double\"",
            "contents": {
                "events": [],
                "note": None,
                "emoji": "🎫",
                "escaped": "line\nbreak\ttab\\slash\u0001",
                "big": 12345678901234567890123,
                "tiny": 1e-300,
                "negative": -0.0,
                "flag": False,
                "deep": {"a": {"b": {"c": [1, [2, [3, {"d": None}]]]}}},
            },
            "amount": Decimal("0.00"),
            "currency": "EUR",
            "max_per_account": None,
            "on_sale_at": None,
            "off_sale_at": None,
            "created_at": datetime(2026, 1, 1, tzinfo=UTC),
            "updated_at": datetime(2026, 1, 1, tzinfo=UTC),
            "deleted_at": None,
        },
        "jsonb edges: empty array, null, control characters, an integer beyond 64 bits, a tiny float, -0.0, "
        "deep nesting; bidi override and quotes in the name; NULL limits and sale window",
    ),
    GoldenCase(
        "package_toasted_soft_deleted",
        "pricing.package",
        {
            "package_id": UUID("00000000-0000-4000-8000-00000000b003"),
            "package_code": "SEASON-ALL",
            "package_name": "Season ticket (every event)",
            "contents": {
                "events": [f"BO-{n}" for n in range(1, 4001)],
                "seats_per_event": 1,
                "level_code": "S",
            },
            "amount": Decimal("9999999999.99"),
            "currency": "GBP",
            "max_per_account": 32767,
            "on_sale_at": LONDON_GAP - MICROSECOND,
            "off_sale_at": LONDON_GAP,
            "created_at": datetime(2026, 1, 1, tzinfo=UTC),
            "updated_at": datetime(2026, 3, 30, tzinfo=UTC),
            "deleted_at": datetime(2026, 3, 30, tzinfo=UTC),
        },
        "contents large enough to be TOASTed (an update of another column must still carry it: REPLICA "
        "IDENTITY FULL); maximum amount; smallint maximum; soft-deleted; sale window at London's gap",
    ),
    # -- resale.listing ----------------------------------------------------------------------------------------
    GoldenCase(
        "listing_active_around_gap",
        "resale.listing",
        {
            "listing_id": LISTING_ACTIVE,
            "event_ref": "BO-1042",
            "seat_ref": "101:A:1",
            "seller_account_id": CUSTOMER_A,
            "origin_order_no": "BO0000005001",
            "ask_amount": Decimal("180.00"),
            "face_amount": Decimal("125.00"),
            "currency": "USD",
            "status": "active",
            "listing_attrs": {"channel": "W", "ip_hash": "ab" * 32, "device_hash": "cd" * 32},
            "listed_at": NEW_YORK_GAP - MICROSECOND,
            "expires_at": NEW_YORK_GAP,
            "updated_at": NEW_YORK_GAP - MICROSECOND,
            "deleted_at": None,
        },
        "an active listing, marked up over face; listed one microsecond before New York's gap (01:59:59.999999 "
        "EST), expiring at it (03:00 EDT)",
    ),
    GoldenCase(
        "listing_sold_london_overlap",
        "resale.listing",
        {
            "listing_id": LISTING_SOLD,
            "event_ref": "BO-2001",
            "seat_ref": "BALCÓN:Ñ:12A",
            "seller_account_id": CUSTOMER_B,
            "origin_order_no": None,
            "ask_amount": Decimal("0.01"),
            "face_amount": None,
            "currency": "GBP",
            "status": "sold",
            "listing_attrs": {},
            "listed_at": datetime(2026, 10, 25, 1, 30, tzinfo=LONDON, fold=0),
            "expires_at": datetime(2026, 10, 25, 1, 30, tzinfo=LONDON, fold=1),
            "updated_at": datetime(2026, 10, 25, 1, 30, tzinfo=LONDON, fold=1),
            "deleted_at": None,
        },
        "sold at the smallest ask; unicode seat reference; no origin order or face value; empty attrs; listed "
        "at the first 01:30 in London (BST) and expiring at the second (GMT)",
    ),
    GoldenCase(
        "listing_max_ask_general_admission",
        "resale.listing",
        {
            "listing_id": LISTING_MAX,
            "event_ref": "BO-1042 ",
            "seat_ref": "GA",
            "seller_account_id": CUSTOMER_A,
            "origin_order_no": "ZZZZZZZZZZZZ",
            "ask_amount": Decimal("9999999999.99"),
            "face_amount": Decimal("-0.01"),
            "currency": "EUR",
            "status": "blocked",
            "listing_attrs": {
                "note": "Zweite Reihe, ganz links — größter Fan 😀",
                "lang": "de",
                "ip_hash": None,
            },
            "listed_at": datetime(1, 1, 1, tzinfo=UTC),
            "expires_at": None,
            "updated_at": datetime(2028, 2, 29, 23, 59, 59, tzinfo=UTC),
            "deleted_at": None,
        },
        "blocked scalper listing at the maximum ask; general admission 'GA' with no row or seat; trailing space "
        "in the event reference; negative face value; timestamptz at year 1; NULL inside attrs; updated on a leap day",
    ),
    GoldenCase(
        "listing_withdrawn_soft_deleted",
        "resale.listing",
        {
            "listing_id": UUID("00000000-0000-4000-8000-00000000a004"),
            "event_ref": "BO-1043",
            "seat_ref": " orch : aa : 101 ",
            "seller_account_id": CUSTOMER_B,
            "origin_order_no": "BO0000005001",
            "ask_amount": Decimal("95.00"),
            "face_amount": Decimal("89.50"),
            "currency": "USD",
            "status": "withdrawn",
            "listing_attrs": {"channel": "M"},
            "listed_at": datetime(2026, 6, 1, 12, 0, tzinfo=NEW_YORK),
            "expires_at": datetime(2026, 11, 1, 5, 0, tzinfo=UTC),
            "updated_at": datetime(2026, 6, 2, tzinfo=UTC),
            "deleted_at": datetime(2026, 6, 2, tzinfo=UTC),
        },
        "withdrawn and soft-deleted; seat reference in lower case with spaces around each part",
    ),
    # -- resale.sale -------------------------------------------------------------------------------------------
    GoldenCase(
        "sale_completed",
        "resale.sale",
        {
            "sale_id": UUID("00000000-0000-4000-8000-00000000c001"),
            "listing_id": LISTING_SOLD,
            "buyer_account_id": CUSTOMER_A,
            "sale_amount": Decimal("0.01"),
            "buyer_fee_amount": Decimal("0.00"),
            "seller_payout_amount": Decimal("0.01"),
            "currency": "GBP",
            "status": "completed",
            "sold_at": datetime(2026, 10, 25, 1, 30, tzinfo=LONDON, fold=1),
            "reversed_at": None,
            "updated_at": datetime(2026, 10, 25, 1, 30, tzinfo=LONDON, fold=1),
            "deleted_at": None,
        },
        "the sale of the one-penny listing, at the second 01:30 in London; never reversed",
    ),
    GoldenCase(
        "sale_reversed_clawback",
        "resale.sale",
        {
            "sale_id": UUID("00000000-0000-4000-8000-00000000c002"),
            "listing_id": LISTING_ACTIVE,
            "buyer_account_id": CUSTOMER_B,
            "sale_amount": Decimal("9999999999.99"),
            "buyer_fee_amount": Decimal("-9999999999.99"),
            "seller_payout_amount": Decimal("-9999999999.99"),
            "currency": "USD",
            "status": "reversed",
            "sold_at": NEW_YORK_GAP,
            "reversed_at": NEW_YORK_GAP + timedelta(days=14),
            "updated_at": NEW_YORK_GAP + timedelta(days=14),
            "deleted_at": NEW_YORK_GAP + timedelta(days=15),
        },
        "a reversed sale: negative fee and payout clawed back at the numeric(12,2) extremes; soft-deleted",
    ),
    # -- public.dbz_signal -------------------------------------------------------------------------------------
    GoldenCase(
        "signal_incremental_snapshot",
        "public.dbz_signal",
        {
            "id": "pricing-snap-1",
            "type": "execute-snapshot",
            "data": '{"data-collections": ["pricing.price_level"], "type": "incremental"}',
        },
        "a signal requesting an incremental snapshot (the normalizer must skip signal rows)",
    ),
    GoldenCase(
        "signal_watermark_null_data",
        "public.dbz_signal",
        {"id": "pricing-snap-1-close", "type": "snapshot-window-close", "data": None},
        "a watermark row as Debezium writes it, with NULL data",
    ),
)
