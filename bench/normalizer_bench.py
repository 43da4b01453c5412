"""Kafka-transport normalizer throughput (one process) on box-office seat changes, next to the raw
confluent-kafka consume rate of the same topics in the same run; the ratio is the figure.

Records are the recorded box-office envelopes of ``bench/data`` varied into ``--messages`` seat changes (cart
holds of ``--seats-per-tx`` seats, each transaction followed by its END, as the MariaDB connector writes them),
produced into uniquely named topics. Then, in this process:

* raw: a plain ``Consumer`` reads the seat and transaction topics from the start to the end (no decoding);
* pipe: consume-produce with no transformation, as the normalizer commits (a group consumer, a transactional
  idempotent producer with the normalizer's settings, the consumed offsets sent in a transaction every 0.5 s):
  each record goes on as a canonical-event-sized value (its first 768 bytes) to a 6-partition topic. No
  normalizer can run faster on the machine: the ceiling, with the broker on the same CPUs;
* normalizer: :class:`~pipelines.transports.kafka_normalizer.KafkaNormalizer` reads them, decodes, maps with
  the box-office adapter and produces the canonical events in Kafka transactions with the offsets, until
  caught up.

Every clock starts at the first record received (connecting, group join and lane set-up excluded), and the raw
and pipe loops never ask ``consume`` for more records than are left: it waits its whole timeout for a batch it
cannot fill, and before 2026-11-28 (6th run) that last wait, up to a second, was timed into both baselines.

Topics and groups are deleted afterwards.

    .venv/bin/python bench/normalizer_bench.py --messages 300000 [--fetch-defaults]
"""

from __future__ import annotations

import contextlib
import os
import platform
import time
import uuid
from typing import Annotated

import typer
from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient
from rich.console import Console
from rich.table import Table

from bench.map_bench import _templates, box_office_records, floors
from legacy_adapters import box_office
from pipelines.runtime.routes import Route
from pipelines.transports.kafka_admin import ensure_topics, high_watermarks
from pipelines.transports.kafka_fetch import FETCH_SETTINGS
from pipelines.transports.kafka_normalizer import KafkaNormalizer, KafkaNormalizerConfig, NormalizerStatus
from stack.settings import StackSettings

console = Console(highlight=False)


def _produce(bootstrap: str, prefix: str, messages: int, seats_per_tx: int) -> tuple[list[str], int]:
    setup, records, seats = box_office_records(messages, seats_per_tx, schemas=True)
    # the set-up rows (venue, event) with their record keys: the runtime refuses row changes without one
    keys = {
        row["topic"]: row["key"].encode() for row in _templates("box_office.jsonl").values() if row.get("key")
    }
    setup = [(topic, keys.get(topic, key), value) for topic, key, value in setup]
    topics = {f"{prefix}.boxoffice.{t}" for t in ("VENUE", "EVT_MASTER", "SEAT_INV")} | {
        f"{prefix}.transaction"
    }
    ensure_topics(bootstrap, dict.fromkeys(topics, 1))
    producer = Producer(
        {
            "bootstrap.servers": bootstrap,
            "linger.ms": 50,
            "compression.type": "lz4",
            "queue.buffering.max.messages": 2_000_000,
            "queue.buffering.max.kbytes": 4_000_000,
        }
    )
    for topic, key, value in [*setup, *records]:
        renamed = prefix + topic[len("box_office") :]
        while True:
            try:
                producer.produce(renamed, value, key)
                break
            except BufferError:
                producer.poll(0.1)
    producer.flush(120)
    return sorted(topics), seats


def _raw(bootstrap: str, topics: list[str], fetch: dict[str, int] = FETCH_SETTINGS) -> float:
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"bench-raw-{uuid.uuid4().hex[:6]}",
            "enable.auto.commit": False,
            **fetch,  # the normalizer's own fetch settings by default: a like-for-like baseline
            "log_level": 0,
        }
    )
    ends = high_watermarks(consumer, [(t, 0) for t in topics])
    consumer.assign([TopicPartition(t, 0, 0) for t in topics])
    total, n, start = sum(ends.values()), 0, None
    while n < total:
        got = len(consumer.consume(_batch(total - n), 1.0))
        if got and start is None:
            start = time.perf_counter()
        n += got
    assert start is not None
    elapsed = time.perf_counter() - start
    consumer.close()
    return elapsed


def _batch(left: int) -> int:
    """At most 10,000, and never more than is left: ``consume`` waits its whole timeout for a batch it cannot
    fill, so asking for more than is left would time that wait."""
    return min(10_000, left)


