"""One realistic example of every canonical event type, built from the real structs.

The consumer documentation (`docs/canonical-events.md`) shows these, rendered by
:mod:`pipelines.canonical.docgen`; a test decodes every example in the document, so the documentation cannot
drift from the contract.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from pipelines.canonical import keys
from pipelines.canonical.commerce import CancellationData, OrderData, OrderLine, RefundData
from pipelines.canonical.crm import ChargebackData, CustomerData, PresaleGrantData
from pipelines.canonical.enums import (
    CancellationReason,
    ChargebackReason,
    CustomerStatus,
    DelistReason,
    EventCategory,
    EventStatus,
    EventType,
    HoldKind,
    HoldStatus,
    PackageItemKind,
    PaymentMethod,
    RefundReason,
    SalesChannel,
    SeatStatus,
)
from pipelines.canonical.events import (
    EVENT_CLASSES,
    ChargebackFiled,
    CustomerChanged,
    Envelope,
    EventChanged,
    HoldPlaced,
    HoldReleased,
    OrderCancelled,
    OrderPlaced,
    OrderRefunded,
    PackageChanged,
    PresaleGranted,
    PriceChanged,
    ResaleDelisted,
    ResaleListed,
    ResaleSold,
    SeatChanged,
    VenueChanged,
)
from pipelines.canonical.identity import derive_event_id
from pipelines.canonical.inventory import (
    EventData,
    HoldData,
    PackageData,
    PackageItem,
    PriceLevelData,
    SeatData,
    SeatRef,
    VenueData,
)
from pipelines.canonical.money import Money
from pipelines.canonical.resale import ResaleDelistingData, ResaleListingData, ResaleSaleData
from pipelines.canonical.source import BinlogPosition, Connector, PostgresPosition, Source, SqlServerPosition

_CUSTOMER = "3f2504e0-4f89-11d3-9a0c-0305e82c3301"
_BUYER = "9b2e7c1a-52d4-4c1e-8f7a-2f1d6c0b9e44"
_ORDER = "B7K2M9Q4T1X8"
_HOLD = "c41f0e2a-9d8b-4a51-b7e3-5f2a9c6d1e08"
_SEAT = SeatRef(section="A", row="12", seat="7")
_HASH = "5e0b2c1d3f4a59687a8b9c0d1e2f30415263748596a7b8c9d0e1f2031425364f"


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _box_office(table: str, pos: int, row: int = 0) -> Source:
    return Source(
        system="box_office",
        connector=Connector.MARIADB,
        database="boxoffice",
        table=table,
        position=BinlogPosition(file="mariadb-bin.000042", pos=pos, row=row, gtid="0-1-88231", server_id=1),
        tx_id="0-1-88231",
    )


def _pricing(schema: str, table: str, lsn: int) -> Source:
    return Source(
        system="pricing",
        connector=Connector.POSTGRESQL,
        database="pricing",
        schema=schema,
        table=table,
        position=PostgresPosition(lsn=lsn),
        tx_id="771",
    )


def _crm(table: str, change_lsn: str) -> Source:
    return Source(
        system="crm",
        connector=Connector.SQLSERVER,
        database="crm",
        schema="dbo",
        table=table,
        position=SqlServerPosition(
            commit_lsn="00000027:00000758:0005", change_lsn=change_lsn, event_serial_no=2
        ),
        tx_id="00000027:00000758:0005",
    )


def _event(
    cls: type[Envelope], key: str, at: str, source: Source, pk: Mapping[str, str | int], **kw: object
) -> Envelope:
    event_type = EventType(str(cls.__struct_config__.tag))
    return cls(
        id=derive_event_id(event_type, source, pk),
        key=key,
        occurred_at=_at(at),
        source=source,
        **kw,  # type: ignore[arg-type]
    )


def build_examples() -> dict[EventType, Envelope]:
    """One example event per event type, in :class:`EventType` order."""
    eur = "EUR"
    seat_row = _box_office("SEAT_INV", 91233, row=2)
    return _ordered(
        _event(
            SeatChanged,
            keys.seat_key("BO-1042", "A", "12", "7"),
            "2026-03-14T18:02:11.250000",
            seat_row,
            {"SEAT_ID": 880417},
            data=SeatData(
                event_id="BO-1042",
                seat=_SEAT,
                status=SeatStatus.SOLD,
                price_level="P1",
                face_value=Money(amount=8900, currency=eur),
                order_id=_ORDER,
            ),
        ),
        _event(
            EventChanged,
            keys.event_key("BO-1042"),
            "2026-02-01T09:00:00",
            _box_office("EVT_MASTER", 4521),
            {"EVT_ID": 1042},
            data=EventData(
                event_id="BO-1042",
                name="The Nutcracker",
                venue_id="17",
                starts_at=_at("2026-12-20T18:30:00"),
                timezone="Europe/Vienna",
                status=EventStatus.ON_SALE,
                category=EventCategory.THEATRE,
                doors_open_at=_at("2026-12-20T17:30:00"),
                presale_at=_at("2026-03-12T09:00:00"),
                on_sale_at=_at("2026-03-14T09:00:00"),
                ticket_limit=8,
                currency=eur,
            ),
        ),
        _event(
            VenueChanged,
            keys.venue_key("17"),
            "2025-11-02T10:15:00",
            _box_office("VENUE", 1200),
            {"VEN_ID": 17},
            data=VenueData(
                venue_id="17",
                code="WSTHAL",
                name="Wiener Stadthalle",
                timezone="Europe/Vienna",
                city="Wien",
                country="AT",
                capacity=16152,
            ),
        ),
        _event(
            PriceChanged,
            keys.price_level_key("88"),
            "2026-03-01T12:00:00.5",
            _pricing("pricing", "price_level", 24023128),
            {"price_level_id": 88},
            data=PriceLevelData(
                price_level_id="88",
                event_id="BO-1042",
                level_code="P1",
                name="Category 1",
                face_value=Money(amount=8900, currency=eur),
                fee=Money(amount=450, currency=eur),
                sections=("A", "B"),
                valid_from=_at("2026-03-14T08:00:00"),
            ),
        ),
        _event(
            PackageChanged,
            keys.package_key("0b7c6f1e-8a52-4d0c-9f3e-2d6a1b5c7e90"),
            "2026-03-02T08:30:00",
            _pricing("pricing", "package", 24023990),
            {"package_id": "0b7c6f1e-8a52-4d0c-9f3e-2d6a1b5c7e90"},
            data=PackageData(
                package_id="0b7c6f1e-8a52-4d0c-9f3e-2d6a1b5c7e90",
                code="NUT-VIP",
                name="Nutcracker VIP",
                event_ids=("BO-1042",),
                price=Money(amount=24900, currency=eur),
                items=(
                    PackageItem(kind=PackageItemKind.TICKET, description="Category 1 seat", quantity=2),
                    PackageItem(kind=PackageItemKind.HOSPITALITY, description="Champagne bar"),
                    PackageItem(kind=PackageItemKind.PARKING, description="Garage P2"),
                ),
                max_per_customer=2,
                on_sale_at=_at("2026-03-14T08:00:00"),
            ),
        ),
        _event(
            HoldPlaced,
            keys.hold_key(_HOLD),
            "2026-03-14T18:00:02",
            _box_office("SEAT_INV", 91010),
            {"SEAT_ID": 880417},
            data=HoldData(
                hold_id=_HOLD,
                event_id="BO-1042",
                seats=(_SEAT,),
                kind=HoldKind.CART,
                status=HoldStatus.PLACED,
                expires_at=_at("2026-03-14T18:10:02"),
                customer_id=_CUSTOMER,
            ),
        ),
        _event(
            HoldReleased,
            keys.hold_key(_HOLD),
            "2026-03-14T18:02:11.25",
            seat_row,
            {"SEAT_ID": 880417},
            data=HoldData(
                hold_id=_HOLD,
                event_id="BO-1042",
                seats=(_SEAT,),
                kind=HoldKind.CART,
                status=HoldStatus.CONVERTED,
                customer_id=_CUSTOMER,
                order_id=_ORDER,
            ),
        ),
        _event(
            OrderPlaced,
            keys.order_key(_ORDER),
            "2026-03-14T18:02:11.25",
            _box_office("ORD_HDR", 91233),
            {"ORD_ID": 555001},
            data=OrderData(
                order_id=_ORDER,
                event_id="BO-1042",
                channel=SalesChannel.WEB,
                placed_at=_at("2026-03-14T18:02:11.25"),
                lines=(
                    OrderLine(
                        line_no=1,
                        seat=_SEAT,
                        price=Money(amount=8900, currency=eur),
                        price_level="P1",
                    ),
                ),
                total=Money(amount=9350, currency=eur),
                fee=Money(amount=450, currency=eur),
                tax=Money(amount=0, currency=eur),
                customer_id=_CUSTOMER,
                payment_method=PaymentMethod.CARD,
                client_ip_hash=_HASH,
                device_hash=_HASH.replace("5e0b", "77aa"),
            ),
        ),
        _event(
            OrderCancelled,
            keys.order_key(_ORDER),
            "2026-03-20T07:45:00",
            _box_office("ORD_HDR", 99120),
            {"ORD_ID": 555001},
            data=CancellationData(
                order_id=_ORDER,
                event_id="BO-1042",
                cancelled_at=_at("2026-03-20T07:45:00"),
                reason=CancellationReason.CUSTOMER_REQUEST,
                seats=(_SEAT,),
            ),
        ),
        _event(
            OrderRefunded,
            keys.order_key(_ORDER),
            "2026-03-20T07:46:30",
            _box_office("ORD_HDR", 99410),
            {"ORD_ID": 555001},
            data=RefundData(
                refund_id=f"{_ORDER}-R1",
                order_id=_ORDER,
                event_id="BO-1042",
                amount=Money(amount=8900, currency=eur),
                reason=RefundReason.CUSTOMER_REQUEST,
                refunded_at=_at("2026-03-20T07:46:30"),
                line_nos=(1,),
            ),
        ),
        _event(
            ResaleListed,
            keys.listing_key("5d2c9a10-3b7e-4f61-8c0d-9e4a2b7f1c35"),
            "2026-04-02T20:11:00",
            _pricing("resale", "listing", 25100000),
            {"listing_id": "5d2c9a10-3b7e-4f61-8c0d-9e4a2b7f1c35"},
            data=ResaleListingData(
                listing_id="5d2c9a10-3b7e-4f61-8c0d-9e4a2b7f1c35",
                event_id="BO-1042",
                seat=_SEAT,
                seller_customer_id=_CUSTOMER,
                ask_price=Money(amount=12000, currency=eur),
                listed_at=_at("2026-04-02T20:11:00"),
                face_value=Money(amount=8900, currency=eur),
                original_order_id=_ORDER,
            ),
        ),
        _event(
            ResaleSold,
            keys.listing_key("5d2c9a10-3b7e-4f61-8c0d-9e4a2b7f1c35"),
            "2026-04-03T08:00:05",
            _pricing("resale", "sale", 25100480),
            {"sale_id": "e8a1f3c2-6b4d-4e09-a7f5-1c3b9d2e8f60"},
            data=ResaleSaleData(
                sale_id="e8a1f3c2-6b4d-4e09-a7f5-1c3b9d2e8f60",
                listing_id="5d2c9a10-3b7e-4f61-8c0d-9e4a2b7f1c35",
                event_id="BO-1042",
                seat=_SEAT,
                seller_customer_id=_CUSTOMER,
                buyer_customer_id=_BUYER,
                sale_price=Money(amount=12000, currency=eur),
                sold_at=_at("2026-04-03T08:00:05"),
                buyer_fee=Money(amount=1200, currency=eur),
                seller_payout=Money(amount=10800, currency=eur),
            ),
        ),
        _event(
            ResaleDelisted,
            keys.listing_key("a93e5b27-0c4f-4d18-b6a2-7e1d3f9c5b84"),
            "2026-04-05T10:00:00",
            _pricing("resale", "listing", 25200000),
            {"listing_id": "a93e5b27-0c4f-4d18-b6a2-7e1d3f9c5b84"},
            data=ResaleDelistingData(
                listing_id="a93e5b27-0c4f-4d18-b6a2-7e1d3f9c5b84",
                event_id="BO-1042",
                seat=SeatRef(section="B", row="3", seat="14"),
                reason=DelistReason.SELLER_WITHDREW,
                delisted_at=_at("2026-04-05T10:00:00"),
            ),
        ),
        _event(
            ChargebackFiled,
            keys.chargeback_key("6c1d8e4f-2a9b-4c73-8e05-b4f7a2d9c316"),
            "2026-05-11T13:20:00",
            _crm("Chargeback", "00000027:00000758:0003"),
            {"ChargebackId": "6c1d8e4f-2a9b-4c73-8e05-b4f7a2d9c316"},
            data=ChargebackData(
                chargeback_id="6c1d8e4f-2a9b-4c73-8e05-b4f7a2d9c316",
                order_id=_ORDER,
                amount=Money(amount=9350, currency=eur),
                reason=ChargebackReason.FRAUD,
                filed_at=_at("2026-05-11T13:20:00"),
                fraud_reported=True,
                customer_id=_CUSTOMER,
                network_reason_code="10.4",
            ),
        ),
        _event(
            CustomerChanged,
            keys.customer_key(_CUSTOMER),
            "2026-01-05T16:42:09.1234",
            _crm("Customer", "00000027:00000758:0004"),
            {"CustomerId": _CUSTOMER},
            data=CustomerData(
                customer_id=_CUSTOMER,
                status=CustomerStatus.ACTIVE,
                verified=True,
                email_hash=_HASH,
                country="AT",
                preferred_language="de-AT",
                marketing_opt_in=True,
                created_at=_at("2019-06-30T08:00:00"),
            ),
        ),
        _event(
            PresaleGranted,
            keys.presale_grant_key("1f4e7a2b-8c3d-4e5f-9a0b-6c7d8e9f0a1b"),
            "2026-03-10T09:00:00",
            _crm("PresaleGrant", "00000027:00000758:0005"),
            {"GrantId": "1f4e7a2b-8c3d-4e5f-9a0b-6c7d8e9f0a1b"},
            data=PresaleGrantData(
                grant_id="1f4e7a2b-8c3d-4e5f-9a0b-6c7d8e9f0a1b",
                customer_id=_CUSTOMER,
                event_id="BO-1042",
                max_tickets=4,
                valid_from=_at("2026-03-12T09:00:00"),
                valid_until=_at("2026-03-13T21:00:00"),
                fan_club_tier="GOLD",
                presale_code_hash=_HASH.replace("5e0b", "c0de"),
            ),
        ),
    )


def _ordered(*examples: Envelope) -> dict[EventType, Envelope]:
    by_type = {event.type: event for event in examples}
    return {event_type: by_type[event_type] for event_type in EVENT_CLASSES}
