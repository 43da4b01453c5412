"""The box office's one-letter codes and what they mean (the legend the DDL comments give).

The adapter maps them to canonical enums; the simulator writes them. A code not listed here can still appear
in old rows: the adapter must treat it as unknown, not crash.
"""

from __future__ import annotations

from enum import StrEnum


class SeatStatus(StrEnum):
    """``SEAT_INV.SEAT_STAT_CD``."""

    AVAILABLE = "A"
    HELD = "H"
    SOLD = "S"
    KILLED = "K"  # blocked: camera platform, sight-line, production
    COMP = "C"  # complimentary ticket issued
    RESERVED = "R"  # set aside for a presale


class EventType(StrEnum):
    """``EVT_MASTER.EVT_TYP_CD``."""

    CONCERT = "C"
    SPORT = "S"
    THEATRE = "T"
    FAMILY = "F"
    OTHER = "O"


class EventStatus(StrEnum):
    """``EVT_MASTER.EVT_STAT_CD``."""

    DRAFT = "D"
    ON_SALE = "O"
    POSTPONED = "P"
    CANCELLED = "X"
    FINISHED = "F"


class OrderStatus(StrEnum):
    """``ORD_HDR.ORD_STAT_CD``."""

    PLACED = "P"
    FULFILLED = "F"
    CANCELLED = "C"
    REFUNDED = "R"
    VOIDED = "V"  # voided as fraud


class LineStatus(StrEnum):
    """``ORD_LN.LN_STAT_CD``."""

    ACTIVE = "A"
    CANCELLED = "C"
    REFUNDED = "R"
    EXCHANGED = "X"


class Channel(StrEnum):
    """``ORD_HDR.CHNL_CD``."""

    WEB = "W"
    MOBILE = "M"
    BOX_OFFICE = "B"
    PHONE = "P"
    API = "A"  # partner API


class PaymentMethod(StrEnum):
    """``ORD_HDR.PAY_MTHD_CD``."""

    CARD = "CC"
    CASH = "CA"
    GIFT_CARD = "GC"
    WALLET = "WL"


class Delivery(StrEnum):
    """``ORD_HDR.DLVRY_CD``."""

    E_TICKET = "E"
    MAIL = "M"
    WILL_CALL = "W"


class DisputeStatus(StrEnum):
    """``ORD_CHGBK.DISP_STAT_CD``."""

    OPEN = "O"
    WON = "W"
    LOST = "L"
    ACCEPTED = "A"
