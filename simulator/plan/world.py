"""The plan's model of the business: accounts, events with their free seats, orders and resale listings.

The plan decides every operation from this model alone, never from the databases, so the same seed always gives
the same operations. The writers keep the databases in step with it.
"""

from __future__ import annotations

import heapq
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal
from zoneinfo import ZoneInfo

from simulator.catalogue import seat_map
from simulator.keys import RunKeys
from simulator.operations import CreateEvent, SeatRef, Venue
from simulator.plan.agenda import Agenda
from simulator.scenarios import Scenario

AccountKind = Literal["fan", "bot"]
Strategy = Literal["burst", "stealth"]
OrderStatus = Literal["placed", "cancelled", "refunded"]

#: business time starts on a seed-chosen day of this year, so runs cross daylight-saving changes
EPOCH = datetime(2026, 1, 5, 15, 0, tzinfo=UTC)


@dataclass
class Account:
    """A CRM customer as the plan knows it; ``kind`` and ``strategy`` are ground truth, never written."""

    account_id: str
    kind: AccountKind
    strategy: Strategy | None
    created_at: datetime
    country: str
    device_hash: str
    ip_hash: str
    card_bin: str
    card_last4: str


@dataclass
class EventState:
    """An event and its seat inventory: free seats per price level (smallest seat first), prices, sales."""

    key: str
    venue: Venue
    tz: ZoneInfo
    starts_at: datetime
    presale_at: datetime | None
    onsale_at: datetime
    limit: int
    hold_minutes: int
    currency: str
    hot: bool
    prices: dict[str, int]
    fees: dict[str, int]
    level_of: dict[SeatRef, str] = field(default_factory=dict)
    free: dict[str, list[SeatRef]] = field(default_factory=dict)
    bought: Counter[str] = field(default_factory=Counter)

    @classmethod
    def from_op(cls, op: CreateEvent, venue: Venue, hot: bool) -> EventState:
        event = cls(
            key=op.event_key,
            venue=venue,
            tz=ZoneInfo(venue.tz),
            starts_at=op.starts_at,
            presale_at=op.presale_at,
            onsale_at=op.onsale_at,
            limit=op.ticket_limit,
            hold_minutes=op.hold_minutes,
            currency=op.currency,
            hot=hot,
            prices={level.code: level.amount for level in op.levels},
            fees={level.code: level.fee for level in op.levels},
        )
        killed = set(op.killed)
        for seat, level in seat_map(op.sections):
            event.level_of[seat] = level
            if seat not in killed:
                event.free.setdefault(level, []).append(seat)
        for seats in event.free.values():
            heapq.heapify(seats)
        return event

    def take(self, level: str, count: int) -> tuple[SeatRef, ...] | None:
        """The ``count`` lowest free seats of ``level`` (now taken), or None when fewer are free."""
        seats = self.free.get(level, [])
        if len(seats) < count:
            return None
        return tuple(heapq.heappop(seats) for _ in range(count))

    def release(self, seats: tuple[SeatRef, ...]) -> None:
        """Seats become free again (hold expired, order cancelled or refunded)."""
        for seat in seats:
            heapq.heappush(self.free[self.level_of[seat]], seat)

    def allowance(self, account_id: str | None) -> int:
        """Tickets the account may still buy for this event (the ticket limit applies per account)."""
        return self.limit if account_id is None else max(0, self.limit - self.bought[account_id])

    def local(self, hour: int, minute: int, after: datetime) -> datetime:
        """The first ``hour:minute`` venue-local time at or after ``after``, in UTC."""
        return local_time(self.tz, hour, minute, after)


@dataclass
class OrderState:
    """An order as placed, and what happened to it since."""

    order_no: str
    event_key: str
    account_id: str | None
    channel: str
    seats: tuple[SeatRef, ...]
    prices: dict[SeatRef, int]
    total: int
    currency: str
    placed_at: datetime
    strategy: Strategy | None
    status: OrderStatus = "placed"
    listed: set[SeatRef] = field(default_factory=set)


@dataclass
class ListingState:
    """A resale listing."""

    listing_id: str
    order_no: str
    seat: SeatRef
    ask: int
    currency: str
    expires_at: datetime
    status: Literal["active", "sold"] = "active"


class World:
    """Everything a plan knows: the clock, the random stream, keys, and the business state."""

    def __init__(self, scenario: Scenario, seed: int, tag: str) -> None:
        self.scenario = scenario
        self.seed = seed
        self.rng = random.Random(f"plan:{scenario.name}:{seed}")
        self.keys = RunKeys(tag, random.Random(f"keys:{scenario.name}:{seed}"))
        self.start = EPOCH + timedelta(
            days=self.rng.randrange(365), minutes=self.rng.randrange(0, 24 * 60, 5)
        )
        self.agenda = Agenda(self.start)
        self.accounts: dict[str, Account] = {}
        self.fans: list[str] = []
        self.events: dict[str, EventState] = {}
        self.orders: dict[str, OrderState] = {}
        self.listings: dict[str, ListingState] = {}
        self.venues: set[str] = set()
        self._orders = 0
        self.strategy_change_at: datetime | None = (
            self.start + scenario.bots.change_after if scenario.bots is not None else None
        )

    @property
    def now(self) -> datetime:
        return self.agenda.now

    def later(self, low: timedelta, high: timedelta) -> datetime:
        """A uniformly drawn time between ``now + low`` and ``now + high`` (whole seconds)."""
        span = int((high - low).total_seconds())
        return self.now + low + timedelta(seconds=self.rng.randint(0, max(0, span)))

    def next_order_no(self) -> str:
        self._orders += 1
        return self.keys.order_no(self._orders)

    def strategy(self, when: datetime) -> Strategy:
        """The bots' strategy for a sale that opens at ``when``."""
        change = self.strategy_change_at
        return "stealth" if change is not None and when >= change else "burst"


def local_time(tz: ZoneInfo, hour: int, minute: int, after: datetime) -> datetime:
    """The first ``hour:minute`` wall-clock time in ``tz`` at or after ``after``, in UTC."""
    local = after.astimezone(tz)
    candidate = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if candidate < local:
        candidate += timedelta(days=1)
    return candidate.astimezone(UTC)


def tax(subtotal: int, rate: str) -> int:
    """Sales tax in minor units, rounded half up, as the box office computes it."""
    return int((Decimal(subtotal) * Decimal(rate)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def scaled(amount: int, factor: float, step: int = 50) -> int:
    """``amount`` times ``factor``, rounded to ``step`` minor units (prices end in .00 or .50)."""
    return max(step, round(amount * factor / step) * step)
