"""Seeded runs against the live databases: what the databases hold matches the run's own ledger exactly, a second
run with the same seed (in the same databases) writes the same ledger, and the bots in the ground truth behave as
the scenario says."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import orjson
import psycopg
import pymysql
import pytest

from simulator import ledger
from simulator.ledger import Entry
from simulator.operations import CreateEvent, ListResale, PlaceOrder, SetPriceLevel
from tests.simulator.conftest import Databases, simulate_ok
from tests.simulator.replay import replay

pytestmark = pytest.mark.stack

SEED = 90210
N = 3000


@dataclass(frozen=True)
class Run:
    out: Path
    summary: dict[str, Any]
    entries: list[Entry]
    truth: dict[str, Any]

    @property
    def tag(self) -> str:
        return str(self.summary["run_tag"])

    @property
    def evt_ids(self) -> dict[int, str]:
        return {e["evt_id"]: key for key, e in self.truth["events"].items()}


def _run(db: Databases, out: Path, scenario: str, seed: int, n: int) -> Run:
    return _run_args(db, out, "--scenario", scenario, "--seed", str(seed), "-n", str(n))


def _run_args(db: Databases, out: Path, *args: str) -> Run:
    summary = simulate_ok(out, *db.args(), *args)
    entries = ledger.read(out / "ledger.jsonl")
    truth = orjson.loads((out / "ground_truth.json").read_bytes())
    return Run(out, summary, entries, truth)


@pytest.fixture(scope="module")
def onsale(scratch: Databases, tmp_path_factory: pytest.TempPathFactory) -> Run:
    return _run(scratch, tmp_path_factory.mktemp("onsale") / "run", "onsale", SEED, N)


@pytest.fixture(scope="module")
def maria(scratch: Databases) -> Iterator[pymysql.Connection[Any]]:
    settings = scratch.settings
    conn = pymysql.connect(
        host=settings.host,
        port=settings.mariadb_port,
        user="root",
        password=settings.secrets.mariadb_root_password.get_secret_value(),
        database=scratch.box_office,
        charset="utf8mb4",
        autocommit=True,
    )
    yield conn
    conn.close()


@pytest.fixture(scope="module")
def pg(scratch: Databases) -> Iterator[psycopg.Connection[Any]]:
    settings = scratch.settings
    conn = psycopg.connect(
        host=settings.host,
        port=settings.postgres_port,
        dbname=scratch.pricing,
        user="postgres",
        password=settings.secrets.postgres_password.get_secret_value(),
        autocommit=True,
    )
    yield conn
    conn.close()


def _rows(conn: pymysql.Connection[Any], sql: str, *args: object) -> list[tuple[Any, ...]]:
    with conn.cursor() as cur:
        cur.execute(sql, args)
        return list(cur.fetchall())


def _in(values: object) -> str:
    return ", ".join(str(int(v)) for v in values)  # type: ignore[attr-defined]


def test_the_run_did_what_it_was_asked(onsale: Run) -> None:
    summary = onsale.summary
    assert summary["transactions"] == N == len(onsale.entries)
    assert [e.seq for e in onsale.entries] == list(range(1, N + 1))
    assert sum(summary["by_kind"].values()) == N
    assert summary["stopped_by"] == "transactions"
    assert summary["ledger_only"] == sum(1 for e in onsale.entries if not e.systems)
    assert onsale.truth["run_tag"] == onsale.tag and onsale.truth["transactions"] == N
    assert {"PlaceOrder", "CancelOrder", "ExpireHold", "ChangePrice", "SellResale", "FileChargeback"} <= set(
        summary["by_kind"]
    )


def test_box_office_rows_match_the_ledger(onsale: Run, maria: pymysql.Connection[Any]) -> None:
    expected = replay(onsale.entries)
    evt = onsale.evt_ids
    ids = _in(evt)
    events = {
        evt[i]: status
        for i, status in _rows(maria, f"SELECT EVT_ID, EVT_STAT_CD FROM EVT_MASTER WHERE EVT_ID IN ({ids})")
    }
    assert events == expected.events
    seats = {
        (evt[e], sect, row, seat): (status, face, order_no)
        for e, sect, row, seat, status, face, order_no in _rows(
            maria,
            "SELECT s.EVT_ID, s.SECT_CD, s.ROW_CD, s.SEAT_NO, s.SEAT_STAT_CD, s.FACE_AMT, h.ORD_NO FROM SEAT_INV s "
            f"LEFT JOIN ORD_HDR h ON h.ORD_ID = s.ORD_ID WHERE s.EVT_ID IN ({ids})",
        )
    }
    assert seats == expected.seats
    tag = f"{onsale.tag}%"
    orders = {
        r[0]: {
            "status": r[1],
            "total": r[2],
            "subtotal": r[3],
            "fee": r[4],
            "tax": r[5],
            "qty": r[6],
            "channel": r[7],
            "account": r[8],
            "currency": r[9],
        }
        for r in _rows(
            maria,
            "SELECT ORD_NO, ORD_STAT_CD, TOT_AMT, SUBTOT_AMT, FEE_AMT, TAX_AMT, TKT_QTY, CHNL_CD, ACCT_ID, CURR_CD "
            "FROM ORD_HDR WHERE ORD_NO LIKE %s",
            tag,
        )
    }
    assert orders == expected.orders
    lines = {
        (order_no, number): (status, price)
        for order_no, number, status, price in _rows(
            maria,
            "SELECT h.ORD_NO, l.LN_NO, l.LN_STAT_CD, l.LN_PRC_AMT FROM ORD_LN l JOIN ORD_HDR h ON h.ORD_ID = l.ORD_ID "
            "WHERE h.ORD_NO LIKE %s",
            tag,
        )
    }
    assert lines == expected.lines
    chargebacks = _rows(
        maria,
        "SELECT h.ORD_NO, c.RSN_CD, c.CHGBK_AMT, c.FRAUD_FLG FROM ORD_CHGBK c JOIN ORD_HDR h ON h.ORD_ID = c.ORD_ID "
        "WHERE h.ORD_NO LIKE %s",
        tag,
    )
    assert sorted((o, r, a, bool(f)) for o, r, a, f in chargebacks) == sorted(expected.chargebacks)


def test_order_totals_match_the_ground_truth(onsale: Run, maria: pymysql.Connection[Any]) -> None:
    by_currency = onsale.truth["totals"]["by_currency"]
    rows = _rows(
        maria,
        "SELECT CURR_CD, COUNT(*), SUM(TKT_QTY), SUM(TOT_AMT) FROM ORD_HDR WHERE ORD_NO LIKE %s GROUP BY CURR_CD",
        f"{onsale.tag}%",
    )
    assert {cur: (n, int(tickets), int(total)) for cur, n, tickets, total in rows} == {
        cur: (t["orders"], t["tickets"], t["total"]) for cur, t in by_currency.items()
    }
    assert sum(t["orders"] for t in by_currency.values()) == onsale.summary["by_kind"]["PlaceOrder"]


def test_pricing_rows_match_the_ledger(onsale: Run, pg: psycopg.Connection[Any]) -> None:
    expected = replay(onsale.entries)
    refs = {f"BO-{evt_id}": key for evt_id, key in onsale.evt_ids.items()}
    levels = pg.execute(
        "SELECT event_ref, level_code, amount FROM pricing.price_level WHERE event_ref = ANY(%s)",
        [list(refs)],
    ).fetchall()
    assert {(refs[ref], code): int(amount * 100) for ref, code, amount in levels} == expected.levels
    listings = pg.execute(
        "SELECT listing_id::text, status, ask_amount FROM resale.listing WHERE origin_order_no LIKE %s",
        [f"{onsale.tag}%"],
    ).fetchall()
    assert {i: (status, int(ask * 100)) for i, status, ask in listings} == expected.listings
    sales = pg.execute(
        "SELECT s.sale_id::text, s.listing_id::text, s.sale_amount, s.buyer_fee_amount, s.seller_payout_amount "
        "FROM resale.sale s JOIN resale.listing l USING (listing_id) WHERE l.origin_order_no LIKE %s",
        [f"{onsale.tag}%"],
    ).fetchall()
    cents = {i: (listing, int(a * 100), int(f * 100), int(p * 100)) for i, listing, a, f, p in sales}
    assert cents == expected.sales


def test_times_are_venue_local_in_the_box_office_and_zoned_in_pricing(
    onsale: Run, maria: pymysql.Connection[Any], pg: psycopg.Connection[Any]
) -> None:
    zones = {key: ZoneInfo(e["tz"]) for key, e in onsale.truth["events"].items()}
    placed = {
        op.order_no: op.at.astimezone(zones[op.event_key]).replace(tzinfo=None)
        for op in (e.op for e in onsale.entries)
        if isinstance(op, PlaceOrder)
    }
    stored = dict(_rows(maria, "SELECT ORD_NO, ORD_DT FROM ORD_HDR WHERE ORD_NO LIKE %s", f"{onsale.tag}%"))
    assert stored == placed
    assert len({z.key for z in zones.values()}) >= 3
    created = {e.op.event_key: e.op for e in onsale.entries if isinstance(e.op, CreateEvent)}
    rows = _rows(
        maria, f"SELECT EVT_ID, PRESALE_DT, ONSALE_DT FROM EVT_MASTER WHERE EVT_ID IN ({_in(onsale.evt_ids)})"
    )
    for evt_id, presale, onsale_dt in rows:
        op = created[onsale.evt_ids[evt_id]]
        assert (presale.hour, presale.minute, onsale_dt.hour, onsale_dt.minute) == (10, 0, 10, 0)
        assert onsale_dt == op.onsale_at.astimezone(zones[op.event_key]).replace(tzinfo=None)
    first = next(e.op for e in onsale.entries if isinstance(e.op, SetPriceLevel))
    ref = f"BO-{onsale.truth['events'][first.event_key]['evt_id']}"
    (valid_from,) = pg.execute(
        "SELECT valid_from FROM pricing.price_level WHERE event_ref = %s AND level_code = %s",
        [ref, first.level.code],
    ).fetchone() or (None,)
    assert valid_from == first.at


def test_same_seed_writes_the_same_ledger(onsale: Run, scratch: Databases, tmp_path: Path) -> None:
    again = _run(scratch, tmp_path / "again", "onsale", SEED, N)
    assert again.tag != onsale.tag
    first = ledger.normalised(onsale.out / "ledger.jsonl", onsale.tag)
    second = ledger.normalised(again.out / "ledger.jsonl", again.tag)
    assert len(first) == N and first == second
    # venues are shared reference data: the second run finds them and inserts none; all else is the same
    assert again.summary["rows"].pop("VENUE") == 0
    assert again.summary["rows"] == {k: v for k, v in onsale.summary["rows"].items() if k != "VENUE"}


def _listings(run: Run) -> dict[str, list[ListResale]]:
    found: dict[str, list[ListResale]] = {}
    for entry in run.entries:
        if isinstance(entry.op, ListResale):
            found.setdefault(entry.op.origin_order_no, []).append(entry.op)
    return found


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_bots_buy_at_presale_open_at_the_limit_and_resell_fast_until_the_change(onsale: Run) -> None:
    bots = onsale.truth["bots"]
    change = _at(bots["strategy_change"]["at"])
    ring = {a["account_id"] for a in bots["accounts"] if a["strategy"] == "burst"}
    stealth = {a["account_id"] for a in bots["accounts"] if a["strategy"] == "stealth"}
    assert ring and stealth and not ring & stealth
    events = {e.op.event_key: e.op for e in onsale.entries if isinstance(e.op, CreateEvent)}
    listings = _listings(onsale)
    burst = [o for o in onsale.truth["orders"] if o["account_id"] in ring]
    assert len(burst) >= 10
    for order in burst:
        event = events[order["event_key"]]
        assert event.presale_at is not None and event.presale_at < change
        assert order["tickets"] == event.ticket_limit
        assert order["channel"] == "A" and order["presale_code"]
        assert timedelta(0) <= _at(order["placed_at"]) - event.presale_at < timedelta(seconds=30)
        listed = listings.get(order["order_no"], [])
        assert len(listed) == order["tickets"]  # every ticket goes to resale
        for listing in listed:
            assert listing.at - _at(order["placed_at"]) <= timedelta(minutes=26)
            assert listing.ask >= 1.75 * listing.face


def test_after_the_change_bots_spread_out_buy_less_later_on_mobile_and_resell_slower(onsale: Run) -> None:
    bots = onsale.truth["bots"]
    change = _at(bots["strategy_change"]["at"])
    ring = {a["account_id"] for a in bots["accounts"] if a["strategy"] == "burst"}
    stealth = {a["account_id"] for a in bots["accounts"] if a["strategy"] == "stealth"}
    events = {e.op.event_key: e.op for e in onsale.entries if isinstance(e.op, CreateEvent)}
    listings = _listings(onsale)
    orders = [o for o in onsale.truth["orders"] if o["account_id"] in stealth]
    assert len(orders) >= 10
    assert len({o["account_id"] for o in orders}) > len(ring)
    assert bots["strategy_change"]["first_stealth_order_seq"] == min(o["seq"] for o in orders)
    for order in orders:
        event = events[order["event_key"]]
        assert (event.presale_at or event.onsale_at) >= change
        assert order["tickets"] <= 2 < event.ticket_limit
        assert order["channel"] == "M" and order["presale_code"] is None
        assert _at(order["placed_at"]) - event.onsale_at >= timedelta(minutes=25)
        for listing in listings.get(order["order_no"], []):
            assert listing.at - _at(order["placed_at"]) >= timedelta(hours=6)
            assert listing.ask <= Decimal("1.65") * listing.face
    assert any(o["order_no"] in listings for o in orders)
    assert not any(
        o["account_id"] in ring
        for o in onsale.truth["orders"]
        if _at(o["placed_at"]) >= change + timedelta(days=1)
    )


def test_a_quiet_day_has_no_bots(scratch: Databases, tmp_path: Path) -> None:
    run = _run(scratch, tmp_path / "steady", "steady", SEED + 1, 400)
    assert run.truth["bots"]["accounts"] == [] and run.truth["bots"]["strategy_change"] is None
    assert run.summary["by_kind"]["PlaceOrder"] > 50
    assert all(o["presale_code"] is None for o in run.truth["orders"])


def test_rate_and_duration_bound_a_run(scratch: Databases, tmp_path: Path) -> None:
    run = _run_args(
        scratch,
        tmp_path / "paced",
        "--scenario",
        "steady",
        "--seed",
        str(SEED + 2),
        "--rate",
        "40",
        "--duration",
        "2",
    )
    summary = run.summary
    assert summary["stopped_by"] == "duration"
    assert 1.9 <= summary["elapsed_s"] <= 3.0
    assert 40 <= summary["transactions"] <= 2 * 40 + 5  # the rate, plus the bucket's initial burst
    assert len(run.entries) == summary["transactions"]
