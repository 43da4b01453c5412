"""Runtime processes for tests: ``inventory-cdc run`` in subprocesses that can be killed and restarted."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import duckdb
import orjson
from confluent_kafka import Consumer, KafkaError

from tests.support import unique


class Proc:
    """One ``inventory-cdc run`` invocation (restartable with the same arguments)."""

    def __init__(self, args: list[str], log: Path) -> None:
        self.args = args
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None
        self.kills = 0

    def start(self) -> None:
        out = self.log.open("ab")
        self.proc = subprocess.Popen([sys.executable, "-m", "cli", "run", *self.args], stdout=out, stderr=out)

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(30)
        self.kills += 1

    def terminate(self, timeout_s: float = 60) -> int:
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout_s)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait(10)

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def close(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


def run_to_end(args: list[str], log: Path, timeout_s: float = 240) -> dict[str, Any]:
    """``inventory-cdc run ARGS --until-caught-up -o json``; its JSON summary."""
    result = subprocess.run(
        [sys.executable, "-m", "cli", "run", *args, "--until-caught-up", "-o", "json"],
        capture_output=True,
        timeout=timeout_s,
        check=False,
    )
    log.write_bytes(result.stdout + result.stderr)
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:].decode(errors="replace")
    return dict(orjson.loads(result.stdout.strip().splitlines()[-1]))


def status(path: Path) -> dict[str, Any]:
    with contextlib.suppress(FileNotFoundError, ValueError):
        return dict(orjson.loads(path.read_bytes()))
    return {}


def wait_for(check: Any, timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def table_rows(path: Path) -> list[tuple[Any, ...]]:
    """The canonical table's rows without ``loaded_at``, by id."""
    conn = duckdb.connect(str(path), read_only=True)
    try:
        return conn.execute(
            "SELECT CAST(id AS VARCHAR), type, key, occurred_at, schema_version, deleted, source_system, "
            "source_table, source_tx_id, source_snapshot, CAST(source AS VARCHAR), CAST(data AS VARCHAR) "
            "FROM canonical_events ORDER BY id"
        ).fetchall()
    finally:
        conn.close()


def read_topic(bootstrap: str, topic: str, timeout_s: float = 60) -> list[tuple[bytes | None, bytes]]:
    """Every committed record of ``topic`` (read_committed), up to its end."""
    from confluent_kafka import TopicPartition

    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": unique("read"),
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
            "isolation.level": "read_committed",
            "enable.partition.eof": True,
            "log_level": 0,
        }
    )
    meta = consumer.list_topics(topic, timeout=10).topics[topic]
    tps = [TopicPartition(topic, p, 0) for p in meta.partitions]
    consumer.assign(tps)
    done: set[int] = set()
    out: list[tuple[bytes | None, bytes]] = []
    deadline = time.monotonic() + timeout_s
    try:
        while len(done) < len(tps) and time.monotonic() < deadline:
            msg = consumer.poll(0.5)
            if msg is None:
                continue
            if msg.error():
                if msg.error().code() == KafkaError._PARTITION_EOF:
                    done.add(msg.partition())
                    continue
                raise RuntimeError(str(msg.error()))
            out.append((msg.key(), msg.value()))
    finally:
        consumer.close()
    return out


def topic_has(bootstrap: str, topic: str, marker: str) -> bool:
    """Whether a change record of ``topic`` has ``after.id == marker``."""
    with contextlib.suppress(KeyError):
        for _, value in read_topic(bootstrap, topic, timeout_s=20):
            if value and orjson.loads(value)["payload"]["after"]["id"] == marker:
                return True
    return False


def env() -> dict[str, str]:
    return {**os.environ, "COLUMNS": "200"}
