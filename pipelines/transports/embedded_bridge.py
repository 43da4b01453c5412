"""Crossing from the engine's JVM into Python: a batch of change records in about ten Java calls.

Each Java call gives up the GIL and must win it back (up to ``sys.getswitchinterval()`` while another Python
thread runs), so :class:`Bridge` moves a batch's topics, keys and values each in one call and marks records
processed in one more (see :mod:`pipelines.transports.embedded`).
"""

from __future__ import annotations

import threading
from typing import Any, NamedTuple


class RawRecord(NamedTuple):
    """One change record as Debezium serialized it (JSON with schema), and where it would go on Kafka."""

    topic: str
    key: bytes | None
    value: bytes | None


class Bridge:
    """Moves a batch of ``ChangeEvent<byte[], byte[]>`` into Python and marks records processed, with few crossings.

    Built from ``java.lang.invoke`` method handles turned into ``Function`` / ``Consumer`` objects, so the loops
    over a batch run in Java: every record's topic joined into one string; every key, then every value, written
    after a newline into a direct buffer over a Python ``bytearray`` (JSON as Kafka Connect writes it has no raw
    newline; a null is an empty line). About ten Java calls a batch instead of several a record: each Java call
    gives up the GIL and must win it back, which takes up to ``sys.getswitchinterval()`` while another Python
    thread runs. A batch that does not split as expected is read record by record.
    """

    def __init__(self, buffer_bytes: int = 16 << 20) -> None:
        import jpype

        def java(name: str) -> Any:
            return jpype.JClass(name)

        handles = java("java.lang.invoke.MethodHandles")
        method_type = java("java.lang.invoke.MethodType").methodType
        self._proxies = java("java.lang.invoke.MethodHandleProxies")
        self._consumer = java("java.util.function.Consumer")
        obj, string, event = (
            java("java.lang.Object"),
            java("java.lang.String"),
            java("io.debezium.engine.ChangeEvent"),
        )
        void, byte = java("java.lang.Void").TYPE, java("java.lang.Byte").TYPE
        byte_array = jpype.JArray(jpype.JByte)
        buffer = java("java.nio.ByteBuffer")
        lookup = handles.publicLookup()
        self._destination = self._proxies.asInterfaceInstance(
            java("java.util.function.Function"), lookup.findVirtual(event, "destination", method_type(string))
        )
        self._joining = java("java.util.stream.Collectors").joining(string("\n"))
        self._mark = lookup.findVirtual(
            java("io.debezium.engine.DebeziumEngine$RecordCommitter"), "markProcessed", method_type(void, obj)
        )
        # (buffer, record) -> { buffer.put('\n'); buffer.put(requireNonNullElse(record.<part>(), new byte[0])) }
        or_empty = handles.insertArguments(
            lookup.findStatic(java("java.util.Objects"), "requireNonNullElse", method_type(obj, obj, obj)),
            1,
            byte_array(0),
        )
        put_bytes = lookup.findVirtual(buffer, "put", method_type(buffer, byte_array.class_))
        put_byte = lookup.findVirtual(buffer, "put", method_type(buffer, byte))
        self._writers: dict[str, Any] = {}
        for part in ("key", "value"):
            getter = handles.filterReturnValue(lookup.findVirtual(event, part, method_type(obj)), or_empty)
            put = handles.filterArguments(
                put_bytes.asType(method_type(void, buffer, obj)), 1, getter.asType(method_type(obj, obj))
            )
            newline = handles.insertArguments(
                put_byte.asType(method_type(void, buffer, byte)), 1, jpype.JByte(10)
            )
            self._writers[part] = handles.foldArguments(put, handles.dropArguments(newline, 1, obj))
        self._memory = bytearray(buffer_bytes)
        self._buffer = jpype.nio.convertToDirectBuffer(self._memory)
        self._lock = threading.Lock()

    def records(self, records: Any) -> list[RawRecord]:
        """The batch as :class:`RawRecord`s."""
        size = int(records.size())
        if not size:
            return []
        topics = str(records.stream().map(self._destination).collect(self._joining)).split("\n")
        with self._lock:
            keys = self._column(records, "key")
            values = self._column(records, "value")
        if len(topics) != size or len(keys) != size or len(values) != size:
            return self._one_by_one(records)
        return [RawRecord(*record) for record in zip(topics, keys, values, strict=True)]

    def _column(self, records: Any, part: str) -> list[bytes | None]:
        import jpype

        while True:
            buffer = self._buffer
            buffer.clear()
            write = self._proxies.asInterfaceInstance(self._consumer, self._writers[part].bindTo(buffer))
            try:
                records.forEach(write)
                break
            except jpype.JException as exc:
                if not exc.getClass().getName() == "java.nio.BufferOverflowException":
                    raise
                self._memory = bytearray(2 * len(self._memory))
                self._buffer = jpype.nio.convertToDirectBuffer(self._memory)
        data = bytes(memoryview(self._memory)[: int(buffer.position())])
        return [line or None for line in data.split(b"\n")[1:]]

    def _one_by_one(self, records: Any) -> list[RawRecord]:
        batch: list[RawRecord] = []
        for event in records:
            key, value = event.key(), event.value()
            batch.append(
                RawRecord(
                    str(event.destination()),
                    None if key is None else memoryview(key).tobytes(),
                    None if value is None else memoryview(value).tobytes(),
                )
            )
        return batch

    def mark(self, records: Any, committer: Any, start: int, stop: int) -> None:
        """Mark records ``[start, stop)`` of a batch processed (a Java list: in Java, one call for all of them;
        a Python list of Java records: one call each)."""
        if stop <= start:
            return
        if isinstance(records, list):
            for record in records[start:stop]:
                committer.markProcessed(record)
            return
        chosen = records if start == 0 and stop >= records.size() else records.subList(start, stop)
        chosen.forEach(self._proxies.asInterfaceInstance(self._consumer, self._mark.bindTo(committer)))
