"""Pacing operations to a target rate with a token bucket (``--rate``); without a rate, no pacing at all."""

from __future__ import annotations

import time
from collections.abc import Callable


class TokenBucket:
    """``rate`` tokens a second, at most ``burst`` saved up; :meth:`take` blocks until a token is there.

    The bucket starts full, so a run begins with at most ``burst`` operations at once and then settles at
    ``rate``. The clock and the sleep are injectable for tests.
    """

    def __init__(
        self,
        rate: float,
        burst: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate <= 0:
            raise ValueError(f"rate must be positive, not {rate}")
        self.rate = rate
        self.burst = burst if burst is not None else max(1.0, rate / 10)
        self._clock = clock
        self._sleep = sleep
        self._tokens = self.burst
        self._last = clock()

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(self.burst, self._tokens + (now - self._last) * self.rate)
        self._last = now

    def take(self) -> None:
        """Wait for one token and use it."""
        self._refill()
        if self._tokens < 1:
            self._sleep((1 - self._tokens) / self.rate)
            self._refill()
            # the wait was computed to earn the missing fraction: rounding must not make us wait again
            self._tokens = max(self._tokens, 1.0)
        self._tokens -= 1
