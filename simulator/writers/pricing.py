"""The pricing and resale writer (PostgreSQL): price levels, price changes, resale listings and sales.

Money is ``numeric(12,2)`` in major units here (the plan's minor units divided by 100); times are ``timestamptz``
at business time, including ``created_at`` / ``updated_at`` (their defaults would be the wall clock). Box-office
events are referenced as ``'BO-<EVT_ID>'``, typed by hand now and then (``ref_style``).
"""

from __future__ import annotations

from decimal import Decimal

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from simulator.operations import ChangePrice, ListResale, RefStyle, SellResale, SetPriceLevel
from simulator.schema import table
from simulator.writers.base import Ids, Rows, Writer, bound

LEVEL = table("pricing", "pricing.price_level")
LISTING = table("pricing", "resale.listing")
SALE = table("pricing", "resale.sale")

_LEVEL_COLUMNS = (
    "event_ref", "level_code", "level_name", "sections", "amount", "fee_amount", "currency", "valid_from",
    "created_at", "updated_at",
)  # fmt: skip
_LISTING_COLUMNS = (
    "listing_id", "event_ref", "seat_ref", "seller_account_id", "origin_order_no", "ask_amount", "face_amount",
    "currency", "status", "listing_attrs", "listed_at", "expires_at", "updated_at",
)  # fmt: skip
_SALE_COLUMNS = (
    "sale_id", "listing_id", "buyer_account_id", "sale_amount", "buyer_fee_amount", "seller_payout_amount",
    "currency", "status", "sold_at", "updated_at",
)  # fmt: skip
_P = sa.bindparam


def money(minor: int) -> Decimal:
    """Minor units as a ``numeric(12,2)`` amount."""
    return Decimal(minor).scaleb(-2)


def styled(ref: str, style: RefStyle) -> str:
    """An event reference as a seller typed it: as is, in lower case, or with stray spaces."""
    if style == "lower":
        return ref.lower()
    if style == "padded":
        return f" {ref} "
    return ref


class PricingWriter(Writer):
    """Writes pricing and resale operations."""

    system = "pricing"

    def __init__(self, conn: Connection, ids: Ids) -> None:
        super().__init__(conn, ids)
        c = self.compile
        self.sql = {
            "level": c(sa.insert(LEVEL).values(bound(_LEVEL_COLUMNS))),
            "reprice": c(
                sa.update(LEVEL)
                .where(
                    LEVEL.c.event_ref == _P("ref"),
                    LEVEL.c.level_code == _P("code"),
                    LEVEL.c.amount == _P("old"),
                    LEVEL.c.deleted_at.is_(None),
                )
                .values(amount=_P("new"), updated_at=_P("at"))
            ),
            "listing": c(sa.insert(LISTING).values(bound(_LISTING_COLUMNS))),
            "sale": c(sa.insert(SALE).values(bound(_SALE_COLUMNS))),
            "sold": c(
                sa.update(LISTING)
                .where(LISTING.c.listing_id == _P("id"), LISTING.c.status == "active")
                .values(status="sold", updated_at=_P("at"))
            ),
        }
        self.handlers = {
            SetPriceLevel: self.set_price_level,
            ChangePrice: self.change_price,
            ListResale: self.list_resale,
            SellResale: self.sell_resale,
        }

    def set_price_level(self, conn: Connection, op: SetPriceLevel) -> Rows:
        level = op.level
        values = {
            "event_ref": self.ids.event_ref(op.event_key), "level_code": level.code, "level_name": level.name,
            "sections": list(level.sections), "amount": money(level.amount), "fee_amount": money(level.fee),
            "currency": op.currency, "valid_from": op.at, "created_at": op.at, "updated_at": op.at,
        }  # fmt: skip
        self.run(self.sql["level"], values)
        return Rows({"pricing.price_level": 1})

    def change_price(self, conn: Connection, op: ChangePrice) -> Rows:
        params = {
            "ref": self.ids.event_ref(op.event_key), "code": op.level_code, "old": money(op.old_amount),
            "new": money(op.new_amount), "at": op.at,
        }  # fmt: skip
        changed = self.run(self.sql["reprice"], params).rowcount
        return Rows({"pricing.price_level": self.expect("pricing.price_level", 1, changed)})

    def list_resale(self, conn: Connection, op: ListResale) -> Rows:
        attrs = {"channel": op.channel, "ip_hash": op.ip_hash, "device_hash": op.device_hash}
        values = {
            "listing_id": op.listing_id, "event_ref": styled(self.ids.event_ref(op.event_key), op.ref_style),
            "seat_ref": op.seat.text(), "seller_account_id": op.seller_id, "origin_order_no": op.origin_order_no,
            "ask_amount": money(op.ask), "face_amount": money(op.face), "currency": op.currency, "status": "active",
            "listing_attrs": orjson.dumps(attrs).decode(), "listed_at": op.at, "expires_at": op.expires_at,
            "updated_at": op.at,
        }  # fmt: skip
        self.run(self.sql["listing"], values)
        return Rows({"resale.listing": 1})

    def sell_resale(self, conn: Connection, op: SellResale) -> Rows:
        values = {
            "sale_id": op.sale_id, "listing_id": op.listing_id, "buyer_account_id": op.buyer_id,
            "sale_amount": money(op.amount), "buyer_fee_amount": money(op.buyer_fee),
            "seller_payout_amount": money(op.payout), "currency": op.currency, "status": "completed",
            "sold_at": op.at, "updated_at": op.at,
        }  # fmt: skip
        self.run(self.sql["sale"], values)
        self.expect(
            "resale.listing", 1, self.run(self.sql["sold"], {"id": op.listing_id, "at": op.at}).rowcount
        )
        return Rows({"resale.sale": 1, "resale.listing": 1})
