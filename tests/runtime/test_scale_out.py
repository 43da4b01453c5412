"""Two normalizer processes in one group share the work (one legacy system each) and together produce exactly
the canonical events one process produces alone."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from cli.main import app
from stack.settings import StackSettings
from tests.runtime.procs import Proc, read_topic, run_to_end, status, topic_has, wait_for
from tests.runtime.scratch import Scratch

pytestmark = pytest.mark.stack


def _args(specs: list[Path], group: str, canonical: str) -> list[str]:
    args = [
        "--transport",
        "kafka",
        "--role",
        "normalizer",
        "--group",
        group,
        "--canonical-topic",
        canonical,
        "--dlq-topic",
        f"{canonical}.dlq",
    ]
    for spec in specs:
        args += ["--spec", str(spec)]
    return args


def test_two_normalizers_split_the_systems_and_match_one(
    stack_settings: StackSettings, tmp_path: Path
) -> None:
    scratch = Scratch(stack_settings, tmp_path, tag="so")
    procs: list[Proc] = []
    try:
        specs = scratch.specs("s")
        scratch.start_connectors(specs)
        two = f"{scratch.name}.two"
        for i in range(2):
            proc = Proc(
                [*_args(specs, f"{scratch.name}_two", two), "--status-file", str(tmp_path / f"{i}.status")],
                tmp_path / f"{i}.log",
            )
            proc.start()
            procs.append(proc)
        # both members in the group before any work: one system each
        wait_for(
            lambda: all(len(status(tmp_path / f"{i}.status").get("systems", [])) == 1 for i in range(2)),
            90,
            "one lease each",
        )
        result = CliRunner().invoke(
            app,
            [
                "simulate",
                "--scenario",
                "onsale",
                "--seed",
                "31",
                "-n",
                "800",
                "--box-office-db",
                scratch.name,
                "--pricing-db",
                scratch.name,
                "--out",
                str(tmp_path / "sim"),
                "-o",
                "json",
            ],
            env={"COLUMNS": "200", "INVENTORY_CDC_CRM_URL": ""},
        )
        assert result.exit_code == 0, result.output
        scratch.signal("done")
        bootstrap = stack_settings.kafka_bootstrap
        for prefix, topic in (
            (scratch.prefixes[0], f"{scratch.name}.DBZ_SIGNAL"),
            (scratch.prefixes[1], "public.dbz_signal"),
        ):
            wait_for(lambda p=prefix, t=topic: topic_has(bootstrap, f"{p}.{t}", "done"), 120, "marker")
        one = f"{scratch.name}.one"
        run_to_end(_args(specs, f"{scratch.name}_one", one), tmp_path / "one.log")
        alone = read_topic(bootstrap, one)
        assert len(alone) > 1000
        wait_for(
            lambda: len(read_topic(bootstrap, two)) >= len(alone), 120, "the two normalizers to catch up"
        )
        statuses = [status(tmp_path / f"{i}.status") for i in range(2)]
        assert {tuple(s["systems"]) for s in statuses} == {("box_office",), ("pricing",)}
        assert all(s["events"] > 0 for s in statuses), statuses
        assert all(p.terminate() == 0 for p in procs)

        shared = read_topic(bootstrap, two)
        assert sorted(v for _, v in shared) == sorted(v for _, v in alone)
        ids = [orjson.loads(v)["id"] for _, v in shared]
        assert len(ids) == len(set(ids))
    finally:
        for p in procs:
            p.close()
        scratch.close()
