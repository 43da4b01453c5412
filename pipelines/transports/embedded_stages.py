"""The embedded lanes' plumbing: a worker thread per stage, and the map from raw-log numbers to engine positions.

:class:`Stage` runs one stage of a lane (normalizing, writing to DuckDB) in its own thread, in order, with at
most one item waiting; :class:`Positions` tells which record of the engine's delivery a raw-log sequence number
is, so a lane can report to the engine how many of its records are done.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

from pipelines.transports.embedded import RawRecord, detach_thread

_T = TypeVar("_T")


class Stage(Generic[_T]):
    """A thread working through a queue in order: one item in work, at most one waiting (:meth:`put` waits).

    The first error stops the stage: it is kept, the queue is dropped, and :meth:`put` raises it.
    """

    def __init__(self, name: str, work: Callable[[_T], None]) -> None:
        self.name = name
        self._work = work
        self._queue: deque[_T] = deque()  # the head is in work
        self._ready = threading.Condition()
        self._closed = False
        self.error: BaseException | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()

    def put(self, item: _T) -> None:
        with self._ready:
            while len(self._queue) > 1 and self.error is None and not self._closed:
                self._ready.wait()
            if self.error is not None:
                raise self.error
            self._queue.append(item)
            self._ready.notify_all()

    @property
    def idle(self) -> bool:
        with self._ready:
            return not self._queue

    def drain(self, timeout_s: float) -> None:
        with self._ready:
            self._ready.wait_for(lambda: not self._queue or self.error is not None, timeout_s)

    def close(self, timeout_s: float) -> None:
        self.drain(timeout_s)
        with self._ready:
            self._closed = True
            self._ready.notify_all()
        if self._thread is not None:
            self._thread.join(timeout_s)

    def _run(self) -> None:
        try:
            while True:
                with self._ready:
                    self._ready.wait_for(lambda: bool(self._queue) or self._closed)
                    if not self._queue:
                        return
                    item = self._queue[0]
                try:
                    self._work(item)
                except BaseException as exc:
                    with self._ready:
                        self.error = exc
                        self._queue.clear()
                        self._ready.notify_all()
                    return
                with self._ready:
                    self._queue.popleft()
                    self._ready.notify_all()
        finally:
            detach_thread()


class Positions:
    """Where the raw log's sequence numbers sit in the engine's delivery order, for batches not done yet.

    A batch without skipped records maps arithmetically; one with skipped records (heartbeats) keeps the
    position of each record it numbered. A sequence number older than every batch kept (a record of the
    raw-log replay, from before this run) maps to 0: nothing of this run is done before it.
    """

    def __init__(self) -> None:
        # (first sequence number, position of the batch's first record, record count, positions or None)
        self._batches: deque[tuple[int, int, int, list[int] | None]] = deque()

    def add(
        self, first_seq: int, base: int, batch: Sequence[RawRecord] | int, topics: frozenset[str]
    ) -> None:
        if isinstance(batch, int):
            self._batches.append((first_seq, base, batch, None))
            return
        numbered = [base + i for i, record in enumerate(batch) if record.topic in topics]
        self._batches.append((first_seq, base, len(batch), numbered))

    def index(self, seq: int) -> int:
        """Position of the record numbered ``seq``: the number of records delivered before it."""
        for first_seq, base, size, numbered in self._batches:
            count = size if numbered is None else len(numbered)
            if seq < first_seq:
                break
            if seq < first_seq + count:
                return base + seq - first_seq if numbered is None else numbered[seq - first_seq]
        return 0

    def forget(self, done: int) -> None:
        """Drop batches wholly before position ``done``."""
        while self._batches and self._batches[0][1] + self._batches[0][2] <= done:
            self._batches.popleft()
