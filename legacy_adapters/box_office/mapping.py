"""Box-office rows to canonical events: venues, events, seats (with the holds they imply) and chargebacks.

| table | change | canonical events |
|---|---|---|
| ``VENUE`` | any | ``venue.changed`` (``deleted`` on delete) |
| ``EVT_MASTER`` | any | ``event.changed`` (``deleted`` on delete) |
| ``SEAT_INV`` | any | ``seat.changed`` (``deleted`` on delete) |
| ``SEAT_INV`` | streamed, seats newly held by a cart | one ``hold.placed`` per cart and transaction |
| ``SEAT_INV`` | streamed, seats leaving a hold | one ``hold.released`` per cart, transaction and outcome |
| ``ORD_HDR`` + ``ORD_LN`` | see :mod:`legacy_adapters.box_office.orders` | ``order.placed`` / ``.cancelled`` / ``.refunded`` |
| ``ORD_CHGBK`` | insert, snapshot read | ``chargeback.filed`` (later dispute updates have no event) |

Values: ids become strings (``venue_id`` ``'9001'``, events ``'BO-1042'``); integer cents are minor units of the
event's (or order's) ``CURR_CD``; ``DATETIME`` is converted through the venue's zone
(:mod:`legacy_adapters.box_office.types`); a seat's hold columns count only while it is held (the legacy
leaves stale holders behind on sold seats) and its order only when sold or comp. A released hold is
``converted`` when its seats were sold or comped, ``expired`` when released at or after its expiry, else
``released``. Snapshot reads update the adapter's lookups and yield state events only: holds and orders are
told by the stream.
"""

from __future__ import annotations

from legacy_adapters.box_office.state import BoxOfficeState, EventInfo, OrderInfo, SeatInfo
from legacy_adapters.box_office.tables import ACTIVE_FLAG, EVENT_CATEGORY, EVENT_STATUS, SEAT_STATUS
from legacy_adapters.box_office.types import required_venue_time, venue_time
from legacy_adapters.box_office.unit import Row, Unit, converted, held_token, hold_transition, row_int
from legacy_adapters.mapping.emit import Emitter
from legacy_adapters.mapping.reasons import chargeback_reason
from legacy_adapters.mapping.values import (
    box_office_event_id,
    code,
    country,
    currency,
    guid,
    identifier,
    integer,
    label,
    minor_units,
    optional_integer,
    optional_text,
    text,
)
from pipelines.canonical import (
    CanonicalEvent,
    ChargebackData,
    ChargebackFiled,
    EventChanged,
    EventData,
    HoldData,
    HoldKind,
    HoldPlaced,
    HoldReleased,
    HoldStatus,
    SeatChanged,
    SeatData,
    SeatRef,
    SeatStatus,
    TimeZoneError,
    VenueChanged,
    VenueData,
    chargeback_key,
    event_key,
    hold_key,
    seat_key,
    venue_key,
)
from pipelines.canonical.timeutil import zone as lookup_zone
from pipelines.debezium import ChangeEvent, Op
from pipelines.mapping import InvalidValueError

_SOLD = frozenset({SeatStatus.SOLD, SeatStatus.COMP})


def seat_ref(row: Row) -> SeatRef:
    """The seat labels of a ``SEAT_INV`` row."""
    return SeatRef(
        section=label(row["SECT_CD"], "SECT_CD"),
        row=label(row["ROW_CD"], "ROW_CD"),
        seat=label(row["SEAT_NO"], "SEAT_NO"),
    )


