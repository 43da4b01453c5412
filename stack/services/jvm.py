"""Shared pieces of the JVM services: the class path, the logging config and the java command."""

from __future__ import annotations

from pathlib import Path

from stack.binaries import find
from stack.settings import StackSettings

LOG4J2 = """\
status = warn
appender.console.type = Console
appender.console.name = STDOUT
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.stdout.ref = STDOUT
logger.kafka.name = kafka
logger.kafka.level = WARN
logger.apache.name = org.apache.kafka
logger.apache.level = WARN
logger.connect.name = org.apache.kafka.connect.runtime.rest
logger.connect.level = WARN
logger.reflections.name = org.reflections
logger.reflections.level = ERROR
logger.debezium.name = io.debezium
logger.debezium.level = INFO
logger.workers.name = org.apache.kafka.connect.runtime.Worker
logger.workers.level = INFO
"""


def write_properties(path: Path, values: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{k}={v}\n" for k, v in values.items()))


def java_command(
    settings: StackSettings, config_dir: Path, heap: str, main_class: str, *args: str
) -> list[str]:
    """``java`` with the stack's class path (``lib/*``: java expands the wildcard itself) and logging config."""
    log4j = config_dir / "log4j2.properties"
    if not log4j.exists():
        config_dir.mkdir(parents=True, exist_ok=True)
        log4j.write_text(LOG4J2)
    return [
        find("java"),
        f"-Xms{heap}",
        f"-Xmx{heap}",
        "-XX:+UseG1GC",
        "-XX:MaxGCPauseMillis=20",
        "-Djava.awt.headless=true",
        f"-Dlog4j2.configurationFile={log4j}",
        "-cp",
        str(settings.jvm_home / "lib" / "*"),
        main_class,
        *args,
    ]
