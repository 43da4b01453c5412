"""The scenarios: the parameters that shape a plan (volumes, timing, whether scalper bots take part).

A scenario runs for ever in business time (a new wave of events every ``wave_interval``); the run is bounded by
``--transactions`` or ``--duration``, else by the scenario's ``default_transactions``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from simulator.exceptions import UnknownScenarioError


@dataclass(frozen=True)
class BotConfig:
    """Scalper bots: a ring of accounts that buys at presale open at the ticket limit and resells fast, until
    ``change_after`` (from the start of business time), when they spread over ``stealth_accounts`` new accounts,
    buy smaller orders later in the general on-sale on another channel, and resell slower and cheaper."""

    ring_size: int
    stealth_accounts: int
    change_after: timedelta
    #: share of stealth accounts that buy for one event
    stealth_share: float = 0.6


@dataclass(frozen=True)
class Scenario:
    """Parameters of one scenario."""

    name: str
    description: str
    events_per_wave: int
    wave_interval: timedelta
    #: announcement to presale (opening at 10:00 venue-local on the day after this lead); None: no presale
    presale_lead: timedelta | None
    #: announcement to general on-sale when there is no presale, else presale to on-sale
    onsale_lead: timedelta
    #: presale grants per event (fans; the bots get their own)
    grants: tuple[int, int]
    #: fan shopping sessions per event in the general on-sale
    sessions: tuple[int, int]
    #: share of sessions in the first minutes of the on-sale (the rush); the rest trickle in over ``trickle``
    rush_share: float
    rush_mean: timedelta
    trickle: timedelta
    walk_ups: tuple[int, int]
    #: price changes during the sale (dynamic pricing of hot events, discounts of slow ones)
    price_changes: bool
    bots: BotConfig | None
    default_transactions: int


SCENARIOS: dict[str, Scenario] = {
    s.name: s
    for s in (
        Scenario(
            name="onsale",
            description="on-sale season: presales for fan-club grant holders, on-sale rushes, price changes, "
            "resale, chargebacks, and scalper bots that change strategy",
            events_per_wave=2,
            wave_interval=timedelta(hours=8),
            presale_lead=timedelta(hours=12),
            onsale_lead=timedelta(days=1),
            grants=(4, 10),
            sessions=(25, 60),
            rush_share=0.7,
            rush_mean=timedelta(minutes=9),
            trickle=timedelta(days=3),
            walk_ups=(1, 4),
            price_changes=True,
            bots=BotConfig(ring_size=8, stealth_accounts=24, change_after=timedelta(hours=36)),
            default_transactions=5000,
        ),
        Scenario(
            name="steady",
            description="a quiet day: a few events already on sale, a trickle of orders, holds, cancellations "
            "and resale, no bots",
            events_per_wave=2,
            wave_interval=timedelta(days=1),
            presale_lead=None,
            onsale_lead=timedelta(minutes=10),
            grants=(0, 0),
            sessions=(30, 60),
            rush_share=0.0,
            rush_mean=timedelta(minutes=30),
            trickle=timedelta(hours=23),
            walk_ups=(2, 6),
            price_changes=False,
            bots=None,
            default_transactions=250,  # about one business day
        ),
    )
}


def get_scenario(name: str) -> Scenario:
    """The scenario called ``name``; :class:`UnknownScenarioError` lists the known ones otherwise."""
    try:
        return SCENARIOS[name]
    except KeyError:
        raise UnknownScenarioError(name, list(SCENARIOS)) from None
