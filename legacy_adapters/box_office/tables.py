"""The box-office tables as the adapter reads them, and the legends from legacy codes to canonical enums.

The legends are built from :mod:`legacy_adapters.box_office.codes` (the DDL's own legend), so a code the
simulator writes and one the adapter reads cannot drift apart. A code outside a legend (old rows have them,
e.g. seat status ``'Z'``) is an :class:`~pipelines.mapping.UnknownCodeError`, never a default.
"""

from __future__ import annotations

from typing import Final

from legacy_adapters.box_office import codes
from legacy_adapters.mapping.tables import FLAG, INT, TEXT, UINT64, WALL_TIME, TableSpec
from pipelines.canonical import EventCategory, EventStatus, PaymentMethod, SalesChannel, SeatStatus

VENUE: Final = TableSpec(
    "VENUE",
    key=("VEN_ID",),
    columns={
        "VEN_ID": INT,
        "VEN_CD": TEXT,
        "VEN_NM": TEXT,
        "CITY_NM": TEXT,
        "CNTRY_CD": TEXT,
        "TZ_NM": TEXT,
        "CAP_QTY": INT,
        "ACTV_FLG": TEXT,
    },
)
EVT_MASTER: Final = TableSpec(
    "EVT_MASTER",
    key=("EVT_ID",),
    columns={
        "EVT_ID": INT,
        "VEN_ID": INT,
        "EVT_NM": TEXT,
        "ARTIST_NM": TEXT,
        "EVT_TYP_CD": TEXT,
        "EVT_STAT_CD": TEXT,
        "EVT_DT": WALL_TIME,
        "DOORS_DT": WALL_TIME,
        "PRESALE_DT": WALL_TIME,
        "ONSALE_DT": WALL_TIME,
        "OFFSALE_DT": WALL_TIME,
        "TKT_LMT": INT,
        "CURR_CD": TEXT,
    },
)
SEAT_INV: Final = TableSpec(
    "SEAT_INV",
    key=("SEAT_ID",),
    columns={
        "SEAT_ID": UINT64,
        "EVT_ID": INT,
        "SECT_CD": TEXT,
        "ROW_CD": TEXT,
        "SEAT_NO": TEXT,
        "PRC_LVL_CD": TEXT,
        "FACE_AMT": INT,
        "SEAT_STAT_CD": TEXT,
        "ADA_FLG": FLAG,
        "HOLD_TOKEN": TEXT,
        "HOLD_ACCT_ID": TEXT,
        "HOLD_EXP_DT": WALL_TIME,
        "ORD_ID": UINT64,
    },
)
ORD_HDR: Final = TableSpec(
    "ORD_HDR",
    key=("ORD_ID",),
    columns={
        "ORD_ID": UINT64,
        "ORD_NO": TEXT,
        "EVT_ID": INT,
        "ACCT_ID": TEXT,
        "CHNL_CD": TEXT,
        "ORD_STAT_CD": TEXT,
        "ORD_DT": WALL_TIME,
        "FEE_AMT": INT,
        "TAX_AMT": INT,
        "TOT_AMT": INT,
        "CURR_CD": TEXT,
        "PAY_MTHD_CD": TEXT,
        "CLNT_IP_HASH": TEXT,
        "DEVICE_HASH": TEXT,
        "PRESALE_CD": TEXT,
        "CANC_DT": WALL_TIME,
    },
)
ORD_LN: Final = TableSpec(
    "ORD_LN",
    key=("ORD_ID", "LN_NO"),
    columns={
        "ORD_ID": UINT64,
        "LN_NO": INT,
        "SEAT_ID": UINT64,
        "PRC_LVL_CD": TEXT,
        "LN_PRC_AMT": INT,
        "DISC_AMT": INT,
        "LN_STAT_CD": TEXT,
    },
)
ORD_CHGBK: Final = TableSpec(
    "ORD_CHGBK",
    key=("CHGBK_ID",),
    columns={
        "CHGBK_ID": UINT64,
        "ORD_ID": UINT64,
        "RSN_CD": TEXT,
        "CHGBK_AMT": INT,
        "CURR_CD": TEXT,
        "FRAUD_FLG": FLAG,
        "RCVD_DT": WALL_TIME,
    },
)
SPECS: Final = (VENUE, EVT_MASTER, SEAT_INV, ORD_HDR, ORD_LN, ORD_CHGBK)

SEAT_STATUS: Final[dict[str, SeatStatus]] = {
    codes.SeatStatus.AVAILABLE: SeatStatus.AVAILABLE,
    codes.SeatStatus.HELD: SeatStatus.HELD,
    codes.SeatStatus.SOLD: SeatStatus.SOLD,
    codes.SeatStatus.KILLED: SeatStatus.KILLED,
    codes.SeatStatus.COMP: SeatStatus.COMP,
    codes.SeatStatus.RESERVED: SeatStatus.RESERVED,
}
EVENT_STATUS: Final[dict[str, EventStatus]] = {
    codes.EventStatus.DRAFT: EventStatus.DRAFT,
    codes.EventStatus.ON_SALE: EventStatus.ON_SALE,
    codes.EventStatus.POSTPONED: EventStatus.POSTPONED,
    codes.EventStatus.CANCELLED: EventStatus.CANCELLED,
    codes.EventStatus.FINISHED: EventStatus.COMPLETED,
}
EVENT_CATEGORY: Final[dict[str, EventCategory]] = {
    codes.EventType.CONCERT: EventCategory.CONCERT,
    codes.EventType.SPORT: EventCategory.SPORT,
    codes.EventType.THEATRE: EventCategory.THEATRE,
    codes.EventType.FAMILY: EventCategory.FAMILY,
    codes.EventType.OTHER: EventCategory.OTHER,
}
CHANNEL: Final[dict[str, SalesChannel]] = {
    codes.Channel.WEB: SalesChannel.WEB,
    codes.Channel.MOBILE: SalesChannel.MOBILE,
    codes.Channel.BOX_OFFICE: SalesChannel.BOX_OFFICE,
    codes.Channel.PHONE: SalesChannel.PHONE,
    codes.Channel.API: SalesChannel.PARTNER,
}
PAYMENT: Final[dict[str, PaymentMethod]] = {
    codes.PaymentMethod.CARD: PaymentMethod.CARD,
    codes.PaymentMethod.CASH: PaymentMethod.CASH,
    codes.PaymentMethod.GIFT_CARD: PaymentMethod.GIFT_CARD,
    codes.PaymentMethod.WALLET: PaymentMethod.WALLET,
}
ACTIVE_FLAG: Final[dict[str, bool]] = {"Y": True, "N": False}
