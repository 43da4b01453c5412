"""Ground truth of a run: which accounts are bots, when their strategy changed, every order with its totals.

Recorded as operations execute and written to ``ground_truth.json`` beside the ledger, never into a legacy
database: it is what the fraud models are scored against.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from simulator.operations import (
    CancelOrder,
    CreateCustomer,
    CreateEvent,
    FileChargeback,
    ListResale,
    Op,
    PlaceOrder,
    RefundOrder,
)
from simulator.plan.bots import PATTERNS
from simulator.plan.world import World
from simulator.writers.base import Ids

TRUTH_FILE = "ground_truth.json"


def _iso(when: datetime | None) -> str | None:
    return when.astimezone(UTC).isoformat().replace("+00:00", "Z") if when else None


@dataclass
class TruthRecorder:
    """Collects the facts of executed operations; :meth:`document` joins them with the plan's model."""

    world: World
    orders: dict[str, dict[str, Any]] = field(default_factory=dict)
    customers: dict[str, int] = field(default_factory=dict)
    events: dict[str, CreateEvent] = field(default_factory=dict)
    chargebacks: list[dict[str, Any]] = field(default_factory=list)
    first_at: datetime | None = None
    last_at: datetime | None = None

    def record(self, seq: int, op: Op) -> None:
        """Note what ``op`` (just executed as number ``seq``) means for the ground truth."""
        self.first_at = self.first_at or op.at
        self.last_at = op.at
        if isinstance(op, PlaceOrder):
            account = self.world.accounts.get(op.account_id) if op.account_id else None
            self.orders[op.order_no] = {
                "order_no": op.order_no, "seq": seq, "placed_at": _iso(op.at), "event_key": op.event_key,
                "account_id": op.account_id, "bot": bool(account and account.kind == "bot"),
                "strategy": account.strategy if account else None, "channel": op.channel, "tickets": len(op.lines),
                "subtotal": op.subtotal, "fee": op.fee, "tax": op.tax, "total": op.total, "currency": op.currency,
                "presale_code": op.presale_code, "status": "placed", "listed_for_resale": [],
            }  # fmt: skip
        elif isinstance(op, CancelOrder | RefundOrder):
            self.orders[op.order_no]["status"] = "cancelled" if isinstance(op, CancelOrder) else "refunded"
        elif isinstance(op, ListResale):
            self.orders[op.origin_order_no]["listed_for_resale"].append(
                {"seat": op.seat.text(), "at": _iso(op.at), "ask": op.ask}
            )
        elif isinstance(op, FileChargeback):
            self.chargebacks.append(
                {
                    "order_no": op.order_no,
                    "at": _iso(op.at),
                    "reason": op.reason,
                    "fraud": op.fraud,
                    "amount": op.amount,
                }
            )
        elif isinstance(op, CreateCustomer):
            self.customers[op.account_id] = seq
        elif isinstance(op, CreateEvent):
            self.events[op.event_key] = op

    def _bots(self) -> dict[str, Any]:
        accounts = [
            {
                "account_id": a.account_id,
                "strategy": a.strategy,
                "created_at": _iso(a.created_at),
                "first_seq": self.customers[a.account_id],
            }
            for a in self.world.accounts.values()
            if a.kind == "bot" and a.account_id in self.customers
        ]
        change = self.world.strategy_change_at
        stealth = [o["seq"] for o in self.orders.values() if o["strategy"] == "stealth"]
        return {
            "accounts": accounts,
            "strategy_change": None
            if change is None
            else {
                "at": _iso(change),
                "applies_to": "events whose sale (presale, else general on-sale) opens at or after this time",
                "from": "burst",
                "to": "stealth",
                "first_stealth_order_seq": min(stealth) if stealth else None,
                "patterns": {name: pattern.describe() for name, pattern in PATTERNS.items()},
            },
        }

    def document(self, ids: Ids, header: dict[str, Any]) -> dict[str, Any]:
        """The ground-truth document (``header`` says which run it belongs to)."""
        events = {}
        for key, op in self.events.items():
            state = self.world.events[key]
            evt_id = ids.events.get(key)
            events[key] = {
                "evt_id": evt_id, "event_ref": f"BO-{evt_id}" if evt_id is not None else None,
                "venue": op.venue_code, "tz": state.venue.tz, "starts_at": _iso(op.starts_at),
                "presale_at": _iso(op.presale_at), "onsale_at": _iso(op.onsale_at), "ticket_limit": op.ticket_limit,
                "hot": state.hot,
            }  # fmt: skip
        by_currency: dict[str, Counter[str]] = defaultdict(Counter)
        for order in self.orders.values():
            order["ord_id"] = ids.orders.get(order["order_no"])
            totals = by_currency[order["currency"]]
            totals["orders"] += 1
            totals["tickets"] += order["tickets"]
            totals["total"] += order["total"]
            totals[f"total_{order['status']}"] += order["total"]
        return {
            **header,
            "business_time": {"start": _iso(self.first_at), "end": _iso(self.last_at)},
            "bots": self._bots(),
            "events": events,
            "orders": list(self.orders.values()),
            "chargebacks": self.chargebacks,
            "totals": {
                "orders": len(self.orders),
                "tickets": sum(o["tickets"] for o in self.orders.values()),
                "bot_orders": sum(o["bot"] for o in self.orders.values()),
                "by_currency": {cur: dict(counts) for cur, counts in sorted(by_currency.items())},
            },
        }

    def write(self, path: Path, ids: Ids, header: dict[str, Any]) -> None:
        path.write_bytes(orjson.dumps(self.document(ids, header), option=orjson.OPT_INDENT_2))
