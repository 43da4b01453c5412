"""Saving and loading the box-office adapter's state at the size of its bounds, in one process.

A lane saves its normalizer state every ``--state-interval-s`` (60 s by default) in the thread that normalizes,
and loads it when it starts: the lane maps nothing meanwhile. The adapter's largest lookups are bounded at
2,000,000 seats and 1,000,000 orders; this fills them to ``--seats`` and ``--orders`` (with 500 events in 50
venues), then measures, best of ``--repeat``:

* save: :meth:`~legacy_adapters.mapping.base.LegacyAdapter.save_state` (MessagePack of every lookup);
* load: :meth:`~legacy_adapters.mapping.base.LegacyAdapter.load_state` into a fresh adapter;
* baseline: ``msgspec.msgpack.encode`` / ``decode`` of the same entries as plain tuples (no typed structs, no
  bounded dictionaries; decoded with the garbage collector paused, as a load is), the floor of any
  MessagePack state of this content;
* store: the embedded transport's commit of the saved state into a DuckDB file
  (:mod:`warehouse.lane_states`, in chunks), next to inserting the same bytes as one value.

    .venv/bin/python bench/state_bench.py --seats 2000000 --orders 1000000
"""

from __future__ import annotations

import platform
import tempfile
from pathlib import Path
from typing import Annotated, Any

import msgspec
import typer
from rich.console import Console
from rich.table import Table

from bench.timing import best
from legacy_adapters import box_office
from legacy_adapters.box_office.mapper import BoxOfficeAdapter
from legacy_adapters.box_office.state import EventInfo, OrderInfo, SeatInfo
from legacy_adapters.mapping.snapshot import collector_paused
from pipelines.runtime.sink import LaneState
from warehouse.store import Warehouse

PEPPER = b"bench-pepper-0123456789"


def filled(seats: int, orders: int) -> BoxOfficeAdapter:
    """A box-office adapter whose lookups hold ``seats`` seats and ``orders`` orders."""
    adapter = box_office.adapter(pepper=PEPPER)
    state = adapter.state
    state.orders.limit = max(state.orders.limit, orders)
    state.seats.limit = max(state.seats.limit, seats)
    for venue in range(50):
        state.venues[9000 + venue] = "America/New_York"
    for event in range(500):
        state.events[1000 + event] = EventInfo(9000 + event % 50, "USD")
    for n in range(seats):
        section, rest = divmod(n, 2000)
        state.seats.put(
            10_000_000 + n,
            SeatInfo(1000 + n % 500, f"S{section % 40}", f"R{rest // 40}", str(rest % 40)),
        )
    for n in range(orders):
        customer = f"{n:08x}-8b86-d011-b42d-00c04fc964ff"
        state.orders.put(5_000_000 + n, OrderInfo(f"BO-{n:09d}", 1000 + n % 500, customer))
    return adapter


def store_seconds(data: bytes, repeat: int) -> tuple[float, float]:
    """(seconds to commit ``data`` as a lane state, seconds to insert it as one BLOB), best of ``repeat``."""
    with tempfile.TemporaryDirectory() as tmp, Warehouse(Path(tmp) / "state.duckdb") as store:
        store.conn.execute("CREATE TABLE whole (system VARCHAR PRIMARY KEY, state BLOB)").fetchall()

        def whole() -> None:
            with store.transaction():
                store.conn.execute("INSERT OR REPLACE INTO whole VALUES ('box_office', ?)", [data]).fetchall()

        chunked_s = best(lambda: store.commit(lane_state=LaneState("box_office", 1, data)), repeat)
        return chunked_s, best(whole, repeat)


def _paused_decode(data: bytes) -> Any:
    with collector_paused():
        return msgspec.msgpack.decode(data)


def main(
    seats: Annotated[int, typer.Option(help="Seats in the adapter's lookup.")] = 2_000_000,
    orders: Annotated[int, typer.Option(help="Orders in the adapter's lookup.")] = 1_000_000,
    repeat: Annotated[int, typer.Option(help="Runs per measurement; the best counts.")] = 3,
) -> None:
    """Run the benchmark and print seconds and sizes."""
    console = Console(width=140)
    adapter = filled(seats, orders)
    data = adapter.save_state()
    plain = (
        list(adapter.state.venues.items()),
        [(k, v.venue_id, v.currency) for k, v in adapter.state.events.items()],
        [(k, v.order_no, v.evt_id, v.customer_id) for k, v in adapter.state.orders.items()],
        [(k, v.evt_id, v.section, v.row, v.seat) for k, v in adapter.state.seats.items()],
    )
    plain_bytes = msgspec.msgpack.encode(plain)

    def load() -> None:
        fresh = box_office.adapter(pepper=PEPPER)
        fresh.state.orders.limit, fresh.state.seats.limit = (
            adapter.state.orders.limit,
            adapter.state.seats.limit,
        )
        fresh.load_state(data)

    save_s = best(adapter.save_state, repeat)
    load_s = best(load, repeat)
    base_save_s = best(lambda: msgspec.msgpack.encode(plain), repeat)
    base_load_s = best(lambda: _paused_decode(plain_bytes), repeat)
    table = Table(title=f"box-office adapter state: {seats:,} seats, {orders:,} orders, best of {repeat}")
    for column in ("step", "adapter s", "baseline s", "adapter / baseline"):
        table.add_column(column, justify="left" if column == "step" else "right")
    table.add_row("save", f"{save_s:.3f}", f"{base_save_s:.3f}", f"{save_s / base_save_s:.2f}x")
    table.add_row("load", f"{load_s:.3f}", f"{base_load_s:.3f}", f"{load_s / base_load_s:.2f}x")
    console.print(table)
    console.print(f"state {len(data):,} bytes; the same entries as plain tuples {len(plain_bytes):,} bytes")
    chunked_s, whole_s = store_seconds(data, repeat)
    console.print(
        f"DuckDB store of the state: {chunked_s:.3f} s in chunks, {whole_s:.3f} s as one value "
        f"(one value / chunks: {whole_s / chunked_s:.1f}x)"
    )
    console.print(f"python {platform.python_version()}, msgspec {msgspec.__version__}, {platform.machine()}")


if __name__ == "__main__":
    typer.run(main)
