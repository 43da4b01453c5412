"""The pricing and resale tables as the adapter reads them (PostgreSQL connector, ``schema.table`` names)."""

from __future__ import annotations

from typing import Final

from legacy_adapters.mapping.tables import ARRAY, DECIMAL, GUID, INSTANT, INT, JSON, TEXT, TableSpec

PRICE_LEVEL: Final = TableSpec(
    "pricing.price_level",
    key=("price_level_id",),
    columns={
        "price_level_id": INT,
        "event_ref": TEXT,
        "level_code": TEXT,
        "level_name": TEXT,
        "sections": ARRAY,
        "amount": DECIMAL,
        "fee_amount": DECIMAL,
        "currency": TEXT,
        "valid_from": INSTANT,
        "valid_to": INSTANT,
        "deleted_at": INSTANT,
    },
)
PACKAGE: Final = TableSpec(
    "pricing.package",
    key=("package_id",),
    columns={
        "package_id": GUID,
        "package_code": TEXT,
        "package_name": TEXT,
        "contents": JSON,
        "amount": DECIMAL,
        "currency": TEXT,
        "max_per_account": INT,
        "on_sale_at": INSTANT,
        "off_sale_at": INSTANT,
        "deleted_at": INSTANT,
    },
)
LISTING: Final = TableSpec(
    "resale.listing",
    key=("listing_id",),
    columns={
        "listing_id": GUID,
        "event_ref": TEXT,
        "seat_ref": TEXT,
        "seller_account_id": GUID,
        "origin_order_no": TEXT,
        "ask_amount": DECIMAL,
        "face_amount": DECIMAL,
        "currency": TEXT,
        "status": TEXT,
        "listing_attrs": JSON,
        "listed_at": INSTANT,
        "expires_at": INSTANT,
        "updated_at": INSTANT,
        "deleted_at": INSTANT,
    },
)
SALE: Final = TableSpec(
    "resale.sale",
    key=("sale_id",),
    columns={
        "sale_id": GUID,
        "listing_id": GUID,
        "buyer_account_id": GUID,
        "sale_amount": DECIMAL,
        "buyer_fee_amount": DECIMAL,
        "seller_payout_amount": DECIMAL,
        "currency": TEXT,
        "sold_at": INSTANT,
    },
)
SPECS: Final = (PRICE_LEVEL, PACKAGE, LISTING, SALE)
