"""Replaying dead letters through the current adapters (``inventory-cdc dlq replay``).

For each system, a fresh normalizer is first brought up to date by ``warm`` (the caller's: the raw change log,
or the lane's saved state and the Kafka topics from its offsets, handled with ``emit=False``); then each dead
letter's raw record is mapped on its own (outside transaction grouping). A letter whose record now yields no failure is *resolved*: its events
(kept per system in :attr:`ReplayResult.by_system`, since where they go depends on the system's transport) go
to the canonical stream and the letter leaves the dead-letter table; writing them is the caller's part. A
caller that publishes to Kafka does so, committed, *before* the DuckDB transaction that removes the letters:
a crash in between replays the same letters again, and their events have the same deterministic ids.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from pipelines.canonical import CanonicalEvent
from pipelines.runtime.deadletter import DeadLetter, source_record
from pipelines.runtime.normalizer import Policy, SystemNormalizer
from pipelines.runtime.routes import Route


@dataclass
class ReplayResult:
    by_system: dict[str, list[CanonicalEvent]] = field(default_factory=dict)
    """system -> the events of its resolved letters, in letter order"""
    resolved: list[str] = field(default_factory=list)
    failing: dict[str, str] = field(default_factory=dict)
    """dead letter id -> why it still fails"""

    @property
    def events(self) -> list[CanonicalEvent]:
        """Every system's events (systems in name order)."""
        return [event for system in sorted(self.by_system) for event in self.by_system[system]]


def replay(
    letters: Sequence[DeadLetter],
    routes: Sequence[Route],
    warm: Callable[[Route, SystemNormalizer], None],
    fetch_value: Callable[[DeadLetter], bytes | None],
    policy: Policy | None = None,
) -> ReplayResult:
    """Run ``letters`` through fresh normalizers of ``routes`` warmed by ``warm`` (see the module docstring).

    ``fetch_value`` reads back values that the letters carry only as a reference.
    """
    result = ReplayResult()
    by_system = {r.system: r for r in routes}
    for system in sorted({letter.system or "" for letter in letters}):
        mine = [letter for letter in letters if (letter.system or "") == system]
        route = by_system.get(system)
        if route is None:
            for letter in mine:
                result.failing[letter.id] = f"no route for system {system!r}: pass its spec"
            continue
        normalizer = SystemNormalizer(route, policy=policy)
        warm(route, normalizer)
        normalizer.take()
        for letter in mine:
            value = letter.value if letter.value_inline else fetch_value(letter)
            if not letter.value_inline and value is None:
                result.failing[letter.id] = "the record's value is no longer in its topic"
                continue
            normalizer.handle_alone(source_record(letter, value))
            out = normalizer.take()
            if out.dead_letters:
                result.failing[letter.id] = out.dead_letters[0].message
            else:
                result.by_system.setdefault(system, []).extend(out.events)
                result.resolved.append(letter.id)
    return result
