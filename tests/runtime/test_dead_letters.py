"""Poison records (malformed JSON, unknown table, wrong types, missing key, a 2 MB value, a missing reference)
land in the dead letters with their reason while the rest flows; `dlq replay` after the causes are fixed moves
the fixable ones into the canonical topic (kafka transport) and the canonical table."""

from __future__ import annotations

import copy
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import orjson
import pytest
from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, ConfigResource
from typer.testing import CliRunner

from cli.main import app
from pipelines.canonical import decode_event
from stack.settings import StackSettings
from tests.runtime.procs import read_topic, run_to_end, topic_has, wait_for
from tests.runtime.scratch import Scratch

pytestmark = pytest.mark.stack

MISSING_EVENT = 987_654


def _dumps(value: dict[str, Any]) -> bytes:
    return orjson.dumps(value)


def _poison(seat: bytes, seat_key: bytes) -> list[tuple[str, bytes | None, bytes | None]]:
    record = orjson.loads(seat)
    record["payload"]["transaction"] = None
    unknown = copy.deepcopy(record)
    unknown["payload"]["source"]["table"] = "SEAT_MAP"
    wrong = copy.deepcopy(record)
    wrong["payload"]["after"]["EVT_ID"] = "not-a-number"
    missing_ref = copy.deepcopy(record)
    missing_ref["payload"]["after"]["EVT_ID"] = MISSING_EVENT
    big = copy.deepcopy(record)
    for part in big["schema"]["fields"]:
        if part["field"] in ("before", "after"):
            part["fields"].append({"type": "string", "optional": True, "field": "NOTES"})
    big["payload"]["after"]["NOTES"] = "x" * (2 * 1024 * 1024)
    if big["payload"]["before"] is not None:
        big["payload"]["before"]["NOTES"] = None
    # each poison record is a change of its own (its own binlog row), not a copy of the real one's position:
    # the events of those that map after a fix must not share the real change's deterministic id
    for row, poisoned in enumerate((unknown, wrong, missing_ref, big, record), start=9001):
        poisoned["payload"]["source"]["row"] = row
    return [
        ("malformed JSON", seat_key, seat[: len(seat) // 2]),
        ("unknown table", seat_key, _dumps(unknown)),
        ("wrong types", seat_key, _dumps(wrong)),
        ("missing key", None, _dumps(record)),
        ("2 MB value", seat_key, _dumps(big)),
        ("missing reference", seat_key, _dumps(missing_ref)),
    ]


@pytest.fixture()
def scratch(stack_settings: StackSettings, tmp_path: Path) -> Iterator[Scratch]:
    s = Scratch(stack_settings, tmp_path, tag="dl")
    try:
        yield s
    finally:
        s.close()


def _simulate(scratch: Scratch, seed: int, out: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            "simulate",
            "--scenario",
            "onsale",
            "--seed",
            str(seed),
            "-n",
            "60",
            "--box-office-db",
            scratch.name,
            "--pricing-db",
            scratch.name,
            "--out",
            str(out),
            "-o",
            "json",
        ],
        env={"COLUMNS": "200", "INVENTORY_CDC_CRM_URL": ""},
    )
    assert result.exit_code == 0, result.output


def test_poison_records_are_set_aside_and_replayed_after_a_fix(scratch: Scratch, tmp_path: Path) -> None:
    bootstrap = scratch.settings.kafka_bootstrap
    bo_spec = scratch.specs("p")[0]
    scratch.start_connectors([bo_spec])
    prefix = scratch.load(bo_spec).topic_prefix
    seat_topic = f"{prefix}.{scratch.name}.SEAT_INV"
    event_topic = f"{prefix}.{scratch.name}.EVT_MASTER"
    signal_topic = f"{prefix}.{scratch.name}.DBZ_SIGNAL"
    _simulate(scratch, 11, tmp_path / "sim1")
    scratch.signal("first")
    wait_for(lambda: topic_has(bootstrap, signal_topic, "first"), 120, "first marker")

    # poison in the middle of the seat topic, real changes before and after it
    seats = [(k, v) for k, v in read_topic(bootstrap, seat_topic) if v is not None]
    admin = AdminClient({"bootstrap.servers": bootstrap})
    for future in admin.incremental_alter_configs(
        [ConfigResource("topic", seat_topic, incremental_configs=[_set("max.message.bytes", "4194304")])]
    ).values():
        future.result()
    poison = _poison(seats[0][1], seats[0][0])
    producer = Producer({"bootstrap.servers": bootstrap, "message.max.bytes": 4_000_000})
    for _, key, value in poison:
        producer.produce(seat_topic, value, key)
    producer.flush(30)
    _simulate(scratch, 12, tmp_path / "sim2")
    scratch.signal("second")
    wait_for(lambda: topic_has(bootstrap, signal_topic, "second"), 120, "second marker")

    db = tmp_path / "dl.duckdb"
    args = [
        "--transport",
        "kafka",
        "--spec",
        str(bo_spec),
        "--group",
        f"{scratch.name}_g",
        "--loader-group",
        f"{scratch.name}_l",
        "--canonical-topic",
        f"{scratch.name}.canonical",
        "--dlq-topic",
        f"{scratch.name}.dlq",
        "--duckdb",
        str(db),
    ]
    summary = run_to_end(args, tmp_path / "run.log")
    assert summary["normalizer"]["dead_letters"] == len(poison)

    letters = _dlq(["list", "--duckdb", str(db), "-o", "json"])
    by_error = {d["error"]: d for d in letters}
    assert sorted(d["error"] for d in letters) == sorted(
        [
            "DecodeError",
            "UnknownTableError",
            "DecodeError",
            "MissingKeyError",
            "OversizedRecordError",
            "MissingReferenceError",
        ]
    )
    assert all(d["reason"] and d["topic"] == seat_topic and d["offset"] >= 0 for d in letters)
    assert "SEAT_MAP" in by_error["UnknownTableError"]["reason"]
    assert by_error["OversizedRecordError"]["value_inline"] is False  # too large to copy: a reference
    assert by_error["MissingReferenceError"]["position"]["kind"] == "binlog"
    shown = _dlq(["show", by_error["MissingKeyError"]["id"][:12], "--duckdb", str(db), "-o", "json"])
    assert shown["key"] is None and shown["value"].startswith('{"schema"')

    # the rest kept flowing: every real seat change (before and after the poison) became a seat.changed
    real = [v for k, v in read_topic(bootstrap, seat_topic) if v is not None]
    conn = duckdb.connect(str(db), read_only=True)
    (seat_events,) = conn.execute(
        "SELECT count(*) FROM canonical_events WHERE type = 'seat.changed'"
    ).fetchone()
    conn.close()
    assert seat_events == len(real) - len(poison)

    # fix the causes: the missing event arrives, and larger records are allowed
    events = [(k, v) for k, v in read_topic(bootstrap, event_topic) if v is not None]
    event = orjson.loads(events[0][1])
    event["payload"]["after"]["EVT_ID"] = MISSING_EVENT
    event["payload"]["transaction"] = None
    key = orjson.loads(events[0][0])
    key["payload"]["EVT_ID"] = MISSING_EVENT
    producer.produce(event_topic, orjson.dumps(event), orjson.dumps(key))
    producer.flush(30)
    canonical = f"{scratch.name}.canonical"
    replay = ["replay", "--duckdb", str(db), "--spec", str(bo_spec), "--max-record-bytes", "4000000"]

    # a replay that cannot publish where this file's loader reads changes nothing, and says so in one line
    wrong_topic = _dlq_fails([*replay, "--canonical-topic", f"{scratch.name}.nope"])
    assert wrong_topic.returncode == 2 and "--canonical-topic" in wrong_topic.stderr
    no_kafka = _dlq_fails([*replay, "--canonical-topic", canonical], {"INVENTORY_CDC_STACK_KAFKA_PORT": "3"})
    assert no_kafka.returncode == 1 and no_kafka.stderr.startswith("error: Kafka:")
    assert len(_dlq(["list", "--duckdb", str(db), "-o", "json"])) == len(poison)

    topic_before = Counter(event.id for _, event in _canonical(bootstrap, canonical))
    table_before = _table_ids(db)
    outcome = _dlq([*replay, "--canonical-topic", canonical, "-o", "json"])
    assert outcome["resolved"] == 2 and outcome["still_failing"] == 4
    assert outcome["published"] == outcome["events"] >= 2

    # the replayed events: in the canonical table, and (committed, once each) in the canonical topic, keyed
    # by entity key like the normalizer's, so the topic's consumers see what the table has
    replayed = _table_ids(db) - table_before
    assert len(replayed) == outcome["events"]
    published = _canonical(bootstrap, canonical)
    added = Counter(event.id for _, event in published) - topic_before
    assert set(added) == replayed and set(added.values()) == {1}
    mine = [(key, event) for key, event in published if event.id in replayed]
    assert all(key == event.key.encode() for key, event in mine)
    assert {event.type for _, event in mine} == {"seat.changed"}
    left = _dlq(["list", "--duckdb", str(db), "-o", "json"])
    assert sorted(d["error"] for d in left) == [
        "DecodeError",
        "DecodeError",
        "MissingKeyError",
        "UnknownTableError",
    ]
    assert all(d["replays"] == 1 for d in left)


def _set(name: str, value: str) -> Any:
    from confluent_kafka.admin import AlterConfigOpType, ConfigEntry

    return ConfigEntry(name, value, incremental_operation=AlterConfigOpType.SET)


def _canonical(bootstrap: str, topic: str) -> list[tuple[bytes | None, Any]]:
    """The canonical topic's committed records (``read_committed``): (key, decoded event)."""
    return [(key, decode_event(value)) for key, value in read_topic(bootstrap, topic)]


def _table_ids(db: Path) -> set[str]:
    conn = duckdb.connect(str(db), read_only=True)
    try:
        return {row[0] for row in conn.execute("SELECT CAST(id AS VARCHAR) FROM canonical_events").fetchall()}
    finally:
        conn.close()


def _dlq_fails(args: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``inventory-cdc dlq ARGS`` in a subprocess that must fail in one line, without a traceback."""
    result = subprocess.run(
        [sys.executable, "-m", "cli", "dlq", *args],
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode != 0 and "Traceback" not in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    return result


def _dlq(args: list[str]) -> Any:
    result = CliRunner().invoke(app, ["dlq", *args], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return orjson.loads(result.stdout)
