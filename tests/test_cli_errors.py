"""Commands that cannot reach a service fail in one line, without a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_run_without_kafka_is_a_one_line_error(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "INVENTORY_CDC_STACK_HOME": str(tmp_path),
        "INVENTORY_CDC_STACK_KAFKA_PORT": "3",  # nothing listens there
        "INVENTORY_CDC_STACK_CONNECT_PORT": "4",
    }
    result = subprocess.run(
        [sys.executable, "-m", "cli", "run", "--transport", "kafka", "--until-caught-up"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: Kafka:"), result.stderr


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cli", *args], capture_output=True, text=True, timeout=120, check=False
    )


def test_a_broken_command_line_is_one_line_naming_the_problem_and_the_help() -> None:
    cases = {
        ("stack", "up", "--bogus"): "error: No such option: --bogus (see `inventory-cdc stack up --help`)",
        ("dlq", "list", "--limit", "many"): "error: Invalid value for '--limit':",
        ("stak",): "error: No such command 'stak'. Did you mean 'stack'? (see `inventory-cdc --help`)",
        ("connectors", "validate", "--transport"): "error: No such option: --transport",
    }
    for args, expected in cases.items():
        result = _cli(*args)
        assert result.returncode == 2, (args, result.stderr)
        assert result.stdout == "", (args, result.stdout)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(expected), (args, result.stderr)


def test_a_bare_group_prints_its_help() -> None:
    result = _cli("stack")
    assert result.returncode == 2
    assert "Usage: inventory-cdc stack" in result.stdout and "status" in result.stdout
    assert "Traceback" not in result.stderr
