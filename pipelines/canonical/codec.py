"""Encode and decode canonical events as JSON (msgspec: fast, and strict on decode).

Decoding validates everything the contract says: the ``type`` tag, every field's type, enum values, patterns,
UTC times, the key's entity and unknown fields. Any violation raises
:class:`~pipelines.canonical.exceptions.CanonicalDecodeError` whose ``field`` is the JSON path of the culprit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import msgspec

from pipelines.canonical.events import CanonicalEvent, Envelope
from pipelines.canonical.exceptions import CanonicalDecodeError
from pipelines.errorpaths import split_msgspec_error

_encoder = msgspec.json.Encoder()
_INVARIANT = re.compile(r"^`(\w+)` ")
_decoder: msgspec.json.Decoder[CanonicalEvent] = msgspec.json.Decoder(CanonicalEvent)


def encode_event(event: Envelope) -> bytes:
    """Serialize one canonical event to compact JSON bytes (fields in contract order)."""
    return _encoder.encode(event)


def encode_events_ndjson(events: Iterable[Envelope]) -> bytes:
    """Serialize events as newline-delimited JSON (one event per line, trailing newline)."""
    buffer = bytearray()
    for event in events:
        _encoder.encode_into(event, buffer, -1)
        buffer.extend(b"\n")
    return bytes(buffer)


def decode_event(data: bytes | bytearray | memoryview | str) -> CanonicalEvent:
    """Decode one canonical event, or raise :class:`CanonicalDecodeError` naming the offending field."""
    try:
        return _decoder.decode(data)
    except msgspec.ValidationError as exc:
        field, reason = split_msgspec_error(str(exc))
        invariant = _INVARIANT.match(reason)  # a struct's own check names its field first: "`key` ..."
        if invariant is not None:
            field = f"{field}.{invariant.group(1)}"
        raise CanonicalDecodeError(field, reason) from exc
    except msgspec.DecodeError as exc:
        raise CanonicalDecodeError("$", str(exc)) from exc
