"""Debezium's embedded engine in this process (``pydbzengine``), handing raw change records to Python.

The engine's JVM starts with the class path the composition root gives (the stack fetches Debezium's embedded
engine and connectors with Maven: the same Debezium as the Connect stack, including the MariaDB connector that
pydbzengine's own bundle lacks). Records reach :attr:`EmbeddedEngine.on_batch` as :class:`RawRecord`s, the bytes
Kafka Connect's JsonConverter with schemas writes to Kafka (the engine's ``JsonByteArray`` format: no Java
string in between), so one decoder serves both transports.

Crossing into Python costs a few microseconds per Java call, and each call gives up the GIL and must win it back
(up to ``sys.getswitchinterval()`` while another Python thread runs), so a batch crosses in about ten calls, not
several per record (:class:`Bridge`): its topics as one joined string, its keys and its values each written by
Java into a buffer Python owns, and the records a handler reports done marked processed by one Java
``forEach``. A :class:`Batch` reads its records on first access, in the thread that asks: a handler that queues
batches for a thread of its own leaves the engine's thread free to fetch the next batch.

Delivery: the engine numbers the records it hands over (from 0 in each run). ``on_batch`` returns how many of
the records delivered so far are done (all of them by default), which may lag behind what it was handed: a
handler that writes in the background reports on each call what its finished writes cover (and the rest with
:meth:`EmbeddedEngine.acknowledge`). Only done records are marked processed, in order, and offsets are flushed
to the offset file after that (every ``offset_flush_ms``). A handler that holds a source transaction open
reports the records before it, so a restart resumes at the transaction's start (Debezium numbers a
transaction's changes again from 1 when it resumes inside one). A crash between the handler's commit and the
flush replays what followed the last flush: at-least-once, so the sink must be idempotent (the canonical table
is, on ``id``).

Process exit: once a JVM has run Debezium in this process, end the process with :func:`exit_process` after
everything is committed. Interpreter teardown with the JVM's threads still attached aborts now and then
("exception not rethrown", exit 134), and can hang after a failed engine.

Hazards: a PostgreSQL connector's replication slot keeps WAL while the engine is down; a MariaDB connector whose
binlog position was purged (``binlog_expire_logs_seconds``) cannot resume and must snapshot again.
"""

from __future__ import annotations

import collections
import contextlib
import os
import sys
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, NoReturn, overload

from pipelines.transports.embedded_bridge import Bridge, RawRecord
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


MAX_UNMARKED_BATCHES = 4
"""Batches kept whole (in the JVM) until their records are marked processed; of older ones only the last
record is kept (a mark at a batch's end stays exact; one inside waits for a later one), and of those at most
:data:`MAX_UNMARKED_ENDS`."""

MAX_UNMARKED_ENDS = 64


class Batch(Sequence[RawRecord]):
    """One batch of the engine: its length at once, its records read from the JVM on first access (then kept)."""

    def __init__(self, bridge: Bridge, records: Any, size: int) -> None:
        self._bridge = bridge
        self._java: Any = records
        self._size = size
        self._records: list[RawRecord] | None = None
        self._lock = threading.Lock()

    def records(self) -> list[RawRecord]:
        """The records (read once, in the calling thread)."""
        if self._records is None:
            with self._lock:
                if self._records is None:
                    self._records = self._bridge.records(self._java)
                    self._java = None
        return self._records

    def __len__(self) -> int:
        return self._size

    @overload
    def __getitem__(self, index: int) -> RawRecord: ...

    @overload
    def __getitem__(self, index: slice) -> list[RawRecord]: ...

    def __getitem__(self, index: int | slice) -> RawRecord | list[RawRecord]:
        return self.records()[index]

    def __iter__(self) -> Iterator[RawRecord]:
        return iter(self.records())


BatchHandler = Callable[[Batch], int | None]
"""Takes a batch; returns how many of the records delivered so far in this run (earlier batches included,
counted from the first) are done, their offsets may be committed; None for all of them. Records never reported
done are delivered again after a restart."""


def start_jvm(classpath: Sequence[str], log_dir: Path, heap: str = "1g") -> None:
    """Start this process's JVM with ``classpath`` (once per process; later calls check it is usable).

    Unlinks JPype's Python-to-Java garbage collection trigger (see :func:`_unlink_gc`).
    """
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
    _unlink_gc()
    try:
        jpype.JClass("io.debezium.engine.DebeziumEngine")
    except Exception as exc:
        raise JvmError("the JVM has no Debezium on its class path: run `inventory-cdc stack fetch`") from exc