def _pipe(bootstrap: str, prefix: str, topics: list[str]) -> tuple[float, float]:
    """(seconds, CPU seconds of this thread) to move every record, both from the first record received."""
    out = f"{prefix}.pipe"
    ensure_topics(bootstrap, {out: 6})
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"{prefix}-pipe",
            "enable.auto.commit": False,
            "isolation.level": "read_committed",
            **FETCH_SETTINGS,
            "log_level": 0,
        }
    )
    producer = Producer(
        {
            "bootstrap.servers": bootstrap,
            "transactional.id": f"{prefix}-pipe",
            "enable.idempotence": True,
            "linger.ms": 20,
            "compression.type": "lz4",
            "queue.buffering.max.messages": 2_000_000,
            "queue.buffering.max.kbytes": 2_000_000,
            "log_level": 0,
        }
    )
    producer.init_transactions(30)
    ends = high_watermarks(consumer, [(t, 0) for t in topics])
    consumer.assign([TopicPartition(t, 0, 0) for t in topics])
    total, n, start, cpu_start = sum(ends.values()), 0, None, 0.0
    positions: dict[str, int] = {}
    last = time.perf_counter()
    producer.begin_transaction()
    while n < total:
        batch = consumer.consume(_batch(total - n), 1.0)
        if batch and start is None:
            start, cpu_start = time.perf_counter(), time.thread_time()
        for msg in batch:
            value = msg.value()
            producer.produce(out, value[:768] if value else value, msg.key())
            topic, offset = msg.topic(), msg.offset()
            assert topic is not None and offset is not None  # a record, not an error event
            positions[topic] = offset + 1
            n += 1
        now = time.perf_counter()
        if now - last >= 0.5 or n >= total:
            offsets = [TopicPartition(t, 0, o) for t, o in positions.items()]
            producer.send_offsets_to_transaction(offsets, consumer.consumer_group_metadata(), 30)
            producer.commit_transaction(30)
            producer.begin_transaction()
            last = now
    producer.abort_transaction(30)
    assert start is not None
    elapsed, cpu = time.perf_counter() - start, time.thread_time() - cpu_start
    consumer.close()
    return elapsed, cpu


def main(
    messages: Annotated[int, typer.Option("--messages")] = 300_000,
    seats_per_tx: Annotated[int, typer.Option("--seats-per-tx")] = 8,
    fetch_defaults: Annotated[
        bool,
        typer.Option(
            "--fetch-defaults", help="Also time the raw consume with librdkafka's default fetch settings."
        ),
    ] = False,
) -> None:
    settings = StackSettings()
    bootstrap = settings.kafka_bootstrap
    prefix = f"bench_{uuid.uuid4().hex[:8]}"
    pepper = os.urandom(24)
    try:
        topics, seats = _produce(bootstrap, prefix, messages, seats_per_tx)
        raw_s = _raw(bootstrap, topics)
        default_s = _raw(bootstrap, topics, fetch={}) if fetch_defaults else None
        pipe_s, pipe_cpu_s = _pipe(bootstrap, prefix, topics)
        route = Route(
            "box_office",
            prefix,
            tuple(t for t in topics if ".boxoffice." in t),
            lambda: box_office.adapter(pepper=pepper),
            needs_transactions=True,
        )
        config = KafkaNormalizerConfig(
            bootstrap, group_id=prefix, canonical_topic=f"{prefix}.canonical", dlq_topic=f"{prefix}.dlq"
        )
        first: list[float] = []

        def seen(status: NormalizerStatus) -> None:
            if status.counters.records and not first:
                first.extend((time.perf_counter(), time.thread_time()))

        normalizer = KafkaNormalizer([route], config)
        status = normalizer.run(lambda: False, until_caught_up=True, on_status=seen, status_every_s=0.0)
        norm_s, norm_cpu_s = time.perf_counter() - first[0], time.thread_time() - first[1]
        assert status.counters.dead_letters == 0, status.counters
        raw_rate, pipe_rate, norm_rate = seats / raw_s, seats / pipe_s, seats / norm_s
        table = Table(
            title=f"kafka normalizer, box-office seat changes ({seats:,}, {seats_per_tx} per transaction)"
        )
        for column in ("path", "seconds", "seat changes/s"):
            table.add_column(column)
        table.add_row("raw confluent-kafka consume", f"{raw_s:.2f}", f"{raw_rate:,.0f}")
        if default_s is not None:
            table.add_row(
                "raw, librdkafka's default fetch settings", f"{default_s:.2f}", f"{seats / default_s:,.0f}"
            )
        table.add_row(
            "pipe: consume-produce in transactions, no decoding", f"{pipe_s:.2f}", f"{pipe_rate:,.0f}"
        )
        table.add_row("normalizer (decode, map, produce, commit)", f"{norm_s:.2f}", f"{norm_rate:,.0f}")
        # What no Python normalizer can go below: the CPU its own thread spends moving the records (the pipe's
        # thread, consume and produce calls included; librdkafka's threads run beside it) plus the two steps
        # map_bench's floors time alone (parsing the payload; building, identifying and encoding one event).
        parse_us, build_us = floors(box_office_records(min(seats, 50_000), seats_per_tx, True)[1], 3)
        ceiling_s = pipe_cpu_s + seats * (parse_us + build_us) / 1e6
        table.add_row(
            "ceiling of any Python normalizer: the pipe's own CPU + parsing + one event built (no mapping logic)",
            f"{ceiling_s:.2f}",
            f"{seats / ceiling_s:,.0f}",
        )
        console.print(table)
        console.print(
            f"ratio normalizer / raw: {norm_rate / raw_rate:.3f}; pipe / raw: {pipe_rate / raw_rate:.3f}; "
            f"normalizer / pipe: {norm_rate / pipe_rate:.3f}; ceiling / raw: {raw_s / ceiling_s:.3f}; "
            f"pipe CPU {pipe_cpu_s / pipe_s:.0%} of its time; normalizer CPU {norm_cpu_s / seats * 1e6:.1f} µs "
            f"per seat change (its thread; steadier than its rate on a shared machine); "
            f"events {status.counters.events:,}"
        )
        console.print(
            f"machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
        )
    finally:
        admin = AdminClient({"bootstrap.servers": bootstrap, "log_level": 0})
        doomed = [t for t in admin.list_topics(timeout=10).topics if t.startswith(prefix)]
        if doomed:
            for future in admin.delete_topics(doomed).values():
                future.result()
        for future in admin.delete_consumer_groups([prefix, f"{prefix}-pipe"]).values():
            with contextlib.suppress(Exception):
                future.result()


if __name__ == "__main__":
    typer.run(main)
