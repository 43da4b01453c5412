"""Waves of events: announced together (event, seat map, price levels), then presale, on-sale, price changes.

Presales and on-sales open at 10:00 venue-local, so a wave's sales open at different UTC times when its venues
are in different time zones; events start at 19:30 or 20:00 venue-local.
"""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from zoneinfo import ZoneInfo

from simulator.catalogue import ARENA, ARTISTS, LEVEL_NAMES, THEATRE, TOURS, VENUES
from simulator.operations import (
    ChangePrice,
    CreateEvent,
    EnsureVenue,
    Op,
    OpenSale,
    PriceLevel,
    SeatRef,
    SetPriceLevel,
    Venue,
)
from simulator.plan import fans
from simulator.plan.bots import Bots
from simulator.plan.world import EventState, World, local_time, scaled

#: face value of each level in minor units, before the event's own factor
BASE_PRICES = {"P1": 14900, "P2": 8900, "P3": 5450}
FEE_SHARE = 0.12
P_HOT = 0.5


def _create(world: World, key: str, venue: Venue, hot: bool) -> CreateEvent:
    rng = world.rng
    tz = ZoneInfo(venue.tz)
    scenario = world.scenario
    now = world.now
    artist = rng.choice(ARTISTS)
    starts = local_time(
        tz,
        20,
        rng.choice((0, 0, 30)) if rng.random() < 0.5 else 0,
        now + timedelta(days=rng.randint(30, 120)),
    )
    presale = (
        local_time(tz, 10, 0, now + scenario.presale_lead) if scenario.presale_lead is not None else None
    )
    onsale = (
        local_time(tz, 10, 0, presale + scenario.onsale_lead - timedelta(hours=1))
        if presale
        else now + scenario.onsale_lead
    )
    sections = ARENA if venue.capacity >= 10000 else THEATRE
    factor = rng.uniform(0.8, 1.6) * (1.25 if hot else 1.0)
    levels = tuple(
        PriceLevel(
            code=code,
            name=LEVEL_NAMES[code],
            sections=tuple(s.code for s in sections if s.level == code),
            amount=scaled(base, factor),
            fee=scaled(base, factor * FEE_SHARE, 25),
        )
        for code, base in BASE_PRICES.items()
    )
    first = sections[0]
    killed = (SeatRef(first.code, "A", "1"), SeatRef(first.code, "A", "2")) if rng.random() < 0.5 else ()
    return CreateEvent(
        at=now,
        event_key=key,
        venue_code=venue.code,
        name=f"{artist} - {rng.choice(TOURS)}",
        artist=artist,
        type_code="C",
        starts_at=starts,
        doors_at=starts - timedelta(minutes=90),
        presale_at=presale,
        onsale_at=onsale,
        offsale_at=starts - timedelta(hours=2),
        ticket_limit=rng.choice((4, 6)) if hot else 8,
        hold_minutes=rng.choice((8, 10)),
        currency=venue.currency,
        levels=levels,
        sections=sections,
        killed=killed,
    )


def _change_price(world: World, event: EventState) -> None:
    rng = world.rng
    code, factor = ("P1", rng.uniform(1.15, 1.35)) if event.hot else ("P3", rng.uniform(0.8, 0.9))

    def change() -> list[Op]:
        old = event.prices[code]
        new = scaled(old, factor)
        event.prices[code] = new
        return [
            ChangePrice(
                at=world.now,
                event_key=event.key,
                level_code=code,
                old_amount=old,
                new_amount=new,
                currency=event.currency,
                unsold=len(event.free.get(code, [])),
            )
        ]

    world.agenda.at(event.onsale_at + timedelta(seconds=rng.randint(20 * 60, 3 * 3600)), change)


def _open(world: World, event_key: str) -> list[Op]:
    return [OpenSale(at=world.now, event_key=event_key)]


def wave(world: World, bots: Bots | None, number: int) -> list[Op]:
    """Announce wave ``number``: its events, seat maps and price levels now; schedule its sales and the next wave."""
    scenario = world.scenario
    rng = world.rng
    ops: list[Op] = []
    for index, venue in enumerate(rng.sample(VENUES, scenario.events_per_wave)):
        if venue.code not in world.venues:
            world.venues.add(venue.code)
            ops.append(EnsureVenue(at=world.now, venue=venue))
        hot = rng.random() < P_HOT
        created = _create(world, f"W{number:03d}E{index}", venue, hot)
        event = EventState.from_op(created, venue, hot)
        world.events[event.key] = event
        ops.append(created)
        ops.extend(
            SetPriceLevel(at=world.now, event_key=event.key, level=level, currency=event.currency)
            for level in created.levels
        )
        opens = event.presale_at or event.onsale_at
        world.agenda.at(opens, partial(_open, world, event.key))
        demand = 1.5 if hot else 1.0
        if event.presale_at is not None:
            fans.grant_presales(world, event, int(rng.randint(*scenario.grants) * demand), event.onsale_at)
        fans.on_sale(world, event, int(rng.randint(*scenario.sessions) * demand))
        fans.walk_ups(world, event, rng.randint(*scenario.walk_ups))
        if bots is not None and (hot or rng.random() < 0.5):
            bots.target(event)
        if scenario.price_changes:
            _change_price(world, event)
    world.agenda.at(world.now + scenario.wave_interval, lambda: wave(world, bots, number + 1))
    return ops
