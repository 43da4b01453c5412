"""Building canonical envelopes for one change: id, key, commit time and source, computed once per change.

The id follows the contract's recipe (:func:`pipelines.canonical.derive_event_id`) over the change's source,
its table's primary key and the event type, so a replayed change yields the same ids and two event types
derived from one change (a seat change that also places a hold) never collide.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from pipelines.canonical import Envelope, EventType, Source, derive_event_id
from pipelines.debezium import ChangeEvent

T = TypeVar("T", bound=Envelope)

_TYPES: dict[type[Envelope], EventType] = {}


def event_type(cls: type[Envelope]) -> EventType:
    """The event type (union tag) of an envelope class."""
    found = _TYPES.get(cls)
    if found is None:
        found = _TYPES[cls] = EventType(str(cls.__struct_config__.tag))
    return found


class Emitter:
    """Makes the canonical events of one change; ``pk`` is the changed row's primary key as the id recipe
    wants it (column -> int, or str with GUIDs lower-cased)."""

    __slots__ = ("change", "pk", "source")

    def __init__(self, change: ChangeEvent, system: str, pk: Mapping[str, str | int]) -> None:
        self.change = change
        self.source: Source = change.source.to_canonical(system)
        self.pk = pk

    def make(self, cls: type[T], key: str, data: Any, *, deleted: bool = False) -> T:
        """An event of class ``cls`` about entity ``key`` with body ``data``."""
        build: Any = cls  # every concrete envelope class has a `data` field; the base class does not
        event: T = build(
            id=derive_event_id(event_type(cls), self.source, self.pk),
            key=key,
            occurred_at=self.change.source.committed_at,
            source=self.source,
            data=data,
            deleted=deleted,
        )
        return event
