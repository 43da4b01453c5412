"""Reseller bots and their two strategies.

``burst`` (before the scenario's strategy change): a small ring of accounts with harvested presale codes buys
the ticket limit of the best seats within seconds of presale open, through the partner API, and lists every
ticket for resale within minutes at two to three times face value.

``stealth`` (after it): many new accounts, one device each, buy one or two tickets on the mobile app, minutes
to hours into the general on-sale, without presale codes, and list them a day later at a smaller markup. A
model trained on the burst pattern stops recognising them: the drift the fraud team must detect.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from simulator.operations import GrantPresale, Op
from simulator.plan import customers
from simulator.plan.sales import Cart, Resale, chargeback_at, list_at, shop
from simulator.plan.world import Account, EventState, OrderState, Strategy, World


@dataclass(frozen=True)
class Pattern:
    """How one strategy buys and resells (the ground truth describes the strategies with these)."""

    channel: str
    quantity: str
    start_after_open: tuple[timedelta, timedelta]
    checkout_after: tuple[timedelta, timedelta]
    levels: tuple[str, ...]
    resale: Resale
    list_after: tuple[timedelta, timedelta]
    p_fraud: float

    def describe(self) -> dict[str, Any]:
        """The pattern as plain JSON: durations as ``[low, high]`` seconds (``*_s`` keys)."""

        def seconds(span: tuple[timedelta, timedelta]) -> list[float]:
            return [span[0].total_seconds(), span[1].total_seconds()]

        return {
            "channel": self.channel,
            "quantity": self.quantity,
            "levels": list(self.levels),
            "start_after_open_s": seconds(self.start_after_open),
            "checkout_after_s": seconds(self.checkout_after),
            "list_after_s": seconds(self.list_after),
            "resale_markup": list(self.resale.markup),
            "resale_channel": self.resale.channel,
            "resale_sold_after_s": seconds(self.resale.sold_after),
            "p_fraud_chargeback": self.p_fraud,
        }


PATTERNS: dict[Strategy, Pattern] = {
    "burst": Pattern(
        channel="A",
        quantity="the ticket limit",
        start_after_open=(timedelta(seconds=0), timedelta(seconds=12)),
        checkout_after=(timedelta(seconds=2), timedelta(seconds=9)),
        levels=("P1", "P2"),
        resale=Resale(
            markup=(1.8, 3.0), p_sold=0.8, sold_after=(timedelta(minutes=10), timedelta(days=2)), channel="A"
        ),
        list_after=(timedelta(minutes=2), timedelta(minutes=25)),
        p_fraud=0.12,
    ),
    "stealth": Pattern(
        channel="M",
        quantity="1 or 2",
        start_after_open=(timedelta(minutes=25), timedelta(hours=8)),
        checkout_after=(timedelta(seconds=40), timedelta(minutes=4)),
        levels=("P2", "P1"),
        resale=Resale(
            markup=(1.25, 1.6), p_sold=0.7, sold_after=(timedelta(hours=1), timedelta(days=3)), channel="M"
        ),
        list_after=(timedelta(hours=6), timedelta(hours=30)),
        p_fraud=0.04,
    ),
}


class Bots:
    """The bot accounts of one plan, created when first needed."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.ring: list[Account] = []
        self.stealth: list[Account] = []

    def _account(
        self, pool: list[Account], strategy: Strategy, index: int, country: str
    ) -> tuple[Account, list[Op]]:
        if index < len(pool):
            return pool[index], []
        account, signup = customers.bot(self.world, strategy, index, country)
        pool.append(account)
        return account, [signup]

    def aftermath(self, world: World, order: OrderState, account: Account | None) -> None:
        """Resell every ticket; now and then the card turns out to be stolen."""
        assert account is not None and account.strategy is not None
        pattern = PATTERNS[account.strategy]
        list_at(world, order, account, order.seats, world.later(*pattern.list_after), pattern.resale)
        if world.rng.random() < pattern.p_fraud:
            chargeback_at(world, order, world.later(timedelta(hours=12), timedelta(days=5)), "10.4", True)

    def target(self, event: EventState) -> None:
        """Plan the bots' purchases for ``event`` by the strategy in force when its sale opens."""
        opens = event.presale_at or event.onsale_at
        if self.world.strategy(opens) == "burst":
            self._burst(event)
        else:
            self._stealth(event)

    def _burst(self, event: EventState) -> None:
        world = self.world
        config = world.scenario.bots
        assert config is not None
        pattern = PATTERNS["burst"]
        opens = event.presale_at or event.onsale_at
        for index in range(config.ring_size):

            def grant(index: int = index) -> list[Op]:
                account, signup = self._account(self.ring, "burst", index, event.venue.country)
                code = f"FAN{world.rng.randrange(10**6):06d}"
                if event.presale_at is not None:
                    signup.append(
                        GrantPresale(
                            at=world.now,
                            grant_id=world.keys.guid(),
                            account_id=account.account_id,
                            event_key=event.key,
                            presale_code=code,
                            tier_id=None,
                            max_tickets=event.limit,
                            valid_from=event.presale_at,
                            valid_to=event.onsale_at,
                        )
                    )
                cart = Cart(
                    qty=event.limit,
                    levels=pattern.levels,
                    channel=pattern.channel,
                    presale_code=code if event.presale_at is not None else None,
                    strategy="burst",
                )
                low, high = pattern.start_after_open
                when = (
                    opens + low + timedelta(seconds=world.rng.randint(0, int((high - low).total_seconds())))
                )
                world.agenda.at(
                    when,
                    lambda: shop(world, event, account, cart, pattern.checkout_after, 1.0, self.aftermath),
                )
                return signup

            world.agenda.at(world.later(timedelta(minutes=10), timedelta(hours=5)), grant)

    def _stealth(self, event: EventState) -> None:
        world = self.world
        config = world.scenario.bots
        assert config is not None
        pattern = PATTERNS["stealth"]
        for index in range(config.stealth_accounts):
            if world.rng.random() >= config.stealth_share:
                continue
            low, high = pattern.start_after_open
            when = (
                event.onsale_at
                + low
                + timedelta(seconds=world.rng.randint(0, int((high - low).total_seconds())))
            )

            def buy(index: int = index) -> list[Op]:
                account, signup = self._account(self.stealth, "stealth", index, event.venue.country)
                cart = Cart(
                    qty=world.rng.choice((1, 2)),
                    levels=pattern.levels,
                    channel=pattern.channel,
                    strategy="stealth",
                    payment="WL" if world.rng.random() < 0.3 else "CC",
                )
                return [
                    *signup,
                    *shop(world, event, account, cart, pattern.checkout_after, 0.95, self.aftermath),
                ]

            world.agenda.at(when, buy)