def _unlink_gc() -> None:
    """Stop JPype from running Java's ``System.gc()`` after Python's collections.

    JPype hooks ``gc.callbacks``: after any Python collection that finds the C heap ~10 MB above its high-water
    mark it calls ``System.gc()``, a full stop-the-world collection of the engine's heap, and every Java
    collection in turn makes JPype run a full Python collection. A pipeline that moves tens of MB per batch
    crosses that mark several times a second: the two collectors kept each other busy for about 40% of the
    embedded benchmark's time. Java still collects its heap when it needs to (and JPype still runs Python's
    collector after Java's); nothing here holds objects that only an explicit ``System.gc()`` would free.
    """
    import gc

    import _jpype

    hook = getattr(_jpype, "_collect", None)
    if hook is not None:
        gc.callbacks[:] = [callback for callback in gc.callbacks if callback is not hook]


def detach_thread() -> None:
    """Detach the calling thread from the JVM, if it was attached (a thread left attached can hang the exit)."""
    import jpype

    if jpype.isJVMStarted():
        with contextlib.suppress(Exception):
            jpype.java.lang.Thread.detach()


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
        # records handed over and not yet marked processed: [Java list, number of its first record, size]
        self._unmarked: collections.deque[tuple[Any, int, int]] = collections.deque()
        self._delivered = 0
        self._marked = 0
        self._committer: Any = None
        self._bridge: Bridge | None = None
        self._marking = threading.Lock()

    def _build(self) -> Any:
        import jpype
        from pydbzengine.engine._jvm import JDebeziumEngine, JProperties

        outer = self
        bridge = self._bridge = Bridge()

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
                try:
                    batch = Batch(bridge, records, int(records.size()))
                    with outer._marking:
                        outer._committer = committer
                        outer._keep(records, len(batch))
                    done = outer.on_batch(batch)
                    outer.acknowledge(done)
                except BaseException as exc:
                    outer._handler_error = exc
                    jpype.java.lang.Thread.currentThread().interrupt()  # stops the engine
                    return

            @jpype.JOverride
            def supportsTombstoneEvents(self) -> bool:
                return True

        props = JProperties()
        for key, value in outer.properties.items():
            props.setProperty(str(key), str(value))
        return (
            JDebeziumEngine.create(jpype.JClass("io.debezium.engine.format.JsonByteArray"))
            .using(props)
            .using(Completion())
            .notifying(Consumer())
            .build()
        )

    def _keep(self, records: Any, size: int) -> None:
        """Keep a batch's records for marking (with ``_marking`` held), trimming the oldest kept."""
        unmarked = self._unmarked
        unmarked.append((records, self._delivered, size))
        self._delivered += size
        if len(unmarked) > MAX_UNMARKED_BATCHES:
            index = len(unmarked) - MAX_UNMARKED_BATCHES - 1
            old, first, old_size = unmarked[index]
            if old_size > 1 and not isinstance(old, list):
                unmarked[index] = ([old.get(old_size - 1)], first + old_size - 1, 1)
        while len(unmarked) > MAX_UNMARKED_BATCHES + MAX_UNMARKED_ENDS:
            unmarked.popleft()  # never marked: a later mark moves the offset past it

    def acknowledge(self, done: int | None) -> None:
        """Mark the first ``done`` records of this run processed (None: all delivered so far), in order.

        Thread-safe: a handler that writes in the background calls it when its writes catch up (between
        batches). Only the offset of the last record marked matters to a restart; where only the end of a batch
        is kept (:data:`MAX_UNMARKED_BATCHES`), records inside it are not marked, never out of order.
        """
        with self._marking:
            bridge, committer = self._bridge, self._committer
            if bridge is None or committer is None or self._done.is_set():
                return
            target = self._delivered if done is None else min(done, self._delivered)
            while self._unmarked and self._marked < target:
                records, first, size = self._unmarked[0]
                start, stop = max(0, self._marked - first), min(size, target - first)
                if stop <= 0:
                    break  # the target lies in a batch no longer kept: wait for a later one
                bridge.mark(records, committer, start, stop)
                self._marked = first + stop
                if stop < size:
                    break
                self._unmarked.popleft()
            committer.markBatchFinished()  # flushes the offsets marked once offset_flush_ms has passed

    def start(self) -> None:
        """Run the engine in a background thread."""
        self._engine = self._build()

        def run() -> None:
            try:
                self._engine.run()
            except BaseException as exc:  # the handler's own error is kept and re-raised by wait()
                if self._handler_error is None:
                    self._handler_error = exc
            finally:
                self._done.set()
                detach_thread()  # a thread left attached to the JVM makes interpreter exit hang

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
