"""How a sale unfolds, whoever buys: a cart hold, then an order or an expired hold; later perhaps a
cancellation, a refund, a resale listing and its sale, a chargeback.

Follow-ups are scheduled on the agenda and re-check the model when they come due (an order cancelled in the
meantime is not refunded; a listed ticket is not cancelled).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from simulator.catalogue import FAMILY_NAMES, GIVEN_NAMES
from simulator.keys import barcode
from simulator.operations import (
    CancelOrder,
    ExpireHold,
    FileChargeback,
    ListResale,
    Op,
    OrderLine,
    PlaceHold,
    PlaceOrder,
    RefStyle,
    RefundOrder,
    SeatRef,
    SellResale,
)
from simulator.plan import customers
from simulator.plan.world import Account, EventState, ListingState, OrderState, Strategy, World, scaled, tax

#: schedules what happens after an order (cancellation, resale, chargeback...)
Aftermath = Callable[[World, OrderState, Account | None], None]

#: the resale marketplace's fees: buyer pays on top, seller's payout is reduced
BUYER_FEE = 0.10
SELLER_FEE = 0.08


@dataclass(frozen=True)
class Cart:
    """What a shopper wants: how many seats, which levels in order of preference, how they pay."""

    qty: int
    levels: Sequence[str]
    channel: str
    presale_code: str | None = None
    strategy: Strategy | None = None
    payment: str = "CC"
    delivery: str = "E"


def shop(
    world: World,
    event: EventState,
    account: Account,
    cart: Cart,
    checkout_after: tuple[timedelta, timedelta],
    p_checkout: float,
    aftermath: Aftermath,
) -> list[Op]:
    """A cart hold now; the order (with probability ``p_checkout``) or the sweeper's release later."""
    qty = min(cart.qty, event.allowance(account.account_id))
    seats = None
    for level in cart.levels if qty > 0 else ():
        seats = event.take(level, qty)
        if seats:
            break
    if not seats:
        return []
    event.bought[account.account_id] += qty
    token = world.keys.guid()
    expires = world.now + timedelta(minutes=event.hold_minutes)
    if world.rng.random() < p_checkout:
        when = min(world.later(*checkout_after), expires - timedelta(seconds=5))
        world.agenda.at(when, lambda: checkout(world, event, account, cart, seats, token, aftermath))
    else:

        def expire() -> list[Op]:
            event.release(seats)
            event.bought[account.account_id] -= qty
            return [ExpireHold(at=world.now, event_key=event.key, hold_token=token, seats=seats)]

        world.agenda.at(expires + timedelta(seconds=world.rng.randint(5, 90)), expire)
    hold = PlaceHold(
        at=world.now,
        event_key=event.key,
        hold_token=token,
        account_id=account.account_id,
        seats=seats,
        expires_at=expires,
    )
    return [hold]


def _order(
    world: World,
    event: EventState,
    account: Account | None,
    cart: Cart,
    seats: tuple[SeatRef, ...],
    token: str | None,
) -> tuple[PlaceOrder, OrderState]:
    rng = world.rng
    order_no = world.next_order_no()
    lines = tuple(
        OrderLine(seat, event.level_of[seat], event.prices[event.level_of[seat]], 0, barcode(rng))
        for seat in seats
    )
    subtotal = sum(line.price - line.discount for line in lines)
    fee = sum(event.fees[line.level] for line in lines)
    tax_amount = tax(subtotal, event.venue.tax_rate)
    card = cart.payment == "CC" and account is not None
    op = PlaceOrder(
        at=world.now,
        order_no=order_no,
        event_key=event.key,
        account_id=account.account_id if account else None,
        channel=cart.channel,
        hold_token=token,
        lines=lines,
        subtotal=subtotal,
        fee=fee,
        tax=tax_amount,
        total=subtotal + fee + tax_amount,
        currency=event.currency,
        payment=cart.payment,
        card_bin=account.card_bin if card and account else None,
        card_last4=account.card_last4 if card and account else None,
        ip_hash=account.ip_hash if account and cart.channel in "WMA" else None,
        device_hash=account.device_hash if account and cart.channel in "WMA" else None,
        presale_code=cart.presale_code,
        delivery=cart.delivery,
        buyer_name=None if account else f"{rng.choice(GIVEN_NAMES)} {rng.choice(FAMILY_NAMES)}",
    )
    state = OrderState(
        order_no=order_no,
        event_key=event.key,
        account_id=op.account_id,
        channel=cart.channel,
        seats=seats,
        prices={line.seat: line.price for line in lines},
        total=op.total,
        currency=event.currency,
        placed_at=world.now,
        strategy=cart.strategy,
    )
    world.orders[order_no] = state
    return op, state


def checkout(
    world: World,
    event: EventState,
    account: Account,
    cart: Cart,
    seats: tuple[SeatRef, ...],
    token: str,
    aftermath: Aftermath,
) -> list[Op]:
    """The held seats are bought."""
    op, order = _order(world, event, account, cart, seats, token)
    aftermath(world, order, account)
    return [op]


