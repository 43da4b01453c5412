"""Fans: presale buyers with a fan-club code, the on-sale rush and the trickle after it, walk-ups at the window,
and what fans do after buying (rarely cancel, get refunds, resell at about face value, dispute a charge)."""

from __future__ import annotations

from datetime import datetime, timedelta

from simulator.operations import GrantPresale, Op
from simulator.plan import customers
from simulator.plan.sales import Cart, Resale, cancel_at, chargeback_at, list_at, refund_at, shop, walk_up
from simulator.plan.world import Account, EventState, OrderState, World

QUANTITIES = (1, 2, 3, 4, 5, 6)
QUANTITY_WEIGHTS = (15, 45, 14, 20, 3, 3)
CHANNELS = ("W", "M", "P")
CHANNEL_WEIGHTS = (55, 35, 10)
PAYMENTS = ("CC", "WL", "GC")
PAYMENT_WEIGHTS = (85, 10, 5)
#: levels a fan tries, first choice first
LEVEL_PREFERENCES = (("P2", "P3", "P1"), ("P3", "P2"), ("P1", "P2", "P3"))
LEVEL_WEIGHTS = (50, 30, 20)

P_CHECKOUT = 0.82
P_CANCEL = 0.04
P_REFUND = 0.03
P_RESALE = 0.08
P_DISPUTE = 0.02
P_FRAUD = 0.006
FAN_RESALE = Resale(
    markup=(0.9, 1.35),
    p_sold=0.5,
    sold_after=(timedelta(hours=2), timedelta(days=4)),
    channel="W",
    ref_styles=("plain",) * 45 + ("lower", "lower", "padded"),
)
TIER_GOLD, TIER_SILVER = 1, 2


def _cart(world: World, presale_code: str | None = None) -> Cart:
    rng = world.rng
    return Cart(
        qty=rng.choices(QUANTITIES, QUANTITY_WEIGHTS)[0],
        levels=rng.choices(LEVEL_PREFERENCES, LEVEL_WEIGHTS)[0],
        channel=rng.choices(CHANNELS, CHANNEL_WEIGHTS)[0],
        presale_code=presale_code,
        payment=rng.choices(PAYMENTS, PAYMENT_WEIGHTS)[0],
        delivery="M" if rng.random() < 0.03 else "E",
    )


def aftermath(world: World, order: OrderState, account: Account | None) -> None:
    """Schedule what a fan may do after buying."""
    rng = world.rng
    roll = rng.random()
    if roll < P_CANCEL:
        cancel_at(world, order, world.later(timedelta(minutes=10), timedelta(hours=36)))
    elif roll < P_CANCEL + P_REFUND:
        refund_at(world, order, world.later(timedelta(days=1), timedelta(days=8)))
    elif roll < P_CANCEL + P_REFUND + P_RESALE and account is not None:
        seats = order.seats[: rng.randint(1, len(order.seats))]
        list_at(world, order, account, seats, world.later(timedelta(hours=6), timedelta(days=6)), FAN_RESALE)
    roll = rng.random()
    if roll < P_FRAUD:
        chargeback_at(world, order, world.later(timedelta(hours=12), timedelta(days=5)), "10.4", True)
    elif roll < P_FRAUD + P_DISPUTE:
        chargeback_at(
            world,
            order,
            world.later(timedelta(days=1), timedelta(days=7)),
            rng.choice(("13.1", "13.3")),
            False,
        )


def _session(
    world: World, event: EventState, presale_code: str | None = None, account: Account | None = None
) -> list[Op]:
    ops: list[Op] = []
    if account is None:
        account, signup = customers.fan(world, event.venue.country)
        ops.extend(signup)
    checkout = (timedelta(seconds=40), timedelta(minutes=7))
    ops.extend(shop(world, event, account, _cart(world, presale_code), checkout, P_CHECKOUT, aftermath))
    return ops


def grant_presales(world: World, event: EventState, count: int, valid_to: datetime) -> None:
    """Fan-club members receive presale codes shortly after the announcement; most use them at presale open."""
    assert event.presale_at is not None
    presale_at = event.presale_at
    for _ in range(count):

        def grant() -> list[Op]:
            account, signup = customers.fan(world, event.venue.country)
            code = f"FAN{world.rng.randrange(10**6):06d}"
            tier = world.rng.choice((TIER_GOLD, TIER_SILVER))
            op = GrantPresale(
                at=world.now,
                grant_id=world.keys.guid(),
                account_id=account.account_id,
                event_key=event.key,
                presale_code=code,
                tier_id=tier,
                max_tickets=4,
                valid_from=presale_at,
                valid_to=valid_to,
            )
            if world.rng.random() < 0.7:
                wait = timedelta(seconds=int(world.rng.expovariate(1 / 1500)))
                world.agenda.at(presale_at + wait, lambda: _session(world, event, code, account))
            return [*signup, op]

        world.agenda.at(world.later(timedelta(minutes=20), timedelta(hours=6)), grant)


def on_sale(world: World, event: EventState, sessions: int) -> None:
    """The general on-sale: a rush in the first minutes, then a trickle over the following days."""
    scenario = world.scenario
    rush_mean = scenario.rush_mean.total_seconds()
    for _ in range(sessions):
        if world.rng.random() < scenario.rush_share:
            when = event.onsale_at + timedelta(seconds=int(world.rng.expovariate(1 / rush_mean)))
        else:
            span = int(scenario.trickle.total_seconds())
            when = event.onsale_at + timedelta(seconds=world.rng.randint(0, span))
        world.agenda.at(when, lambda: _session(world, event))


def walk_ups(world: World, event: EventState, count: int) -> None:
    """Buyers at the box-office window on the first on-sale day, 11:00 to 18:00 venue-local; no account."""
    opens = event.local(11, 0, event.onsale_at)
    for _ in range(count):
        when = opens + timedelta(seconds=world.rng.randint(0, 7 * 3600))

        def buy() -> list[Op]:
            rng = world.rng
            cart = Cart(
                qty=rng.choice((1, 2, 2, 3, 4)),
                levels=rng.choice(LEVEL_PREFERENCES),
                channel="B",
                payment=rng.choice(("CA", "CA", "CC")),
                delivery="W",
            )
            return walk_up(world, event, cart)

        world.agenda.at(when, buy)
