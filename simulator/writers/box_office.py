# ruff: noqa: SIM300  (upper-case legacy column names look like constants to the yoda-condition rule)
"""The box-office writer (MariaDB / MySQL): venues, events with their seat maps, holds, orders, chargebacks.

Every time is written as a DATETIME in the venue's wall-clock time (the zone is the venue's ``TZ_NM`` as stored),
every amount as integer cents. An order is one transaction: the ``ORD_HDR`` row, its ``ORD_LN`` rows (one
multi-row INSERT) and the ``SEAT_INV`` status flips, so capture sees them as one source transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from legacy_adapters.box_office import SESSION_SQL_MODE
from legacy_adapters.box_office.codes import DisputeStatus, EventStatus, LineStatus, OrderStatus, SeatStatus
from simulator.catalogue import is_accessible, seat_map
from simulator.operations import (
    CancelOrder,
    ChangePrice,
    CreateEvent,
    EnsureVenue,
    ExpireHold,
    FileChargeback,
    OpenSale,
    PlaceHold,
    PlaceOrder,
    RefundOrder,
    SeatRef,
)
from simulator.schema import table
from simulator.writers.base import Ids, Rows, Writer, bound

VENUE = table("box_office", "VENUE")
EVT = table("box_office", "EVT_MASTER")
SEAT = table("box_office", "SEAT_INV")
HDR = table("box_office", "ORD_HDR")
LN = table("box_office", "ORD_LN")
CHGBK = table("box_office", "ORD_CHGBK")

_VENUE_COLUMNS = (
    "VEN_CD",
    "VEN_NM",
    "CITY_NM",
    "CNTRY_CD",
    "TZ_NM",
    "CAP_QTY",
    "TAX_RT",
    "LAT_DEG",
    "LNG_DEG",
    "ACTV_FLG",
    "CRT_DT",
)
_EVT_COLUMNS = (
    "VEN_ID", "EVT_NM", "ARTIST_NM", "EVT_TYP_CD", "EVT_STAT_CD", "EVT_DT", "DOORS_DT", "PRESALE_DT", "ONSALE_DT",
    "OFFSALE_DT", "TKT_LMT", "HOLD_MINS", "CURR_CD", "CRT_DT",
)  # fmt: skip
_SEAT_COLUMNS = (
    "EVT_ID",
    "SECT_CD",
    "ROW_CD",
    "SEAT_NO",
    "PRC_LVL_CD",
    "FACE_AMT",
    "SEAT_STAT_CD",
    "ADA_FLG",
    "UPD_DT",
)
_HDR_COLUMNS = (
    "ORD_NO", "EVT_ID", "ACCT_ID", "CHNL_CD", "ORD_STAT_CD", "ORD_DT", "TKT_QTY", "SUBTOT_AMT", "FEE_AMT", "TAX_AMT",
    "TOT_AMT", "CURR_CD", "PAY_MTHD_CD", "CARD_BIN", "CARD_LAST4", "CLNT_IP_HASH", "DEVICE_HASH", "PRESALE_CD",
    "DLVRY_CD", "BUYER_NM",
)  # fmt: skip
_LN_COLUMNS = (
    "ORD_ID",
    "LN_NO",
    "SEAT_ID",
    "PRC_LVL_CD",
    "LN_PRC_AMT",
    "DISC_AMT",
    "LN_STAT_CD",
    "TKT_BARCODE",
    "UPD_DT",
)
_CHGBK_COLUMNS = (
    "ORD_ID",
    "RSN_CD",
    "CHGBK_AMT",
    "CURR_CD",
    "FRAUD_FLG",
    "DISP_STAT_CD",
    "RCVD_DT",
    "NOTE_TXT",
)
_HOLD_CLEARED = {"HOLD_TOKEN": sa.null(), "HOLD_ACCT_ID": sa.null(), "HOLD_EXP_DT": sa.null()}
_P = sa.bindparam


def _seats_where(ids: list[sa.BindParameter[Any]], *more: sa.ColumnElement[bool]) -> sa.ColumnElement[bool]:
    return sa.and_(SEAT.c.SEAT_ID.in_(ids), *more)


def _in(params: dict[str, Any], ids: Sequence[int]) -> dict[str, Any]:
    params.update({f"id{i}": seat_id for i, seat_id in enumerate(ids)})
    return params


class BoxOfficeWriter(Writer):
    """Writes box-office operations; maps the plan's keys to ``VEN_ID``, ``EVT_ID``, ``SEAT_ID``, ``ORD_ID``."""

    system = "box_office"

    def __init__(self, conn: Connection, ids: Ids) -> None:
        super().__init__(conn, ids)
        conn.exec_driver_sql(f"SET SESSION sql_mode = '{SESSION_SQL_MODE}'")
        conn.commit()
        self.zones: dict[str, ZoneInfo] = {}
        self.event_zone: dict[str, ZoneInfo] = {}
        self.seats: dict[tuple[str, SeatRef], int] = {}
        c = self.compile
        self.sql = {
            "venue": c(sa.insert(VENUE).prefix_with("IGNORE").values(bound(_VENUE_COLUMNS))),
            "venue_id": c(sa.select(VENUE.c.VEN_ID, VENUE.c.TZ_NM).where(VENUE.c.VEN_CD == _P("code"))),
            "event": c(sa.insert(EVT).values(bound(_EVT_COLUMNS))),
            "seats": c(sa.insert(SEAT).values(bound(_SEAT_COLUMNS))),
            "seat_ids": c(
                sa.select(SEAT.c.SEAT_ID, SEAT.c.SECT_CD, SEAT.c.ROW_CD, SEAT.c.SEAT_NO).where(
                    SEAT.c.EVT_ID == _P("evt")
                )
            ),
            "open": c(
                sa.update(EVT)
                .where(EVT.c.EVT_ID == _P("evt"), EVT.c.EVT_STAT_CD == EventStatus.DRAFT.value)
                .values(EVT_STAT_CD=EventStatus.ON_SALE.value)
            ),
            "header": c(sa.insert(HDR).values(bound(_HDR_COLUMNS))),
            "lines": c(sa.insert(LN).values(bound(_LN_COLUMNS))),
            "end_header": c(
                sa.update(HDR)
                .where(HDR.c.ORD_ID == _P("ord"), HDR.c.ORD_STAT_CD == OrderStatus.PLACED.value)
                .values(ORD_STAT_CD=_P("status"), CANC_DT=_P("at"))
            ),
            "end_lines": c(
                sa.update(LN).where(LN.c.ORD_ID == _P("ord")).values(LN_STAT_CD=_P("status"), UPD_DT=_P("at"))
            ),
            "reprice": c(
                sa.update(SEAT)
                .where(
                    SEAT.c.EVT_ID == _P("evt"),
                    SEAT.c.PRC_LVL_CD == _P("level"),
                    SEAT.c.SEAT_STAT_CD == SeatStatus.AVAILABLE.value,
                )
                .values(FACE_AMT=_P("face"))
            ),
            "chargeback": c(sa.insert(CHGBK).values(bound(_CHGBK_COLUMNS))),
        }
        self.handlers = {
            EnsureVenue: self.ensure_venue,
            CreateEvent: self.create_event,
            OpenSale: self.open_sale,
            PlaceHold: self.place_hold,
            ExpireHold: self.expire_hold,
            PlaceOrder: self.place_order,
            CancelOrder: self.cancel_order,
            RefundOrder: self.refund_order,
            ChangePrice: self.change_price,
            FileChargeback: self.file_chargeback,
        }

    def _local(self, event_key: str, when: datetime | None) -> datetime | None:
        """``when`` (UTC) as the event venue's wall-clock time, without zone, as the box office stores it."""
        return None if when is None else when.astimezone(self.event_zone[event_key]).replace(tzinfo=None)

    def _seat_ids(self, event_key: str, seats: Sequence[SeatRef]) -> list[int]:
        return [self.seats[(event_key, seat)] for seat in seats]

    def ensure_venue(self, conn: Connection, op: EnsureVenue) -> Rows:
        v = op.venue
        values = {
            "VEN_CD": v.code, "VEN_NM": v.name, "CITY_NM": v.city, "CNTRY_CD": v.country, "TZ_NM": v.tz,
            "CAP_QTY": v.capacity, "TAX_RT": v.tax_rate, "LAT_DEG": v.lat, "LNG_DEG": v.lng, "ACTV_FLG": "Y",
            "CRT_DT": op.at.astimezone(ZoneInfo(v.tz)).replace(tzinfo=None),
        }  # fmt: skip
        inserted = self.run(self.sql["venue"], values).rowcount
        row = self.run(self.sql["venue_id"], {"code": v.code}).one()
        self.ids.venues[v.code] = int(row[0])
        self.zones[v.code] = ZoneInfo(row[1])
        return Rows({"VENUE": inserted})

    def create_event(self, conn: Connection, op: CreateEvent) -> Rows:
        key = op.event_key
        self.event_zone[key] = self.zones[op.venue_code]
        values = {
            "VEN_ID": self.ids.venues[op.venue_code], "EVT_NM": op.name, "ARTIST_NM": op.artist,
            "EVT_TYP_CD": op.type_code, "EVT_STAT_CD": EventStatus.DRAFT.value,
            "EVT_DT": self._local(key, op.starts_at), "DOORS_DT": self._local(key, op.doors_at),
            "PRESALE_DT": self._local(key, op.presale_at), "ONSALE_DT": self._local(key, op.onsale_at),
            "OFFSALE_DT": self._local(key, op.offsale_at), "TKT_LMT": op.ticket_limit, "HOLD_MINS": op.hold_minutes,
            "CURR_CD": op.currency, "CRT_DT": self._local(key, op.at),
        }  # fmt: skip
        evt_id = self.run(self.sql["event"], values).lastrowid
        self.ids.events[key] = evt_id
        face = {level.code: level.amount for level in op.levels}
        killed = set(op.killed)
        created = self._local(key, op.at)
        rows = [
            {
                "EVT_ID": evt_id, "SECT_CD": seat.section, "ROW_CD": seat.row, "SEAT_NO": seat.seat,
                "PRC_LVL_CD": level, "FACE_AMT": face[level],
                "SEAT_STAT_CD": (SeatStatus.KILLED if seat in killed else SeatStatus.AVAILABLE).value,
                "ADA_FLG": int(is_accessible(seat, op.sections)), "UPD_DT": created,
            }
            for seat, level in seat_map(op.sections)
        ]  # fmt: skip
        self.run(self.sql["seats"], rows)
        found = self.run(self.sql["seat_ids"], {"evt": evt_id}).all()
        for seat in found:
            self.seats[(key, SeatRef(seat[1], seat[2], seat[3]))] = int(seat[0])
        self.expect("SEAT_INV", len(rows), len(found))
        return Rows({"EVT_MASTER": 1, "SEAT_INV": len(rows)})

    def open_sale(self, conn: Connection, op: OpenSale) -> Rows:
        changed = self.run(self.sql["open"], {"evt": self.ids.events[op.event_key]}).rowcount
        return Rows({"EVT_MASTER": self.expect("EVT_MASTER", 1, changed)})

    def place_hold(self, conn: Connection, op: PlaceHold) -> Rows:
        ids = self._seat_ids(op.event_key, op.seats)
        sql = self.compile_in(
            "hold",
            len(ids),
            lambda p: (
                sa.update(SEAT)
                .where(_seats_where(p, SEAT.c.SEAT_STAT_CD == SeatStatus.AVAILABLE.value))
                .values(
                    SEAT_STAT_CD=SeatStatus.HELD.value,
                    HOLD_TOKEN=_P("token"),
                    HOLD_ACCT_ID=_P("acct"),
                    HOLD_EXP_DT=_P("exp"),
                    UPD_DT=_P("at"),
                )
            ),
        )
        params = {
            "token": op.hold_token, "acct": op.account_id, "exp": self._local(op.event_key, op.expires_at),
            "at": self._local(op.event_key, op.at),
        }  # fmt: skip
        return Rows({"SEAT_INV": self.expect("SEAT_INV", len(ids), self.run(sql, _in(params, ids)).rowcount)})

    def expire_hold(self, conn: Connection, op: ExpireHold) -> Rows:
        ids = self._seat_ids(op.event_key, op.seats)
        sql = self.compile_in(
            "expire",
            len(ids),
            lambda p: (
                sa.update(SEAT)
                .where(
                    _seats_where(
                        p, SEAT.c.SEAT_STAT_CD == SeatStatus.HELD.value, SEAT.c.HOLD_TOKEN == _P("token")
                    )
                )
                .values(SEAT_STAT_CD=SeatStatus.AVAILABLE.value, UPD_DT=_P("at"), **_HOLD_CLEARED)
            ),
        )
        params = {"token": op.hold_token, "at": self._local(op.event_key, op.at)}
        return Rows({"SEAT_INV": self.expect("SEAT_INV", len(ids), self.run(sql, _in(params, ids)).rowcount)})

    def place_order(self, conn: Connection, op: PlaceOrder) -> Rows:
        key = op.event_key
        local = self._local(key, op.at)
        header = {
            "ORD_NO": op.order_no, "EVT_ID": self.ids.events[key], "ACCT_ID": op.account_id, "CHNL_CD": op.channel,
            "ORD_STAT_CD": OrderStatus.PLACED.value, "ORD_DT": local, "TKT_QTY": len(op.lines),
            "SUBTOT_AMT": op.subtotal, "FEE_AMT": op.fee, "TAX_AMT": op.tax, "TOT_AMT": op.total,
            "CURR_CD": op.currency, "PAY_MTHD_CD": op.payment, "CARD_BIN": op.card_bin, "CARD_LAST4": op.card_last4,
            "CLNT_IP_HASH": op.ip_hash, "DEVICE_HASH": op.device_hash, "PRESALE_CD": op.presale_code,
            "DLVRY_CD": op.delivery, "BUYER_NM": op.buyer_name,
        }  # fmt: skip
        ord_id = self.run(self.sql["header"], header).lastrowid
        self.ids.orders[op.order_no] = ord_id
        seat_ids = self._seat_ids(key, [line.seat for line in op.lines])
        lines = [
            {
                "ORD_ID": ord_id, "LN_NO": n, "SEAT_ID": seat_id, "PRC_LVL_CD": line.level, "LN_PRC_AMT": line.price,
                "DISC_AMT": line.discount, "LN_STAT_CD": LineStatus.ACTIVE.value, "TKT_BARCODE": line.barcode,
                "UPD_DT": local,
            }
            for n, (line, seat_id) in enumerate(zip(op.lines, seat_ids, strict=True), start=1)
        ]  # fmt: skip
        self.run(self.sql["lines"], lines)
        if op.hold_token is not None:
            sql = self.compile_in(
                "sell_held",
                len(seat_ids),
                lambda p: (
                    sa.update(SEAT)
                    .where(
                        _seats_where(
                            p, SEAT.c.SEAT_STAT_CD == SeatStatus.HELD.value, SEAT.c.HOLD_TOKEN == _P("token")
                        )
                    )
                    .values(
                        SEAT_STAT_CD=SeatStatus.SOLD.value, ORD_ID=_P("ord"), UPD_DT=_P("at"), **_HOLD_CLEARED
                    )
                ),
            )
        else:
            sql = self.compile_in(
                "sell_free",
                len(seat_ids),
                lambda p: (
                    sa.update(SEAT)
                    .where(_seats_where(p, SEAT.c.SEAT_STAT_CD == SeatStatus.AVAILABLE.value))
                    .values(SEAT_STAT_CD=SeatStatus.SOLD.value, ORD_ID=_P("ord"), UPD_DT=_P("at"))
                ),
            )
        params = _in({"ord": ord_id, "at": local, "token": op.hold_token}, seat_ids)
        if op.hold_token is None:
            del params["token"]
        self.expect("SEAT_INV", len(seat_ids), self.run(sql, params).rowcount)
        return Rows({"ORD_HDR": 1, "ORD_LN": len(lines), "SEAT_INV": len(seat_ids)})

    def _end_order(self, op: CancelOrder | RefundOrder, status: OrderStatus, line: LineStatus) -> Rows:
        ord_id = self.ids.orders[op.order_no]
        local = self._local(op.event_key, op.at)
        changed = self.run(
            self.sql["end_header"], {"ord": ord_id, "status": status.value, "at": local}
        ).rowcount
        self.expect("ORD_HDR", 1, changed)
        changed = self.run(self.sql["end_lines"], {"ord": ord_id, "status": line.value, "at": local}).rowcount
        self.expect("ORD_LN", len(op.seats), changed)
        seat_ids = self._seat_ids(op.event_key, op.seats)
        sql = self.compile_in(
            "release",
            len(seat_ids),
            lambda p: (
                sa.update(SEAT)
                .where(_seats_where(p, SEAT.c.ORD_ID == _P("ord")))
                .values(SEAT_STAT_CD=SeatStatus.AVAILABLE.value, ORD_ID=sa.null(), UPD_DT=_P("at"))
            ),
        )
        self.expect(
            "SEAT_INV", len(seat_ids), self.run(sql, _in({"ord": ord_id, "at": local}, seat_ids)).rowcount
        )
        return Rows({"ORD_HDR": 1, "ORD_LN": len(op.seats), "SEAT_INV": len(seat_ids)})

    def cancel_order(self, conn: Connection, op: CancelOrder) -> Rows:
        return self._end_order(op, OrderStatus.CANCELLED, LineStatus.CANCELLED)

    def refund_order(self, conn: Connection, op: RefundOrder) -> Rows:
        return self._end_order(op, OrderStatus.REFUNDED, LineStatus.REFUNDED)

    def change_price(self, conn: Connection, op: ChangePrice) -> Rows:
        """Reprice the level's unsold seats (held and sold seats keep the face they were sold or held at)."""
        params = {"evt": self.ids.events[op.event_key], "level": op.level_code, "face": op.new_amount}
        return Rows(
            {"SEAT_INV": self.expect("SEAT_INV", op.unsold, self.run(self.sql["reprice"], params).rowcount)}
        )

    def file_chargeback(self, conn: Connection, op: FileChargeback) -> Rows:
        values = {
            "ORD_ID": self.ids.orders[op.order_no], "RSN_CD": op.reason, "CHGBK_AMT": op.amount,
            "CURR_CD": op.currency, "FRAUD_FLG": int(op.fraud), "DISP_STAT_CD": DisputeStatus.OPEN.value,
            "RCVD_DT": self._local(op.event_key, op.at), "NOTE_TXT": op.note,
        }  # fmt: skip
        self.run(self.sql["chargeback"], values)
        return Rows({"ORD_CHGBK": 1})
