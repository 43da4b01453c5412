"""One seeded simulator run captured four ways at once, compared: the kafka transport uninterrupted, the embedded
transport uninterrupted, the embedded process SIGKILLed five times, the kafka normalizer SIGKILLed five times
(and its loader five times afterwards). Every way must give the same canonical table, and the canonical topic
must hold each event once. The killed processes save their lanes' states every second, so restarts load a
state and read only what follows it."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import orjson
import pytest
from typer.testing import CliRunner

from cli.main import app
from stack.settings import StackSettings
from tests.runtime.procs import Proc, read_topic, run_to_end, status, table_rows, topic_has, wait_for
from tests.runtime.scratch import Scratch

pytestmark = pytest.mark.stack

SEED = 4242
TRANSACTIONS = 1600
RATE = 50  # tx/s: the run lasts long enough for five kills of each process
KILLS = 5
STATE_S = 1.0


@dataclass
class World:
    dir: Path
    settings: StackSettings
    scratch: Scratch
    embedded: Path
    embedded_killed: Path
    kafka: Path
    kafka_killed: Path
    canonical: str
    canonical_killed: str
    kills: dict[str, int]


def _kafka_args(
    specs: list[Path],
    *,
    group: str,
    canonical: str,
    dlq: str,
    duckdb: Path,
    role: str,
    state_s: float = 60,
    tight: bool = False,
) -> list[str]:
    """``tight``: the memory bounds at their least (a small prefetch; a drain pauses at once instead of holding
    records back)."""
    args = ["--transport", "kafka", "--role", role, "--group", group, "--loader-group", f"{group}_loader"]
    args += ["--state-interval-s", str(state_s)]
    if tight:
        args += ["--prefetch-mib", "4", "--drain-hold-mib", "0"]
    args += ["--canonical-topic", canonical, "--dlq-topic", dlq, "--duckdb", str(duckdb)]
    for spec in specs:
        args += ["--spec", str(spec)]
    return args


def _embedded_args(specs: list[Path], duckdb: Path, status_file: Path, state_s: float = 60) -> list[str]:
    args = ["--transport", "embedded", "--duckdb", str(duckdb), "--status-file", str(status_file)]
    args += ["--state-interval-s", str(state_s)]
    for spec in specs:
        args += ["--spec", str(spec)]
    return args


def _streaming(path: Path) -> bool:
    s = status(path)
    return bool(s) and all(v.get("streaming") for v in s.values())


def _saw_marker(path: Path) -> bool:
    s = status(path)
    return bool(s) and all(
        any(topic.lower().endswith("dbz_signal") for topic in v.get("per_topic", {})) for v in s.values()
    )


@pytest.fixture(scope="module")
def world(stack_settings: StackSettings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    d = tmp_path_factory.mktemp("transports")
    scratch = Scratch(stack_settings, d)
    procs: list[Proc] = []
    try:
        kafka_specs, emb_specs, embk_specs = scratch.specs("k"), scratch.specs("e"), scratch.specs("x")
        scratch.start_connectors(kafka_specs)
        embedded = Proc(_embedded_args(emb_specs, d / "e.duckdb", d / "e.status"), d / "e.log")
        # the killed processes save their lanes' states every second: kills fall between saved states
        killed = Proc(_embedded_args(embk_specs, d / "x.duckdb", d / "x.status", STATE_S), d / "x.log")
        canonical_killed = f"{scratch.name}.canonical.killed"
        normalizer = Proc(
            _kafka_args(
                kafka_specs,
                group=f"{scratch.name}_nk",
                canonical=canonical_killed,
                dlq=f"{scratch.name}.dlq.killed",
                duckdb=d / "unused.duckdb",
                role="normalizer",
                state_s=STATE_S,
                tight=True,
            ),
            d / "nk.log",
        )
        procs += [embedded, killed, normalizer]
        for p in procs:
            p.start()
        wait_for(
            lambda: _streaming(d / "e.status") and _streaming(d / "x.status"),
            120,
            "embedded engines streaming",
        )

        runner = CliRunner()
        rng = random.Random(SEED)
        sim = None
        import threading

        def simulate() -> None:
            nonlocal sim
            sim = runner.invoke(
                app,
                [
                    "simulate",
                    "--scenario",
                    "onsale",
                    "--seed",
                    str(SEED),
                    "-n",
                    str(TRANSACTIONS),
                    "--rate",
                    str(RATE),
                    "--box-office-db",
                    scratch.name,
                    "--pricing-db",
                    scratch.name,
                    "--out",
                    str(d / "sim"),
                    "-o",
                    "json",
                ],
                env={"COLUMNS": "200", "INVENTORY_CDC_CRM_URL": ""},
            )

        thread = threading.Thread(target=simulate)
        thread.start()
        # SIGKILL at seeded random points while the simulator writes; restart each time
        schedule = sorted(
            [(rng.uniform(2, 30), "x") for _ in range(KILLS)]
            + [(rng.uniform(2, 30), "n") for _ in range(KILLS)]
        )
        t0 = time.monotonic()
        for at, who in schedule:
            time.sleep(max(0.0, at - (time.monotonic() - t0)))
            victim = killed if who == "x" else normalizer
            if who == "x":
                (d / "x.status").unlink(missing_ok=True)
            victim.kill()
            victim.start()
            if who == "x":  # a restart resumes only once the engine is back: the next kill waits for that
                wait_for(lambda: _streaming(d / "x.status"), 120, "killed engine back")
        thread.join()
        assert sim is not None and sim.exit_code == 0, sim.output if sim else "no simulator"
        marker = "end-of-run"
        scratch.signal(marker)
        signal_topics = [f"{p}.{scratch.name}.DBZ_SIGNAL" for p in scratch.prefixes if p.endswith("k_bo")]
        signal_topics += [f"{p}.public.dbz_signal" for p in scratch.prefixes if p.endswith("k_pr")]
        for topic in signal_topics:
            wait_for(
                lambda t=topic: topic_has(stack_settings.kafka_bootstrap, t, marker),
                120,
                f"marker on {topic}",
            )
        wait_for(lambda: _saw_marker(d / "e.status") and _saw_marker(d / "x.status"), 120, "marker embedded")
        assert embedded.terminate() == 0
        assert killed.terminate() == 0
        assert normalizer.terminate() == 0  # SIGTERM: a clean stop
        canonical = f"{scratch.name}.canonical"
        run_to_end(
            _kafka_args(
                kafka_specs,
                group=f"{scratch.name}_n",
                canonical=canonical,
                dlq=f"{scratch.name}.dlq",
                duckdb=d / "k.duckdb",
                role="all",
            ),
            d / "k.log",
        )
        nk = _kafka_args(
            kafka_specs,
            group=f"{scratch.name}_nk",
            canonical=canonical_killed,
            dlq=f"{scratch.name}.dlq.killed",
            duckdb=d / "kk.duckdb",
            role="normalizer",
            tight=True,
        )
        run_to_end(nk, d / "nk-final.log")
        # the loader of the killed normalizer's topic, SIGKILLed five times while it loads
        loader_args = [*nk[: nk.index("--role")], "--role", "loader", *nk[nk.index("--role") + 2 :]]
        loader = Proc(loader_args, d / "lk.log")
        procs.append(loader)
        for _ in range(KILLS):
            loader.start()
            time.sleep(rng.uniform(0.8, 2.5))
            loader.kill()
        run_to_end(loader_args, d / "lk-final.log")
        yield World(
            dir=d,
            settings=stack_settings,
            scratch=scratch,
            embedded=d / "e.duckdb",
            embedded_killed=d / "x.duckdb",
            kafka=d / "k.duckdb",
            kafka_killed=d / "kk.duckdb",
            canonical=canonical,
            canonical_killed=canonical_killed,
            kills={"embedded": killed.kills, "normalizer": normalizer.kills, "loader": loader.kills},
        )
    finally:
        for p in procs:
            p.close()
        scratch.close()


def test_kafka_and_embedded_transports_give_the_same_canonical_table(world: World) -> None:
    embedded = table_rows(world.embedded)
    kafka = table_rows(world.kafka)
    assert len(embedded) > 10_000
    assert {r[1] for r in embedded} >= {"seat.changed", "order.placed", "hold.placed", "price.changed"}
    assert kafka == embedded
    topic = read_topic(world.settings.kafka_bootstrap, world.canonical)
    by_id = {orjson.loads(v)["id"]: orjson.loads(v) for _, v in topic}
    assert len(by_id) == len(topic) == len(embedded)
    for row in embedded:
        event = by_id[row[0]]
        assert (event["type"], event["key"]) == (row[1], row[2])
        assert event["data"] == orjson.loads(row[11])


def test_sigkilled_embedded_process_loses_and_doubles_nothing(world: World) -> None:
    assert world.kills["embedded"] == KILLS
    assert table_rows(world.embedded_killed) == table_rows(world.embedded)


@pytest.mark.parametrize("run", ["uninterrupted", "killed"])
def test_a_clean_stop_leaves_each_lane_a_saved_state_and_no_raw_log(world: World, run: str) -> None:
    path = world.embedded if run == "uninterrupted" else world.embedded_killed
    conn = duckdb.connect(str(path), read_only=True)
    try:
        states = conn.execute("SELECT system, next_seq FROM lane_state ORDER BY system").fetchall()
        (left,) = conn.execute("SELECT count(*) FROM raw_changes").fetchone() or (None,)
    finally:
        conn.close()
    assert [system for system, _ in states] == ["box_office", "pricing"]
    assert all(next_seq > 100 for _, next_seq in states)  # numbered on past the deleted log
    assert left == 0


def test_sigkilled_normalizer_and_loader_lose_and_double_nothing(world: World) -> None:
    assert world.kills["normalizer"] == KILLS and world.kills["loader"] == KILLS
    assert table_rows(world.kafka_killed) == table_rows(world.kafka)
    topic = read_topic(world.settings.kafka_bootstrap, world.canonical_killed)
    ids = [orjson.loads(v)["id"] for _, v in topic]
    assert len(ids) == len(set(ids)), "the canonical topic holds duplicates from the normalizer's restarts"
    assert set(ids) == {r[0] for r in table_rows(world.kafka)}
