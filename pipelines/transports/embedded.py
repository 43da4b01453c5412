"""Debezium's embedded engine in this process (``pydbzengine``), handing raw change records to Python.

The engine's JVM starts with the class path the composition root gives (the stack fetches Debezium's embedded
engine and connectors with Maven: the same Debezium as the Connect stack, including the MariaDB connector that
pydbzengine's own bundle lacks). Records reach :attr:`EmbeddedEngine.on_batch` as :class:`RawRecord`s, serialized
exactly as Kafka Connect's JsonConverter with schemas writes them to Kafka, so one decoder serves both transports.

Delivery: a batch counts as processed only when ``on_batch`` returns, and only its leading records that
``on_batch`` reports done (all by default) are marked processed; offsets are flushed to the offset file after
that (every ``offset_flush_ms``). A handler that holds a source transaction open across batches reports the
records before it, so a restart resumes at the transaction's start (Debezium numbers a transaction's changes
again from 1 when it resumes inside one). A crash between the caller's commit and the flush replays the batch:
at-least-once, so the sink must be idempotent (the canonical table is, on ``id``).

Process exit: once a JVM has run Debezium in this process, end the process with :func:`exit_process` after
everything is committed. Interpreter teardown with the JVM's threads still attached aborts now and then
("exception not rethrown", exit 134), and can hang after a failed engine.

Hazards: a PostgreSQL connector's replication slot keeps WAL while the engine is down; a MariaDB connector whose
binlog position was purged (``binlog_expire_logs_seconds``) cannot resume and must snapshot again.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

from pipelines.transports.exceptions import EmbeddedEngineError, JvmError

LOG4J2 = """\
status = warn
appender.file.type = File
appender.file.name = FILE
appender.file.fileName = {log}
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = FILE
logger.kafka.name = org.apache.kafka
logger.kafka.level = WARN
"""

JUL = """\
handlers = java.util.logging.ConsoleHandler
.level = WARNING
java.util.logging.ConsoleHandler.level = SEVERE
"""


@dataclass(frozen=True, slots=True)
class RawRecord:
    """One change record as Debezium serialized it (JSON with schema), and where it would go on Kafka."""

    topic: str
    key: bytes | None
    value: bytes | None


BatchHandler = Callable[[list[RawRecord]], int | None]
"""Handles a batch; returns how many of its leading records are done (their offsets may be committed), None
for all of them. Records not done are delivered again after a restart."""


def start_jvm(classpath: Sequence[str], log_dir: Path, heap: str = "1g") -> None:
    """Start this process's JVM with ``classpath`` (once per process; later calls check it is usable)."""
    import jpype
    import jpype.config

    if not jpype.isJVMStarted():
        if not classpath:
            raise JvmError("no jars for the embedded engine: run `inventory-cdc stack fetch`")
        log_dir.mkdir(parents=True, exist_ok=True)
        log4j = log_dir / "embedded-log4j2.properties"
        log4j.write_text(LOG4J2.format(log=log_dir / "embedded-engine.log"))
        jul = log_dir / "embedded-logging.properties"
        jul.write_text(JUL)
        # no JVM teardown at interpreter exit: Debezium's non-daemon threads would make the exit hang
        jpype.config.destroy_jvm = False
        try:
            jpype.startJVM(
                f"-Xmx{heap}",
                # SIGTERM / SIGINT stay Python's: the JVM would otherwise exit the process mid-batch
                "-Xrs",
                "-XX:+UseG1GC",
                f"-Dlog4j2.configurationFile={log4j}",
                f"-Djava.util.logging.config.file={jul}",
                classpath=list(classpath),
                convertStrings=False,
            )
        except OSError as exc:
            raise JvmError(f"could not start the JVM for the embedded engine: {exc}") from exc
    try:
        jpype.JClass("io.debezium.engine.DebeziumEngine")
    except Exception as exc:
        raise JvmError("the JVM has no Debezium on its class path: run `inventory-cdc stack fetch`") from exc


