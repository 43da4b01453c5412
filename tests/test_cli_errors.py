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
