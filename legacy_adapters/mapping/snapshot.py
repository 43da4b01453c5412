"""An adapter's state as bytes, so a restarted normalizer resumes from a snapshot instead of replaying history.

An adapter's output depends on more than the record in hand: its lookups (a venue's zone, a listing's seat, a
tier's code) and its memory of completed transactions (a redelivered change of one maps to nothing). A fresh
adapter knows none of it. :meth:`~legacy_adapters.mapping.base.LegacyAdapter.save_state` writes it as one
MessagePack map, :class:`StateEnvelope`:

* ``format``: :data:`STATE_FORMAT`, telling an adapter state from any other bytes;
* ``system`` and ``version``: the adapter that wrote it and its ``STATE_VERSION``; an adapter loads only its own
  system's state, of its own version or of an older one it migrates (``STATE_MIGRATIONS``: the lookups' shape
  is the adapter's own and changes with it, and an upgrade must not lose them);
* ``completed``: the ids of the transactions remembered as done, oldest first (empty without grouping);
* ``lookups``: the adapter's own lookups (its ``save_lookups``), bounded ones as maps in their order, oldest
  first, so they keep evicting in the same order.

Decoding is typed throughout (msgspec), so damaged or foreign bytes are an
:class:`~pipelines.mapping.AdapterStateError`, never a half-loaded adapter. Config (the PII pepper, the
bounds) is not state: the loading adapter keeps its own.
"""

from __future__ import annotations

import gc
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from typing import Final, TypeVar

import msgspec

from pipelines.mapping import AdapterStateError

STATE_FORMAT: Final = "inventory-cdc/adapter-state"

T = TypeVar("T")

_ENCODER: Final = msgspec.msgpack.Encoder()


class _Header(msgspec.Struct, frozen=True):
    """The fields that say whose state it is, read before anything else (other fields are skipped)."""

    format: str
    system: str
    version: int


class StateEnvelope(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A saved adapter state (see the module docstring)."""

    format: str
    system: str
    version: int
    completed: list[str]
    lookups: msgspec.Raw


def encode_state(system: str, version: int, completed: Sequence[str], lookups: object) -> bytes:
    """The state of adapter ``system`` at ``version``: completed transaction ids and its lookups."""
    envelope = StateEnvelope(
        format=STATE_FORMAT,
        system=system,
        version=version,
        completed=list(completed),
        lookups=msgspec.Raw(_ENCODER.encode(lookups)),
    )
    return _ENCODER.encode(envelope)


def decode_state(data: bytes, system: str, version: int, older: Collection[int] = ()) -> StateEnvelope:
    """The envelope of ``data`` if it is a state of adapter ``system`` at ``version`` (or at a version in
    ``older``, which the adapter migrates), else AdapterStateError.

    Its lookups are still encoded: the adapter decodes them with :func:`decode_lookups`.
    """
    try:
        header = msgspec.msgpack.decode(data, type=_Header)
    except msgspec.MsgspecError as exc:
        raise AdapterStateError(f"{system}: not an adapter state: {exc}") from None
    if header.format != STATE_FORMAT:
        raise AdapterStateError(f"{system}: not an adapter state (format {header.format!r})")
    if header.system != system:
        raise AdapterStateError(f"{system}: the state is the {header.system} adapter's, not this one's")
    if header.version != version and header.version not in older:
        also = f" (and migrates {', '.join(map(str, sorted(older)))})" if older else ""
        raise AdapterStateError(
            f"{system}: the state is of version {header.version}, this adapter reads version {version}{also}"
        )
    try:
        return msgspec.msgpack.decode(data, type=StateEnvelope)
    except msgspec.MsgspecError as exc:
        raise AdapterStateError(f"{system}: malformed adapter state: {exc}") from None


def encode_lookups(lookups: object) -> bytes:
    """Lookups as a state holds them (what :func:`decode_lookups` reads)."""
    return _ENCODER.encode(lookups)


def decode_lookups(raw: msgspec.Raw, kind: type[T]) -> T:
    """An adapter's lookups from a state's ``lookups`` (a msgspec error when they do not fit ``kind``)."""
    return msgspec.msgpack.decode(raw, type=kind)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector (process-wide) while a state is loaded: a state at the adapters'
    bounds is millions of small objects, whose allocation would otherwise set off collections that took more
    than half of the load (``bench/state_bench.py``). Nothing loaded forms cycles."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
