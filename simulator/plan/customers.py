"""Customers: fans (one device, one card, ordinary e-mail) and reseller bots (shared devices, prepaid cards,
throw-away e-mail in the burst strategy; one device each and ordinary e-mail in the stealth strategy)."""

from __future__ import annotations

from simulator.catalogue import (
    BURNER_DOMAINS,
    CARD_BINS,
    FAMILY_NAMES,
    FAN_DOMAINS,
    GIVEN_NAMES,
    LANGUAGES,
    PREPAID_BINS,
)
from simulator.keys import sha256_hex
from simulator.operations import CreateCustomer
from simulator.plan.world import Account, Strategy, World

#: a fan who already has an account comes back with this probability (else a new customer signs up)
RETURNING_FAN = 0.5
#: the burst ring shares this many devices and one address block
RING_DEVICES = 2


def _customer(world: World, account: Account, burner: bool) -> CreateCustomer:
    rng = world.rng
    given, family = rng.choice(GIVEN_NAMES), rng.choice(FAMILY_NAMES)
    domain = rng.choice(BURNER_DOMAINS if burner else FAN_DOMAINS)
    local = f"{given}.{family}".lower().replace("'", "") if not burner else f"u{rng.getrandbits(40):010x}"
    local = local.encode("ascii", "ignore").decode() or "fan"
    phone = None if burner or rng.random() < 0.3 else f"+1{rng.randrange(2002000000, 9899999999)}"
    return CreateCustomer(
        at=world.now,
        account_id=account.account_id,
        email=world.keys.email(f"{local}{rng.randrange(1000)}", domain),
        given_name=given,
        family_name=family,
        phone=phone,
        country=account.country,
        postal_code=None if burner else f"{rng.randrange(10000, 99999)}",
        lang=rng.choice(LANGUAGES.get(account.country, ("en-US",))),
        verified=not burner and rng.random() < 0.8,
        marketing=not burner and rng.random() < 0.4,
    )


def fan(world: World, country: str) -> tuple[Account, list[CreateCustomer]]:
    """A fan for a purchase: often a returning one, else a new sign-up (with its CreateCustomer operation)."""
    rng = world.rng
    if world.fans and rng.random() < RETURNING_FAN:
        return world.accounts[rng.choice(world.fans)], []
    account_id = world.keys.guid()
    account = Account(
        account_id=account_id,
        kind="fan",
        strategy=None,
        created_at=world.now,
        country=country,
        device_hash=sha256_hex("device", world.seed, rng.getrandbits(64)),
        ip_hash=sha256_hex("ip", world.seed, rng.getrandbits(32)),
        card_bin=rng.choice(CARD_BINS),
        card_last4=f"{rng.randrange(10000):04d}",
    )
    world.accounts[account_id] = account
    world.fans.append(account_id)
    return account, [_customer(world, account, burner=False)]


def bot(world: World, strategy: Strategy, ring_index: int, country: str) -> tuple[Account, CreateCustomer]:
    """A new bot account. Burst accounts share :data:`RING_DEVICES` devices and one /24; stealth ones do not."""
    rng = world.rng
    account_id = world.keys.guid()
    if strategy == "burst":
        device = sha256_hex("ring-device", world.seed, ring_index % RING_DEVICES)
        ip = sha256_hex("ring-ip", world.seed, ring_index)
        card_bin = rng.choice(PREPAID_BINS)
    else:
        device = sha256_hex("device", world.seed, rng.getrandbits(64))
        ip = sha256_hex("mobile-ip", world.seed, rng.getrandbits(32))
        card_bin = rng.choice(CARD_BINS + PREPAID_BINS)
    account = Account(
        account_id=account_id,
        kind="bot",
        strategy=strategy,
        created_at=world.now,
        country=country,
        device_hash=device,
        ip_hash=ip,
        card_bin=card_bin,
        card_last4=f"{rng.randrange(10000):04d}",
    )
    world.accounts[account_id] = account
    return account, _customer(world, account, burner=strategy == "burst")
