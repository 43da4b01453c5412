"""Throughput and lag counters of a normalizer (or a whole transport), cheap enough for the hot path."""

from __future__ import annotations

import time
from dataclasses import dataclass, field


@dataclass
class Counters:
    """Monotonic counts plus the source commit time of the newest change handled (for time lag)."""

    records: int = 0
    events: int = 0
    dead_letters: int = 0
    parked: int = 0
    last_source_ms: int = 0
    started: float = field(default_factory=time.monotonic)

    def add(self, other: Counters) -> None:
        self.records += other.records
        self.events += other.events
        self.dead_letters += other.dead_letters
        self.parked += other.parked
        self.last_source_ms = max(self.last_source_ms, other.last_source_ms)

    def lag_ms(self, now_ms: int | None = None) -> int | None:
        """Milliseconds between now and the source commit of the newest change handled (None before any)."""
        if not self.last_source_ms:
            return None
        now = int(time.time() * 1000) if now_ms is None else now_ms
        return max(0, now - self.last_source_ms)


class Rate:
    """Events per second over a sliding window of samples."""

    def __init__(self, window_s: float = 5.0) -> None:
        self.window_s = window_s
        self._samples: list[tuple[float, int]] = []

    def update(self, total: int, now: float | None = None) -> float:
        t = time.monotonic() if now is None else now
        self._samples.append((t, total))
        while len(self._samples) > 2 and t - self._samples[0][0] > self.window_s:
            self._samples.pop(0)
        t0, n0 = self._samples[0]
        return 0.0 if t == t0 else (total - n0) / (t - t0)