def exit_process(code: int) -> NoReturn:
    """End a process that ran the embedded engine: flush Python's streams, then exit without JVM teardown."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def engine_properties(
    name: str, connector: Mapping[str, str], state_dir: Path, offset_flush_ms: int = 1000
) -> dict[str, str]:
    """The connector's config plus where the engine keeps its offsets and schema history."""
    state_dir.mkdir(parents=True, exist_ok=True)
    props = dict(connector)
    props.update(
        {
            "name": name,
            "offset.storage": "org.apache.kafka.connect.storage.FileOffsetBackingStore",
            "offset.storage.file.filename": str(state_dir / "offsets.dat"),
            "offset.flush.interval.ms": str(offset_flush_ms),
            "schema.history.internal": "io.debezium.storage.file.history.FileSchemaHistory",
            "schema.history.internal.file.filename": str(state_dir / "schema-history.dat"),
            # the same wire format as the Connect worker's JsonConverter with schemas
            "converter.schemas.enable": "true",
        }
    )
    for key in list(props):
        if key.startswith("schema.history.internal.kafka."):
            del props[key]
    return props


class EmbeddedEngine:
    """One Debezium connector run in-process. :meth:`run` blocks until :meth:`stop` or a failure."""

    def __init__(
        self,
        name: str,
        properties: Mapping[str, str],
        on_batch: BatchHandler,
    ) -> None:
        self.name = name
        self.properties = dict(properties)
        self.on_batch = on_batch
        self._engine: Any = None
        self._failure: tuple[str, str | None] | None = None
        self._handler_error: BaseException | None = None
        self._done = threading.Event()
        self._thread: threading.Thread | None = None

    def _build(self) -> Any:
        import jpype
        from pydbzengine.engine._jvm import EngineFormat, JDebeziumEngine, JProperties

        outer = self

        @jpype.JImplements("io.debezium.engine.DebeziumEngine$CompletionCallback")
        class Completion:
            @jpype.JOverride
            def handle(self, success: bool, message: Any, error: Any) -> None:
                if not success:
                    cause = None
                    if error is not None:
                        root = error
                        while root.getCause() is not None:
                            root = root.getCause()
                        cause = str(root.toString())
                    outer._failure = (str(message), cause)
                outer._done.set()

        @jpype.JImplements("io.debezium.engine.DebeziumEngine$ChangeConsumer")
        class Consumer:
            @jpype.JOverride
            def handleBatch(self, records: Any, committer: Any) -> None:
                events = list(records)
                batch = [
                    RawRecord(
                        topic=str(r.destination()),
                        key=None if r.key() is None else str(r.key()).encode(),
                        value=None if r.value() is None else str(r.value()).encode(),
                    )
                    for r in events
                ]
                try:
                    done = outer.on_batch(batch)
                except BaseException as exc:
                    outer._handler_error = exc
                    jpype.java.lang.Thread.currentThread().interrupt()  # stops the engine
                    return
                # only records the handler says are reflected in its output count as processed: the engine
                # flushes the offset of the last one marked, so a restart resumes at the first one not marked
                for r in events[: len(events) if done is None else done]:
                    committer.markProcessed(r)
                committer.markBatchFinished()

            @jpype.JOverride
            def supportsTombstoneEvents(self) -> bool:
                return True

        props = JProperties()
        for key, value in outer.properties.items():
            props.setProperty(str(key), str(value))
        return (
            JDebeziumEngine.create(EngineFormat.JSON)
            .using(props)
            .using(Completion())
            .notifying(Consumer())
            .build()
        )

    def start(self) -> None:
        """Run the engine in a background thread."""
        self._engine = self._build()

        def run() -> None:
            import jpype

            try:
                self._engine.run()
            except BaseException as exc:  # the handler's own error is kept and re-raised by wait()
                if self._handler_error is None:
                    self._handler_error = exc
            finally:
                self._done.set()
                # a thread left attached to the JVM makes interpreter exit hang
                with contextlib.suppress(Exception):
                    jpype.java.lang.Thread.detach()

        self._thread = threading.Thread(target=run, name=f"debezium-{self.name}", daemon=True)
        self._thread.start()

    def wait(self, timeout_s: float | None = None) -> bool:
        """Wait for the engine to end; raise what made it fail. False if still running after ``timeout_s``."""
        if not self._done.wait(timeout_s):
            return False
        if self._thread is not None:
            self._thread.join(10)
        self.raise_if_failed()
        return True

    def raise_if_failed(self) -> None:
        if self._handler_error is not None:
            raise self._handler_error
        if self._failure is not None:
            message, cause = self._failure
            raise EmbeddedEngineError(self.name, message, cause)

    @property
    def running(self) -> bool:
        return self._thread is not None and not self._done.is_set()

    def stop(self) -> None:
        """Stop the engine (flushing offsets of what was processed) and wait for its thread."""
        # closing an engine that already ended (a failure) aborts the process at exit: leave it be
        if self._engine is not None and not self._done.is_set():
            self._engine.close()
        if self._thread is not None:
            self._thread.join(30)
