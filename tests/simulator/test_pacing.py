"""The token bucket that paces ``--rate``: a burst up front, then the rate, measured on a fake clock."""

from __future__ import annotations

import pytest

from simulator.pacing import TokenBucket


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_rate_is_held_after_the_initial_burst() -> None:
    clock = FakeClock()
    bucket = TokenBucket(50, burst=5, clock=clock, sleep=clock.sleep)
    for _ in range(5):
        bucket.take()
    assert clock.now == 0.0
    for _ in range(500):
        bucket.take()
    assert clock.now == pytest.approx(10.0, rel=1e-6)


def test_idle_time_saves_at_most_a_burst() -> None:
    clock = FakeClock()
    bucket = TokenBucket(10, burst=2, clock=clock, sleep=clock.sleep)
    bucket.take()
    clock.now += 60
    start = clock.now
    for _ in range(12):
        bucket.take()
    assert clock.now - start == pytest.approx(1.0)


@pytest.mark.parametrize("rate", [0, -5])
def test_a_rate_must_be_positive(rate: float) -> None:
    with pytest.raises(ValueError, match="positive"):
        TokenBucket(rate)
