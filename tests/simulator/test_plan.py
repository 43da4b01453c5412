"""The plan alone (no database): deterministic from the seed, consistent business, bots that change strategy."""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import timedelta
from zoneinfo import ZoneInfo

import msgspec
import pytest

from simulator.keys import NORMAL_TAG, normalise
from simulator.operations import (
    CancelOrder,
    CreateEvent,
    ExpireHold,
    ListResale,
    Op,
    PlaceHold,
    PlaceOrder,
    RefundOrder,
    SellResale,
    kind,
)
from simulator.plan import Plan
from simulator.scenarios import SCENARIOS

N = 3000


def _ops(scenario: str, seed: int, tag: str, n: int = N) -> list[Op]:
    return list(itertools.islice(Plan(SCENARIOS[scenario], seed, tag), n))


def _lines(ops: list[Op], tag: str) -> list[str]:
    return [normalise(msgspec.json.encode(op).decode(), tag) for op in ops]


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_same_seed_same_operations_whatever_the_run_tag(scenario: str) -> None:
    first = _ops(scenario, 41, "AAAA0001")
    second = _ops(scenario, 41, "BBBB0002")
    assert _lines(first, "AAAA0001") == _lines(second, "BBBB0002")
    assert any(NORMAL_TAG in line for line in _lines(first, "AAAA0001"))
    assert _lines(first, "AAAA0001") != _lines(_ops(scenario, 42, "AAAA0001"), "AAAA0001")


def test_a_shorter_run_is_a_prefix_of_a_longer_one() -> None:
    assert (
        _lines(_ops("onsale", 5, "ABCDEF01", 700), "ABCDEF01")
        == _lines(_ops("onsale", 5, "ABCDEF01"), "ABCDEF01")[:700]
    )


def test_business_time_never_goes_back() -> None:
    ops = _ops("onsale", 3, "ABCDEF01")
    assert all(a.at <= b.at for a, b in itertools.pairwise(ops))
    assert ops[-1].at - ops[0].at > timedelta(days=2)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_seats_are_never_sold_twice_and_ticket_limits_hold(seed: int) -> None:
    ops = _ops("onsale", seed, "ABCDEF01")
    limits = {op.event_key: op.ticket_limit for op in ops if isinstance(op, CreateEvent)}
    status: dict[tuple[str, object], str] = {}
    bought: Counter[tuple[str, str | None]] = Counter()
    for op in ops:
        if isinstance(op, PlaceHold):
            for seat in op.seats:
                assert status.get((op.event_key, seat), "A") == "A"
                status[(op.event_key, seat)] = "H"
        elif isinstance(op, ExpireHold):
            for seat in op.seats:
                assert status[(op.event_key, seat)] == "H"
                status[(op.event_key, seat)] = "A"
        elif isinstance(op, PlaceOrder):
            for line in op.lines:
                assert status.get((op.event_key, line.seat), "A") == ("H" if op.hold_token else "A")
                status[(op.event_key, line.seat)] = "S"
            assert op.total == op.subtotal + op.fee + op.tax
            assert op.subtotal == sum(line.price - line.discount for line in op.lines)
            if op.account_id is not None:
                bought[(op.event_key, op.account_id)] += len(op.lines)
                assert bought[(op.event_key, op.account_id)] <= limits[op.event_key]
        elif isinstance(op, CancelOrder | RefundOrder):
            for seat in op.seats:
                assert status[(op.event_key, seat)] == "S"
                status[(op.event_key, seat)] = "A"


def test_sales_open_at_ten_in_the_venue_zone_across_zones() -> None:
    events = [op for op in _ops("onsale", 9, "ABCDEF01") if isinstance(op, CreateEvent)]
    zones = set()
    for event in events:
        venue_tz = {"NYCHUD": "America/New_York", "CHILAK": "America/Chicago", "PHXMES": "America/Phoenix",
                    "LAXPAC": "America/Los_Angeles", "MTLLAC": "America/Toronto", "LDNROY": "Europe/London",
                    "BERSPR": "Europe/Berlin", "SYDHAR": "Australia/Sydney"}[event.venue_code]  # fmt: skip
        zones.add(venue_tz)
        assert event.presale_at is not None
        for opens in (event.presale_at, event.onsale_at):
            local = opens.astimezone(ZoneInfo(venue_tz))
            assert (local.hour, local.minute) == (10, 0)
        assert event.presale_at < event.onsale_at < event.offsale_at < event.starts_at
    assert len(zones) >= 4


def test_every_kind_of_operation_happens_in_an_onsale() -> None:
    kinds = Counter(kind(op) for op in _ops("onsale", 11, "ABCDEF01", 6000))
    expected = {"EnsureVenue", "CreateCustomer", "GrantPresale", "CreateEvent", "SetPriceLevel", "OpenSale",
                "PlaceHold", "ExpireHold", "PlaceOrder", "CancelOrder", "RefundOrder", "ChangePrice", "ListResale",
                "SellResale", "FileChargeback"}  # fmt: skip
    assert set(kinds) == expected
    assert kinds["PlaceOrder"] > 10 * kinds["CancelOrder"]


def test_steady_has_no_presale_and_no_bots() -> None:
    plan = Plan(SCENARIOS["steady"], 4, "ABCDEF01")
    ops = list(itertools.islice(plan, 1500))
    assert all(op.presale_at is None for op in ops if isinstance(op, CreateEvent))
    assert not any(a.kind == "bot" for a in plan.world.accounts.values())
    assert not any(isinstance(op, PlaceOrder) and op.presale_code for op in ops)


def test_bots_switch_from_burst_to_stealth_at_the_change() -> None:
    """The plan's own model: burst orders at presale open at the limit, stealth ones later, smaller, on mobile."""
    plan = Plan(SCENARIOS["onsale"], 7, "ABCDEF01")
    ops = list(itertools.islice(plan, 4000))
    change = plan.world.strategy_change_at
    assert change is not None
    events = {op.event_key: op for op in ops if isinstance(op, CreateEvent)}
    listings: dict[str, list[ListResale]] = {}
    for op in ops:
        if isinstance(op, ListResale):
            listings.setdefault(op.origin_order_no, []).append(op)
    strategies: Counter[str] = Counter()
    for op in ops:
        if not isinstance(op, PlaceOrder) or op.account_id is None:
            continue
        account = plan.world.accounts[op.account_id]
        if account.kind != "bot":
            continue
        event = events[op.event_key]
        assert account.strategy is not None
        strategies[account.strategy] += 1
        if account.strategy == "burst":
            assert event.presale_at is not None and event.presale_at < change
            assert len(op.lines) == event.ticket_limit and op.channel == "A" and op.presale_code
            assert op.at - event.presale_at < timedelta(seconds=30)
        else:
            assert (event.presale_at or event.onsale_at) >= change
            assert len(op.lines) <= 2 < event.ticket_limit and op.channel == "M" and op.presale_code is None
            assert op.at - event.onsale_at >= timedelta(minutes=25)
    assert strategies["burst"] >= 10 and strategies["stealth"] >= 10
    assert any(isinstance(op, SellResale) for op in ops)
