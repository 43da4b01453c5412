"""`run --transport kafka` bounds the normalizer's memory from the command line: what its consumer may prefetch
(`--prefetch-mib`) and what a draining lane may hold back (`--drain-hold-mib`).

The normalizer class is replaced by one that keeps the configuration it is given and stops the command, so these
need no broker; the bounds' effects are shown on the live broker by tests/runtime/test_kafka_drain.py and the
SIGKILL runs of tests/runtime/test_transports.py, which run with tight bounds.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cli.main import app
from pipelines.exceptions import InventoryCdcError
from pipelines.transports import kafka_normalizer
from pipelines.transports.kafka_normalizer import KafkaNormalizerConfig

runner = CliRunner()


class _Stop(InventoryCdcError):
    pass


@pytest.fixture()
def given(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[KafkaNormalizerConfig]:
    seen: list[KafkaNormalizerConfig] = []

    def capture(routes: Any, config: KafkaNormalizerConfig, policy: Any) -> None:
        seen.append(config)
        raise _Stop("configuration taken")

    monkeypatch.setattr(kafka_normalizer, "KafkaNormalizer", capture)
    monkeypatch.setenv("INVENTORY_CDC_STACK_HOME", str(tmp_path))
    return seen


def _run(*args: str) -> Any:
    return runner.invoke(
        app, ["run", "--transport", "kafka", "--role", "normalizer", "--spec", "box_office", *args]
    )


def test_the_bounds_reach_the_normalizer(given: list[KafkaNormalizerConfig]) -> None:
    result = _run("--prefetch-mib", "8", "--drain-hold-mib", "3")
    assert "configuration taken" in result.output
    (config,) = given
    assert config.prefetch_kbytes == 8 * 1024
    assert config.drain_hold_bytes == 3 * 1024 * 1024


def test_without_them_the_normalizer_has_its_own_defaults(given: list[KafkaNormalizerConfig]) -> None:
    _run()
    (config,) = given
    defaults = KafkaNormalizerConfig("unused")
    assert (config.prefetch_kbytes, config.drain_hold_bytes) == (
        defaults.prefetch_kbytes,
        defaults.drain_hold_bytes,
    )


def test_a_prefetch_of_nothing_is_refused(given: list[KafkaNormalizerConfig]) -> None:
    result = _run("--prefetch-mib", "0")
    assert result.exit_code == 2 and given == []
    assert "--prefetch-mib" in result.output
