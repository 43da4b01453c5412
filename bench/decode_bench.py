"""Debezium decode throughput: box-office ``SEAT_INV`` change events (MariaDB connector, schemas enabled).

Builds a pool of distinct recorded-style records (same schema, varying rows and binlog positions, as one
table's topic looks; the pool is cycled to reach ``--messages`` so memory stays near 100 MB), then decodes
them in one process with :class:`pipelines.debezium.DebeziumDecoder` and, as the baseline on the same bytes
in the same run, with plain ``msgspec.json.decode`` into dicts (parsing only: no logical types, no
validation). Prints events/s for both and the ratio; best of ``--repeat`` runs.

    .venv/bin/python bench/decode_bench.py --messages 200000
"""

from __future__ import annotations

import platform
import random
from datetime import UTC, datetime, timedelta
from typing import Annotated

import msgspec
import typer
from rich.console import Console
from rich.table import Table

from bench.timing import best
from pipelines.debezium import ChangeEvent, DebeziumDecoder
from pipelines.debezium.encoder import field
from pipelines.debezium.records import change_event, envelope_schema

TOPIC = "boxoffice.boxoffice.SEAT_INV"
# The box office's SEAT_INV (legacy_adapters/box_office/schema.sql) as the MariaDB connector types it.
SEAT_INV_FIELDS = [
    field("SEAT_ID", "int64"),
    field("EVT_ID", "int64"),
    field("SECT_CD", "string"),
    field("ROW_CD", "string"),
    field("SEAT_NO", "string"),
    field("PRC_LVL_CD", "string", optional=True),
    field("FACE_AMT", "int32", default=0),
    field("SEAT_STAT_CD", "string", default="A"),
    field("ADA_FLG", "int16", default=0),
    field("HOLD_TOKEN", "string", optional=True),
    field("HOLD_ACCT_ID", "string", optional=True),
    field("HOLD_EXP_DT", "int64", optional=True, logical="io.debezium.time.Timestamp", version=1),
    field("ORD_ID", "int64", optional=True),
    field("UPD_DT", "int64", logical="io.debezium.time.Timestamp", version=1),
    field("UPD_TS", "string", logical="io.debezium.time.ZonedTimestamp", version=1),
]


def build_records(count: int, seed: int = 7) -> list[bytes]:
    """``count`` SEAT_INV updates (a hold turning into a sale) with varying rows and rising binlog positions."""
    rng = random.Random(seed)
    envelope = envelope_schema(
        connector="mariadb",
        topic_prefix="boxoffice",
        database="boxoffice",
        table="SEAT_INV",
        row_fields=SEAT_INV_FIELDS,
    )
    start = datetime(2026, 3, 14, 9, 0, 0)
    records = []
    for i in range(count):
        changed = start + timedelta(milliseconds=137 * i)
        held = {
            "SEAT_ID": 880000 + i, "EVT_ID": 1000 + i % 50, "SECT_CD": "ABCDEFGH"[i % 8], "ROW_CD": str(1 + i % 40),
            "SEAT_NO": str(1 + i % 30), "PRC_LVL_CD": f"P{1 + i % 5}", "FACE_AMT": 4500 + 500 * (i % 9),
            "SEAT_STAT_CD": "H", "ADA_FLG": int(i % 50 == 0), "HOLD_TOKEN": f"{rng.getrandbits(128):032x}",
            "HOLD_ACCT_ID": f"{rng.getrandbits(128):032X}", "HOLD_EXP_DT": changed + timedelta(minutes=10),
            "ORD_ID": None, "UPD_DT": changed.replace(microsecond=0), "UPD_TS": changed.replace(microsecond=0, tzinfo=UTC),
        }  # fmt: skip
        sold = {**held, "SEAT_STAT_CD": rng.choice("SSSC"), "HOLD_TOKEN": None, "HOLD_ACCT_ID": None,
                "HOLD_EXP_DT": None, "ORD_ID": 500000 + i}  # fmt: skip
        records.append(
            change_event(
                connector="mariadb", topic_prefix="boxoffice", database="boxoffice", table="SEAT_INV", op="u",
                row_fields=SEAT_INV_FIELDS, envelope=envelope, before=held, after=sold,
                position={"file": "mariadb-bin.000042", "pos": 4 + 731 * i, "row": 0, "gtid": f"0-1-{88000 + i}"},
                ts_ms=1773478800000 + 137 * i,
            )
        )  # fmt: skip
    return records


def main(
    messages: Annotated[int, typer.Option(help="Records to decode per run.")] = 200_000,
    repeat: Annotated[int, typer.Option(help="Runs per decoder; the best counts.")] = 3,
    pool: Annotated[int, typer.Option(help="Distinct records, cycled to reach --messages.")] = 20_000,
) -> None:
    """Run the benchmark and print a table of events/s."""
    console = Console(width=120)
    distinct = build_records(min(pool, messages))
    records = [distinct[i % len(distinct)] for i in range(messages)]
    size = sum(map(len, records)) / len(records)
    decoder = DebeziumDecoder()
    first = decoder.decode(records[0], topic=TOPIC, partition=0, offset=0)
    assert isinstance(first, ChangeEvent) and first.after is not None and first.after["ORD_ID"] == 500000

    plain = msgspec.json.decode

    def baseline() -> None:
        for data in records:
            plain(data)

    def ours() -> None:
        decode = decoder.decode
        for offset, data in enumerate(records):
            decode(data, topic=TOPIC, partition=0, offset=offset)

    base_s = best(baseline, repeat)
    ours_s = best(ours, repeat)
    title = f"SEAT_INV decode: {messages:,} records ({len(distinct):,} distinct) of {size:,.0f} bytes, schemas enabled"
    table = Table(title=title)
    for column in ("decoder", "seconds", "events/s", "µs/event"):
        table.add_column(column, justify="right" if column != "decoder" else "left")
    for label, seconds in (
        ("msgspec.json.decode -> dicts (baseline)", base_s),
        ("DebeziumDecoder -> ChangeEvent", ours_s),
    ):
        table.add_row(
            label, f"{seconds:.3f}", f"{messages / seconds:,.0f}", f"{seconds / messages * 1e6:.2f}"
        )
    console.print(table)
    console.print(
        f"ratio DebeziumDecoder / baseline time: {ours_s / base_s:.2f}x "
        f"(python {platform.python_version()}, msgspec {msgspec.__version__}, {platform.machine()})"
    )


if __name__ == "__main__":
    typer.run(main)