class BoxOfficeMapping:
    """Maps box-office rows; shares :class:`BoxOfficeState` with the order mapping."""

    def __init__(self, system: str, state: BoxOfficeState) -> None:
        self.system = system
        self.state = state

    # -- VENUE -------------------------------------------------------------------------------------------------
    def venue(self, change: ChangeEvent, unit: Unit) -> list[CanonicalEvent]:
        """``venue.changed``; remembers the venue's zone."""
        row = change.row
        assert row is not None
        venue_id = integer(row["VEN_ID"], "VEN_ID")
        zone_name = label(row["TZ_NM"], "TZ_NM")
        try:
            lookup_zone(zone_name)
        except TimeZoneError as exc:
            raise InvalidValueError(str(exc), column="TZ_NM") from None
        data = VenueData(
            venue_id=str(venue_id),
            name=text(row["VEN_NM"], "VEN_NM"),
            timezone=zone_name,
            code=identifier(row["VEN_CD"]),
            city=optional_text(row["CITY_NM"]),
            country=country(row["CNTRY_CD"]),
            capacity=optional_integer(row["CAP_QTY"], "CAP_QTY"),
            active=code(ACTIVE_FLAG, row["ACTV_FLG"], "ACTV_FLG"),
        )
        self.state.venues[venue_id] = zone_name
        emit = Emitter(change, self.system, {"VEN_ID": venue_id})
        return [emit.make(VenueChanged, venue_key(venue_id), data, deleted=change.op is Op.DELETE)]

    # -- EVT_MASTER --------------------------------------------------------------------------------------------
    def event(self, change: ChangeEvent, unit: Unit) -> list[CanonicalEvent]:
        """``event.changed``; remembers the event's venue and currency (even if its times cannot be mapped)."""
        row = change.row
        assert row is not None
        evt_id = integer(row["EVT_ID"], "EVT_ID")
        venue_id = integer(row["VEN_ID"], "VEN_ID")
        currency_code = currency(row["CURR_CD"], "CURR_CD")
        self.state.events[evt_id] = EventInfo(venue_id, currency_code)
        zone = self.state.zone(venue_id)
        event_id = box_office_event_id(evt_id)
        data = EventData(
            event_id=event_id,
            name=text(row["EVT_NM"], "EVT_NM"),
            venue_id=str(venue_id),
            starts_at=required_venue_time(row["EVT_DT"], zone, "EVT_DT"),
            timezone=zone,
            status=code(EVENT_STATUS, row["EVT_STAT_CD"], "EVT_STAT_CD"),
            category=code(EVENT_CATEGORY, row["EVT_TYP_CD"], "EVT_TYP_CD"),
            artist=optional_text(row["ARTIST_NM"]),
            doors_open_at=venue_time(row["DOORS_DT"], zone, "DOORS_DT"),
            presale_at=venue_time(row["PRESALE_DT"], zone, "PRESALE_DT"),
            on_sale_at=venue_time(row["ONSALE_DT"], zone, "ONSALE_DT"),
            off_sale_at=venue_time(row["OFFSALE_DT"], zone, "OFFSALE_DT"),
            ticket_limit=optional_integer(row["TKT_LMT"], "TKT_LMT"),
            currency=currency_code,
        )
        emit = Emitter(change, self.system, {"EVT_ID": evt_id})
        return [emit.make(EventChanged, event_key(event_id), data, deleted=change.op is Op.DELETE)]

    # -- SEAT_INV ----------------------------------------------------------------------------------------------
    def seat(self, change: ChangeEvent, unit: Unit) -> list[CanonicalEvent]:
        """``seat.changed``, and the hold events a streamed change implies; remembers the seat's labels."""
        row = change.row
        assert row is not None
        seat_id = integer(row["SEAT_ID"], "SEAT_ID")
        evt_id = integer(row["EVT_ID"], "EVT_ID")
        seat = seat_ref(row)
        self.state.seats.put(seat_id, SeatInfo.of(evt_id, seat))
        info = self.state.event(evt_id)
        status = code(SEAT_STATUS, row["SEAT_STAT_CD"], "SEAT_STAT_CD")
        hold_id = holder = expires = order_no = None
        if status is SeatStatus.HELD:
            hold_id = identifier(row["HOLD_TOKEN"])
            holder = guid(row["HOLD_ACCT_ID"], "HOLD_ACCT_ID")
            if row["HOLD_EXP_DT"] is not None:
                expires = venue_time(row["HOLD_EXP_DT"], self.state.zone(info.venue_id), "HOLD_EXP_DT")
        elif status in _SOLD:
            order_no = self.order_no(unit, row_int(row, "ORD_ID"))
        event_id = box_office_event_id(evt_id)
        data = SeatData(
            event_id=event_id,
            seat=seat,
            status=status,
            price_level=identifier(row["PRC_LVL_CD"]),
            face_value=minor_units(row["FACE_AMT"], info.currency, "FACE_AMT"),
            accessible=bool(row["ADA_FLG"]),
            hold_id=hold_id,
            holder_customer_id=holder,
            hold_expires_at=expires,
            order_id=order_no,
        )
        emit = Emitter(change, self.system, {"SEAT_ID": seat_id})
        key = seat_key(event_id, seat.section, seat.row, seat.seat)
        events: list[CanonicalEvent] = [emit.make(SeatChanged, key, data, deleted=change.op is Op.DELETE)]
        if change.op is not Op.READ and hold_transition(change) != (None, None):
            self._holds(change, unit, emit, event_id, info, events)
        return events

    def order_no(self, unit: Unit, ord_id: int | None) -> str | None:
        """The printed number of order ``ord_id``: from the unit's own header, else remembered, else None."""
        if ord_id is None:
            return None
        header = unit.headers.get(ord_id)
        if header is not None and header.row is not None:
            number = identifier(header.row.get("ORD_NO"))
            if number is not None:
                return number
        known = self.state.orders.get(ord_id)
        return None if known is None else known.order_no

    def _holds(
        self,
        change: ChangeEvent,
        unit: Unit,
        emit: Emitter,
        event_id: str,
        info: EventInfo,
        out: list[CanonicalEvent],
    ) -> None:
        placed, ended = unit.holds(change)
        if placed:
            after = change.after
            assert after is not None
            token = held_token(after)
            assert token is not None
            data = HoldData(
                hold_id=token,
                event_id=event_id,
                seats=tuple(seat_ref(c.after) for c in placed if c.after is not None),
                kind=HoldKind.CART,
                status=HoldStatus.PLACED,
                expires_at=venue_time(after["HOLD_EXP_DT"], self.state.zone(info.venue_id), "HOLD_EXP_DT"),
                customer_id=guid(after["HOLD_ACCT_ID"], "HOLD_ACCT_ID"),
            )
            out.append(emit.make(HoldPlaced, hold_key(token), data))
        if ended:
            before = change.before
            assert before is not None
            token = held_token(before)
            assert token is not None
            expires = venue_time(before["HOLD_EXP_DT"], self.state.zone(info.venue_id), "HOLD_EXP_DT")
            order_no = None
            if converted(change):
                status = HoldStatus.CONVERTED
                order_no = self.order_no(unit, row_int(change.after, "ORD_ID"))
            elif expires is not None and expires <= change.source.committed_at:
                status = HoldStatus.EXPIRED
            else:
                status = HoldStatus.RELEASED
            data = HoldData(
                hold_id=token,
                event_id=event_id,
                seats=tuple(seat_ref(c.before) for c in ended if c.before is not None),
                kind=HoldKind.CART,
                status=status,
                expires_at=expires,
                customer_id=guid(before["HOLD_ACCT_ID"], "HOLD_ACCT_ID"),
                order_id=order_no,
            )
            out.append(emit.make(HoldReleased, hold_key(token), data))

    # -- ORD_CHGBK ---------------------------------------------------------------------------------------------
    def chargeback(self, change: ChangeEvent, unit: Unit) -> list[CanonicalEvent]:
        """``chargeback.filed`` for a new (or snapshot-read) chargeback; later dispute updates map to nothing."""
        if change.op not in (Op.CREATE, Op.READ):
            return []
        row = change.after
        assert row is not None
        chargeback_id = integer(row["CHGBK_ID"], "CHGBK_ID")
        order = self.order(unit, integer(row["ORD_ID"], "ORD_ID"))
        _, zone = self.state.event_zone(order.evt_id)
        network = label(row["RSN_CD"], "RSN_CD")
        data = ChargebackData(
            chargeback_id=str(chargeback_id),
            order_id=order.order_no,
            amount=minor_units(row["CHGBK_AMT"], currency(row["CURR_CD"], "CURR_CD"), "CHGBK_AMT"),
            reason=chargeback_reason(network),
            filed_at=required_venue_time(
                row["RCVD_DT"], zone, "RCVD_DT", fallback=change.source.committed_at
            ),
            fraud_reported=bool(row["FRAUD_FLG"]),
            customer_id=order.customer_id,
            network_reason_code=network,
        )
        emit = Emitter(change, self.system, {"CHGBK_ID": chargeback_id})
        return [emit.make(ChargebackFiled, chargeback_key(chargeback_id), data)]

    def order(self, unit: Unit, ord_id: int) -> OrderInfo:
        """What is known of order ``ord_id`` (its own header in the unit first), or MissingReferenceError."""
        header = unit.headers.get(ord_id)
        if header is not None and header.row is not None:
            row = header.row
            return OrderInfo(
                label(row["ORD_NO"], "ORD_NO"),
                integer(row["EVT_ID"], "EVT_ID"),
                guid(row["ACCT_ID"], "ACCT_ID"),
            )
        return self.state.order(ord_id)
