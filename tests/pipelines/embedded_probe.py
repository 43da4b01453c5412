"""Run one embedded engine for a test, in its own process (a JVM per process), and print what it saw as JSON.

python -m tests.pipelines.embedded_probe CONFIG_JSON STATE_DIR SECONDS
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import orjson

from pipelines.transports.embedded import (
    EmbeddedEngine,
    RawRecord,
    engine_properties,
    exit_process,
    start_jvm,
)
from stack.fetch import embedded_classpath
from stack.settings import StackSettings


def main() -> None:
    config = orjson.loads(sys.argv[1])
    state = Path(sys.argv[2])
    seconds = float(sys.argv[3])
    start_jvm(embedded_classpath(StackSettings().jvm_home), state / "logs")
    seen: list[RawRecord] = []
    engine = EmbeddedEngine("probe", engine_properties("probe", config, state), seen.extend)
    engine.start()
    outcome: dict[str, object] = {}
    try:
        engine.wait(seconds)
    except Exception as exc:
        outcome["error"] = f"{type(exc).__name__}: {exc}"
    engine.stop()
    time.sleep(0.2)
    outcome["records"] = [
        {"topic": r.topic, "value": orjson.loads(r.value)["payload"] if r.value else None} for r in seen
    ]
    sys.stdout.write(orjson.dumps(outcome).decode() + "\n")
    exit_process(0)


if __name__ == "__main__":
    main()