def walk_up(world: World, event: EventState, cart: Cart) -> list[Op]:
    """A sale at the box-office window: no account, no hold, a name taken at the counter."""
    for level in cart.levels:
        seats = event.take(level, cart.qty)
        if seats:
            op, _ = _order(world, event, None, cart, seats, None)
            return [op]
    return []


def _end(world: World, order: OrderState, status: str) -> tuple[SeatRef, ...] | None:
    if order.status != "placed" or order.listed:
        return None
    event = world.events[order.event_key]
    event.release(order.seats)
    if order.account_id is not None:
        event.bought[order.account_id] -= len(order.seats)
    order.status = "cancelled" if status == "C" else "refunded"
    return order.seats


def cancel_at(world: World, order: OrderState, when: datetime) -> None:
    """The buyer cancels at ``when`` (unless the order was refunded, or a ticket listed, by then)."""

    def cancel() -> list[Op]:
        seats = _end(world, order, "C")
        return (
            [CancelOrder(at=world.now, order_no=order.order_no, event_key=order.event_key, seats=seats)]
            if seats
            else []
        )

    world.agenda.at(when, cancel)


def refund_at(world: World, order: OrderState, when: datetime) -> None:
    """The order is refunded in full at ``when`` (unless it was cancelled, or a ticket listed, by then)."""

    def refund() -> list[Op]:
        seats = _end(world, order, "R")
        if not seats:
            return []
        return [
            RefundOrder(
                at=world.now,
                order_no=order.order_no,
                event_key=order.event_key,
                seats=seats,
                amount=order.total,
            )
        ]

    world.agenda.at(when, refund)


@dataclass(frozen=True)
class Resale:
    """How a seller lists: price over face, how likely and how soon a listing sells, where the seller is."""

    markup: tuple[float, float]
    p_sold: float
    sold_after: tuple[timedelta, timedelta]
    channel: str
    ref_styles: tuple[RefStyle, ...] = ("plain",)


def list_at(
    world: World, order: OrderState, seller: Account, seats: Sequence[SeatRef], when: datetime, how: Resale
) -> None:
    """List ``seats`` of ``order`` for resale at ``when`` (if the order still stands); each may sell later."""

    def list_seats() -> list[Op]:
        if order.status != "placed":
            return []
        event = world.events[order.event_key]
        ops: list[Op] = []
        for seat in seats:
            listing = ListingState(
                listing_id=world.keys.guid(),
                order_no=order.order_no,
                seat=seat,
                ask=scaled(order.prices[seat], world.rng.uniform(*how.markup)),
                currency=order.currency,
                expires_at=event.starts_at - timedelta(hours=2),
            )
            order.listed.add(seat)
            world.listings[listing.listing_id] = listing
            ops.append(
                ListResale(
                    at=world.now,
                    listing_id=listing.listing_id,
                    event_key=order.event_key,
                    seat=seat,
                    seller_id=seller.account_id,
                    origin_order_no=order.order_no,
                    ask=listing.ask,
                    face=order.prices[seat],
                    currency=order.currency,
                    expires_at=listing.expires_at,
                    channel=how.channel,
                    ip_hash=seller.ip_hash,
                    device_hash=seller.device_hash,
                    ref_style=world.rng.choice(how.ref_styles),
                )
            )
            if world.rng.random() < how.p_sold:
                sold = world.later(*how.sold_after)
                if sold < listing.expires_at:
                    world.agenda.at(sold, partial(sell, world, listing, event.venue.country))
        return ops

    world.agenda.at(when, list_seats)


def sell(world: World, listing: ListingState, country: str) -> list[Op]:
    """A fan buys the listed ticket (signing up first if new)."""
    buyer, signup = customers.fan(world, country)
    listing.status = "sold"
    buyer_fee = scaled(listing.ask, BUYER_FEE, 1)
    payout = listing.ask - scaled(listing.ask, SELLER_FEE, 1)
    sale = SellResale(
        at=world.now,
        sale_id=world.keys.guid(),
        listing_id=listing.listing_id,
        buyer_id=buyer.account_id,
        amount=listing.ask,
        buyer_fee=buyer_fee,
        payout=payout,
        currency=listing.currency,
    )
    return [*signup, sale]


def chargeback_at(world: World, order: OrderState, when: datetime, reason: str, fraud: bool) -> None:
    """A card dispute for the whole order arrives at ``when`` (unless the order was cancelled or refunded)."""

    def file() -> list[Op]:
        if order.status != "placed":
            return []
        note = "issuer reports card not present fraud" if fraud else "cardholder says tickets not received"
        return [
            FileChargeback(
                at=world.now,
                chargeback_id=world.keys.guid(),
                order_no=order.order_no,
                event_key=order.event_key,
                account_id=order.account_id,
                reason=reason,
                amount=order.total,
                currency=order.currency,
                fraud=fraud,
                note=note,
            )
        ]

    world.agenda.at(when, file)
